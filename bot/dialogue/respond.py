"""One turn of the conversation: `respond(conversation, message, day)` gives the new state, the replies, and what
the adapter must do besides (record a check, forget the user, ...).

The message is read part by part for what each part does (bot.reading.statements): only what it states or corrects
sets facts; a what-if is assessed as a what-if; a question is answered. It is first read as the answer to the
question the bot asked; what is not an answer is taken as a question, a what-if, a statement, a command or small talk,
after which the question is asked again (briefly).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from bot.dialogue import intents as names
from bot.dialogue.check import CHECK, yes_or_no
from bot.dialogue.effects import (ANSWERED, NOT_PLACED, TEXTS_SILENT, Effect, Flag, Forget, RecordQuestion,
                                  RecordUnanswered, Restart)
from bot.dialogue.prioritise import PRIORITISING
from bot.dialogue.intents import intents, kind_of
from bot.dialogue.message import Button, Message, Reply
from bot.dialogue.state import Asked, Conversation
from bot.dialogue.turn import ANSWERS_WITH_FACTS, Turn
from bot.reading.user_answers import asks_to_skip, keeps_what_if, says_it_is_wrong
from bot.reading.enterprise import figures_in
from bot.reading.language import detect_language
from bot.reading.numbers import starts_with_yes_or_no
from bot.reading.scores import asks_for_help, asks_to_rank, speaks_of_ranking
from bot.reading.questions import (answer_lacks_what_is_asked, asks_about_a_partner, asks_about_money,
                                  asks_what_the_texts_do_not_say, calls_named_in, is_yes_no_question, names_smes,
                                  partner_types_in, speaks_of_the_project, yes_no_kind)
from bot.rules.catalogue import Call
from bot.rules.facts import ASKER, BUDGET
from bot.rules.passages import coverage, unknown_terms
from bot.reading.vocabulary import keyword_pattern, mentions, vocabulary
from bot.resources import LANGUAGES, fold, retention_days
from bot.saying import conversation as words
from bot.saying.answers import answer, from_the_texts, says_the_texts_are_silent
from bot.saying.messages import message


@dataclass(frozen=True)
class Outcome:
    state: Conversation
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]


def respond(state: Conversation, message: Message, day: dt.date) -> Outcome:
    turn = Turn(state, message, day)
    _run(turn)
    if not message.is_payload and says_it_is_wrong(message.text) \
            and not any(isinstance(effect, Forget) for effect in turn.effects):
        # besides whatever the turn did with it ("det stemmer ikke, vi er fire" still corrects): staff review it
        turn.effects.append(Flag(message.text))
    return Outcome(state=turn.state, replies=tuple(turn.replies), effects=tuple(turn.effects))


def _run(turn: Turn) -> None:
    message = turn.message
    # What the user writes in decides; the page's or Teams client's language only where the text does not tell.
    language = (None if message.is_payload else detect_language(message.text)) or \
        (message.language if message.language in LANGUAGES else None)
    if language and language != turn.state.language:
        turn.state = turn.state.with_(language=language)
    if message.is_confidently(names.START_OVER) and not _cancels(turn):
        return _restart(turn)
    if message.is_confidently(names.FORGET_ME) and not _only_cancels(turn):
        return _forget(turn)
    if _cancels(turn):
        return _leave_task(turn)
    asked = turn.state.asked
    dropped = asked is not None and asked.kind == "suppose" and yes_or_no(turn) is None \
        and keeps_what_if(message.text) is None and not asks_to_skip(message.text)
    if dropped:  # the user went on without keeping the what-if or not: it is dropped, nothing was changed
        turn.state = turn.state.with_(asked=None, supposed={}, task=None if turn.state.verdict_given else "check")
        # before the verdict, the question shown before the what-if still waits: "tre" answers it
        asked = None if turn.state.verdict_given else CHECK.next_question(turn)
        turn.state = turn.state.with_(asked=asked)
    if asked is not None and turn.interview_of(asked).answer(turn):
        return
    before = len(turn.replies)
    _route(turn)
    if asked is not None and turn.state.asked == asked and len(turn.replies) > before:
        _back_to(turn, asked)
    elif dropped and turn.state.task == "check" and turn.state.asked is None:
        CHECK.advance(turn)


def _back_to(turn: Turn, asked: Asked) -> None:
    """After something else was dealt with, the question still waits: ask it again (briefly)."""
    interview = turn.interview_of(asked)
    if interview.can_ask_again(turn, asked):
        turn.say(interview.back_to)
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


def _cancels(turn: Turn) -> bool:
    """"avbryt", "never mind" while a task runs: leave the task, never the facts. To "shall I use that?" after a
    what-if, "glem det" says no."""
    text = fold(turn.message.text)
    asked = turn.state.asked
    return turn.state.task is not None and not turn.message.is_payload and len(text.split()) <= 4 \
        and mentions(vocabulary()["cancel_words"], text) \
        and not (asked is not None and asked.kind == "suppose" and keeps_what_if(text) is not None)


def _only_cancels(turn: Turn) -> bool:
    """"glem det" is "never mind", not "forget me": deleting everything takes a word for me or my data."""
    text = fold(turn.message.text)
    return mentions(vocabulary()["cancel_words"], text) and not mentions(vocabulary()["first_person"], text) \
        and not mentions(vocabulary()["forget_words"], text)


def _leave_task(turn: Turn) -> None:
    """Stop the task the user leaves; a side task (the SME helper) hands back to the check it interrupted, with every
    fact kept."""
    resume = turn.state.resume
    turn.state = turn.state.with_(task=None, asked=None, resume=None)
    if resume != "check":
        turn.say("left_task", buttons=(turn.button("check", "/check_eligibility"),))
        return
    turn.say("left_side_task")
    turn.state = turn.state.with_(task=resume)
    turn.interview(resume).advance(turn)


def _not_understood(turn: Turn) -> None:
    turn.effects.append(RecordUnanswered(turn.message.text))
    if turn.reading.asks:
        turn.effects.append(RecordQuestion(None, NOT_PLACED))
    turn.say("not_understood", buttons=(turn.button("check", "/check_eligibility"),
                                        turn.button("handoff", "/human_handoff")))


_QUESTION = re.compile(r"\?|^\s*(?:kan|er|har|hvor|hva|hvem|hvilke|hvilken|når|is|are|can|do|does|how|what|which|who|"
                       r"when|may)\b", re.I)


# A message that asks something ("...?") is taken as the question the NLU thinks it most likely is, if at least this;
# so is a check, when nothing else is going on: starting one costs the user nothing but a question they can ignore,
# where "I did not understand" costs them the conversation.
QUESTION_CONFIDENCE = 0.4
# Intents a message with facts in it still is: they take the facts themselves. Any other intent the NLU gives a
# message that only states facts ("NTNU er ikke lenger partner") is a misreading of a statement.
TAKE_FACTS_THEMSELVES = (names.CHECK, names.CHECK_SME, names.HANDOFF, names.PRIORITISE, names.WHY, names.START_OVER,
                         names.FORGET_ME)


def _route(turn: Turn) -> None:
    message, reading = turn.message, turn.reading
    intent = message.intent if message.is_confidently(*intents(), names.FALLBACK) else None
    if intent is None and kind_of(message.intent) == "question" and reading.asks \
            and message.confidence >= QUESTION_CONFIDENCE:
        intent = message.intent
    if intent is None and message.intent == names.CHECK and turn.state.task is None \
            and message.confidence >= QUESTION_CONFIDENCE:
        intent = message.intent
    if intent == names.PRIORITISE and turn.statement and turn.state.task != "prioritise" \
            and not speaks_of_ranking(message.text):
        intent = None  # a project told in full, with no word of ranking in it, taken for "rank our proposals"
    if (turn.statement or reading.supposes) and intent not in TAKE_FACTS_THEMSELVES and kind_of(intent) != "question":
        intent = None  # "Hei, vi er tre bedrifter": what it states, not a greeting
    kind = kind_of(intent)
    if intent == names.START_OVER:
        return _restart(turn)
    if turn.state.proposals and PRIORITISING.take_scores_given_later(turn):
        return  # "Blue cod gets 5 for delivery", during the prioritisation or after its ranking
    if _asks_to_prioritise(turn, intent):
        return turn.start("prioritise")
    if intent in SMALL_TALK:
        return SMALL_TALK[intent](turn)
    if intent == names.WHY:
        return _why(turn)
    if intent == names.HANDOFF:
        return turn.start("handoff")
    if intent == names.PRIORITISE and not turn.state.task:
        return _question(turn, WEIGHTS_QUESTION)  # "how should we weight the proposals?": the weights, then the offer
    if reading.supposes:
        return _suppose(turn)
    if _asks_if_an_enterprise_is_an_sme(turn):
        CHECK.take_message(turn)  # "Vi er fem bedrifter i en Arena-klynge. Teller en med 120 ansatte som SMB?"
        return turn.start("sme")  # "er en bedrift med 300 ansatte en SMB?" is answered from its figures
    if turn.state.verdict_given and _asks_what_to_change(turn):
        return _what_to_change(turn)
    if any(asks_about_a_partner(question) for question in reading.questions):
        return _question(turn, PARTNER_QUESTION)  # "kan den svenske partneren få penger?", whatever the NLU says
    if intent in (None, names.INFORM) and _answered_by_the_rules(turn):
        return  # "Can a former NCE cluster use Innovasjonsrammen?": the rule its facts decide, yes or no first
    answered_by_facts = _question_of_its_facts(turn)
    if intent in (None, names.INFORM) and answered_by_facts:
        return _question(turn, answered_by_facts)  # "hva hvis vi la budsjettet på 2 mill?": the grant for it
    if reading.asks and asks_what_the_texts_do_not_say(_question_text(turn)):
        return _from_the_texts(turn)  # "kan vi kombinere begge?", "travel costs": what the texts don't say, said
    if intent == names.CHECK or (intent == names.CHECK_SME and _about_the_project(turn)):
        return _check(turn)
    if intent == names.CHECK_SME:
        return turn.start("sme")
    if kind == "question":
        assert intent is not None  # only a known intent has a kind
        return _question(turn, intent)
    named = _question_naming_its_topic(turn) if intent in (None, names.INFORM) else None
    if named:
        return _question(turn, named)
    if turn.statement:  # "nei, de er faktisk uavhengige": a correction, whatever the NLU calls it
        return _statement(turn)
    if intent in (names.AFFIRM, names.DENY, names.SKIP):
        return turn.say("no_question", buttons=(turn.button("check", "/check_eligibility"),))
    if reading.asks and intent not in SMALL_TALK:
        return _from_the_texts(turn)  # a question no intent places: what the call texts say of it, or that they don't
    if reading.wonders and _QUESTION.search(message.text):
        return _from_the_texts(turn)  # "what happens to the grant if we stop halfway?": asked of the texts, not supposed
    if reading.wonders:  # "si at vi får med noen fra Tromsø": a what-if of nothing the rules know
        return turn.say("what_if.unread")
    _not_understood(turn)


def _asks_to_prioritise(turn: Turn, intent: Optional[str]) -> bool:
    """"rangere prosjektforslag", "we need to rank the proposals our companies sent in", "kan du hjelpe oss å
    prioritere?": a request to rank the proposals, whatever the NLU made of it; a question of how proposals are ranked
    ("what counts most in the prioritisation?") asks for the weights instead."""
    if turn.state.task == "prioritise":
        return False
    text = turn.message.text
    if not (intent == names.PRIORITISE or asks_to_rank(text)):
        return False
    return not turn.reading.asks or asks_for_help(text) or (intent == names.PRIORITISE and turn.state.task is not None)


def _question_text(turn: Turn) -> str:
    return " ".join(turn.reading.questions) or fold(turn.message.text)


def _question_naming_its_topic(turn: Turn) -> Optional[str]:
    """"What costs are eligible?" when the NLU cannot place it or takes it for facts: a question whose words name
    one of the narrower topics (intents.yaml, `refine`) is that topic's question."""
    if not turn.reading.asks and not _QUESTION.search(turn.message.text):
        return None
    text = _question_text(turn)
    if mentions(vocabulary()["still_open_words"], text):
        return DEADLINE_QUESTION  # "can we still apply for it?", which the NLU may not place
    return next((name for name, spec in intents().items() if spec.refine and topic_of(name, text) != spec.topic), None)


def _of_the_project(said: Mapping[str, Any]) -> dict[str, Any]:
    """The facts a message names, less who is asking: those a question or a rule is about."""
    return {fact: value for fact, value in said.items() if fact != ASKER}


def _answered_by_the_rules(turn: Turn) -> bool:
    """A yes-or-no question about a rule in general that names facts the rules decide, answered from them alone;
    they are no facts of the project."""
    reading = turn.reading
    text = _question_text(turn)
    general = _of_the_project(reading.asked.facts)
    if not reading.asks or turn.statement or not general or speaks_of_the_project(text) \
            or not any(is_yes_no_question(question) for question in reading.questions):
        return False
    return CHECK.facts_answer(turn, calls_named_in(turn.message.text), general, in_general=True)


def _question_of_its_facts(turn: Turn) -> Optional[str]:
    """The question a message asks with nothing but the facts a topic answers with: a what-if of a budget before
    the budget is known asks for the grant it would give."""
    named = turn.reading.asked.named() - {ASKER}
    if not turn.reading.asks or len(named) != 1:
        return None
    topic = next((topic for topic, fact in ANSWERS_WITH_FACTS.items() if fact in named), None)
    return next((name for name, spec in intents().items() if spec.topic == topic and kind_of(name) == "question"),
                None)


def _asks_if_an_enterprise_is_an_sme(turn: Turn) -> bool:
    """"Are we an SME? 120 employees, EUR 60 M turnover": a question naming SMEs with an enterprise's own figures,
    whatever the NLU made of it. A headcount beside a count of SMEs ("tre av oss er SMB-er, mellom 10 og 80 ansatte")
    answers that question already."""
    if "smes" in turn.statement.named() or "smes_per_country" in turn.statement.named():
        return False
    return any(names_smes(question) for question in turn.reading.questions) and \
        bool(figures_in(turn.message.text, turn.day))


def _about_the_project(turn: Turn) -> bool:
    """"Sjekk om vi kvalifiserer, 5 SMB-er er med": facts of the project and no enterprise's own figures, so a check
    of the project, not of one enterprise's SME status."""
    return bool(set(turn.statement.facts) - {ASKER}) and not figures_in(turn.message.text, turn.day)


def _asks_what_to_change(turn: Turn) -> bool:
    return mentions(vocabulary()["what_to_change"], fold(turn.message.text))


def _what_to_change(turn: Turn) -> None:
    turn.replies.append(Reply(words.what_to_change(CHECK.assessment(turn), turn.state.closed_to_check, turn.language),
                              (turn.button("why", "/why"), turn.button("handoff", "/human_handoff"))))


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
    full = turn.message.choice == "full" or mentions(vocabulary()["full_reasoning"], fold(turn.message.text))
    if asked is not None and not full:
        interview = turn.interview_of(asked)
        turn.replies.append(Reply(interview.why(turn, asked)))
        turn.state = turn.state.with_(explained=tuple(dict.fromkeys((*turn.state.explained, asked.id))))
    elif turn.state.facts:
        assessment = CHECK.assessment(turn)
        blocks = words.trace(assessment, turn.state.closed_to_check, turn.language, full=full,
                             set_aside=CHECK.set_aside(turn, assessment))
        for block in blocks[:-1]:
            turn.replies.append(Reply(block))
        turn.replies.append(Reply(blocks[-1], () if full else (
            Button(turn.text("button.full_reasoning"), '/why{"choice": "full"}'),)))
    else:
        turn.say("no_check_yet")


def _check(turn: Turn) -> None:
    """"Kan vi søke?": start the check, with any facts the message gives; after a verdict, a new check. The button
    under a verdict that offers a call set aside goes on with the same project."""
    if turn.message.choice in {call.id for call in CHECK.set_aside(turn, CHECK.assessment(turn))}:
        return CHECK.check_anyway(turn, turn.message.choice)
    if turn.state.task == "check":
        CHECK.take_message(turn)
        return CHECK.advance(turn)
    if turn.state.verdict_given and _a_new_project(turn):
        turn.state = Conversation(language=turn.state.language, facts={
            fact: value for fact, value in turn.state.facts.items() if fact == ASKER})
        turn.say("new_check")
    elif not turn.state.verdict_given:
        turn.say("start_check")
    CHECK.take_message(turn)
    turn.start("check")


def _a_new_project(turn: Turn) -> bool:
    """After a verdict, "kan vi søke?" starts a new check, and so does one that describes a project ("kan vi søke? vi er
    to bedrifter, budsjettet er 800 000"); one that changes a fact or two of the last ("kan vi søke nå, med fem
    bedrifter?") goes on with it."""
    said = turn.statement
    described = set(said.facts) - {ASKER}
    return not described or (len(described) >= 2 and not turn.reading.corrected
                             and any(turn.state.facts.get(fact) != said.facts[fact] for fact in described))


def _statement(turn: Turn) -> None:
    """Facts given outside an answer: acknowledged, and the check goes on (or starts, or its verdict is given again
    with the change: "NTNU er ikke lenger partner")."""
    CHECK.take_message(turn)
    if turn.state.task == "check" and turn.state.asked is not None and turn.state.asked.kind == "fact" \
            and turn.state.asked.key in turn.state.facts:
        turn.state = turn.state.with_(asked=None)  # the statement answered the question asked
    if turn.state.task in (None, "check") and turn.state.asked is None:
        turn.start("check")


def _suppose(turn: Turn) -> None:
    """"Hva om vi får med en SMB til?": the verdict as it would be, the facts as they are."""
    if turn.statement:
        CHECK.take_statement(turn)
    if turn.state.task is None:
        turn.state = turn.state.with_(task="check")
    CHECK.suppose(turn)


PARTNER_QUESTION = "ask_partner_rules"
WEIGHTS_QUESTION = "ask_assessment_criteria"
DEADLINE_QUESTION = "ask_deadline"
CALLS_TOPIC = "call_info"
PRIVACY = "privacy"
def topic_of(intent: str, text: str, sure: bool = True) -> str:
    """The narrower topic the question's words name ("when is the matchmaking?"), and where the NLU was not `sure`
    of the intent, the narrower topic any intent's words name ("who assesses the proposals?" taken for who applies);
    else the intent's topic."""
    lowered = fold(text)
    ordered = [intents()[intent], *(spec for name, spec in intents().items() if name != intent and not sure)]
    for spec in ordered:
        for topic, words_of_topic in spec.refine.items():
            if keyword_pattern(words_of_topic).search(lowered):
                return topic
    own = intents()[intent].topic
    assert own is not None, f"{intent} is not a question"  # intents.yaml: a question, and only a question, has a topic
    return own


# A topic's answer is taken as the answer when the NLU is at least this sure of the topic, or when it speaks of at
# least ANSWER_COVERAGE of the question's content words; else the question is answered from the texts themselves.
SURE_OF_THE_TOPIC, ANSWER_COVERAGE = 0.75, 0.5


def _from_the_texts(turn: Turn) -> None:
    """What the texts say of a question, or that they say nothing, beside what the catalogue says of its topic where
    the question's words or the NLU name one ("dekker den lønn?": the call lists no types of cost)."""
    text = _question_text(turn)
    intent = _question_naming_its_topic(turn) or \
        (turn.message.intent if kind_of(turn.message.intent) == "question" else None)
    blocks = _said_from_the_texts(turn, text, calls_named_in(turn.message.text), asks_what_the_texts_do_not_say(text),
                                  topic_of(intent, text) if intent else None)
    for block in blocks:
        turn.replies.append(Reply(block))


def _said_from_the_texts(turn: Turn, text: str, calls: tuple[Call, ...], must_be_silent: bool,
                         topic: Optional[str]) -> list[str]:
    """The call texts' answer to a question (bot.saying.answers.from_the_texts); where they are silent, the question
    is kept for staff, who see what the texts leave open."""
    blocks, silent = from_the_texts(text, calls, turn.language, turn.day, must_be_silent=must_be_silent, topic=topic)
    turn.effects.append(RecordQuestion(topic, TEXTS_SILENT if silent else ANSWERED))
    if silent:
        turn.effects.append(RecordUnanswered(turn.message.text))
    return blocks


def _strange_terms(question: str) -> list[str]:
    """The question's words the call texts never use, short ones aside (an inflection the texts lack is no topic)."""
    return [term for term in unknown_terms(question) if len(term) >= 6]


def _answers_it(turn: Turn, intent: str, question: str, said: str) -> bool:
    """Whether a topic's answer answers this question: it gives what is asked for (a duration, a date, a number),
    it speaks of the question's words the bot knows nothing of, and the NLU was sure of the topic or the answer
    speaks of most of the question's words."""
    if says_the_texts_are_silent(said):
        return True  # the topic's own "the call text says nothing about how long a project may last"
    if answer_lacks_what_is_asked(question, said):
        return False
    if turn.message.intent == intent and turn.message.confidence >= SURE_OF_THE_TOPIC:
        return True
    if intent == _question_of_its_facts(turn):
        return True  # "if we were to land on 2 million, does it still work?": the grant for it answers it
    strange = _strange_terms(question)
    if strange and coverage(" ".join(strange), said) < 1:
        return False
    return coverage(question, said) >= ANSWER_COVERAGE


def _question(turn: Turn, intent: str) -> None:
    """A one-off question. What the message states beside it is the project's and is taken; facts named inside a
    question about "us" that the conversation does not know yet are taken as inferred (confirmed before any "no");
    facts named inside a question about something else ("is Oslo Cancer Cluster an NCE?") or that would change what
    the user said are only answered from."""
    reading = turn.reading
    text = _question_text(turn)
    calls = calls_named_in(turn.message.text)
    topic = topic_of(intent, text, sure=turn.message.intent == intent and
                     turn.message.confidence >= SURE_OF_THE_TOPIC)
    if topic == PRIVACY:  # the bot's own practice, not the calls': what it keeps, how long, how to delete it
        turn.effects.append(RecordQuestion(topic, ANSWERED))
        return turn.replies.append(Reply(message("answer.privacy", turn.language, days=retention_days())))
    said = _of_the_project(turn.statement.facts)
    ours = speaks_of_the_project(text) or not reading.asks
    in_question = _of_the_project(reading.asked.facts) if ours else {}
    new = turn.facts_asked_about_us()
    CHECK.take_message(turn, acknowledge=False)
    stated = {**said, **in_question}
    kinds = partner_types_in(text)
    if topic == "partner_rules" and not kinds:
        # "Our partner would be a municipality. Is that allowed?"; for the calls the question itself names ("NTNU can't
        # be a partner in Innovasjonsrammen, but can it join Innovation Express?")
        kinds, calls = partner_types_in(turn.message.text), calls_named_in(text)
    if topic == "partner_rules" and kinds:  # the partner rule answers it, whatever else the message says
        turn.effects.append(RecordQuestion(topic, ANSWERED))
        for block in answer(topic, calls, kinds, turn.language, turn.day, about_money=asks_about_money(text)):
            turn.replies.append(Reply(block))
        if said and turn.state.task is None:
            CHECK.offer_check(turn)
        return
    if stated and topic == CALLS_TOPIC:  # "Hva kan vi søke på?" about a project described: the check answers it
        return _statement(turn) if turn.state.task != "check" else CHECK.advance(turn)
    if stated and reading.asks and not set(stated) <= {ANSWERS_WITH_FACTS.get(topic)} and \
            any(is_yes_no_question(question) for question in reading.questions):
        if CHECK.facts_answer(turn, calls, stated):
            if turn.state.task is None and (said or new):  # and the rest of the check, offered
                CHECK.offer_check(turn)
            return
        if said or new:
            return _statement(turn) if turn.state.task != "check" else CHECK.advance(turn)
    budget = (stated.get(BUDGET) or turn.state.facts.get(BUDGET)) if ours else \
        reading.asked.facts.get(BUDGET, turn.state.facts.get(BUDGET))
    blocks = answer(topic, calls, kinds, turn.language, turn.day, budget=budget, about_money=asks_about_money(text),
                    yes_no=yes_no_kind(text))
    silent_by_words = asks_what_the_texts_do_not_say(text)
    # "kan en stiftelse være partner?": a kind of partner neither the rules nor the texts name; the list of the kinds
    # the rules know answers nothing of it
    unknown_partner = topic == "partner_rules" and not kinds and bool(_strange_terms(text))
    if silent_by_words or unknown_partner or not _answers_it(turn, intent, text, "\n".join(blocks)):
        blocks = _said_from_the_texts(turn, text, calls, silent_by_words, topic)
    else:
        turn.effects.append(RecordQuestion(topic, ANSWERED))
        if stated and blocks and any(is_yes_no_question(question) for question in reading.questions) \
                and not starts_with_yes_or_no(blocks[0].split("**: ", 1)[-1]):
            outcome = CHECK.decides(turn, calls, stated)  # "kan vi bruke den til opplæring?": yes, and the activities
            if outcome is not None:
                blocks[0] = message("answer.said_yes" if outcome else "answer.said_no", turn.language,
                                    text=blocks[0])
    for block in blocks:
        turn.replies.append(Reply(block))
    if said and turn.state.task is None:  # "how much could we get? we are four companies": answered, and a check offered
        CHECK.offer_check(turn)
