"""The Treats API adapter: client, resources and typed errors."""

from bot.treats.client import (
    Booked,
    BookingResult,
    CachePolicy,
    CallObserver,
    CallRecord,
    Quota,
    RetryPolicy,
    TreatsClient,
    Uncertain,
)
from bot.treats.errors import (
    AuthError,
    BadRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    SlotTaken,
    TreatsError,
    Unavailable,
)
from bot.treats.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Client,
    NewAppointment,
    Patient,
    Slot,
)

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "AuthError",
    "BadRequest",
    "Booked",
    "BookingResult",
    "CachePolicy",
    "CallObserver",
    "CallRecord",
    "Client",
    "NewAppointment",
    "NotFound",
    "Patient",
    "PermissionDenied",
    "Quota",
    "RateLimited",
    "RetryPolicy",
    "Slot",
    "SlotTaken",
    "TreatsClient",
    "TreatsError",
    "Unavailable",
    "Uncertain",
]
