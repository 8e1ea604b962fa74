"""What the hall hears when a number is called, as a sequence of clip names.

A call is announced as "Nomor antrean, A, nol, satu, dua, silakan menuju
loket, tiga": the ticket number letter by letter and digit by digit (people
listen for their own digits), the counter as a number in words. The board
plays the clips named here one after another (or speaks their texts with the
device's Indonesian voice when it has one); ``antre/board/static/board/board.js``
mirrors ``call_clips`` and ``admit_clips`` and a browser test holds the two
equal.

The clip names are the files under ``board/audio/id/`` (without extension);
``CLIP_TEXTS`` is what each clip says: the generator
(``antre generate_announcements``) feeds it to espeak-ng, and an MPP that
records its own voice reads it as the script (docs/board.md).
"""

from __future__ import annotations

import string

CHIME = "nada/panggilan"
SILENCE = "nada/sunyi"
NUMBER_INTRO = "frasa/nomor-antrean"
TO_COUNTER = "frasa/silakan-menuju-loket"
PLEASE_ENTER = "frasa/silakan-masuk"

# Numbers up to this one have a clip of their own in words ("dua puluh satu");
# a counter numbered higher is read digit by digit.
LARGEST_NUMBER_CLIP = 99

_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")

# How the letters are named when spelt aloud in Indonesian (A "a", B "be",
# ..., Q "ki", X "eks", Z "zet").
LETTER_NAMES = {
    "A": "a",
    "B": "be",
    "C": "ce",
    "D": "de",
    "E": "e",
    "F": "ef",
    "G": "ge",
    "H": "ha",
    "I": "i",
    "J": "je",
    "K": "ka",
    "L": "el",
    "M": "em",
    "N": "en",
    "O": "o",
    "P": "pe",
    "Q": "ki",
    "R": "er",
    "S": "es",
    "T": "te",
    "U": "u",
    "V": "fe",
    "W": "we",
    "X": "eks",
    "Y": "ye",
    "Z": "zet",
}

PHRASES = {
    NUMBER_INTRO: "Nomor antrean",
    TO_COUNTER: "silakan menuju loket",
    PLEASE_ENTER: "silakan masuk",
}


def number_words(number: int) -> str:
    """0-99 in Indonesian words: 7 "tujuh", 11 "sebelas", 15 "lima belas",
    20 "dua puluh", 21 "dua puluh satu". Raises ValueError outside 0-99."""
    if not 0 <= number <= LARGEST_NUMBER_CLIP:
        raise ValueError(f"{number} is outside 0..{LARGEST_NUMBER_CLIP}")
    tens, units = divmod(number, 10)
    if tens == 0:
        return _UNITS[units]
    if tens == 1:
        if units == 0:
            return "sepuluh"
        if units == 1:
            return "sebelas"
        return f"{_UNITS[units]} belas"
    words = f"{_UNITS[tens]} puluh"
    return words if units == 0 else f"{words} {_UNITS[units]}"


def letter_clip(letter: str) -> str:
    return f"huruf/{letter.lower()}"


def number_clip(number: int) -> str:
    return f"angka/{number}"


def clip_texts() -> dict[str, str]:
    """Every spoken clip and what it says, in a stable order (the manifest's)."""
    texts = dict(PHRASES)
    texts.update({letter_clip(letter): name for letter, name in LETTER_NAMES.items()})
    texts.update(
        {number_clip(number): number_words(number) for number in range(LARGEST_NUMBER_CLIP + 1)}
    )
    return texts


def number_clips(ticket_number: str) -> list[str]:
    """``A-012`` -> the letters, then each digit alone: a, nol, satu, dua.
    Anything else in the number (the dash) is not spoken."""
    clips = []
    for character in ticket_number.upper():
        if character in LETTER_NAMES:
            clips.append(letter_clip(character))
        elif character in string.digits:
            clips.append(number_clip(int(character)))
    return clips


def counter_clips(counter: int) -> list[str]:
    """The counter in words ("dua belas"); past 99 digit by digit."""
    if 0 <= counter <= LARGEST_NUMBER_CLIP:
        return [number_clip(counter)]
    return [number_clip(int(digit)) for digit in str(abs(counter))]


def call_clips(ticket_number: str, counter: int | None) -> list[str]:
    """The clips announcing a call, without the chime that precedes them:
    ``call_clips("A-012", 3)`` is nomor antrean, a, nol, satu, dua, silakan
    menuju loket, tiga. Without a counter, only the number is said."""
    clips = [NUMBER_INTRO, *number_clips(ticket_number)]
    if counter is not None:
        clips += [TO_COUNTER, *counter_clips(counter)]
    return clips


def admit_clips(ticket_number: str) -> list[str]:
    """ "Nomor antrean, a, nol, satu, empat, silakan masuk": a ticket waiting
    outside may come in."""
    return [NUMBER_INTRO, *number_clips(ticket_number), PLEASE_ENTER]


def spoken_text(clips: list[str]) -> str:
    """What a speech synthesiser says for the clips: their texts, comma-separated
    so that the voice pauses where the clips would."""
    texts = clip_texts()
    return ", ".join(texts[clip] for clip in clips)
