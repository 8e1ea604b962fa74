"""Where on a page a message after a redirect is shown."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.contrib.messages.storage.base import Message

register = template.Library()


@register.filter
def placed(messages: Iterable[Message], place: str) -> list[Message]:
    """The messages tagged for ``place`` (an ``extra_tags`` word, such as
    ``picker.DAY_ANCHOR``); with ``""``, the messages tagged for no place."""
    chosen = []
    for message in messages:
        places = (message.extra_tags or "").split()
        if (place in places) if place else not places:
            chosen.append(message)
    return chosen
