"""Stickers, photos, voice notes and a 5000-character text at every step: always a kind answer,
the step shown again, and the booking still goes through afterwards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.standins.emulator import Person
from tests.e2e.flow import identify, next_step
from tests.support.vetbot_fixtures import VetbotRun

LONG_TEXT = ("blabla " * 715)[:5000]

BadInput = Callable[[Person], Awaitable[object]]
INPUTS: dict[str, BadInput] = {
    "sticker": lambda p: p.send_sticker(),
    "photo": lambda p: p.send_photo(),
    "voice": lambda p: p.send_voice(),
    "5000 characters": lambda p: p.send_long(LONG_TEXT),
}


MENU = ("Que souhaitez-vous faire", "Je n'ai pas bien compris")


async def assert_kind_answer(person: Person, send: BadInput, *expect: str) -> None:
    """Send the bad input; the bot answers without an error and shows the step again."""
    sent = await send(person)
    parts = len(sent) if isinstance(sent, list) else 1  # Telegram splits a long text
    seen = []
    while sum(any(text in s.text for text in expect) for s in seen) < parts:
        seen.append(await next_step(person))
    texts = " | ".join(s.text for s in seen)
    assert "Oups" not in texts, texts


@pytest.mark.parametrize("kind", INPUTS)
async def test_bad_input_at_every_step(vetbot: VetbotRun, thomas, kind: str) -> None:
    send = INPUTS[kind]
    await identify(thomas)
    await assert_kind_answer(thomas, send, *MENU)
    await thomas.tap("Prendre rendez-vous")
    await next_step(thomas)
    await assert_kind_answer(thomas, send, "Pour quel animal")
    await thomas.tap("Rex")
    await next_step(thomas)
    await assert_kind_answer(thomas, send, "motif", "type de rendez-vous")
    await thomas.tap("Vaccination")
    await next_step(thomas)
    await assert_kind_answer(thomas, send, "vétérinaire")
    await thomas.tap("Dr Claire Martin")
    await next_step(thomas)
    await assert_kind_answer(thomas, send, "Quand souhaitez-vous venir")
    await thomas.send("demain à 15h")
    await next_step(thomas)
    await assert_kind_answer(thomas, send, "Créneaux libres")
    await thomas.tap("15:00")
    await next_step(thomas)
    await assert_kind_answer(thomas, send, "Récapitulatif")
    await thomas.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(thomas)).text
    await assert_kind_answer(thomas, send, *MENU)
