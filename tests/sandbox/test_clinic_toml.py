"""The clinic TOML rendered for a sandbox parses and names exactly the sandbox's vets."""

from __future__ import annotations

import tomllib

import pytest

from bot.standins.sandbox import SandboxState, render_clinic_toml


def test_round_trip(sandbox: SandboxState) -> None:
    data = tomllib.loads(render_clinic_toml(sandbox))
    assert data["name"] == "Clinique vétérinaire des Tilleuls"
    assert data["timezone"] == "Europe/Paris"
    assert data["locale"] == "fr"
    assert data["phone"] and data["emergency_phone"] and data["address"]
    assert data["opening_hours"] == "Lundi–vendredi 9h–12h30 et 14h–19h, samedi 9h–12h"
    assert [(v["id"], v["name"]) for v in data["vets"]] == [
        (vet.id, vet.name) for vet in sandbox.vets.values()
    ]
    by_name = {v["name"]: v for v in data["vets"]}
    assert "appointment_types" not in by_name["Dr Claire Martin"]
    lefevre = sandbox.seed.vet_named("Dr Sophie Lefèvre")
    assert set(by_name["Dr Sophie Lefèvre"]["appointment_types"]) == lefevre.appointment_type_ids
    assert set(data) == {
        "name",
        "timezone",
        "locale",
        "phone",
        "emergency_phone",
        "opening_hours",
        "address",
        "schedule",
        "vets",
    }
    assert data["schedule"]["monday"] == ["09:00-12:30", "14:00-19:00"]
    assert data["schedule"]["saturday"] == ["09:00-12:00"]
    assert "sunday" not in data["schedule"]  # nobody works: closed


def test_overrides_are_escaped(sandbox: SandboxState) -> None:
    tricky = 'Clinique "du Parc" \\ Nord\nbis'
    data = tomllib.loads(render_clinic_toml(sandbox, name=tricky, phone="+33 4 65 71 00 00"))
    assert data["name"] == tricky
    assert data["phone"] == "+33 4 65 71 00 00"


def test_added_vets_are_listed(sandbox: SandboxState) -> None:
    vet = sandbox.add_vet("Dr Paul Renard", ())
    data = tomllib.loads(render_clinic_toml(sandbox))
    assert data["vets"][-1] == {"id": vet.id, "name": "Dr Paul Renard"}


def test_the_bot_config_accepts_it(sandbox: SandboxState, tmp_path) -> None:
    config = pytest.importorskip("bot.config")
    path = tmp_path / "clinic.toml"
    path.write_text(render_clinic_toml(sandbox), encoding="utf-8")
    clinic = config.load_clinic(path)
    assert [v.id for v in clinic.vets] == list(sandbox.vets)
