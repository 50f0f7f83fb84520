"""The cluster's prioritisation of its companies' proposals in chat (Innovasjonsrammen, steps 4 and 5): for each
proposal its name, the facts the call's rules read, and one score per criterion of the call; then the ranking with
the call's weights and the two to four proposals to send (bot.rules.prioritise)."""
from __future__ import annotations

import re
from typing import Optional

from bot.dialogue.interview import Interview, Reading, Turn
from bot.dialogue.message import Button, Reply
from bot.dialogue.state import Asked
from bot.reading.user_answers import read_answer
from bot.reading.numbers import ParseError, is_unsure, parse_number, parse_yes_no
from bot.rules.catalogue import catalogue
from bot.rules.facts import facts
from bot.rules.prioritise import (DEFAULT_SCALE, ProposalDraft, cluster_facts, prioritise, prioritised_calls,
                                  proposal_facts, usual_answers, weighted_criteria)
from bot.saying import conversation as words
from bot.saying.prioritise import chat_messages, score_question


_SCORES = re.compile(r"\d+(?:[.,]\d+)?")


def _call():
    return prioritised_calls(catalogue())[0]


class Prioritising(Interview):
    task = "prioritise"
    kinds = ("proposal",)

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
        yes_no = (turn.button("yes", "/affirm"), turn.button("no", "/deny"))
        if key == "name":
            turn.say("prioritise.ask_name", number=len(turn.state.proposals) + 1)
        elif key == "others":
            turn.say("prioritise.ask_others", buttons=yes_no, name=turn.state.proposal["name"])
        elif key == "more":
            turn.say("prioritise.ask_more", buttons=(turn.button("another", "/affirm"),
                                                     turn.button("rank_now", "/deny")))
        elif key.startswith("score:"):
            criterion = next(item for item in weighted_criteria(_call()) if item.id == key.split(":", 1)[1])
            draft = ProposalDraft(turn.state.proposal["name"])
            turn.replies.append(Reply(score_question(draft, criterion, DEFAULT_SCALE, language)
                                      + ("" if times else " " + turn.text("prioritise.all_scores_at_once"))))
        else:
            options = asked.options if facts()[key].type == "enum" else ()
            buttons = tuple(Button(title, payload) for title, payload in words.answer_buttons(key, options, language))
            turn.replies.append(Reply(words.question(key, language, again=times > 0, options=options), buttons))

    # --- reading the answers --------------------------------------------------------------------------------
    def read(self, turn: Turn, asked: Asked) -> Reading:
        key, text = asked.key, turn.message.text
        if key == "name":
            name = text.strip().strip("«»\"'")
            return Reading(values={"name": name}) if name and not turn.message.is_payload else \
                Reading(problem="not_understood")
        if key in ("others", "more") or key in usual_answers(_call()):
            answer = self._yes_no(turn)
            if answer is None:
                return Reading(unsure=is_unsure(text), problem="not_yes_no")
            return Reading(values={key: answer})
        if key.startswith("score:"):
            return self._scores(turn, key.split(":", 1)[1])
        if turn.message.is_payload and turn.message.choice in facts()[key].values:
            return Reading(values={key: turn.message.choice})
        answer = read_answer(key, text, turn.state.proposal.get("facts", {}), turn.day, ())
        if answer.answered and answer.value is not None:
            return Reading(values={key: answer.value})
        return Reading(unsure=answer.unsure, skip=answer.skip, problem=answer.problem)

    @staticmethod
    def _yes_no(turn: Turn) -> Optional[bool]:
        if turn.message.is_payload and turn.message.intent in ("affirm", "deny"):
            return turn.message.intent == "affirm"
        try:
            return parse_yes_no(turn.message.text)
        except ParseError:
            return None

    @staticmethod
    def _scores(turn: Turn, first: str) -> Reading:
        """One score, or several in the order of the criteria still to score ("5 4 6 3")."""
        unscored = [criterion.id for criterion in ProposalDraft(turn.state.proposal["name"], scores=turn.state.proposal
                                                                .get("scores", {})).unscored(_call())]
        found = _SCORES.findall(turn.message.text)
        if not found:
            return Reading(problem="no_number", unsure=is_unsure(turn.message.text))
        scores = {}
        for criterion, value in zip(unscored[unscored.index(first):], found):
            score = float(parse_number(value))
            if not DEFAULT_SCALE.low <= score <= DEFAULT_SCALE.high:
                return Reading(problem="outside_scale")
            scores[f"score:{criterion}"] = score
        return Reading(values=scores)

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
            proposal["skipped"] = [*proposal.get("skipped", ()), key]
        elif key in proposal_facts(_call()) or key in usual_answers(_call()):
            proposal["facts"] = {**proposal.get("facts", {}), key: None}
        elif key == "others":
            proposal["others"] = False
        else:
            proposal[key] = False if key == "more" else proposal.get(key)
        turn.state = turn.state.with_(proposal=proposal)

    # --- the ranking ----------------------------------------------------------------------------------------
    def finish(self, turn: Turn) -> None:
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
        turn.state = turn.state.with_(proposals=(), proposal={})

    def why(self, turn: Turn, asked: Asked) -> str:
        return turn.text("prioritise.why")

    def topic_of(self, turn: Turn, asked: Asked) -> str:
        return turn.text("prioritise.topic")


PRIORITISING = Prioritising()
