"""Staff's dashboard served by the real Rasa (started once for this module) next to the chat page: closed
without the token, open with it (bearer header or the sign-in cookie, which signing out revokes and which is
Secure behind TLS), 429 after a burst of wrong tokens, the CSV exports read back, the page in Debian's headless
Chromium with screenshots under docs/; and "delete my data" through Rasa's own HTTP API."""
import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect, sync_playwright

from channels.senders import conversation_id
from channels.staff import ATTEMPTS_AT_ONCE
from records.dashboard import dashboard
from records.export import check_rows, unanswered_rows
from records.store import connect
from deploy.local import ROOT, running_bot
from tests.integration.records.test_staff import PageReader, known_records
from tests.integration.records.test_storage import KEY
from tests.system.test_webchat_browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.slow
TOKEN = "staff-token-for-tests-0815-long-enough-to-pass"
DOCS = ROOT / "docs"


@contextmanager
def staff_bot(directory, **settings):
    """The real assistant with staff's page on (TOKEN) and the tests' hash key; its records' SQLite file as
    `.database`."""
    with pytest.MonkeyPatch.context() as environment:
        for name, value in {"STAFF_TOKEN": TOKEN, "KLYNGEBOT_HASH_KEY": KEY, **settings}.items():
            environment.setenv(name, value)
        with running_bot(directory) as running:
            running.database = directory / "klyngebot.db"
            yield running


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    directory = tmp_path_factory.mktemp("staff")
    known_records(f"sqlite:///{directory / 'klyngebot.db'}")  # the database running_bot gives Rasa
    # a long retention, else Rasa's daily purge takes February's records
    with staff_bot(directory, KLYNGEBOT_RETENTION_DAYS="3650") as running:
        yield running


def fetch(url, headers=None, data=None):
    """(status, headers, body) without following redirects."""
    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.build_opener(Keep).open(request, timeout=60) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_the_page_is_closed_without_the_token(bot):
    page = f"{bot.base}/webhooks/staff/"
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TOKEN},
                    {"Cookie": "klyngebot_staff=" + TOKEN}):
        status, answer, body = fetch(page, headers)
        assert status == 401 and "type=password" in body and answer["Cache-Control"] == "no-store", headers
        assert "kari@example.no" not in body
    assert fetch(f"{bot.base}/webhooks/staff/export/checks.csv")[0] == 401


def test_the_token_opens_the_page_with_the_recorded_numbers(bot):
    status, answer, body = fetch(f"{bot.base}/webhooks/staff/?lang=en", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "frame-ancestors 'none'" in answer["Content-Security-Policy"]
    page = PageReader(body)
    assert page.summary == {"checks": "6", "users": "4", "unanswered": "3", "handoffs": "2"}
    assert page.tables["verdicts"][1] == ["Innovasjonsrammen (the Innovation Framework)", "2", "0", "4"]
    status, answer, _ = fetch(f"{bot.base}/webhooks/staff?lang=en")
    assert status in (301, 302) and answer["Location"].endswith("/webhooks/staff/?lang=en")


def test_the_exports_read_back_as_they_are_stored(bot):
    engine = connect(f"sqlite:///{bot.database}")
    for name, rows in (("checks", check_rows(engine)), ("unanswered", unanswered_rows(engine))):
        status, answer, body = fetch(f"{bot.base}/webhooks/staff/export/{name}.csv",
                                     {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200 and answer["Content-Type"].startswith("text/csv")
        assert answer["Content-Disposition"] == f'attachment; filename="klyngebot-{name}.csv"'
        assert list(csv.reader(io.StringIO(body))) == [[str(cell) for cell in row] for row in rows]
    assert len(check_rows(engine)) == 1 + 6
    assert fetch(f"{bot.base}/webhooks/staff/export/people.csv", {"Authorization": f"Bearer {TOKEN}"})[0] == 404


def test_signing_in_sets_a_cookie_that_opens_the_page_until_signing_out(bot):
    login = f"{bot.base}/webhooks/staff/login?lang=en"
    status, _, body = fetch(login, data=b"token=not-it")
    assert status == 401 and "Wrong access token." in body
    status, answer, _ = fetch(login, data=f"token={TOKEN}".encode())
    assert status == 303 and answer["Location"] == "/webhooks/staff/?lang=en"
    cookie = answer["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/webhooks/staff/" in cookie
    assert TOKEN not in cookie
    session = cookie.split(";", 1)[0]
    assert fetch(f"{bot.base}/webhooks/staff/", {"Cookie": session})[0] == 200
    status, answer, _ = fetch(f"{bot.base}/webhooks/staff/logout", {"Cookie": session}, data=b"")
    assert status == 303 and "Max-Age=0" in answer["Set-Cookie"]
    # the browser forgets the cookie, but one copied before signing out must not open the page either
    status, _, body = fetch(f"{bot.base}/webhooks/staff/", {"Cookie": session})
    assert status == 401 and "kari@example.no" not in body


def signed_in_cookie(bot, headers):
    status, answer, _ = fetch(f"{bot.base}/webhooks/staff/login", headers, data=f"token={TOKEN}".encode())
    assert status == 303
    return [part.strip().lower() for part in answer["Set-Cookie"].split(";")]


def test_the_cookie_is_secure_when_nginx_says_the_request_came_over_tls(bot):
    # the test talks to Rasa from loopback, as nginx does; a forwarded header from elsewhere: test_staff.py
    assert "secure" in signed_in_cookie(bot, {"X-Forwarded-Proto": "https"})
    assert "secure" not in signed_in_cookie(bot, {"X-Forwarded-Proto": "http"})
    assert "secure" not in signed_in_cookie(bot, {})


def guesses(bot, client, headers=None, data=None, count=200):
    """The statuses and Retry-After headers of `count` requests sent at once, 50 at a time, from one client (as
    nginx on loopback names it in X-Forwarded-For, so that the other tests' client stays unblocked)."""
    def one(_):
        status, answer, _ = fetch(f"{bot.base}/webhooks/staff/" + ("login" if data else "export/checks.csv"),
                                  {"X-Forwarded-For": f"198.51.100.1, {client}", **(headers or {})}, data)
        return status, answer["Retry-After"]
    with ThreadPoolExecutor(50) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("kind", ["header", "form"])
def test_a_burst_of_wrong_tokens_is_answered_429_even_in_parallel(bot, kind):
    client = {"header": "203.0.113.7", "form": "203.0.113.8"}[kind]
    wrong = ({"headers": {"Authorization": "Bearer not-the-token-but-long-enough-0123456789"}} if kind == "header"
             else {"data": b"token=not-the-token-but-long-enough-0123456789"})
    answers = guesses(bot, client, **wrong)
    statuses = [status for status, _ in answers]
    assert set(statuses) == {401, 429} and statuses.count(401) <= ATTEMPTS_AT_ONCE, statuses
    assert all(retry_after and int(retry_after) >= 1 for status, retry_after in answers if status == 429)
    right = {"Authorization": f"Bearer {TOKEN}"}
    assert guesses(bot, client, right, count=1)[0][0] == 429  # the right token too: a guess that hit is not told
    assert guesses(bot, "203.0.113.99", right, count=1)[0][0] == 200  # another client is not held up


def test_the_page_in_a_browser_without_and_with_the_token(bot, tmp_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-GB", accept_downloads=True)
        answer = page.goto(f"{bot.base}/webhooks/staff/")
        assert answer.status == 401
        expect(page.locator("h2")).to_have_text("Sign in")  # the browser's language, from Accept-Language
        page.screenshot(path=str(DOCS / "staff-signin.png"))
        page.fill("#token", "wrong")
        page.click("button[type=submit]")
        expect(page.locator(".error")).to_have_text("Wrong access token.")
        page.fill("#token", TOKEN)
        page.click("button[type=submit]")
        expect(page.locator("#summary-checks strong")).to_have_text("6")
        expect(page.locator("#blocking")).to_contain_text("At least 50% of the participating companies are SMEs.")
        assert page.evaluate("[...document.images].every(image => image.complete && image.naturalWidth > 0)")
        with page.expect_download() as download:
            page.click("text=unanswered.csv")
        saved = tmp_path / "unanswered.csv"
        download.value.save_as(saved)
        assert [row[3] for row in csv.reader(open(saved, encoding="utf-8"))][1:] == [
            "Kan vi søke SkatteFUNN?", "<script>alert(1)</script> horizon?", "kan vi  søke skattefunn?"]
        page.click("text=Norsk")
        expect(page.locator("h1")).to_have_text("Klyngebot for ansatte")
        page.goto(f"{bot.base}/webhooks/staff/?lang=en")
        page.screenshot(path=str(DOCS / "staff-dashboard.png"), full_page=True)
        # a phone: every table a column of cards, and nothing wider than the screen
        page.set_viewport_size({"width": 375, "height": 740})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
        page.screenshot(path=str(DOCS / "staff-phone.png"), full_page=True)
        # the period: only what happened in it is counted
        page.set_viewport_size({"width": 1100, "height": 900})
        page.fill("input[name=from]", "2026-02-04")
        page.fill("input[name=to]", "2026-02-05")
        page.click("form.period button")
        expect(page.locator("#summary-checks strong")).to_have_text("3")
        browser.close()
    assert (DOCS / "staff-dashboard.png").stat().st_size > 50_000


def test_staff_set_a_requests_status_and_owner_on_the_page(bot):
    authorised = {"Authorization": f"Bearer {TOKEN}"}
    listed = dashboard(connect(f"sqlite:///{bot.database}")).requests
    kari = next(request for request in listed if request.name == "Kari Nordmann")
    form = urllib.parse.urlencode({"status": "taken", "taken_by": "Per Hansen"}).encode()
    assert fetch(f"{bot.base}/webhooks/staff/request/{kari.id}?lang=en", data=form)[0] == 401
    status, answer, _ = fetch(f"{bot.base}/webhooks/staff/request/{kari.id}?lang=en", authorised, form)
    assert status == 303 and answer["Location"] == "/webhooks/staff/?lang=en#handoffs"
    taken = next(request for request in dashboard(connect(f"sqlite:///{bot.database}")).requests
                 if request.id == kari.id)
    assert (taken.status, taken.taken_by) == ("taken", "Per Hansen")
    bad = urllib.parse.urlencode({"status": "lost"}).encode()
    assert fetch(f"{bot.base}/webhooks/staff/request/{kari.id}", authorised, bad)[0] == 400
    assert fetch(f"{bot.base}/webhooks/staff/request/999999", authorised, form)[0] == 404


def stored_events(bot, sender):
    with sqlite3.connect(bot.database) as database:
        return [data for (data,) in database.execute("SELECT data FROM events WHERE sender_id = ?",
                                                     (conversation_id("rest", sender),))]


def test_delete_my_data_through_rasas_own_api_leaves_a_blank_conversation(bot):
    assert bot.say("web-forget-me", "hva er maks tilskudd?")
    assert any("maks tilskudd" in data for data in stored_events(bot, "web-forget-me"))
    bot.set_slots("web-forget-me", {"forget_me": True})  # the event the lead's action returns, saved by Rasa
    assert stored_events(bot, "web-forget-me") == []
    assert bot.say("web-forget-me", "hei")  # the next message starts afresh
    events = json.loads(urllib.request.urlopen(f"{bot.base}/conversations/{bot.conversation('web-forget-me')}/tracker")
                        .read())["events"]
    assert [event["text"] for event in events if event["event"] == "user"] == ["hei"]
