"""`make demo` runs `vetbot demo`: a person books from the terminal, no token or key."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Any day works: the earliest slot with any vet, whatever the real date.
SCRIPT = "\n".join(["/contact", "1", "2", "4", "1", "1", "1", "/quit", ""])

# Marie's urgent case, taken by Léa; then a cancellation Léa refuses, which Marie hears about.
# Open or closed (the real clock), the bot offers the earliest slots after an urgent case.
STAFF_SCRIPT = "\n".join(
    [
        "/contact",
        "mon chat a mangé du lys",
        "1",  # 🚨 Oui, c'est urgent
        "/equipe",
        "1",  # 🙋 Je prends
        "/client",
        "1",  # the earliest slot
        "1",  # ✅ Confirmer
        "2",  # 🗓 Mes rendez-vous
        "3",  # ❌ Annuler · ...
        "1",  # ✅ Oui, demander l'annulation
        "/equipe",  # the taken alert (1, 2) and the request (3, 4)
        "1",  # 📞 Rappeler
        "4",  # ✖️ Refusé
        "/client",
        "/quit",
        "",
    ]
)


def run_demo(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.mark.slow
def test_demo_books_from_the_terminal() -> None:
    out = run_demo(SCRIPT)
    assert "Marie Dubois" in out  # the help says who you play
    assert "[1] 📅 Prendre rendez-vous" in out
    assert "C'est confirmé" in out, out[-2000:]
    assert ".ics" in out


@pytest.mark.slow
def test_demo_plays_the_staff_too() -> None:
    out = run_demo(STAFF_SCRIPT)
    help_text = out[: out.index("🤖")]
    assert "/equipe" in help_text and "/client" in help_text and "Léa" in help_text
    assert "mon chat a mangé du lys" in help_text

    # Marie's side: her alert reaches the staff chat, its buttons shown but not numbered.
    alert = out.index("[Accueil clinique] 🤖 🚨 URGENCE")
    assert "(🙋 Je prends · 📞 Rappeler" in out[alert:], out[alert:][:600]

    # /equipe: Léa's prompt, the alert's buttons numbered; tapping 1 takes the case.
    lea = out.index("── You are Léa Accueil")
    assert "   [1] 🙋 Je prends" in out[lea:]
    taken = out.index("Léa @ Accueil clinique › 1", lea)
    assert "toast: C'est noté, merci !" in out[taken:]
    assert "Pris en charge par Léa Accueil" in out[taken:], out[taken:][:1200]

    # /client: Marie again, her buttons numbered; she books, then asks to cancel.
    marie = out.index("── You are Marie Dubois", taken)
    assert "Marie › 1" in out[marie:]
    assert "C'est confirmé" in out[marie:], out[marie:][:2000]
    request = out.index("[Accueil clinique] 🤖 ❌ Demande d'annulation", marie)

    # /equipe again: both messages with buttons, numbered in one run; Léa refuses.
    listing = out.index("── You are Léa Accueil", request)
    assert "   [3] ✅ Fait" in out[listing:] and "   [4] ✖️ Refusé" in out[listing:]
    called = out.index("Léa @ Accueil clinique › 1", listing)
    assert "pop-up: Marie Dubois : 06 39 98 12 34" in out[called:]
    refused = out.index("Léa @ Accueil clinique › 4", called)
    assert "✖️ Refusé — Léa Accueil" in out[refused:]
    told = out.index("[Marie Dubois] 🤖 La clinique n'a pas pu annuler ce rendez-vous", refused)
    assert "── You are Marie Dubois" in out[told:]  # and /client makes her Marie again


@pytest.mark.slow
def test_demo_prints_a_local_link_to_the_week_view() -> None:
    """The week view's button prints the page on this machine, opened as Marie (signed
    initData in the fragment, as a Telegram client would give it)."""
    from datetime import UTC, datetime
    from urllib.parse import parse_qs, urlsplit

    from bot.launch.demo import DEMO_TOKEN
    from bot.miniapp.init_data import verify_init_data

    out = run_demo("\n".join(["/contact", "1", "2", "1", "4", "/quit", ""]))
    assert "[4] 🗓 Voir la semaine" in out, out[-1500:]
    line = next(line for line in out.splitlines() if "open this in your browser" in line)
    link = urlsplit(line.split(": ", 1)[1].strip())
    assert link.scheme == "http" and link.hostname == "127.0.0.1" and link.path == "/app"
    init_data = parse_qs(link.fragment)["tgWebAppData"][0]
    opened = verify_init_data(init_data, DEMO_TOKEN, now=datetime.now(UTC))
    assert opened.user.first_name == "Marie"
