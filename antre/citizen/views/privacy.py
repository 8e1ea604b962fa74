"""The citizen's own data under /akun/data/: see what we hold, download it,
delete the account. Each write is one call to the accounts domain
(``antre.accounts.privacy.export_account``, ``services.delete_account``)."""

from __future__ import annotations

import json

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from antre.accounts.models import User
from antre.accounts.privacy import export_account, mask_phone
from antre.accounts.services import delete_account
from antre.citizen.forms import DeleteAccountForm
from antre.core import clock
from antre.core.errors import DomainError


def _citizen(request: HttpRequest) -> User:
    user = request.user
    # Staff and device accounts hold no citizen data to export or delete here.
    if not isinstance(user, User) or not user.is_citizen:
        raise Http404
    return user


@require_http_methods(["GET"])
@login_required
def account_data(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    return render(
        request,
        "citizen/account/data.html",
        {"account": user, "phone_masked": mask_phone(user.phone)},
    )


@require_POST
@login_required
def account_export(request: HttpRequest) -> HttpResponse:
    """A POST, not a link: the download is recorded, and a form's CSRF token
    keeps another site from starting it."""
    user = _citizen(request)
    data = export_account(user=user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    day = clock.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="antre-data-saya-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            delete_account(user=user, password=form.cleaned_data["password"])
        except DomainError as error:
            form.add_error("password", str(error.detail))
        else:
            logout(request)
            return redirect("citizen:account_deleted")
    return render(request, "citizen/account/delete.html", {"form": form, "account": user})


def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/account/deleted.html")
