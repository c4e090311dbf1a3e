"""An owner who writes that it is urgent is asked about it or alerted; one who writes that it is
not urgent must not be (the symptoms are read separately, by the triage)."""

from __future__ import annotations

import pytest

from bot.request_reading import mentions_urgency


@pytest.mark.parametrize(
    "text",
    [
        "c'est urgent",
        "URGENCE mon chat",
        "il faut le voir vite",
        "as soon as possible please, it's an emergency",
        "je ne sais pas si c'est urgent",
        "pas de panique mais c'est urgent",
        "urgent : Filou ne mange plus",
    ],
)
def test_said_urgent(text: str) -> None:
    assert mentions_urgency(text)


@pytest.mark.parametrize(
    "text",
    [
        "c'est pas urgent",
        "ce n'est pas très urgent, un rdv la semaine prochaine",
        "rien d'urgent, juste un vaccin",
        "sans urgence",
        "pas une urgence",
        "pas d'urgence, quand vous pouvez",
        "non urgent",
        "not urgent, just a check-up",
        "it isn't urgent",
        "not an emergency",
        "bonjour, vaccin pour Filou mardi",
    ],
)
def test_not_said_urgent(text: str) -> None:
    assert not mentions_urgency(text)
