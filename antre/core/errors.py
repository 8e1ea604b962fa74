"""Domain errors: each carries the stable problem code of the API contract.

Services raise these; the API turns them into RFC 9457 problem details and the
pages into a readable message in the visitor's language. ``code`` is part of
the public contract (../shared/API.md) and never changes once published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"
    status: ClassVar[int] = 422
    title: ClassVar[str | Promise] = _("Permintaan tidak dapat diproses")
    default_detail: ClassVar[str | Promise] = _("Permintaan tidak dapat diproses.")

    # Further problems found in the same request, when a service checks
    # several fields at once (``raise_all``). A caller that answers with one
    # problem (the API) answers with this one, the first; a form shows every
    # one of ``problems`` beside its field.
    others: tuple[DomainError, ...] = ()

    def __init__(self, detail: str | Promise | None = None) -> None:
        self.detail = detail if detail is not None else self.default_detail
        super().__init__(str(self.detail))

    @property
    def problems(self) -> tuple[DomainError, ...]:
        """This problem, then the others found with it."""
        return (self, *self.others)


def combined(problems: Sequence[DomainError]) -> DomainError | None:
    """The first of ``problems`` carrying the rest as its ``others``; None
    when there are none."""
    if not problems:
        return None
    first, *rest = problems
    first.others = tuple(rest)
    return first


def raise_all(problems: Sequence[DomainError]) -> None:
    """Raise ``combined(problems)``; do nothing when there are none."""
    error = combined(problems)
    if error is not None:
        raise error


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = _("Tidak ditemukan")
    default_detail = _("Yang Anda cari tidak ada.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = _("Konflik")
    default_detail = _("Permintaan bertentangan dengan keadaan saat ini.")


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    title = _("Masukan tidak valid")
    default_detail = _("Masukan tidak valid.")
