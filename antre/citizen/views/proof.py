"""The signed proof of a timely request: the citizen's PDF download and the
public page behind its QR code (``antre.waitlist.proof``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from antre.accounts.models import User
from antre.booking.selectors import bookings_with_details
from antre.core.codes import parse_code
from antre.waitlist import proof
from antre.waitlist.models import WaitlistEntry


def _citizen(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _pdf_response(facts: proof.ProofFacts) -> HttpResponse:
    token = proof.sign(facts)
    language = "en" if translation.get_language() == "en" else "id"
    content = proof.render_pdf(facts, url=proof.verify_url(token), language=language)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bukti-{facts.proof_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def waitlist_proof(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The proof of a waiting-list entry; 404 for another citizen's."""
    citizen = _citizen(request)
    entry = (
        WaitlistEntry.objects.select_related("service__agency")
        .prefetch_related("sites")
        .filter(pk=entry_id, citizen=citizen)
        .first()
    )
    if entry is None:
        raise Http404(_("Entri daftar tunggu ini tidak ada."))
    return _pdf_response(proof.entry_facts(entry, citizen))


@require_GET
@login_required
def booking_proof(request: HttpRequest, code: str) -> HttpResponse:
    """The proof of a booking; 404 for another citizen's (never say it exists)."""
    citizen = _citizen(request)
    canonical = parse_code(code)
    booking = (
        bookings_with_details().filter(code=canonical, citizen=citizen).first()
        if canonical
        else None
    )
    if booking is None:
        raise Http404(_("Pemesanan ini tidak ada."))
    return _pdf_response(proof.booking_facts(booking, citizen))


@require_GET
def verify_proof(request: HttpRequest, token: str) -> HttpResponse:
    """Public: what a proof states, if its signature holds. Shows masked facts
    only, since anyone holding the paper can open it."""
    facts = proof.verify(token)
    return render(
        request,
        "citizen/waitlist/proof_verify.html",
        {
            "facts": facts,
            "requested": proof.describe_time(facts.requested_at, facts.timezone) if facts else "",
            "appointment": proof.describe_time(facts.appointment, facts.timezone)
            if facts and facts.appointment
            else "",
            "issued": proof.describe_time(facts.issued_at, facts.timezone) if facts else "",
        },
        status=200 if facts else 400,
    )
