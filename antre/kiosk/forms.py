from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antre.onsite.models import Priority

# A QR of the citizen's booking page rather than of the bare code (a scan of
# the link in the e-mail) carries the code as the last part of the path. In
# any case: a QR made in its compact alphanumeric mode carries the whole link
# in capitals (HTTP://…/PEMESANAN/…/), and codes are read in any case anyway.
_BOOKING_PAGE = re.compile(r"/pemesanan/([^/?#\s]+)/?", re.IGNORECASE)


class CheckInForm(forms.Form):
    """What the scanner typed or the person keyed in, then Enter."""

    code = forms.CharField(
        label=_("Kode pemesanan"),
        max_length=200,
        error_messages={"required": _("Pindai atau ketik kode pemesanan Anda lebih dulu.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                # The kiosk has its own keypad: no phone keyboard on a touch screen.
                "inputmode": "none",
                "enterkeyhint": "go",
            }
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        found = _BOOKING_PAGE.search(code)
        return found.group(1) if found else code


class WalkInForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("Prioritas"), choices=Priority.choices, required=False, initial=Priority.NONE
    )

    def clean_priority(self) -> str:
        value: Any = self.cleaned_data.get("priority") or Priority.NONE
        return str(value)
