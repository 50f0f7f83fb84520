"""The chat widget in a real browser, embedded cross-origin the way a cluster's website embeds it: Debian's
Chromium, headless, driven by Playwright (which downloads no browser). The "cluster websites" are plain pages
served from other ports, with the one script tag; Rasa is started once for the module.

What is checked is the widget's behaviour, not the dialogue's words (the lead is rewriting those): labels from
the message store in the page's language, the welcome and its choices, the bot's buttons, the typing
indicator, the transcript across a reload, the page language in the first message's metadata, keyboard-only
use, focus, contrast of every text the widget shows, the phone layout, and origins not configured refused.
Screenshots at desktop and phone size are written to docs/."""
import json
import re
import urllib.error
import urllib.request

import pytest
import yaml
from playwright.sync_api import expect, sync_playwright

from bot.dialogue.message import MAX_CHARS
from channels.senders import conversation_id
from tests.loopback import QuietHandler, serve
from deploy.local import ROOT, running_bot

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"  # installed by scripts/ensure-services
# Without the networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
DOCS = ROOT / "docs"
REPLY_MS = 20000
# The widget's labels as the message store has them (the expected values, read without the code under test).
LABELS = yaml.safe_load((ROOT / "bot" / "data" / "messages" / "widget.yaml").read_text(encoding="utf-8"))["widget"]
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


def test_a_website_not_configured_gets_no_chat(browser, bot, sites):
    _, refused = sites
    page = browser.new_page()
    warnings = []
    page.on("console", lambda message: warnings.append(message.text))
    page.goto(refused.add("/other.html", bot.base, "nb"))
    page.wait_for_function("() => document.readyState === 'complete'")
    page.wait_for_timeout(1000)
    assert page.locator("[data-klyngebot]").count() == 0
    assert any("cannot start" in warning for warning in warnings), warnings
    page.close()


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
