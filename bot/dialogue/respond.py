"""One turn of the conversation: `respond(conversation, message, day)` gives the new state, the replies, and what
the adapter must do besides (record a check, forget the user, ...).

The message is first read as the answer to the question the bot asked; only what is not an answer is taken as a
question, a statement, a command or small talk, after which the question is asked again (briefly). A question that
carries facts is answered from them, and the facts are kept.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

from bot.dialogue import intents as names
from bot.dialogue.check import CHECK
from bot.dialogue.effects import Effect, Forget, RecordUnanswered, Restart
from bot.dialogue.intents import intents, kind_of
from bot.dialogue.message import Message, Reply
from bot.dialogue.state import Asked, Conversation
from bot.dialogue.turn import Turn
from bot.reading.enterprise import figures_in
from bot.reading.language import detect_language
from bot.reading.questions import calls_named_in, names_smes, partner_types_in, speaks_of_the_project
from bot.reading.vocabulary import keyword_pattern
from bot.resources import fold
from bot.resources import LANGUAGES
from bot.saying import conversation as words
from bot.saying.answers import answer


@dataclass(frozen=True)
class Outcome:
    state: Conversation
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]


def respond(state: Conversation, message: Message, day: dt.date) -> Outcome:
    turn = Turn(state, message, day)
    _run(turn)
    return Outcome(state=turn.state, replies=tuple(turn.replies), effects=tuple(turn.effects))


def _run(turn: Turn) -> None:
    message = turn.message
    # What the user writes in decides; the page's or Teams client's language only where the text does not tell.
    language = (None if message.is_payload else detect_language(message.text)) or \
        (message.language if message.language in LANGUAGES else None)
    if language and language != turn.state.language:
        turn.state = turn.state.with_(language=language)
    if message.is_confidently(names.START_OVER):
        return _restart(turn)
    if message.is_confidently(names.FORGET_ME):
        return _forget(turn)
    asked = turn.state.asked
    if asked is not None and turn.interview_of(asked).answer(turn):
        return
    before = len(turn.replies)
    _route(turn)
    if asked is not None and turn.state.asked == asked and len(turn.replies) > before:
        _back_to(turn, asked)


def _back_to(turn: Turn, asked: Asked) -> None:
    """After something else was dealt with, the question still waits: ask it again (briefly)."""
    interview = turn.interview_of(asked)
    if interview.can_ask_again(turn, asked):
        turn.say("back_to_question")
        interview.put(turn, asked)
    else:
        turn.say("still_waiting", topic=interview.topic_of(turn, asked))


def _restart(turn: Turn) -> None:
    turn.state = Conversation(language=turn.state.language)
    turn.effects.append(Restart())
    turn.say("restart", buttons=(turn.button("check", "/check_eligibility"),))


def _forget(turn: Turn) -> None:
    turn.state = Conversation(language=turn.state.language)
    turn.effects.append(Forget())
    turn.say("forgotten")


def _not_understood(turn: Turn) -> None:
    turn.effects.append(RecordUnanswered(turn.message.text))
    turn.say("not_understood", buttons=(turn.button("check", "/check_eligibility"),
                                        turn.button("handoff", "/human_handoff")))


_QUESTION = re.compile(r"\?|^\s*(?:kan|er|har|hvor|hva|hvem|hvilke|hvilken|når|is|are|can|do|does|how|what|which|who|"
                       r"when|may)\b", re.I)


# A message that asks something ("...?") is taken as the question the NLU thinks it most likely is, if at least this;
# so is a check, when nothing else is going on: starting one costs the user nothing but a question they can ignore,
# where "I did not understand" costs them the conversation.
QUESTION_CONFIDENCE = 0.4


def _route(turn: Turn) -> None:
    message = turn.message
    intent = message.intent if message.is_confidently(*intents(), names.FALLBACK) else None
    if intent is None and kind_of(message.intent) == "question" and message.text.rstrip().endswith("?") \
            and message.confidence >= QUESTION_CONFIDENCE:
        intent = message.intent
    if intent is None and message.intent == names.CHECK and turn.state.task is None \
            and message.confidence >= QUESTION_CONFIDENCE:
        intent = message.intent
    kind = kind_of(intent)
    if intent == names.START_OVER:
        return _restart(turn)
    if intent in SMALL_TALK:
        return SMALL_TALK[intent](turn)
    if intent == names.WHY:
        return _why(turn)
    if intent == names.HANDOFF:
        return turn.start("handoff")
    if intent == names.PRIORITISE:
        return turn.start("prioritise")
    if _asks_if_an_enterprise_is_an_sme(turn):
        return turn.start("sme")  # "er en bedrift med 300 ansatte en SMB?" is answered from its figures
    if intent == names.CHECK or (intent == names.CHECK_SME and _about_the_project(turn)):
        return _check(turn)
    if intent == names.CHECK_SME:
        return turn.start("sme")
    if kind == "question":
        return _question(turn, intent)
    named = _question_naming_its_topic(message.text) if intent in (None, names.INFORM) else None
    if named and not (turn.statement and speaks_of_the_project(message.text)):
        return _question(turn, named)
    if turn.statement:  # "nei, de er faktisk uavhengige": a correction, whatever the NLU calls it
        return _statement(turn)
    if intent in (names.AFFIRM, names.DENY, names.SKIP):
        return turn.say("no_question", buttons=(turn.button("check", "/check_eligibility"),))
    _not_understood(turn)


def _question_naming_its_topic(text: str) -> Optional[str]:
    """"What costs are eligible?" when the NLU cannot place it or takes it for facts: a question whose words name
    one of the narrower topics (intents.yaml, `refine`) is that topic's question; unless it speaks of us and states
    facts ("can we apply, we are 3 companies?"), its facts are no one's."""
    if not _QUESTION.search(text):
        return None
    return next((name for name, spec in intents().items() if spec.refine and topic_of(name, text) != spec.topic), None)


def _asks_if_an_enterprise_is_an_sme(turn: Turn) -> bool:
    """"Are we an SME? 120 employees, EUR 60 M turnover": a question naming SMEs with an enterprise's own figures,
    whatever the NLU made of it."""
    text = turn.message.text
    return bool(_QUESTION.search(text)) and names_smes(text) and bool(figures_in(text, turn.day))


def _about_the_project(turn: Turn) -> bool:
    """"Sjekk om vi kvalifiserer, 5 SMB-er er med": facts of the project and no enterprise's own figures, so a check
    of the project, not of one enterprise's SME status."""
    return bool(set(turn.statement.facts) - {"asker"}) and not figures_in(turn.message.text, turn.day)


def _greet(turn: Turn) -> None:
    if turn.state.asked is not None:
        return turn.say("carry_on")
    turn.say("greet", buttons=(turn.button("check", "/check_eligibility"), turn.button("max_grant", "/ask_max_grant")))


def _goodbye(turn: Turn) -> None:
    turn.state = turn.state.with_(asked=None, task=None, resume=None)
    turn.say("goodbye")


SMALL_TALK = {names.GREET: _greet, names.GOODBYE: _goodbye, names.THANK: lambda turn: turn.say("thank"),
              names.BOT_CHALLENGE: lambda turn: turn.say("iamabot"),
              names.OUT_OF_SCOPE: lambda turn: turn.say("out_of_scope")}


def _why(turn: Turn) -> None:
    asked = turn.state.asked
    if asked is not None:
        interview = turn.interview_of(asked)
        turn.replies.append(Reply(interview.why(turn, asked)))
        turn.state = turn.state.with_(explained=tuple(dict.fromkeys((*turn.state.explained, asked.id))))
    elif turn.state.facts:
        for block in words.trace(CHECK.assessment(turn), turn.state.closed_to_check, turn.language):
            turn.replies.append(Reply(block))
    else:
        turn.say("no_check_yet")


def _check(turn: Turn) -> None:
    """"Kan vi søke?": start the check, with any facts the message gives; after a verdict, a new check."""
    if turn.state.task == "check":
        CHECK.take_statement(turn)
        return CHECK.advance(turn)
    if turn.state.verdict_given:
        turn.state = Conversation(language=turn.state.language, facts={
            fact: value for fact, value in turn.state.facts.items() if fact == "asker"})
        turn.say("new_check")
    else:
        turn.say("start_check")
    CHECK.take_statement(turn)
    turn.start("check")


def _statement(turn: Turn) -> None:
    """Facts given outside an answer: acknowledged, and the check goes on (or starts, or its verdict is given again
    with the change: "and with one more SME?")."""
    CHECK.take_statement(turn)
    if turn.state.task == "check" and turn.state.asked is not None and turn.state.asked.kind == "fact" \
            and turn.state.asked.key in turn.state.facts:
        turn.state = turn.state.with_(asked=None)  # the statement answered the question asked
    if turn.state.task in (None, "check") and turn.state.asked is None:
        turn.start("check")


# Topics whose answer reads a fact the question may carry ("max grant for a budget of 500 000?"), or whose subject is
# that fact ("can we use it for a feasibility study?" is answered with the activities the calls support).
ANSWERS_WITH_FACTS = {"max_grant": "budget_nok", "eligible_activities": "activities"}


def topic_of(intent: str, text: str) -> str:
    """The intent's topic, or a narrower one its words name ("when is the matchmaking?")."""
    spec = intents()[intent]
    lowered = fold(text)
    for topic, words in spec.refine.items():
        if keyword_pattern(words).search(lowered):
            return topic
    return spec.topic


def _question(turn: Turn, intent: str) -> None:
    text = turn.message.text
    calls = calls_named_in(text)
    topic = topic_of(intent, text)
    asks = bool(_QUESTION.search(text))
    # "Can two companies in the same group both be partners?" asks about the rule: the facts it names are no one's.
    about_the_project = speaks_of_the_project(text) or not asks
    stated = {fact for fact in turn.statement.facts if fact != "asker"} if about_the_project else set()
    if stated and asks and not stated <= {ANSWERS_WITH_FACTS.get(topic)}:
        if not CHECK.facts_answer(turn, calls):
            return _statement(turn)
        if turn.state.task is None:  # and the rest of the check, from what the user has said
            turn.start("check")
        return
    if stated:
        CHECK.take_statement(turn, acknowledge=False)
    budget = turn.state.facts.get("budget_nok") if about_the_project else \
        turn.statement.facts.get("budget_nok", turn.state.facts.get("budget_nok"))
    for block in answer(topic, calls, partner_types_in(text), turn.language, turn.day, budget=budget):
        turn.replies.append(Reply(block))
    if stated and turn.state.task is None:  # "are we eligible? the budget is 800 000": and the check, from there
        turn.start("check")
