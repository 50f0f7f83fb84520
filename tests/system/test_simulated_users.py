"""Simulated users (simulation/) in conversation with the real trained assistant: a fixed, seeded share of the
corpus here (all of it in `make bench`). Every conversation must reach the engine's verdict and grant for its
project, with no "not eligible" before the facts it rests on were said, at most 15 questions, none more than three
times, and no internal name shown. A failure prints the conversation."""
import datetime as dt
from collections import Counter

import pytest

from simulation.harness import RestBot, converse
from simulation.profiles import make_profiles
from simulation.user import phrasings

pytestmark = pytest.mark.slow
SHARE = 120  # of the corpus's profiles, run in `make test` (all in `make bench`)
FEWEST_WORDINGS = 3  # per kind of phrasing and language (simulation/phrasings.yaml)


def test_simulated_users_reach_the_engines_verdict(assistant):
    bot = RestBot(assistant.base)
    transcripts = [converse(bot, profile, seed=number, day=dt.date.today(), slots=bot.slots)
                   for number, profile in enumerate(make_profiles(SHARE))]
    failed = [transcript for transcript in transcripts if not transcript.passed]
    assert not failed, f"{len(failed)} of {len(transcripts)} conversations failed:\n\n" + \
        "\n\n".join(transcript.text() for transcript in failed[:10])


def _leaves(family, path=()):
    if isinstance(family, dict):
        for key, value in family.items():
            yield from _leaves(value, (*path, key))
    else:
        yield from ((path, phrasing) for phrasing in family)


def test_every_phrasing_is_text():
    """YAML reads a bare `null` (Norwegian for zero) or `no` as something else than what the user would type, and
    `true` as a key as a boolean. (A question is [text, the intent it is].)"""
    leaves = list(_leaves(phrasings()))
    odd = [(path, phrasing) for path, phrasing in leaves
           if not all(isinstance(key, str) for key in path)
           or not isinstance(phrasing[0] if isinstance(phrasing, list) else phrasing, str)]
    assert odd == []


def test_every_kind_of_phrasing_has_a_few_wordings_in_both_languages():
    kinds = {language: Counter(path[1:] for path, _ in _leaves(phrasings()) if path[0] == language)
             for language in ("nb", "en")}
    assert set(kinds["nb"]) == set(kinds["en"])
    assert [(language, kind) for language, counted in kinds.items() for kind, count in counted.items()
            if count < FEWEST_WORDINGS] == []
