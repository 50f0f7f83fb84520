"""The eligibility check: asks only what the engine still needs for the calls one can apply to, confirms every fact
the bot inferred, and every stated fact changed without a correction, before a rule may fail on it; assesses a
what-if as a what-if; offers a closed round when it is the one that suits the project; sets aside a call that is not
for this kind of project (a cluster organisation's project between countries is not the companies' own
Innovasjonsrammen project) rather than walk through its questions; and ends with a verdict about the project that
fits one phone screen."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping, Optional

from bot.dialogue.effects import RecordCheck
from bot.dialogue.interview import MOST_ASKS, Interview, Reading, Turn
from bot.dialogue.message import Button, Reply
from bot.dialogue.state import Asked
from bot.reading.user_answers import asks_to_skip, keeps_what_if, read_answer
from bot.reading.numbers import ParseError, is_hedge, is_unsure, reply_yes_no, starts_with_yes_or_no
from bot.reading.statements import apply_portions, with_deltas, within_countries
from bot.rules.catalogue import Call, catalogue
from bot.rules.engine import Assessment, assess
from bot.rules.facts import ASKER, BUDGET, facts
from bot.rules.profile import InvalidInput, Profile, make_profile, reconcile
from bot.saying import conversation as words


YES_NO_KINDS = ("confirm", "offer", "suppose", "start")


def profile_of(state_facts: Mapping[str, Any], inferred: frozenset[str], day, language: str) -> Profile:
    """The facts as a profile. They are reconciled as they come in, so this never fails for a conversation's own
    facts; a fact that no longer fits (an old conversation from before a rule changed) is left out."""
    values = dict(state_facts)
    while True:
        try:
            return make_profile(values, date=day, language=language, inferred=inferred)
        except InvalidInput as error:
            values.pop(error.field.split(".")[0], None)


# The NLU's yes or no stands in for the parser's only when it is this sure of a short reply: "ok" or "I see" may be
# a yes, or only a sign of listening.
SURE_YES_NO, SHORT_REPLY = 0.95, 3


def nlu_yes_no(turn: Turn) -> Optional[bool]:
    message = turn.message
    if message.intent in ("affirm", "deny") and (message.is_payload or (
            message.confidence >= SURE_YES_NO and len(message.text.split()) <= SHORT_REPLY
            and not is_hedge(message.text))):
        return message.intent == "affirm"
    return None


def yes_or_no(turn: Turn) -> Optional[bool]:
    if turn.message.is_payload:
        return nlu_yes_no(turn)
    try:
        return reply_yes_no(turn.message.text)
    except ParseError as error:
        return nlu_yes_no(turn) if error.code == "not_yes_no" else None


def _fails_on(assessment: Assessment, fact: str) -> bool:
    return any(result.ok is False and fact in result.rule.facts for item in assessment.calls for result in item.results)


class Check(Interview):
    task = "check"
    kinds = ("fact", "confirm", "offer", "suppose", "start")

    # --- facts ----------------------------------------------------------------------------------------------
    def profile(self, turn: Turn) -> Profile:
        return profile_of(turn.state.facts, turn.state.inferred, turn.day, turn.language)

    def assessment(self, turn: Turn) -> Assessment:
        return assess(self.profile(turn), closed_to_check=turn.state.closed_to_check)

    def take_facts(self, turn: Turn, new: Mapping[str, Any], inferred: frozenset[str] = frozenset(),
                   acknowledge: bool = True, confirmed: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Take facts into the conversation (the latest word wins), saying what no longer fits. A fact the user
        states is no longer inferred; what was given up on and is now given is no longer left open. A fact the user
        had stated and now states otherwise, neither as a correction nor as the answer to its question (`confirmed`),
        is taken as inferred while a rule would fail on it, so the user is asked which holds before any "no"."""
        state = turn.state
        new = within_countries({**state.facts, **new}, new)
        new = {fact: value for fact, value in new.items() if state.facts.get(fact) != value or fact in state.inferred}
        accepted, refused, forgotten = reconcile(state.facts, new, turn.day)
        for fact in refused:
            turn.say(f"conflict.{fact}")
        values = {key: value for key, value in state.facts.items() if key not in forgotten}
        values.update(accepted)
        waiting = apply_portions(values, {**state.waiting, **turn.statement.portions})
        for fact in forgotten:
            turn.say("forgot", fact=words.fact_label(fact, turn.language))
        changed = {fact for fact in accepted if fact in state.facts and fact not in state.inferred
                   and fact not in confirmed | turn.reading.corrected and facts()[fact].asked}
        now_inferred = (state.inferred - set(accepted) - set(forgotten)) | (inferred & set(accepted))
        doubted = {fact for fact in changed if _fails_on(
            assess(profile_of(values, frozenset(now_inferred), turn.day, turn.language)), fact)}
        previous = {fact: value for fact, value in state.previous.items() if fact not in accepted}
        previous.update({fact: state.facts[fact] for fact in doubted})
        turn.state = state.with_(facts=values, inferred=frozenset(now_inferred | doubted), waiting=waiting,
                                 previous=MappingProxyType(previous),
                                 left_open=tuple(fact for fact in state.left_open if fact not in accepted))
        if acknowledge and set(accepted) - {ASKER}:
            turn.say("noted", facts=words.facts_list({fact: values[fact] for fact in accepted}, turn.language))
        return accepted

    def take_statement(self, turn: Turn, acknowledge: bool = True, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """The facts the message states or corrects (and its changes to known counts, "vi har fått med én SMB til")."""
        statement = turn.statement
        new = {fact: value for fact, value in statement.facts.items() if fact not in skip}
        for fact, value in with_deltas(turn.state.facts, statement.deltas).items():
            if turn.state.facts.get(fact) != value and fact not in new:
                new[fact] = value
        accepted = self.take_facts(turn, new, statement.inferred, acknowledge)
        if statement.converted_from_eur is not None and BUDGET in accepted:
            turn.replies.append(Reply(words.converted(statement.converted_from_eur, turn.day, turn.language)))
        return accepted

    def take_message(self, turn: Turn, acknowledge: bool = True) -> dict[str, Any]:
        """What the message states, and what a question of it says of our project that is not known yet ("we would
        like to know whether a project with clusters in Sweden and Latvia would qualify"), the latter as inferred."""
        accepted = self.take_statement(turn, acknowledge)
        new = turn.facts_asked_about_us()
        if new:
            accepted.update(self.take_facts(turn, new, inferred=frozenset(new), acknowledge=acknowledge))
        return accepted

    def supposed_facts(self, turn: Turn) -> dict[str, Any]:
        """The facts as the message's what-if would have them ("hva om vi får med en SMB til?")."""
        supposed = turn.reading.supposed
        values = with_deltas({**turn.state.facts, **supposed.facts}, supposed.deltas)
        apply_portions(values, supposed.portions)
        return {**values, **within_countries(values, values)}

    # --- questions ------------------------------------------------------------------------------------------
    def set_aside(self, turn: Turn, assessment: Assessment) -> tuple[Call, ...]:
        """Calls that are not for this kind of project: the user asks for a role the call's applications do not come
        from (a cluster organisation) about a project of another call's own kind (partner countries, activities
        between clusters). Their questions are not asked; the verdict offers to check them. A closed round the user
        chose to be checked against is checked."""
        role = turn.state.facts.get("applicant") or turn.state.facts.get(ASKER)
        if role is None:
            return ()
        kinds = {call.id for call in catalogue().calls if call.own_facts & set(turn.state.facts)}
        return tuple(item.call for item in assessment.calls if item.call.id not in turn.state.checked_anyway
                     and item.open_to_applicants and item.call.applicants is not None and role not in item.call.applicants
                     and kinds - {item.call.id})

    def next_question(self, turn: Turn) -> Optional[Asked]:
        assessment = self.assessment(turn)
        offer = self.closed_offer(turn, assessment)
        if offer is not None:
            return offer
        aside = {call.id for call in self.set_aside(turn, assessment)}
        wanted = {fact for item in assessment.calls if item.call.id not in aside
                  and (item.open_to_applicants or item.call.id in turn.state.closed_to_check) for fact in item.missing}
        # a closed round the user chose to be checked against comes first: that is what they asked about
        chosen = {fact for item in assessment.calls if item.call.id in turn.state.closed_to_check for fact in item.missing}
        for fact in sorted(assessment.next_facts, key=lambda fact: fact not in chosen):
            if fact not in wanted or fact in turn.state.left_open or fact in turn.state.waiting \
                    or not facts()[fact].asked:
                continue
            if fact in turn.state.inferred:
                return Asked("confirm", fact, ("yes", "no"))
            return Asked("fact", fact, words.options(fact))
        return None

    def closed_offer(self, turn: Turn, assessment: Assessment) -> Optional[Asked]:
        """A closed round made for projects like this one, offered once, first thing: when the user has said what
        only that round asks about (partner countries, cluster-to-cluster activities). It is offered even when the
        facts so far fail one of its rules: which rule, and what would have changed it, is what the user learns."""
        for item in assessment.calls:
            call = item.call
            if item.open_to_applicants or call.id in turn.state.closed_to_check or call.id in turn.state.offered:
                continue
            if call.own_facts & set(turn.state.facts):
                turn.state = turn.state.with_(offered=(*turn.state.offered, call.id))
                return Asked("offer", call.id, ("yes", "no"))
        return None

    def ask(self, turn: Turn, asked: Asked, times: int) -> None:
        if asked.kind == "offer":
            call = catalogue().call(asked.key)
            turn.replies.append(Reply(words.closed_offer(call, turn.day, turn.language),
                                      (turn.button("check_closed", "/affirm"), turn.button("no_thanks", "/deny"))))
            return
        if asked.kind == "suppose":
            turn.replies.append(Reply(turn.text("what_if.keep"), (turn.button("keep", "/affirm"),
                                                                   turn.button("dont_keep", "/deny"))))
            return
        if asked.kind == "start":
            turn.replies.append(Reply(turn.text("offer_check"), (turn.button("check_rest", "/affirm"),
                                                                  turn.button("no_thanks", "/deny"))))
            return
        if asked.kind == "confirm":
            fact, value = asked.key, turn.state.facts[asked.key]
            if fact in turn.state.previous:
                text = words.confirm_change(fact, turn.state.previous[fact], value, turn.language)
            else:
                text = words.confirm(fact, value, turn.language)
            turn.replies.append(Reply(text, (turn.button("yes", "/affirm"), turn.button("no", "/deny"))))
            return
        last = turn.state.count("failures", asked) + 1 >= MOST_ASKS  # the next failure gives the question up
        text = words.question(asked.key, turn.language, again=times > 0, options=asked.options)
        buttons = tuple(Button(title, payload) for title, payload in words.answer_buttons(asked.key, asked.options,
                                                                                          turn.language))
        if times > 0:
            buttons += (turn.button("skip", "/skip_question"),)
        turn.replies.append(Reply(turn.text("last_try") + " " + text if last and times else text, buttons))

    def topic_of(self, turn: Turn, asked: Asked) -> str:
        if asked.kind == "offer":
            return catalogue().call(asked.key).name(turn.language)
        if asked.kind == "suppose":
            return turn.text("what_if.topic")
        if asked.kind == "start":
            return turn.text("offer_check_topic")
        return words.fact_label(asked.key, turn.language)

    def why(self, turn: Turn, asked: Asked) -> str:
        if asked.kind == "offer":
            return words.closed_offer(catalogue().call(asked.key), turn.day, turn.language)
        if asked.kind == "suppose":
            return turn.text("what_if.why")
        if asked.kind == "start":
            return turn.text("offer_check")
        return words.why_we_ask(asked.key, turn.day, turn.language)

    # --- answers --------------------------------------------------------------------------------------------
    def read(self, turn: Turn, asked: Asked) -> Reading:
        if asked.kind in YES_NO_KINDS:
            if asks_to_skip(turn.message.text):
                return Reading(skip=True)
            yes = yes_or_no(turn)
            if yes is None and asked.kind == "suppose" and not turn.message.is_payload:
                yes = keeps_what_if(turn.message.text)
            if yes is None and asked.kind == "confirm" and not turn.message.is_payload:
                restated = read_answer(asked.key, turn.reading.answering, turn.state.facts, turn.day,
                                       language=turn.language)  # "Du sa fire; nå én – hva stemmer?" - "fire"
                if restated.answered and restated.value is not None:
                    return Reading(values={asked.key: restated.value})
            if yes is None and is_unsure(turn.message.text) and asked.id in turn.state.explained:
                return Reading(skip=True)  # "not sure" again once told why it matters: it stays undecided
            if yes is None:
                return Reading(unsure=is_unsure(turn.message.text), problem="not_yes_no")
            return Reading(confirmed=yes)
        fact, message = asked.key, turn.message
        if message.is_payload:
            return self._payload(turn, fact)
        statement = turn.statement
        if fact in statement.facts:
            note = None
            if fact == BUDGET and statement.converted_from_eur is not None:
                note = words.converted(statement.converted_from_eur, turn.day, turn.language)
            return Reading(values={fact: statement.facts[fact]}, note=note,
                           inferred=statement.inferred & {fact})
        if fact in statement.portions:  # "alle er SMB-er"
            of_total = facts()[fact].of_total
            total = turn.state.facts.get(of_total) if of_total is not None else None
            count = statement.portions[fact].of(total) if total is not None else None
            if count is not None:
                return Reading(values={fact: count})
        numbered = asked.options if turn.state.count("times_asked", asked) > 1 else ()  # only re-asks number them
        answer = read_answer(fact, turn.reading.answering, turn.state.facts, turn.day, numbered, turn.language)
        if answer.portion is not None:  # "alle" before the total is known: taken, and the total is asked next
            total = facts()[fact].of_total
            turn.state = turn.state.with_(waiting={**turn.state.waiting, fact: answer.portion},
                                          left_open=tuple(open_ for open_ in turn.state.left_open if open_ != total))
            return Reading(held=True, values=dict(answer.also))
        if answer.answered:
            note = None
            if answer.converted_from_eur is not None:
                note = words.converted(answer.converted_from_eur, turn.day, turn.language)
            return Reading(values={**answer.also, fact: answer.value}, note=note,
                           inferred=frozenset({fact}) if answer.inferred else frozenset())
        if answer.skip:
            return Reading(skip=True)
        if facts()[fact].type == "bool" and answer.problem == "not_yes_no" and nlu_yes_no(turn) is not None:
            return Reading(values={fact: nlu_yes_no(turn)})
        return Reading(unsure=answer.unsure, problem=None if answer.unsure else answer.problem)

    @staticmethod
    def _payload(turn: Turn, fact: str) -> Reading:
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

    def take(self, turn: Turn, asked: Asked, reading: Reading) -> None:
        fact = asked.key
        if asked.kind == "offer":
            if reading.confirmed:
                turn.state = turn.state.with_(closed_to_check=(*turn.state.closed_to_check, fact))
            return
        if asked.kind == "start":
            if not reading.confirmed:
                turn.say("skipped_check")
                turn.state = turn.state.with_(task=None)
            return
        if asked.kind == "suppose":
            supposed = dict(turn.state.supposed)
            turn.state = turn.state.with_(supposed={})
            if reading.confirmed:  # the user keeps the what-if: its facts are theirs now
                self.take_facts(turn, supposed, confirmed=frozenset(supposed))
            else:
                turn.say("what_if.not_kept")
            self.take_statement(turn)  # "nei, vi har ikke felles eiere, jeg bare lurte": what it states, taken
            return
        if asked.kind == "confirm":
            previous = {key: value for key, value in turn.state.previous.items() if key != fact}
            values = dict(turn.state.facts)
            if reading.values:
                values[fact] = reading.values[fact]
            elif not reading.confirmed:
                if fact in turn.state.previous:  # "no, it is as I said first"
                    values[fact] = turn.state.previous[fact]
                else:
                    values.pop(fact, None)
            turn.state = turn.state.with_(facts=values, inferred=turn.state.inferred - {fact},
                                          previous=MappingProxyType(previous))
            return
        answered = self.take_facts(turn, reading.values, inferred=reading.inferred, acknowledge=False,
                                   confirmed=frozenset(reading.values))
        others = self.take_statement(turn, skip=tuple(reading.values))
        if fact not in answered and fact not in others and fact not in turn.state.waiting:
            turn.state = turn.state.counted("failures", asked)

    def answers_outright(self, turn: Turn, asked: Asked) -> bool:
        """A yes-or-no question answered by a reply that begins with yes or no and asks nothing ("no thanks, just
        curious", "nope, just hypothetical"), and "shall I use that?" by one that keeps the what-if or not ("just
        wondering, leave it as it is")."""
        text = turn.message.text
        if asked.kind not in YES_NO_KINDS or turn.message.is_payload or "?" in text:
            return False
        return starts_with_yes_or_no(text) or (asked.kind == "suppose" and keeps_what_if(text) is not None)

    def aside(self, turn: Turn, asked: Asked) -> bool:
        return bool(self.take_statement(turn))

    def leave_open(self, turn: Turn, asked: Asked) -> None:
        if asked.kind == "fact":
            turn.state = turn.state.with_(left_open=(*turn.state.left_open, asked.key))
        elif asked.kind == "confirm":  # neither confirmed nor denied: drop the guess, the rule stays undecided
            turn.state = turn.state.with_(facts={k: v for k, v in turn.state.facts.items() if k != asked.key},
                                          inferred=turn.state.inferred - {asked.key},
                                          left_open=(*turn.state.left_open, asked.key))
        elif asked.kind == "suppose":
            turn.state = turn.state.with_(supposed={})
        elif asked.kind == "start":
            turn.state = turn.state.with_(task=None)

    # --- the verdict ----------------------------------------------------------------------------------------
    def finish(self, turn: Turn) -> None:
        assessment = self.assessment(turn)
        turn.effects.append(RecordCheck(assessment))
        aside = self.set_aside(turn, assessment)
        text, card = words.verdict(assessment, turn.state.closed_to_check, turn.state.left_open,
                                   turn.state.facts.get(ASKER), turn.language, set_aside=aside)
        buttons: tuple[Button, ...] = (turn.button("why", "/why"),)
        buttons += tuple(Button(words.check_anyway_button(call, turn.language),
                                '/check_eligibility{"choice": "%s"}' % call.id) for call in aside)
        buttons += (turn.button("new_check", "/check_eligibility"), turn.button("handoff", "/human_handoff"))
        turn.replies.append(Reply(text, buttons, card))
        turn.state = turn.state.with_(verdict_given=True)

    def offer_check(self, turn: Turn) -> None:
        """After answering a question that told about the project: offer to check the rest, not start unasked."""
        turn.state = turn.state.with_(task=self.task)
        self.put(turn, Asked("start", "check", ("yes", "no")))

    def check_anyway(self, turn: Turn, call_id: str) -> None:
        """The user wants a call checked that was set aside as not for this kind of project."""
        turn.state = turn.state.with_(checked_anyway=(*turn.state.checked_anyway, call_id))
        self.start(turn)

    def suppose(self, turn: Turn) -> None:
        """A what-if: the verdict as it would be, labelled as such, the stored facts as they were, and the offer to
        keep it."""
        values = self.supposed_facts(turn)
        changed = {fact: value for fact, value in values.items() if turn.state.facts.get(fact) != value}
        if not changed:
            turn.say("what_if.nothing")
            return
        profile = profile_of(values, turn.state.inferred - set(changed), turn.day, turn.language)
        supposed = assess(profile, closed_to_check=turn.state.closed_to_check)
        turn.replies.append(Reply(words.what_if(supposed, self.assessment(turn), changed, turn.state.closed_to_check,
                                                turn.language)))
        turn.state = turn.state.with_(supposed=MappingProxyType(changed))
        self.put(turn, Asked("suppose", "keep", ("yes", "no")))

    def facts_answer(self, turn: Turn, calls: tuple[Call, ...], stated: Mapping[str, Any],
                     in_general: bool = False) -> bool:
        """A question that carries its own facts ("can we apply with just one company?"): the rules those facts
        decide, per call, at once; `in_general`, a question about the rule rather than our project ("can a former
        NCE cluster use it?"), on its own facts alone. Nothing is stored. False when they decide none of them."""
        decided = words.decided_rules(self._assessed_on(turn, stated, in_general), calls, set(stated), turn.language)
        if decided is None:
            return False
        turn.replies.append(Reply(decided))
        return True


    def decides(self, turn: Turn, calls: tuple[Call, ...], stated: Mapping[str, Any],
                in_general: bool = False) -> Optional[bool]:
        """Whether the rules a question's facts decide pass (True), one fails (False), or they decide none (None)."""
        return words.decided_outcome(self._assessed_on(turn, stated, in_general), calls, set(stated))

    def _assessed_on(self, turn: Turn, stated: Mapping[str, Any], in_general: bool) -> Assessment:
        return assess(profile_of(stated if in_general else {**turn.state.facts, **stated}, frozenset(), turn.day,
                                 turn.language))


CHECK = Check()
