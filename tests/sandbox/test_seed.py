"""The seed clinic: big enough, believable, stable, and its appointments always make sense."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import combinations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.standins.sandbox import SandboxState, build_seed, seed_id
from bot.standins.sandbox.availability import is_grid_start
from tests.support.treats_fixtures import PARIS


def test_the_clinic_is_big_enough() -> None:
    seed = build_seed()
    assert len(seed.vets) >= 3
    assert len(seed.appointment_types) >= 5
    assert len(seed.clients) >= 20
    assert len(seed.patients) >= 30
    assert len({p.species for p in seed.patients}) >= 6
    pets_per_owner = [len(seed.pets_of(c)) for c in seed.clients]
    assert pets_per_owner.count(1) >= 5
    assert sum(n >= 2 for n in pets_per_owner) >= 5


def test_phones_are_distinct_and_typed_in_mixed_formats() -> None:
    phones = [c.phone for c in build_seed().clients if c.phone]
    normalised = {
        phonenumbers.format_number(phonenumbers.parse(p, "FR"), phonenumbers.PhoneNumberFormat.E164)
        for p in phones
    }
    assert len(normalised) == len(phones)
    shapes = {re.sub(r"\d", "9", p) for p in phones}
    assert {"99 99 99 99 99", "+99 9 99 99 99 99", "9999999999", "+99999999999"} <= shapes


def test_named_handles() -> None:
    seed = build_seed()
    one = seed.demo_owner_one_pet
    assert (one.first_name, one.last_name, one.phone) == ("Marie", "Dubois", "06 39 98 12 34")
    assert one.id == seed_id("client", "Marie Dubois")
    assert [(p.name, p.species) for p in seed.pets_of(one)] == [("Mimi", "Chat")]
    assert seed.demo_pet.name == "Mimi"
    many = seed.demo_owner_many_pets
    assert (many.first_name, many.last_name, many.phone) == (
        "Thomas",
        "Moreau",
        "+33 6 39 98 23 45",
    )
    assert [p.name for p in seed.pets_of(many)] == ["Rex", "Caramel", "Noisette"]
    assert seed.pets_of(seed.demo_owner_no_pet) == []


def test_ids_are_stable_uuids() -> None:
    first, second = build_seed(), build_seed()
    assert first == second
    assert first.vet_named("Dr Claire Martin").id == "d1a2e116-7ad7-5981-b920-818ef4a76a71"
    ids = [c.id for c in first.clients] + [p.id for p in first.patients]
    assert len(set(ids)) == len(ids)


def test_vets_have_a_lunch_break_a_day_off_and_one_restriction() -> None:
    seed = build_seed()
    for vet in seed.vets:
        monday = vet.blocks_on(date(2026, 11, 23))
        assert len(monday) == 2 and monday[0].end < monday[1].start, vet.name
    assert any(not any(b.weekday == 2 for b in vet.hours) for vet in seed.vets)
    assert any(any(b.weekday == 5 for b in vet.hours) for vet in seed.vets)
    restricted = [v for v in seed.vets if v.appointment_type_ids is not None]
    assert [v.name for v in restricted] == ["Dr Sophie Lefèvre"]
    assert not restricted[0].does(seed.type_named("Chirurgie").id)


@settings(max_examples=25, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)))
def test_seed_appointments_fit_whatever_the_clock(moment: datetime) -> None:
    state = SandboxState.seeded(ManualClock(moment.replace(tzinfo=UTC)))
    now = state.now()
    live = [a for a in state.appointments.values() if a.blocks_time]
    assert len(state.appointments) >= 10
    for appointment in state.appointments.values():
        vet = state.vets[appointment.vet_id]
        kind = state.appointment_types[appointment.appointment_type_id or ""]
        assert appointment.scheduled_at > now
        assert appointment.scheduled_at.astimezone(state.zone).date() > state.today()
        assert appointment.end_time - appointment.scheduled_at == kind.duration
        assert vet.does(kind.id)
        assert is_grid_start(vet, appointment.scheduled_at, kind.duration, state.zone)
        assert appointment.patient_id in state.patients
        assert state.patients[appointment.patient_id].client_id == appointment.client_id
    for a, b in combinations(live, 2):
        assert a.vet_id != b.vet_id or not a.overlaps(b.scheduled_at, b.end_time)


def test_seed_history_is_in_the_past(sandbox: SandboxState) -> None:
    assert sandbox.consultations
    assert all(c.date < sandbox.now() for c in sandbox.consultations.values())
    assert all(i.issued_at < sandbox.now() for i in sandbox.invoices.values())
    assert sandbox.now() - min(c.date for c in sandbox.consultations.values()) > timedelta(days=30)


def test_seed_is_placed_from_the_clinic_today(sandbox: SandboxState) -> None:
    rex = sandbox.appointments_for(sandbox.seed.demo_owner_many_pets.id)
    assert [a.scheduled_at.astimezone(PARIS).isoformat() for a in rex] == [
        "2026-11-25T11:00:00+01:00"
    ]
