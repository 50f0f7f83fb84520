"""Conversation review without a server: "that's wrong" flags the conversation without changing the reply; Rasa's
own tracker store's events read back as conversations (listed by date, channel, language and outcome, the sender
only as a short keyed hash) and as transcripts (the facts each turn set, in words; the answers; the verdict); a
review kept and exported as a test case of tests/cases/people/'s shape; flags and reviews fall under retention
and "delete my data"; version 3 databases gain the new tables; `python -m records export reviews`."""
import asyncio
import datetime as dt

import pytest
import yaml
from sqlalchemy import select

from actions import records
from bot.dialogue import respond as respond_module
from bot.reading.user_answers import says_it_is_wrong
from bot.rules.facts import facts
from records.checks import record_check
from records.dashboard import Period, dashboard
from records.handoffs import record_handoff
from records.identity import user_hash
from records.retention import forget, purge
from records.review import (SHORT_HASH, Filter, Review, ReviewError, conversations, keep_review, record_flag,
                            record_thumbs, review_cases, right_value, transcript)
from records.review_page import review_list_page, transcript_page
from records.store import PERSONAL_TABLES, SCHEMA_VERSION, connect, flags, reviews, schema_version
from deploy.local import ROOT
from tests.integration.actions.test_actions import run, slots_set, tracker
from tests.integration.records.test_storage import KEY, NOW, assessed, database_url, hash_key, rasa_events_store  # noqa: F401

SENDER, OTHER = "rest:web-reviewed", "slack:U0OTHER"


@pytest.mark.parametrize("text", ["Det stemmer ikke", "det er feil, vi er fire", "Du misforsto meg",
                                  "That's wrong", "that’s not right", "You misunderstood."])
def test_saying_the_bot_is_wrong_is_recognised(text):
    assert says_it_is_wrong(text)


@pytest.mark.parametrize("text", ["Vi er fire bedrifter", "Stemmer det?", "ja, det stemmer", "that's right",
                                  "hva er maks tilskudd?"])
def test_other_messages_are_not_complaints(text):
    assert not says_it_is_wrong(text)


@pytest.fixture
def action_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'records.db'}")
    monkeypatch.setenv("KLYNGEBOT_HASH_KEY", KEY)
    monkeypatch.setattr(records, "_database", {})
    return connect(f"sqlite:///{tmp_path / 'records.db'}")


def test_a_complaint_is_flagged_and_still_read_as_the_correction_it_is(action_database, monkeypatch):
    said = "Det stemmer ikke, vi er fire bedrifter"
    events, messages = run(tracker(said, slots={"companies": 3}))
    assert slots_set(events)["companies"] == 4
    with action_database.connect() as connection:
        rows = connection.execute(select(flags)).all()
    assert [(row.reason, row.text, row.language, row.channel, row.user_hash) for row in rows] == [
        ("said", said, "nb", "rest", user_hash("tester", KEY.encode()))]
    monkeypatch.setattr(respond_module, "says_it_is_wrong", lambda text: False)  # the turn as it was before flags
    assert run(tracker(said, slots={"companies": 3})) == (events, messages)


def test_a_plain_correction_is_not_flagged(action_database):
    run(tracker("Nei vent, vi er fire bedrifter", slots={"companies": 3}))
    with action_database.connect() as connection:
        assert connection.execute(select(flags)).all() == []


# --- Rasa's events as conversations ---------------------------------------------------------------------------

def save(url, sender, turns, start, channel="rest"):
    """A conversation as Rasa's SQL tracker store writes it: per turn (text, intent, {slot: value}, [answers])."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    tracker = DialogueStateTracker(sender, Domain.load(str(ROOT / "domain.yml")).slots)
    moment = start.timestamp()
    for text, intent, slots, answers in turns:
        tracker.update(UserUttered(text, {"name": intent, "confidence": 0.9}, input_channel=channel,
                                   timestamp=moment))
        for name, value in slots.items():
            tracker.update(SlotSet(name, value, timestamp=moment + 1))
        for answer in answers:
            tracker.update(BotUttered(answer, timestamp=moment + 2))
        moment += 60
    asyncio.run(rasa_events_store(url).save(tracker))


MISREAD = [("Hei", "greet", {"language": "nb"}, ["Hei! Hva lurer du på?"]),
           ("Vi er en av klyngens bedrifter, vi er fem i prosjektet", "inform", {"companies": 1},
            ["Notert – antall bedrifter: 1."]),
           ("det stemmer ikke", "deny", {}, ["Hva er riktig?"])]


@pytest.fixture
def kept(database_url):  # noqa: F811
    engine = connect(database_url)
    save(database_url, SENDER, MISREAD, NOW - dt.timedelta(days=2))
    save(database_url, OTHER, [("Hello", "greet", {"language": "en"}, ["Hi!"]),
                               ("we are 3 companies", "inform", {"companies": 3, "cluster_programme": "nce"}, [])],
         NOW - dt.timedelta(days=1), channel="slack")
    record_flag(engine, "said", "det stemmer ikke", "nb", "rest", SENDER, NOW - dt.timedelta(days=2))
    record_check(engine, assessed({"applicant": "company", "companies": 3, "smes": 1}), "slack", OTHER,
                 NOW - dt.timedelta(days=1))
    record_handoff(engine, None, None, "en", "slack", OTHER, consent=False, when=NOW - dt.timedelta(days=1))
    return engine


def test_conversations_are_listed_latest_first_with_their_outcomes_and_filtered(kept):
    found = conversations(kept)
    assert [(c.user_hash, c.channel, c.language, sorted(c.outcomes)) for c in found] == [
        (user_hash(OTHER, KEY.encode()), "slack", "en", ["handoff", "verdict"]),
        (user_hash(SENDER, KEY.encode()), "rest", "nb", ["flagged", "left"])]
    day = (NOW - dt.timedelta(days=2)).date()
    assert [c.channel for c in conversations(kept, Filter(since=day, until=day))] == ["rest"]
    assert [c.channel for c in conversations(kept, Filter(outcome="flagged"))] == ["rest"]
    assert [c.channel for c in conversations(kept, Filter(language="en", channel="slack"))] == ["slack"]
    assert conversations(kept, Filter(channel="botframework")) == []


def test_the_list_and_the_transcript_never_show_a_sender_id(kept):
    found = conversations(kept)
    page = review_list_page(found, Filter(), ["rest", "slack"], 0, "en")
    shown = transcript_page(transcript(kept, found[1].user_hash), {}, "en")
    for html in (page, shown):
        assert SENDER not in html and "web-reviewed" not in html and "U0OTHER" not in html
    assert found[1].user_hash[:SHORT_HASH] in page and found[1].user_hash[:SHORT_HASH] in shown


def test_a_transcript_says_per_turn_what_the_bot_read_in_words_and_what_it_answered(kept):
    conversation = transcript(kept, user_hash(SENDER, KEY.encode()))
    assert [(turn.text, turn.intent, dict(turn.read), turn.answers, turn.flagged) for turn in conversation.turns] == [
        (text, intent, {name: value for name, value in slots.items() if name in facts()}, tuple(answers),
         frozenset({"said"} if text == "det stemmer ikke" else ())) for text, intent, slots, answers in MISREAD]
    html = transcript_page(conversation, {}, "en")
    assert f"<dd class=read>{facts()['companies'].label('en')}: 1</dd>" in html  # the fact's label, not its id
    other = transcript(kept, user_hash(OTHER, KEY.encode()))
    assert other.verdicts and "Innovasjonsrammen" in transcript_page(other, {}, "en")
    assert transcript(kept, "0" * 64) is None


@pytest.mark.parametrize("fact, written, value", [("companies", "5", 5), ("companies", "fem", 5), ("independent", "true", True), ("independent", "nei", False),
                                                  ("cluster_programme", "NCE", "nce"),
                                                  ("cluster_programme", "nce", "nce"),
                                                  ("countries", "[no, SE]", ["NO", "SE"])])
def test_staff_give_a_value_as_the_test_cases_write_it(fact, written, value):
    assert right_value(fact, written) == value


@pytest.mark.parametrize("fact, written", [("companies", "mange"), ("companies", "-1"), ("independent", "kanskje"),
                                           ("budget", "3"), ("countries", "[XX]")])
def test_a_value_that_is_no_value_of_the_fact_is_refused(fact, written):
    with pytest.raises(ReviewError):
        right_value(fact, written)


def test_a_review_becomes_a_case_of_the_projects_own_test_format(kept):
    hashed = user_hash(SENDER, KEY.encode())
    keep_review(kept, Review(hashed, turn=2, fact="companies", value=5), when=NOW)
    keep_review(kept, Review(hashed, turn=1, intent="greet"), when=NOW + dt.timedelta(minutes=1))
    for wrong in (Review(hashed, 2), Review(hashed, 2, fact="companies", value=5, intent="greet"),
                  Review(hashed, 9, fact="companies", value=5), Review("0" * 64, 1, intent="greet"),
                  Review(hashed, 1, intent="no_such_intent")):
        with pytest.raises(ReviewError):
            keep_review(kept, wrong)
    cases = review_cases(kept)
    assert [case["say"] for case in cases] == [
        [{"text": "Hei"}, {"text": MISREAD[1][0], "then": {"facts": {"companies": 5}}}],
        [{"text": "Hei", "then": {"intent": "greet"}}]]
    assert all(case["language"] == "nb" and case["id"].startswith("review-") for case in cases)
    assert SENDER not in yaml.safe_dump(cases)


def test_flags_and_reviews_go_with_delete_my_data_and_the_retention(kept):
    assert {flags, reviews} <= set(PERSONAL_TABLES)
    keep_review(kept, Review(user_hash(SENDER, KEY.encode()), turn=2, fact="companies", value=5), when=NOW)
    record_flag(kept, "thumbs_down", None, "en", "slack", OTHER, NOW - dt.timedelta(days=100))
    deleted = forget(kept, SENDER)
    assert (deleted["flags"], deleted["reviews"]) == (1, 1)
    keep_review(kept, Review(user_hash(OTHER, KEY.encode()), turn=2, fact="companies", value=4), when=NOW)
    gone = purge(kept, dt.timedelta(days=90), NOW + dt.timedelta(days=89))  # the review is dated by its conversation
    assert (gone["flags"], gone["reviews"]) == (1, 0)
    assert purge(kept, dt.timedelta(days=90), NOW + dt.timedelta(days=90))["reviews"] == 1


def test_a_version_3_database_gains_the_review_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = connect(url)
    with engine.begin() as connection:
        flags.drop(connection)
        reviews.drop(connection)
        connection.execute(schema_version.update().values(version=3))
    engine = connect(url)
    record_flag(engine, "said", "feil", "nb", "rest", "rest:a")
    with engine.connect() as connection:
        assert connection.execute(select(schema_version.c.version)).scalar() == SCHEMA_VERSION == 4
        assert connection.execute(select(flags.c.text)).scalars().all() == ["feil"]


def test_the_export_command_writes_the_reviews_as_yaml(tmp_path, monkeypatch):
    from records.cli import main
    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = connect(url)
    save(url, SENDER, MISREAD, NOW)
    keep_review(engine, Review(user_hash(SENDER, KEY.encode()), turn=2, fact="companies", value=5))
    assert main(["export", "reviews", "--out", str(tmp_path / "cases.yaml")]) == 0
    written = yaml.safe_load((tmp_path / "cases.yaml").read_text(encoding="utf-8"))
    assert written == review_cases(engine) and written[0]["say"][-1]["then"] == {"facts": {"companies": 5}}


def test_what_users_wrote_is_escaped_on_the_page(database_url):  # noqa: F811
    engine = connect(database_url)
    save(database_url, SENDER, [("<script>alert(1)</script> vi er 3", "inform", {"companies": 3},
                                 ["<img src=x onerror=alert(2)>"])], NOW)
    html = transcript_page(transcript(engine, user_hash(SENDER, KEY.encode())), {}, "en")
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; vi er 3" in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_a_thumbs_down_flags_the_turn_of_its_answer_once(kept):
    answer = MISREAD[1][3][0]
    for _ in range(2):
        record_thumbs(kept, "thumbs_down", answer, "webchat", SENDER)
    with kept.connect() as connection:
        assert connection.execute(select(flags.c.reason, flags.c.text).where(flags.c.reason == "thumbs_down")).all() \
            == [("thumbs_down", answer)]
    turns = transcript(kept, user_hash(SENDER, KEY.encode())).turns
    assert [sorted(turn.flagged) for turn in turns] == [[], ["thumbs_down"], ["said"]]
    assert "The user gave the answer a 👎." in transcript_page(transcript(kept, user_hash(SENDER, KEY.encode())),
                                                               {}, "en")


def test_a_thumbs_up_marks_its_turn_and_flags_nothing(kept):
    praised = user_hash(OTHER, KEY.encode())
    for _ in range(2):
        record_thumbs(kept, "thumbs_up", "Hi!", "slack", OTHER)
    shown = transcript(kept, praised)
    assert [(turn.thumbs_up, sorted(turn.flagged)) for turn in shown.turns] == [(True, []), (False, [])]
    assert "The user gave the answer a 👍." in transcript_page(shown, {}, "en")
    assert "flagged" not in next(c for c in conversations(kept) if c.user_hash == praised).outcomes
    assert dashboard(kept, Period(until=NOW.date())).funnel.flagged == 1  # the other conversation's "det stemmer ikke"
    with kept.connect() as connection:
        assert connection.execute(select(flags.c.text).where(flags.c.reason == "thumbs_up")).scalars().all() == ["Hi!"]
    assert forget(kept, OTHER)["flags"] == 1  # "delete my data" takes the 👍 too


def test_a_reaction_without_the_answers_text_flags_the_conversation_each_time(kept):
    for _ in range(2):
        record_thumbs(kept, "thumbs_down", None, "botframework", OTHER)
    flagged = next(c for c in conversations(kept) if c.user_hash == user_hash(OTHER, KEY.encode()))
    assert "flagged" in flagged.outcomes
    with kept.connect() as connection:
        assert len(connection.execute(select(flags.c.id).where(flags.c.reason == "thumbs_down")).all()) == 2
    with pytest.raises(ValueError):
        record_thumbs(kept, "said", "Hi!", "slack", OTHER)


def test_the_peoples_runner_checks_the_intent_a_review_names():
    from simulation.people import People
    case = {"id": "review-1", "say": [{"text": "hva er fristen?", "then": {"intent": "ask_deadline"}}]}
    say, slots = (lambda sender, text: []), (lambda sender: {})
    read_as = {"hva er fristen?": "ask_deadline"}
    assert People(say, slots, lambda text: {"intent": {"name": read_as[text]}}).play(case).passed
    wrong = People(say, slots, lambda text: {"intent": {"name": "greet"}}).play(case)
    assert wrong.problems == ["after 'hva er fristen?': read as 'greet', not 'ask_deadline'"]
    assert not People(say, slots).play(case).passed  # no NLU to ask: the case cannot pass unchecked
