"""Reading the Docker files without Docker: Dockerfile instructions, .dockerignore, compose.yaml.

Small readers for exactly what our files use, shared by the packaging tests.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, COPY, RUN...
    text: str  # the rest, continuation lines joined

    @property
    def flags(self) -> dict[str, str]:
        return dict(
            word[2:].split("=", 1) for word in self.words if word.startswith("--") and "=" in word
        )

    @property
    def words(self) -> list[str]:
        """The arguments: JSON (exec) form or shell words."""
        if self.text.startswith("["):
            return json.loads(self.text)
        return shlex.split(self.text)

    @property
    def arguments(self) -> list[str]:
        """The words without the leading --flags."""
        return [word for word in self.words if not word.startswith("--")]


def dockerfile(path: Path = ROOT / "Dockerfile") -> list[Instruction]:
    instructions: list[Instruction] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not pending):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, rest = (pending + stripped).partition(" ")
        instructions.append(Instruction(keyword.upper(), rest.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return instructions


def ignore_patterns(path: Path = ROOT / ".dockerignore") -> list[tuple[bool, re.Pattern[str]]]:
    """(excludes, regex) per line, in order; the last matching line decides."""
    patterns = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line.removeprefix("!").strip("/")
        regex = ""
        index = 0
        while index < len(line):
            if line.startswith("**/", index):
                regex, index = regex + "(?:.*/)?", index + 3
            elif line.startswith("**", index):
                regex, index = regex + ".*", index + 2
            elif line[index] == "*":
                regex, index = regex + "[^/]*", index + 1
            elif line[index] == "?":
                regex, index = regex + "[^/]", index + 1
            else:
                regex, index = regex + re.escape(line[index]), index + 1
        patterns.append((not negated, re.compile(regex)))
    return patterns


def ignored(relative: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether .dockerignore keeps this path (or a folder holding it) out of the context."""
    parts = Path(relative).parts
    excluded = False
    for excludes, regex in patterns:
        if any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = excludes
    return excluded


def yaml_subset(text: str) -> dict:
    """Block mappings, lists of scalars and scalars: enough for compose.yaml, no PyYAML."""
    lines = []
    for raw in text.splitlines():
        assert "\t" not in raw, f"tab in {raw!r}"
        content = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if content.strip():
            lines.append((len(content) - len(content.lstrip(" ")), content.strip()))

    def scalar(value: str) -> str:
        if value[:1] in "\"'":
            assert value[-1] == value[0] and len(value) > 1, f"unclosed quote: {value}"
            return value[1:-1]
        return value

    def block(start: int, indent: int) -> tuple[object, int]:
        if lines[start][1].startswith("- "):
            items = []
            index = start
            while index < len(lines) and lines[index][0] == indent:
                assert lines[index][1].startswith("- "), f"mixed list: {lines[index][1]}"
                items.append(scalar(lines[index][1][2:].strip()))
                index += 1
            return items, index
        mapping: dict[str, object] = {}
        index = start
        while index < len(lines) and lines[index][0] == indent:
            key, colon, value = lines[index][1].partition(":")
            assert colon and key and " " not in key.strip(), f"not a key: {lines[index][1]}"
            assert key not in mapping, f"duplicate key {key}"
            value = value.strip()
            index += 1
            if value:
                mapping[key] = scalar(value)
            elif index < len(lines) and lines[index][0] > indent:
                mapping[key], index = block(index, lines[index][0])
            else:
                mapping[key] = None
        return mapping, index

    parsed, end = block(0, lines[0][0])
    assert end == len(lines), f"bad indentation at {lines[end][1]!r}"
    assert isinstance(parsed, dict)
    return parsed
