"""The chat page in a real browser: Debian's Chromium, headless, driven by Playwright (which downloads no
browser), through a check on a phone-sized screen, with quick replies and a reload in the middle."""

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.servers import ROOT, running_bot

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"  # installed by scripts/ensure-services
# Without the networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
OUTPUT = ROOT / "test-results"


def test_a_check_on_the_chat_page(tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    with running_bot(tmp_path, "2015-06-01") as bot, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        page.goto(f"{bot.base}/webhooks/webchat/chat")
        messages = page.locator("#messages")

        def say(text: str, expected: str) -> None:
            page.fill("#text", text)
            page.press("#text", "Enter")
            expect(messages.locator(".message--bot").last).to_contain_text(expected, timeout=20000)

        def click(title: str, expected: str) -> None:
            page.locator(".quick-replies button:not([disabled])", has_text=title).last.click()
            expect(messages.locator(".message--bot").last).to_contain_text(expected, timeout=20000)

        say("kan vi søke om støtte?", "Hvem søker")
        click("En bedrift", "Handler prosjektet mest om")
        click("Innovasjon", "Hvilket klyngeprogram")
        click("NCE", "Kommer initiativet")
        page.reload()  # the session and the transcript survive a reload
        expect(messages).to_contain_text("Hvilket klyngeprogram", timeout=10000)
        click("Ja", "Hvor mange bedrifter")
        say("tre", "Hvor mange av dem er små")
        say("2", "utenlandske")
        say("0", "offentlige foretak")
        click("Nei", "uavhengige")
        click("Ja", "komplementær")
        click("Ja", "norske budsjettet")
        say("kr 1,2 mill", "hvorfor")
        expect(messages).to_contain_text("Best egnet: Innovasjonsrammen (oppfyller kravene).")
        expect(messages.locator("strong", has_text="Innovasjonsrammen").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        page.screenshot(path=str(OUTPUT / "webchat-phone.png"), full_page=False)
        browser.close()
    assert (OUTPUT / "webchat-phone.png").stat().st_size > 10_000
