"""What a call sounds like: Indonesian number words, the clip sequence, and
the committed clips with their manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from antre.board import audio
from antre.board.announcements import (
    CHIME,
    admit_clips,
    call_clips,
    clip_texts,
    counter_clips,
    number_words,
    spoken_text,
)

WORDS = {
    0: "nol",
    1: "satu",
    2: "dua",
    3: "tiga",
    4: "empat",
    5: "lima",
    6: "enam",
    7: "tujuh",
    8: "delapan",
    9: "sembilan",
    10: "sepuluh",
    11: "sebelas",
    12: "dua belas",
    15: "lima belas",
    19: "sembilan belas",
    20: "dua puluh",
    21: "dua puluh satu",
    34: "tiga puluh empat",
    50: "lima puluh",
    70: "tujuh puluh",
    88: "delapan puluh delapan",
    99: "sembilan puluh sembilan",
}


@pytest.mark.parametrize(("number", "words"), WORDS.items())
def test_number_words(number: int, words: str) -> None:
    assert number_words(number) == words


def test_number_words_for_every_number_up_to_99() -> None:
    units = [number_words(unit) for unit in range(10)]
    for number in range(100):
        tens, unit = divmod(number, 10)
        words = number_words(number)
        if tens == 0:
            assert words == units[unit]
        elif tens == 1:
            assert words == {0: "sepuluh", 1: "sebelas"}.get(unit, f"{units[unit]} belas")
        else:
            expected = f"{units[tens]} puluh" + (f" {units[unit]}" if unit else "")
            assert words == expected
    assert len({number_words(number) for number in range(100)}) == 100


@pytest.mark.parametrize("number", [-1, 100, 1000])
def test_number_words_refuse_what_has_no_clip(number: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        number_words(number)


def test_a_call_to_counter_3() -> None:
    assert call_clips("A-012", 3) == [
        "frasa/nomor-antrean",
        "huruf/a",
        "angka/0",
        "angka/1",
        "angka/2",
        "frasa/silakan-menuju-loket",
        "angka/3",
    ]
    assert (
        spoken_text(call_clips("A-012", 3))
        == "Nomor antrean, a, nol, satu, dua, silakan menuju loket, tiga"
    )


def test_counters_are_said_as_numbers_and_ticket_digits_one_by_one() -> None:
    assert call_clips("B-100", 21)[-1] == "angka/21"
    assert spoken_text(call_clips("B-100", 21)).endswith(
        "be, satu, nol, nol, silakan menuju loket, dua puluh satu"
    )
    assert counter_clips(123) == ["angka/1", "angka/2", "angka/3"]
    assert call_clips("AB-007", None) == [
        "frasa/nomor-antrean",
        "huruf/a",
        "huruf/b",
        "angka/0",
        "angka/0",
        "angka/7",
    ]


def test_a_ticket_let_in_from_outside() -> None:
    assert spoken_text(admit_clips("A-014")) == "Nomor antrean, a, nol, satu, empat, silakan masuk"


def test_the_committed_clips_cover_every_clip_and_stay_small() -> None:
    manifest = json.loads((audio.AUDIO_DIR / audio.MANIFEST_NAME).read_text(encoding="utf-8"))

    assert manifest == audio.build_manifest(audio.AUDIO_DIR)
    assert set(manifest["clips"]) == set(clip_texts()) | {CHIME, "nada/sunyi"}
    for clip, entry in manifest["clips"].items():
        path = audio.AUDIO_DIR / entry["file"]
        assert path.is_file(), clip
        assert path.stat().st_size > 500, clip
    total = sum(path.stat().st_size for path in audio.AUDIO_DIR.rglob("*") if path.is_file())
    assert total < 1_500_000


def test_a_recording_dropped_in_takes_the_clips_place(tmp_path: Path) -> None:
    (tmp_path / "angka").mkdir()
    (tmp_path / "angka" / "3.ogg").write_bytes(b"OggS")
    (tmp_path / "angka" / "4.mp3").write_bytes(b"ID3")

    call_command("generate_announcements", "--manifest-only", "--output", str(tmp_path))

    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["clips"] == {
        "angka/3": {"file": "angka/3.ogg", "text": "tiga"},
        "angka/4": {"file": "angka/4.mp3", "text": "empat"},
    }


@pytest.mark.skipif(
    not all(map(audio.shutil.which, ("espeak-ng", "sox"))), reason="espeak-ng and sox are absent"
)
def test_the_generator_speaks_a_clip(tmp_path: Path) -> None:
    target = tmp_path / "frasa" / "silakan-masuk.mp3"

    audio.speak_to_file("silakan masuk", target, audio.Voice())
    audio.tone_to_file(CHIME, tmp_path / "nada" / "panggilan.mp3", audio.Voice())

    assert target.stat().st_size > 1000
    assert (tmp_path / "nada" / "panggilan.mp3").stat().st_size > 1000
