"""The lottery of a fair release, as pure functions anyone can re-run.

No ORM, no clock, no ``random``: the draw depends only on the recorded seed
and the recorded list of request ids, and its algorithm is written out here
(and in docs/waitlist.md) so that an auditor can recompute it in a few lines
of any language. Python's ``random.shuffle`` is not used because its
algorithm is an implementation detail that may change between versions; a
draw must give the same winners in ten years.

The algorithm: a Fisher-Yates shuffle of ``request_ids`` (in the recorded
order) from the last position down, where the random index for position
``i`` is taken from ``HMAC-SHA256(key=seed, message="<i>:<attempt>")``, read
as a big-endian 256-bit integer, accepted only below the largest multiple of
``i + 1`` (rejection sampling: a plain modulo would favour small indices),
then reduced modulo ``i + 1``. The shuffled list is the ranking; the first
``seats`` of it win.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence

_SPACE = 1 << 256


def new_seed() -> str:
    """A fresh seed: 32 bytes from the operating system's CSPRNG, as hex."""
    return secrets.token_hex(32)


def _index(seed: bytes, position: int) -> int:
    """A uniform integer in ``[0, position]``."""
    bound = position + 1
    limit = _SPACE - (_SPACE % bound)
    attempt = 0
    while True:
        digest = hmac.new(seed, f"{position}:{attempt}".encode(), hashlib.sha256).digest()
        value = int.from_bytes(digest, "big")
        if value < limit:
            return value % bound
        attempt += 1  # pragma: no cover - happens with probability < 2**-200


def ranking(seed: str, request_ids: Sequence[int]) -> list[int]:
    """Every request id in lottery order (a permutation of ``request_ids``)."""
    key = seed.encode()
    order = list(request_ids)
    for position in range(len(order) - 1, 0, -1):
        other = _index(key, position)
        order[position], order[other] = order[other], order[position]
    return order


def draw(seed: str, request_ids: Sequence[int], seats: int) -> list[int]:
    """The ``seats`` winners of a plain lottery, in lottery order."""
    return ranking(seed, request_ids)[: max(seats, 0)]


def allocation_order(
    seed: str, request_ids: Sequence[int], deadlines: Mapping[int, dt.date]
) -> list[int]:
    """The order in which a round's seats are given: first the requests with a
    recorded deadline (earliest deadline first; equal deadlines by lottery
    rank, so that nobody gains by having clicked first inside the window),
    then everyone else by lottery rank. Seats go down this list; a request
    that cannot be booked (the citizen booked elsewhere meanwhile) is passed
    over and the seat goes to the next."""
    rank = {request_id: index for index, request_id in enumerate(ranking(seed, request_ids))}
    urgent = sorted(
        (request_id for request_id in request_ids if request_id in deadlines),
        key=lambda request_id: (deadlines[request_id], rank[request_id]),
    )
    others = [request_id for request_id in rank if request_id not in deadlines]
    return urgent + others
