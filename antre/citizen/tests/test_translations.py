"""The committed catalogs in antre/locale match the code.

Fails when a user-visible string was added, changed or removed without
refreshing the catalogs, when an English translation is missing or fuzzy, or
when a .mo file was not compiled from its .po. To fix, run
``.venv/bin/python -m antre.testing.translations``, translate the new empty
msgstr in en/LC_MESSAGES/django.po, run it again and commit antre/locale.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

from antre.testing.po import EntryKey, PoEntry, live_entries
from antre.testing.translations import LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, extract

REFRESH_HINT = (
    "Refresh with `.venv/bin/python -m antre.testing.translations`, translate the empty "
    "msgstr in antre/locale/en/LC_MESSAGES/django.po, run it again and commit antre/locale."
)


def describe(keys: set[EntryKey]) -> str:
    return "\n".join(
        f"  {key[1]!r}" + (f" (context {key[0]!r})" if key[0] else "")
        for key in sorted(keys, key=lambda key: (key[1], key[0] or ""))
    )


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    into = tmp_path_factory.mktemp("locale")
    extract(into)
    return into


def catalog(root: Path, language: str) -> dict[EntryKey, PoEntry]:
    return live_entries(root / language / "LC_MESSAGES" / "django.po")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_exactly_the_strings_of_the_code(fresh_catalogs: Path, language: str) -> None:
    extracted = set(catalog(fresh_catalogs, language))
    committed = set(catalog(LOCALE_DIR, language))

    missing = extracted - committed
    stale = committed - extracted
    assert not missing, f"Strings missing from {language}/django.po:\n{describe(missing)}\n" + (
        REFRESH_HINT
    )
    assert not stale, f"Strings no longer in the code, in {language}/django.po:\n" + (
        f"{describe(stale)}\n{REFRESH_HINT}"
    )


def test_every_string_has_an_english_translation() -> None:
    untranslated = {key for key, entry in catalog(LOCALE_DIR, "en").items() if not entry.translated}

    assert not untranslated, (
        f"Empty or fuzzy English translations:\n{describe(untranslated)}\n{REFRESH_HINT}"
    )


def test_indonesian_catalog_keeps_the_source_strings() -> None:
    # An Indonesian msgstr would silently diverge from the source string.
    translated = {
        key for key, entry in catalog(LOCALE_DIR, SOURCE_LANGUAGE).items() if any(entry.msgstr)
    }

    assert not translated, (
        "The Indonesian catalog should leave msgstr empty; change the source string "
        f"in the code instead:\n{describe(translated)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_po_file(tmp_path: Path, language: str) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is missing: apt-get install -y gettext"
    messages = LOCALE_DIR / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"

    # --check-format also proves that every %(name)s of a msgid survives in its msgstr.
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", str(compiled), str(messages / "django.po")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (messages / "django.mo").exists(), f"{messages}/django.mo is missing. {REFRESH_HINT}"
    with compiled.open("rb") as fresh, (messages / "django.mo").open("rb") as committed:
        fresh_catalog = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        committed_catalog = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
    assert committed_catalog == fresh_catalog, (
        f"{messages}/django.mo was not compiled from django.po. {REFRESH_HINT}"
    )
