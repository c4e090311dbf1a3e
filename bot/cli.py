"""The `vetbot` command: run the bot, try it locally, check a deployment, debug times.

    vetbot run        the bot, long polling (the default way to run it)
    vetbot webhook    the bot behind a webhook, with /healthz and /readyz
    vetbot demo       sandbox + Telegram emulator + the real bot, chat in this terminal
    vetbot sandbox    the Treats API simulator on 127.0.0.1, with its key and clinic TOML
    vetbot check      verify the settings against Telegram and the Treats API
    vetbot invite ID  a signed invite link for a clinic client
    vetbot when TEXT  how the bot reads a French (or English) time phrase
    vetbot store migrate | copy FILE --clinic ID
                      the database: bring its schema up to date, copy a clinic's file in

Exit codes: 0 done; 1 the command ran but a check against Telegram or the Treats API failed
(`check`, `invite`); 2 a configuration error: a setting or the clinic file is missing or wrong,
so nothing was tried. A configuration error names every bad setting at once, one line each,
then where the template is (.env.example, clinic.example.toml), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.config import (
    CLINIC_TEMPLATE,
    DEFAULT_TIMEZONE,
    ENV_TEMPLATE,
    ClinicConfig,
    ClinicLocation,
    ConfigError,
    Settings,
    load_clinic,
    load_configuration,
    load_store_settings,
)
from bot.runtime.logs import configure_logging

if TYPE_CHECKING:
    from bot.clinic_group import Deployment
    from bot.standins.sandbox import SandboxState

EXIT_CONFIG = 2
EXIT_CHECK_FAILED = 1
EXIT_INTERRUPTED = 130
TEMPLATE_HINTS = {
    ENV_TEMPLATE: f"settings come from the environment or ./.env; {ENV_TEMPLATE} (in the "
    "vetbot sources) describes every one",
    CLINIC_TEMPLATE: f"{CLINIC_TEMPLATE} (in the vetbot sources) describes every key of the "
    "clinic file",
    "clinics.example/": "clinics.example/ (in the vetbot sources) holds two commented clinic "
    "files of a group; docs/clinic-group.md describes them",
}
LINK_SECRET_NEEDED = {"vetbot_link_secret": "it signs invite links"}
WEBHOOK_URL_NEEDED = {"webhook_url": "webhook mode needs the public URL"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vetbot",
        description="Telegram booking assistant for veterinary clinics (Treats API).",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "run",
        help="run the bot with long polling",
        description="Run the bot with long polling. Settings come from the environment and "
        ".env (see .env.example); the clinic from CLINIC_CONFIG, or every clinic of "
        "CLINICS_DIR (SIGHUP reloads the folder).",
    )
    commands.add_parser(
        "webhook",
        help="run the bot with a webhook (behind a TLS reverse proxy), with /healthz, /readyz",
        description="Register WEBHOOK_URL with Telegram and serve it on WEBHOOK_PORT, with "
        "/healthz (process up), /readyz (Telegram and Treats reachable, store writable) and "
        "/metrics. With CLINICS_DIR, each clinic at WEBHOOK_URL/<clinic id>, its checks at "
        "/readyz/<clinic id>.",
    )
    commands.add_parser(
        "demo",
        help="try the bot in this terminal: no token or key needed",
        description="Start the Treats sandbox, the Telegram emulator and the real bot in one "
        "process, and chat with the bot as one of the sandbox's pet owners.",
    )
    sandbox = commands.add_parser(
        "sandbox",
        help="serve the Treats API simulator on 127.0.0.1",
        description="Serve the Treats API simulator with a seeded clinic. Prints its API key "
        "and a clinic TOML matching its vets.",
    )
    sandbox.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    sandbox.add_argument(
        "--strict",
        action="store_true",
        help="ignore the non-official ?phone= and ?clientId= filters, as the real API may",
    )
    sandbox.add_argument(
        "--write-clinic", type=Path, metavar="PATH", help="also write the clinic TOML there"
    )
    sandbox.add_argument(
        "--now",
        metavar="ISO",
        help="freeze the sandbox's clock at this instant (then POST /_sandbox/clock moves it)",
    )
    commands.add_parser(
        "check",
        help="verify configuration, Treats key and permissions, vets, staff chat",
        description="Check the configuration against Telegram and the Treats API. Prints one "
        "line per check (OK or FAIL). Exit status: 0 every check passed; 1 a check against "
        "Telegram or the Treats API failed (a refused token or key, a missing permission, an "
        "unknown vet, a staff chat the bot is not in); 2 configuration error: a setting or the "
        "clinic file is missing or wrong, so nothing was checked (every one is named, one line "
        f"each; {ENV_TEMPLATE} describes the settings).",
    )
    invite = commands.add_parser(
        "invite",
        help="print a signed invite link for a clinic client",
        description="Print a signed link https://t.me/<bot>?start=<token> that links whoever "
        "opens it to this Treats client (VETBOT_LINK_SECRET signs it). Checks that the client "
        "exists first.",
    )
    invite.add_argument("client_id", metavar="CLIENT_ID", help="the Treats client's id (UUID)")
    invite.add_argument("--days", type=int, default=14, help="validity in days (default 14)")
    invite.add_argument(
        "--clinic",
        metavar="ID",
        help="with CLINICS_DIR: the id of the clinic whose client this is",
    )
    when = commands.add_parser(
        "when",
        help="show how a time phrase is understood",
        description="Show the time window the bot reads in a phrase, in the clinic's zone "
        "(CLINIC_CONFIG when set, else Europe/Paris).",
    )
    when.add_argument("text", help='e.g. "mardi prochain à 10h"')
    when.add_argument("--now", help="reference instant, ISO 8601 (default: now)")
    when.add_argument("--lang", choices=("fr", "en"), default="fr", help="output language")
    store = commands.add_parser(
        "store",
        help="the database: migrate its schema, copy a clinic's SQLite file into it",
        description="Work on the database named by DATABASE_URL (default: the SQLite file in "
        "VETBOT_DATA_DIR). Exit status 1 when the database refused, 2 on a bad setting.",
    )
    store_commands = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    store_commands.add_parser(
        "migrate",
        help="bring the schema up to this vetbot's (PostgreSQL needs it before `vetbot run`)",
    )
    copy = store_commands.add_parser(
        "copy",
        help="copy one clinic's data from a SQLite file into DATABASE_URL",
        description="Copy every row of one clinic (owners, bookings, outbox, reminders, "
        "requests, conversations) from a SQLite file into DATABASE_URL, ids kept, in one "
        "transaction. The file is not changed. A clinic that already has data there is refused.",
    )
    copy.add_argument("source", type=Path, metavar="FILE", help="the SQLite file to copy from")
    copy.add_argument("--clinic", required=True, help="the clinic's id in DATABASE_URL")
    copy.add_argument(
        "--from-clinic",
        help="the clinic's id in FILE (default: the only clinic it holds)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ConfigError as error:
        _report(error)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _dispatch(args: argparse.Namespace) -> int:
    match args.command:
        case "run":
            return _serve(args, "polling")
        case "webhook":
            return _serve(args, "webhook")
        case "demo":
            from bot.launch.demo import run_demo
            from bot.runtime import event_loop

            return event_loop.run(run_demo())
        case "sandbox":
            configure_logging(level=args.log_level)
            from bot.clock import ManualClock, system_clock
            from bot.standins.sandbox import SandboxState

            frozen = _instant(args.now, ZoneInfo(DEFAULT_TIMEZONE)) if args.now else None
            state = SandboxState.seeded(ManualClock(frozen) if frozen else system_clock)
            if args.write_clinic is not None:
                args.write_clinic.write_text(_clinic_toml(state), encoding="utf-8")
            return asyncio.run(_serve_sandbox(state, args.port, args.strict, args.write_clinic))
        case "check":
            if _group_configured():
                from bot.clinic_group import load_deployment

                deployment = load_deployment()
                configure_logging(
                    level=args.log_level,
                    fmt=deployment.settings.log_format,
                    secrets=deployment.secrets,
                )
                return asyncio.run(_check_group(deployment))
            settings, clinic = load_configuration()
            _logging(args, settings)
            return asyncio.run(_check(settings, clinic))
        case "when":
            return _when(args.text, args.now, args.lang)
        case "store":
            store_settings = load_store_settings()
            configure_logging(level=args.log_level, secrets=store_settings.database_password)
            from bot.launch import store_commands

            if args.store_command == "migrate":
                return store_commands.migrate_command(store_settings)
            return store_commands.copy_command(
                store_settings, args.source, args.clinic, args.from_clinic
            )
        case "invite":
            settings, clinic = _invite_clinic(args.clinic)
            _logging(args, settings)
            return asyncio.run(_invite(settings, clinic, args.client_id, args.days))
    raise AssertionError(args.command)


def _serve(args: argparse.Namespace, mode: Literal["polling", "webhook"]) -> int:
    """`vetbot run` and `vetbot webhook`: one clinic, or every clinic of CLINICS_DIR."""
    import functools

    from bot.clinic_group import load_deployment

    load = functools.partial(load_deployment, WEBHOOK_URL_NEEDED if mode == "webhook" else None)
    deployment = load()
    redaction = configure_logging(
        level=args.log_level, fmt=deployment.settings.log_format, secrets=deployment.secrets
    )
    if deployment.is_group:
        from bot.launch.group import run_group

        for name in deployment.ignored:
            logging.getLogger("vetbot.group").warning(
                "%s is set but not read: with CLINICS_DIR each clinic file names its own", name
            )
        run_group(load, redaction, mode)
        return 0
    from bot.launch.application import run_polling, run_webhook

    (single,) = deployment.clinics
    return (run_webhook if mode == "webhook" else run_polling)(single.settings, single.clinic)


def _invite_clinic(clinic_id: str | None) -> tuple[Settings, ClinicConfig]:
    """The clinic an invite is for: the single clinic, or ``--clinic`` of the group (its
    own bot and link secret: a link opens that clinic's bot only)."""
    if not _group_configured():
        if clinic_id is not None:
            raise ConfigError("--clinic names a clinic of CLINICS_DIR, which is not set")
        return load_configuration(LINK_SECRET_NEEDED)
    from bot.clinic_group import load_deployment

    deployment = load_deployment(LINK_SECRET_NEEDED)
    known = ", ".join(sorted(bot.id for bot in deployment.clinics)) or "none"
    if clinic_id is None:
        raise ConfigError(f"CLINICS_DIR is set: say which clinic with --clinic (one of: {known})")
    chosen = deployment.clinic(clinic_id)
    if chosen is None:
        refused = [
            f"{refusal.source.name}: {problem}"
            for refusal in deployment.refused
            for problem in refusal.problems
        ]
        raise ConfigError(f"--clinic {clinic_id}: no such clinic (valid: {known})", *refused)
    return chosen.settings, chosen.clinic


def _group_configured() -> bool:
    from bot.clinic_group import ProcessSettings

    try:
        return ProcessSettings().is_group
    except Exception:  # a bad setting: the command's own loading names it
        return False


def _report(error: ConfigError) -> None:
    """Every problem on its own line, then where the documented templates are."""
    for problem in error.problems or ("(no detail)",):
        print(f"vetbot: configuration error: {problem}", file=sys.stderr)
    for template in error.templates:
        print(f"vetbot: {TEMPLATE_HINTS.get(template, template)}", file=sys.stderr)


def _logging(args: argparse.Namespace, settings: Settings) -> None:
    configure_logging(level=args.log_level, fmt=settings.log_format, secrets=settings.secrets)


async def _check(settings: Settings, clinic: ClinicConfig) -> int:
    from bot.launch.check import run_checks

    failed = False
    async for result in run_checks(settings, clinic):
        print(result.line(), flush=True)
        failed = failed or not result.ok
    return EXIT_CHECK_FAILED if failed else 0


async def _check_group(deployment: Deployment) -> int:
    """Every clinic of the group checked in turn, under its id; a refused clinic file fails."""
    failed = False
    for source, problems in deployment.refused:
        for problem in problems:
            print(f"FAIL clinic file {source}: {problem}", flush=True)
        failed = True
    for clinic_bot in deployment.clinics:
        print(f"== {clinic_bot.id} ({clinic_bot.clinic.name})", flush=True)
        failed = await _check(clinic_bot.settings, clinic_bot.clinic) != 0 or failed
    return EXIT_CHECK_FAILED if failed else 0


async def _invite(settings: Settings, clinic: ClinicConfig, client_id: str, days: int) -> int:
    from datetime import timedelta

    from telegram import Bot
    from telegram.error import TelegramError

    from bot.invites import invite_link, make_invite
    from bot.treats import NotFound, TreatsClient, TreatsError

    if settings.vetbot_link_secret is None:  # load_configuration named it already
        raise ConfigError("VETBOT_LINK_SECRET is missing: it signs invite links")
    if days < 1:
        raise ConfigError("--days must be at least 1")
    async with TreatsClient(
        settings.treats_api_url, settings.treats_api_key, phone_region=clinic.phone_region
    ) as treats:
        try:
            client = await treats.get_client(client_id)
        except NotFound:
            print(f"vetbot: no Treats client with id {client_id!r}", file=sys.stderr)
            return EXIT_CHECK_FAILED
        except TreatsError as error:
            print(f"vetbot: Treats API: {error.message}", file=sys.stderr)
            return EXIT_CHECK_FAILED
    bot = Bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_url + "/bot")
    try:
        async with bot:
            username = bot.username
    except TelegramError as error:
        print(f"vetbot: Telegram: {error.message}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    now = datetime.now(clinic.tz)
    validity = timedelta(days=days)
    token = make_invite(client.id, settings.vetbot_link_secret, now=now, valid_for=validity)
    print(f"{client.full_name}: {invite_link(username, token)}")
    print(f"valid until {(now + validity).strftime('%Y-%m-%d %H:%M')} ({clinic.timezone})")
    return 0


def _clinic_toml(state: SandboxState) -> str:
    from bot.standins.sandbox import render_clinic_toml

    return render_clinic_toml(state)


async def _serve_sandbox(
    state: SandboxState, port: int, strict: bool, write_clinic: Path | None
) -> int:
    from bot.runtime.asgi_server import serve_asgi
    from bot.standins.sandbox import create_sandbox_app

    async with serve_asgi(create_sandbox_app(state, strict=strict), port=port) as url:
        print(f"Treats sandbox listening on {url}/api/v1 (strict={strict})")
        print(f"TREATS_API_URL={url}/api/v1")
        print(f"TREATS_API_KEY={state.api_key}")
        if write_clinic is None:
            print(f"# Clinic TOML for CLINIC_CONFIG:\n{_clinic_toml(state)}")
        else:
            print(f"CLINIC_CONFIG={write_clinic}")
        print("Ctrl-C to stop.", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            state.close()  # release requests held by an injected time-out, so the server stops
    return 0


_WHEN_ASSUMPTIONS = {
    "fr": {
        "afternoon_assumed": "heure sans matin ni soir, lue l'après-midi",
        "rolled_forward": "déjà passé, reporté à la prochaine fois",
        "next_weekday_ambiguous": "« prochain » ou « suivant » : cette semaine ou la suivante",
        "nonexistent_time": "heure sautée au passage à l'heure d'été, décalée d'autant",
        "ambiguous_time": "heure répétée au passage à l'heure d'hiver, la première prise",
        "alternatives": "plusieurs choix, le plus tôt pris",
        "weekday_mismatch": "le jour de la semaine ne correspond pas à la date",
        "time_ignored": "heure ignorée sur une période de plusieurs jours",
        "range_reordered": "plage donnée à l'envers, remise dans l'ordre",
        "counted_from_today": "compté à partir d'aujourd'hui",
        "unread_words": "mots d'heure ou de date non lus",
    },
    "en": {
        "afternoon_assumed": "an hour with no am/pm, read in the afternoon",
        "rolled_forward": "already past, moved to the next one",
        "next_weekday_ambiguous": '"next" or "following": this week or the next',
        "nonexistent_time": "an hour skipped by the clock change, moved forward",
        "ambiguous_time": "an hour repeated by the clock change, the first one taken",
        "alternatives": "several options, the earliest taken",
        "weekday_mismatch": "the weekday does not match the date",
        "time_ignored": "a time of day ignored over several days",
        "range_reordered": "a range given backwards, swapped",
        "counted_from_today": "counted from today",
        "unread_words": "time or date words not read",
    },
}
"""What each assumption of the time reader means, for `vetbot when` (operator-facing)."""
_WHEN_WORDS = {
    "fr": {
        "assumed": "Hypothèse",
        "confirm": "à montrer au propriétaire",
        "unread": "Mots non lus",
        "ask": "Je demanderais",
        "or": " ou ",
        "unclear": "J'ai compris {reading}, mais pas {words} : pouvez-vous préciser ?",
        "none": "Aucune date ni heure ici.",
        "colon": " : ",
        "quoted": "« {} »",
    },
    "en": {
        "assumed": "Assumption",
        "confirm": "to show the owner",
        "unread": "Words not read",
        "ask": "I would ask",
        "or": " or ",
        "unclear": "I understood {reading}, but not {words}: could you say more?",
        "none": "No time found in this text.",
        "colon": ": ",
        "quoted": '"{}"',
    },
}


def _when(text: str, now_text: str | None, lang: str) -> int:
    """Print the window read in `text`; then, when there are some, the assumptions made (with
    the readings they allow) and the question the bot would ask before choosing a slot."""
    from bot.when import format_request, read_when

    clinic_path = ClinicLocation().clinic_config
    zone = load_clinic(clinic_path).tz if clinic_path is not None else ZoneInfo(DEFAULT_TIMEZONE)
    now = datetime.now(zone) if now_text is None else _instant(now_text, zone)
    words = _WHEN_WORDS[lang]
    reading = read_when(text, now, language=lang)
    if reading.request is None:
        print(words["none"])
        return 1
    reading_text = format_request(reading.request, lang)
    colon, quoted = words["colon"], words["quoted"].format
    print(reading_text)
    for doubt in reading.doubts:
        note = "" if doubt.ask else f" ({words['confirm']})"
        print(f"{words['assumed']}{colon}{_WHEN_ASSUMPTIONS[lang][doubt.kind.value]}{note}")
        if len(doubt.candidates) > 1:
            for candidate in doubt.candidates:
                print(f"  - {format_request(candidate, lang)}")
    if reading.unread_words:
        print(f"{words['unread']}{colon}" + ", ".join(map(quoted, reading.unread_words)))
    for doubt in reading.questions:
        if len(doubt.candidates) > 1:
            choices = words["or"].join(format_request(c, lang) for c in doubt.candidates)
            mark = " ?" if lang == "fr" else "?"
            print(f"{words['ask']}{colon}{quoted(choices + mark)}")
        else:
            unread = ", ".join(map(quoted, doubt.words))
            question = words["unclear"].format(reading=reading_text, words=unread)
            print(f"{words['ask']}{colon}{quoted(question)}")
    return 0


def _instant(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 instant from the command line; a naive one is read in `zone`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--now {text!r} is not an ISO 8601 date-time") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


if __name__ == "__main__":
    sys.exit(main())
