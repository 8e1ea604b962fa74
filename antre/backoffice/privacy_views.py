"""Revealing a citizen's full phone number or NIK in the back office: a city
admin's explicit, audited act (docs/privacy.md). Reached from the account's
page in the user admin; wrapped in ``admin_view`` like every back-office page."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from antre.accounts import privacy
from antre.accounts.models import User
from antre.backoffice.admin.base import acting_user


@require_http_methods(["GET", "POST"])
def reveal_citizen_data(request: HttpRequest, user_id: int) -> HttpResponse:
    citizen = get_object_or_404(User, pk=user_id, nik_digest__isnull=False)
    viewer = acting_user(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Data pribadi warga"),
        "citizen": citizen,
        "phone_masked": privacy.mask_phone(citizen.phone),
        "field": "",
        "value": "",
    }
    if viewer is None or not privacy.may_reveal(viewer, citizen=citizen):
        return TemplateResponse(
            request, "backoffice/privacy/reveal.html", {**context, "refused": True}, status=403
        )
    if request.method == "POST":
        what = request.POST.get("what", "")
        if what not in (privacy.Field.PHONE, privacy.Field.NIK):
            raise Http404
        value = privacy.reveal_personal_data(
            viewer=viewer, citizen=citizen, field=privacy.Field(what)
        )
        context.update(field=what, value=value or "-")
    response = TemplateResponse(request, "backoffice/privacy/reveal.html", context)
    response["Cache-Control"] = "no-store"
    return response
