"""Texts without a time give None: a guessed hour is the worst outcome we can have."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import parse_when
from tests.unit.when.zone import MONDAY_AFTERNOON


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "bonjour",
        "Bonjour !",
        "hello",
        "merci",
        "mon chat vomit",
        "rendez-vous",
        "je voudrais un rendez-vous",
        "je voudrais un créneau",
        "j'ai 2 chats",
        "j'ai deux chats et un chien",
        "vaccin annuel",
        "rappel de vaccin",
        "mon chien a 10 ans",
        "il pèse 15 kg",
        "il a 3 ans et demi",
        "il vomit depuis 2 jours",
        "il vomit depuis lundi",
        "il a vomi ce matin",
        "il a mangé du chocolat à 14h",
        "toutes les 8h",
        "2 comprimés matin et soir",
        "ouvert 24h/24 7j/7 ?",
        "06 12 34 56 78",
        "je peux voir le vétérinaire ?",
        "mon mari viendra",
        "Martin, le chat de ma fille",
        "c'est combien ?",
        "my dog is limping",
        "Ok super merci à demain",
        "La dernière fois c'était le 15 avril",
        "il a eu son vaccin le 3 mars",
    ],
)
def test_no_time(text: str) -> None:
    assert parse_when(text, MONDAY_AFTERNOON) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(text: str) -> None:
    request = parse_when(text, MONDAY_AFTERNOON)
    if request is not None:
        assert request.start >= MONDAY_AFTERNOON


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("demain", MONDAY_AFTERNOON.replace(tzinfo=None))
