"""A small W3C WebDriver client (over httpx) driving Debian's headless Chromium.

Enough for the Mini App's browser tests (tests/browser/): open a page, find elements by CSS,
click them, press keys as a keyboard user would, read texts and attributes, run a script, save
a screenshot. The spec: https://www.w3.org/TR/webdriver2/.

- `ChromeDriver` is the `chromedriver` process, started once per test session on a free loopback
  port; `Browser` is one WebDriver session (one fresh Chromium, its own profile).
- The client is async: the tests serve their pages from an ASGI server running in the same event
  loop, and a blocking "navigate" would wait for a page that the blocked loop cannot serve.
- Colour scheme: Chromium's `--blink-settings=preferredColorScheme=0|1` (0 is dark) sets
  `prefers-color-scheme` for the whole session; `Browser.set_color_scheme` changes it in place
  through the DevTools `Emulation.setEmulatedMedia` command chromedriver relays.
- Chromium runs headless (`--headless=new`) at a device scale factor of 1 (small screenshots),
  with `--no-sandbox` when run as root (containers, CI), where its sandbox cannot start.

The `browser` fixture skips, with the reason shown by `-ra`, when the binaries are missing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import httpx
import pytest

CHROMEDRIVER: Final = Path("/usr/bin/chromedriver")
CHROMIUM: Final = Path("/usr/bin/chromium")
MISSING_REASON: Final = (
    "chromium and chromium-driver not installed: apt-get install chromium chromium-driver; "
    ".ci/run installs them"
)

ELEMENT_KEY: Final = "element-6066-11e4-a52e-4f735466cecf"
"""The key under which WebDriver returns an element reference (fixed by the spec)."""

ColorScheme = Literal["light", "dark"]


class Keys:
    """WebDriver's code points for the keys the tests press (spec, "Keyboard actions")."""

    TAB: Final = "\ue004"
    ENTER: Final = "\ue007"
    SHIFT: Final = "\ue008"
    SPACE: Final = "\ue00d"


class WebDriverError(RuntimeError):
    """An error answer from chromedriver: the spec's `error` code and its message."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"{status} {error}: {message[:500]}")
        self.error = error


def browser_installed() -> bool:
    return CHROMEDRIVER.exists() and CHROMIUM.exists()


def _free_port() -> int:
    """A loopback port free at this instant (chromedriver binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromeDriver:
    """The `chromedriver` process, listening on loopback."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, scratch: Path) -> None:
        self.process = process
        self.url = url
        self.scratch = scratch

    @classmethod
    def start(cls, *, timeout: float = 20.0) -> ChromeDriver:
        port = _free_port()
        # Chromium's profiles and singleton sockets go in a directory of our own (TMPDIR),
        # removed at the end: a browser killed at the end of its session leaves them behind.
        scratch = Path(tempfile.mkdtemp(prefix="vetbot-chromedriver-"))
        process = subprocess.Popen(
            [str(CHROMEDRIVER), f"--port={port}", "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "TMPDIR": str(scratch)},
        )
        driver = cls(process, f"http://127.0.0.1:{port}", scratch)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"chromedriver exited at start (code {process.returncode})")
            with contextlib.suppress(httpx.HTTPError):
                status = httpx.get(f"{driver.url}/status", timeout=1.0).json()
                if status["value"]["ready"]:
                    return driver
            time.sleep(0.05)
        driver.stop()
        raise RuntimeError(f"chromedriver not ready after {timeout:.0f} s")

    def stop(self) -> None:
        """Stop chromedriver (browsers whose session was not deleted would outlive it)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class Element:
    """A reference to an element of the current page."""

    browser: Browser
    id: str

    async def click(self) -> None:
        await self.browser.command("POST", f"/element/{self.id}/click", {})

    async def text(self) -> str:
        """The rendered text (what is visible, as `innerText`)."""
        return await self.browser.command("GET", f"/element/{self.id}/text")

    async def attribute(self, name: str) -> str | None:
        return await self.browser.command("GET", f"/element/{self.id}/attribute/{name}")

    async def enabled(self) -> bool:
        return await self.browser.command("GET", f"/element/{self.id}/enabled")

    async def find(self, css: str) -> Element:
        value = await self.browser.command(
            "POST", f"/element/{self.id}/element", {"using": "css selector", "value": css}
        )
        return Element(self.browser, value[ELEMENT_KEY])

    async def find_all(self, css: str) -> list[Element]:
        values = await self.browser.command(
            "POST", f"/element/{self.id}/elements", {"using": "css selector", "value": css}
        )
        return [Element(self.browser, value[ELEMENT_KEY]) for value in values]

    def as_argument(self) -> dict[str, str]:
        """How to pass this element to `Browser.execute` (arrives as a DOM node)."""
        return {ELEMENT_KEY: self.id}


class Browser:
    """One WebDriver session: a fresh headless Chromium."""

    def __init__(self, client: httpx.AsyncClient, session_id: str) -> None:
        self._client = client
        self.session_id = session_id

    @classmethod
    async def open(
        cls,
        driver_url: str,
        *,
        width: int = 390,
        height: int = 844,
        color_scheme: ColorScheme = "light",
        lang: str = "fr-FR",
    ) -> Browser:
        args = [
            "--headless=new",
            f"--window-size={width},{height}",
            "--force-device-scale-factor=1",
            "--hide-scrollbars",
            "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB
            "--disable-gpu",
            "--no-first-run",
            f"--lang={lang}",
            f"--blink-settings=preferredColorScheme={0 if color_scheme == 'dark' else 1}",
        ]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": str(CHROMIUM), "args": args},
        }
        client = httpx.AsyncClient(base_url=driver_url, timeout=60.0)
        try:
            answer = await _call(
                client, "POST", "/session", {"capabilities": {"alwaysMatch": capabilities}}
            )
        except BaseException:
            await client.aclose()
            raise
        browser = cls(client, answer["value"]["sessionId"])
        try:
            # --window-size sizes the window, and headless Chromium has no browser frame, but
            # the viewport is fixed here too, so that screenshots are exactly width × height.
            await browser.cdp(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
        except BaseException:
            await browser.close()  # else its Chromium would outlive chromedriver
            raise
        return browser

    async def close(self) -> None:
        try:
            with contextlib.suppress(httpx.HTTPError, WebDriverError):
                await _call(self._client, "DELETE", f"/session/{self.session_id}", None)
        finally:
            await self._client.aclose()

    async def command(self, method: str, path: str, body: Any = None) -> Any:
        """A WebDriver command of this session; returns the answer's `value`."""
        answer = await _call(self._client, method, f"/session/{self.session_id}{path}", body)
        return answer["value"]

    async def cdp(self, command: str, params: dict[str, Any] | None = None) -> Any:
        """A DevTools command, relayed by chromedriver (a Chromium extension to WebDriver)."""
        return await self.command(
            "POST", "/goog/cdp/execute", {"cmd": command, "params": params or {}}
        )

    # -- pages --------------------------------------------------------------------------------

    async def goto(self, url: str) -> None:
        """Navigate and wait for the page's load event."""
        await self.command("POST", "/url", {"url": url})

    async def set_color_scheme(self, scheme: ColorScheme) -> None:
        await self.cdp(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
        )

    async def execute(self, script: str, *args: Any) -> Any:
        """Run `script` as a function body in the page (`arguments` holds `args`)."""
        return await self.command("POST", "/execute/sync", {"script": script, "args": list(args)})

    async def screenshot(self, path: Path) -> bytes:
        """Save the viewport as a PNG; returns its bytes."""
        png = base64.b64decode(await self.command("GET", "/screenshot"))

        def save() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)

        await asyncio.to_thread(save)
        return png

    # -- elements -----------------------------------------------------------------------------

    async def find(self, css: str) -> Element:
        value = await self.command("POST", "/element", {"using": "css selector", "value": css})
        return Element(self, value[ELEMENT_KEY])

    async def find_all(self, css: str) -> list[Element]:
        values = await self.command("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self, value[ELEMENT_KEY]) for value in values]

    async def active(self) -> Element:
        """The element that has the keyboard focus."""
        value = await self.command("GET", "/element/active")
        return Element(self, value[ELEMENT_KEY])

    async def press(self, *keys: str) -> None:
        """Press and release each key in turn, on whatever has the focus (a keyboard user)."""
        actions = []
        for key in keys:
            actions += [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        await self.command(
            "POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}
        )

    async def wait_for(self, css: str, *, within: float = 10.0) -> Element:
        """The first element matching `css`, once there is one."""
        found = await self.wait_until(
            "return document.querySelector(arguments[0]) !== null;", css, within=within
        )
        assert found
        return await self.find(css)

    async def wait_until(self, script: str, *args: Any, within: float = 10.0) -> Any:
        """Run `script` until it returns something truthy; that value. Fails after `within`
        seconds (TimeoutError)."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            value = await self.execute(script, *args)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"still falsy after {within} s: {script}")
            await asyncio.sleep(0.05)


async def _call(client: httpx.AsyncClient, method: str, path: str, body: Any) -> Any:
    response = await client.request(method, path, json=body)
    answer = response.json()
    if response.status_code != 200:
        error = answer.get("value", {})
        raise WebDriverError(
            response.status_code, error.get("error", "?"), error.get("message", "")
        )
    return answer


@contextlib.asynccontextmanager
async def opened(driver: ChromeDriver, **options: Any) -> AsyncIterator[Browser]:
    """A browser with other options than the fixture's (`Browser.open`'s), closed at the end."""
    session = await Browser.open(driver.url, **options)
    try:
        yield session
    finally:
        await session.close()


@pytest.fixture(scope="session")
def chromedriver() -> Iterator[ChromeDriver]:
    """The chromedriver process, shared by the session's tests (each gets its own browser)."""
    if not browser_installed():
        pytest.skip(MISSING_REASON)
    driver = ChromeDriver.start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture
async def browser(chromedriver: ChromeDriver) -> AsyncIterator[Browser]:
    """A fresh headless Chromium with a 390×844 phone-sized viewport, light colour scheme."""
    async with opened(chromedriver) as session:
        yield session
