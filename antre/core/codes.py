"""Booking codes: 8 random Crockford base32 characters and a check character.

Crockford's alphabet leaves out I, L, O and U so that codes read aloud or typed
from paper survive: ``parse_code`` accepts lower case, a missing or misplaced
dash, and O/I/L typed for 0/1/1. The check character (mod 37, Crockford's
scheme) catches every single-character error and every adjacent swap, so a
mistyped code is refused before it reaches the database. Codes whose check
character would be one of Crockford's five symbols (``*~$=U``) are drawn
again, so every code can be typed on a phone keypad and sits in a URL as is;
that costs 0.2 bits of the 40.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
BODY_LENGTH = 8


def check_character(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    """A fresh code: 40 random bits from the OS's CSPRNG plus the check character.

    Uniqueness is the database's job (a unique constraint); callers retry on
    the rare collision."""
    while True:
        # 32 characters: each is 5 bits of one draw (one call to the OS).
        bits = secrets.randbits(5 * BODY_LENGTH)
        body = "".join(ALPHABET[(bits >> (5 * place)) & 31] for place in range(BODY_LENGTH))
        check = check_character(body)
        if check in ALPHABET:
            return body + check


def format_code(code: str) -> str:
    """Grouped for people: 7K3M-9QXZ4."""
    return f"{code[:4]}-{code[4:]}"


def parse_code(raw: str) -> str | None:
    """The canonical code for what a person typed or a scanner sent, or ``None``
    when it cannot be a valid code."""
    cleaned = "".join(ch for ch in raw.strip().upper() if ch not in "- ").translate(_TYPOS)
    if len(cleaned) != BODY_LENGTH + 1:
        return None
    body, check = cleaned[:BODY_LENGTH], cleaned[BODY_LENGTH]
    if any(ch not in ALPHABET for ch in cleaned):
        return None
    if check_character(body) != check:
        return None
    return cleaned
