"""Journey scripts: Markdown files of French sentences, parsed into typed steps (steps.py).

A file holds journeys; each `## ` heading starts one, and each `- ` line under it is one step
(README.md gives the grammar). Anything else under a heading, except blank lines and `> `
notes, is an error: a line the runner cannot read must fail its journey with the file and line
number, never be skipped. Quoted « … » parts are kept exactly as written (an owner may well type
a typographic apostrophe); only the sentence around them is normalised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from tests.journeys.steps import (
    OWNERS,
    STAFF,
    BotSays,
    BotSendsCalendar,
    BotSilent,
    Buttons,
    Command,
    DifferentVets,
    FirstSlotFrom,
    FirstSlotIs,
    Fragments,
    Identify,
    Journey,
    LastMessageLacks,
    Notification,
    ReadAll,
    ReasonCheck,
    Received,
    Restart,
    ScriptError,
    SetClock,
    SlotsNameVet,
    SlotTakenMeanwhile,
    Source,
    StaffCommand,
    StaffReceives,
    StaffSilent,
    StaffTap,
    Step,
    Sticker,
    Tap,
    TapData,
    TapFirstSlot,
    TapOld,
    TreatsCount,
    TreatsFails,
    TreatsHas,
    Write,
    normalized,
)
from tests.journeys.wallclock import (
    MONTH_WORDS,
    MONTHS,
    WEEKDAY_WORDS,
    WallClockError,
    checked_date,
    paris,
    parse_hhmm,
)

SAY_VERBS = (
    "répond",
    "redemande",
    "demande",
    "dit",
    "propose",
    "affiche",
    "montre",
    "confirme",
    "annonce",
    "écrit",
    "explique",
    "prévient",
)
NUMBERS = {"aucun": 0, "aucune": 0, "un": 1, "une": 1, "deux": 2, "trois": 3}


# -- quoted fragments ------------------------------------------------------------------------------

_CONNECTORS = {"": False, ",": False, "et": False, ", et": False}
_NEGATING_CONNECTORS = {"mais pas", ", mais pas", "sans", ", sans", "ni", ", ni", "pas"}


def _fragments(tail: str, quotes: list[str], source: Source, *, negated: bool) -> Fragments:
    """`«0» et «1», mais pas «2»` → Fragments; `negated` when the sentence says "ne … pas"."""
    present: list[str] = []
    absent: list[str] = []
    position = 0
    for match in re.finditer(r"«(\d+)»", tail):
        connector = tail[position : match.start()].strip()
        position = match.end()
        if connector in _NEGATING_CONNECTORS:
            this_negated = True
        elif connector in _CONNECTORS:
            this_negated = False
        else:
            raise ScriptError(source, f"« {connector} » entre deux citations : je ne comprends pas")
        content = quotes[int(match.group(1))]
        if content.startswith("!"):
            if negated:
                raise ScriptError(source, "« ! … » dans une phrase déjà négative")
            this_negated, content = True, content[1:].strip()
        if not content:
            raise ScriptError(source, "citation vide")
        (absent if negated or this_negated else present).append(content)
    if tail[position:].strip():
        raise ScriptError(source, f"texte après la dernière citation : « {tail[position:]} »")
    if not present and not absent:
        raise ScriptError(source, "il faut au moins une citation « … »")
    return Fragments(tuple(present), tuple(absent))


def _mask(text: str, source: Source) -> tuple[str, list[str]]:
    """The sentence with each « … » replaced by «0», «1»…, and the quotes' exact contents."""
    quotes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quotes.append(match.group(1).strip(" \u00a0\u202f"))
        return f"«{len(quotes) - 1}»"

    skeleton = re.sub(r"«([^«»]*)»", keep, text)
    outside = re.sub(r"«\d+»", "", skeleton)
    if "«" in outside or "»" in outside:
        raise ScriptError(source, "guillemets « » mal appariés")
    return skeleton, quotes


def _sentence(skeleton: str) -> str:
    """The words around the quotes, as the grammar reads them."""
    cleaned = re.sub(r"\s+", " ", normalized(skeleton)).strip()
    return cleaned.removesuffix(".").rstrip()


# -- the grammar -----------------------------------------------------------------------------------

_PEOPLE = "|".join(normalized(owner) for owner in OWNERS)
_WHO = rf"(?P<who>{_PEOPLE})"
_WHO_OR_STAFF = rf"(?P<who>{_PEOPLE}|{normalized(STAFF)})"
_TO = rf"(?: à {_WHO})?"
_SAY = "|".join(SAY_VERBS)
_TIME = r"(?P<t>\d{1,2}:\d{2})"
_DATE = rf"(?P<wd>{WEEKDAY_WORDS}) (?P<d>\d{{1,2}}) (?P<m>{MONTH_WORDS})"
_Q = r"«(?P<q0>\d+)»"
_TAIL = r"(?P<tail>(?:pas |ni )?«.*)"
_COUNT = r"(?P<n>\d+|aucune?|une?|deux|trois)"


@dataclass
class _State:
    """What the parser knows at a line: the journey's clock, who acts, what was read."""

    clock: datetime | None = None
    actor: str | None = None
    has_read: set[str] = field(default_factory=set)
    tapped: set[str] = field(default_factory=set)
    found_appointment: bool = False

    def acted(self, who: str, *, tap: bool = False) -> None:
        self.actor = who
        self.has_read.discard(who)
        (self.tapped.add if tap else self.tapped.discard)(who)


@dataclass(frozen=True)
class _Line:
    source: Source
    match: re.Match[str]
    quotes: list[str]
    state: _State

    def who(self) -> str:
        named = self.match.groupdict().get("who")
        if named:
            return named.capitalize()
        if self.state.actor is None:
            raise ScriptError(self.source, "à qui ? personne n'a encore rien fait")
        return self.state.actor

    def quote(self) -> str:
        text = self.quotes[int(self.match.group("q0"))]
        if not text:
            raise ScriptError(self.source, "citation vide")
        return text

    def fragments(self, *, negated: bool = False) -> Fragments:
        return _fragments(self.match.group("tail"), self.quotes, self.source, negated=negated)

    def count(self) -> int:
        raw = self.match.group("n")
        return int(raw) if raw.isdigit() else NUMBERS[raw]

    def read_before(self, who: str) -> None:
        if who not in self.state.has_read:
            raise ScriptError(
                self.source,
                f"cette vérification porte sur le dernier message lu par le bot à {who} : "
                "mettez d'abord une ligne « Le bot répond : … » depuis sa dernière action",
            )


def _set_clock(line: _Line) -> Step:
    m = line.match
    day = checked_date(m.group("wd"), int(m.group("d")), m.group("m"), int(m.group("y")))
    at = paris(day, parse_hhmm(m.group("t")))
    line.state.clock = at
    return SetClock(source=line.source, at=at)


def _acting(make: Callable[[_Line, str], Step], *, tap: bool = False) -> Callable[[_Line], Step]:
    def build(line: _Line) -> Step:
        who = line.who()
        step = make(line, who)
        line.state.acted(who, tap=tap)
        return step

    return build


def _identify(line: _Line) -> Step:
    who = line.who()
    line.state.acted(who)
    line.state.has_read.add(who)  # it ends on the menu, read
    return Identify(source=line.source, who=who)


def _command_parts(line: _Line) -> tuple[str, str | None]:
    text = line.quote()
    if not text.startswith("/") or len(text) < 2:
        raise ScriptError(line.source, "une commande commence par « / »")
    name, _, payload = text[1:].partition(" ")
    return name, payload.strip() or None


def _bot_says(line: _Line) -> Step:
    who = line.who()
    line.state.has_read.add(who)
    return BotSays(source=line.source, who=who, fragments=line.fragments())


def _bot_lacks(line: _Line) -> Step:
    who = line.who()
    line.read_before(who)
    return LastMessageLacks(source=line.source, who=who, fragments=line.fragments(negated=True))


def _calendar(line: _Line) -> Step:
    who = line.who()
    line.state.has_read.add(who)
    return BotSendsCalendar(source=line.source, who=who)


def _on_last_read(make: Callable[[_Line, str], Step]) -> Callable[[_Line], Step]:
    def build(line: _Line) -> Step:
        who = line.who()
        line.read_before(who)
        return make(line, who)

    return build


def _tap_first_slot(line: _Line) -> Step:
    who = line.who()
    line.read_before(who)
    line.state.acted(who, tap=True)
    return TapFirstSlot(source=line.source, who=who)


def _notification(line: _Line) -> Step:
    who = line.who()
    if who not in line.state.tapped:
        raise ScriptError(line.source, f"{who} n'a pas touché de bouton juste avant")
    return Notification(source=line.source, who=who, fragments=line.fragments())


def _received(line: _Line, *, count: int | None = None) -> Step:
    raw = line.match.group("who")
    who = STAFF if raw == normalized(STAFF) else raw.capitalize()
    fragments = line.fragments()
    if fragments.absent:
        raise ScriptError(line.source, "ici, seulement ce que les messages contiennent")
    if count is None:
        count = line.count()
    return Received(source=line.source, who=who, count=count, fragments=fragments)


def _received_none(line: _Line) -> Step:
    return _received(line, count=0)


def _staff_receives(line: _Line) -> Step:
    fragments = line.fragments()
    if not fragments.present:
        raise ScriptError(
            line.source, "il faut au moins une citation positive pour repérer le message"
        )
    return StaffReceives(source=line.source, fragments=fragments)


def _treats_has(line: _Line) -> Step:
    m = line.match
    if line.state.clock is None:
        raise ScriptError(line.source, "quelle année ? réglez l'heure d'abord")
    year = int(m.group("y")) if m.group("y") else line.state.clock.year
    month = MONTHS.index(m.group("m")) + 1
    if not m.group("y") and date(year, month, int(m.group("d"))) < line.state.clock.date():
        year += 1
    day = checked_date(m.group("wd"), int(m.group("d")), m.group("m"), year)
    vet: str | None = None
    urgent: bool | None = None
    for part in filter(None, (p.strip() for p in (m.group("rest") or "").split(","))):
        if part.startswith("avec "):
            vet = _original(line.source.text, part.removeprefix("avec "))
        elif part == "urgent":
            urgent = True
        elif part in ("non urgent", "pas urgent"):
            urgent = False
        else:
            raise ScriptError(line.source, f"« {part} » : attendu « avec Dr … », « urgent »")
    line.state.found_appointment = True
    return TreatsHas(
        source=line.source,
        pet=_original(line.source.text, m.group("pet")),
        at=paris(day, parse_hhmm(m.group("t") or "00:00")),
        whole_day=m.group("t") is None,
        vet=vet,
        urgent=urgent,
    )


def _original(text: str, folded: str) -> str:
    """The words as the script wrote them (the grammar reads them folded)."""
    index = normalized(text).find(folded)
    return text[index : index + len(folded)] if index >= 0 else folded


def _reason(line: _Line) -> Step:
    if not line.state.found_appointment:
        raise ScriptError(
            line.source, "quel rendez-vous ? mettez d'abord « Treats a un rendez-vous pour … »"
        )
    negated = bool(line.match.group("neg"))
    return ReasonCheck(source=line.source, fragments=line.fragments(negated=negated))


def _restart(line: _Line) -> Step:
    line.state.has_read.clear()
    line.state.tapped.clear()
    return Restart(source=line.source)


_GRAMMAR: list[tuple[str, Callable[[_Line], Step], str]] = [
    (
        rf"nous sommes (?:le )?{_DATE} (?P<y>\d{{4}}) à {_TIME}(?:,? heure de paris)?",
        _set_clock,
        "Nous sommes le lundi 23 novembre 2026 à 08:30, heure de Paris.",
    ),
    (rf"{_WHO} s'identifie", _identify, "Marie s'identifie."),
    (
        rf"{_WHO} écrit ?: ?{_Q}",
        _acting(lambda line, who: Write(source=line.source, who=who, text=line.quote())),
        "Marie écrit : « demain à 15h »",
    ),
    (
        rf"{_WHO} envoie la commande ?:? ?{_Q}",
        _acting(lambda line, who: Command(source=line.source, who=who, **_command_dict(line))),
        "Marie envoie la commande « /annuler »",
    ),
    (
        rf"{_WHO} envoie un autocollant(?: {_Q})?",
        _acting(
            lambda line, who: Sticker(
                source=line.source, who=who, emoji=line.quote() if line.match.group("q0") else None
            )
        ),
        "Marie envoie un autocollant.",
    ),
    (
        rf"{_WHO} touche (?:de nouveau|encore) l'ancien bouton ?:? ?{_Q}",
        _acting(
            lambda line, who: TapOld(source=line.source, who=who, label=line.quote()), tap=True
        ),
        "Marie touche de nouveau l'ancien bouton « Annuler · »",
    ),
    (
        rf"{_WHO} touche un bouton forgé ?:? ?{_Q}",
        _acting(
            lambda line, who: TapData(source=line.source, who=who, data=line.quote()), tap=True
        ),
        "Marie touche un bouton forgé « s:99:0 »",
    ),
    (
        rf"{_WHO} touche le premier créneau proposé",
        _tap_first_slot,
        "Marie touche le premier créneau proposé.",
    ),
    (
        rf"{_WHO} touche ?:? ?{_Q}",
        _acting(lambda line, who: Tap(source=line.source, who=who, label=line.quote()), tap=True),
        "Marie touche « Confirmer »",
    ),
    (
        rf"{_WHO} attend que le bot ait tout dit",
        _acting(lambda line, who: ReadAll(source=line.source, who=who)),
        "Marie attend que le bot ait tout dit.",
    ),
    (rf"le bot (?:{_SAY}){_TO} ?: ?{_TAIL}", _bot_says, "Le bot demande : « Est-ce une urgence »"),
    (
        rf"le bot ne (?:{_SAY}) pas{_TO} ?: ?{_TAIL}",
        _bot_lacks,
        "Le bot ne dit pas : « au moment demandé »",
    ),
    (rf"le bot envoie le fichier agenda{_TO}", _calendar, "Le bot envoie le fichier agenda."),
    (
        rf"le bot ne dit plus rien{_TO}",
        lambda line: BotSilent(source=line.source, who=line.who()),
        "Le bot ne dit plus rien à Marie.",
    ),
    (rf"la notification dit ?: ?{_TAIL}", _notification, "La notification dit : « plus valable »"),
    (
        rf"les boutons comprennent ?:? ?{_TAIL}",
        _on_last_read(
            lambda line, who: Buttons(source=line.source, who=who, fragments=line.fragments())
        ),
        "Les boutons comprennent « 10:00 », « 10:15 »",
    ),
    (
        rf"aucun bouton ne contient ?:? ?{_TAIL}",
        _on_last_read(
            lambda line, who: Buttons(
                source=line.source, who=who, fragments=line.fragments(negated=True)
            )
        ),
        "Aucun bouton ne contient « 17:00 »",
    ),
    (
        rf"le premier créneau proposé est ?{_Q}",
        _on_last_read(
            lambda line, who: FirstSlotIs(source=line.source, who=who, label=line.quote())
        ),
        "Le premier créneau proposé est « 10:00 »",
    ),
    (
        rf"le premier créneau proposé est à {_TIME} ou plus tard",
        _on_last_read(
            lambda line, who: FirstSlotFrom(
                source=line.source, who=who, at=parse_hhmm(line.match.group("t"))
            )
        ),
        "Le premier créneau proposé est à 18:00 ou plus tard.",
    ),
    (
        r"chaque créneau proposé indique (?:le|son) vétérinaire",
        _on_last_read(lambda line, who: SlotsNameVet(source=line.source, who=who)),
        "Chaque créneau proposé indique le vétérinaire.",
    ),
    (
        rf"{_WHO_OR_STAFF} a reçu exactement {_COUNT} messages? ?:? ?{_TAIL}",
        _received,
        "L'équipe a reçu exactement 1 message « Demande d'annulation ».",
    ),
    (
        rf"{_WHO_OR_STAFF} n'a reçu aucun message ?:? ?{_TAIL}",
        _received_none,
        "L'équipe n'a reçu aucun message « URGENCE ».",
    ),
    (rf"l'équipe reçoit ?: ?{_TAIL}", _staff_receives, "L'équipe reçoit : « URGENCE » et « Mimi »"),
    (
        r"l'équipe ne reçoit rien de plus",
        lambda line: StaffSilent(source=line.source),
        "L'équipe ne reçoit rien de plus.",
    ),
    (
        rf"l'équipe envoie la commande ?:? ?{_Q}",
        lambda line: StaffCommand(source=line.source, **_command_dict(line)),
        "L'équipe envoie la commande « /aujourdhui »",
    ),
    (
        rf"l'équipe touche ?:? ?{_Q}",
        lambda line: StaffTap(source=line.source, label=line.quote()),
        "L'équipe touche « Refusé »",
    ),
    (
        rf"treats a enregistré {_COUNT} rendez-vous pour {_WHO}",
        lambda line: TreatsCount(source=line.source, who=line.who(), count=line.count()),
        "Treats a enregistré 1 rendez-vous pour Marie.",
    ),
    (
        rf"treats n'a enregistré aucun rendez-vous pour {_WHO}",
        lambda line: TreatsCount(source=line.source, who=line.who(), count=0),
        "Treats n'a enregistré aucun rendez-vous pour Marie.",
    ),
    (
        rf"treats a un rendez-vous pour (?P<pet>[\w-]+) le {_DATE}(?: (?P<y>\d{{4}}))?"
        rf"(?: à {_TIME})?(?P<rest>(?:, [^,]+)*)",
        _treats_has,
        "Treats a un rendez-vous pour Mimi le mardi 24 novembre à 10:00, avec Dr Claire Martin, "
        "urgent.",
    ),
    (
        rf"(?:son motif|treats a un motif qui) (?P<neg>ne )?contient ?:? ?{_TAIL}",
        _reason,
        "Son motif ne contient ni « 15h » ni « demain ».",
    ),
    (
        rf"les rendez-vous enregistrés pour {_WHO} sont avec des vétérinaires différents",
        lambda line: DifferentVets(source=line.source, who=line.who()),
        "Les rendez-vous enregistrés pour Thomas sont avec des vétérinaires différents.",
    ),
    (
        r"treats est en panne pour (?:le prochain appel|les (?P<n>\d+) prochains appels)",
        lambda line: TreatsFails(source=line.source, count=int(line.match.group("n") or 1)),
        "Treats est en panne pour les 3 prochains appels.",
    ),
    (
        r"treats est en panne pour la prochaine réservation",
        lambda line: TreatsFails(source=line.source, count=1, booking=True),
        "Treats est en panne pour la prochaine réservation.",
    ),
    (
        r"quelqu'un d'autre prend le créneau juste avant la confirmation",
        lambda line: SlotTakenMeanwhile(source=line.source),
        "Quelqu'un d'autre prend le créneau juste avant la confirmation.",
    ),
    (r"le bot redémarre", _restart, "Le bot redémarre."),
]
_COMPILED = [(re.compile(pattern + r"$"), build) for pattern, build, _ in _GRAMMAR]
EXAMPLES: tuple[str, ...] = tuple(example for _, _, example in _GRAMMAR)


def _command_dict(line: _Line) -> dict[str, str | None]:
    name, payload = _command_parts(line)
    return {"name": name, "payload": payload}


def parse_step(source: Source, state: _State) -> Step:
    """One `- ` line (without its dash) → its step; ScriptError when it is not in the grammar."""
    skeleton, quotes = _mask(source.text.strip().removeprefix("-").strip(), source)
    sentence = _sentence(skeleton)
    for pattern, build in _COMPILED:
        match = pattern.match(sentence)
        if match is None:
            continue
        try:
            return build(_Line(source, match, quotes, state))
        except WallClockError as error:
            raise ScriptError(source, str(error)) from error
    raise ScriptError(
        source,
        "je ne sais pas lire cette ligne (grammaire : tests/journeys/README.md). Par exemple :\n"
        + "\n".join(f"      - {example}" for example in EXAMPLES),
    )


# -- files -----------------------------------------------------------------------------------------


def parse_text(text: str, path: Path) -> list[Journey]:
    """Every journey of one Markdown file; a journey that cannot be read carries its error."""
    journeys: list[Journey] = []
    title: str | None = None
    start = 0
    body: list[Source] = []

    def close() -> None:
        if title is not None:
            journeys.append(_journey(path, title, start, body))

    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("## "):
            close()
            title, start, body = raw[3:].strip(), number, []
        elif title is not None:
            body.append(Source(path, number, raw))
    close()
    if not journeys:
        error = ScriptError(Source(path, 1, ""), "aucun parcours (« ## titre ») dans ce fichier")
        journeys.append(Journey(path, path.stem, 1, error=error))
    return _unique(journeys)


def _journey(path: Path, title: str, line: int, body: Iterable[Source]) -> Journey:
    state = _State()
    steps: list[Step] = []
    notes: list[str] = []
    try:
        for source in body:
            stripped = source.text.strip()
            if not stripped:
                continue
            if stripped.startswith(">"):
                notes.append(stripped.lstrip("> "))
                continue
            if not source.text.startswith("- "):
                raise ScriptError(
                    source, "dans un parcours, chaque ligne est « - une étape » ou « > une note »"
                )
            step = parse_step(source, state)
            if not steps and not isinstance(step, SetClock):
                raise ScriptError(
                    source, "un parcours commence par « Nous sommes le … à HH:MM » (l'heure exacte)"
                )
            steps.append(step)
        if not steps:
            raise ScriptError(Source(path, line, title), "parcours sans étape")
    except ScriptError as error:
        return Journey(path, title, line, tuple(steps), error, tuple(notes))
    return Journey(path, title, line, tuple(steps), None, tuple(notes))


def _unique(journeys: list[Journey]) -> list[Journey]:
    seen: set[str] = set()
    checked = []
    for journey in journeys:
        if journey.id in seen:
            error = ScriptError(
                Source(journey.path, journey.line, journey.title), "titre en double"
            )
            journey = Journey(
                journey.path, journey.title + f" (ligne {journey.line})", journey.line, error=error
            )
        seen.add(journey.id)
        checked.append(journey)
    return checked


def parse_file(path: Path, *, shown_as: Path | None = None) -> list[Journey]:
    """`shown_as`: the path failures name (e.g. relative to the repository)."""
    return parse_text(path.read_text(encoding="utf-8"), shown_as or path)


def journey_files(folder: Path) -> list[Path]:
    """The journey files of a folder: every .md but the README that describes them."""
    return sorted(p for p in folder.glob("*.md") if p.name.upper() != "README.MD")
