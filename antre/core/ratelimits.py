"""Rate limits on what can be abused: sign-up, sign-in, password resets,
booking, and lookups by a booking code or a ticket id (docs/security.md).

Counting is django-ratelimit's: one fixed window per (limit, key) in the
default cache, which is Redis when ``REDIS_URL`` is set (shared by every web
process) and process memory otherwise (one machine). The rates are settings
(``ANTRE_RATE_LIMITS``), the keys are chosen per endpoint:

* ``ip``: the client's address (the /64 of an IPv6 one, which one household
  gets). Behind our nginx (``ANTRE_TRUSTED_PROXY``) it is the address nginx
  wrote into ``X-Forwarded-For``.
* ``account``: what the attempt is about, given by the endpoint: the e-mail
  address typed into a sign-in or reset form, the signed-in citizen, the
  kiosk device.

A limit either counts every attempt, or only the refused ones
(``failures=True``: a wrong password, an unknown code), so that many people
behind one address who do things right are never stopped, while guessing is.

An API token with its own quota (``ApiToken.rate_limit``, an integrator such
as a city app that sends every citizen's request from one address) is
counted against that quota instead of the per-address limits; the
per-account ones still apply to it.

Windows are counted in real elapsed seconds (django-ratelimit reads
``time.time()``), not on ``antre.core.clock``: a window is a duration, and
the demo clock only shifts the calendar, while a frozen test clock would
never let a window end.

This module is the one place for both interfaces: ``antre.api.ratelimit``
turns ``RateLimited`` into a 429 problem, ``limit_page`` into an Indonesian
429 page.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from antre.core import clock
from antre.core.audit import record_event
from antre.core.errors import DomainError

logger = logging.getLogger("antre.ratelimits")

# Set on a response that must not be kept as the answer to an Idempotency-Key
# (a 429 or a refused challenge: the same request may succeed later).
NOT_REPLAYABLE = "antre_not_replayable"
LOOKUP_FAILED = "lookup.failed"


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    title = _("Terlalu banyak permintaan")
    default_detail = _(
        "Terlalu banyak percobaan dalam waktu singkat. Silakan coba lagi setelah "
        "waktu yang disebut di header Retry-After."
    )
    replayable = False

    def __init__(self, retry_after: int, detail: Any = None) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Limit:
    """One of ``settings.ANTRE_RATE_LIMITS``, keyed by ``ip`` or ``account``."""

    name: str
    scope: str
    failures: bool = False

    @property
    def rate(self) -> str:
        return str(settings.ANTRE_RATE_LIMITS[self.name])


REGISTER_IP = Limit("register.ip", "ip")
LOGIN_IP = Limit("login.ip", "ip", failures=True)
LOGIN_ACCOUNT = Limit("login.account", "account", failures=True)
PASSWORD_RESET_IP = Limit("password_reset.ip", "ip")
PASSWORD_RESET_ACCOUNT = Limit("password_reset.account", "account")
BOOKING_IP = Limit("booking.ip", "ip")
BOOKING_ACCOUNT = Limit("booking.account", "account")
LOOKUP_IP = Limit("lookup.ip", "ip", failures=True)
LOOKUP_ACCOUNT = Limit("lookup.account", "account", failures=True)
# A kiosk checks in a whole hall's codes, typos included: its own budget.
LOOKUP_KIOSK = Limit("lookup.kiosk", "account", failures=True)


def client_ip(request: HttpRequest) -> str:
    """The client's address; an IPv6 one as its /64 (one subscriber's prefix)."""
    raw = request.META.get("REMOTE_ADDR", "") or ""
    if settings.ANTRE_TRUSTED_PROXY:
        # nginx overwrites the header with $remote_addr (deploy/nginx): the
        # last entry is the one it wrote, whatever a client put before it.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            raw = forwarded.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def ip_digest(request: HttpRequest) -> str:
    """A keyed digest of the client's address for audit rows: the same source
    shows up as the same value, without keeping addresses in the database
    (they stay in the proxy's access log, docs/deploy.md)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, client_ip(request).encode(), hashlib.sha256).hexdigest()[:16]


def account_key(value: object) -> str:
    """An account key from an e-mail address (any case) or a primary key."""
    return str(value).strip().lower()


def integrator_quota(request: HttpRequest) -> tuple[str, str] | None:
    """``(token key, rate)`` when the request carries a bearer token with its
    own quota, else ``None``. One query, only when a bearer token is sent;
    remembered on the request."""
    if hasattr(request, "_antre_quota"):
        cached: tuple[str, str] | None = request._antre_quota
        return cached
    quota = None
    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip() and len(raw) < 200:
        from antre.accounts.models import ApiToken
        from antre.accounts.tokens import token_digest

        row = (
            ApiToken.objects.filter(
                digest=token_digest(raw.strip()),
                revoked_at__isnull=True,
                rate_limit__isnull=False,
                user__is_active=True,
            )
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=clock.now()))
            .values_list("pk", "rate_limit")
            .first()
        )
        if row is not None:
            quota = (f"token:{row[0]}", f"{row[1]}/m")
    request._antre_quota = quota  # type: ignore[attr-defined]
    return quota


@dataclass(frozen=True)
class _Bucket:
    group: str
    rate: str
    value: str
    failures: bool


class Guard:
    """The limits of one request. ``check()`` before the work (counts an
    attempt, raises ``RateLimited`` when a window is full); ``failed()`` after
    a refused attempt (counts it against the ``failures`` limits)."""

    def __init__(
        self, request: HttpRequest, limits: Sequence[Limit], *, account: object = None
    ) -> None:
        self.request = request
        # Only an address limit can be replaced by a quota: where there is
        # none (the signed-in endpoints), the token row is not even read.
        by_address = any(limit.scope == "ip" for limit in limits)
        quota = integrator_quota(request) if by_address else None
        buckets = []
        for limit in limits:
            if limit.scope == "ip":
                if quota is not None:
                    continue
                value = client_ip(request)
            elif account is None or str(account).strip() == "":
                continue
            else:
                value = account_key(account)
            buckets.append(
                _Bucket(f"antre:{limit.name}", limit.rate, f"{limit.scope}:{value}", limit.failures)
            )
        if quota is not None:
            buckets.append(_Bucket("antre:token", quota[1], quota[0], False))
        self.buckets = buckets

    def _usage(self, bucket: _Bucket, *, increment: bool) -> dict[str, Any] | None:
        if not settings.ANTRE_RATE_LIMITS_ENABLED:
            return None
        try:
            return get_usage(
                self.request,
                group=bucket.group,
                key=lambda _group, _request: bucket.value,
                rate=bucket.rate,
                increment=increment,
            )
        except Exception:
            # An unreachable cache must not take sign-in and booking down with
            # it: fail open, loudly.
            logger.exception("rate limit cache unavailable; not limiting %s", bucket.group)
            return None

    def check(self) -> None:
        for bucket in self.buckets:
            usage = self._usage(bucket, increment=not bucket.failures)
            if usage is None:
                continue
            full = usage["count"] >= usage["limit"] if bucket.failures else usage["should_limit"]
            if full:
                logger.warning("rate limit %s reached", bucket.group)
                raise RateLimited(retry_after=int(usage["time_left"]))

    def failed(self) -> None:
        for bucket in self.buckets:
            if bucket.failures:
                self._usage(bucket, increment=True)


def record_failed_lookup(
    request: HttpRequest, *, kind: str, value: str, site_id: int | None = None
) -> None:
    """Audit a lookup of something that does not exist (or is not the
    caller's), so that enumeration shows up in the activity log. What was
    looked up is kept as the logs keep it, a NIK or a phone number masked: a
    citizen who types their NIK into the kiosk's code box must not leave it
    in the log (docs/privacy.md)."""
    from antre.ops.logging import mask_text

    user = getattr(request, "auth", None) or getattr(request, "user", None)
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    record_event(
        action=LOOKUP_FAILED,
        actor=actor,
        site_id=site_id,
        data={"kind": kind, "value": mask_text(value[:64]), "source": ip_digest(request)},
    )


def too_many_requests_page(
    request: HttpRequest,
    error: RateLimited,
    *,
    template: str = "429.html",
    arguments: dict[str, Any] | None = None,
) -> HttpResponse:
    """The 429 page; ``arguments`` are the view's URL arguments (the kiosk's
    page links back to its site's home)."""
    response = render(
        request,
        template,
        {
            "retry_minutes": max(1, -(-error.retry_after // 60)),
            "detail": error.detail,
            "arguments": arguments or {},
        },
        status=429,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


ViewFunction = Callable[..., HttpResponse]


def limit_page(
    *limits: Limit,
    account: Callable[[HttpRequest], object] | None = None,
    methods: tuple[str, ...] = ("POST",),
    failed: Callable[[HttpRequest, HttpResponse], bool] | None = None,
    lookup: str = "",
    template: str = "429.html",
) -> Callable[[ViewFunction], ViewFunction]:
    """Limit a page view: answer 429 with a page in the visitor's language.

    ``account(request)`` gives the account key (``None``: no account limit);
    ``failed(request, response)`` says whether the view refused the attempt
    (with ``failed`` given, a raised ``Http404`` is a refusal too);
    with ``lookup``, such a refusal is also audited as a failed lookup of that
    kind (the value being the view's last URL argument). ``template`` is the
    429 page (an interface with its own look, the kiosk, brings its own)."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return view(request, *args, **kwargs)
            guard = Guard(request, limits, account=account(request) if account else None)
            try:
                guard.check()
            except RateLimited as error:
                return too_many_requests_page(request, error, template=template, arguments=kwargs)
            request.antre_guard = guard  # type: ignore[attr-defined]

            def refused() -> None:
                guard.failed()
                if lookup:
                    values = list(kwargs.values())
                    record_failed_lookup(
                        request, kind=lookup, value=str(values[-1]) if values else ""
                    )

            try:
                response = view(request, *args, **kwargs)
            except Http404:
                # A view that raises its 404 refused the attempt as surely as
                # one that renders it.
                if failed is not None:
                    refused()
                raise
            if failed is not None and failed(request, response):
                refused()
            return response

        return wrapper

    return decorate


def page_guard(request: HttpRequest) -> Guard | None:
    """The guard ``limit_page`` set on this request, for a view that finds out
    about a refusal itself (the kiosk's unknown code)."""
    return getattr(request, "antre_guard", None)


def page_attempt_failed(request: HttpRequest) -> None:
    """A page view's own report of a refused attempt (a wrong password),
    counted against the failure limits of its ``limit_page``."""
    guard = page_guard(request)
    if guard is not None:
        guard.failed()


def page_lookup_failed(
    request: HttpRequest, *, kind: str, value: str, site_id: int | None = None
) -> None:
    """A page view's own report of a failed lookup: counted against the
    failure limits of its ``limit_page`` and audited."""
    guard = page_guard(request)
    if guard is not None:
        guard.failed()
    record_failed_lookup(request, kind=kind, value=value, site_id=site_id)
