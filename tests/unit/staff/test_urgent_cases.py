"""`bot.urgent_cases`: what the staff alert shows, gathered from a fake Treats client; and the
staff commands' rules of `bot.staff_desk` (who /invitation invites, how long /pause lasts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from bot.booking import Draft
from bot.staff_desk import DEFAULT_PAUSE, invited_client, pause_length
from bot.treats import Client, NotFound, Patient, TreatsError, Unavailable
from bot.triage import default_lexicon
from bot.urgent_cases import UrgentCase, describe_pet, gather_case, urgent_message, with_line
from tests.unit.staff.conftest import FR, NOW, english

TODAY = date(2026, 11, 23)
MARIE = Client(id="c-marie", first_name="Marie", last_name="Dubois", phone="+33639981234")
MIMI = Patient(
    id="p-mimi", client_id="c-marie", name="Mimi", species="chat", birth_date=date(2023, 5, 1)
)
REX = Patient(id="p-rex", client_id="c-marie", name="Rex", species="chien")
CLIENT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@dataclass
class FakeTreats:
    """A Treats client and pet list: records by id, or one error for every call."""

    clients: dict[str, Client] = field(default_factory=dict)
    patients: list[Patient] = field(default_factory=list)
    error: TreatsError | None = None

    async def get_client(self, client_id: str) -> Client:
        self._fail()
        if client_id not in self.clients:
            raise NotFound("no such client")
        return self.clients[client_id]

    async def find_clients_by_phone(self, phone: str) -> list[Client]:
        self._fail()
        return [c for c in self.clients.values() if c.phone == phone]

    async def get_patient(self, patient_id: str) -> Patient:
        self._fail()
        return next(p for p in self.patients if p.id == patient_id)

    async def pets(self, client_id: str) -> list[Patient]:
        self._fail()
        return sorted((p for p in self.patients if p.client_id == client_id), key=lambda p: p.name)

    def _fail(self) -> None:
        if self.error is not None:
            raise self.error


def _draft(**changes: object) -> Draft:
    draft = Draft(client_id="c-marie", started_at=NOW)
    draft.owner_words = "il ne mange plus"
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


async def _case(treats: FakeTreats, draft: Draft, _: object = FR) -> UrgentCase:
    return await gather_case(treats, treats, default_lexicon(), TODAY, 42, draft, _)  # type: ignore[arg-type]


async def test_the_only_pet_of_the_record_is_named() -> None:
    treats = FakeTreats({"c-marie": MARIE}, [MIMI])
    case = await _case(treats, _draft())
    assert case.pet == "Mimi (chat, 3 ans)"
    assert (case.owner_name, case.owner_phone, case.owner_user_id) == (
        "Marie Dubois",
        "+33639981234",
        42,
    )
    assert case.words == "il ne mange plus"


async def test_several_pets_are_listed_for_the_staff_to_ask() -> None:
    treats = FakeTreats({"c-marie": MARIE}, [REX, MIMI])
    case = await _case(treats, _draft())
    assert case.pet == "? (Mimi, Rex)"


async def test_the_pet_chosen_is_described() -> None:
    treats = FakeTreats({"c-marie": MARIE}, [REX, MIMI])
    case = await _case(treats, _draft(patient_id="p-rex", pet_name="Rex"))
    assert case.pet == "Rex (chien)"


async def test_a_treats_error_leaves_question_marks() -> None:
    treats = FakeTreats({"c-marie": MARIE}, [MIMI], error=Unavailable("down"))
    case = await _case(treats, _draft())
    assert (case.owner_name, case.owner_phone, case.pet) == ("?", None, "?")
    message = urgent_message(case, 9, FR)
    assert "👤 ? · 📞 ?" in message.text.splitlines()


async def test_signs_the_lexicon_does_not_know_are_the_owners_word() -> None:
    treats = FakeTreats({"c-marie": MARIE}, [MIMI])
    case = await _case(treats, _draft(owner_words="je suis inquiète"))
    assert case.signs == "signalée par le client"
    english_case = await _case(treats, _draft(owner_words="je suis inquiète"), english())
    assert english_case.signs == "reported by the owner"
    assert english_case.pet == "Mimi (chat, 3 years)"


def test_a_young_pets_age_is_in_months() -> None:
    kitten = Patient(id="p", client_id="c", name="Lou", birth_date=date(2026, 2, 24))
    assert describe_pet(kitten, "Lou", TODAY, FR) == "Lou (8 mois)"
    assert describe_pet(kitten, "Lou", TODAY, english()) == "Lou (8 months)"
    assert describe_pet(None, "? (Lou, Tom)", TODAY, FR) == "? (Lou, Tom)"
    newborn = Patient(id="p", client_id="c", name="Tom", birth_date=date(2026, 10, 20))
    assert describe_pet(newborn, "Tom", TODAY, FR) == "Tom (1 mois)"
    assert describe_pet(newborn, "Tom", TODAY, english()) == "Tom (1 month)"


def test_the_alert_buttons_and_a_line_added() -> None:
    case = UrgentCase(42, "Marie <Dubois>", None, "Mimi", "saigne", "vite")
    message = urgent_message(case, 7, FR)
    assert message.text.splitlines() == [
        "🚨 <b>URGENCE</b> : saigne",
        "🐾 Mimi",
        "👤 Marie &lt;Dubois&gt; · 📞 ?",
        "💬 « vite »",
    ]
    assert [[b.callback_data or b.url for b in row] for row in message.buttons] == [
        ["ack:7", "call:7"],
        ["tg://user?id=42"],
    ]
    taken = with_line(message, "✅ Pris", drop_ack=True)
    assert taken.text.endswith("\n✅ Pris")
    assert [[b.callback_data or b.url for b in row] for row in taken.buttons] == [
        ["call:7"],
        ["tg://user?id=42"],
    ]


# -- /invitation and /pause -------------------------------------------------------------------


async def test_an_invitation_finds_a_client_by_id_or_by_phone() -> None:
    treats = FakeTreats({CLIENT_ID: MARIE.model_copy(update={"id": CLIENT_ID})})
    by_id = await invited_client(treats, CLIENT_ID)
    assert by_id is not None and by_id.id == CLIENT_ID
    by_phone = await invited_client(treats, "+33639981234")
    assert by_phone is not None and by_phone.full_name == "Marie Dubois"


async def test_an_invitation_needs_exactly_one_client() -> None:
    twin = MARIE.model_copy(update={"id": "c-twin", "first_name": "Julie"})
    treats = FakeTreats({"c-marie": MARIE, "c-twin": twin})
    assert await invited_client(treats, "+33639981234") is None  # two records share it
    assert await invited_client(treats, "+33600000000") is None  # nobody
    assert await invited_client(treats, "00000000-0000-0000-0000-000000000000") is None
    assert await invited_client(FakeTreats(error=Unavailable("down")), "+33639981234") is None


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", DEFAULT_PAUSE),
        ("  ", DEFAULT_PAUSE),
        ("30min", timedelta(minutes=30)),
        ("45 minutes", timedelta(minutes=45)),
        ("2h", timedelta(hours=2)),
        ("3", timedelta(hours=3)),
        ("1 heure", timedelta(hours=1)),
        ("2 jours", timedelta(days=2)),
        ("1J", timedelta(days=1)),
    ],
)
def test_a_pause_length_is_read(text: str, length: timedelta) -> None:
    assert pause_length(text) == length


@pytest.mark.parametrize("text", ["demain", "2 semaines", "1000h", "-1h", "1h30"])
def test_a_pause_length_not_understood_is_none(text: str) -> None:
    assert pause_length(text) is None
