"""The Treats API adapter: one long-lived httpx client, retries, caches, exactly-once POST.

Reads are retried on 5xx, time-outs and 429 (waiting what `Retry-After` says). Creating an
appointment is never blindly retried: the API has no idempotency key and no way to list
appointments, so after a lost answer a single retry decides: 201 is ours, anything else is
*uncertain* (our own lost booking and someone else's look alike).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, TypeAdapter

from bot.clock import Clock, system_clock
from bot.phones import to_e164
from bot.treats.aiohttp_transport import AiohttpTransport
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
    AppointmentType,
    Client,
    NewAppointment,
    Patient,
    Slot,
)

logger = logging.getLogger("vetbot.treats")

API_KEY_HEADER: Final = "X-API-Key"
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
LOW_QUOTA_SHARE: Final = 0.10
NIL_UUID: Final = "00000000-0000-0000-0000-000000000000"

Sleep = Callable[[float], Awaitable[None]]
M = TypeVar("M", bound=BaseModel)

# Failures where the request never reached the server: always safe to try again.
_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after the request may have been processed: the answer is lost.
_LOST: Final = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    TimeoutError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard reads try; tests shrink the delays to zero."""

    attempts: int = 3
    base_delay: float = 0.3
    max_delay: float = 4.0
    max_retry_after: float = 15.0
    """A longer `Retry-After` is not waited for: RateLimited reaches the caller."""
    attempt_timeout: float = 12.0
    """Deadline of one attempt, enforced on top of httpx's, so in-process transports obey it."""

    def backoff(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * (2**attempt))


@dataclass(frozen=True, slots=True)
class CachePolicy:
    types_ttl: timedelta = timedelta(hours=1)
    slots_ttl: timedelta = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Booked:
    """The API answered 201: the appointment exists and is ours."""

    appointment: Appointment


@dataclass(frozen=True, slots=True)
class Uncertain:
    """We cannot know whether the appointment was created; staff must check."""

    reason: str


BookingResult = Booked | Uncertain


@dataclass(slots=True)
class Quota:
    """The key's hourly quota as last reported by the API's headers."""

    limit: int | None = None
    remaining: int | None = None

    @property
    def low(self) -> bool:
        if self.limit is None or self.remaining is None or self.limit <= 0:
            return False
        return self.remaining < self.limit * LOW_QUOTA_SHARE


@dataclass(slots=True)
class _CacheEntry:
    expires: datetime
    value: Any


@dataclass(slots=True)
class CallRecord:
    """One HTTP exchange, for metrics: endpoint template and status (0 = no answer)."""

    method: str
    endpoint: str
    status: int
    seconds: float


CallObserver = Callable[[CallRecord], None]


@dataclass(slots=True)
class _Caches:
    entries: dict[tuple[Any, ...], _CacheEntry] = field(default_factory=dict)
    inflight: dict[tuple[Any, ...], asyncio.Future[Any]] = field(default_factory=dict)
    slot_generations: dict[str, int] = field(default_factory=dict)
    """Bumped by `forget_slots`: a vet's slot reads started before belong to the old one."""


class TreatsClient:
    """Async client of the Treats API. Use as `async with TreatsClient(...) as treats:`."""

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr | str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = system_clock,
        retry: RetryPolicy | None = None,
        cache: CachePolicy | None = None,
        phone_region: str = "FR",
        sleep: Sleep = asyncio.sleep,
        timeout: httpx.Timeout | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers={API_KEY_HEADER: key.get_secret_value(), "Accept": "application/json"},
            transport=transport or AiohttpTransport(),
            timeout=timeout or httpx.Timeout(10.0, connect=5.0),
        )
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._cache_policy = cache or CachePolicy()
        self._caches = _Caches()
        self._region = phone_region
        self._sleep = sleep
        self._observer = observer
        self.quota = Quota()
        self._warned_low_quota = False

    def __repr__(self) -> str:
        return f"TreatsClient(base_url={str(self._http.base_url)!r})"

    async def __aenter__(self) -> TreatsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- reads ---------------------------------------------------------------------------

    async def appointment_types(self) -> list[AppointmentType]:
        """The clinic's appointment types, cached (they rarely change)."""
        return await self._cached(
            ("types",),
            self._cache_policy.types_ttl,
            lambda: self._get_list("appointments/types", AppointmentType),
        )

    async def available_slots(self, vet_id: str, day: date, type_id: str) -> list[Slot]:
        """Free slots of one vet on one local day; briefly cached to spare the quota."""
        params = {"vetId": vet_id, "date": day.isoformat(), "appointmentTypeId": type_id}
        generations = self._caches.slot_generations
        generation = generations.get(vet_id, 0)
        return await self._cached(
            ("slots", vet_id, generation, day, type_id),
            self._cache_policy.slots_ttl,
            lambda: self._get_list("appointments/available-slots", Slot, params=params),
            current=lambda: generations.get(vet_id, 0) == generation,
        )

    def forget_slots(self, vet_id: str) -> None:
        """Drop a vet's cached slots, after a booking or a 409 showed they changed.

        A read already in flight may have been answered before the change: nobody asking
        from now on joins it, and its answer is not cached.
        """
        generations = self._caches.slot_generations
        generations[vet_id] = generations.get(vet_id, 0) + 1
        for key in [k for k in self._caches.entries if k[:2] == ("slots", vet_id)]:
            del self._caches.entries[key]

    async def get_appointment(self, appointment_id: str) -> Appointment:
        response = await self._get(f"appointments/{_path_id(appointment_id)}", "appointments/{id}")
        return Appointment.model_validate(response.json())

    async def get_client(self, client_id: str) -> Client:
        response = await self._get(f"clients/{_path_id(client_id)}", "clients/{id}")
        return Client.model_validate(response.json())

    async def get_patient(self, patient_id: str) -> Patient:
        response = await self._get(f"patients/{_path_id(patient_id)}", "patients/{id}")
        return Patient.model_validate(response.json())

    async def find_clients_by_phone(self, phone: str) -> list[Client]:
        """Clients whose phone is this number, compared in E.164 on our side.

        `?phone=` is a non-official filter: the real API may ignore it and return everyone.
        """
        wanted = to_e164(phone, self._region)
        if wanted is None:
            return []
        clients = await self._get_list("clients", Client, params={"phone": wanted})
        return [c for c in clients if c.phone and to_e164(c.phone, self._region) == wanted]

    async def pets_of(self, client_id: str) -> list[Patient]:
        """A client's pets; `?clientId=` is non-official, so the owner is checked here too."""
        pets = await self._get_list("patients", Patient, params={"clientId": client_id})
        return [pet for pet in pets if pet.client_id == client_id]

    # -- the one write -------------------------------------------------------------------

    async def create_appointment(
        self, new: NewAppointment, *, idempotency_key: str | None = None
    ) -> BookingResult:
        """Create an appointment at most once; see the module docstring for the rules.

        Raises SlotTaken (definite: nothing created), RateLimited, Unavailable (the API
        answered an error or could not be reached: nothing created), or the other
        TreatsErrors for a refused request. Returns Booked or Uncertain.
        """
        body = new.model_dump(mode="json", by_alias=True, exclude_none=True)
        body["scheduledAt"] = _utc_z(new.scheduled_at)
        headers = {IDEMPOTENCY_HEADER: idempotency_key or str(uuid.uuid4())}
        answer_lost = False
        not_sent = 0
        rate_limited = 0
        while True:
            try:
                response = await self._send("POST", "appointments", "appointments", body, headers)
            except _NOT_SENT as error:
                not_sent += 1
                if not_sent >= self._retry.attempts:
                    if answer_lost:
                        return Uncertain("answer lost, then the API could not be reached")
                    raise Unavailable(f"Treats API unreachable ({type(error).__name__})") from None
                await self._sleep(self._retry.backoff(not_sent - 1))
                continue
            except _LOST:
                if answer_lost:
                    return Uncertain("the answer was lost twice")
                answer_lost = True
                logger.warning("POST /appointments: answer lost, retrying once")
                continue
            if response.status_code == 201:
                self.forget_slots(new.vet_id)
                return Booked(Appointment.model_validate(response.json()))
            if response.status_code == 429:
                error = _error_for(response)
                assert isinstance(error, RateLimited)
                rate_limited += 1
                if (
                    error.retry_after <= self._retry.max_retry_after
                    and rate_limited < self._retry.attempts
                ):
                    await self._sleep(error.retry_after)
                    continue
                if answer_lost:
                    return Uncertain("answer lost, then the quota was exhausted")
                raise error
            if response.status_code == 409:
                self.forget_slots(new.vet_id)
            if answer_lost:
                return Uncertain(f"answer lost, then the retry answered {response.status_code}")
            raise _error_for(response)

    # -- diagnostics ---------------------------------------------------------------------

    async def probe_permissions(self) -> dict[str, bool]:
        """Which of the bot's four permissions the key has, without creating anything.

        The API checks 403 before 400 and 404, so a harmless request answered 400 or 404
        proves the permission; 403 proves its absence. Raises AuthError on a bad key.
        """
        probes = {
            "APPOINTMENT_READ": ("GET", "appointments/types", None),
            "CLIENT_READ": ("GET", f"clients/{NIL_UUID}", None),
            "PATIENT_READ": ("GET", f"patients/{NIL_UUID}", None),
            "APPOINTMENT_CREATE": ("POST", "appointments", {}),
        }
        granted: dict[str, bool] = {}
        for permission, (method, path, body) in probes.items():
            try:
                response = await self._send(method, path, path, body, None)
            except (*_NOT_SENT, *_LOST) as error:
                raise Unavailable(f"Treats API unreachable ({type(error).__name__})") from None
            if response.status_code in (401, 429) or response.status_code >= 500:
                raise _error_for(response)
            granted[permission] = response.status_code != 403
        return granted

    # -- plumbing ------------------------------------------------------------------------

    async def _get_list(
        self, path: str, model: type[M], *, params: dict[str, str] | None = None
    ) -> list[M]:
        response = await self._get(path, path, params=params)
        return TypeAdapter(list[model]).validate_python(response.json())  # type: ignore[valid-type]

    async def _get(
        self, path: str, endpoint: str, *, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """GET with retries on 5xx, time-outs, connection failures and short 429s."""
        failure: TreatsError = Unavailable("Treats API unreachable")
        for attempt in range(self._retry.attempts):
            last = attempt == self._retry.attempts - 1
            try:
                response = await self._send("GET", path, endpoint, None, None, params)
            except (*_NOT_SENT, *_LOST) as error:
                failure = Unavailable(f"Treats API unreachable ({type(error).__name__})")
            else:
                if response.is_success:
                    return response
                failure = _error_for(response)
                if isinstance(failure, RateLimited):
                    if failure.retry_after > self._retry.max_retry_after or last:
                        raise failure
                    await self._sleep(failure.retry_after)
                    continue
                if not isinstance(failure, Unavailable):
                    raise failure
            if not last:
                await self._sleep(self._retry.backoff(attempt))
        raise failure

    async def _send(
        self,
        method: str,
        path: str,
        endpoint: str,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        started = time.perf_counter()
        status = 0
        try:
            async with asyncio.timeout(self._retry.attempt_timeout):
                response = await self._http.request(
                    method, path, json=body, headers=headers, params=params
                )
            status = response.status_code
        finally:
            elapsed = time.perf_counter() - started
            logger.debug("treats %s /%s -> %s in %.0f ms", method, endpoint, status, elapsed * 1e3)
            if self._observer is not None:
                self._observer(CallRecord(method, endpoint, status, elapsed))
        self._watch_quota(response)
        return response

    def _watch_quota(self, response: httpx.Response) -> None:
        limit = _int_header(response, "X-RateLimit-Limit")
        remaining = _int_header(response, "X-RateLimit-Remaining")
        if limit is None or remaining is None:
            return
        self.quota.limit, self.quota.remaining = limit, remaining
        if self.quota.low and not self._warned_low_quota:
            logger.warning(
                "Treats API quota low: %d of %d requests left this hour", remaining, limit
            )
        self._warned_low_quota = self.quota.low

    async def _cached(
        self,
        key: tuple[Any, ...],
        ttl: timedelta,
        load: Callable[[], Awaitable[Any]],
        *,
        current: Callable[[], bool] = lambda: True,
    ) -> Any:
        """Serve from cache, or load once even when many callers ask at the same moment.

        The answer is kept only if ``current()`` still holds once it arrives."""
        now = self._clock()
        entry = self._caches.entries.get(key)
        if entry is not None and entry.expires > now:
            return entry.value
        pending = self._caches.inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._caches.inflight[key] = future
        try:
            value = await load()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved when no one else waits
            raise
        else:
            future.set_result(value)
            if current():
                self._caches.entries[key] = _CacheEntry(self._clock() + ttl, value)
            return value
        finally:
            del self._caches.inflight[key]


def _error_for(response: httpx.Response) -> TreatsError:
    """Map a non-success answer to its typed error, using the API's `{"message"}` body."""
    status = response.status_code
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    message = payload.get("message") if isinstance(payload, dict) else None
    message = str(message) if message else f"HTTP {status}"
    if status == 401:
        return AuthError(message, status=status)
    if status == 403:
        return PermissionDenied(message, status=status)
    if status == 404:
        return NotFound(message, status=status)
    if status == 409:
        return SlotTaken(message, status=status)
    if status == 429:
        return RateLimited(message, retry_after=_retry_after(response, payload))
    if status >= 500:
        return Unavailable(message, status=status)
    return BadRequest(message, status=status)


def _retry_after(response: httpx.Response, payload: Any) -> float:
    header = response.headers.get("Retry-After")
    for candidate in (header, payload.get("retryAfter") if isinstance(payload, dict) else None):
        try:
            if candidate is not None:
                return max(0.0, float(candidate))
        except (TypeError, ValueError):
            continue
    return 60.0


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


def _path_id(value: str) -> str:
    """Ids go into URL paths: only well-formed UUIDs may, so a forged id cannot steer the URL."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise NotFound("Resource not found", status=404) from None


def _utc_z(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("scheduledAt must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
