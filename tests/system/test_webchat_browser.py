"""The chat widget in a real browser, embedded cross-origin the way a cluster's website embeds it: Debian's
Chromium, headless, driven by Playwright (which downloads no browser). The "cluster websites" are plain pages
served from other ports, with the one script tag; Rasa is started once for the module.

What is checked is the widget's behaviour, not the dialogue's words (the lead is rewriting those): labels from
the message store in the page's language, the welcome and its choices, the bot's buttons, the typing
indicator, the transcript across a reload, the page language in the first message's metadata, keyboard-only
use, focus, contrast of every text the widget shows, the phone layout (a modal that keeps the focus), origins not
configured refused with a notice and the setting named, long-polling where WebSocket is blocked, links for
e-mail and phone, long answers folded, and 👍/👎 in the records. Screenshots at desktop and phone size are
written to docs/."""
import csv
import json
import re
import time
import urllib.error
import urllib.request

import pytest
import yaml
from playwright.sync_api import expect, sync_playwright

from bot.dialogue.message import MAX_CHARS
from bot.saying.messages import message
from channels.senders import conversation_id
from records.identity import user_hash
from tests.loopback import QuietHandler, serve
from tests.services import thumbs_kept
from deploy.local import ROOT, running_bot

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"  # installed by scripts/ensure-services
# Without the networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
DOCS = ROOT / "docs"
REPLY_MS = 20000
# The widget's labels as the message store has them (the expected values, read without the code under test).
WIDGET_MESSAGES = yaml.safe_load((ROOT / "bot" / "data" / "messages" / "widget.yaml").read_text(encoding="utf-8"))
LABELS = WIDGET_MESSAGES["widget"]
SELF_CHOSEN_YELLOW = "#f2c200"  # a brand colour on which white text would be unreadable


def label(key: str, language: str) -> str:
    return LABELS[key][language].strip()


class ClusterSite:
    """A plain website on a port of its own that embeds the widget with one script tag."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        site = self

        class Handler(QuietHandler):
            def do_GET(self):
                page = site.pages.get(self.path)
                self.reply(200 if page else 404, (page or "not found").encode(), "text/html; charset=utf-8")

        self.server = serve(Handler)
        # "localhost" here and 127.0.0.1 for the bot: another host and another port, so cross-origin for real
        self.origin = f"http://localhost:{self.server.server_port}"

    def add(self, path: str, bot_base: str, html_lang: str, **attributes: str) -> str:
        data = "".join(f' data-{name}="{value}"' for name, value in attributes.items())
        self.pages[path] = f"""<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Klynge</title></head>
<body style="font-family: serif; background: #fafafa"><header><a href="/">Forsiden</a></header>
<main><h1>Velkommen til klyngen</h1><p>Medlemsbedrifter, prosjekter og arrangementer.</p></main>
<script src="{bot_base}/webhooks/webchat/widget.js"{data} defer></script></body></html>"""
        return self.origin + path


@pytest.fixture(scope="module")
def sites():
    allowed, refused = ClusterSite(), ClusterSite()
    yield allowed, refused
    allowed.server.shutdown()
    refused.server.shutdown()


@pytest.fixture(scope="module")
def bot(tmp_path_factory, sites):
    allowed, _ = sites
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLYNGEBOT_ALLOWED_ORIGINS", allowed.origin)
        with running_bot(tmp_path_factory.mktemp("webchat"), "2015-06-01") as running:
            yield running


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def tracker(bot, session_id: str) -> dict:
    """The web chat session's conversation, `web:<session id>` in Rasa (channels/senders.py)."""
    with urllib.request.urlopen(f"{bot.base}/conversations/{conversation_id('webchat', session_id)}/tracker",
                                timeout=30) as answer:
        return json.loads(answer.read())


def stored(page, bot, name: str, storage: str = "localStorage"):
    return page.evaluate(f"JSON.parse({storage}.getItem('klyngebot:{bot.base}:{name}'))")


def bot_messages(page):
    return page.locator(".kb-msg--bot")


def await_reply(page, count_before: int) -> None:
    expect(bot_messages(page)).not_to_have_count(count_before, timeout=REPLY_MS)


def watch_typing_indicator(page) -> None:
    """Remembers whether the typing indicator was ever shown: the reply may come too fast to look for it."""
    page.evaluate("""() => {
        const typing = document.querySelector('[data-klyngebot]').shadowRoot.querySelector('.kb-typing');
        window.typingShown = false;
        new MutationObserver(() => { if (!typing.hidden) { window.typingShown = true; } })
            .observe(typing, {attributes: true});
    }""")


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.1 relative luminance."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first, second) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colours(page) -> list[dict]:
    """Every visible text in the widget with its CSS colour and the first opaque background behind it."""
    return page.evaluate("""() => {
        const root = document.querySelector('[data-klyngebot]').shadowRoot;
        const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
        const opaque = (value) => { const c = rgb(value); return c.length === 3 || (c.length === 4 && c[3] === 1); };
        const backdrop = (node) => {
            for (; node && node !== root; node = node.parentNode) {
                if (node.nodeType === 1 && opaque(getComputedStyle(node).backgroundColor)) {
                    return rgb(getComputedStyle(node).backgroundColor).slice(0, 3);
                }
            }
            return [255, 255, 255];
        };
        const found = [];
        root.querySelectorAll('.kb-panel *, .kb-panel input').forEach((node) => {
            const own = Array.from(node.childNodes).some((child) => child.nodeType === 3 && child.textContent.trim());
            const box = node.getBoundingClientRect();
            if ((own || (node.tagName === 'INPUT' && node.placeholder)) && box.width && box.height
                    && !node.closest('.kb-sr')) {
                const style = getComputedStyle(node);
                found.push({text: (node.textContent || node.placeholder).trim().slice(0, 40),
                            color: rgb(style.color).slice(0, 3), background: backdrop(node)});
            }
        });
        return found;
    }""")


def assert_readable(page) -> None:
    colours = text_colours(page)
    assert len(colours) > 8
    poor = [(entry["text"], round(contrast_ratio(entry["color"], entry["background"]), 2)) for entry in colours
            if contrast_ratio(entry["color"], entry["background"]) < 4.5]  # WCAG 2.1 SC 1.4.3, normal text
    assert not poor, poor


def test_a_conversation_in_the_widget_on_a_cluster_website(browser, bot, sites):
    site, _ = sites
    url = site.add("/nb.html", bot.base, "nb")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    bubble = page.get_by_role("button", name=label("open", "nb"))
    expect(bubble).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".kb-panel")).to_be_hidden()

    bubble.click()
    expect(bubble).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog", name=label("title", "nb"))).to_be_visible()
    expect(page.get_by_role("textbox", name=label("message", "nb"))).to_be_focused()
    assert page.locator(".kb-panel").get_attribute("aria-modal") is None  # beside the page, which stays usable
    expect(page.locator("#kb-input")).to_have_attribute("placeholder", label("placeholder", "nb"))
    expect(bot_messages(page).first).to_contain_text(label("welcome", "nb")[:40])

    # a welcome choice: shown as the user's message, sent as its payload, with the page language
    watch_typing_indicator(page)
    first_choice = LABELS["welcome_choices"][0]
    page.get_by_role("group", name=label("choices", "nb")).get_by_role(
        "button", name=first_choice["title"]["nb"]).click()
    expect(page.locator(".kb-msg--user").last).to_have_text(f"{label('you', 'nb')}: {first_choice['title']['nb']}")
    await_reply(page, 1)
    assert page.evaluate("window.typingShown")
    expect(page.locator(".kb-typing")).to_be_hidden(timeout=REPLY_MS)

    # the bot's own buttons work, and only the latest ones can still be chosen
    expect(page.locator(".kb-choices").first.get_by_role("button").first).to_be_disabled()
    answered = bot_messages(page).count()
    live = page.locator(".kb-choices button:not([disabled])")
    expect(live.first).to_be_visible(timeout=REPLY_MS)
    choice = live.first.inner_text()
    live.first.click()
    expect(page.locator(".kb-msg--user").last).to_contain_text(choice)
    await_reply(page, answered)

    answered = bot_messages(page).count()
    page.fill("#kb-input", "hva er maks tilskudd?")
    page.press("#kb-input", "Enter")
    expect(page.locator("#kb-input")).to_have_value("")
    await_reply(page, answered)
    page.wait_for_timeout(1500)  # the rest of a reply in several messages
    assert_readable(page)
    page.screenshot(path=str(DOCS / "widget-desktop.png"), animations="disabled", caret="hide")

    transcript = page.locator(".kb-msg").all_inner_texts()
    page.reload()  # the conversation survives: the same transcript, the panel open, the same session
    expect(page.locator(".kb-msg")).to_have_count(len(transcript), timeout=10000)
    assert page.locator(".kb-msg").all_inner_texts() == transcript
    expect(page.locator(".kb-panel")).to_be_visible()

    session_id = stored(page, bot, "session")
    events = [event for event in tracker(bot, session_id)["events"] if event["event"] == "user"]
    assert len(events) == page.locator(".kb-msg--user").count() == 3
    assert (events[0]["text"], events[2]["text"]) == (first_choice["payload"], "hva er maks tilskudd?")
    assert events[0]["metadata"]["language"] == "nb"  # the page language, with the first message only
    assert all("language" not in (event.get("metadata") or {}) for event in events[1:])
    context.close()
    assert (DOCS / "widget-desktop.png").stat().st_size > 20_000


def test_an_english_page_on_a_phone_keeps_the_chat_for_the_tab(browser, bot, sites):
    site, _ = sites
    url = site.add("/en.html", bot.base, "en-GB", storage="session")
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name=label("open", "en")).click()
    panel = page.locator(".kb-panel")
    expect(panel).to_be_visible()
    assert panel.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}  # the whole phone screen
    expect(page.locator("#kb-input")).to_have_attribute("placeholder", label("placeholder", "en"))
    expect(page.get_by_role("button", name=label("restart", "en"))).to_be_visible()
    expect(bot_messages(page).first).to_contain_text(label("welcome", "en")[:40])

    page.fill("#kb-input", "what is the maximum grant?")
    page.press("#kb-input", "Enter")
    await_reply(page, 1)
    page.wait_for_timeout(1500)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_readable(page)
    page.screenshot(path=str(DOCS / "widget-phone.png"), animations="disabled", caret="hide")

    session_id = stored(page, bot, "session", "sessionStorage")
    assert page.evaluate("Object.keys(localStorage).filter((key) => key.startsWith('klyngebot:')).length") == 0
    first = next(event for event in tracker(bot, session_id)["events"] if event["event"] == "user")
    assert first["metadata"]["language"] == "en"
    shown = page.locator(".kb-msg").count()
    page.reload()
    expect(page.locator(".kb-msg")).to_have_count(shown, timeout=10000)
    context.close()
    assert (DOCS / "widget-phone.png").stat().st_size > 20_000


def test_keyboard_only_with_the_sites_own_colour_and_title(browser, bot, sites):
    site, _ = sites
    url = site.add("/keyboard.html", bot.base, "nb", color=SELF_CHOSEN_YELLOW, title="Spør klyngen")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    bubble = page.get_by_role("button", name=label("open", "nb"))
    expect(bubble).to_be_visible()
    page.keyboard.press("Tab")  # the site's own link first
    page.keyboard.press("Tab")
    expect(bubble).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Spør klyngen")).to_be_visible()
    expect(page.locator("#kb-input")).to_be_focused()

    # from the text field back to the welcome's last choice, and choose it with the space bar
    page.keyboard.press("Shift+Tab")
    last_choice = LABELS["welcome_choices"][-1]["title"]["nb"]
    expect(page.get_by_role("button", name=last_choice)).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(".kb-msg--user").last).to_contain_text(last_choice)
    expect(page.locator("#kb-input")).to_be_focused()
    await_reply(page, 1)

    answered = bot_messages(page).count()
    page.keyboard.type("takk")
    page.keyboard.press("Enter")
    await_reply(page, answered)
    header = page.locator(".kb-header")  # dark text on the yellow, where white would not do
    text, background = [[int(channel) for channel in re.findall(r"\d+", header.evaluate(
        f"(node) => getComputedStyle(node).{prop}"))[:3]] for prop in ("color", "backgroundColor")]
    assert text == [27, 42, 58] and contrast_ratio(text, background) >= 4.5
    assert_readable(page)

    # start again: a new conversation with the welcome, and the keyboard still in the chat
    session_before = stored(page, bot, "session")
    page.get_by_role("button", name=label("restart", "nb")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".kb-status")).to_have_text(label("restart_done", "nb"))
    expect(page.locator(".kb-msg")).to_have_count(1)
    expect(page.locator("#kb-input")).to_be_focused()
    page.keyboard.type("hei")
    page.keyboard.press("Enter")
    await_reply(page, 1)
    assert stored(page, bot, "session") not in (None, session_before)

    page.keyboard.press("Escape")  # closes, and the focus goes back to the bubble
    expect(page.locator(".kb-panel")).to_be_hidden()
    expect(bubble).to_be_focused()
    expect(bubble).to_have_attribute("aria-expanded", "false")
    context.close()


def test_a_website_not_configured_gets_a_notice_and_the_setting_is_named(browser, bot, sites):
    _, refused = sites
    page = browser.new_page()
    console = []
    page.on("console", lambda message: console.append((message.type, message.text)))
    page.goto(refused.add("/other.html", bot.base, "nb"))
    notice = page.locator(".kb-refused")
    expect(notice).to_have_text(WIDGET_MESSAGES["widget_refused"]["notice"]["nb"].format(
        origin=refused.origin, setting="KLYNGEBOT_ALLOWED_ORIGINS"))
    assert page.locator(".kb-bubble").count() == 0
    errors = [text for kind, text in console if kind == "error" and text.startswith("Klyngebot:")]
    assert len(errors) == 1 and refused.origin in errors[0] and "KLYNGEBOT_ALLOWED_ORIGINS" in errors[0], console
    page.close()
    logged = [line for line in bot.servers.log("rasa0").splitlines() if "chat widget is refused" in line]
    assert len(logged) == 1 and f'"{refused.origin}"' in logged[0] and "KLYNGEBOT_ALLOWED_ORIGINS" in logged[0]


def test_a_bot_out_of_reach_is_not_taken_for_a_refusal(browser, bot, sites):
    site, _ = sites
    with urllib.request.urlopen(f"{bot.base}/webhooks/webchat/widget.js", timeout=30) as answer:
        widget = answer.read()

    class ProxyWithoutItsBot(QuietHandler):  # the widget still in its cache; everything else a 502
        def do_GET(self):
            if self.path.startswith("/webhooks/webchat/widget.js"):
                self.reply(200, widget, "text/javascript")
            else:
                self.reply(502, b"<html>502 Bad Gateway</html>", "text/html")

    proxy = serve(ProxyWithoutItsBot)
    page = browser.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(site.add("/down.html", f"http://127.0.0.1:{proxy.server_port}", "nb"))
        expect(page.locator("body")).to_be_visible()
        assert wait_until(lambda: any("cannot be reached" in text for text in console)), console
    finally:
        proxy.shutdown()
    assert page.locator("[data-klyngebot]").count() == 0
    assert not any("ALLOWED_ORIGINS" in text for text in console)
    page.close()


def wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def request_headers(url: str, origin: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_only_configured_origins_may_use_the_chat(bot, sites):
    allowed, refused = sites
    polling = f"{bot.base}/socket.io/?EIO=4&transport=polling"
    status, headers = request_headers(polling, allowed.origin)
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == allowed.origin
    assert request_headers(polling, bot.base)[0] == 200  # the bot's own chat page
    assert request_headers(polling, refused.origin)[0] == 400
    assert request_headers(polling, "https://evil.example")[0] == 400

    texts = f"{bot.base}/webhooks/webchat/widget-texts.json?language=en"
    assert request_headers(texts, allowed.origin)[1].get("Access-Control-Allow-Origin") == allowed.origin
    assert "Access-Control-Allow-Origin" not in request_headers(texts, refused.origin)[1]
    # Rasa's HTTP API (trackers, with no token) is for the bot's own host only, never for other websites
    assert "Access-Control-Allow-Origin" not in request_headers(f"{bot.base}/status", allowed.origin)[1]


def test_the_standalone_chat_page(browser, bot):
    page = browser.new_page(viewport={"width": 800, "height": 700}, locale="nb-NO")
    page.goto(f"{bot.base}/webhooks/webchat/chat")
    expect(page.locator(".kb-panel")).to_be_visible()
    assert page.locator(".kb-bubble").count() == 0
    expect(page.get_by_role("heading", level=1, name=label("title", "nb"))).to_be_visible()
    expect(page.locator("#kb-input")).to_be_focused()
    # the field takes no more than the bot reads (bot.dialogue.message.MAX_CHARS)
    assert page.locator("#kb-input").get_attribute("maxlength") == str(MAX_CHARS)
    page.keyboard.type("kan et universitet være partner?")
    page.keyboard.press("Enter")
    await_reply(page, 1)
    page.close()


def test_the_page_language_reaches_the_language_slot(browser, bot, sites):
    site, _ = sites
    page = browser.new_page()
    page.goto(site.add("/slot.html", bot.base, "en"))
    page.get_by_role("button", name=label("open", "en")).click()
    # a choice sends only its payload: no words from which the bot could tell the language itself
    page.get_by_role("button", name=LABELS["welcome_choices"][0]["title"]["en"]).click()
    await_reply(page, 1)
    slots = tracker(bot, stored(page, bot, "session"))["slots"]
    page.close()
    assert slots["language"] == "en"


# A WebSocket as a proxy that refuses the upgrade leaves it: it fails without opening. Each try is noted, as is
# each long-polling request, in window.transportsTried.
BLOCKED_WEBSOCKET = """
window.transportsTried = [];
window.WebSocket = class extends EventTarget {
    constructor(url) {
        super();
        window.transportsTried.push("websocket");
        this.url = url; this.readyState = 0;
        setTimeout(() => {
            this.readyState = 3;
            if (this.onerror) { this.onerror(new Event("error")); }
            if (this.onclose) { this.onclose({code: 1006, reason: "", wasClean: false}); }
        }, 20);
    }
    send() {} close() {}
};
const open = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    if (String(url).includes("transport=polling")) { window.transportsTried.push("polling"); }
    return open.call(this, method, url, ...rest);
};
"""


def test_with_websocket_blocked_the_conversation_goes_over_long_polling(browser, bot, sites):
    site, _ = sites
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(BLOCKED_WEBSOCKET)
    page = context.new_page()
    page.goto(site.add("/proxied.html", bot.base, "nb"))
    page.get_by_role("button", name=label("open", "nb")).click()
    page.fill("#kb-input", "hva er maks tilskudd?")
    page.press("#kb-input", "Enter")
    await_reply(page, 1)
    tried = page.evaluate("window.transportsTried")
    assert tried[0] == "websocket" and "polling" in tried
    expect(page.locator(".kb-status")).to_have_text("")

    page.reload()  # the next page starts with what got through, and the conversation goes on
    expect(page.locator(".kb-panel")).to_be_visible()
    answered = bot_messages(page).count()
    page.fill("#kb-input", "kan et universitet være partner?")
    page.press("#kb-input", "Enter")
    await_reply(page, answered)
    assert page.evaluate("window.transportsTried")[0] == "polling"
    said = [event["text"] for event in tracker(bot, stored(page, bot, "session"))["events"] if event["event"] == "user"]
    assert said == ["hva er maks tilskudd?", "kan et universitet være partner?"]
    context.close()


def focus_in_chat(page) -> bool:
    return page.evaluate("""() => {
        const host = document.querySelector('[data-klyngebot]');
        const inside = host.shadowRoot.activeElement;
        return document.activeElement === host && !!inside && !!inside.closest('.kb-panel');
    }""")


def test_on_a_phone_the_open_chat_is_modal_and_keeps_the_keyboard(browser, bot, sites):
    site, _ = sites
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site.add("/phone-keys.html", bot.base, "nb"))
    bubble = page.get_by_role("button", name=label("open", "nb"))
    bubble.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=label("title", "nb"))
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(page.locator("#kb-input")).to_be_focused()
    stops = page.evaluate("""() => Array.from(document.querySelector('[data-klyngebot]').shadowRoot
        .querySelectorAll('.kb-panel button:not([disabled]), .kb-panel input')).filter((node) =>
        node.getClientRects().length).length""")
    seen = set()
    for _ in range(stops + 2):  # once round the chat and further: never out to the page behind it
        page.keyboard.press("Tab")
        assert focus_in_chat(page)
        seen.add(page.evaluate("document.querySelector('[data-klyngebot]').shadowRoot.activeElement.outerHTML"))
    assert len(seen) == stops
    page.get_by_role("button", name=label("restart", "nb")).focus()  # the first stop: Shift+Tab goes to the last
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name=label("send", "nb"))).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".kb-panel")).to_be_hidden()
    expect(bubble).to_be_focused()
    assert page.locator(".kb-panel").get_attribute("aria-modal") is None
    context.close()


LONG_REASONING = "\n".join(f"• regel {number}: oppfylt" for number in range(1, 13))
CONTACTS = ("Skriv til eipet@innovasjonnorge.no eller ring +47 22 00 25 00 eller 815 48 000. "
            "Inntil 10 000 000 kr. <img src=x onerror=alert(1)>")


def test_answers_link_contacts_fold_long_reasoning_and_fit_short_replies(browser, bot, sites):
    site, _ = sites
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    shown = [{"from": "bot", "text": CONTACTS, "flaggable": True}, {"from": "user", "text": "takk"},
             {"from": "bot", "text": "Ja.", "flaggable": True}, {"from": "bot", "text": LONG_REASONING, "flaggable": True}]
    context.add_init_script(f"""localStorage.setItem('klyngebot:{bot.base}:transcript', {json.dumps(json.dumps(shown))});
                                localStorage.setItem('klyngebot:{bot.base}:open', 'true');""")
    page = context.new_page()
    page.goto(site.add("/format.html", bot.base, "nb"))
    contacts = bot_messages(page).first
    expect(contacts.get_by_role("link", name="eipet@innovasjonnorge.no")).to_have_attribute(
        "href", "mailto:eipet@innovasjonnorge.no")
    expect(contacts.get_by_role("link", name="+47 22 00 25 00")).to_have_attribute("href", "tel:+4722002500")
    expect(contacts.get_by_role("link", name="815 48 000")).to_have_attribute("href", "tel:81548000")
    assert contacts.locator("a").count() == 3  # not the amount
    assert "<img src=x onerror=alert(1)>" in contacts.inner_text() and contacts.locator("img").count() == 0

    log_width = page.locator(".kb-log").bounding_box()["width"]
    for short in (bot_messages(page).nth(1), page.locator(".kb-msg--user").first):
        assert short.bounding_box()["width"] < log_width / 3, short.inner_text()

    reasoning = bot_messages(page).nth(2)
    more = reasoning.get_by_role("button", name=label("more", "nb"))
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(reasoning.get_by_text("regel 8: oppfylt")).to_be_visible()
    expect(reasoning.get_by_text("regel 9: oppfylt")).to_be_hidden()
    more.click()
    expect(reasoning.get_by_text("regel 12: oppfylt")).to_be_visible()
    expect(reasoning.get_by_role("button", name=label("less", "nb"))).to_have_attribute("aria-expanded", "true")
    context.close()


def test_thumbs_up_and_down_reach_the_records(browser, bot, sites):
    site, _ = sites
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site.add("/thumbs.html", bot.base, "nb"))
    page.get_by_role("button", name=label("open", "nb")).click()
    for question in ("hva er maks tilskudd?", "kan et universitet være partner?"):
        answered = bot_messages(page).count()
        page.fill("#kb-input", question)
        page.press("#kb-input", "Enter")
        await_reply(page, answered)
        page.wait_for_timeout(1000)  # the rest of a reply in several messages
    answers = bot_messages(page)
    first, last = answers.nth(1), answers.last
    first.get_by_role("button", name=label("thumbs_up", "nb")).click()
    last.get_by_role("button", name=label("flag", "nb")).click()
    expect(last.get_by_role("button", name=label("flag", "nb"))).to_have_attribute("aria-pressed", "true")
    expect(last.get_by_role("button", name=label("thumbs_up", "nb"))).to_be_disabled()
    transcript = stored(page, bot, "transcript")
    conversation = conversation_id("webchat", stored(page, bot, "session"))
    # the answers as the bot sent them (the widget's own copy), with the thumb it remembers for each
    given = {(entry["thumb"], entry["text"]) for entry in transcript if entry.get("thumb")}
    assert {thumb for thumb, _ in given} == {"thumbs_up", "thumbs_down"}
    hashed = user_hash(conversation, bot.servers.environment["KLYNGEBOT_HASH_KEY"].encode())  # the bot's key

    def rows():
        return thumbs_kept(bot, hashed)
    assert wait_until(lambda: len(rows()) == 2)  # written in the background of the socket's event
    assert {(row.reason, row.text) for row in rows()} == given
    context.close()
    assert all(row.channel == "webchat" for row in rows())


def test_the_ranking_can_be_downloaded_from_the_chat_page(browser, bot, tmp_path):
    """Staff prioritise one proposal in the chat and save the ranking as CSV from the link the bot gives."""
    page = browser.new_page(viewport={"width": 800, "height": 900}, locale="nb-NO", accept_downloads=True)
    page.goto(f"{bot.base}/webhooks/webchat/chat")
    rank_now = message("conversation.button.rank_now", "nb")
    for text in ("vi skal prioritere forslagene fra bedriftene", "NCE", "Havdrone",
                 "3 bedrifter, 2 SMB-er, budsjett 600 000 kr, ingen utenlandske", "ja", "5 6 4 5", rank_now):
        before = bot_messages(page).count()
        page.locator("#kb-input").fill(text)
        page.keyboard.press("Enter")
        await_reply(page, before)
        page.wait_for_timeout(300)  # the rest of the turn's messages
    link = page.locator("a.kb-download")
    expect(link).to_have_text(message("conversation.prioritise.download", "nb"), timeout=REPLY_MS)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    page.close()
    assert saved.suffix == ".csv"
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert any("Havdrone" in row for row in rows[1:]), rows
