"""What every guided part of the conversation shares (the check, the SME helper, a request for a person, the
cluster's prioritisation): goal-driven questions, reading the answer to the question asked, and bounded re-asking —
a question shown again is shorter and has buttons or examples, and after the third answer that cannot be read the
fact is left open and the conversation moves on. Showing it again after a question, a what-if or facts out of turn
is no failed answer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Protocol

from bot.dialogue.effects import Effect
from bot.dialogue.message import Button, Message, Reply
from bot.dialogue.state import Asked, Conversation
from bot.reading.statements import MessageReading, Statement

MOST_ASKS = 3


class Turn(Protocol):
    """What an interview may see and do of the turn in progress (bot.dialogue.turn.Turn is the one): the interviews
    know the turn by this alone, so that the turn can know them (bot.dialogue.tasks) without a circle."""
    state: Conversation
    message: Message
    day: dt.date
    replies: list[Reply]
    effects: list[Effect]

    @property
    def language(self) -> str: ...

    @property
    def reading(self) -> MessageReading: ...

    @property
    def statement(self) -> Statement: ...

    def text(self, path: str, **values: Any) -> str: ...

    def say(self, path: str, buttons: tuple[Button, ...] = (), **values: Any) -> None: ...

    def reply_text(self, text: str, buttons: tuple[Button, ...] = ()) -> Reply: ...

    def button(self, path: str, payload: str) -> Button: ...

    def asks_something(self) -> bool: ...

    def digression(self) -> bool: ...

    def facts_asked_about_us(self) -> dict[str, Any]: ...

    def resume_after(self, task: str) -> None: ...


@dataclass(frozen=True)
class Reading:
    """The message read as the answer to the question asked."""
    values: Mapping[str, Any] = field(default_factory=dict)  # what it answered (and any total given with it)
    skip: bool = False  # "hopp over"
    unsure: bool = False  # "vet ikke"
    problem: Optional[str] = None  # why it could not be read (a message code under problem.*)
    note: Optional[str] = None  # something to say when taking it (a currency converted)
    held: bool = False  # taken, but waiting for another fact ("alle" before the total is known)
    confirmed: Optional[bool] = None  # the yes or no to a yes/no question of the interview's own
    inferred: frozenset[str] = frozenset()  # answered values that are the bot's completion, to be confirmed

    @property
    def answered(self) -> bool:
        return bool(self.values) or self.held or self.confirmed is not None


class Interview:
    """One guided task. Subclasses say what to ask next, how to ask it, how to read the answer and what to do at
    the end; this class runs the protocol around them."""

    task: str = ""
    kinds: tuple[str, ...] = ()  # the kinds of question (Asked.kind) whose answers this interview reads
    back_to: str = "back_to_question"  # the message that leads back to its question after something else

    # --- what a subclass provides ---------------------------------------------------------------------------
    def next_question(self, turn: Turn) -> Optional[Asked]:
        raise NotImplementedError

    def ask(self, turn: Turn, asked: Asked, times: int) -> None:
        """Say the question; `times` is how often it was shown before (0 the first time)."""
        raise NotImplementedError

    def read(self, turn: Turn, asked: Asked) -> Reading:
        raise NotImplementedError

    def take(self, turn: Turn, asked: Asked, reading: Reading) -> None:
        raise NotImplementedError

    def leave_open(self, turn: Turn, asked: Asked) -> None:
        """The question is given up (skipped, or unreadable three times): do not ask it again."""
        raise NotImplementedError

    def finish(self, turn: Turn) -> None:
        raise NotImplementedError

    def answers_outright(self, turn: Turn, asked: Asked) -> bool:
        """Whether the message answers the question whatever else it says ("nei takk, var bare nysgjerrig")."""
        return False

    def aside(self, turn: Turn, asked: Asked) -> bool:
        """Take what the message says besides an answer (facts given out of turn); True if it said anything."""
        return False

    def why(self, turn: Turn, asked: Asked) -> str:
        raise NotImplementedError

    # --- the protocol ---------------------------------------------------------------------------------------
    def start(self, turn: Turn) -> None:
        turn.state = turn.state.with_(task=self.task)
        self.advance(turn)

    def advance(self, turn: Turn) -> None:
        """Ask the next question the goal still needs, or finish."""
        asked = self.next_question(turn)
        if asked is None:
            turn.state = turn.state.with_(asked=None, task=None)
            self.finish(turn)
            turn.resume_after(self.task)
            return
        self.put(turn, asked)

    def put(self, turn: Turn, asked: Asked) -> None:
        times = turn.state.count("times_asked", asked)
        turn.state = turn.state.counted("times_asked", asked).with_(asked=asked)
        self.ask(turn, asked, times)

    def can_ask_again(self, turn: Turn, asked: Asked) -> bool:
        """After something else was dealt with, the question is shown again while the user has not failed it three
        times, and twice as often at most: past that a line says it still waits."""
        return not self.failed_out(turn, asked) and turn.state.count("times_asked", asked) < 2 * MOST_ASKS

    def failed_out(self, turn: Turn, asked: Asked) -> bool:
        """The user has failed to answer it three times: it is given up."""
        return turn.state.count("failures", asked) >= MOST_ASKS

    def reask_or_move_on(self, turn: Turn, asked: Asked) -> None:
        """Ask again unless the user has failed to answer it three times: a question shown again after a question,
        a what-if or facts out of turn was not failed."""
        if self.failed_out(turn, asked):
            self.give_up(turn, asked)
        else:
            self.put(turn, asked)

    def give_up(self, turn: Turn, asked: Asked) -> None:
        self.leave_open(turn, asked)
        self.say_left_open(turn, asked, skipped=False)
        turn.state = turn.state.with_(asked=None)
        self.advance(turn)

    def topic_of(self, turn: Turn, asked: Asked) -> str:
        """A few words for what the question is about ("the number of SMEs")."""
        raise NotImplementedError

    def say_left_open(self, turn: Turn, asked: Asked, skipped: bool) -> None:
        """Tell the user the question is left open, `skipped` on request or else after three answers not read; a fact
        is one the rules wait for."""
        if skipped:
            turn.say("skipped")
        else:
            turn.say("gave_up", topic=self.topic_of(turn, asked))

    def answer(self, turn: Turn) -> bool:
        """Read the message as the answer to the question asked. False when it is not an answer but something
        else (a question, small talk) for the conversation to handle before asking again."""
        asked = turn.state.asked
        assert asked is not None  # respond() hands a message to an interview only while its question is open
        if not self.answers_outright(turn, asked) and (turn.asks_something() or (asked.kind == "fact"
                                                                                and turn.reading.wonders)):
            return False  # "er den en SMB?" asks, it does not answer with "en"; "hva om vi var fem?" wonders
        reading = self.read(turn, asked)
        if reading.answered:
            self.take(turn, asked, reading)
            if reading.note:
                turn.replies.append(turn.reply_text(reading.note))
            turn.state = turn.state.with_(asked=None)
            self.advance(turn)
            return True
        if reading.skip:
            self.leave_open(turn, asked)
            self.say_left_open(turn, asked, skipped=True)
            turn.state = turn.state.with_(asked=None)
            self.advance(turn)
            return True
        if turn.digression():
            return False
        if self.aside(turn, asked):  # facts out of turn are no failure: take them and ask again
            self.reask_or_move_on(turn, asked)
            return True
        turn.state = turn.state.counted("failures", asked)
        if reading.unsure and asked.id not in turn.state.explained:
            turn.replies.append(turn.reply_text(self.why(turn, asked)))
            turn.state = turn.state.with_(explained=(*turn.state.explained, asked.id))
        elif reading.problem:
            turn.say(f"problem.{reading.problem}")
        self.reask_or_move_on(turn, asked)
        return True
