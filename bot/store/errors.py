"""What the store raises when a caller asks for something its rules forbid."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for the store's own errors (the driver's errors pass through unchanged)."""


class SchemaTooNewError(StoreError):
    """The database was migrated by a newer bot; an older one must not write to it."""


class SchemaBehindError(StoreError):
    """The PostgreSQL database is behind this bot's schema: ``vetbot store migrate`` first."""


class UnknownBookingError(StoreError, LookupError):
    """No booking with that id (never claimed, or deleted by ``forget_owner``)."""


class BookingStateError(StoreError):
    """The booking is not in a state that allows this move (e.g. finishing it twice)."""


class LeaseLost(StoreError):
    """This process no longer holds the clinic's lease (it lapsed, or another instance took
    the clinic over): nothing may be written for that clinic from here."""
