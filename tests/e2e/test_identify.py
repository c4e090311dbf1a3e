"""Identifying an owner: only their own number, or a genuine invite, links them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from bot.invites import make_invite
from tests.e2e.flow import identify, next_step
from tests.support.vetbot_fixtures import LINK_SECRET, VetbotRun

pytestmark = pytest.mark.both_databases


async def test_own_contact_links_the_owner_durably(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    with vetbot.store() as store:
        link = store.owner(marie.user.id)
    assert link is not None and link.client_id == vetbot.sandbox.seed.demo_owner_one_pet.id


async def test_unknown_number_gets_the_clinic_phone_and_hours(vetbot: VetbotRun) -> None:
    stranger = vetbot.world.person("Paul", "Inconnu", phone_number="+33 6 00 00 00 01")
    await stranger.command("start")
    await next_step(stranger)
    await stranger.share_contact()
    answer = await next_step(stranger)
    assert "Je ne trouve pas ce numéro" in answer.text
    assert vetbot.clinic.phone in answer.text and vetbot.clinic.opening_hours in answer.text
    with vetbot.store() as store:
        assert store.owner(stranger.user.id) is None


async def test_someone_elses_contact_is_refused_without_revealing_them(
    vetbot: VetbotRun, marie
) -> None:
    intruder = vetbot.world.person("Max", "Curieux", phone_number="+33 6 00 00 00 02")
    await intruder.command("start")
    await next_step(intruder)
    owner = vetbot.sandbox.seed.demo_owner_one_pet
    await intruder.share_contact_of(owner.phone, "Marie", user_id=marie.user.id)
    answer = await next_step(intruder)
    assert "votre propre numéro" in answer.text
    assert "Marie" not in answer.text and "Mimi" not in answer.text
    assert answer.buttons == ["📱 Partager mon numéro"]
    with vetbot.store() as store:
        assert store.owner(intruder.user.id) is None


async def test_a_typed_number_is_not_proof(vetbot: VetbotRun, marie) -> None:
    await marie.command("start")
    await next_step(marie)
    await marie.send("06 39 98 12 34")
    answer = await next_step(marie)
    assert "le bouton prouve que c'est bien le vôtre" in answer.text


async def test_invite_link_links_without_a_contact(vetbot: VetbotRun) -> None:
    owner = vetbot.sandbox.seed.demo_owner_many_pets
    newcomer = vetbot.world.person("Thomas", "Moreau")
    token = make_invite(owner.id, SecretStr(LINK_SECRET), now=vetbot.clock())
    await newcomer.command("start", token)
    welcome = await next_step(newcomer)
    assert "Bienvenue, Thomas" in welcome.text
    with vetbot.store() as store:
        assert store.owner(newcomer.user.id).client_id == owner.id


async def test_tampered_or_expired_invites_are_refused(vetbot: VetbotRun) -> None:
    owner = vetbot.sandbox.seed.demo_owner_many_pets
    secret = SecretStr(LINK_SECRET)
    token = make_invite(owner.id, secret, now=vetbot.clock())
    forged = make_invite(owner.id, SecretStr("another-secret-entirely"), now=vetbot.clock())
    expired = make_invite(owner.id, secret, now=vetbot.clock() - timedelta(days=30))
    person = vetbot.world.person("Eve", "Malice")
    await person.command("start", forged)
    assert "n'est pas valable" in (await next_step(person)).text
    await person.command("start", token[:-3] + "AAA")
    assert "n'est pas valable" in (await next_step(person)).text
    await person.command("start", expired)
    assert "a expiré" in (await next_step(person)).text
    with vetbot.store() as store:
        assert store.owner(person.user.id) is None
