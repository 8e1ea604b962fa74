"""Signed tokens stamped by antre's clock.

Django's ``signing.dumps`` stamps each token with ``time.time()``, a "now"
outside the clock seam (``antre.core.clock``): under ``ANTRE_CLOCK`` or a
frozen test clock the stamp would disagree with every other time in the
system, and the same token made twice a second apart would differ. ``dumps``
here is ``signing.dumps`` with the clock's time; ``signing.loads`` reads its
tokens unchanged (the format is the same).
"""

from __future__ import annotations

from typing import Any

from django.core import signing

from antre.core import clock


class ClockTimestampSigner(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(clock.now().timestamp()))


def dumps(obj: Any, *, salt: str, compress: bool = False) -> str:
    return ClockTimestampSigner(salt=salt).sign_object(obj, compress=compress)
