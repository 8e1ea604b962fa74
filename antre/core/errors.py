"""Domain errors: each carries the stable problem code of the API contract.

Services raise these; the API turns them into RFC 9457 problem details and the
pages into a readable message in the visitor's language. ``code`` is part of
the public contract (../shared/API.md) and never changes once published.
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"
    status: ClassVar[int] = 422
    title: ClassVar[str | Promise] = _("Permintaan tidak dapat diproses")
    default_detail: ClassVar[str | Promise] = _("Permintaan tidak dapat diproses.")

    def __init__(self, detail: str | Promise | None = None) -> None:
        self.detail = detail if detail is not None else self.default_detail
        super().__init__(str(self.detail))


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
