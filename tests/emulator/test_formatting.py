"""HTML, MarkdownV2 and legacy Markdown parse like TDLib (cases from TDLib's own tests)."""

from __future__ import annotations

import pytest

from bot.standins.emulator.formatting import (
    EntityParseError,
    parse_formatted_text,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    utf16_length,
)

STADIUM = "🏟 🏟"  # 9 UTF-8 bytes, 5 UTF-16 units: offsets below check both units

HTML_ERRORS = [
    (f"{STADIUM}&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    (f"{STADIUM}&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    (f"{STADIUM}&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    (f"{STADIUM}&lt;<i    aba>", 'Can\'t find end tag corresponding to start tag "i"'),
    (f"{STADIUM}&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    (f"{STADIUM}&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
    (f'{STADIUM}&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
    (f"{STADIUM}&lt;</", "Unexpected end tag at byte offset 13"),
    (f"{STADIUM}&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    (f"{STADIUM}&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    (
        f"{STADIUM}&lt;<i>a</em   >",
        'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
    ),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
]

HTML_PARSED = [
    ("&ge;&lt;&gt;&amp;&quot;&laquo;&#12345678;", '&ge;<>&"&laquo;&#12345678;', []),
    (f"{STADIUM}<i>🏟 &lt🏟</i>", f"{STADIUM}🏟 <🏟", [("italic", 5, 6)]),
    (
        f"{STADIUM}<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>",
        f"{STADIUM}🏟 ><🏟",
        [("italic", 5, 7), ("bold", 9, 3)],
    ),
    (f"{STADIUM}&lt;<i    aba  =  '&lt;&gt;&quot;'>a</>", f"{STADIUM}<a", [("italic", 6, 1)]),
    (
        "<u>u</u><ins>i</ins><s>s</s><del>d</del>",
        "uisd",
        [
            ("underline", 0, 1),
            ("underline", 1, 1),
            ("strikethrough", 2, 1),
            ("strikethrough", 3, 1),
        ],
    ),
    (
        '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
        "xy",
        [("spoiler", 0, 1), ("spoiler", 1, 1)],
    ),
    (
        f'{STADIUM}&lt;<pre><code class="language-fift">🏟 🏟&lt;</></>',
        f"{STADIUM}<🏟 🏟<",
        [("pre", 6, 6)],
    ),
    (
        f"{STADIUM}&lt;<pre><code>🏟 🏟&lt;</code></>",
        f"{STADIUM}<🏟 🏟<",
        [("pre", 6, 6), ("code", 6, 6)],
    ),
    (
        "<blockquote expandable>a&lt;<pre  >b;</></>",
        "a<b;",
        [("expandable_blockquote", 0, 4), ("pre", 2, 2)],
    ),
    ("<b></b>x", "x", []),
]

MARKDOWN_V2_ERRORS = [
    (f"{STADIUM}_abacaba", "Can't find end of Italic entity at byte offset 9"),
    (f"{STADIUM}_abac * asd ", "Can't find end of Bold entity at byte offset 15"),
    (f"{STADIUM}`", "Can't find end of Code entity at byte offset 9"),
    (f"{STADIUM}```a", "Can't find end of Pre entity at byte offset 9"),
    (f"{STADIUM}```a ", "Can't find end of PreCode entity at byte offset 9"),
    (f"{STADIUM}__🏟 🏟_", "Can't find end of Italic entity at byte offset 20"),
    (f"{STADIUM}_🏟 🏟__", "Can't find end of Underline entity at byte offset 19"),
    ("[telegram\\.org](asd\\)", "Can't find end of a URL at byte offset 16"),
    (f"{STADIUM}||test\\|", "Can't find end of Spoiler entity at byte offset 9"),
    (">\n*a*>2", "Character '>' is reserved and must be escaped with the preceding '\\'"),
] + [
    (f"RDV {char}", f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
    for char in "]()#+-=|{}.!"
]

MARKDOWN_V2_PARSED = [
    (f"{STADIUM}_abac \\* asd _", f"{STADIUM}abac * asd ", [("italic", 5, 11)]),
    (f"{STADIUM}_🏟 __🏟___", f"{STADIUM}🏟 🏟", [("italic", 5, 5), ("underline", 8, 2)]),
    (f"{STADIUM}```🏟\n🏟```", f"{STADIUM}🏟", [("pre", 5, 2)]),
    ("||test||", "test", [("spoiler", 0, 4)]),
    ("~x~", "x", [("strikethrough", 0, 1)]),
    (
        "`_* *_`__*` `*__",
        "_* *_ ",
        [("code", 0, 5), ("code", 5, 1), ("bold", 5, 1), ("underline", 5, 1)],
    ),
    ("abc\n> \n> \n>\ndef", "abc\n \n \n\ndef", [("blockquote", 4, 5)]),
    (">*abcd*\n", "abcd\n", [("blockquote", 0, 5), ("bold", 0, 4)]),
    ("Prix : 12\\.50 €\\!", "Prix : 12.50 €!", []),
]


def _spans(entities: tuple[dict[str, object], ...]) -> list[tuple[object, ...]]:
    return [(e["type"], e["offset"], e["length"]) for e in entities]


@pytest.mark.parametrize(("source", "message"), HTML_ERRORS)
def test_html_refusals_carry_tdlib_messages(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse_html(source)
    assert str(refused.value) == message


@pytest.mark.parametrize(("source", "text", "spans"), HTML_PARSED)
def test_html_gives_text_and_utf16_entities(source: str, text: str, spans: list[tuple]) -> None:
    parsed = parse_html(source)
    assert (parsed.text, _spans(parsed.entities)) == (text, spans)


def test_html_links_and_custom_emoji_keep_their_argument() -> None:
    parsed = parse_html(
        '<a href="https://vet.example/rdv?id=1&amp;x=2">RDV</a> <a href=telegram.org>t</a>'
        ' <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert parsed.entities == (
        {"type": "text_link", "offset": 0, "length": 3, "url": "https://vet.example/rdv?id=1&x=2"},
        {"type": "text_link", "offset": 4, "length": 1, "url": "http://telegram.org/"},
        {
            "type": "custom_emoji",
            "offset": 6,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
    )


@pytest.mark.parametrize(("source", "message"), MARKDOWN_V2_ERRORS)
def test_markdown_v2_refusals_carry_tdlib_messages(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse_markdown_v2(source)
    assert str(refused.value) == message


@pytest.mark.parametrize(("source", "text", "spans"), MARKDOWN_V2_PARSED)
def test_markdown_v2_gives_text_and_entities(source: str, text: str, spans: list[tuple]) -> None:
    parsed = parse_markdown_v2(source)
    assert (parsed.text, sorted(_spans(parsed.entities))) == (text, sorted(spans))


def test_markdown_v2_links() -> None:
    parsed = parse_markdown_v2("[telegram\\.org](telegram.dog) [x](https://a.b/c?d=\\(1\\))")
    assert parsed.text == "telegram.org x"
    assert [e["url"] for e in parsed.entities] == ["http://telegram.dog/", "https://a.b/c?d=(1)"]


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*gras* _it_ `c` [lien](https://a.b/c)")
    assert parsed.text == "gras it c lien"
    assert _spans(parsed.entities) == [
        ("bold", 0, 4),
        ("italic", 5, 2),
        ("code", 8, 1),
        ("text_link", 10, 4),
    ]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte"):
        parse_markdown("*gras")


def test_parse_mode_is_case_insensitive_and_checked() -> None:
    assert parse_formatted_text("<b>x</b>", "html").entities[0]["type"] == "bold"
    assert parse_formatted_text("*x*", "MARKDOWNV2").entities[0]["type"] == "bold"
    assert parse_formatted_text("<b>x</b>", None).text == "<b>x</b>"
    with pytest.raises(ValueError, match="unsupported parse_mode"):
        parse_formatted_text("x", "rst")


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_length("é🐶a") == 4
