"""The week view's API driven over real HTTP while the unmodified bot runs against the sandbox
(the page itself is driven in a real browser in tests/browser): the owner at the time step sees
the week of what they chose in the chat, chooses a slot, and the chat shows the usual summary;
forged, stale and foreign initData, a vet not chosen and a slot taken meanwhile are refused."""

from __future__ import annotations

import httpx
import pytest

from bot.standins.emulator import Person
from tests.e2e.flow import confirm, identify, next_step, to_summary, to_when, to_when_in_english
from tests.support.vetbot_fixtures import VetbotRun
from tests.support.week_view import signed_for, taken_at_the_desk


async def opened_by(person: Person, label: str = "Voir la semaine") -> str:
    """The person taps "🗓 Voir la semaine": the initData their client hands the page."""
    return (await person.open_mini_app(label)).init_data


def tma(init_data: str) -> dict[str, str]:
    return {"Authorization": f"tma {init_data}"}


@pytest.fixture
def page(week_view_page: str) -> str:
    return week_view_page


async def test_the_week_of_the_chat_s_choices_and_a_slot_chosen_there_books_in_the_chat(
    vetbot_setup: VetbotRun, page: str, marie: Person
) -> None:
    async with vetbot_setup.running(), httpx.AsyncClient() as http:
        await identify(marie)
        step = await to_when(marie)
        assert "🗓 Voir la semaine" in step.buttons
        button = next(b for b in step.inline_buttons if "Voir la semaine" in b.text)
        assert button.callback_data is None  # a web_app button: opens the page

        answer = await http.get(f"{page}/api/week", headers=tma(await opened_by(marie)))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["lang"] == "fr" and body["summary"] == {
            "pet": "Mimi",
            "reason": "Vaccination",
            "vet": "Dr Claire Martin",
        }
        days = body["week"]["days"]
        assert len(days) == 7 and body["week"]["previous"] is None
        assert any(day["closed"] for day in days), "the sandbox clinic is closed on Sunday"
        open_day = next(day for day in days if day["slots"])
        slot = open_day["slots"][1]
        assert slot["label"].startswith(open_day["label"]) and slot["vet"] is None

        later = await http.get(
            f"{page}/api/week",
            params={"from": body["week"]["next"]},
            headers=tma(await opened_by(marie)),
        )
        assert later.json()["week"]["first_day"] == body["week"]["next"]

        chosen = await http.post(
            f"{page}/api/choose", json={"slot": slot["id"]}, headers=tma(await opened_by(marie))
        )
        assert chosen.status_code == 200 and chosen.json()["ok"], chosen.text
        summary = await next_step(marie)
        assert "Récapitulatif" in summary.text
        assert f"{open_day['label']} à {slot['time']}" in summary.text, summary.text
        done = await confirm(marie)
        assert slot["time"] in done.text
    mimi = vetbot_setup.sandbox.appointments_for(vetbot_setup.sandbox.seed.demo_pet.id)
    assert [a.scheduled_at.astimezone(vetbot_setup.clinic.tz).strftime("%H:%M") for a in mimi] == [
        slot["time"]
    ]


async def test_forged_stale_and_foreign_pages_are_refused(
    vetbot_setup: VetbotRun, page: str, marie: Person, thomas: Person
) -> None:
    async with vetbot_setup.running(), httpx.AsyncClient() as http:
        await identify(marie)
        await to_when(marie)
        week = f"{page}/api/week"
        now = vetbot_setup.clock()
        forged = signed_for(marie, now, token="654321:ANOTHER-BOT-token")
        assert (await http.get(week, headers=tma(forged))).status_code == 401
        stale = signed_for(marie, now, age=7200)
        assert (await http.get(week, headers=tma(stale))).status_code == 401
        assert (await http.get(week, headers=tma(signed_for(marie, now)))).status_code == 200
        assert (await http.get(week)).status_code == 401
        tampered = (await opened_by(marie)).replace("Marie", "Maria")
        assert (await http.get(week, headers=tma(tampered))).status_code == 401
        # Thomas is a known owner, but his chat is not at the time step: nothing to choose.
        await identify(thomas)
        answer = await http.get(week, headers=tma(signed_for(thomas, now)))
        assert answer.status_code == 409 and answer.json()["error"] == "nothing-to-choose"
        # A slot of a vet Marie did not choose, and garbage, are not hers to choose.
        body = (await http.get(week, headers=tma(await opened_by(marie)))).json()
        slot = next(s for day in body["week"]["days"] for s in day["slots"])
        other_vet = vetbot_setup.sandbox.seed.vet_named("Dr Julien Durand").id
        forged_slot = other_vet + "|" + slot["id"].split("|")[1]
        for wanted in (forged_slot, "garbage", "x" * 500):
            refused = await http.post(
                f"{page}/api/choose", json={"slot": wanted}, headers=tma(await opened_by(marie))
            )
            assert refused.status_code == 400, (wanted, refused.text)
        assert (
            await http.post(
                f"{page}/api/choose", content=b"{" * 5000, headers=tma(await opened_by(marie))
            )
        ).status_code == 400
    assert marie.last_text is not None and "Quand souhaitez-vous venir" in marie.last_text


async def test_a_slot_taken_between_the_week_and_the_tap_is_refused_with_a_fresh_week(
    vetbot_setup: VetbotRun, page: str, marie: Person
) -> None:
    sandbox = vetbot_setup.sandbox
    async with vetbot_setup.running(), httpx.AsyncClient() as http:
        await identify(marie)
        await to_when(marie)
        body = (await http.get(f"{page}/api/week", headers=tma(await opened_by(marie)))).json()
        slot = next(s for day in body["week"]["days"] for s in day["slots"])
        taken_at_the_desk(sandbox, slot["id"])
        taken = await http.post(
            f"{page}/api/choose",
            json={"slot": slot["id"], "from": body["week"]["first_day"]},
            headers=tma(await opened_by(marie)),
        )
        assert taken.status_code == 409 and taken.json()["error"] == "taken"
        fresh = [s["id"] for day in taken.json()["week"]["days"] for s in day["slots"]]
        assert slot["id"] not in fresh and fresh
    assert "Quand souhaitez-vous venir" in (marie.last_text or "")


async def test_the_week_speaks_the_owner_s_language(
    vetbot_setup: VetbotRun, page: str, marie: Person
) -> None:
    async with vetbot_setup.running(), httpx.AsyncClient() as http:
        await identify(marie)
        step = await to_when_in_english(marie, "Dr Claire Martin")
        assert "🗓 See the week" in step.buttons
        body = (
            await http.get(f"{page}/api/week", headers=tma(await opened_by(marie, "See the week")))
        ).json()
    assert body["lang"] == "en" and body["texts"]["next"] == "Next week ▶"
    monday = body["week"]["days"][0]
    assert monday["label"].startswith("Monday") and not monday["label"].startswith("lundi")


async def test_without_a_public_address_the_chat_offers_no_week_view(
    vetbot: VetbotRun, marie: Person
) -> None:
    await identify(marie)
    step = await to_when(marie)
    assert not any("semaine" in label for label in step.buttons if "Cette" not in label)


async def test_moving_an_appointment_offers_the_week_too(
    vetbot_setup: VetbotRun, page: str, marie: Person
) -> None:
    """ "Déplacer" asks the time again: the week view is there, and what it chooses moves the
    appointment through the same summary and confirmation."""
    async with vetbot_setup.running(), httpx.AsyncClient() as http:
        await identify(marie)
        await to_summary(marie)
        await confirm(marie)
        await marie.tap("Mes rendez-vous")
        await next_step(marie)
        await marie.tap("Déplacer")
        step = await next_step(marie)
        assert "Déplacement du rendez-vous" in step.text and "🗓 Voir la semaine" in step.buttons
        body = (await http.get(f"{page}/api/week", headers=tma(await opened_by(marie)))).json()
        slot = body["week"]["days"][2]["slots"][0]
        chosen = await http.post(
            f"{page}/api/choose", json={"slot": slot["id"]}, headers=tma(await opened_by(marie))
        )
        assert chosen.status_code == 200, chosen.text
        summary = await next_step(marie)
        assert "Récapitulatif" in summary.text and slot["time"] in summary.text
        await marie.tap("Confirmer")
        assert "C'est confirmé" in (await next_step(marie)).text
    starts = vetbot_setup.sandbox.appointments_for(vetbot_setup.sandbox.seed.demo_pet.id)
    assert len(starts) == 2  # the new one; the clinic cancels the old one itself
