"""Solving the proof-of-work challenge in tests, as the browser widget does."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any

import altcha

_CHALLENGE_ATTRIBUTE = re.compile(r'challengejson="([^"]+)"')


def solve(challenge: dict[str, Any]) -> str:
    """The ``altcha`` form value (or ``Altcha`` header) solving ``challenge``."""
    solution = altcha.solve_challenge(
        challenge["challenge"],
        challenge["salt"],
        challenge["algorithm"],
        int(challenge["maxnumber"]),
    )
    assert solution is not None, "the challenge has no solution below its maxnumber"
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": solution.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def challenge_in_page(content: bytes | str) -> dict[str, Any]:
    """The challenge a page's widget was given."""
    text = content.decode() if isinstance(content, bytes) else content
    found = _CHALLENGE_ATTRIBUTE.search(text)
    assert found is not None, "the page has no challenge widget"
    challenge: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return challenge


def solve_page(content: bytes | str) -> str:
    return solve(challenge_in_page(content))
