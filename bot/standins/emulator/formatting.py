"""Telegram's text formatting: HTML, MarkdownV2 and legacy Markdown into plain text + entities.

Ported from the rules of TDLib's ``parse_html`` / ``parse_markdown_v2`` (the code behind the Bot
API), including their error texts, because a bot's escaping bugs only show up against the real
parser. Entity offsets and lengths are in UTF-16 code units, as the Bot API returns them; error
positions are UTF-8 byte offsets into the source, as Telegram reports them.

Simplifications: link URLs are normalised only lightly (a missing scheme becomes ``http://``
and a bare host gets a trailing ``/``); ``tg://user`` links stay ``text_link``; MarkdownV2's
expandable block quotes (``**>``) are not recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

PARSE_MODE_HTML = "html"
PARSE_MODE_MARKDOWN_V2 = "markdownv2"
PARSE_MODE_MARKDOWN = "markdown"

_SPACES = " \t\r\n\v\f"
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_HTML_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_NUMERIC_ENTITY_LENGTH = 10
_MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MARKDOWN_V2_CODE_RESERVED = "`"
_MARKDOWN_LEGACY_STARTS = "_*`["
_LINE_BREAKS = "\r\n"


class EntityParseError(ValueError):
    """The text does not parse; ``str()`` is TDLib's message (without "can't parse entities")."""


@dataclass(frozen=True)
class FormattedText:
    """What Telegram stores for a text: the visible characters and their entities."""

    text: str
    entities: tuple[dict[str, Any], ...] = ()


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Bot API entity offset."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def parse_formatted_text(text: str, parse_mode: str | None) -> FormattedText:
    """Parse `text` by `parse_mode` (case-insensitive, like Telegram); None or "" is plain."""
    mode = (parse_mode or "").lower()
    if not mode:
        return FormattedText(text)
    if mode == PARSE_MODE_HTML:
        return parse_html(text)
    if mode == PARSE_MODE_MARKDOWN_V2:
        return parse_markdown_v2(text)
    if mode == PARSE_MODE_MARKDOWN:
        return parse_markdown(text)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "offset": offset, "length": length, **extra}


def _sorted(found: list[tuple[int, dict[str, Any]]]) -> tuple[dict[str, Any], ...]:
    """Order as Telegram does: by offset, longer first; ties keep the order tags were opened."""
    found.sort(key=lambda item: (item[1]["offset"], -item[1]["length"], item[0]))
    return tuple(entity for _, entity in found)


def _normalize_url(url: str) -> str | None:
    """A usable link target, or None where Telegram would silently drop the link."""
    url = url.strip()
    if not url:
        return None
    if url.lower().startswith(("tg:", "mailto:")):
        return url
    if "://" not in url:
        url = f"http://{url}"
    parts = urlsplit(url)
    if not parts.netloc or ("." not in parts.netloc and parts.scheme in ("http", "https")):
        return None
    if not parts.path:
        parts = parts._replace(path="/")
    return parts.geturl()


def _custom_emoji_id(argument: str) -> str:
    if not argument.isdigit() or int(argument) == 0:
        raise EntityParseError("Invalid custom emoji identifier specified")
    return argument


# -- HTML ------------------------------------------------------------------------------------


def _decode_html_entity(source: str, start: int) -> tuple[str, int] | None:
    """Decode the character reference at `start` ('&'); None if it is none Telegram knows."""
    end = start + 1
    if source.startswith("#", end):
        end += 1
        if source.startswith("x", end):
            end += 1
            digits_start = end
            while end < len(source) and source[end] in "0123456789abcdefABCDEF":
                end += 1
            digits = source[digits_start:end]
            code = int(digits, 16) if digits else 0
        else:
            digits_start = end
            while end < len(source) and source[end].isascii() and source[end].isdigit():
                end += 1
            digits = source[digits_start:end]
            code = int(digits) if digits else 0
        if code == 0 or code >= 0x10FFFF or end - start >= _MAX_NUMERIC_ENTITY_LENGTH:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code)
    else:
        while end < len(source) and source[end].isascii() and source[end].isalpha():
            end += 1
        named = _HTML_NAMED_ENTITIES.get(source[start + 1 : end])
        if named is None:
            return None
        char = named
    if source.startswith(";", end):
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    order: int


def parse_html(source: str) -> FormattedText:
    """Parse Telegram's HTML subset (raises EntityParseError with TDLib's message)."""
    size = len(source)
    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    found: list[tuple[int, dict[str, Any]]] = []
    opened = 0

    def char_at(index: int) -> str:
        return source[index] if index < size else ""

    def fail(message: str, index: int) -> EntityParseError:
        return EntityParseError(message.format(offset=_byte_offset(source, index)))

    i = 0
    while i < size:
        char = source[i]
        if char == "&":
            decoded = _decode_html_entity(source, i)
            if decoded is not None:
                out.append(decoded[0])
                utf16 += utf16_length(decoded[0])
                i = decoded[1]
                continue
        if char != "<":
            out.append(char)
            utf16 += utf16_length(char)
            i += 1
            continue

        begin = i
        i += 1
        if char_at(i) != "/":
            while i < size and source[i] not in _SPACES and source[i] != ">":
                i += 1
            if i >= size:
                raise fail("Unclosed start tag at byte offset {offset}", begin)
            tag = source[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise fail(f'Unsupported start tag "{tag}" at byte offset {{offset}}', begin)
            argument = ""
            while char_at(i) != ">":
                while i < size and source[i] in _SPACES:
                    i += 1
                if char_at(i) == ">":
                    break
                name_start = i
                while i < size and source[i] not in _SPACES and source[i] not in "=>":
                    i += 1
                attribute = source[name_start:i].lower()
                if not attribute:
                    raise fail(
                        f'Empty attribute name in the tag "{tag}" at byte offset {{offset}}', begin
                    )
                while i < size and source[i] in _SPACES:
                    i += 1
                if char_at(i) != "=":
                    if i >= size:
                        raise fail(f'Unclosed start tag "{tag}" at byte offset {{offset}}', begin)
                    if tag == "blockquote" and attribute == "expandable":
                        argument = "1"
                    continue
                i += 1
                while i < size and source[i] in _SPACES:
                    i += 1
                if i >= size:
                    raise fail(f'Unclosed start tag "{tag}" at byte offset {{offset}}', begin)
                value_chars: list[str] = []
                if source[i] not in "'\"":
                    token_start = i
                    while i < size and (
                        (source[i].isascii() and source[i].isalnum()) or source[i] in ".-"
                    ):
                        i += 1
                    value_chars.append(source[token_start:i].lower())
                    after = char_at(i)
                    if after and after not in _SPACES and after != ">":
                        raise fail(
                            "Unexpected end of name token at byte offset {offset}", token_start
                        )
                else:
                    quote = source[i]
                    i += 1
                    while i < size and source[i] != quote:
                        if source[i] == "&":
                            decoded = _decode_html_entity(source, i)
                            if decoded is not None:
                                value_chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        value_chars.append(source[i])
                        i += 1
                    if char_at(i) == quote:
                        i += 1
                if i >= size:
                    raise fail("Unclosed start tag at byte offset {offset}", begin)
                value = "".join(value_chars)
                if tag == "a" and attribute == "href":
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value.removeprefix("language-")
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value.removeprefix("tg-")
                elif tag == "tg-emoji" and attribute == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attribute == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise fail('Tag "span" must have class "tg-spoiler" at byte offset {offset}', begin)
            stack.append(_OpenTag(tag, argument, utf16, opened))
            opened += 1
            i += 1
            continue

        if not stack:
            raise fail("Unexpected end tag at byte offset {offset}", begin)
        i += 1
        name_start = i
        while i < size and source[i] not in _SPACES and source[i] != ">":
            i += 1
        end_name = source[name_start:i].lower()
        while i < size and source[i] in _SPACES:
            i += 1
        if char_at(i) != ">":
            raise fail("Unclosed end tag at byte offset {offset}", begin)
        i += 1
        tag_info = stack.pop()
        if end_name and end_name != tag_info.name:
            raise fail(
                f"Unmatched end tag at byte offset {{offset}}, "
                f'expected "</{tag_info.name}>", found "</{end_name}>"',
                begin,
            )
        length = utf16 - tag_info.utf16_offset
        if length > 0:
            entity = _html_entity(tag_info, length, "".join(out), utf16)
            if entity is not None:
                found.append((tag_info.order, entity))

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return FormattedText("".join(out), _merge_pre_code(_sorted(found)))


def _html_entity(tag: _OpenTag, length: int, text: str, utf16_end: int) -> dict[str, Any] | None:
    offset = tag.utf16_offset
    if tag.name == "a":
        url = _normalize_url(tag.argument or _utf16_slice(text, offset, utf16_end))
        return None if url is None else _entity("text_link", offset, length, url=url)
    if tag.name == "tg-emoji":
        return _entity(
            "custom_emoji", offset, length, custom_emoji_id=_custom_emoji_id(tag.argument)
        )
    if tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.argument else "blockquote"
        return _entity(kind, offset, length)
    if tag.name == "code" and tag.argument:
        return _entity("code", offset, length, language=tag.argument)
    return _entity(_HTML_TAG_TYPES[tag.name], offset, length)


def _utf16_slice(text: str, start: int, end: int) -> str:
    encoded = text.encode("utf-16-le")
    return encoded[start * 2 : end * 2].decode("utf-16-le")


def _merge_pre_code(entities: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    """`<pre><code class="language-x">` over the same span is one ``pre`` with a language."""
    merged = list(entities)
    for pre in [entity for entity in merged if entity["type"] == "pre"]:
        for code in merged:
            same_span = (code["offset"], code["length"]) == (pre["offset"], pre["length"])
            if code["type"] == "code" and same_span and code.get("language"):
                pre["language"] = code["language"]
                merged.remove(code)
                break
    for entity in merged:
        if entity["type"] == "code":
            entity.pop("language", None)
    return tuple(merged)


# -- MarkdownV2 ------------------------------------------------------------------------------

_MD_BOLD = "Bold"
_MD_ITALIC = "Italic"
_MD_UNDERLINE = "Underline"
_MD_STRIKE = "Strikethrough"
_MD_SPOILER = "Spoiler"
_MD_CODE = "Code"
_MD_PRE = "Pre"
_MD_PRE_CODE = "PreCode"
_MD_TEXT_URL = "TextUrl"
_MD_CUSTOM_EMOJI = "CustomEmoji"
_MD_API_TYPES = {
    _MD_BOLD: "bold",
    _MD_ITALIC: "italic",
    _MD_UNDERLINE: "underline",
    _MD_STRIKE: "strikethrough",
    _MD_SPOILER: "spoiler",
    _MD_CODE: "code",
    _MD_PRE: "pre",
    _MD_PRE_CODE: "pre",
}


@dataclass
class _OpenEntity:
    kind: str
    argument: str
    utf16_offset: int
    source_index: int
    out_index: int
    order: int


def _reserved_error(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def parse_markdown_v2(source: str) -> FormattedText:
    """Parse MarkdownV2 (raises EntityParseError with TDLib's message)."""
    size = len(source)
    out: list[str] = []
    utf16 = 0
    stack: list[_OpenEntity] = []
    found: list[tuple[int, dict[str, Any]]] = []
    opened = 0
    quote_start: int | None = None

    def char_at(index: int) -> str:
        return source[index] if index < size else ""

    def emit(text: str) -> None:
        nonlocal utf16
        out.append(text)
        utf16 += utf16_length(text)

    i = 0
    while i < size:
        char = source[i]
        in_code = bool(stack) and stack[-1].kind in (_MD_CODE, _MD_PRE, _MD_PRE_CODE)
        if not in_code and _at_line_start(source, i):
            if char == ">":
                if quote_start is None:
                    quote_start = utf16
                i += 1
                continue
            if quote_start is not None:
                _close_quote(found, quote_start, utf16)
                quote_start = None
        nxt = char_at(i + 1)
        if char == "\\" and nxt and 0 < ord(nxt) <= 126:
            emit(nxt)
            i += 2
            continue
        reserved = _MARKDOWN_V2_CODE_RESERVED if in_code else _MARKDOWN_V2_RESERVED
        if char not in reserved:
            emit(char)
            i += 1
            continue

        top = stack[-1] if stack else None
        if top is not None and _ends_markdown_entity(top.kind, source, i):
            stack.pop()
            entity = _close_markdown_entity(top, source, i, "".join(out), utf16)
            i = entity.next_index
            if entity.value is not None and utf16 > top.utf16_offset:
                found.append((top.order, entity.value))
            continue

        begin = i
        argument = ""
        if char == "_" and nxt == "_":
            kind, i = _MD_UNDERLINE, i + 2
        elif char == "_":
            kind, i = _MD_ITALIC, i + 1
        elif char == "*":
            kind, i = _MD_BOLD, i + 1
        elif char == "~":
            kind, i = _MD_STRIKE, i + 1
        elif char == "|" and nxt == "|":
            kind, i = _MD_SPOILER, i + 2
        elif char == "[":
            kind, i = _MD_TEXT_URL, i + 1
        elif char == "!" and nxt == "[":
            kind, i = _MD_CUSTOM_EMOJI, i + 2
        elif char == "`" and source.startswith("```", i):
            kind, i = _MD_PRE, i + 3
            language_end = i
            while language_end < size and source[language_end] not in _SPACES + "`":
                language_end += 1
            if language_end != i and language_end < size and source[language_end] != "`":
                kind, argument, i = _MD_PRE_CODE, source[i:language_end], language_end
            if char_at(i) in _LINE_BREAKS and char_at(i):
                pair = char_at(i + 1)
                i += 2 if pair and pair in _LINE_BREAKS and pair != source[i] else 1
        elif char == "`":
            kind, i = _MD_CODE, i + 1
        else:
            raise _reserved_error(char)
        stack.append(_OpenEntity(kind, argument, utf16, begin, len(out), opened))
        opened += 1

    if stack:
        top = stack[-1]
        raise EntityParseError(
            f"Can't find end of {top.kind} entity at byte offset "
            f"{_byte_offset(source, top.source_index)}"
        )
    if quote_start is not None:
        _close_quote(found, quote_start, utf16)
    return FormattedText("".join(out), _sorted(found))


def _at_line_start(source: str, i: int) -> bool:
    """Where a MarkdownV2 block quote line may start ("\r\n" is one break)."""
    if i == 0:
        return True
    previous = source[i - 1]
    return previous == "\n" or (previous == "\r" and source[i] != "\n")


def _close_quote(found: list[tuple[int, dict[str, Any]]], start: int, end: int) -> None:
    if end > start:
        found.append((-1, _entity("blockquote", start, end - start)))


def _ends_markdown_entity(kind: str, source: str, i: int) -> bool:
    char = source[i]
    nxt = source[i + 1] if i + 1 < len(source) else ""
    if kind == _MD_BOLD:
        return char == "*"
    if kind == _MD_ITALIC:
        return char == "_" and nxt != "_"
    if kind == _MD_UNDERLINE:
        return char == "_" and nxt == "_"
    if kind == _MD_STRIKE:
        return char == "~"
    if kind == _MD_SPOILER:
        return char == "|" and nxt == "|"
    if kind == _MD_CODE:
        return char == "`"
    if kind in (_MD_PRE, _MD_PRE_CODE):
        return source.startswith("```", i)
    return char == "]"  # TextUrl, CustomEmoji


@dataclass(frozen=True)
class _Closed:
    value: dict[str, Any] | None
    next_index: int


def _close_markdown_entity(
    top: _OpenEntity, source: str, i: int, text: str, utf16_end: int
) -> _Closed:
    offset = top.utf16_offset
    length = utf16_end - offset
    if top.kind in (_MD_UNDERLINE, _MD_SPOILER):
        return _Closed(_entity(_MD_API_TYPES[top.kind], offset, length), i + 2)
    if top.kind in (_MD_PRE, _MD_PRE_CODE):
        extra = {"language": top.argument} if top.argument else {}
        return _Closed(_entity("pre", offset, length, **extra), i + 3)
    if top.kind not in (_MD_TEXT_URL, _MD_CUSTOM_EMOJI):
        return _Closed(_entity(_MD_API_TYPES[top.kind], offset, length), i + 1)

    i += 1
    if not source.startswith("(", i):
        if top.kind == _MD_CUSTOM_EMOJI:
            raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
        url = _normalize_url(_utf16_slice(text, offset, utf16_end))
        return _Closed(None if url is None else _entity("text_link", offset, length, url=url), i)
    i += 1
    url_start = i
    url_chars: list[str] = []
    while i < len(source) and source[i] != ")":
        nxt = source[i + 1] if i + 1 < len(source) else ""
        if source[i] == "\\" and nxt and 0 < ord(nxt) <= 126:
            url_chars.append(nxt)
            i += 2
            continue
        url_chars.append(source[i])
        i += 1
    if i >= len(source):
        what = "a custom emoji URL" if top.kind == _MD_CUSTOM_EMOJI else "a URL"
        raise EntityParseError(
            f"Can't find end of {what} at byte offset {_byte_offset(source, url_start)}"
        )
    target = "".join(url_chars)
    if top.kind == _MD_CUSTOM_EMOJI:
        emoji_ids = parse_qs(urlsplit(target).query).get("id", [""])
        entity = _entity(
            "custom_emoji", offset, length, custom_emoji_id=_custom_emoji_id(emoji_ids[0])
        )
        return _Closed(entity, i + 1)
    url = _normalize_url(target)
    return _Closed(None if url is None else _entity("text_link", offset, length, url=url), i + 1)


# -- legacy Markdown -------------------------------------------------------------------------

_LEGACY_TYPES = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(source: str) -> FormattedText:
    """Parse legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    size = len(source)
    out: list[str] = []
    utf16 = 0
    found: list[tuple[int, dict[str, Any]]] = []
    i = 0
    while i < size:
        char = source[i]
        nxt = source[i + 1] if i + 1 < size else ""
        if char == "\\" and nxt and nxt in _MARKDOWN_LEGACY_STARTS:
            out.append(nxt)
            utf16 += 1
            i += 2
            continue
        if char not in _MARKDOWN_LEGACY_STARTS:
            out.append(char)
            utf16 += utf16_length(char)
            i += 1
            continue
        begin = i
        if source.startswith("```", i):
            end_marker, kind, i = "```", "pre", i + 3
        elif char == "[":
            end_marker, kind, i = "]", "text_link", i + 1
        else:
            end_marker, kind, i = char, _LEGACY_TYPES[char], i + 1
        end = source.find(end_marker, i)
        if end < 0:
            raise EntityParseError(
                "Can't find end of the entity starting at byte offset "
                f"{_byte_offset(source, begin)}"
            )
        inner = source[i:end]
        i = end + len(end_marker)
        extra: dict[str, Any] = {}
        if kind == "text_link":
            url_target = inner
            if source.startswith("(", i) and (close := source.find(")", i)) >= 0:
                url_target, i = source[i + 1 : close], close + 1
            url = _normalize_url(url_target)
            if url is None:
                kind = ""
            extra = {"url": url}
        if inner and kind:
            found.append((len(found), _entity(kind, utf16, utf16_length(inner), **extra)))
        out.append(inner)
        utf16 += utf16_length(inner)
    return FormattedText("".join(out), _sorted(found))
