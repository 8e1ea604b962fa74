"""Bilingual e-mails from templates: Bahasa Indonesia first, English below.

A message's templates are ``emails/<kind>.txt`` and ``emails/<kind>.html``.
Each holds one language's part and is rendered once per language under
``translation.override``, so the words live in the message catalogs like
every other string of antre (STYLE.md rule 7) instead of being written twice
in each template. The HTML parts are then framed by ``emails/layout.html``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

# Indonesian first: the order of the parts in every message.
LANGUAGES = ("id", "en")


class AttachmentData(TypedDict, total=False):
    """An attachment as the outbox row stores it (``OutboxMessage.attachments``)."""

    filename: str
    content_type: str
    content_b64: str
    cid: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message. With ``cid`` it is an inline part of the
    HTML (``<img src="cid:...">``), otherwise an ordinary attachment."""

    filename: str
    content_type: str
    content: bytes
    cid: str | None = None

    def as_data(self) -> AttachmentData:
        data: AttachmentData = {
            "filename": self.filename,
            "content_type": self.content_type,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }
        if self.cid:
            data["cid"] = self.cid
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Attachment:
        return cls(
            filename=str(data["filename"]),
            content_type=str(data["content_type"]),
            content=base64.b64decode(data["content_b64"]),
            cid=str(data["cid"]) if data.get("cid") else None,
        )


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str
    attachments: list[Attachment] = field(default_factory=list)

    def attachments_data(self) -> list[AttachmentData]:
        return [attachment.as_data() for attachment in self.attachments]


def in_languages(message: str) -> list[str]:
    """``message`` translated into each of LANGUAGES, in order."""
    translated = []
    for language in LANGUAGES:
        with translation.override(language):
            translated.append(gettext(message))
    return translated


def bilingual(message: str, *, separator: str = " · ") -> str:
    """``message`` in Indonesian and English side by side: "Kode · Code"."""
    return separator.join(dict.fromkeys(in_languages(message)))


def render_email(
    template: str,
    *,
    subject: str,
    context: Mapping[str, Any],
    localized: Callable[[], Mapping[str, Any]] | None = None,
    layout: Mapping[str, Any] | None = None,
    attachments: list[Attachment] | None = None,
) -> RenderedEmail:
    """Render ``emails/<template>.txt`` and ``.html`` once per language.

    ``subject`` is the finished subject line (see ``bilingual``).
    ``localized`` is called under each language to add what must be
    formatted in it (dates, day names). ``layout`` is passed to
    ``emails/layout.html`` (the preheader, the QR card).
    """
    text_parts: list[str] = []
    html_parts: list[tuple[str, SafeString]] = []
    for language in LANGUAGES:
        with translation.override(language):
            part_context = {**context, **(localized() if localized else {})}
            text_parts.append(render_to_string(f"emails/{template}.txt", part_context).strip())
            html = render_to_string(f"emails/{template}.html", part_context)
            html_parts.append((language, mark_safe(html)))  # noqa: S308 (our own template)
    footer = in_languages(
        gettext_noop(
            "E-mail ini dikirim otomatis oleh antre, sistem antrean Mal Pelayanan Publik. "
            "Mohon tidak membalas e-mail ini."
        )
    )
    body_text = (
        f"{text_parts[0]}\n\n\n———— English ————\n\n{text_parts[1]}\n\n-- \n"
        + "\n".join(footer)
        + "\n"
    )
    body_html = render_to_string(
        "emails/layout.html",
        {
            "title": subject,
            "parts": html_parts,
            "footer": footer,
            **(layout or {}),
        },
    )
    return RenderedEmail(
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=attachments or [],
    )
