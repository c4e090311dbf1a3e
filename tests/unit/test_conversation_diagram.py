"""conversations/booking.mmd stays true: every state of the handler is in the diagram."""

from pathlib import Path

from conversations import states as st
from conversations.router import build_conversation

DIAGRAM = Path(__file__).resolve().parents[2] / "conversations" / "booking.mmd"


def test_every_state_is_drawn() -> None:
    drawn = DIAGRAM.read_text(encoding="utf-8")
    handler = build_conversation()
    for state in handler.states:
        name = "timeout" if state == st.TIMEOUT else state
        assert f" {name}" in drawn, f"state {name!r} missing from {DIAGRAM.name}"


def test_callback_payloads_fit_telegrams_limit() -> None:
    from conversations import callbacks as cb

    longest_uuid = "ffffffff-ffff-ffff-ffff-ffffffffffff"
    for kind in (cb.PET, cb.TYPE, cb.VET, cb.CONFIRM):
        assert len(cb.pack(kind, longest_uuid).encode()) <= cb.MAX_BYTES
    assert len(cb.pack(cb.SLOT, 10**9, cb.EARLIER).encode()) <= cb.MAX_BYTES
