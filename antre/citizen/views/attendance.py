"""Confirm or release from the e-mail: the signed link opens a page with one
button, and only the button acts. A GET never changes anything: mail
scanners and link previews follow links in e-mails.

No login: the signed token is the proof (``antre.booking.confirmation``),
and it acts only while the booking is confirmed at the slot it was made for.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from antre.booking.confirmation import confirm_attendance, read_attendance_token, release_booking
from antre.citizen import formatting
from antre.core.errors import DomainError


@never_cache
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, token: str) -> HttpResponse:
    found = read_attendance_token(token)
    if found is None:
        return render(request, "citizen/booking/attendance.html", {"invalid": True}, status=404)
    booking = found.booking
    if request.method == "POST" and found.is_current:
        slot_id = booking.slot_id
        try:
            if found.action == "confirm":
                confirm_attendance(booking=booking, slot_id=slot_id)
                messages.success(request, _("Terima kasih, kehadiran Anda sudah dikonfirmasi."))
            else:
                release_booking(booking=booking, slot_id=slot_id, actor=booking.citizen)
                messages.success(
                    request,
                    _("Kursi Anda sudah dilepas untuk warga lain. Pemesanan ini dibatalkan."),
                )
        except DomainError as error:
            messages.error(request, str(error.detail))
        return redirect("citizen:attendance", token=token)
    site = booking.slot.site_service.site
    context = {
        "booking": booking,
        "action": found.action,
        "is_current": found.is_current,
        "confirmed": booking.attendance_confirmed_at is not None,
        "site": site,
        "service": booking.service,
        "agency": booking.service.agency,
        "when": formatting.describe_slot(booking.slot, site),
    }
    return render(request, "citizen/booking/attendance.html", context)
