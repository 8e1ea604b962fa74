"""Refresh and check the message catalogs in antre/locale.

Refresh after changing any user-visible string::

    .venv/bin/python -m antre.testing.translations

which is the same as::

    .venv/bin/antre makemessages -l en -l id --add-location=file --no-obsolete \\
        --ignore=.venv --ignore=node_modules --ignore=var --ignore=test-artifacts \\
        --ignore=.tools --ignore=bench --ignore='*/tests/*'
    .venv/bin/antre compilemessages --ignore=.venv --ignore=node_modules

then translate every new empty ``msgstr`` in ``antre/locale/en/LC_MESSAGES/django.po``
(the Indonesian catalog keeps empty ``msgstr``: its source strings are
already Indonesian), compile again, and commit the .po and .mo files.
``antre/citizen/tests/test_translations.py`` fails while they are stale.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[2]
LOCALE_DIR = REPOSITORY / "antre" / "locale"
LANGUAGES = ("en", "id")
# The source language: its catalog needs no msgstr.
SOURCE_LANGUAGE = "id"

IGNORE_PATTERNS = [
    ".venv",
    "node_modules",
    "var",
    "test-artifacts",
    ".tools",
    "bench",
    "*/tests/*",
]

MAKEMESSAGES_OPTIONS: dict[str, Any] = {
    "locale": list(LANGUAGES),
    "ignore_patterns": IGNORE_PATTERNS,
    # File names without line numbers: moving code does not churn the catalogs.
    "add_location": "file",
    "no_obsolete": True,
    "verbosity": 0,
}


@contextmanager
def _in_repository() -> Iterator[None]:
    # makemessages extracts from the current directory down.
    previous = Path.cwd()
    os.chdir(REPOSITORY)
    try:
        yield
    finally:
        os.chdir(previous)


def extract(into: Path) -> None:
    """Extract fresh catalogs for every language into ``into/<lang>/LC_MESSAGES/``
    without touching antre/locale."""
    from django.core.management import call_command
    from django.test import override_settings

    # The committed locale dir is skipped, else makemessages would write to it.
    options = {
        **MAKEMESSAGES_OPTIONS,
        "ignore_patterns": [*IGNORE_PATTERNS, "antre/locale"],
    }
    with override_settings(LOCALE_PATHS=[str(into)]), _in_repository():
        call_command("makemessages", **options)


def refresh() -> None:
    """Update antre/locale's catalogs from the code and compile them."""
    from django.core.management import call_command

    with _in_repository():
        call_command("makemessages", **MAKEMESSAGES_OPTIONS)
        call_command("compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    refresh()
    print(f"Updated and compiled the catalogs in {LOCALE_DIR}.")
    print("Translate any empty msgstr in en/LC_MESSAGES/django.po, then run this again.")


if __name__ == "__main__":
    main()
