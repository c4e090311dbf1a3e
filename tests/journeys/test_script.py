"""The journey parser: what it reads, what it refuses, and Paris time to UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.journeys import script
from tests.journeys import steps as s

HERE = Path(__file__).parent
PATH = Path("tests/journeys/exemple.md")
CLOCK = "- Nous sommes le lundi 23 novembre 2026 à 08:30, heure de Paris."


def journey(*lines: str, clock: str = CLOCK) -> s.Journey:
    text = "# Exemple\n\nDu texte libre.\n\n## Un parcours\n" + "\n".join([clock, *lines]) + "\n"
    [only] = script.parse_text(text, PATH)
    return only


def steps(*lines: str) -> tuple[s.Step, ...]:
    parsed = journey(*lines)
    assert parsed.error is None, parsed.error
    return parsed.steps[1:]


def error(*lines: str, clock: str = CLOCK) -> s.ScriptError:
    parsed = journey(*lines, clock=clock)
    assert parsed.error is not None, parsed.steps
    return parsed.error


# -- refusals: never a line skipped ------------------------------------------------------------


def test_an_unknown_line_fails_with_its_file_and_line() -> None:
    failure = error("- Marie s'identifie.", "- Marie danse la polka.")
    assert failure.source.line == 8
    assert str(failure).startswith("tests/journeys/exemple.md:8: - Marie danse la polka.")
    assert "je ne sais pas lire cette ligne" in str(failure)


def test_a_line_without_a_dash_fails_instead_of_being_skipped() -> None:
    failure = error("- Marie s'identifie.", "Marie écrit : « bonjour »")
    assert failure.source.line == 8
    assert "« - une étape »" in failure.reason


def test_notes_and_blank_lines_are_allowed() -> None:
    parsed = journey("", "> Une remarque pour le lecteur.", "- Marie s'identifie.")
    assert parsed.error is None
    assert [type(step) for step in parsed.steps] == [s.SetClock, s.Identify]
    assert parsed.notes == ("Une remarque pour le lecteur.",)


def test_a_journey_starts_by_setting_the_clock() -> None:
    failure = error(
        "- Nous sommes le lundi 23 novembre 2026 à 08:30.", clock="- Marie s'identifie."
    )
    assert "commence par « Nous sommes le" in failure.reason


def test_an_unknown_person_is_an_unknown_line() -> None:
    assert "je ne sais pas lire" in error("- Paul s'identifie.").reason


def test_a_file_without_journeys_is_an_error_not_an_empty_pass() -> None:
    [only] = script.parse_text("# Rien\n\nDu texte.\n", PATH)
    assert only.error is not None and "aucun parcours" in only.error.reason


def test_two_journeys_with_the_same_title_are_refused() -> None:
    text = f"## Pareil\n{CLOCK}\n## Pareil\n{CLOCK}\n"
    first, second = script.parse_text(text, PATH)
    assert first.error is None
    assert second.error is not None and "titre en double" in second.error.reason
    assert first.id != second.id


def test_checks_on_the_last_message_need_a_message_read_since_the_last_action() -> None:
    failure = error(
        "- Marie s'identifie.",
        "- Marie écrit : « demain »",
        "- Le bot ne dit pas : « au moment demandé »",
    )
    assert "mettez d'abord une ligne « Le bot répond" in failure.reason
    failure = error(
        "- Marie s'identifie.", "- Marie écrit : « x »", "- Aucun bouton ne contient « 17:00 »"
    )
    assert failure.source.line == 9


def test_the_reason_needs_an_appointment_found_first() -> None:
    assert "quel rendez-vous" in error("- Son motif contient « vaccin ».").reason


def test_a_notification_follows_a_tap() -> None:
    failure = error(
        "- Marie s'identifie.", "- Marie écrit : « x »", "- La notification dit : « ok »"
    )
    assert "n'a pas touché" in failure.reason


# -- quotes ----------------------------------------------------------------------------------------


def test_typed_text_is_kept_exactly_even_its_typographic_apostrophe() -> None:
    [write] = steps("- Marie écrit : « aujourd’hui à 15h, c’est possible ? »")
    assert write == s.Write(
        source=write.source, who="Marie", text="aujourd’hui à 15h, c’est possible ?"
    )


def test_several_quotes_must_all_be_there_and_marked_ones_absent() -> None:
    _, says = steps(
        "- Marie écrit : « demain 18h »",
        "- Le bot répond : « fermée » et « lundi 30 novembre », mais pas « au moment demandé »",
    )
    assert isinstance(says, s.BotSays)
    assert says.fragments == s.Fragments(("fermée", "lundi 30 novembre"), ("au moment demandé",))
    _, says = steps("- Marie écrit : « x »", "- Le bot répond : « URGENCE », « ! 🐾 ? »")
    assert isinstance(says, s.BotSays) and says.fragments.absent == ("🐾 ?",)


def test_a_negative_sentence_makes_every_quote_absent() -> None:
    *_, lacks = steps(
        "- Marie écrit : « x »", "- Le bot répond : « y »", "- Le bot ne dit pas : « a », « b »"
    )
    assert isinstance(lacks, s.LastMessageLacks)
    assert lacks.fragments == s.Fragments((), ("a", "b"))
    *_, reason = steps(
        "- Treats a un rendez-vous pour Mimi le mardi 24 novembre à 15:00.",
        "- Son motif ne contient ni « 15h » ni « demain » ni « Mimi ».",
    )
    assert isinstance(reason, s.ReasonCheck)
    assert reason.fragments == s.Fragments((), ("15h", "demain", "Mimi"))


def test_quotes_are_checked_strictly() -> None:
    assert "guillemets" in error("- Marie écrit : « demain").reason
    assert "citation vide" in error("- Marie touche « »").reason
    assert (
        "entre deux citations"
        in error("- Marie écrit : « x »", "- Le bot répond : « a » ou « b »").reason
    )
    assert (
        "après la dernière citation"
        in error("- Marie écrit : « x »", "- Le bot répond : « a » sûrement").reason
    )
    assert (
        "déjà négative"
        in error(
            "- Marie écrit : « x »", "- Le bot répond : « a »", "- Le bot ne dit pas : « ! b »"
        ).reason
    )


def test_fragments_compare_in_any_case_but_accents_count() -> None:
    fragments = s.Fragments(("c'est noté", "URGENCE"), ("rien de libre",))
    assert fragments.problems("Urgence… C’est\u00a0Noté") == []
    assert fragments.problems("urgence : c'est note") == ["il manque « c'est noté »"]
    assert fragments.problems("URGENCE, c'est noté. Rien de libre.") == [
        "« rien de libre » ne devrait pas y être"
    ]


# -- times: Paris on the script, UTC for the clock and Treats --------------------------------------


@pytest.mark.parametrize(
    ("line", "utc"),
    [
        ("lundi 23 novembre 2026 à 08:30", datetime(2026, 11, 23, 7, 30, tzinfo=UTC)),
        # the last Saturday of winter time, then the first Sunday of summer time
        ("samedi 28 mars 2026 à 12:00", datetime(2026, 3, 28, 11, 0, tzinfo=UTC)),
        ("dimanche 29 mars 2026 à 12:00", datetime(2026, 3, 29, 10, 0, tzinfo=UTC)),
        ("samedi 24 octobre 2026 à 12:00", datetime(2026, 10, 24, 10, 0, tzinfo=UTC)),
        ("dimanche 25 octobre 2026 à 12:00", datetime(2026, 10, 25, 11, 0, tzinfo=UTC)),
        ("mardi 24 novembre 2026 à 00:30", datetime(2026, 11, 23, 23, 30, tzinfo=UTC)),
    ],
)
def test_the_clock_is_set_from_paris_time_to_utc(line: str, utc: datetime) -> None:
    [clock] = journey(clock=f"- Nous sommes le {line}.").steps
    assert isinstance(clock, s.SetClock) and clock.at == utc and clock.at.tzinfo is UTC


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("mardi 23 novembre 2026 à 08:30", "est un lundi, pas un mardi"),
        ("lundi 31 février 2026 à 08:30", "n'existe pas"),
        ("dimanche 29 mars 2026 à 02:30", "n'existe pas à Paris"),
        ("dimanche 25 octobre 2026 à 02:30", "a lieu deux fois"),
        ("lundi 23 novembre 2026 à 25:00", "pas une heure de la journée"),
    ],
)
def test_a_clock_that_cannot_be_meant_is_refused(line: str, reason: str) -> None:
    failure = error(clock=f"- Nous sommes le {line}.")
    assert reason in failure.reason and failure.source.line == 6


def test_treats_times_are_paris_times_in_the_clocks_year() -> None:
    [found] = steps(
        "- Treats a un rendez-vous pour Mimi le mardi 24 novembre à 10:00, avec Dr Claire Martin, "
        "urgent."
    )
    assert found == s.TreatsHas(
        source=found.source,
        pet="Mimi",
        at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        vet="Dr Claire Martin",
        urgent=True,
    )
    [whole_day] = steps("- Treats a un rendez-vous pour Mimi le lundi 23 novembre, non urgent.")
    assert isinstance(whole_day, s.TreatsHas)
    assert whole_day.whole_day and whole_day.urgent is False
    assert whole_day.at == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # midnight in Paris


def test_a_treats_date_before_the_clock_is_next_year() -> None:
    [found] = steps("- Treats a un rendez-vous pour Mimi le lundi 4 janvier à 10:00.")
    assert isinstance(found, s.TreatsHas)
    assert found.at == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert (
        "est un mardi" in error("- Treats a un rendez-vous pour Mimi le lundi 24 novembre.").reason
    )


# -- the rest of the grammar -----------------------------------------------------------------------


def test_who_the_bot_speaks_to_is_the_last_person_who_acted_or_the_one_named() -> None:
    says_to_thomas, says_to_marie = steps(
        "- Marie s'identifie.",
        "- Thomas s'identifie.",
        "- Le bot répond : « a »",
        "- Le bot répond à Marie : « b »",
    )[2:]
    assert isinstance(says_to_thomas, s.BotSays) and says_to_thomas.who == "Thomas"
    assert isinstance(says_to_marie, s.BotSays) and says_to_marie.who == "Marie"
    assert "personne n'a encore rien fait" in error("- Le bot répond : « a »").reason


def test_commands_staff_and_counts() -> None:
    command, staff_command, received, none, count, fails, booking = steps(
        "- Marie envoie la commande « /pause 1h »",
        "- L'équipe envoie la commande « /stats »",
        "- L'équipe a reçu exactement 1 message « Demande d'annulation ».",
        "- L'équipe n'a reçu aucun message « URGENCE ».",
        "- Treats n'a enregistré aucun rendez-vous pour Alice.",
        "- Treats est en panne pour les 3 prochains appels.",
        "- Treats est en panne pour la prochaine réservation.",
    )
    assert command == s.Command(source=command.source, who="Marie", name="pause", payload="1h")
    assert isinstance(staff_command, s.StaffCommand) and staff_command.name == "stats"
    assert isinstance(received, s.Received) and (received.who, received.count) == (s.STAFF, 1)
    assert isinstance(none, s.Received) and none.count == 0
    assert count == s.TreatsCount(source=count.source, who="Alice", count=0)
    assert fails == s.TreatsFails(source=fails.source, count=3)
    assert booking == s.TreatsFails(source=booking.source, count=1, booking=True)


def test_every_example_of_the_grammar_parses() -> None:
    prelude = (
        "- Marie s'identifie.",
        "- Treats a un rendez-vous pour Mimi le mardi 24 novembre à 10:00.",
        "- Marie touche « Menu »",
        "- Le bot répond : « Que souhaitez-vous faire »",
    )
    for example in script.EXAMPLES:
        parsed = journey(*prelude, f"- {example}")
        assert parsed.error is None, parsed.error
        assert len(parsed.steps) == len(prelude) + 2


def test_ids_name_the_file_and_the_title() -> None:
    assert journey("- Marie s'identifie.").id == "exemple-un-parcours"
    assert s.slug("« Plus tard » depuis « Cette semaine » : l'été") == (
        "plus-tard-depuis-cette-semaine-l-ete"
    )


def test_every_journey_file_here_parses() -> None:
    files = script.journey_files(HERE)
    assert {path.name for path in files} >= {
        "heure.md",
        "urgences.md",
        "demandes.md",
        "commandes.md",
    }
    assert "README.md" not in {path.name for path in files}
    for path in files:
        for parsed in script.parse_file(path):
            assert parsed.error is None, parsed.error
