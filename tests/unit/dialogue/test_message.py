"""The door every message passes: what is not read at all, and the polite re-ask in the writer's language."""
import pytest

from bot.dialogue.message import MAX_CHARS, TOO_LONG, UNREADABLE, not_read, refusal
from bot.saying.conversation import say


@pytest.mark.parametrize("text, reason", [
    ("x" * MAX_CHARS, None),
    ("x" * (MAX_CHARS + 1), TOO_LONG),
    ("ø" * MAX_CHARS, None),  # characters are counted, not bytes
    ("", None),
    ("hei \ud800", UNREADABLE),  # half of a surrogate pair: spaCy and the database cannot take it
    ("\udfff", UNREADABLE),
    ("vi er 4\x00", UNREADABLE),
    ("🙈 emoji are whole pairs", None),
    ("\x1b[31m control characters other than NUL are read", None),
])
def test_a_message_is_refused_only_when_too_long_or_undecodable(text, reason):
    assert refusal(text) == reason


def test_the_re_ask_is_in_the_language_the_message_is_written_in():
    norwegian = "Vi er fire bedrifter i klyngen og vil søke om støtte til et prosjekt. " * 40
    english = "We are four companies in the cluster and want to apply for a grant together. " * 40
    assert not_read(norwegian) == say(TOO_LONG, "nb", length=len(norwegian), limit=MAX_CHARS)
    assert not_read(english, "nb") == say(TOO_LONG, "en", length=len(english), limit=MAX_CHARS)
    assert not_read("1 " * MAX_CHARS, "en") == say(TOO_LONG, "en", length=2 * MAX_CHARS, limit=MAX_CHARS)
    assert not_read("hva er fristen? \ud800") == say(UNREADABLE, "nb")
    assert not_read("hva er fristen?") is None

