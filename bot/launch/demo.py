"""`vetbot demo`: the real bot, a local Telegram and a sandbox clinic, chatted with in a terminal.

Nothing leaves the machine and no token or key is needed: the Treats sandbox and the Telegram
emulator are served on loopback, and the unmodified bot is pointed at them by URL, exactly as
in production. The person at the keyboard plays Marie Dubois, an owner of the sandbox clinic
(one cat, Mimi), or, after ``/equipe``, Léa at the clinic's front desk, a member of the staff
group; ``/client`` makes them Marie again. Bot messages are printed, each chat's under its own
prefix; the buttons of the current side's latest messages are numbered: type a number to tap
one. Piped input works as typed input, each line echoed after the prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO
from urllib.parse import urlsplit

from pydantic import SecretStr

from bot.config import load_clinic, load_settings
from bot.launch.application import running_bot
from bot.runtime.asgi_server import bind_loopback, serve_asgi
from bot.runtime.logs import configure_logging
from bot.standins.emulator import (
    CallbackAnswer,
    Group,
    Participant,
    Person,
    SeenMessage,
    TelegramWorld,
    create_emulator_app,
)
from bot.standins.sandbox import SandboxState, create_sandbox_app, render_clinic_toml

DEMO_TOKEN: Final = "100000001:DEMO-TOKEN-local-emulator-only"
DEMO_LINK_SECRET: Final = "demo-link-secret-not-for-production"
DEMO_WEEK_VIEW: Final = "https://vetbot.demo/app"
"""The week view's "public" address in the demo; the page is served on a loopback port."""
QUIET_SECONDS: Final = 0.6
"""How long the bot stays silent before the demo takes the next scripted line."""
QUIT: Final = frozenset({"/quit", "/exit", "/q"})
BE_STAFF: Final = frozenset({"/equipe", "/équipe", "/staff"})
BE_OWNER: Final = frozenset({"/client", "/owner"})
STAFF_PANELS: Final = 3
"""How many of the staff chat's latest messages with buttons are numbered on /equipe."""
HELP: Final = """\
vetbot demo: you are Marie Dubois, owner of Mimi the cat, talking to the clinic's bot.
  a number      tap that button          /contact   share your phone number
  any text      send it (try "vaccin pour Mimi demain à 15h")
  /start, /annuler, /langue ...          bot commands       /quit  leave
The clinic's staff group is shown too, as [{group}] ...:
  /equipe (or /staff)   be Léa, at the front desk, in that group: numbers tap its buttons
                        (Je prends, Rappeler, Fait, Refusé...); type /aujourdhui, /stats,
                        /pause 30min, /reprise
  /client (or /owner)   be Marie again
The prompt says who you are. Try an urgent case: write "mon chat a mangé du lys", answer
yes, then /equipe and tap "Je prends". Or book, ask to cancel, and let Léa decide.
"""


@dataclass(frozen=True)
class Key:
    """One numbered button: the message it is on and what tapping it does."""

    message_id: int
    label: str
    callback_data: str | None = None
    url: str | None = None
    web_app_url: str | None = None
    """A Mini App button (the week view): tapping it prints the page's local link."""
    shares_contact: bool = False
    """A reply-keyboard button: the bot's only one asks for the phone number."""


def keys_of(seen: SeenMessage) -> list[Key]:
    if seen.inline_buttons:
        return [
            Key(
                seen.message_id,
                button.text,
                button.callback_data,
                button.url,
                web_app_url=button.web_app_url,
            )
            for button in seen.inline_buttons
        ]
    return [Key(seen.message_id, label, shares_contact=True) for label in seen.reply_keyboard]


@dataclass
class Side:
    """One seat at the keyboard: who acts, in which chat, and the buttons numbered for them."""

    name: str
    prompt: str
    actor: Participant
    view: Person | Group
    switch: str
    """The command that makes this side the current one."""
    panels: int
    """How many of the chat's latest messages with buttons are numbered on switching here."""
    keys: dict[int, Key] = field(default_factory=dict)
    """The numbers the person may type, and the buttons they tap."""

    def number(self, messages: list[SeenMessage]) -> list[list[int]]:
        """Number these messages' buttons from 1, in order; each message's numbers."""
        self.keys, numbers = {}, []
        for message in messages:
            first = len(self.keys) + 1
            self.keys.update(enumerate(keys_of(message), first))
            numbers.append(list(range(first, len(self.keys) + 1)))
        return numbers

    def renumber(self, message: SeenMessage) -> list[int]:
        """The message's buttons, numbered: the buttons of a new message from 1, but one of
        several listed messages, edited, keeps its buttons' numbers and the others theirs."""
        listed = {key.message_id for key in self.keys.values()}
        if len(listed) < 2 or message.message_id not in listed:
            return self.number([message])[0]
        kept = {key: number for number, key in self.keys.items()}
        numbers = []
        for key in keys_of(message):
            if key not in kept:
                kept[key] = max(self.keys) + 1
                self.keys[kept[key]] = key
            numbers.append(kept[key])
        return numbers

    def live(self, key: Key) -> bool:
        """Whether the button is still on screen, on the same message."""
        for message in self.view.messages:
            if message.message_id == key.message_id:
                return key in keys_of(message)
        return False


def _title(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 70 else line[:69] + "…"


class Terminal:
    """Prints what the owner and the staff see; turns typed lines into actions."""

    def __init__(
        self,
        owner: Person,
        staff: Group,
        staff_member: Person,
        out: TextIO,
        *,
        echo: bool,
        week_view: str | None = None,
    ) -> None:
        self.owner = Side(
            owner.user.first_name, f"{owner.user.first_name} › ", owner, owner, "/client", 1
        )
        self.staff = Side(
            staff_member.user.first_name,
            f"{staff_member.user.first_name} @ {staff.title} › ",
            staff_member.in_group(staff),
            staff,
            "/equipe",
            STAFF_PANELS,
        )
        self.side = self.owner
        self._week_view = week_view
        """The week view's page on this machine (the bot's public https one is not reachable)."""
        self._out = out
        self._echo = echo
        self._shown: dict[tuple[int, int], tuple[str, tuple[str, ...]]] = {}
        self.waiting = False
        """The prompt is on screen, waiting for a line (interactive use)."""
        self.activity = asyncio.Event()

    def _print(self, text: str = "", end: str = "\n") -> None:
        print(text, file=self._out, end=end, flush=True)

    def _prefix(self, side: Side) -> str:
        """Nothing for the current side's private chat; otherwise whose chat it is."""
        if side is self.owner and side is self.side:
            return ""
        view = side.view
        title = view.title if isinstance(view, Group) else view.user.full_name
        return f"[{title}] "

    def show(self, seen: SeenMessage, side: Side) -> None:
        prefix = self._prefix(side)
        if seen.document is not None:
            self._print(f"{prefix}📎 {seen.document.file_name} {seen.text}".rstrip())
            return
        key = (side.view.chat.id, seen.message_id)
        labels = tuple(seen.buttons)
        before = self._shown.get(key)
        unchanged = before is not None and before[0] == seen.text and labels in ((), before[1])
        if seen.kind == "edited" and unchanged:
            return  # an older panel losing its buttons: nothing new to read
        self._shown[key] = (seen.text, labels)
        marker = "(modifié) " if seen.kind == "edited" else ""
        self._print(f"\n{prefix}🤖 {marker}{seen.text}")
        if not labels:
            return
        if side is self.side:
            self._list(side, side.renumber(seen))
        else:
            self._print(f"   ({' · '.join(labels)}: {side.switch} to tap)")

    def _list(self, side: Side, numbers: list[int]) -> None:
        for number in numbers:
            self._print(f"   [{number}] {side.keys[number].label}")

    def become(self, side: Side) -> None:
        """Act as `side` from now on; its latest buttons are numbered again."""
        self.side = side
        if isinstance(side.view, Group):
            where = f"at the front desk, in the staff group [{side.view.title}]"
            back = f"{self.owner.switch}: be {self.owner.name} again"
        else:
            where = "in your chat with the clinic's bot"
            back = f"{self.staff.switch}: be {self.staff.name} at the front desk"
        self._print(f"\n── You are {side.actor.user.full_name}, {where} ({back}).")
        panels = [message for message in side.view.messages if keys_of(message)]
        panels = panels[-side.panels :]
        for message, numbers in zip(panels, side.number(panels), strict=True):
            self._print(f"{self._prefix(side)}🤖 {_title(message.text)}")
            self._list(side, numbers)
        if side is self.staff and not side.keys:
            self._print("   (no buttons here yet; try /aujourdhui, /stats, /pause 30min)")

    def prompt(self, line: str | None = None) -> None:
        """The prompt, with the line taken from piped input after it."""
        if line is not None:
            self._print(f"\n{self.side.prompt}{line.rstrip()}")
        else:
            self._print(f"\n{self.side.prompt}", end="")

    async def follow(self, side: Side) -> None:
        """Print every message the bot shows in one chat, as it comes."""
        while True:
            try:
                seen = await side.view.next_reply(timeout=3600)
            except AssertionError:
                continue
            self.show(seen, side)
            self.activity.set()
            if self.waiting:
                self.prompt()

    async def act(self, line: str) -> bool:
        """Carry out one typed line; False to quit."""
        line = line.strip()
        if not line:
            return True
        if self._echo:
            self.prompt(line)
        word, _, payload = line.partition(" ")
        side = self.side
        if word in QUIT:
            return False
        if word in BE_STAFF:
            self.become(self.staff)
        elif word in BE_OWNER:
            self.become(self.owner)
        elif word == "/contact":
            if side is self.owner:
                await self.owner.actor.share_contact()
            else:
                self._print(f"   (/contact is {self.owner.name}'s: {self.owner.switch} first)")
        elif line.isdigit() and int(line) in side.keys:
            await self._tap(side, side.keys[int(line)])
        elif line.isdigit() and side is self.staff:  # the bot reads nothing else in the group
            self._print(f"   (no button [{line}] here: {side.switch} lists the buttons on screen)")
        elif line.startswith("/"):
            await side.actor.command(word[1:], payload or None)
        else:
            await side.actor.send(line[:4096])
        return True

    async def _tap(self, side: Side, key: Key) -> None:
        if key.shares_contact:
            await side.actor.share_contact()
            return
        if key.url is not None:
            self._print(f"   🔗 {key.url} (a link: Telegram would open it)")
            return
        if key.web_app_url is not None and self._week_view is not None:
            # Telegram would open the page inside the chat; here, a desktop browser does, as
            # the owner (the fragment carries their signed initData, as a client's does).
            launch = await side.actor.open_mini_app(key.label)
            self._print(f"   🗓 open this in your browser: {self._week_view}#{launch.fragment}")
            self._print("      (choose a slot there: the summary comes back here)")
            return
        if key.callback_data is None or not side.live(key):
            self._print(f"   ([{key.label}] is no longer on screen)")
            return
        try:
            # This very message's button: tap() would take the newest with that label.
            answer = await side.actor.tap_data(key.callback_data, key.message_id)
        except AssertionError:
            self._print(f"   ([{key.label}]: the bot did not answer the tap)")
            return
        self._answer(answer)

    def _answer(self, answer: CallbackAnswer) -> None:
        if answer.text:
            kind = "pop-up" if answer.show_alert else "toast"
            self._print(f"   ↳ {kind}: {answer.text}")


async def _quiet(activity: asyncio.Event) -> None:
    """Wait until the bot has answered and then stayed silent a moment."""
    while True:
        activity.clear()
        try:
            await asyncio.wait_for(activity.wait(), QUIET_SECONDS)
        except TimeoutError:
            return


async def _read_lines(stream: TextIO) -> asyncio.Queue[str | None]:
    """Lines as they are typed or piped, then None. A daemon thread reads them: after /quit
    at a terminal it is still waiting for a line, and must not hold the exit."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def pump() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the demo is over
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="demo-input", daemon=True).start()
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
            with bind_loopback() as probe:
                week_view_port = probe.getsockname()[1]
            settings = load_settings(
                _env_file=None,
                mini_app_url=DEMO_WEEK_VIEW,
                webhook_port=week_view_port,
                webhook_listen="127.0.0.1",
                telegram_bot_token=SecretStr(DEMO_TOKEN),
                telegram_api_url=telegram_url,
                treats_api_url=sandbox_url + "/api/v1",
                treats_api_key=SecretStr(sandbox.api_key),
                clinic_config=clinic_file,
                staff_chat_id=staff.id,
                vetbot_data_dir=Path(folder) / "data",
                vetbot_link_secret=SecretStr(DEMO_LINK_SECRET),
            )
            interactive = stdin.isatty()
            local_page = f"http://127.0.0.1:{week_view_port}{urlsplit(DEMO_WEEK_VIEW).path}"
            terminal = Terminal(
                owner, staff, receptionist, out, echo=not interactive, week_view=local_page
            )
            try:
                async with running_bot(settings, load_clinic(clinic_file)):
                    print(HELP.format(group=staff.title), file=out, flush=True)
                    followers = [
                        asyncio.create_task(terminal.follow(terminal.owner)),
                        asyncio.create_task(terminal.follow(terminal.staff)),
                    ]
                    lines = await _read_lines(stdin)
                    await owner.command("start")
                    await _quiet(terminal.activity)
                    while True:
                        if interactive:
                            terminal.prompt()
                            terminal.waiting = True
                        line = await lines.get()
                        terminal.waiting = False
                        if line is None or not await terminal.act(line):
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
