"""The owner conversation's states (see conversations/booking.mmd)."""

from __future__ import annotations

from typing import Final

from telegram.ext import ConversationHandler

from bot.booking import BookingStep

SHARE_CONTACT: Final = "share_contact"
MENU: Final = "menu"
PET: Final = BookingStep.PET.value
REASON: Final = BookingStep.REASON.value
VET: Final = BookingStep.VET.value
WHEN: Final = BookingStep.WHEN.value
SLOT: Final = BookingStep.SLOT.value
SUMMARY: Final = BookingStep.SUMMARY.value
URGENT: Final = "urgent"
ADD_PET: Final = "add_pet"
END: Final = ConversationHandler.END
TIMEOUT: Final = ConversationHandler.TIMEOUT

BOOKING_STEPS: Final = (PET, REASON, VET, WHEN, SLOT, SUMMARY, URGENT)
