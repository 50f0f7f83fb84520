"""Staff's dashboard without a server: every number on the page from records put in the database, its language,
its texts escaped; the dashboard off without STAFF_TOKEN and refused with a short one; what a client may try and
whom a request is counted against; a request for a person posted to a local stand-in for Slack's Web API."""
import asyncio
import base64
import datetime as dt
import json
import logging
import math
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from bot.rules.engine import assess
from bot.rules.profile import make_profile
from bot.dialogue.intents import intents
from channels.staff import (ATTEMPT_EVERY_SECONDS, ATTEMPTS_AT_ONCE, Attempts, StaffInput, came_over_tls, choose_language,
                            client_of, period_of)
from deploy import rasa_config, serve
from deploy.processes import ROOT
from records.checks import record_check
from records.dashboard import Period, dashboard
from records.handoffs import Delivery, record_handoff, set_status, staff_text
from records.questions import record_question
from records.review import record_flag
from records.mail import email_handoff, mail_settings
from records.notify import told_user
from records.page import dashboard_page, login_page
from records.sessions import MINIMUM_TOKEN_LENGTH, proxy_networks
from records.slack import announce_handoff
from records.store import RecordsError, connect
from records.unanswered import record_unanswered
from deploy.local import free_port
from bot.saying.messages import message
from tests.loopback import SmtpStandIn
from tests.integration.deploy.test_api_security import GOOD
from tests.loopback import SlackApiStandIn
from tests.integration.records.test_storage import hash_key, rasa_events_store  # noqa: F401  (hash_key: a fixture)

DAY = dt.date(2015, 6, 1)
ELIGIBLE = {"cluster_programme": "nce", "initiator_in_cluster": True, "companies": 3, "smes": 2,
            "foreign_companies": 0, "public_or_research_partners": False, "independent": True, "complementary": True,
            "early_phase": True, "budget_nok": 600000}
TOO_FEW_SMES = {"companies": 3, "smes": 1}
UNIVERSITY_PARTNER = {"public_or_research_partners": True}


def at(day, hour=10):
    return dt.datetime(2026, 2, day, hour, tzinfo=dt.timezone.utc)


def known_records(url):
    """Six checks by four users over three days (one day without any), three unanswered questions (two of them
    the same question written differently) and two requests for a person."""
    engine = connect(url)
    for facts, channel, language, sender, when in (
            (ELIGIBLE, "webchat", "nb", "web-1", at(2)), (ELIGIBLE, "slack", "en", "slack:U1", at(2, 14)),
            (TOO_FEW_SMES, "webchat", "nb", "web-2", at(2, 15)), (TOO_FEW_SMES, "webchat", "nb", "web-2", at(4)),
            (UNIVERSITY_PARTNER, "botframework", "en", "teams:7", at(4, 11)),
            (TOO_FEW_SMES, "slack", "nb", "slack:U1", at(5))):
        record_check(engine, assess(make_profile(facts, date=DAY, language=language)), channel, sender, when)
    record_unanswered(engine, "Kan vi søke SkatteFUNN?", "nb", "webchat", "web-1", at(3))
    record_unanswered(engine, "kan vi  søke skattefunn?", "nb", "slack", "slack:U1", at(5))
    record_unanswered(engine, "<script>alert(1)</script> horizon?", "en", "webchat", "web-3", at(4))
    record_handoff(engine, "Kari Nordmann", "kari@example.no", "nb", "webchat", "web-1", "maks tilskudd",
                   consent=True, when=at(3))
    record_handoff(engine, "Ola", "ola@example.no", "en", "slack", "slack:U1", consent=False, when=at(5))
    return engine


class PageReader(HTMLParser):
    """The page's summary numbers and, per section id, its tables' rows as lists of cell texts."""

    def __init__(self, html):
        super().__init__()
        self.summary, self.tables, self.images = {}, {}, []
        self._section = self._summary = None
        self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "section":
            self._section = attributes.get("id")
        elif tag == "div" and (attributes.get("id") or "").startswith("summary-"):
            self._summary = attributes["id"][len("summary-"):]
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "img":
            self.images.append(attributes)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr":
            self.tables.setdefault(self._section, []).append(self._row)
            self._row = None
        elif tag == "div":
            self._summary = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._summary and data.strip() and self._summary not in self.summary:
            self.summary[self._summary] = data.strip()


def read_page(tmp_path, language):
    engine = known_records(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    return PageReader(dashboard_page(dashboard(engine), language, 90, DAY))


def test_every_number_on_the_page_comes_from_the_records(tmp_path):
    page = read_page(tmp_path, "en")
    assert page.summary == {"checks": "6", "users": "4", "unanswered": "3", "handoffs": "2"}
    assert page.tables["verdicts"] == [
        ["Call", "eligible", "not yet known", "not eligible"],
        ["Innovasjonsrammen (the Innovation Framework)", "2", "0", "4"]]
    # the Express round closed in 2015: its "not yet known" comes from its dates, not the projects, so apart
    assert page.tables["closed"] == [["Call", "Checks"], ["BSR Innovation Express 2015", "6"]]
    blocking = {(row[0], row[1]): row[2] for row in page.tables["blocking"][1:]}
    assert blocking[("Innovasjonsrammen (the Innovation Framework)",
                     "At least 50% of the participating companies are SMEs.")] == "3"
    assert blocking[("Innovasjonsrammen (the Innovation Framework)",
                     "The partners are private companies; public enterprises, R&D or education institutions and "
                     "cluster organisations cannot be partners.")] == "1"
    assert page.tables["split"] == [["Channel", "Checks"], ["webchat", "3"], ["slack", "2"], ["botframework", "1"],
                                    ["Language", "Checks"], ["nb", "4"], ["en", "2"]]
    assert page.tables["unanswered"] == [
        ["Question", "Times", "Last asked"], ["kan vi  søke skattefunn?", "2", "5 February 2026 11:00 CET"],
        ["<script>alert(1)</script> horizon?", "1", "4 February 2026 11:00 CET"]]
    assert [row[:6] for row in page.tables["handoffs"]] == [
        ["When", "Name", "E-mail", "Language", "Channel", "The project"],
        ["5 February 2026 11:00 CET", "(no consent to keep it)", "", "en", "slack", ""],
        ["3 February 2026 11:00 CET", "Kari Nordmann", "kari@example.no", "nb", "webchat", "maks tilskudd"]]
    assert [row[6] for row in page.tables["handoffs"]][0] == "Status"
    assert [image["alt"] for image in page.images] == ["Checks over time", "Verdicts per call",
                                                       "Channels and languages"]
    assert all(image["src"].startswith("data:image/svg+xml;base64,") for image in page.images)


def test_the_period_chosen_counts_only_what_happened_in_it(tmp_path):
    engine = known_records(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    data = dashboard(engine, Period(dt.date(2026, 2, 4), dt.date(2026, 2, 5)))  # both days included
    assert (data.checks, data.unanswered, data.handoff_count) == (3, 2, 1)
    assert data.per_day == ((dt.date(2026, 2, 4), 2), (dt.date(2026, 2, 5), 1))
    assert dashboard(engine, Period(until=dt.date(2026, 2, 2))).checks == 3
    page = PageReader(dashboard_page(data, "en", 90, DAY))
    assert page.summary["checks"] == "3"


@pytest.mark.parametrize("since, until, period, problem", [
    (None, None, Period(), False),
    ("2026-02-01", "", Period(dt.date(2026, 2, 1)), False),
    ("2026-02-01", "2026-02-28", Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28)), False),
    ("1. februar", None, Period(), True),
    ("2026-03-01", "2026-02-01", Period(), True)])  # from after to: all the time, and the page says why
def test_the_period_is_read_from_the_pages_form(since, until, period, problem):
    assert period_of(since, until) == (period, problem)


def test_the_funnel_counts_conversations_checks_begun_verdicts_and_requests(tmp_path):
    import asyncio
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    url = f"sqlite:///{tmp_path / 'klyngebot.db'}"
    engine = known_records(url)
    store = rasa_events_store(url)
    moment = at(4).timestamp()
    for sender, task in (("rest:a", None), ("rest:b", "check"), ("web:c", "check"), ("web:d", "sme")):
        tracker = DialogueStateTracker(sender, [])
        tracker.update(UserUttered("hei", timestamp=moment))
        if task:
            tracker.update(SlotSet("dialogue", {"task": task, "facts": {}}, timestamp=moment))
        asyncio.run(store.save(tracker))
    funnel = dashboard(engine).funnel
    assert (funnel.conversations, funnel.checks_started, funnel.verdicts, funnel.handoffs) == (4, 2, 6, 2)
    assert dashboard(engine, Period(since=dt.date(2026, 2, 5))).funnel.conversations == 0  # all were on the 4th
    page = dashboard_page(dashboard(engine), "en", 90, DAY)
    assert "<div id=funnel-checks-started><strong>2</strong>" in page


def test_blocks_in_a_conversation_its_user_said_was_misread_are_left_out_and_counted_apart(tmp_path):
    engine = known_records(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    before = dashboard(engine)
    record_flag(engine, "said", "det stemmer ikke", "nb", "webchat", "web-2", at(4))  # web-2: two checks, 1 SME
    data = dashboard(engine)
    assert data.funnel.flagged == 1 and data.blocking_in_doubt == sum(
        count for _, _, count in before.blocking) - sum(count for _, _, count in data.blocking) > 0
    html = dashboard_page(data, "en", 90, DAY)
    assert message("staff.blocking.in_doubt", "en", count=data.blocking_in_doubt) in html.replace("&quot;", '"')


def test_questions_are_counted_by_topic_in_words_with_what_became_of_them(tmp_path):
    engine = known_records(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    for topic, outcome in (("deadline", "answered"), ("deadline", "answered"), ("duration", "texts_silent"),
                           (None, "not_placed"), ("deadline", "texts_silent")):
        record_question(engine, topic, outcome, "nb", "webchat", "web-1", at(3))
    page = PageReader(dashboard_page(dashboard(engine), "en", 90, DAY))
    assert page.tables["topics"] == [["Topic", "Answered", "The texts don't say", "Not placed"],
                                     ["deadlines", "2", "1", "0"], ["(the bot could not place it)", "0", "0", "1"],
                                     ["duration", "0", "1", "0"]]


def test_every_topic_staff_may_see_has_its_name_in_words():
    named = {topic for spec in intents().values() for topic in ([spec.topic] if spec.topic else []) + list(spec.refine or {})}
    assert named and all(message(f"staff.topics.names.{topic}", "nb") for topic in named)


def test_a_requests_status_and_owner_are_kept_and_shown(tmp_path):
    engine = known_records(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    latest = dashboard(engine).requests[1]  # Kari's, latest first
    assert (latest.name, latest.status, dashboard(engine).open_requests) == ("Kari Nordmann", "new", 2)
    assert set_status(engine, latest.id, "taken", "  Per   Hansen ")
    assert not set_status(engine, 4711, "done", None)
    with pytest.raises(ValueError):
        set_status(engine, latest.id, "lost", None)
    data = dashboard(engine)
    assert (data.requests[1].status, data.requests[1].taken_by, data.open_requests) == ("taken", "Per Hansen", 2)
    set_status(engine, latest.id, "done", "Per Hansen")
    html = dashboard_page(dashboard(engine), "nb", 90, DAY)
    assert "1 er ikke ferdig behandlet." in html
    form = html.split(f"action='request/{latest.id}?lang=nb'")[1].split("</form>")[0]
    assert "<option value=done selected>ferdig</option>" in form and "value='Per Hansen'" in form


def bar_heights(svg):
    """The heights of the bars in a matplotlib SVG: its rectangles after the figure's and the axes' backgrounds."""
    rectangles = re.findall(r'<g id="patch_(\d+)">\s*<path d="M [\d.]+ ([\d.]+) \nL [\d.]+ [\d.]+ \nL [\d.]+ ([\d.]+) '
                            r'\nL [\d.]+ [\d.]+ \nz', svg)
    return [float(bottom) - float(top) for number, bottom, top in rectangles if int(number) > 2]


def test_the_plots_are_svg_drawn_from_the_same_numbers(tmp_path):
    engine = known_records(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    data = dashboard(engine)
    assert data.per_day == ((dt.date(2026, 2, 2), 3), (dt.date(2026, 2, 3), 0), (dt.date(2026, 2, 4), 2),
                            (dt.date(2026, 2, 5), 1))
    image = PageReader(dashboard_page(data, "nb", 90, DAY)).images[0]["src"]
    svg = base64.b64decode(image.split(",", 1)[1]).decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    heights = bar_heights(svg)
    assert [round(3 * height / max(heights), 6) for height in heights] == [3, 0, 2, 1]


def test_the_page_speaks_norwegian_too_and_escapes_what_users_wrote(tmp_path):
    engine = known_records(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    html = dashboard_page(dashboard(engine), "nb", 30, DAY)
    page = PageReader(html)
    assert page.tables["verdicts"][0] == ["Utlysning", "oppfyller kravene", "ikke avgjort ennå", "oppfyller ikke kravene"]
    assert "Alt som vises her, slettes etter 30 dager." in html and "<html lang=nb>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "5. februar 2026 11:00 CET" in html


def test_an_empty_database_gives_a_page_that_says_so(tmp_path):
    html = dashboard_page(dashboard(connect(f"sqlite:///{tmp_path / 'empty.db'}")), "en", 90, DAY)
    page = PageReader(html)
    assert page.summary == {"checks": "0", "users": "0", "unanswered": "0", "handoffs": "0"}
    assert "Nothing recorded yet." in html and page.images == []


def test_the_sign_in_page_asks_for_the_token():
    html = login_page("en", wrong=True)
    assert "Wrong access token." in html and "type=password" in html and "action='login?lang=en'" in html


@pytest.mark.parametrize("asked, accept, expected", [
    ("en", "nb", "en"), ("nb", "en-GB", "nb"), (None, "en-GB,en;q=0.9,nb;q=0.8", "en"),
    (None, "de-DE,nb;q=0.5,en;q=0.4", "nb"), (None, "no", "nb"), (None, "nn-NO", "nb"), (None, "en;q=0, nb", "nb"),
    (None, "de", "nb"), (None, None, "nb"), ("fr", "en", "en"), (None, "en;q=bad, nb;q=0.1", "nb")])
def test_the_language_is_asked_for_or_the_browsers(asked, accept, expected):
    assert choose_language(asked, accept) == expected


def test_the_dashboard_is_off_without_a_token_and_says_so(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="klyngebot.config"):
        _, credentials = rasa_config.write(tmp_path, {})
    assert "channels.staff.StaffInput" not in yaml.safe_load(credentials.read_text())
    assert "channel staff is off: STAFF_TOKEN not set" in [record.getMessage() for record in caplog.records]
    token = "t" * MINIMUM_TOKEN_LENGTH
    _, credentials = rasa_config.write(tmp_path, {"STAFF_TOKEN": token, "DATABASE_URL": "sqlite:///x.db",
                                                  "KLYNGEBOT_RETENTION_DAYS": "30"})
    assert yaml.safe_load(credentials.read_text())["channels.staff.StaffInput"] == {
        "token": token, "database_url": "sqlite:///x.db", "retention_days": "30"}


# --- signing in: a token long enough, a limit to guessing, a cookie that stays on TLS ---------------------------

def test_a_short_token_is_refused_by_rasa_config_and_make_serve_in_one_line(tmp_path):
    short = "t" * (MINIMUM_TOKEN_LENGTH - 1)
    done = subprocess.run([sys.executable, "-m", "deploy.rasa_config", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "STAFF_TOKEN": short},
                          timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("error: STAFF_TOKEN is shorter than ")
    assert done.stderr.count("\n") == 1 and short not in done.stderr and not (tmp_path / "credentials.yml").exists()
    with pytest.raises(rasa_config.SettingError, match=r"^make serve: STAFF_TOKEN is shorter than \d+ characters"):
        serve.checked_settings({**GOOD, "STAFF_TOKEN": short})
    assert serve.checked_settings({**GOOD, "STAFF_TOKEN": "t" * MINIMUM_TOKEN_LENGTH})["STAFF_TOKEN"]
    assert "STAFF_TOKEN" not in serve.checked_settings(GOOD)  # no token: the dashboard is off, not refused
    with pytest.raises(ValueError):  # a credentials.yml written by hand
        StaffInput(short)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_client_may_try_a_burst_then_one_more_now_and_then_and_a_right_token_costs_nothing():
    clock = Clock()
    attempts = Attempts(clock=clock)
    assert [attempts.take("a") for _ in range(ATTEMPTS_AT_ONCE)] == [None] * ATTEMPTS_AT_ONCE
    assert attempts.take("a") == attempts.wait("a") == ATTEMPT_EVERY_SECONDS  # Retry-After: whole seconds
    assert attempts.take("b") is None  # another client is not held up
    clock.now += ATTEMPT_EVERY_SECONDS / 2
    assert attempts.take("a") == math.ceil(ATTEMPT_EVERY_SECONDS / 2)
    clock.now += ATTEMPT_EVERY_SECONDS / 2
    assert attempts.wait("a") is None and attempts.take("a") is None and attempts.take("a") is not None
    for _ in range(3 * ATTEMPTS_AT_ONCE):  # staff at work: every attempt right, given back
        assert attempts.take("c") is None
        attempts.give_back("c")


def test_the_clients_remembered_are_bounded():
    attempts = Attempts(clock=Clock(), remembered=3)
    for client in ("a", "b", "c", "d"):
        attempts.take(client)
    assert set(attempts._left) == {"b", "c", "d"}
    attempts.give_back("b")  # back to a full bucket: nothing to remember
    assert set(attempts._left) == {"c", "d"}


@pytest.mark.parametrize("peer, forwarded_for, client", [
    ("203.0.113.5", [], "203.0.113.5"),
    ("203.0.113.5", ["198.51.100.7"], "203.0.113.5"),  # not from nginx: the header is anyone's
    ("127.0.0.1", ["198.51.100.7"], "198.51.100.7"),  # nginx on loopback
    ("127.0.0.1", ["10.9.9.9, 198.51.100.7"], "198.51.100.7"),  # what the client wrote itself comes first
    ("127.0.0.1", ["10.9.9.9", "198.51.100.7"], "198.51.100.7"),
    ("::1", ["2001:db8:1:2:3:4:5:6"], "2001:db8:1:2::/64"),  # one subscriber's addresses
    ("127.0.0.1", ["not an address"], "127.0.0.1"),
    ("127.0.0.1", [], "127.0.0.1")])
def test_a_request_counts_against_its_peer_or_the_address_nginx_saw(peer, forwarded_for, client):
    assert client_of(peer, forwarded_for) == client


@pytest.mark.parametrize("peer, own_tls, forwarded_proto, secure", [
    ("127.0.0.1", False, ["https"], True), ("::1", False, ["https"], True),
    ("203.0.113.5", False, ["https"], False),  # anyone may write the header; only nginx is believed
    ("127.0.0.1", False, ["http"], False), ("127.0.0.1", False, [], False),
    ("203.0.113.5", True, [], True)])
def test_the_cookie_is_secure_when_the_browser_came_over_tls(peer, own_tls, forwarded_proto, secure):
    assert came_over_tls(peer, own_tls, forwarded_proto) is secure


COMPOSE_NGINX = proxy_networks("172.30.57.10, 2001:db8:57::/64")


@pytest.mark.parametrize("peer, forwarded_for, client", [
    ("172.30.57.10", ["198.51.100.7"], "198.51.100.7"),  # compose's nginx container, named in the setting
    ("172.30.57.11", ["198.51.100.7"], "172.30.57.11"),  # another container on that network is not a proxy
    ("2001:db8:57::9", ["198.51.100.7"], "198.51.100.7"),
    ("127.0.0.1", ["198.51.100.7"], "198.51.100.7")])  # loopback stays trusted
def test_a_proxy_named_in_the_settings_is_believed_like_nginx_on_loopback(peer, forwarded_for, client):
    assert client_of(peer, forwarded_for, COMPOSE_NGINX) == client
    assert came_over_tls(peer, False, ["https"], COMPOSE_NGINX) is (client != peer)


@pytest.mark.parametrize("setting", ["nginx", "172.30.57.300", "10.0.0.0/33", "172.30.57.10,,garbage"])
def test_a_trusted_proxy_that_is_no_address_is_refused_in_one_line(setting):
    with pytest.raises(rasa_config.SettingError, match="KLYNGEBOT_TRUSTED_PROXIES: '.*' is not an address"):
        rasa_config.credentials({"KLYNGEBOT_TRUSTED_PROXIES": setting})


def test_the_sign_in_page_says_how_long_to_wait():
    assert "Prøv igjen om 7 sekunder." in login_page("nb", wait_seconds=7)


# --- a request for a person in the staff's Slack channel ---------------------------------------------------

@pytest.fixture
def slack():
    api = SlackApiStandIn()
    yield api
    api.server.shutdown()


def handoff(tmp_path, consent=True):
    engine = connect(f"sqlite:///{tmp_path / 'klyngebot.db'}")
    return record_handoff(engine, "Kari Nordmann", "kari@example.no", "nb", "webchat", "web-1", "maks tilskudd",
                          consent=consent, when=dt.datetime(2026, 2, 3, 10, 5, tzinfo=dt.timezone.utc))


def test_a_request_is_posted_to_the_staff_channel(tmp_path, slack):
    settings = {"SLACK_BOT_TOKEN": "xoxb-staff-4711", "SLACK_STAFF_CHANNEL": "C0STAFF", "SLACK_API_URL": slack.url}
    assert asyncio.run(announce_handoff(handoff(tmp_path), settings)) == Delivery.SENT
    assert [post["path"] for post in slack.posts] == ["/api/chat.postMessage"]
    post = slack.posts[0]
    assert post["auth"] == "Bearer xoxb-staff-4711" and post["body"]["channel"] == "C0STAFF"
    assert post["body"]["text"] == ("🙋 *Kari Nordmann* (kari@example.no) vil snakke med en person. Språk: nb, "
                                    "kanal: webchat, 2026-02-03 10:05 UTC.\nProsjektet: maks tilskudd")


def test_without_consent_the_post_names_no_one(tmp_path, slack):
    settings = {"SLACK_BOT_TOKEN": "xoxb-staff-4711", "SLACK_STAFF_CHANNEL": "C0STAFF", "SLACK_API_URL": slack.url}
    assert asyncio.run(announce_handoff(handoff(tmp_path, consent=False), settings)) == Delivery.SENT
    text = slack.posts[0]["body"]["text"]
    assert text.startswith("🙋 Noen vil snakke med en person, men samtykket ikke") and "Kari" not in text


def test_without_slack_configured_nothing_is_posted(tmp_path, slack):
    for settings in ({}, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": slack.url},
                     {"SLACK_STAFF_CHANNEL": "C0STAFF", "SLACK_API_URL": slack.url}):
        assert asyncio.run(announce_handoff(handoff(tmp_path), settings)) == Delivery.OFF
    assert slack.posts == []


class RefusingSlack(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        body = json.dumps({"ok": False, "error": "channel_not_found"}).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_failed_post_is_logged_never_raised_and_keeps_the_token_out(tmp_path, caplog):
    refusing = ThreadingHTTPServer(("127.0.0.1", free_port()), RefusingSlack)
    threading.Thread(target=refusing.serve_forever, daemon=True).start()
    request = handoff(tmp_path)
    with caplog.at_level(logging.WARNING, logger="klyngebot.records.slack"):
        for url in (f"http://127.0.0.1:{refusing.server_port}/api/", f"http://127.0.0.1:{free_port()}/api/"):
            settings = {"SLACK_BOT_TOKEN": "xoxb-secret-0815", "SLACK_STAFF_CHANNEL": "C0STAFF", "SLACK_API_URL": url}
            assert asyncio.run(announce_handoff(request, settings)) == Delivery.FAILED
    refusing.shutdown()
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "could not post a request for a person to Slack channel C0STAFF: channel_not_found"
    assert messages[1].startswith("could not post a request for a person to Slack channel C0STAFF: ")
    assert len(messages) == 2 and not any("xoxb-secret-0815" in message for message in messages)


# --- e-mail, and what the user is told ---------------------------------------------------------------------------

MAIL = {"STAFF_EMAIL": "post@klynge.no, leder@klynge.no", "SMTP_HOST": "127.0.0.1", "SMTP_STARTTLS": "false"}


@pytest.mark.parametrize("settings, problem", [
    ({"STAFF_EMAIL": "post@klynge.no"}, "SMTP_HOST is not"),
    ({**MAIL, "SMTP_PORT": "smtp"}, "SMTP_PORT='smtp' is not a port number"),
    ({**MAIL, "SMTP_PORT": "70000"}, "SMTP_PORT='70000'"),
    ({**MAIL, "SMTP_STARTTLS": "kanskje"}, "SMTP_STARTTLS='kanskje' is neither"),
    ({**MAIL, "SMTP_USER": "bot"}, "SMTP_USER and SMTP_PASSWORD go together"),
    ({**MAIL, "STAFF_EMAIL": "post at klynge"}, "STAFF_EMAIL holds something that is not an e-mail address"),
])
def test_a_malformed_mail_setting_is_named_in_one_line(settings, problem):
    with pytest.raises(RecordsError, match=re.escape(problem)) as refused:
        mail_settings(settings)
    assert "\n" not in str(refused.value)


def test_e_mail_is_off_without_a_staff_address():
    assert mail_settings({"SMTP_HOST": "smtp.klynge.no"}) is None
    assert asyncio.run(email_handoff(None, {})) == Delivery.OFF  # nothing is built for a way that is off


def test_a_request_is_e_mailed_to_every_staff_address_with_the_user_to_reply_to(tmp_path):
    smtp = SmtpStandIn(credentials=("bot@klynge.no", "hemmelig-0815"))
    settings = {**MAIL, "SMTP_PORT": str(smtp.port), "SMTP_USER": "bot@klynge.no", "SMTP_PASSWORD": "hemmelig-0815",
                "SMTP_FROM": "klyngebot@klynge.no"}
    assert asyncio.run(email_handoff(handoff(tmp_path), settings)) == Delivery.SENT
    smtp.shutdown()
    [(sender, recipients, mail)] = smtp.mails
    assert (sender, recipients) == ("klyngebot@klynge.no", ["post@klynge.no", "leder@klynge.no"])
    assert smtp.logins == [("bot@klynge.no", "hemmelig-0815")]
    assert mail["Subject"] == "Klyngebot: Kari Nordmann vil snakke med en person" and mail["Reply-To"] == "kari@example.no"
    assert mail.get_content().splitlines() == staff_text(handoff(tmp_path)).splitlines()


def test_a_send_that_fails_is_logged_without_the_password(tmp_path, caplog):
    smtp = SmtpStandIn(credentials=("bot", "right-password"))
    wrong = {**MAIL, "SMTP_PORT": str(smtp.port), "SMTP_USER": "bot", "SMTP_PASSWORD": "wrong-password-4711"}
    no_starttls = {**MAIL, "SMTP_PORT": str(smtp.port), "SMTP_STARTTLS": "true"}
    nobody = {**MAIL, "SMTP_PORT": str(free_port())}
    with caplog.at_level(logging.WARNING, logger="klyngebot.records.mail"):
        for settings in (wrong, no_starttls, nobody):
            assert asyncio.run(email_handoff(handoff(tmp_path), settings)) == Delivery.FAILED
    smtp.shutdown()
    assert smtp.mails == [] and len(caplog.records) == 3
    assert all("wrong-password-4711" not in record.getMessage() for record in caplog.records)
    assert all(record.getMessage().startswith("could not e-mail a request for a person to post@klynge.no")
               for record in caplog.records)


SENT, FAILED, OFF = Delivery.SENT, Delivery.FAILED, Delivery.OFF


@pytest.mark.parametrize("deliveries, kept, settings, told", [
    ({"email": SENT, "slack": OFF}, True, {}, "passed_on.email"),
    ({"email": OFF, "slack": SENT}, True, {}, "passed_on.slack"),
    ({"email": SENT, "slack": SENT}, False, {}, "passed_on.email_slack"),  # staff have it, though not the database
    ({"email": SENT, "slack": FAILED}, True, {}, "passed_on.email"),
    ({"email": FAILED, "slack": OFF}, True, {"STAFF_TOKEN": "x" * 32}, "not_passed_on"),
    ({"email": OFF, "slack": OFF}, False, {"STAFF_TOKEN": "x" * 32}, "not_passed_on"),
    ({"email": OFF, "slack": OFF}, True, {"STAFF_TOKEN": "x" * 32}, "kept_for_staff"),
    ({"email": OFF, "slack": OFF}, True, {}, "nobody_to_tell"),
])
def test_the_user_is_told_what_became_of_the_request_and_nothing_more(tmp_path, deliveries, kept, settings, told):
    said = told_user(deliveries, handoff(tmp_path), "nb", kept, settings)
    assert said == message(f"conversation.handoff.{told}", "nb", email="kari@example.no")


def test_a_reply_time_is_promised_only_when_staff_set_one_and_have_the_request(tmp_path):
    request = handoff(tmp_path)
    within = message("conversation.handoff.reply_within", "en", days=3)
    assert told_user({"email": SENT}, request, "en", True, {"STAFF_REPLY_DAYS": "3"}).endswith(" " + within)
    assert within not in told_user({"email": SENT}, request, "en", True, {})
    assert within not in told_user({"email": FAILED}, request, "en", True, {"STAFF_REPLY_DAYS": "3"})
    assert told_user({"email": SENT}, handoff(tmp_path, consent=False), "en", True, {}) is None
