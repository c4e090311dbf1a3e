"""`vetbot demo`: the real bot, a local Telegram and a sandbox clinic, chatted with in a terminal.

Nothing leaves the machine and no token or key is needed: the Treats sandbox and the Telegram
emulator are served on loopback, and the unmodified bot is pointed at them by URL, exactly as
in production. The person at the keyboard plays Marie Dubois, an owner of the sandbox clinic
(one cat, Mimi). Bot messages are printed; buttons are numbered: type a number to tap one.
Staff-chat messages are printed too, prefixed with the group's name.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Final, TextIO

from pydantic import SecretStr

from bot.app import running_bot
from bot.asgi_server import serve_asgi
from bot.config import load_clinic, load_settings
from bot.emulator import Group, Person, SeenMessage, TelegramWorld, create_emulator_app
from bot.logs import configure_logging
from bot.sandbox import SandboxState, create_sandbox_app, render_clinic_toml

DEMO_TOKEN: Final = "100000001:DEMO-TOKEN-local-emulator-only"
DEMO_LINK_SECRET: Final = "demo-link-secret-not-for-production"
QUIET_SECONDS: Final = 0.6
"""How long the bot stays silent before the demo takes the next scripted line."""
HELP: Final = """\
vetbot demo: you are Marie Dubois, owner of Mimi the cat, talking to the clinic's bot.
  a number      tap that button          /contact   share your phone number
  any text      send it (try "vaccin pour Mimi demain à 15h")
  /start, /annuler, /langue ...          bot commands       /quit  leave
"""


class Terminal:
    """Prints what the owner and the staff see; turns typed lines into actions."""

    def __init__(self, owner: Person, staff: Group, out: TextIO) -> None:
        self._owner = owner
        self._staff = staff
        self._out = out
        self._buttons: list[str] = []
        self._request_contact = False
        self._shown: dict[tuple[str, int], str] = {}
        self.activity = asyncio.Event()

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    def show(self, seen: SeenMessage, prefix: str = "") -> None:
        if seen.document is not None:
            self._print(f"{prefix}📎 {seen.document.file_name} {seen.text}".rstrip())
            return
        key = (prefix, seen.message_id)
        if seen.kind == "edited" and self._shown.get(key) == seen.text:
            return  # an older panel losing its buttons: nothing new to read
        self._shown[key] = seen.text
        marker = "(modifié) " if seen.kind == "edited" else ""
        self._print(f"\n{prefix}🤖 {marker}{seen.text}")
        if prefix:
            return
        if seen.buttons:
            self._buttons = list(seen.buttons)
            self._request_contact = bool(seen.reply_keyboard) and not seen.inline_buttons
            for number, label in enumerate(self._buttons, 1):
                self._print(f"   [{number}] {label}")

    async def follow(self, view: Person | Group, prefix: str = "") -> None:
        """Print every message the bot shows in one chat, as it comes."""
        while True:
            try:
                seen = await view.next_reply(timeout=3600)
            except AssertionError:
                continue
            self.show(seen, prefix)
            self.activity.set()

    async def act(self, line: str) -> bool:
        """Carry out one typed line; False to quit."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit", "/q"):
            return False
        if line == "/contact":
            await self._owner.share_contact()
        elif line.isdigit() and 1 <= int(line) <= len(self._buttons):
            label = self._buttons[int(line) - 1]
            if self._request_contact:
                await self._owner.share_contact()
            else:
                await self._owner.tap(label)
        elif line.startswith("/"):
            name, _, payload = line[1:].partition(" ")
            await self._owner.command(name, payload or None)
        else:
            await self._owner.send(line[:4096])
        return True


async def _quiet(activity: asyncio.Event) -> None:
    """Wait until the bot has answered and then stayed silent a moment."""
    while True:
        activity.clear()
        try:
            await asyncio.wait_for(activity.wait(), QUIET_SECONDS)
        except TimeoutError:
            return


async def _read_lines(stream: TextIO) -> asyncio.Queue[str | None]:
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def pump() -> None:
        for line in stream:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    loop.run_in_executor(None, pump)
    return queue


async def run_demo(stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Run the demo until /quit or the end of input."""
    configure_logging(level="WARNING")
    sandbox = SandboxState.seeded()
    world = TelegramWorld()
    world.add_bot(DEMO_TOKEN, username="clinique_tilleuls_bot", first_name="Clinique des Tilleuls")
    owner_record = sandbox.seed.demo_owner_one_pet
    owner = world.person(
        owner_record.first_name, owner_record.last_name, phone_number=owner_record.phone
    )
    receptionist = world.person("Léa", "Accueil")
    staff = world.group("Accueil clinique", [receptionist], admins=[receptionist])
    with tempfile.TemporaryDirectory(prefix="vetbot-demo-") as folder:
        clinic_file = Path(folder) / "clinic.toml"
        clinic_file.write_text(render_clinic_toml(sandbox), encoding="utf-8")
        async with (
            serve_asgi(create_sandbox_app(sandbox)) as sandbox_url,
            serve_asgi(create_emulator_app(world)) as telegram_url,
        ):
            settings = load_settings(
                _env_file=None,
                telegram_bot_token=SecretStr(DEMO_TOKEN),
                telegram_api_url=telegram_url,
                treats_api_url=sandbox_url + "/api/v1",
                treats_api_key=SecretStr(sandbox.api_key),
                clinic_config=clinic_file,
                staff_chat_id=staff.id,
                vetbot_data_dir=Path(folder) / "data",
                vetbot_link_secret=SecretStr(DEMO_LINK_SECRET),
            )
            terminal = Terminal(owner, staff, out)
            try:
                async with running_bot(settings, load_clinic(clinic_file)):
                    print(HELP, file=out, flush=True)
                    followers = [
                        asyncio.create_task(terminal.follow(owner)),
                        asyncio.create_task(terminal.follow(staff, prefix=f"[{staff.title}] ")),
                    ]
                    lines = await _read_lines(stdin)
                    await owner.command("start")
                    await _quiet(terminal.activity)
                    while (line := await lines.get()) is not None:
                        if not await terminal.act(line):
                            break
                        await _quiet(terminal.activity)
                    for task in followers:
                        task.cancel()
                    await asyncio.gather(*followers, return_exceptions=True)
            finally:
                sandbox.close()
                await world.aclose()
    print("\nÀ bientôt !", file=out, flush=True)
    return 0
