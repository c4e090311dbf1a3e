"""The gettext catalogs under `locales/` are in step with the code and complete in English.

Message ids are the French text itself, so these tests check the template against the code
(as `make catalogs` would extract it), and every English translation against its French id:
present, not fuzzy, same `{placeholders}`, same HTML tags, same surrounding whitespace.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LOCALES_DIR, Catalogs

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "plural": (1, 2)}
MAKE = "run `make catalogs`"

# A tag as Telegram's HTML parse mode knows them: <b>, </b>, <a href="...">, <tg-spoiler>.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")

Key = tuple[str | tuple[str, ...], str | None]


def _key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return msgid, message.context


def _show(key: Key) -> str:
    msgid, context = key
    return f"{msgid!r}" if context is None else f"{msgid!r} (context {context!r})"


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale and Locale.parse(locale), domain=DOMAIN)


def _entries(catalog: Catalog) -> dict[Key, Message]:
    return {_key(message): message for message in catalog if message.id}


@pytest.fixture(scope="module")
def template() -> dict[Key, Message]:
    return _entries(_read(TEMPLATE))


@pytest.fixture(scope="module")
def english() -> dict[Key, Message]:
    return _entries(_read(LOCALES_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po", "en"))


@pytest.fixture(scope="module")
def french() -> dict[Key, Message]:
    return _entries(_read(LOCALES_DIR / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po", "fr"))


def _extracted() -> dict[Key, Message]:
    """What `pybabel extract -F babel.cfg -k N_ -k plural:1,2` finds in the code, in memory."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    # Only walk the top-level folders babel.cfg names (bot/, conversations/), not tests or .venv.
    tops = {pattern.split("/", 1)[0] for pattern, _ in method_map}

    def wanted(directory: str) -> bool:
        relative = Path(directory).relative_to(ROOT)
        name = relative.name
        inside = not relative.parts or relative.parts[0] in tops
        return inside and not name.startswith((".", "_"))

    catalog = Catalog(domain=DOMAIN)
    for path, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=wanted
    ):
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return _entries(catalog)


def _differences(wanted: set[Key], found: set[Key], what: str) -> list[str]:
    lines = []
    if missing := sorted(wanted - found, key=repr):
        lines.append(f"missing from {what}:")
        lines.extend(f"  {_show(key)}" for key in missing)
    if extra := sorted(found - wanted, key=repr):
        lines.append(f"in {what} but no longer in the code:")
        lines.extend(f"  {_show(key)}" for key in extra)
    return lines


def test_template_has_the_strings_the_code_uses(template: dict[Key, Message]) -> None:
    lines = _differences(set(_extracted()), set(template), TEMPLATE.name)
    assert not lines, f"locales/{TEMPLATE.name} is stale, {MAKE}:\n" + "\n".join(lines)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_language_catalogs_follow_the_template(
    language: str,
    template: dict[Key, Message],
    english: dict[Key, Message],
    french: dict[Key, Message],
) -> None:
    catalog = english if language == "en" else french
    lines = _differences(set(template), set(catalog), f"{language}/LC_MESSAGES/{DOMAIN}.po")
    assert not lines, f"the {language} catalog is not merged, {MAKE}:\n" + "\n".join(lines)


def _pairs(message: Message) -> Iterator[tuple[str, str]]:
    """(source, translation) for each form: singular with msgid, the others with msgid_plural."""
    if isinstance(message.id, str):
        assert isinstance(message.string, str)
        yield message.id, message.string
        return
    singular, plural = message.id[0], message.id[1]
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    for index, form in enumerate(forms):
        yield (singular if index == 0 else plural), form or ""


def _problems(english: dict[Key, Message], check) -> list[str]:
    problems = []
    for key, message in sorted(english.items(), key=lambda item: repr(item[0])):
        for source, translation in _pairs(message):
            if translation and (problem := check(source, translation)):
                problems.append(f"{_show(key)}: {problem}")
    return problems


def test_every_english_string_is_translated(english: dict[Key, Message]) -> None:
    problems = []
    for key, message in sorted(english.items(), key=lambda item: repr(item[0])):
        if message.fuzzy:
            problems.append(f"{_show(key)}: fuzzy, check the translation and drop the flag")
        if any(not translation for _, translation in _pairs(message)):
            problems.append(f"{_show(key)}: no English msgstr")
    assert not problems, "en/LC_MESSAGES/vetbot.po is incomplete:\n" + "\n".join(problems)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _placeholders(source: str, translation: str) -> str | None:
    try:
        wanted = _fields(source)
    except ValueError as error:
        return f"the French id is not a valid format string ({error})"
    try:
        found = _fields(translation)
    except ValueError as error:
        return f"{translation!r} is not a valid format string ({error})"
    if wanted != found:
        return f"placeholders {sorted(found)} in {translation!r}, expected {sorted(wanted)}"
    return None


def test_english_keeps_the_placeholders(english: dict[Key, Message]) -> None:
    problems = _problems(english, _placeholders)
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def _tags(text: str) -> list[str]:
    return [f"<{slash}{name.lower()}>" for slash, name in _TAG.findall(text)]


def _html(source: str, translation: str) -> str | None:
    if _tags(source) != _tags(translation):
        return f"tags {_tags(translation)} in {translation!r}, expected {_tags(source)}"
    stray = [c for c in "<>&" if c in _ENTITY.sub("", _TAG.sub("", translation))]
    allowed = set(_ENTITY.sub("", _TAG.sub("", source)))
    if bad := [c for c in stray if c not in allowed]:
        return f"bare {''.join(bad)!r} in {translation!r}: escape as &lt; &gt; &amp;"
    return None


def test_english_keeps_the_html_tags(english: dict[Key, Message]) -> None:
    problems = _problems(english, _html)
    assert not problems, "HTML differs:\n" + "\n".join(problems)


def _edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def _whitespace(source: str, translation: str) -> str | None:
    if _edges(source) != _edges(translation):
        return (
            f"leading/trailing whitespace {_edges(translation)!r} in {translation!r}, "
            f"expected {_edges(source)!r} (strings are concatenated)"
        )
    return None


def test_english_keeps_the_surrounding_whitespace(english: dict[Key, Message]) -> None:
    problems = _problems(english, _whitespace)
    assert not problems, "whitespace differs:\n" + "\n".join(problems)


def test_catalogs_load_through_the_bot(english: dict[Key, Message]) -> None:
    catalogs = Catalogs(ZoneInfo("Europe/Paris"))
    probe = "Pour quel animal ?"
    expected = english[(probe, None)].string
    assert expected and expected != probe, f"{probe!r} has no English translation"
    assert catalogs["en"](probe) == expected, f"{probe!r} not translated by Catalogs"
    assert catalogs["fr"](probe) == probe, f"{probe!r} should stay French in fr"
    wrong = [
        _show(key)
        for key, message in sorted(english.items(), key=lambda item: repr(item[0]))
        if isinstance(message.id, str)
        and message.string
        and not message.fuzzy
        and catalogs["en"](message.id) != message.string
    ]
    assert not wrong, "the loaded English catalog disagrees with the .po for:\n" + "\n".join(wrong)
