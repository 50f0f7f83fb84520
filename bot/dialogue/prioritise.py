"""The cluster's prioritisation of its companies' proposals in chat (Innovasjonsrammen, steps 4 and 5): for each
proposal its name, the facts the call's rules read, and one score per criterion of the call; then the ranking with
the call's weights and the two to four proposals to send (bot.rules.prioritise)."""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Optional

from bot.dialogue.interview import Interview, Reading, Turn
from bot.dialogue.message import Button, Download, Reply
from bot.dialogue.state import Asked
from bot.reading.numbers import ParseError, is_unsure, parse_yes_no
from bot.reading.scores import (named_criteria, named_proposal, read_scores, says_later, typed_choice,
                                without_name)
from bot.reading.user_answers import asks_to_skip, read_answer
from bot.resources import LANGUAGES
from bot.rules.catalogue import WeightedCriterion, catalogue
from bot.rules.facts import facts
from bot.rules.prioritise import (DEFAULT_SCALE, ProposalDraft, cluster_facts, prioritise, prioritised_calls,
                                  proposal_facts, usual_answers, weighted_criteria)
from bot.saying import conversation as words
from bot.saying.messages import message
from bot.saying.spreadsheet import csv_text
from bot.saying.prioritise import chat_messages, score_question, spreadsheet_rows
from bot.saying.texts import format_number

# The buttons under a yes-or-no question of the interview, by the title's message and the answer it gives; a title
# typed is the button pressed.
YES_NO = (("yes", True), ("no", False))
CHOICES = {"more": (("another", True), ("rank_now", False))}


def _call():
    return prioritised_calls(catalogue())[0]


def _criteria() -> dict[str, WeightedCriterion]:
    return {criterion.id: criterion for criterion in weighted_criteria(_call())}


def _criterion_words() -> dict[str, tuple[str, ...]]:
    return {criterion.id: criterion.words for criterion in _criteria().values()}


def _score(value: Fraction) -> Any:
    """A score as the state keeps it (JSON): a whole number as one."""
    return int(value) if value.denominator == 1 else float(value)


def _names(turn: Turn) -> list[str]:
    """The proposals entered so far, the one being entered last."""
    names = [item["name"] for item in turn.state.proposals]
    return names + ([turn.state.proposal["name"]] if "name" in turn.state.proposal else [])


class Prioritising(Interview):
    task = "prioritise"
    kinds = ("proposal",)
    back_to = "prioritise.back_to_question"

    def start(self, turn: Turn) -> None:
        turn.state = turn.state.with_(proposals=(), proposal={})
        turn.say("prioritise.start", low=DEFAULT_SCALE.low, high=DEFAULT_SCALE.high,
                 call=_call().name(turn.language))
        super().start(turn)

    # --- what to ask next -----------------------------------------------------------------------------------
    def next_question(self, turn: Turn) -> Optional[Asked]:
        proposal = turn.state.proposal
        for fact in cluster_facts(_call()):
            if fact not in turn.state.facts:
                return Asked("proposal", fact, facts()[fact].values)
        if "name" not in proposal:
            return Asked("proposal", "name") if "more" not in proposal or proposal["more"] else None
        given = proposal.get("facts", {})
        for fact in proposal_facts(_call()):
            if fact not in given:
                return Asked("proposal", fact)
        if "others" not in proposal:
            return Asked("proposal", "others", ("yes", "no"))
        if proposal["others"] is False:
            for fact in usual_answers(_call()):
                if fact not in given:
                    return Asked("proposal", fact, ("yes", "no"))
        for criterion in ProposalDraft(proposal["name"], scores=proposal.get("scores", {})).unscored(_call()):
            if f"score:{criterion.id}" not in proposal.get("skipped", ()):
                return Asked("proposal", f"score:{criterion.id}")
        return Asked("proposal", "more", ("yes", "no"))

    def ask(self, turn: Turn, asked: Asked, times: int) -> None:
        key, language = asked.key, turn.language
        buttons = tuple(turn.button(title, "/affirm" if answer else "/deny")
                        for title, answer in CHOICES.get(key, YES_NO))
        if key == "name":
            turn.say("prioritise.ask_name", number=len(turn.state.proposals) + 1)
        elif key == "others":
            turn.say("prioritise.ask_others", buttons=buttons, name=turn.state.proposal["name"])
        elif key == "more":
            turn.say("prioritise.ask_more", buttons=buttons)
        elif key.startswith("score:"):
            criterion = _criteria()[key.split(":", 1)[1]]
            draft = ProposalDraft(turn.state.proposal["name"])
            first, second = list(_criteria().values())[1:3]
            turn.replies.append(Reply(score_question(draft, criterion, DEFAULT_SCALE, language) + (
                "" if times else " " + turn.text("prioritise.all_scores_at_once", first=first.short(language).lower(),
                                                 second=second.short(language).lower()))))
        else:
            options = asked.options if facts()[key].type == "enum" else ()
            buttons = tuple(Button(title, payload) for title, payload in words.answer_buttons(key, options, language))
            turn.replies.append(Reply(words.question(key, language, again=times > 0, options=options), buttons))

    # --- reading the answers --------------------------------------------------------------------------------
    def read(self, turn: Turn, asked: Asked) -> Reading:
        key, text = asked.key, turn.message.text
        if self._about_another_proposal(turn):
            return Reading()  # "Blue cod gets 5 for delivery" while another is entered: taken aside
        if key == "name":
            name = text.strip().strip("«»\"'")
            return Reading(values={"name": name}) if name and not turn.message.is_payload else \
                Reading(problem="not_understood")
        if key in ("others", "more") or key in usual_answers(_call()):
            yes = self._yes_no(turn, key)
            if yes is None:
                return Reading(unsure=is_unsure(text), problem="not_yes_no")
            return Reading(values={key: yes})
        if key.startswith("score:"):
            return self._scores(turn, key.split(":", 1)[1])
        if turn.message.is_payload and turn.message.choice in facts()[key].values:
            return Reading(values={key: turn.message.choice})
        answer = read_answer(key, text, turn.state.proposal.get("facts", {}), turn.day, ())
        # "4 bedrifter, 2 SMB-er, budsjett 800 000 kr": the proposal's other facts the message states, taken with it
        stated = {fact: value for fact, value in turn.statement.facts.items() if fact != key and
                  (fact in proposal_facts(_call()) or fact in usual_answers(_call()))}
        if answer.answered and answer.value is not None:
            return Reading(values={key: answer.value, **stated})
        if stated:
            return Reading(values=stated)
        return Reading(unsure=answer.unsure, skip=answer.skip, problem=answer.problem)

    @staticmethod
    def _yes_no(turn: Turn, key: str) -> Optional[bool]:
        if turn.message.is_payload and turn.message.intent in ("affirm", "deny"):
            return turn.message.intent == "affirm"
        titles = {answer: [message(f"conversation.button.{title}", language) for language in LANGUAGES]
                  for title, answer in CHOICES.get(key, YES_NO)}
        typed = typed_choice(turn.message.text, titles)  # "Ett forslag til", "rank now pls"
        if typed is not None:
            return typed
        try:
            return parse_yes_no(turn.message.text)
        except ParseError:
            return None

    @staticmethod
    def _about_another_proposal(turn: Turn) -> bool:
        names = _names(turn)
        named = named_proposal(turn.message.text, names)
        return named is not None and named != turn.state.proposal.get("name") and \
            bool(read_scores(without_name(turn.message.text, named), _criterion_words()).named)

    @staticmethod
    def _scores(turn: Turn, first: str) -> Reading:
        """Scores by criterion ("nyhet 5, bærekraft 4"), or one or more in the order of the criteria still to score
        ("5 4 6 3"); none, but "not yet" or "skip": the score is left open, to be given later."""
        proposal = turn.state.proposal
        text = without_name(turn.message.text, proposal["name"])
        scores = read_scores(text, _criterion_words())
        if scores.unclear:
            return Reading(problem="scores_unclear")
        if scores.named:
            given = scores.named
        elif scores.bare:
            unscored = [criterion.id for criterion in
                        ProposalDraft(proposal["name"], scores=proposal.get("scores", {})).unscored(_call())]
            given = dict(zip(unscored[unscored.index(first):], scores.bare))
        else:
            later = says_later(text) or asks_to_skip(text) or is_unsure(text)
            return Reading(skip=later, problem=None if later else "no_number")
        if any(not DEFAULT_SCALE.low <= value <= DEFAULT_SCALE.high for value in given.values()):
            return Reading(problem="outside_scale")
        return Reading(values={f"score:{criterion}": _score(value) for criterion, value in given.items()})

    def take(self, turn: Turn, asked: Asked, reading: Reading) -> None:
        proposal = dict(turn.state.proposal)
        for key, value in reading.values.items():
            if key in cluster_facts(_call()):
                turn.state = turn.state.with_(facts={**turn.state.facts, key: value})
            elif key.startswith("score:"):
                proposal["scores"] = {**proposal.get("scores", {}), key.split(":", 1)[1]: value}
            elif key == "others":
                proposal["others"] = value
                if value:
                    proposal["facts"] = {**proposal.get("facts", {}), **usual_answers(_call())}
            elif key in ("name", "more"):
                proposal[key] = value
            else:
                proposal["facts"] = {**proposal.get("facts", {}), key: value}
        if proposal.get("more") is not None and "name" in proposal:  # this proposal is done: keep it
            done = {key: proposal[key] for key in ("name", "facts", "scores") if key in proposal}
            # the next proposal's questions are new questions: each may again be asked up to three times
            fresh = {counter: {key: count for key, count in getattr(turn.state, counter).items()
                               if not key.startswith("proposal:")
                               or key.split(":", 1)[1] in cluster_facts(_call())}
                     for counter in ("times_asked", "failures")}
            turn.state = turn.state.with_(proposals=(*turn.state.proposals, done),
                                          proposal={} if proposal["more"] else {"more": False}, **fresh)
            return
        turn.state = turn.state.with_(proposal=proposal)

    def leave_open(self, turn: Turn, asked: Asked) -> None:
        """An answer not given: the proposal goes on without it (not ranked while it is missing)."""
        proposal = dict(turn.state.proposal)
        key = asked.key
        if key.startswith("score:"):
            # "we haven't scored delivery yet" while asked for another: the criterion named is the one left open
            named = [f"score:{criterion}" for criterion in named_criteria(turn.message.text, _criterion_words())
                     if criterion not in proposal.get("scores", {})]
            proposal["skipped"] = [*proposal.get("skipped", ()), *(named[:1] or [key])]
        elif key in proposal_facts(_call()) or key in usual_answers(_call()):
            proposal["facts"] = {**proposal.get("facts", {}), key: None}
        elif key == "others":
            proposal["others"] = False
        else:
            proposal[key] = False if key == "more" else proposal.get(key)
        turn.state = turn.state.with_(proposal=proposal)

    def say_left_open(self, turn: Turn, asked: Asked, skipped: bool) -> None:
        """A score left open is one the proposal waits for, to be given at any time: said so, with how."""
        if not asked.key.startswith("score:"):
            return super().say_left_open(turn, asked, skipped)
        criterion = _criteria()[turn.state.proposal["skipped"][-1].split(":", 1)[1]]
        turn.say("prioritise.score_skipped" if skipped else "prioritise.score_gave_up",
                 name=turn.state.proposal["name"], criterion=criterion.name(turn.language),
                 short=criterion.short(turn.language).lower(), low=DEFAULT_SCALE.low, high=DEFAULT_SCALE.high)

    def aside(self, turn: Turn, asked: Asked) -> bool:
        return self.take_scores_given_later(turn)

    def take_scores_given_later(self, turn: Turn) -> bool:
        """"Blue cod gets 5 for delivery", "endre nyhet for Tare til 3": a score for a proposal by name, given or
        changed at any time; after the ranking, the ranking is given again. True if the message gave one."""
        named = named_proposal(turn.message.text, _names(turn))
        if named is None:
            return False
        scores = read_scores(without_name(turn.message.text, named), _criterion_words())
        if not scores.named or scores.unclear:
            return False
        if any(not DEFAULT_SCALE.low <= value <= DEFAULT_SCALE.high for value in scores.named.values()):
            turn.say("problem.outside_scale")
            return True
        given = {criterion: _score(value) for criterion, value in scores.named.items()}
        if named == turn.state.proposal.get("name"):
            turn.state = turn.state.with_(proposal=_scored(turn.state.proposal, given))
        else:
            turn.state = turn.state.with_(proposals=tuple(_scored(item, given) if item["name"] == named else item
                                                          for item in turn.state.proposals))
        language = turn.language
        turn.say("prioritise.noted_scores", name=named, scores=", ".join(
            turn.text("prioritise.score_of", criterion=_criteria()[criterion].short(language),
                      score=format_number(score, language)) for criterion, score in given.items()))
        if turn.state.task != self.task:  # the ranking was given: given again with the change
            self.finish(turn)
        return True

    # --- the ranking ----------------------------------------------------------------------------------------
    def finish(self, turn: Turn) -> None:
        """The ranking. The proposals are kept, so that a score given or changed later ranks them again."""
        shared = {fact: turn.state.facts[fact] for fact in cluster_facts(_call())}
        drafts = [ProposalDraft(name=item["name"],
                                facts={**shared, **{fact: value for fact, value in item.get("facts", {}).items()
                                                    if value is not None}},
                                scores={criterion: score for criterion, score in item.get("scores", {}).items()
                                        if score is not None})
                  for item in turn.state.proposals]
        if drafts:
            result = prioritise(drafts, _call(), DEFAULT_SCALE, turn.day)
            for block in chat_messages(result, turn.language):
                turn.replies.append(Reply(block))
            turn.replies.append(Reply(turn.text("prioritise.download"), download=Download(
                f"{turn.text('prioritise.file_name')}.csv", "text/csv",
                csv_text(spreadsheet_rows(result, turn.language)))))
        turn.state = turn.state.with_(proposal={})

    def why(self, turn: Turn, asked: Asked) -> str:
        return turn.text("prioritise.why")

    def topic_of(self, turn: Turn, asked: Asked) -> str:
        return turn.text("prioritise.topic")


def _scored(proposal: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The proposal with the scores given, and none of them still waiting as skipped."""
    skipped = [key for key in proposal.get("skipped", ()) if key.split(":", 1)[1] not in given]
    return {**proposal, "scores": {**proposal.get("scores", {}), **given}, "skipped": skipped}


PRIORITISING = Prioritising()
