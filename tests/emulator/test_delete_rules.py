"""deleteMessage's limitations (https://core.telegram.org/bots/api#deletemessage): 48 hours by
the bot's clock, both sides of a private chat, others' messages in a group only as an
administrator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.standins.emulator import Person, TelegramWorld
from tests.emulator.in_process import Api, world_at

CANT = "Bad Request: message can't be deleted"
CANT_FOR_EVERYONE = "Bad Request: message can't be deleted for everyone"
JUST_UNDER_48_HOURS = timedelta(hours=47, minutes=59, seconds=59)
Clocked = tuple[TelegramWorld, ManualClock, Api]


@pytest.fixture
async def clocked() -> AsyncIterator[Clocked]:
    """A world whose clock the test moves, and its Bot API called in-process."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with world_at(clock) as (world, api):
        yield world, clock, api


async def _alice(world: TelegramWorld) -> Person:
    alice = world.person("Alice")
    await alice.command("start")  # message 1
    return alice


async def test_a_private_chat_deletes_both_sides_within_48_hours(clocked: Clocked) -> None:
    world, clock, api = clocked
    alice = await _alice(world)
    await api("sendMessage", chat_id=alice.user.id, text="Bonjour")  # message 2
    clock.advance(JUST_UNDER_48_HOURS)
    await api("deleteMessage", chat_id=alice.user.id, message_id=1)  # hers
    await api("deleteMessage", chat_id=alice.user.id, message_id=2)  # the bot's own
    assert alice.messages == []


async def test_after_48_hours_nothing_is_deleted(clocked: Clocked) -> None:
    world, clock, api = clocked
    alice = await _alice(world)
    await api("sendMessage", chat_id=alice.user.id, text="Bonjour")
    clock.advance(timedelta(hours=48))
    for message_id in (1, 2):
        body = await api("deleteMessage", expect=400, chat_id=alice.user.id, message_id=message_id)
        assert body["description"] == CANT_FOR_EVERYONE
    assert alice.last_text == "Bonjour"


async def test_editing_has_no_age_limit(clocked: Clocked) -> None:
    """The reference's 48 hours for editing concern business messages only."""
    world, clock, api = clocked
    alice = await _alice(world)
    await api("sendMessage", chat_id=alice.user.id, text="Bonjour")
    clock.advance(timedelta(days=30))
    await api("editMessageText", chat_id=alice.user.id, message_id=2, text="Re-bonjour")
    assert alice.last_text == "Re-bonjour"


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_in_a_group_others_messages_need_an_administrator(
    clocked: Clocked, kind: str
) -> None:
    world, _, api = clocked
    lea = world.person("Léa")
    member = world.group("Équipe", [lea], kind=kind)
    admin = world.group("Équipe (bot admin)", [lea], kind=kind, bot_admin=True)
    for group in (member, admin):
        await lea.in_group(group).send("Je suis là")  # message 1
        await api("sendMessage", chat_id=group.id, text="Noté")  # message 2
    body = await api("deleteMessage", expect=400, chat_id=member.id, message_id=1)
    assert body["description"] == CANT
    await api("deleteMessage", chat_id=member.id, message_id=2)  # its own: always
    await api("deleteMessage", chat_id=admin.id, message_id=1)
    await api("deleteMessage", chat_id=admin.id, message_id=2)


@pytest.mark.parametrize(
    ("kind", "description"), [("group", CANT_FOR_EVERYONE), ("supergroup", CANT)]
)
async def test_after_48_hours_a_group_says_which_way(
    clocked: Clocked, kind: str, description: str
) -> None:
    world, clock, api = clocked
    lea = world.person("Léa")
    group = world.group("Équipe", [lea], kind=kind, bot_admin=True)
    await api("sendMessage", chat_id=group.id, text="Noté")
    clock.advance(timedelta(hours=49))
    body = await api("deleteMessage", expect=400, chat_id=group.id, message_id=1)
    assert body["description"] == description
