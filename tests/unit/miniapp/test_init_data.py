"""The check of a Mini App's `initData` (bot/miniapp/init_data.py), against Telegram's rule.

Strings are signed here with `sign_init_data`, the emulator's stand-in for Telegram; one test
computes a hash by hand from the docs, so the two functions cannot agree on a wrong rule.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, quote_plus, urlencode
from zoneinfo import ZoneInfo

import pytest

from bot.miniapp.init_data import (
    DEFAULT_MAX_AGE,
    FUTURE_SKEW,
    MAX_INIT_DATA_CHARS,
    InitDataRefused,
    MiniAppSession,
    MiniAppUser,
    sign_init_data,
    verify_init_data,
)

CLINIC_BOT = "123456:TEST-TOKEN-clinic-des-Tilleuls"
OTHER_BOT = "654321:TEST-TOKEN-some-other-bot"
# Base64url, like Telegram's Ed25519 signature; only its presence matters here.
SIGNATURE = "Zk3oR1tW8yQe-Jd0aXv5Lb7nMc2Ps9Hu4Gi6Kf1Tq0Sw3Ey8Rz5Ax7Bd2Ch4Nj6Om9Pl1Vk3Uo5Wi8Xe0Y"
OPENED = datetime(2026, 3, 9, 8, 14, 5, tzinfo=UTC)
NOW = OPENED + timedelta(minutes=3)
ELODIE = {
    "id": 5081726394,
    "first_name": "Élodie",
    "last_name": "Garçon-Lefèvre",
    "username": "elodie_et_moustache",
    "language_code": "fr",
    "allows_write_to_pm": True,
}


def user_json(user: dict[str, object] = ELODIE) -> str:
    """As Telegram writes it: compact, non-ASCII kept, "/" escaped."""
    return json.dumps(user, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def fields(**overrides: str) -> dict[str, str]:
    base = {
        "user": user_json(),
        "chat_instance": "-4417302958861204175",
        "chat_type": "private",
        "auth_date": str(int(OPENED.timestamp())),
        "signature": SIGNATURE,
    }
    base.update(overrides)
    return base


def signed(**overrides: str) -> str:
    return sign_init_data(fields(**overrides), CLINIC_BOT)


def refusal(raw: str, *, now: datetime = NOW, token: str = CLINIC_BOT) -> InitDataRefused:
    with pytest.raises(InitDataRefused) as caught:
        verify_init_data(raw, token, now=now)
    return caught.value


def with_field(raw: str, key: str, value: str) -> str:
    """`raw` with one field's value replaced, its hash kept: what a forger would send."""
    pairs = [(k, value if k == key else v) for k, v in parse_qsl(raw, keep_blank_values=True)]
    return urlencode(pairs, quote_via=quote)


def test_a_signed_string_verifies_and_yields_the_user() -> None:
    session = verify_init_data(signed(), CLINIC_BOT, now=NOW)

    assert session == MiniAppSession(
        user=MiniAppUser(
            id=5081726394,
            first_name="Élodie",
            last_name="Garçon-Lefèvre",
            username="elodie_et_moustache",
            language_code="fr",
        ),
        auth_date=OPENED,
        query_id=None,
        chat_type="private",
        start_param=None,
    )
    assert session.auth_date.tzinfo is UTC


def test_the_hash_is_the_one_the_docs_describe() -> None:
    user = user_json({"id": 90817263, "first_name": "Anaïs"})
    raw = sign_init_data(
        {"query_id": "AAF7c2Vz", "user": user, "auth_date": "1773044045"}, CLINIC_BOT
    )

    secret = hmac.new(b"WebAppData", CLINIC_BOT.encode(), hashlib.sha256).digest()
    check = f"auth_date=1773044045\nquery_id=AAF7c2Vz\nuser={user}"
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert dict(parse_qsl(raw))["hash"] == expected


def test_signature_stays_in_the_data_check_string() -> None:
    raw = signed()
    without_signature = "&".join(p for p in raw.split("&") if not p.startswith("signature="))

    assert refusal(without_signature).reason == "bad-signature"


def test_signed_output_is_url_encoded_as_telegram_writes_it() -> None:
    raw = signed()

    assert raw.endswith("&hash=" + dict(parse_qsl(raw))["hash"])
    assert "%C3%89lodie" in raw  # "É", UTF-8 then percent-encoded
    assert "+" not in raw and " " not in raw


def test_a_string_re_encoded_with_plus_for_spaces_still_verifies() -> None:
    # URLSearchParams.toString() in the page writes spaces as "+", not "%20".
    user = user_json({**ELODIE, "last_name": "de la Fontaine"})
    raw = signed(user=user)
    again = urlencode(parse_qsl(raw), quote_via=quote_plus)

    assert "+" in again
    assert verify_init_data(again, CLINIC_BOT, now=NOW).user.last_name == "de la Fontaine"


@pytest.mark.parametrize(
    ("key", "forged"),
    [
        ("user", user_json({**ELODIE, "id": 5081726395})),
        ("auth_date", str(int(NOW.timestamp()))),
        ("chat_type", "group"),
        ("signature", "forged-signature"),
    ],
)
def test_a_tampered_field_is_a_bad_signature(key: str, forged: str) -> None:
    assert refusal(with_field(signed(), key, forged)).reason == "bad-signature"


def test_a_tampered_hash_is_a_bad_signature() -> None:
    raw = signed()
    good = dict(parse_qsl(raw))["hash"]
    flipped = ("0" if good[0] != "0" else "1") + good[1:]

    assert refusal(with_field(raw, "hash", flipped)).reason == "bad-signature"
    assert refusal(with_field(raw, "hash", good.upper())).reason == "bad-signature"
    assert refusal(with_field(raw, "hash", "é" * 64)).reason == "bad-signature"


def test_another_bots_token_is_a_bad_signature() -> None:
    raw = sign_init_data(fields(), OTHER_BOT)

    assert refusal(raw).reason == "bad-signature"
    assert verify_init_data(raw, OTHER_BOT, now=NOW).user.id == ELODIE["id"]


def test_no_hash_is_unsigned() -> None:
    unsigned = urlencode(fields(), quote_via=quote)

    assert refusal(unsigned).reason == "unsigned"
    assert refusal(unsigned + "&hash=").reason == "unsigned"


def test_older_than_the_allowed_age_is_stale() -> None:
    raw = signed()

    assert refusal(raw, now=OPENED + DEFAULT_MAX_AGE + timedelta(seconds=1)).reason == "stale"
    assert verify_init_data(raw, CLINIC_BOT, now=OPENED + DEFAULT_MAX_AGE).auth_date == OPENED
    with pytest.raises(InitDataRefused, match="reopened"):
        verify_init_data(raw, CLINIC_BOT, now=NOW, max_age=timedelta(minutes=2))


def test_ahead_of_our_clock_beyond_the_skew_is_refused() -> None:
    raw = signed()
    now = OPENED - FUTURE_SKEW - timedelta(seconds=1)

    assert refusal(raw, now=now).reason == "from-the-future"


def test_ahead_of_our_clock_within_the_skew_is_accepted() -> None:
    raw = signed()

    assert verify_init_data(raw, CLINIC_BOT, now=OPENED - FUTURE_SKEW).auth_date == OPENED


def test_now_in_another_zone_is_the_same_instant() -> None:
    paris_now = NOW.astimezone(ZoneInfo("Europe/Paris"))

    assert verify_init_data(signed(), CLINIC_BOT, now=paris_now).auth_date == OPENED


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        verify_init_data(signed(), CLINIC_BOT, now=NOW.replace(tzinfo=None))


def test_no_user_is_refused() -> None:
    no_user = {k: v for k, v in fields().items() if k != "user"}

    assert refusal(sign_init_data(no_user, CLINIC_BOT)).reason == "no-user"


def test_no_auth_date_is_missing() -> None:
    no_date = {k: v for k, v in fields().items() if k != "auth_date"}

    assert refusal(sign_init_data(no_date, CLINIC_BOT)).reason == "missing"


@pytest.mark.parametrize(
    "overrides",
    [
        {"auth_date": "soon"},
        {"auth_date": "+1773044045"},
        {"auth_date": "١٧٧٣٠٤٤٠٤٥"},  # Arabic-Indic digits: int() would take them
        {"auth_date": "9" * 40},
        {"user": "{not json"},
        {"user": "[5081726394]"},
        {"user": user_json({"id": "5081726394", "first_name": "Élodie"})},
        {"user": user_json({"id": True, "first_name": "Élodie"})},
        {"user": user_json({"id": 5081726394})},
        {"user": user_json({**ELODIE, "username": 42})},
    ],
)
def test_a_signed_field_telegram_never_sends_is_malformed(overrides: dict[str, str]) -> None:
    assert refusal(signed(**overrides)).reason == "malformed"


def test_a_duplicated_key_is_malformed() -> None:
    raw = signed()

    assert refusal(raw + "&auth_date=" + str(int(NOW.timestamp()))).reason == "malformed"
    assert refusal("user=x&" + raw).reason == "malformed"
    assert refusal(raw + "&hash=" + dict(parse_qsl(raw))["hash"]).reason == "malformed"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "this is not a query string",
        "auth_date=1773044045&&hash=ab",
        "user=%FF%FE&auth_date=1773044045&hash=ab",  # not UTF-8
        "user=\ud800&auth_date=1773044045&hash=ab",  # a lone surrogate
        "user=a%0Aauth_date%3D1&hash=ab",  # a line feed would blur the data-check-string
        "&".join(f"f{n}=1" for n in range(40)),
    ],
)
def test_garbage_is_malformed(raw: str) -> None:
    assert refusal(raw).reason == "malformed"


def test_an_oversized_string_is_malformed() -> None:
    raw = signed(start_param="x" * MAX_INIT_DATA_CHARS)

    assert refusal(raw).reason == "malformed"


def test_round_trip_with_query_id_chat_type_and_start_param() -> None:
    raw = sign_init_data(
        {
            "query_id": "AAHq4Zx0AAAAAK7kYw1mN3pQ",
            "user": user_json(),
            "auth_date": str(int(OPENED.timestamp())),
            "chat_type": "sender",
            "start_param": "week-2026-03-09_vet-7",
        },
        CLINIC_BOT,
    )

    session = verify_init_data(raw, CLINIC_BOT, now=NOW)

    assert (session.query_id, session.chat_type, session.start_param) == (
        "AAHq4Zx0AAAAAK7kYw1mN3pQ",
        "sender",
        "week-2026-03-09_vet-7",
    )
    assert session.user.first_name == "Élodie"


def refusals() -> list[InitDataRefused]:
    raw = signed()
    return [
        refusal(with_field(raw, "user", user_json({**ELODIE, "id": 1}))),
        refusal(with_field(raw, "hash", CLINIC_BOT)),
        refusal(raw, token=OTHER_BOT),
        refusal(urlencode(fields(), quote_via=quote)),
        refusal(raw, now=OPENED + timedelta(days=2)),
        refusal(raw, now=OPENED - timedelta(days=2)),
        refusal(sign_init_data({"auth_date": fields()["auth_date"]}, CLINIC_BOT)),
        refusal(raw + "&hash=x"),
        refusal("garbage"),
    ]


def test_no_refusal_shows_the_token_the_secret_or_the_hash() -> None:
    raw = signed()
    received_hash = dict(parse_qsl(raw))["hash"]
    secret = hmac.new(b"WebAppData", CLINIC_BOT.encode(), hashlib.sha256)
    secrets = [CLINIC_BOT, CLINIC_BOT.split(":")[1], secret.hexdigest(), received_hash]

    for refused in refusals():
        shown = f"{refused} {refused!r} {refused.args!r} {vars(refused)!r}"
        assert not [s for s in secrets if s in shown], refused.reason


def test_every_refusal_has_a_reason_and_a_message() -> None:
    reasons = {refused.reason for refused in refusals()}

    assert reasons == {
        "bad-signature",
        "unsigned",
        "stale",
        "from-the-future",
        "no-user",
        "malformed",
    }
    assert all(str(refused) for refused in refusals())


def test_signing_refuses_fields_it_cannot_sign_unambiguously() -> None:
    with pytest.raises(ValueError, match="hash"):
        sign_init_data({"auth_date": "1", "hash": "0" * 64}, CLINIC_BOT)
    with pytest.raises(ValueError, match="line feed"):
        sign_init_data({"auth_date": "1\nuser=x"}, CLINIC_BOT)
