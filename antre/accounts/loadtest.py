"""Test citizens for load tests, made in bulk.

Registration hashes one password per account (Argon2, by design tens of
milliseconds) and writes one row at a time; twenty thousand citizens that way
take many minutes. Here the one shared password is hashed once and the users
and their API tokens go in with ``bulk_create``. They are marked
``is_test_account`` and verified, and their e-mails are under
``@loadtest.antre.test`` (a reserved top-level domain: nothing is ever sent).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from antre.accounts import nik as nik_module
from antre.accounts.models import ApiToken, User
from antre.accounts.tokens import PREFIX_LENGTH, token_digest
from antre.core import clock
from antre.core.audit import record_event

EMAIL_DOMAIN = "loadtest.antre.test"
EMAIL_PATTERN = re.compile(r"^loadtest-(\d+)@loadtest\.antre\.test$")
CREDENTIAL_NAME = "loadtest"
BATCH_SIZE = 1000

# The NIK space of the test citizens: Kota Bekasi (32 75), its 12 kecamatan,
# birth dates 1970-1999 with days 1-28 (valid in every month), serials
# 0001-9999. About 1.2 billion distinct NIKs, all passing ``nik.validate``.
_SERIALS = 9999
_DAYS = 28
_MONTHS = 12
_YEARS = 30
_FIRST_YEAR = 70
_DISTRICTS = 12
NIK_CAPACITY = _SERIALS * _DAYS * _MONTHS * _YEARS * _DISTRICTS


def loadtest_email(number: int) -> str:
    return f"loadtest-{number:06d}@{EMAIL_DOMAIN}"


def loadtest_nik(index: int) -> str:
    """The ``index``-th test NIK (from 0): a mixed-radix count over serial,
    day, month, year and district, so distinct indexes give distinct NIKs."""
    if not 0 <= index < NIK_CAPACITY:
        raise ValueError(f"No test NIK number {index}.")
    rest, serial = divmod(index, _SERIALS)
    rest, day = divmod(rest, _DAYS)
    rest, month = divmod(rest, _MONTHS)
    district, year = divmod(rest, _YEARS)
    return (
        f"3275{district + 1:02d}{day + 1:02d}{month + 1:02d}"
        f"{_FIRST_YEAR + year:02d}{serial + 1:04d}"
    )


def highest_loadtest_number() -> int:
    """The largest N among existing ``loadtest-N@`` accounts, 0 if none."""
    emails = User.objects.filter(
        is_test_account=True, email__endswith=f"@{EMAIL_DOMAIN}"
    ).values_list("email", flat=True)
    numbers = (int(match[1]) for email in emails if (match := EMAIL_PATTERN.match(email)))
    return max(numbers, default=0)


@dataclass(frozen=True)
class LoadtestCitizen:
    email: str
    token: str


def _fresh_niks(start: int) -> Iterator[tuple[str, str]]:
    """Test NIKs and their digests from index ``start`` on, skipping any
    already registered (a real citizen may hold one: they look real)."""
    index = start
    while True:
        batch = [loadtest_nik(index + offset) for offset in range(BATCH_SIZE)]
        index += BATCH_SIZE
        digests = {nik: nik_module.digest(nik) for nik in batch}
        taken = set(
            User.objects.filter(nik_digest__in=digests.values()).values_list(
                "nik_digest", flat=True
            )
        )
        yield from ((nik, digest) for nik, digest in digests.items() if digest not in taken)


def create_loadtest_citizens(*, count: int, password: str) -> list[LoadtestCitizen]:
    """Create ``count`` verified test citizens numbered after the highest
    existing one, each with an API token that never expires; return their
    e-mails and tokens (shown only here: only digests are stored).

    One transaction: all of them or none. Meant for load-test databases; the
    caller decides whether this database may have them.
    """
    if count < 1:
        raise ValueError("count must be at least 1.")
    password_hash = make_password(password)
    now = clock.now()
    created: list[LoadtestCitizen] = []
    with transaction.atomic():
        first = highest_loadtest_number() + 1
        niks = _fresh_niks(first - 1)
        for batch_start in range(first, first + count, BATCH_SIZE):
            numbers = range(batch_start, min(batch_start + BATCH_SIZE, first + count))
            users = [_new_user(number, next(niks), password_hash, now) for number in numbers]
            # SQLite and PostgreSQL both return the new pks from a bulk insert.
            User.objects.bulk_create(users, batch_size=BATCH_SIZE)
            raw_tokens = [secrets.token_urlsafe(32) for _ in users]
            ApiToken.objects.bulk_create(
                [
                    ApiToken(
                        user_id=user.pk,
                        name=CREDENTIAL_NAME,
                        digest=token_digest(raw),
                        prefix=raw[:PREFIX_LENGTH],
                        created_at=now,
                    )
                    for user, raw in zip(users, raw_tokens, strict=True)
                ],
                batch_size=BATCH_SIZE,
            )
            created += [
                LoadtestCitizen(email=user.email, token=raw)
                for user, raw in zip(users, raw_tokens, strict=True)
            ]
        record_event(
            action="account.loadtest_created",
            data={"count": count, "first": created[0].email, "last": created[-1].email},
        )
    return created


def _new_user(number: int, nik: tuple[str, str], password_hash: str, now: dt.datetime) -> User:
    email = loadtest_email(number)
    nik_number, nik_digest = nik
    return User(
        username=email,
        email=email,
        password=password_hash,
        full_name=f"Warga Uji {number:06d}",
        nik=nik_number,
        nik_digest=nik_digest,
        nik_masked=nik_module.mask(nik_number),
        email_verified_at=now,
        date_joined=now,
        is_test_account=True,
    )
