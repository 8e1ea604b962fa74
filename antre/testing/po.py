"""A small reader of gettext .po files, enough to check the translations in
tests without a dependency: contexts, plurals, flags and obsolete entries."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

# An entry's identity in a catalog: (msgctxt, msgid, msgid_plural).
EntryKey = tuple[str | None, str, str | None]


@dataclass
class PoEntry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> EntryKey:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags


def _unquote(text: str) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"Not a quoted .po string: {text!r}")
    # .po strings use C escapes, which a Python string literal reads the same.
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def parse_po(text: str) -> list[PoEntry]:
    """Parse the text of a .po file into its entries, the header included."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    started = False
    current: str | None = None  # the keyword whose string continues on the next line

    def finish() -> None:
        nonlocal entry, started, current
        if started:
            entries.append(entry)
        entry, started, current = PoEntry(), False, None

    for raw_line in text.splitlines():
        line = raw_line.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if started:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith("#"):
            if started:
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"A continuation line without a keyword: {raw_line!r}")
            keyword, rest = current, line
        elif keyword in {"msgctxt", "msgid"} and started and current not in {None, "msgctxt"}:
            # A new entry begins without a blank line in between.
            finish()
        entry.obsolete = entry.obsolete or obsolete
        started = True
        value = _unquote(rest)
        if keyword == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value if current == "msgctxt" else value
        elif keyword == "msgid":
            entry.msgid += value
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif keyword == "msgstr":
            if current == "msgstr":
                entry.msgstr[-1] += value
            else:
                entry.msgstr.append(value)
        elif keyword.startswith("msgstr["):
            index = int(keyword[len("msgstr[") : -1])
            if current == keyword:
                entry.msgstr[index] += value
            else:
                entry.msgstr.append(value)
        else:
            raise ValueError(f"Unknown .po keyword {keyword!r} in {raw_line!r}")
        current = keyword
    finish()
    return entries


def read_po(path: Path) -> list[PoEntry]:
    return parse_po(path.read_text(encoding="utf-8"))


def live_entries(path: Path) -> dict[EntryKey, PoEntry]:
    """The file's entries without the header and the obsolete ones, by key."""
    return {
        entry.key: entry for entry in read_po(path) if not entry.is_header and not entry.obsolete
    }
