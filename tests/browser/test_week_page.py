"""The week view (bot/miniapp/static/) in a real headless Chromium, against a stand-in server.

The stand-in serves the three static files as docs/mini-app.md says (`{page url}`,
`{page url}/week.css`, `{page url}/week.js`, with the page at `/app`) and answers the two API
routes with fixture JSON of exactly the documented shape, French or English. It checks that
every API request carries `Authorization: tma <initData>` and records the requests.

The screenshots in docs/images/ (week-view-{fr,en}-{light,dark}.png) are written by the end to
end test (tests/browser/test_week_view_e2e.py), from the real bot's page.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from bot.miniapp.init_data import sign_init_data
from bot.runtime.asgi_server import serve_asgi
from tests.support.browser import Browser, ChromeDriver, Keys, opened

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "bot" / "miniapp" / "static"
IMAGES = ROOT / "docs" / "images"
PAGE_FILES = ("week.html", "week.css", "week.js")

INIT_DATA = sign_init_data(
    {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(
            {"id": 279058397, "first_name": "Camille", "language_code": "fr"},
            separators=(",", ":"),
        ),
        "auth_date": "1796630400",
    },
    "777:a-bot-token-for-the-page-tests",
)
"""A signed initData as Telegram hands it over: a query string whose `user` is url-encoded JSON,
so the page must decode the fragment once, and only once."""

TELEGRAM_LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
TELEGRAM_DARK = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#0f0f0f",
}

# -- Fixture JSON, as docs/mini-app.md shapes it --------------------------------------------

TEXTS = {
    "fr": {
        "title": "Choisir un créneau",
        "previous": "◀ Semaine précédente",
        "next": "Semaine suivante ▶",
        "closed": "Fermé",
        "no_slot": "Aucun créneau libre",
        "asked": "Votre demande",
        "any_vet": "Tous les vétérinaires",
        "chosen": "C'est noté : revenez dans la conversation pour confirmer.",
        "loading": "Chargement…",
        "error": "Un souci de notre côté : réessayez, ou revenez dans la conversation.",
    },
    "en": {
        "title": "Choose a time",
        "previous": "◀ Previous week",
        "next": "Next week ▶",
        "closed": "Closed",
        "no_slot": "No free time",
        "asked": "Your request",
        "any_vet": "Any vet",
        "chosen": "Noted: go back to the conversation to confirm.",
        "loading": "Loading…",
        "error": "Something went wrong on our side: try again, or go back to the conversation.",
    },
}
MESSAGES = {
    "fr": {
        "ok": "Lundi 7 décembre à 09:00 : revenez dans la conversation pour confirmer.",
        "taken": "Ce créneau vient d'être pris : en voici d'autres.",
        "refused": "Cette page a expiré : rouvrez-la depuis la conversation.",
    },
    "en": {
        "ok": "Monday 7 December at 09:00: go back to the conversation to confirm.",
        "taken": "That time was just taken: here are the others.",
        "refused": "This page has expired: open it again from the conversation.",
    },
}
SUMMARIES = {
    "fr": {"pet": "Mimi", "reason": "Vaccination", "vet": "Dr Claire Martin"},
    "en": {"pet": "Rex", "reason": "Check-up", "vet": None},  # any vet will do
}
DAY_NAMES = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
VETS = ("Dr Claire Martin", "Dr Hugo Bernard")

FIRST_WEEK = date(2026, 12, 7)  # a Monday
SECOND_WEEK = FIRST_WEEK + timedelta(days=7)
ASKED = (date(2026, 12, 8), "10:00")
HOURS = "09:00–12:30 · 14:00–19:00"
TIMES = ("09:00", "09:30", "10:00", "11:30", "14:00", "16:30", "18:00")


def day_label(lang: str, day: date) -> str:
    name = DAY_NAMES[lang][day.weekday()]
    return f"{name} {day.day} décembre" if lang == "fr" else f"{name} {day.day} December"


def slot_id(day: date, time: str) -> str:
    """Opaque to the page; made awkward on purpose (colon, plus, slash, space)."""
    return f"tr:{day.isoformat()}T{time}+01:00/type 7"


def week_json(lang: str, first: date, taken: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Seven days from `first`: Monday–Friday open, Wednesday full, Saturday mornings, Sunday
    closed. With any vet (English), each slot names its vet."""
    any_vet = SUMMARIES[lang]["vet"] is None
    days = []
    for offset in range(7):
        day = first + timedelta(days=offset)
        weekday = day.weekday()
        closed = weekday == 6
        times = () if closed or weekday == 2 else TIMES[:3] if weekday == 5 else TIMES
        slots = []
        for index, time in enumerate(times):
            if slot_id(day, time) in taken:
                continue
            vet = VETS[index % 2] if any_vet else None
            at = "à" if lang == "fr" else "at"
            label = f"{day_label(lang, day)} {at} {time}"
            if vet:
                label += f", {vet}" if lang == "en" else f", avec {vet}"
            slots.append(
                {
                    "id": slot_id(day, time),
                    "time": time,
                    "vet": vet,
                    "asked": (day, time) == ASKED,
                    "label": label,
                }
            )
        days.append(
            {
                "date": day.isoformat(),
                "label": day_label(lang, day),
                "closed": closed,
                "hours": "" if closed else "09:00–12:30" if weekday == 5 else HOURS,
                "slots": slots,
            }
        )
    return {
        "first_day": first.isoformat(),
        "previous": None if first == FIRST_WEEK else FIRST_WEEK.isoformat(),
        "next": SECOND_WEEK.isoformat() if first == FIRST_WEEK else None,
        "days": days,
    }


# -- The stand-in server ---------------------------------------------------------------------


@dataclass
class StandIn:
    """The bot's web server as the page sees it; `lang` picks the fixture."""

    lang: str = "fr"
    init_data: str = INIT_DATA
    taken: set[str] = field(default_factory=set)
    """Slots someone else took: choosing one answers 409 "taken"."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    hold_week: asyncio.Event | None = None
    """When set, api/week waits for it (to see the page before any answer)."""
    base_url: str = ""

    def url(self, path: str = "/app", theme: dict[str, str] | None = None) -> str:
        fragment = (
            f"tgWebAppData={quote(INIT_DATA, safe='')}&tgWebAppVersion=8.0"
            f"&tgWebAppPlatform=android"
            f"&tgWebAppThemeParams={quote(json.dumps(theme or TELEGRAM_LIGHT), safe='')}"
        )
        return f"{self.base_url}{path}#{fragment}"

    def api_calls(self, path: str) -> list[dict[str, Any]]:
        return [request for request in self.requests if request["path"] == path]

    def app(self) -> Starlette:
        def static(name: str, media_type: str):
            async def endpoint(request: Request) -> Response:
                return FileResponse(STATIC / name, media_type=media_type)

            return endpoint

        return Starlette(
            routes=[
                Route("/app", static("week.html", "text/html; charset=utf-8")),
                Route("/app/", static("week.html", "text/html; charset=utf-8")),
                Route("/app/week.css", static("week.css", "text/css; charset=utf-8")),
                Route("/app/week.js", static("week.js", "text/javascript; charset=utf-8")),
                Route("/app/api/week", self.week),
                Route("/app/api/choose", self.choose, methods=["POST"]),
            ]
        )

    async def _record(self, request: Request) -> JSONResponse | None:
        """Records the request; a 401 unless it carries this server's initData."""
        body = await request.body()
        self.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "authorization": request.headers.get("authorization"),
                "content_type": request.headers.get("content-type"),
                "body": json.loads(body) if body else None,
            }
        )
        if request.headers.get("authorization") != f"tma {self.init_data}":
            return JSONResponse(
                {"error": "unauthorized", "message": MESSAGES[self.lang]["refused"]}, 401
            )
        return None

    async def week(self, request: Request) -> Response:
        if self.hold_week is not None:
            await self.hold_week.wait()
        if refused := await self._record(request):
            return refused
        first = date.fromisoformat(request.query_params.get("from", FIRST_WEEK.isoformat()))
        return JSONResponse(
            {
                "lang": self.lang,
                "texts": TEXTS[self.lang],
                "summary": SUMMARIES[self.lang],
                "week": week_json(self.lang, first, frozenset(self.taken)),
            }
        )

    async def choose(self, request: Request) -> Response:
        if refused := await self._record(request):
            return refused
        chosen = (await request.json())["slot"]
        if chosen in self.taken:
            first = date.fromisoformat(chosen[3:13])
            first -= timedelta(days=first.weekday())
            return JSONResponse(
                {
                    "error": "taken",
                    "message": MESSAGES[self.lang]["taken"],
                    "week": week_json(self.lang, first, frozenset(self.taken)),
                },
                409,
            )
        return JSONResponse({"ok": True, "message": MESSAGES[self.lang]["ok"]})


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    server = StandIn()
    async with serve_asgi(server.app()) as base_url:
        server.base_url = base_url
        yield server


async def open_week(browser: Browser, stand_in: StandIn, **url: Any) -> None:
    """Open the page and wait for the week to be shown."""
    await browser.goto(stand_in.url(**url))
    await browser.wait_until("return document.querySelectorAll('#days h2').length === 7;")


async def status_text(browser: Browser, expected: str) -> str:
    """The live region's text, once it is `expected` (fails with what it was otherwise)."""
    try:
        await browser.wait_until(
            "return document.getElementById('status').textContent === arguments[0];", expected
        )
    except TimeoutError:
        actual = await browser.execute("return document.getElementById('status').textContent;")
        raise AssertionError(f"status {actual!r}, expected {expected!r}") from None
    return expected


# -- What is shown ---------------------------------------------------------------------------


async def test_before_the_first_answer_only_a_neutral_spinner(
    browser: Browser, stand_in: StandIn
) -> None:
    stand_in.hold_week = asyncio.Event()
    await browser.goto(stand_in.url())
    await browser.wait_until("return document.getElementById('app') !== null;")
    shown = await browser.execute(
        "return {text: document.body.innerText.trim(),"
        " spinner: getComputedStyle(document.getElementById('spinner')).display,"
        " busy: document.getElementById('app').getAttribute('aria-busy')};"
    )
    assert shown == {"text": "", "spinner": "block", "busy": "true"}
    stand_in.hold_week.set()
    await browser.wait_until("return document.querySelectorAll('#days h2').length === 7;")
    assert await browser.execute("return document.getElementById('spinner').hidden;")


async def test_the_week_in_french(browser: Browser, stand_in: StandIn) -> None:
    await open_week(browser, stand_in)

    assert await browser.execute("return document.documentElement.lang;") == "fr"
    assert await (await browser.find("h1")).text() == "Choisir un créneau"
    summary = [await item.text() for item in await browser.find_all("#summary li")]
    assert summary == ["Mimi", "Vaccination", "Dr Claire Martin"]

    headings = [await heading.text() for heading in await browser.find_all("section.day h2")]
    assert headings == [day_label("fr", FIRST_WEEK + timedelta(days=n)) for n in range(7)]

    monday, wednesday, sunday = [
        await browser.find(f"section[data-date='{day.isoformat()}']")
        for day in (FIRST_WEEK, FIRST_WEEK + timedelta(days=2), FIRST_WEEK + timedelta(days=6))
    ]
    assert await (await monday.find(".hours")).text() == HOURS
    assert await (await wednesday.find(".no-slot")).text() == "Aucun créneau libre"
    assert await (await sunday.find(".closed-mark")).text() == "FERMÉ"  # uppercased by CSS
    assert await sunday.find_all(".hours") == []
    assert await sunday.find_all("button") == []
    assert "closed" in await sunday.attribute("class")

    slots = await monday.find_all("button.slot")
    assert [await slot.text() for slot in slots] == list(TIMES)  # no vet: one was chosen
    assert await slots[0].attribute("aria-label") == "lundi 7 décembre à 09:00"
    assert await slots[0].attribute("type") == "button"

    # The asked slot: highlighted, with the word, and described by it for screen readers.
    asked = await browser.find_all("button.slot.asked")
    assert len(asked) == 1
    assert await asked[0].attribute("data-slot") == slot_id(*ASKED)
    assert await asked[0].text() == "10:00\nVotre demande"
    assert await asked[0].attribute("aria-label") == "mardi 8 décembre à 10:00"
    described_by = await asked[0].attribute("aria-describedby")
    assert await (await browser.find(f"#{described_by}")).text() == "Votre demande"
    colours = await browser.execute(
        "const [a, b] = [arguments[0], arguments[1]].map(getComputedStyle);"
        "return [a.backgroundColor, b.backgroundColor];",
        asked[0].as_argument(),
        slots[0].as_argument(),
    )
    assert colours[0] != colours[1]

    previous, next_ = await browser.find("#previous"), await browser.find("#next")
    assert await previous.text() == "◀ Semaine précédente"
    assert not await previous.enabled()
    assert await next_.text() == "Semaine suivante ▶"
    assert await next_.enabled()

    status = await browser.find("#status")
    assert await status.attribute("role") == "status"
    assert await status.attribute("aria-live") == "polite"

    [request] = stand_in.requests
    assert request["authorization"] == f"tma {INIT_DATA}"
    assert request["query"] == {}


async def test_the_week_in_english_any_vet(browser: Browser, stand_in: StandIn) -> None:
    stand_in.lang = "en"
    await open_week(browser, stand_in)

    assert await browser.execute("return document.documentElement.lang;") == "en"
    assert await browser.execute("return document.title;") == "Choose a time"
    summary = [await item.text() for item in await browser.find_all("#summary li")]
    assert summary == ["Rex", "Check-up", "Any vet"]
    first = await browser.find("button.slot")
    assert await first.text() == "09:00\nDr Claire Martin"
    assert await first.attribute("aria-label") == "Monday 7 December at 09:00, Dr Claire Martin"
    asked = await browser.find("button.slot.asked")
    assert await asked.text() == "10:00\nDr Claire Martin\nYour request"
    sunday = await browser.find("section.day.closed")
    assert await (await sunday.find("h2")).text() == "Sunday 13 December"
    assert await (await sunday.find(".closed-mark")).text() == "CLOSED"


async def test_next_week_then_back(browser: Browser, stand_in: StandIn) -> None:
    await open_week(browser, stand_in)
    await (await browser.find("#next")).click()
    await browser.wait_until(
        "return document.querySelector('#days h2').textContent === arguments[0];",
        day_label("fr", SECOND_WEEK),
    )
    assert stand_in.api_calls("/app/api/week")[-1]["query"] == {"from": "2026-12-14"}
    assert stand_in.api_calls("/app/api/week")[-1]["authorization"] == f"tma {INIT_DATA}"
    assert not await (await browser.find("#next")).enabled()  # past the horizon
    assert await (await browser.find("#previous")).enabled()
    # "next" is disabled now, so the focus went to the new week's first day.
    assert await browser.execute("return document.activeElement.id;") == "day-2026-12-14"
    assert await browser.find_all("button.slot.asked") == []

    await (await browser.find("#previous")).click()
    await browser.wait_until(
        "return document.querySelector('#days h2').textContent === arguments[0];",
        day_label("fr", FIRST_WEEK),
    )
    assert stand_in.api_calls("/app/api/week")[-1]["query"] == {"from": "2026-12-07"}
    assert await browser.execute("return document.body.innerText.includes('Chargement');") is False


async def test_the_page_also_works_with_a_trailing_slash(
    browser: Browser, stand_in: StandIn
) -> None:
    await open_week(browser, stand_in, path="/app/")
    assert await (await browser.find("h1")).text() == "Choisir un créneau"


# -- Choosing ----------------------------------------------------------------------------------


async def test_tapping_a_slot_sends_it_and_confirms(browser: Browser, stand_in: StandIn) -> None:
    await open_week(browser, stand_in)
    await (await browser.find("button.slot")).click()

    await status_text(browser, TEXTS["fr"]["chosen"])
    [choice] = stand_in.api_calls("/app/api/choose")
    assert choice["method"] == "POST"
    assert choice["body"] == {"slot": slot_id(FIRST_WEEK, "09:00")}
    assert choice["authorization"] == f"tma {INIT_DATA}"
    assert choice["content_type"] == "application/json"
    # Done: the chosen slot marked, the others no longer offered.
    assert await browser.execute(
        "return [...document.querySelectorAll('button.slot')]"
        ".filter(b => !b.disabled).map(b => b.dataset.slot);"
    ) == [slot_id(FIRST_WEEK, "09:00")]
    assert await browser.find_all("button.slot.chosen") != []


async def test_telegram_webapp_is_preferred_and_closed_after_a_choice(
    browser: Browser, stand_in: StandIn
) -> None:
    """A real client injects Telegram.WebApp: its initData and themeParams win over the
    fragment's, and close() is called after the choice."""
    injected = INIT_DATA.replace("Camille", "Camille-injected")
    stand_in.init_data = injected
    await browser.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.__calls = [];"
            "window.Telegram = {WebApp: {"
            f" initData: {json.dumps(injected)},"
            f" themeParams: {json.dumps(TELEGRAM_DARK)},"
            " ready() { __calls.push('ready'); }, expand() { __calls.push('expand'); },"
            " close() { __calls.push('close'); }, onEvent() {} }};"
        },
    )
    await open_week(browser, stand_in)  # the fragment carries INIT_DATA and the light theme
    assert stand_in.requests[0]["authorization"] == f"tma {injected}"
    assert (
        await browser.execute("return getComputedStyle(document.body).backgroundColor;")
        == "rgb(33, 33, 33)"
    )
    await (await browser.find("button.slot")).click()
    await status_text(browser, TEXTS["fr"]["chosen"])
    await browser.wait_until("return __calls.includes('close');", within=5)
    assert await browser.execute("return __calls;") == ["expand", "ready", "close"]


async def test_a_taken_slot_shows_the_fresh_week_and_the_message(
    browser: Browser, stand_in: StandIn
) -> None:
    await open_week(browser, stand_in)
    stand_in.taken.add(slot_id(*ASKED))  # someone else books it while the page is open
    await (await browser.find("button.slot.asked")).click()

    await status_text(browser, MESSAGES["fr"]["taken"])
    assert (
        await browser.execute(
            "return document.querySelector(`button[data-slot='${arguments[0]}']`);", slot_id(*ASKED)
        )
        is None
    )
    tuesday = await browser.find("section[data-date='2026-12-08']")
    assert [await slot.text() for slot in await tuesday.find_all("button.slot")] == [
        time for time in TIMES if time != "10:00"
    ]
    # Still usable: the focus on that day, the other slots enabled, another one can be chosen.
    assert await browser.execute("return document.activeElement.id;") == "day-2026-12-08"
    await (await tuesday.find("button.slot")).click()
    await status_text(browser, TEXTS["fr"]["chosen"])


async def test_a_refused_init_data_shows_the_servers_message(
    browser: Browser, stand_in: StandIn
) -> None:
    stand_in.init_data = "something else"
    await browser.goto(stand_in.url())
    await status_text(browser, MESSAGES["fr"]["refused"])
    assert "error" in await (await browser.find("#status")).attribute("class")
    assert await browser.find_all("section.day") == []


async def test_a_network_error_shows_the_error_text(browser: Browser, stand_in: StandIn) -> None:
    await open_week(browser, stand_in)
    await browser.execute("window.fetch = () => Promise.reject(new TypeError('offline'));")
    await (await browser.find("button.slot")).click()
    await status_text(browser, TEXTS["fr"]["error"])
    # Nothing was chosen: the owner may try again.
    assert await (await browser.find("button.slot")).enabled()


# -- Keyboard, screen size, theme --------------------------------------------------------------


@pytest.mark.parametrize("key", [Keys.ENTER, Keys.SPACE], ids=["enter", "space"])
async def test_keyboard_only(browser: Browser, stand_in: StandIn, key: str) -> None:
    await open_week(browser, stand_in)
    # From the top: "previous" is disabled (first week), so "next", then the first slot.
    await browser.press(Keys.TAB)
    assert await browser.execute("return document.activeElement.id;") == "next"
    await browser.press(Keys.TAB)
    focused = await browser.execute(
        "const e = document.activeElement, s = getComputedStyle(e);"
        "return {slot: e.dataset.slot, outline: s.outlineStyle, width: s.outlineWidth,"
        " visible: e.matches(':focus-visible')};"
    )
    assert focused == {
        "slot": slot_id(FIRST_WEEK, "09:00"),
        "outline": "solid",
        "width": "3px",
        "visible": True,
    }
    await browser.press(Keys.TAB, Keys.TAB)
    await browser.press(key)
    await status_text(browser, TEXTS["fr"]["chosen"])
    assert stand_in.api_calls("/app/api/choose")[0]["body"] == {
        "slot": slot_id(FIRST_WEEK, "10:00")
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_360_px_phone(chromedriver: ChromeDriver, stand_in: StandIn, lang: str) -> None:
    """No horizontal scrolling, every button at least 44×44 px."""
    stand_in.lang = lang
    async with opened(chromedriver, width=360, height=740) as browser:
        await open_week(browser, stand_in)
        layout = await browser.execute(
            "const root = document.documentElement;"
            "const sizes = [...document.querySelectorAll('button')]"
            "  .map(b => b.getBoundingClientRect()).map(r => [r.width, r.height]);"
            "return {scroll: root.scrollWidth, width: root.clientWidth, buttons: sizes};"
        )
    assert layout["scroll"] <= layout["width"] == 360
    assert len(layout["buttons"]) > 20
    assert all(width >= 44 and height >= 44 for width, height in layout["buttons"])


async def test_theme_params_become_the_colours(browser: Browser, stand_in: StandIn) -> None:
    await open_week(browser, stand_in, theme=TELEGRAM_DARK)
    colours = await browser.execute(
        "const body = getComputedStyle(document.body);"
        "const asked = getComputedStyle(document.querySelector('button.slot.asked'));"
        "const slot = getComputedStyle(document.querySelector('button.slot'));"
        "return [body.backgroundColor, body.color, asked.backgroundColor, slot.backgroundColor,"
        " document.documentElement.dataset.scheme];"
    )
    assert colours == [
        "rgb(33, 33, 33)",
        "rgb(255, 255, 255)",
        "rgb(135, 116, 225)",
        "rgb(15, 15, 15)",
        "dark",
    ]


async def test_without_theme_params_the_colour_scheme_decides(
    chromedriver: ChromeDriver, stand_in: StandIn
) -> None:
    background = "return getComputedStyle(document.body).backgroundColor;"
    without_theme = stand_in.url().split("&tgWebAppThemeParams=")[0]
    light, dark = "rgb(255, 255, 255)", "rgb(23, 33, 43)"
    async with opened(chromedriver, color_scheme="dark") as browser:  # the launch flag
        await browser.goto(without_theme)
        await browser.wait_until("return document.querySelectorAll('#days h2').length;")
        assert await browser.execute(background) == dark
    async with opened(chromedriver, color_scheme="light") as browser:
        await browser.goto(without_theme)
        await browser.wait_until("return document.querySelectorAll('#days h2').length;")
        assert await browser.execute(background) == light
        await browser.set_color_scheme("dark")  # the DevTools emulation, in place
        assert await browser.execute(background) == dark


# -- Size -------------------------------------------------------------------------------------


def test_the_page_weighs_under_50_kb() -> None:
    size = sum((STATIC / name).stat().st_size for name in PAGE_FILES)
    assert size < 50 * 1024, f"{size} bytes"


async def test_what_the_server_serves_is_what_the_page_needs(stand_in: StandIn) -> None:
    """The page's three files under the documented URLs (the browser tests rely on them)."""
    import httpx

    async with httpx.AsyncClient(base_url=stand_in.base_url) as client:
        for path, name in zip(("/app", "/app/week.css", "/app/week.js"), PAGE_FILES, strict=True):
            response = await client.get(path)
            assert response.status_code == 200
            assert response.content == (STATIC / name).read_bytes()
