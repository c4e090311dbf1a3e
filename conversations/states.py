"""The owner conversation's states (see conversations/booking.mmd)."""

from __future__ import annotations

from typing import Final

from telegram.ext import ConversationHandler

SHARE_CONTACT: Final = "share_contact"
MENU: Final = "menu"
PET: Final = "pet"
REASON: Final = "reason"
VET: Final = "vet"
WHEN: Final = "when"
SLOT: Final = "slot"
SUMMARY: Final = "summary"
URGENT: Final = "urgent"
ADD_PET: Final = "add_pet"
END: Final = ConversationHandler.END
TIMEOUT: Final = ConversationHandler.TIMEOUT

BOOKING_STEPS: Final = (PET, REASON, VET, WHEN, SLOT, SUMMARY, URGENT)
