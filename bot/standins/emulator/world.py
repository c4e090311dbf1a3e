"""The emulated Telegram: bots, people, groups and time, one world per test or demo."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import httpx

from bot.clock import Clock, system_clock
from bot.standins.emulator.bots import BotAccount
from bot.standins.emulator.chats import ADMINISTRATOR, GROUP, MEMBER, SUPERGROUP, Chat, TelegramUser
from bot.standins.emulator.faults import FaultPlan
from bot.standins.emulator.groups import Group
from bot.standins.emulator.people import Person

DEFAULT_BOT_USERNAME = "vetbot_test_bot"
DEFAULT_BOT_FIRST_NAME = "VetBot"
DEFAULT_LANGUAGE_CODE = "fr"
FIRST_PERSON_ID = 100001
FIRST_GROUP_ID = -1001000000001
"""Supergroups: -100 followed by the channel number, as Telegram's Bot API ids are."""
FIRST_BASIC_GROUP_ID = -4000000001
"""Basic groups: a plain negative number (groups created lately have ten digits, -4…)."""
_TOKEN_SHAPE = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]+$")


class TelegramWorld:
    """In-memory Telegram: serve it with `create_emulator_app`, play it with `Person`/`Group`.

    Everything happens on the event loop that uses it; nothing here is thread-safe.
    """

    def __init__(
        self, clock: Clock = system_clock, *, webhook_client: httpx.AsyncClient | None = None
    ) -> None:
        self.clock = clock
        self.faults = FaultPlan()
        self._http = webhook_client
        self._owns_http = webhook_client is None
        self._accounts: list[BotAccount] = []
        self._bots: dict[str, BotAccount] = {}
        """The accounts by their valid token (a revoked token is no longer here)."""
        self._people: list[Person] = []
        self._groups: list[Group] = []
        self._person_ids = itertools.count(FIRST_PERSON_ID)
        self._group_ids = itertools.count(FIRST_GROUP_ID, -1)
        self._basic_group_ids = itertools.count(FIRST_BASIC_GROUP_ID, -1)

    def add_bot(
        self,
        token: str,
        username: str = DEFAULT_BOT_USERNAME,
        first_name: str = DEFAULT_BOT_FIRST_NAME,
    ) -> BotAccount:
        """Register a bot; as on Telegram, its user id is the number before the token's colon."""
        shape = _TOKEN_SHAPE.match(token)
        if shape is None:
            raise ValueError("a bot token looks like 123456:letters-digits_and-dashes")
        user = TelegramUser(int(shape.group(1)), first_name, username=username, is_bot=True)
        bot = BotAccount(token, user, self.clock, self._webhook_http)
        for person in self._people:
            bot.known_users[person.user.id] = person.user
        self._bots[token] = bot
        self._accounts.append(bot)
        return bot

    def _webhook_http(self) -> httpx.AsyncClient:
        """The client webhooks are posted with, created on first use (most worlds poll)."""
        if self._http is None:
            self._http = httpx.AsyncClient()
        return self._http

    @property
    def bot(self) -> BotAccount:
        """The first bot added: the one people and groups talk to."""
        if not self._accounts:
            raise LookupError("add a bot to the world first (world.add_bot)")
        return self._accounts[0]

    def bot_by_token(self, token: str) -> BotAccount | None:
        return self._bots.get(token)

    def revoke_token(self, bot: BotAccount) -> None:
        """The owner revoked the token with @BotFather: every later call with it is refused
        as Telegram refuses an unknown token (401 Unauthorized), a long poll already waiting
        included once it returns."""
        del self._bots[bot.token]

    def person(
        self,
        first_name: str,
        last_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = DEFAULT_LANGUAGE_CODE,
        phone_number: str | None = None,
        bot: BotAccount | None = None,
    ) -> Person:
        """Someone with a private chat with the bot (``bot``: another one than the first),
        which the bot can answer once they write."""
        user = TelegramUser(next(self._person_ids), first_name, last_name, username, language_code)
        for known_by in self._accounts:
            known_by.known_users[user.id] = user
        return self._person_with(user, bot or self.bot, phone_number)

    def same_person_with(self, person: Person, bot: BotAccount) -> Person:
        """The same Telegram user in their private chat with another bot (a second clinic's):
        one account, one phone number, two conversations."""
        return self._person_with(person.user, bot, person.phone_number)

    def _person_with(self, user: TelegramUser, bot: BotAccount, phone: str | None) -> Person:
        conversation = bot.open_conversation(Chat.private_with(user), open_to_bot=False)
        person = Person(user, bot, conversation, phone_number=phone)
        self._people.append(person)
        return person

    def group(
        self,
        title: str,
        members: Sequence[Person],
        *,
        admins: Sequence[Person] = (),
        kind: str = SUPERGROUP,
        bot_admin: bool = False,
        bot: BotAccount | None = None,
    ) -> Group:
        """A group the bot is in, with `members` ("administrator" for `admins`).

        ``kind`` is "supergroup" (id -100…) or "group", a basic group (id -4…) that
        `Group.upgrade_to_supergroup` can turn into a supergroup. The bot is a plain member,
        or with ``bot_admin`` an administrator (with can_delete_messages: it may then delete
        others' messages there).
        """
        if kind == SUPERGROUP:
            chat_id = next(self._group_ids)
        elif kind == GROUP:
            chat_id = next(self._basic_group_ids)
        else:
            raise ValueError(f'a group is of kind "group" or "supergroup", not {kind!r}')
        chat = Chat(chat_id, kind, title=title)
        bot = bot or self.bot
        conversation = bot.open_conversation(chat, open_to_bot=True)
        conversation.bot_status = ADMINISTRATOR if bot_admin else MEMBER
        admin_ids = {person.user.id for person in admins}
        for person in (*members, *admins):
            status = ADMINISTRATOR if person.user.id in admin_ids else MEMBER
            conversation.members[person.user.id] = status
        group = Group(chat, bot, conversation, new_supergroup_id=self._next_supergroup_id)
        self._groups.append(group)
        return group

    def _next_supergroup_id(self) -> int:
        return next(self._group_ids)

    @property
    def people(self) -> tuple[Person, ...]:
        return tuple(self._people)

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(self._groups)

    def render_transcripts(self) -> str:
        """Every chat that saw something, for a failing test's report."""
        transcripts = [person.transcript for person in self._people]
        transcripts += [transcript for group in self._groups for transcript in group.transcripts]
        return "\n\n".join(t.render() for t in transcripts if t.entries)

    async def aclose(self) -> None:
        """Stop webhook deliveries and release the HTTP client the world created."""
        for bot in self._accounts:
            await bot.webhook.stop()
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None
