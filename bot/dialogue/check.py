"""The eligibility check: asks only what the engine still needs for the calls one can apply to, confirms every fact
the bot inferred before a rule may fail on it, offers a closed round when it is the one that suits the project,
and ends with a verdict about the project that fits one phone screen."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

from bot.dialogue.effects import RecordCheck
from bot.dialogue.interview import Interview, Reading
from bot.dialogue.message import Button, Reply
from bot.dialogue.state import Asked
from bot.reading.answers import read_answer
from bot.reading.numbers import ParseError, is_hedge, is_unsure, parse_yes_no
from bot.reading.statements import apply_portions
from bot.resources import fold
from bot.rules.catalogue import Call, catalogue
from bot.rules.engine import BUDGET, Assessment, assess
from bot.rules.facts import facts
from bot.rules.profile import InvalidInput, Profile, make_profile, reconcile
from bot.saying import conversation as words

if TYPE_CHECKING:
    from bot.dialogue.turn import Turn

YES_NO_KINDS = ("confirm", "offer")


def profile_of(state_facts: Mapping[str, Any], inferred: frozenset[str], day, language: str) -> Profile:
    """The facts as a profile. They are reconciled as they come in, so this never fails for a conversation's own
    facts; a fact that no longer fits (an old conversation from before a rule changed) is left out."""
    values = dict(state_facts)
    while True:
        try:
            return make_profile(values, date=day, language=language, inferred=inferred)
        except InvalidInput as error:
            values.pop(error.field.split(".")[0], None)


def _blank(text: str, spans) -> str:
    """The message with the parts that stated other facts blanked out, so "3, og to av dem er SMB-er" answers
    "how many companies?" with 3 (the 2 belongs to the SMEs)."""
    folded = list(fold(text))
    for start, end in spans:
        folded[start:end] = " " * (end - start)
    return "".join(folded)


# The NLU's yes or no stands in for the parser's only when it is this sure of a short reply: "ok" or "I see" may be
# a yes, or only a sign of listening.
SURE_YES_NO, SHORT_REPLY = 0.95, 3


def nlu_yes_no(turn: "Turn") -> Optional[bool]:
    message = turn.message
    if message.intent in ("affirm", "deny") and (message.is_payload or (
            message.confidence >= SURE_YES_NO and len(message.text.split()) <= SHORT_REPLY
            and not is_hedge(message.text))):
        return message.intent == "affirm"
    return None


def _yes_no(turn: "Turn") -> Optional[bool]:
    if turn.message.is_payload:
        return nlu_yes_no(turn)
    try:
        return parse_yes_no(turn.message.text)
    except ParseError as error:
        return nlu_yes_no(turn) if error.code == "not_yes_no" else None


class Check(Interview):
    task = "check"
    kinds = ("fact", "confirm", "offer")

    # --- facts ----------------------------------------------------------------------------------------------
    def profile(self, turn: "Turn") -> Profile:
        return profile_of(turn.state.facts, turn.state.inferred, turn.day, turn.language)

    def assessment(self, turn: "Turn") -> Assessment:
        return assess(self.profile(turn), closed_to_check=turn.state.closed_to_check)

    def take_facts(self, turn: "Turn", new: Mapping[str, Any], inferred: frozenset[str] = frozenset(),
                   acknowledge: bool = True) -> dict[str, Any]:
        """Take facts into the conversation (the latest word wins), saying what no longer fits. A fact the user
        states is no longer inferred; what was given up on and is now given is no longer left open."""
        state = turn.state
        new = {fact: value for fact, value in new.items() if state.facts.get(fact) != value or fact in state.inferred}
        accepted, refused, forgotten = reconcile(state.facts, new, turn.day)
        for fact in refused:
            turn.say(f"conflict.{fact}")
        values = {key: value for key, value in state.facts.items() if key not in forgotten}
        values.update(accepted)
        waiting = apply_portions(values, {**state.waiting, **turn.statement.portions})
        for fact in forgotten:
            turn.say("forgot", fact=words.fact_label(fact, turn.language))
        now_inferred = (state.inferred - set(accepted) - set(forgotten)) | (inferred & set(accepted))
        turn.state = state.with_(facts=values, inferred=frozenset(now_inferred), waiting=waiting,
                                 left_open=tuple(fact for fact in state.left_open if fact not in accepted))
        if acknowledge and set(accepted) - {"asker"}:
            turn.say("noted", facts=words.facts_list({fact: values[fact] for fact in accepted}, turn.language))
        return accepted

    def take_statement(self, turn: "Turn", acknowledge: bool = True, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """The facts the message states (and its what-ifs on known counts)."""
        statement = turn.statement
        new = {fact: value for fact, value in statement.facts.items() if fact not in skip}
        for fact, more in statement.deltas.items():
            if turn.state.facts.get(fact) is not None and fact not in new:
                new[fact] = turn.state.facts[fact] + more
        accepted = self.take_facts(turn, new, statement.inferred, acknowledge)
        if statement.converted_from_eur is not None and "budget_nok" in accepted:
            turn.replies.append(Reply(words.converted(statement.converted_from_eur, turn.day, turn.language)))
        return accepted

    # --- questions ------------------------------------------------------------------------------------------
    def next_question(self, turn: "Turn") -> Optional[Asked]:
        assessment = self.assessment(turn)
        offer = self.closed_offer(turn, assessment)
        if offer is not None:
            return offer
        # a closed round the user chose to be checked against comes first: that is what they asked about
        chosen = {fact for item in assessment.calls if item.call.id in turn.state.closed_to_check for fact in item.missing}
        for fact in sorted(assessment.next_facts, key=lambda fact: fact not in chosen):
            if fact in turn.state.left_open or fact in turn.state.waiting or not facts()[fact].asked:
                continue
            if fact in turn.state.inferred:
                return Asked("confirm", fact, ("yes", "no"))
            return Asked("fact", fact, words.options(fact))
        return None

    def closed_offer(self, turn: "Turn", assessment: Assessment) -> Optional[Asked]:
        """A closed round made for projects like this one, offered once, first thing: when the user has said what
        only that round asks about (partner countries, cluster-to-cluster activities). It is offered even when the
        facts so far fail one of its rules: which rule, and what would have changed it, is what the user learns."""
        for item in assessment.calls:
            call = item.call
            if item.open_to_applicants or call.id in turn.state.closed_to_check or call.id in turn.state.offered:
                continue
            own_facts = {fact for rule in call.rules for fact in rule.facts} - {BUDGET} - {
                fact for other in catalogue().calls if other is not call for rule in other.rules for fact in rule.facts}
            if any(fact in turn.state.facts for fact in own_facts):
                turn.state = turn.state.with_(offered=(*turn.state.offered, call.id))
                return Asked("offer", call.id, ("yes", "no"))
        return None

    def ask(self, turn: "Turn", asked: Asked, times: int) -> None:
        if asked.kind == "offer":
            call = catalogue().call(asked.key)
            turn.replies.append(Reply(words.closed_offer(call, turn.day, turn.language),
                                      (turn.button("check_closed", "/affirm"), turn.button("no_thanks", "/deny"))))
            return
        if asked.kind == "confirm":
            turn.replies.append(Reply(words.confirm(asked.key, turn.state.facts[asked.key], turn.language),
                                      (turn.button("yes", "/affirm"), turn.button("no", "/deny"))))
            return
        last = times + 1 >= 3
        text = words.question(asked.key, turn.language, again=times > 0, options=asked.options)
        buttons = tuple(Button(title, payload) for title, payload in words.answer_buttons(asked.key, asked.options,
                                                                                          turn.language))
        if times > 0:
            buttons += (turn.button("skip", "/skip_question"),)
        turn.replies.append(Reply(turn.text("last_try") + " " + text if last and times else text, buttons))

    def topic_of(self, turn: "Turn", asked: Asked) -> str:
        if asked.kind == "offer":
            return catalogue().call(asked.key).name(turn.language)
        return words.fact_label(asked.key, turn.language)

    def why(self, turn: "Turn", asked: Asked) -> str:
        if asked.kind == "offer":
            return words.closed_offer(catalogue().call(asked.key), turn.day, turn.language)
        return words.why_we_ask(asked.key, turn.day, turn.language)

    # --- answers --------------------------------------------------------------------------------------------
    def read(self, turn: "Turn", asked: Asked) -> Reading:
        if asked.kind in YES_NO_KINDS:
            answer = _yes_no(turn)
            if answer is None:
                return Reading(unsure=self._unsure(turn), problem="not_yes_no")
            return Reading(values={asked.key: answer})
        fact, message = asked.key, turn.message
        if message.is_payload:
            return self._payload(turn, fact)
        statement = turn.statement
        if fact in statement.facts:
            note = None
            if fact == BUDGET and statement.converted_from_eur is not None:
                note = words.converted(statement.converted_from_eur, turn.day, turn.language)
            return Reading(values={fact: statement.facts[fact]}, note=note)
        if fact in statement.portions:  # "alle er SMB-er"
            total = turn.state.facts.get(facts()[fact].of_total)
            count = statement.portions[fact].of(total) if total is not None else None
            if count is not None:
                return Reading(values={fact: count})
        # a count is read from what the other facts left: in "3, og to av dem er SMB-er" the 2 belongs to the SMEs
        remainder = _blank(message.text, statement.spans) if facts()[fact].type == "count" else message.text
        numbered = asked.options if turn.state.count("times_asked", asked) > 1 else ()  # only re-asks number them
        answer = read_answer(fact, remainder, turn.state.facts, turn.day, numbered)
        if answer.portion is not None:  # "alle" before the total is known: taken, and the total is asked next
            total = facts()[fact].of_total
            turn.state = turn.state.with_(waiting={**turn.state.waiting, fact: answer.portion},
                                          left_open=tuple(open_ for open_ in turn.state.left_open if open_ != total))
            return Reading(held=True)
        if answer.answered:
            note = None
            if answer.converted_from_eur is not None:
                note = words.converted(answer.converted_from_eur, turn.day, turn.language)
            return Reading(values={**answer.also, fact: answer.value}, note=note)
        if answer.skip:
            return Reading(skip=True)
        if facts()[fact].type == "bool" and answer.problem == "not_yes_no" and nlu_yes_no(turn) is not None:
            return Reading(values={fact: nlu_yes_no(turn)})
        return Reading(unsure=answer.unsure, problem=None if answer.unsure else answer.problem)

    @staticmethod
    def _unsure(turn: "Turn") -> bool:
        return is_unsure(turn.message.text)

    @staticmethod
    def _payload(turn: "Turn", fact: str) -> Reading:
        message = turn.message
        if message.intent == "skip_question":
            return Reading(skip=True)
        spec = facts()[fact]
        if spec.type == "bool" and message.intent in ("affirm", "deny"):
            return Reading(values={fact: message.intent == "affirm"})
        choice = message.choice
        if choice in spec.values:
            return Reading(values={fact: [choice] if spec.type == "enum_list" else choice})
        return Reading(problem="not_understood")

    def take(self, turn: "Turn", asked: Asked, reading: Reading) -> None:
        if asked.kind == "offer":
            if reading.values[asked.key]:
                turn.state = turn.state.with_(closed_to_check=(*turn.state.closed_to_check, asked.key))
            return
        if asked.kind == "confirm":
            fact = asked.key
            if reading.values[fact]:
                turn.state = turn.state.with_(inferred=turn.state.inferred - {fact})
            else:
                turn.state = turn.state.with_(facts={k: v for k, v in turn.state.facts.items() if k != fact},
                                              inferred=turn.state.inferred - {fact})
            return
        answered = self.take_facts(turn, reading.values, acknowledge=False)
        others = self.take_statement(turn, skip=tuple(reading.values))
        if asked.key not in answered and asked.key not in others:
            turn.state = turn.state.counted("failures", asked)

    def aside(self, turn: "Turn", asked: Asked) -> bool:
        return bool(self.take_statement(turn))

    def leave_open(self, turn: "Turn", asked: Asked) -> None:
        if asked.kind == "fact":
            turn.state = turn.state.with_(left_open=(*turn.state.left_open, asked.key))
        elif asked.kind == "confirm":  # neither confirmed nor denied: drop the guess, the rule stays undecided
            turn.state = turn.state.with_(facts={k: v for k, v in turn.state.facts.items() if k != asked.key},
                                          inferred=turn.state.inferred - {asked.key},
                                          left_open=(*turn.state.left_open, asked.key))

    # --- the verdict ----------------------------------------------------------------------------------------
    def finish(self, turn: "Turn") -> None:
        assessment = self.assessment(turn)
        turn.effects.append(RecordCheck(assessment))
        text, card = words.verdict(assessment, turn.state.closed_to_check, turn.state.left_open,
                                   turn.state.facts.get("asker"), turn.language)
        turn.replies.append(Reply(text, (turn.button("why", "/why"), turn.button("new_check", "/check_eligibility"),
                                         turn.button("handoff", "/human_handoff")), card))
        turn.state = turn.state.with_(verdict_given=True)

    def facts_answer(self, turn: "Turn", calls: tuple[Call, ...]) -> bool:
        """A question that carries its own facts ("we are two companies, is that enough?"): the rules those facts
        decide, per call, at once, and the facts are kept for a check. False, with nothing taken, when they decide
        none of the rules ("can we apply? we are 4 SMEs"): that is a check to start, not a question to answer."""
        stated = {fact: value for fact, value in turn.statement.facts.items() if fact != "asker"}
        profile = profile_of({**turn.state.facts, **stated}, frozenset(), turn.day, turn.language)
        decided = words.decided_rules(assess(profile), calls, set(stated), turn.language)
        if decided is None:
            return False
        self.take_statement(turn, acknowledge=False)
        turn.replies.append(Reply(decided))
        return True


CHECK = Check()
