"""The SME helper: whether one enterprise is an SME under the EU definition, asking only what can still change the
verdict (bot.rules.sme.sme_step). A question that carries its figures ("is a company with 300 employees an SME?") is
answered at once; the helper hands back to a check it interrupted."""
from __future__ import annotations

import json
from typing import Any, Optional

from bot.dialogue.interview import Interview, Reading, Turn
from bot.dialogue.message import Button, Reply
from bot.dialogue.state import Asked
from bot.reading.enterprise import euro, figures_in
from bot.reading.numbers import ParseError, is_unsure, parse_count, parse_number, parse_yes_no
from bot.resources import fold
from bot.rules.sme import classify, classify_stated
from bot.rules.sme_questions import SmeQuestion, enterprise_from_facts, sme_questions_asked, sme_step
from bot.saying.money import converted_to_eur
from bot.saying.sme import sme_choice, sme_question, sme_verdict


QUESTIONS = {question.fact: question for question in sme_questions_asked()}


class SmeHelper(Interview):
    task = "sme"
    kinds = ("sme",)

    def start(self, turn: Turn) -> None:
        """A question that carries its figures is answered from them at once, as an autonomous enterprise's (the
        answer says so); without figures enough, the helper asks for the rest."""
        given = figures_in(turn.message.text, turn.day)
        if given.rate is not None:
            turn.replies.append(Reply(" ".join(converted_to_eur(nok, given.rate, turn.language)
                                               for nok in given.kroner.values())))
        if given:
            stated = classify_stated(**given.values, day=turn.day, rate=given.rate, in_kroner=tuple(given.kroner))
            if stated.decided or stated.waits_for_rate:
                turn.replies.append(Reply(sme_verdict(stated, turn.language)))
                turn.resume_after(self.task)
                return
        turn.state = turn.state.with_(sme=dict(given.values))
        turn.say("sme.start")
        super().start(turn)

    def next_question(self, turn: Turn) -> Optional[Asked]:
        step = sme_step(turn.state.sme, turn.day)
        if step.result is not None or not step.needed:
            return None
        fact = step.needed[0]
        return Asked("sme", fact, QUESTIONS[fact].values)

    def ask(self, turn: Turn, asked: Asked, times: int) -> None:
        question = QUESTIONS[asked.key]
        buttons: tuple[Button, ...]
        if question.type == "yes_no":
            buttons = (turn.button("yes", "/affirm"), turn.button("no", "/deny"))
        elif question.type == "choice":
            buttons = tuple(Button(sme_choice(asked.key, value, turn.language),
                                   "/inform" + json.dumps({"choice": value})) for value in question.values)
        else:
            buttons = ()
        if times:
            buttons += (turn.button("skip", "/skip_question"),)
        turn.replies.append(Reply(sme_question(asked.key, turn.language, turn.day), buttons))

    def read(self, turn: Turn, asked: Asked) -> Reading:
        question, message = QUESTIONS[asked.key], turn.message
        text = message.text
        if message.intent == "skip_question" and message.is_payload or fold(text) in ("hopp over", "skip"):
            return Reading(skip=True)
        if is_unsure(text):
            return Reading(unsure=True)
        try:
            value, note = self._value(question, turn, text)
        except ParseError as error:
            return Reading(problem=error.code)
        if value is None:
            return Reading(problem="not_understood")
        return Reading(values={asked.key: value}, note=note)

    @staticmethod
    def _value(question: SmeQuestion, turn: Turn, text: str) -> tuple[Any, Optional[str]]:
        """The answer in the question's type, and what to say about it (an amount converted from kroner)."""
        message, kind = turn.message, question.type
        if kind == "count":
            return float(parse_number(text)) if "," in text or "." in text else parse_count(text, True), None
        if kind == "percent":
            return float(parse_number(text.replace("%", " "))), None
        if kind == "amount":
            value, from_nok, rate = euro(text, turn.day)
            return value, converted_to_eur(from_nok, rate, turn.language) if from_nok is not None else None
        if kind == "yes_no":
            if message.is_payload and message.intent in ("affirm", "deny"):
                return message.intent == "affirm", None
            return parse_yes_no(text), None
        chosen = message.choice if message.choice in question.values else next(
            (value for value in question.values for language in ("nb", "en")
             if fold(sme_choice(question.fact, value, language)) in fold(text)), None)
        return chosen, None

    def take(self, turn: Turn, asked: Asked, reading: Reading) -> None:
        turn.state = turn.state.with_(sme={**turn.state.sme, **reading.values})

    def leave_open(self, turn: Turn, asked: Asked) -> None:
        turn.state = turn.state.with_(sme={**turn.state.sme, asked.key: None})

    def finish(self, turn: Turn) -> None:
        result = classify(enterprise_from_facts(turn.state.sme), turn.day)
        turn.replies.append(Reply(sme_verdict(result, turn.language)))
        turn.state = turn.state.with_(sme={})

    def why(self, turn: Turn, asked: Asked) -> str:
        return turn.text("sme.why")

    def topic_of(self, turn: Turn, asked: Asked) -> str:
        return sme_question(asked.key, turn.language, turn.day).rstrip("?").split("?")[0]


SME = SmeHelper()
