"""Week view (Mini App) bench: bytes transferred and first paint of the page, as an owner's
phone opens it from the chat, against the issue's aims (under 50 KB transferred, first paint
under 300 ms on loopback). Prints figures; a missed aim is shown (❌), never an exit status.

Run from the repo root: ``python bench/mini_app.py`` (``--runs 10``, ``--one-browser``,
``--json``). Needs Debian's ``chromium`` and ``chromium-driver``; without them it says so and
exits 0.

What runs, all in this process and on loopback: the Treats sandbox and the Telegram emulator
(ASGI apps, as bench/harness.py serves them) and the real bot (`running_bot`, polling, with
``MINI_APP_URL`` set, through the tests' `VetbotRun`), which serves the page on its own port.
The whole bot rather than `mini_app_routes` with a fake conversation store: the tests' fixtures
make it a few lines, and the figures are then those of the real routes, the real `WeekApi`
reading the owner's real conversation and the real booking service, in the bot's event loop.
Everything runs on the sandbox's frozen clock of the tests (Monday 23 November 2026, 08:30 in
Paris) so that every run shows the same week and the same API answer.

Marie (one pet) identifies herself and goes to the time step ("Quand souhaitez-vous
venir ?"); then, for each run, she taps "🗓 Voir la semaine" (the emulator signs a fresh
initData, as a Telegram client does) and headless Chromium opens the bot's page with that
fragment. Each run is a new WebDriver session, i.e. a fresh Chromium with an empty profile and
cache (``--one-browser``: one Chromium for all runs, its cache disabled through DevTools'
``Network.setCacheDisabled``, ``about:blank`` between runs: a warm browser).

Read in the page, all from the navigation's start (``performance.now()``'s origin):
- first paint and first contentful paint: ``performance.getEntriesByType('paint')``; the page
  paints its spinner first, which is not "contentful", so the first contentful paint is in
  practice the week's first text on screen;
- the week shown: when the seven day headings (``#days h2``) are in the page, stamped by a
  MutationObserver installed before the page's own scripts (DevTools'
  ``Page.addScriptToEvaluateOnNewDocument``); if that stamp is missing, the moment a polling
  ``wait_until`` saw them (up to about 50 ms late);
- bytes: ``transferSize`` (headers and body as received), ``encodedBodySize`` and
  ``decodedBodySize`` of the navigation entry (the page) and of each ``resource`` entry
  (week.css, week.js, the ``/api/week`` fetch). The bot sends no compression, so encoded and
  decoded bodies are the same size. 50 KB is 50 × 1024 bytes, as in
  tests/browser/test_week_page.py.

Timings are judged on the p90 of the runs; bytes on the largest run (they do not vary).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from harness import describe_machine  # type: ignore[import-not-found]
from pydantic import SecretStr

from bot.clock import ManualClock
from bot.config import load_clinic, load_settings
from bot.runtime.asgi_server import serve_asgi
from bot.standins.emulator import Person, TelegramWorld, create_emulator_app
from bot.standins.sandbox import SandboxState, create_sandbox_app, render_clinic_toml
from tests.e2e.flow import identify, to_when
from tests.support.browser import (
    MISSING_REASON,
    Browser,
    ChromeDriver,
    browser_installed,
)
from tests.support.telegram_fixtures import TEST_BOT_TOKEN, TEST_BOT_USERNAME
from tests.support.treats_fixtures import API_ROOT, SANDBOX_START
from tests.support.vetbot_fixtures import LINK_SECRET, VetbotRun

DEFAULT_RUNS: Final = 20
PUBLIC_URL: Final = "https://vetbot.example/app"
BUTTON: Final = "Voir la semaine"
BYTES_AIM: Final = 50 * 1024
PAINT_AIM_MS: Final = 300.0
WEEK_DAYS: Final = 7
SHOWN_WITHIN: Final = 30.0
PAINTS_WITHIN: Final = 5.0

STAMP_WEEK_SHOWN: Final = """
(function () {
  function check() {
    if (window.__benchWeekShown === undefined
        && document.querySelectorAll('#days h2').length === 7) {
      window.__benchWeekShown = performance.now();
    }
  }
  new MutationObserver(check).observe(document, {childList: true, subtree: true});
})();
"""
"""Installed before the page's scripts: stamps the moment the seventh day heading is in."""

WEEK_SHOWN: Final = """
if (document.querySelectorAll('#days h2').length !== 7) return null;
var stamped = window.__benchWeekShown;
return {at: stamped === undefined ? performance.now() : stamped, stamped: stamped !== undefined};
"""

PAINTED: Final = "return performance.getEntriesByType('paint').length >= 2;"

READ_TIMINGS: Final = """
function sizes(entry) {
  return {name: entry.name, initiator: entry.initiatorType || 'navigation',
          transfer: entry.transferSize, encoded: entry.encodedBodySize,
          decoded: entry.decodedBodySize, start: entry.startTime, end: entry.responseEnd};
}
var paints = {};
performance.getEntriesByType('paint').forEach(function (e) { paints[e.name] = e.startTime; });
var nav = performance.getEntriesByType('navigation')[0];
var page = sizes(nav);
page.dom_content_loaded = nav.domContentLoadedEventEnd;
page.load = nav.loadEventEnd;
return {paints: paints, page: page,
        resources: performance.getEntriesByType('resource').map(sizes)};
"""

PARTS: Final = ("page", "css", "js", "api")
PART_NAMES: Final = {
    "page": "page (week.html)",
    "css": "week.css",
    "js": "week.js",
    "api": "API answer (/api/week)",
}


@dataclass
class Run:
    """One opening of the page: timings in ms from the navigation's start, bytes per part."""

    first_paint: float | None
    first_contentful_paint: float | None
    week_shown: float
    week_stamped: bool
    api_fetch: float | None
    transfer: dict[str, int]
    encoded: dict[str, int]
    decoded: dict[str, int]
    other_resources: list[str]


# -- the bot, the sandbox and the emulator -----------------------------------------------------


@contextlib.asynccontextmanager
async def running_week_view(folder: Path) -> AsyncIterator[tuple[VetbotRun, Person, str]]:
    """The sandbox and the emulator on loopback, the real bot with its week view; yields the
    run, Marie at the time step, and the page's local URL."""
    clock = ManualClock(SANDBOX_START)
    sandbox = SandboxState.seeded(clock)
    world = TelegramWorld(clock)  # initData signed at the bot's "now" (checked: an hour at most)
    world.add_bot(TEST_BOT_TOKEN, username=TEST_BOT_USERNAME)
    receptionist = world.person("Léa", "Accueil", language_code="fr")
    staff = world.group("Accueil clinique", [receptionist], admins=[receptionist])
    try:
        async with (
            serve_asgi(create_sandbox_app(sandbox)) as sandbox_origin,
            serve_asgi(create_emulator_app(world)) as telegram_url,
        ):
            try:
                clinic_file = folder / "clinic.toml"
                clinic_file.write_text(render_clinic_toml(sandbox), encoding="utf-8")
                settings = load_settings(
                    _env_file=None,
                    telegram_bot_token=SecretStr(TEST_BOT_TOKEN),
                    telegram_api_url=telegram_url,
                    treats_api_url=sandbox_origin + API_ROOT,
                    treats_api_key=SecretStr(sandbox.api_key),
                    clinic_config=clinic_file,
                    staff_chat_id=staff.id,
                    vetbot_data_dir=folder / "data",
                    vetbot_link_secret=SecretStr(LINK_SECRET),
                )
                run = VetbotRun(
                    settings=settings,
                    clinic=load_clinic(clinic_file),
                    sandbox=sandbox,
                    world=world,
                    clock=clock,
                    staff=staff,
                    staff_member=receptionist,
                    data_dir=folder / "data",
                )
                page = run.with_week_view(PUBLIC_URL)  # MINI_APP_URL, served on a free port
                record = sandbox.seed.demo_owner_one_pet
                marie = world.person(record.first_name, record.last_name, phone_number=record.phone)
                async with run.running():
                    await identify(marie)
                    await to_when(marie)
                    yield run, marie, page
            finally:
                sandbox.close()  # hung requests must end before the server can stop
    finally:
        await world.aclose()


# -- one opening ------------------------------------------------------------------------------


def part_of(url: str) -> str | None:
    path = urlsplit(url).path
    if path.endswith("/week.css"):
        return "css"
    if path.endswith("/week.js"):
        return "js"
    if path.endswith("/api/week"):
        return "api"
    return None


async def open_once(browser: Browser, marie: Person, page: str) -> Run:
    launch = await marie.open_mini_app(BUTTON)
    assert urlsplit(launch.url).path == urlsplit(page).path, launch.url
    await browser.goto(f"{page}#{launch.fragment}")  # returns after the load event
    shown = await browser.wait_until(WEEK_SHOWN, within=SHOWN_WITHIN)
    with contextlib.suppress(TimeoutError):  # a paint entry that never comes is shown as "–"
        await browser.wait_until(PAINTED, within=PAINTS_WITHIN)
    read = await browser.execute(READ_TIMINGS)
    transfer = {"page": int(read["page"]["transfer"])}
    encoded = {"page": int(read["page"]["encoded"])}
    decoded = {"page": int(read["page"]["decoded"])}
    api_fetch = None
    others = []
    for entry in read["resources"]:
        part = part_of(entry["name"])
        if part is None:
            others.append(urlsplit(entry["name"]).path)
            continue
        transfer[part] = transfer.get(part, 0) + int(entry["transfer"])
        encoded[part] = encoded.get(part, 0) + int(entry["encoded"])
        decoded[part] = decoded.get(part, 0) + int(entry["decoded"])
        if part == "api" and api_fetch is None:
            api_fetch = float(entry["end"]) - float(entry["start"])
    paints = read["paints"]
    return Run(
        first_paint=paints.get("first-paint"),
        first_contentful_paint=paints.get("first-contentful-paint"),
        week_shown=float(shown["at"]),
        week_stamped=bool(shown["stamped"]),
        api_fetch=api_fetch,
        transfer=transfer,
        encoded=encoded,
        decoded=decoded,
        other_resources=others,
    )


async def fresh_browser(driver: ChromeDriver, *, cache_disabled: bool) -> Browser:
    browser = await Browser.open(driver.url)
    try:
        await browser.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": STAMP_WEEK_SHOWN})
        if cache_disabled:
            await browser.cdp("Network.enable")
            await browser.cdp("Network.setCacheDisabled", {"cacheDisabled": True})
    except BaseException:
        await browser.close()
        raise
    return browser


async def measure(driver: ChromeDriver, runs: int, *, one_browser: bool) -> list[Run]:
    results: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="vetbot-bench-mini-app-") as folder:
        async with running_week_view(Path(folder)) as (_, marie, page):
            if one_browser:
                browser = await fresh_browser(driver, cache_disabled=True)
                try:
                    for _ in range(runs):
                        await browser.goto("about:blank")
                        results.append(await open_once(browser, marie, page))
                finally:
                    await browser.close()
            else:
                for _ in range(runs):
                    browser = await fresh_browser(driver, cache_disabled=False)
                    try:
                        results.append(await open_once(browser, marie, page))
                    finally:
                        await browser.close()
    return results


# -- figures ----------------------------------------------------------------------------------


def p90(values: Sequence[float]) -> float:
    """Nearest rank, as bench/harness.py's `percentiles`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def timing(values: Sequence[float | None]) -> dict[str, float | int | None]:
    seen = [v for v in values if v is not None]
    if not seen:
        return {"median_ms": None, "p90_ms": None, "missing": len(values)}
    return {
        "median_ms": statistics.median(seen),
        "p90_ms": p90(seen),
        "missing": len(values) - len(seen),
    }


def summarize(results: list[Run], runs: int, one_browser: bool) -> dict[str, Any]:
    def largest(field: str, part: str) -> int:
        return max(getattr(r, field).get(part, 0) for r in results)

    sizes = {
        part: {f: largest(f, part) for f in ("transfer", "encoded", "decoded")} for part in PARTS
    }
    total = {f: sum(sizes[p][f] for p in PARTS) for f in ("transfer", "encoded", "decoded")}
    static = {f: sum(sizes[p][f] for p in PARTS if p != "api") for f in total}
    return {
        "machine": describe_machine(),
        "runs": runs,
        "browser": "one, cache disabled" if one_browser else "a fresh one per run",
        "timings": {
            "first_paint": timing([r.first_paint for r in results]),
            "first_contentful_paint": timing([r.first_contentful_paint for r in results]),
            "week_shown": timing([r.week_shown for r in results]),
            "api_fetch": timing([r.api_fetch for r in results]),
        },
        "week_shown_stamped": sum(r.week_stamped for r in results),
        "bytes": sizes,
        "bytes_page_and_assets": static,
        "bytes_total": total,
        "other_resources": sorted({name for r in results for name in r.other_resources}),
        "aims": {"bytes_transferred": BYTES_AIM, "first_paint_ms": PAINT_AIM_MS},
    }


def verdict(ok: bool) -> str:
    return "✅" if ok else "❌"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def print_table(summary: dict[str, Any]) -> None:
    print(f"machine: {summary['machine']}")
    print(
        f"week view opened {summary['runs']} times in headless Chromium "
        f"({summary['browser']}); bot, sandbox and emulator in this process, on loopback"
    )
    print()
    print(f"{'ms from navigation start':<34}{'median':>8}{'p90':>8}   aim (on p90)")
    rows = (
        ("first paint", "first_paint", True),
        ("first contentful paint", "first_contentful_paint", True),
        ("week shown (7 day headings)", "week_shown", True),
        ("  the /api/week fetch in it", "api_fetch", False),
    )
    for label, key, judged in rows:
        figures = summary["timings"][key]
        aim = ""
        if judged:
            value = figures["p90_ms"]
            aim = f"< {PAINT_AIM_MS:.0f} ms " + (
                "–" if value is None else verdict(value < PAINT_AIM_MS)
            )
        missing = f"  ({figures['missing']} runs without it)" if figures["missing"] else ""
        print(
            f"{label:<34}{ms(figures['median_ms']):>8}{ms(figures['p90_ms']):>8}   {aim}{missing}"
        )
    stamped = summary["week_shown_stamped"]
    if stamped < summary["runs"]:
        print(f"  (week shown: {summary['runs'] - stamped} runs polled, up to 50 ms late)")
    print()
    print(f"{'bytes (largest run)':<34}{'transferred':>12}{'body':>9}{'decoded':>9}   aim")
    for part in PARTS:
        size = summary["bytes"][part]
        print(
            f"{PART_NAMES[part]:<34}{size['transfer']:>12,}{size['encoded']:>9,}"
            f"{size['decoded']:>9,}"
        )
    static = summary["bytes_page_and_assets"]
    total = summary["bytes_total"]
    aim = f"< {BYTES_AIM // 1024} KB ({BYTES_AIM:,} B)"
    print(
        f"{'page and assets':<34}{static['transfer']:>12,}{static['encoded']:>9,}"
        f"{static['decoded']:>9,}   {aim} {verdict(static['transfer'] < BYTES_AIM)}"
    )
    print(
        f"{'total, with the API answer':<34}{total['transfer']:>12,}{total['encoded']:>9,}"
        f"{total['decoded']:>9,}   {aim} {verdict(total['transfer'] < BYTES_AIM)}"
    )
    if summary["other_resources"]:
        print(f"other requests (not counted): {', '.join(summary['other_resources'])}")


async def main_async(runs: int, one_browser: bool, as_json: bool) -> int:
    driver = ChromeDriver.start()
    try:
        results = await measure(driver, runs, one_browser=one_browser)
    finally:
        driver.stop()
    summary = summarize(results, runs, one_browser)
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print_table(summary)
    return 0  # figures only: a missed aim is shown, not an exit status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument(
        "--one-browser",
        action="store_true",
        help="one Chromium for every run, its cache disabled (a warm browser)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not browser_installed():
        print(f"bench/mini_app.py skipped: {MISSING_REASON}")
        return 0
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(main_async(args.runs, args.one_browser, args.json))


if __name__ == "__main__":
    sys.exit(main())
