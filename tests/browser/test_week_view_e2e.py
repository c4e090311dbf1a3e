"""The week view end to end in a real headless Chromium: the unmodified bot runs against the
sandbox and the Telegram emulator; the owner taps "🗓 Voir la semaine" in the chat (the
emulator gives the page its signed initData, as a Telegram client does), the browser opens the
bot's own page, and a slot tapped there brings the chat to the usual summary and "Confirmer".
Screenshots of the real page, light and dark, French and English, go to docs/images/.

The emulator's public URL is https (Telegram opens nothing else); the browser opens the same
path on the bot's loopback server, with the fragment the client would append."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from bot.miniapp.init_data import sign_init_data
from bot.standins.emulator import Person
from tests.e2e.flow import confirm, identify, next_step, to_when, to_when_in_english
from tests.support.browser import Browser, ChromeDriver, ColorScheme, Keys, opened
from tests.support.telegram_fixtures import TEST_BOT_TOKEN
from tests.support.vetbot_fixtures import VetbotRun
from tests.support.week_view import taken_at_the_desk

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
ANY_VET = "No preference"
WEEK_SHOWN = "return document.querySelectorAll('#days h2').length === 7;"


@pytest.fixture
def page(week_view_page: str) -> str:
    return week_view_page


async def open_in_browser(
    browser: Browser, person: Person, page: str, label: str, theme: ColorScheme = "light"
) -> None:
    """The person taps the week view's button; the browser opens what the client would."""
    launch = await person.open_mini_app(label, theme=theme)
    assert urlsplit(launch.url).path == urlsplit(page).path
    await browser.goto(f"{page}#{launch.fragment}")
    await browser.wait_until(WEEK_SHOWN)


async def status(browser: Browser, part: str) -> str:
    await browser.wait_until(
        "return document.getElementById('status').textContent.includes(arguments[0]);", part
    )
    return str(await browser.execute("return document.getElementById('status').textContent;"))


async def test_an_owner_sees_the_week_taps_a_slot_and_confirms_in_the_chat(
    vetbot_setup: VetbotRun, page: str, marie: Person, chromedriver: ChromeDriver
) -> None:
    async with vetbot_setup.running():
        await identify(marie)
        await to_when(marie)
        await marie.send("mercredi à 10h")
        await next_step(marie)  # the chat's own slots, with the week view under them
        schemes: tuple[ColorScheme, ...] = ("light", "dark")
        for scheme in schemes:
            async with opened(chromedriver, color_scheme=scheme) as browser:
                await open_in_browser(browser, marie, page, "Voir la semaine", scheme)
                await browser.screenshot(IMAGES / f"week-view-fr-{scheme}.png")
        async with opened(chromedriver) as browser:
            await open_in_browser(browser, marie, page, "Voir la semaine")
            title = await (await browser.find("#title")).text()
            assert title == "Choisir un créneau"
            headings = [await h.text() for h in await browser.find_all("#days h2")]
            assert headings[0].lower().startswith("mercredi 25 novembre"), headings
            asked = await browser.find("button.slot.asked")
            assert (await asked.text()).startswith("10:00")
            assert "mercredi 25 novembre à 10:00" in (await asked.attribute("aria-label") or "")
            await (await browser.find("#next")).click()
            await browser.wait_until(
                "return document.querySelector('#days h2').textContent.includes('2 décembre');"
            )
            await (await browser.find("#previous")).click()
            await browser.wait_until("return !!document.querySelector('button.slot.asked');")
            await (await browser.find("button.slot.asked")).click()
            await status(browser, "revenez dans la conversation")
        summary = await next_step(marie)
        assert "Récapitulatif" in summary.text and "mercredi 25 novembre à 10:00" in summary.text
        done = await confirm(marie)
        assert "10:00" in done.text
    booked = vetbot_setup.sandbox.appointments_for(vetbot_setup.sandbox.seed.demo_pet.id)
    assert len(booked) == 1


async def test_keyboard_only_in_english(
    vetbot_setup: VetbotRun, page: str, marie: Person, chromedriver: ChromeDriver
) -> None:
    async with vetbot_setup.running():
        await identify(marie)
        await to_when_in_english(marie, ANY_VET)
        schemes: tuple[ColorScheme, ...] = ("light", "dark")
        for scheme in schemes:
            async with opened(chromedriver, color_scheme=scheme, lang="en-GB") as browser:
                await open_in_browser(browser, marie, page, "See the week", scheme)
                await browser.screenshot(IMAGES / f"week-view-en-{scheme}.png")
        async with opened(chromedriver, lang="en-GB") as browser:
            await open_in_browser(browser, marie, page, "See the week")
            assert await browser.execute("return document.documentElement.lang;") == "en"
            for _ in range(6):  # Tab from the top until a slot has the focus
                await browser.press(Keys.TAB)
                if await browser.execute("return !!document.activeElement.dataset.slot;"):
                    break
            label = await browser.execute("return document.activeElement.ariaLabel;")
            assert ", with Dr " in label, label  # any vet: each slot names its vet
            await browser.press(Keys.ENTER)
            await status(browser, "go back to the chat")
        summary = await next_step(marie)
        when, vet = label.split(", with ")
        assert "Summary" in summary.text and when in summary.text and vet in summary.text, (
            label,
            summary.text,
        )
        assert any("Confirm" in button for button in summary.buttons)


async def test_a_slot_taken_meanwhile_then_forged_stale_and_foreign_pages(
    vetbot_setup: VetbotRun, page: str, marie: Person, thomas: Person, browser: Browser
) -> None:
    sandbox = vetbot_setup.sandbox
    async with vetbot_setup.running():
        await identify(marie)
        await to_when(marie)
        await open_in_browser(browser, marie, page, "Voir la semaine")
        first = await browser.find("button.slot")
        taken = await first.attribute("data-slot") or ""
        taken_at_the_desk(sandbox, taken)  # while the page was open
        await first.click()
        await status(browser, "vient d'être pris")
        slots = [await b.attribute("data-slot") for b in await browser.find_all("button.slot")]
        assert taken not in slots and slots
        assert "Quand souhaitez-vous venir" in (marie.last_text or "")

        now = int(vetbot_setup.clock().timestamp())
        refusals = {
            "forged": (marie, "654321:ANOTHER-BOT-token", now, "rouvrez-la"),
            "stale": (marie, TEST_BOT_TOKEN, now - 2 * 3600, "rouvrez-la"),
            # Thomas's own page: his chat is at no time step, and Marie's is never his to see.
            "foreign": (thomas, TEST_BOT_TOKEN, now, "pas de créneau à choisir"),
        }
        await identify(thomas)
        for case, (who, token, signed_at, said) in refusals.items():
            user = f'{{"id":{who.user.id},"first_name":"{who.user.first_name}"}}'
            init_data = sign_init_data({"user": user, "auth_date": str(signed_at)}, token)
            await browser.goto("about:blank")  # a new page, not a change of fragment
            await browser.goto(f"{page}#tgWebAppData={quote(init_data, safe='')}")
            await status(browser, said)
            assert await browser.find_all("button.slot") == [], case
            assert "Mimi" not in await browser.execute("return document.body.innerText;"), case
