"""The citizen's account pages under /akun/: register, verify the e-mail, log
in and out, reset a forgotten password, and the profile.

Every write is one call to ``antre.accounts.services``; its errors come back
as the form's errors, in the visitor's language, and change nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from antre.accounts.errors import InvalidToken
from antre.accounts.models import User
from antre.accounts.passwords import user_for_password_reset
from antre.accounts.services import (
    authenticate_citizen,
    check_registration,
    register_citizen,
    request_password_reset,
    reset_password,
    update_profile,
)
from antre.accounts.verification import send_verification_email, verify_email
from antre.citizen.forms import (
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    SetPasswordForm,
)
from antre.core import ratelimits
from antre.core.errors import DomainError
from antre.core.ratelimits import limit_page, page_attempt_failed

# The address a registration just used, for the "check your e-mail" page.
REGISTERED_EMAIL_KEY = "citizen.registered_email"


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` of the request if it points into this site, else
    ``default`` (an open redirect would let a phishing link borrow our name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _user(request: HttpRequest) -> User:
    # Views behind login_required: the user is an authenticated account.
    user = request.user
    assert isinstance(user, User)
    return user


def _typed_email(request: HttpRequest) -> str:
    return request.POST.get("email", "")


@require_http_methods(["GET", "POST"])
@limit_page(ratelimits.REGISTER_IP)
def register(request: HttpRequest) -> HttpResponse:
    """Every problem of a registration is shown in one round: when the form's
    own checks fail (a field left empty, two passwords that differ), the
    values are still checked against the account rules (``check_registration``),
    which writes nothing."""
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        valid = form.is_valid()
        values = {
            "email": form.data.get("email", ""),
            "password": form.data.get("password", ""),
            "full_name": form.data.get("full_name", ""),
            "nik": form.data.get("nik", ""),
            "phone": form.data.get("phone", ""),
        }
        try:
            if not valid:
                # Without a solved challenge nothing more is said: whether a
                # NIK or an address has an account is for a person, not a
                # script probing the page (the proof of work is the price).
                if "altcha" not in form.errors:
                    check_registration(**values)
            else:
                user = register_citizen(**values)
                request.session[REGISTERED_EMAIL_KEY] = user.email
                return redirect("citizen:register_done")
        except DomainError as error:
            form.add_domain_error(error)
    return render(request, "citizen/account/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get(REGISTERED_EMAIL_KEY)
    if not email:
        return redirect("citizen:register")
    return render(request, "citizen/account/register_done.html", {"email": email})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """GET shows a one-button form, POST verifies: mail scanners and link
    previews fetch links with GET, and a GET must not verify an address on
    their behalf (nor spend a link the citizen has not opened)."""
    token = (request.POST.get("token") if request.method == "POST" else None) or request.GET.get(
        "token", ""
    )
    error = ""
    if request.method == "POST":
        try:
            verify_email(token=token)
        except InvalidToken as invalid:
            error = str(invalid.detail)
        else:
            if request.user.is_authenticated:
                messages.success(
                    request, _("Terima kasih, alamat e-mail Anda sudah terverifikasi.")
                )
                return redirect("citizen:home")
            messages.success(
                request,
                _(
                    "Terima kasih, alamat e-mail Anda sudah terverifikasi. "
                    "Silakan masuk untuk memesan slot layanan."
                ),
            )
            return redirect("citizen:login")
    return render(
        request,
        "citizen/account/verify.html",
        {"token": token, "error": error},
        status=400 if error else 200,
    )


@require_POST
@login_required
def resend_verification(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    with transaction.atomic():
        queued = send_verification_email(user=user)
    if queued is None:
        messages.info(request, _("Alamat e-mail Anda sudah terverifikasi."))
    else:
        messages.success(
            request,
            _("Kami sudah mengirim tautan verifikasi baru ke %(email)s.") % {"email": user.email},
        )
    return redirect(safe_next(request, resolve_url("citizen:profile")))


@require_http_methods(["GET", "POST"])
@limit_page(ratelimits.LOGIN_IP, ratelimits.LOGIN_ACCOUNT, account=_typed_email)
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_citizen(
                email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except DomainError as error:
            page_attempt_failed(request)
            form.add_domain_error(error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "citizen/account/login.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """POST logs out. A GET (the URL opened from an old tab or a bookmark)
    must not: a link or an image elsewhere could then log anyone out. It
    shows one button that does, or goes home for a visitor already out."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect("citizen:home")
        return render(request, "citizen/account/logout.html")
    logout(request)
    messages.info(request, _("Anda sudah keluar."))
    return redirect("citizen:home")


@require_http_methods(["GET", "POST"])
@limit_page(ratelimits.PASSWORD_RESET_IP, ratelimits.PASSWORD_RESET_ACCOUNT, account=_typed_email)
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            request_password_reset(email=form.cleaned_data["email"])
        except DomainError as error:
            # A malformed address only; any well-formed one goes on below.
            form.add_domain_error(error)
        else:
            # The same answer whether or not the address has an account.
            return redirect("citizen:password_reset_sent")
    return render(request, "citizen/account/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/account/password_reset_sent.html")


@require_http_methods(["GET", "POST"])
def password_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        user_for_password_reset(uidb64=uidb64, token=token)
    except InvalidToken as invalid:
        return render(
            request, "citizen/account/password_set.html", {"invalid": invalid.detail}, status=400
        )
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reset_password(uidb64=uidb64, token=token, new_password=form.cleaned_data["password"])
        except InvalidToken as invalid:
            return render(
                request,
                "citizen/account/password_set.html",
                {"invalid": invalid.detail},
                status=400,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, _("Kata sandi baru Anda sudah tersimpan. Silakan masuk dengannya.")
            )
            return redirect("citizen:login")
    return render(request, "citizen/account/password_set.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {"full_name": user.full_name, "phone": user.phone.as_national if user.phone else ""}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_profile(
                user=user,
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Profil Anda sudah disimpan."))
            return redirect("citizen:profile")
    return render(request, "citizen/account/profile.html", {"form": form, "account": user})
