"""A turn in progress: the state as it changes, the replies so far and the effects for the adapter to carry out,
with the helpers every part of the conversation uses to say things and to hand over between interviews."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Mapping, Optional

from bot.dialogue.effects import Effect
from bot.dialogue.intents import kind_of
from bot.dialogue.interview import Interview
from bot.dialogue.message import Button, Message, Reply
from bot.dialogue.state import Asked, Conversation
from bot.dialogue.tasks import TASK_OF_QUESTION, TASKS
from bot.reading.numbers import is_unsure
from bot.reading.questions import speaks_of_the_project
from bot.reading.statements import MessageReading, Statement, read
from bot.resources import fold
from bot.rules.facts import ASKER, BUDGET, facts
from bot.saying.messages import message as say_message

# Intents that are something other than an answer, even while a question waits: the bot deals with them, then asks
# its question again. (A yes, a no, a skip, a statement or a message the NLU could not place is read as the answer.)
NOT_ANSWERS = ("question", "small_talk", "command")


# Topics whose answer reads a fact the question may carry ("max grant for a budget of 500 000?"), or whose subject is
# that fact ("can we use it for a feasibility study?" is answered with the activities the calls support).
ANSWERS_WITH_FACTS = {"max_grant": BUDGET, "eligible_activities": "activities"}


def _changes_known(reading: MessageReading, known: Mapping[str, Any]) -> bool:
    """Whether a what-if would change a fact the conversation knows ("what if we add one more SME?")."""
    supposed = reading.supposed
    return any(fact in known and known[fact] != value for fact, value in supposed.facts.items()) or any(
        known.get(fact) is not None or known.get(facts()[fact].of_total or "") is not None for fact in supposed.deltas)


class Turn:
    """A turn in progress: the state as it changes, the replies so far and the effects to carry out."""

    def __init__(self, state: Conversation, message: Message, day: dt.date):
        self.state, self.message, self.day = state, message, day
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self._reading: Optional[MessageReading] = None

    # --- saying things --------------------------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self.state.language

    def text(self, path: str, **values: Any) -> str:
        return say_message(f"conversation.{path}", self.language, **values)

    def say(self, path: str, buttons: tuple[Button, ...] = (), **values: Any) -> None:
        self.replies.append(Reply(self.text(path, **values), buttons))

    def reply_text(self, text: str, buttons: tuple[Button, ...] = ()) -> Reply:
        return Reply(text, buttons)

    def button(self, path: str, payload: str) -> Button:
        return Button(self.text(f"button.{path}"), payload)

    # --- reading the message --------------------------------------------------------------------------------
    @property
    def reading(self) -> MessageReading:
        """The message read part by part for what each part does (read once per turn)."""
        if self._reading is None:
            self._reading = MessageReading() if self.message.is_payload else \
                read(self.message.text, self.state.facts, self.day, self.language)
            if self._reading.supposes and not _changes_known(self._reading, self.state.facts) and \
                    (self._reading.supposed.named() <= set(ANSWERS_WITH_FACTS.values())
                     or not (speaks_of_the_project(self.message.text) or set(self.state.facts) - {ASKER})):
                # "what's the max grant if our budget is 350k?": a supposition that changes nothing known asks a
                # question with its facts, as "what is the max grant for a budget of 350k?" would; so does one
                # about no project of ours, before there is one ("would a former NCE cluster be allowed?")
                reading = self._reading
                self._reading = replace(reading, asked=reading.asked.merged(reading.supposed), supposed=Statement(),
                                        questions=reading.questions or (fold(self.message.text),))
        return self._reading

    @property
    def statement(self) -> Statement:
        """The facts the message states or corrects about the project: the only ones it sets."""
        return self.reading.said

    def facts_asked_about_us(self) -> dict[str, Any]:
        """Facts a question about our own project names that the conversation does not know yet ("kan vi søke med tre
        bedrifter?"): taken as inferred, never over what the user said. A what-if's ("hva hvis vi la budsjettet på 2
        mill?") are none: it wonders."""
        if self.reading.wonders or not any(speaks_of_the_project(question) for question in self.reading.questions):
            return {}
        return {fact: value for fact, value in self.reading.asked.facts.items()
                if fact != ASKER and fact not in self.state.facts}

    def asks_something(self) -> bool:
        """A message that asks something and states no fact is a question, whatever the NLU calls it."""
        return self.reading.asks and not self.statement and not is_unsure(self.message.text)

    def digression(self) -> bool:
        """Whether the message is something other than an answer to the question asked: it asks something, or the
        NLU is sure it is a question, a command or small talk."""
        intent = self.message.intent
        return self.asks_something() or \
            (intent is not None and kind_of(intent) in NOT_ANSWERS and self.message.is_confidently(intent))

    # --- running interviews ---------------------------------------------------------------------------------
    def interview(self, task: str) -> Interview:
        return TASKS[task]

    def interview_of(self, asked: Asked) -> Interview:
        return TASKS[TASK_OF_QUESTION[asked.kind]]

    def start(self, task: str) -> None:
        """Start an interview; one that interrupts another (the SME helper during a check) hands back to it."""
        running = self.state.task
        if running and running != task:
            self.state = self.state.with_(resume=running)
        self.state = self.state.with_(asked=None)
        self.interview(task).start(self)

    def resume_after(self, task: str) -> None:
        resume = self.state.resume
        if resume and resume != task:
            self.state = self.state.with_(resume=None, task=resume)
            self.say("back_to_check")
            self.interview(resume).advance(self)
