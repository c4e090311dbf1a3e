"""`make demo` runs `vetbot demo`: a person books from the terminal, no token or key."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Any day works: the earliest slot with any vet, whatever the real date.
SCRIPT = "\n".join(["/contact", "1", "2", "4", "1", "1", "1", "/quit", ""])


@pytest.mark.slow
def test_demo_books_from_the_terminal() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Marie Dubois" in out  # the help says who you play
    assert "[1] 📅 Prendre rendez-vous" in out
    assert "C'est confirmé" in out, out[-2000:]
    assert ".ics" in out
    assert "Traceback" not in done.stderr
