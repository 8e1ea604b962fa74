"""The REST API v1 (../shared/API.md): one NinjaAPI, problem details for every error."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

from antre.api.accounts import router as accounts_router
from antre.api.auth import bearer_auth
from antre.api.bookings import router as bookings_router
from antre.api.directory import router as directory_router
from antre.api.events import router as events_router
from antre.api.onsite import router as onsite_router
from antre.api.parsing import BodyParser
from antre.api.problem_catalog import router as problem_router
from antre.api.problems import (
    PROBLEM_CONTENT_TYPE,
    install_problem_handlers,
    problem_view,
    unknown_path,
)
from antre.api.reports import router as reports_router
from antre.api.waitlist import router as waitlist_router
from antre.ops.outage import install_outage_handlers

DESCRIPTION = """\
Online queue and appointment system of the Mal Pelayanan Publik (public
service malls): the directory of sites and services, bookings, the waiting
list and the on-site queue. Contract: API.md; this document describes all of it.

## Conventions

- **JSON** in and out. Times are ISO 8601 with the **site's** UTC offset
  (`2026-06-02T09:00:00+07:00`; `+08:00` at a WITA site); dates are `YYYY-MM-DD`
  in the site's time zone.
- **Authentication**: `Authorization: Bearer <token>` (security scheme
  `BearerAuth`). Citizens get a token from `POST /auth/token`; staff and device
  tokens (kiosk, board, counter) are made in the back office or with
  `antre token create --user NAME`. The directory (`/sites`, `/availability`)
  is public.
- **Idempotency**: send an `Idempotency-Key` header on every POST that creates
  something; the same key from the same caller within 24 h returns the first
  response and creates nothing new.
- **Pagination**: lists take `?limit=` (1-200, default 50) and `?offset=`
  (default 0) and return `{"items": [...], "count": N}`, `count` being the
  total over all pages.
- **Errors** are RFC 9457 problem details, media type
  `application/problem+json`:
  `{"type", "title", "status", "detail", "code"}`. `code` is stable and
  machine-readable; `title` and `detail` are for people and follow
  `Accept-Language` (`id`, `en`). `type` is
  `{BASE_URL}/api/v1/problems/{code}`, which describes the code
  (`GET /api/v1/problems` lists them all). A 422 `invalid_input` also carries
  `errors: [{loc, msg, type}]`, one entry per bad field: `type` is the
  stable machine-readable error type, `msg` follows `Accept-Language` too.
- **Status codes**: 401 `unauthenticated` without valid credentials (with
  `WWW-Authenticate: Bearer`), 403 `forbidden` with credentials that may not do
  this, 404 `not_found` for what does not exist or is not the caller's to see,
  405 `method_not_allowed` (with `Allow`), 422 `invalid_input` or a specific
  code, 429 `rate_limited` with `Retry-After` (seconds), 500 `internal_error`,
  503 `service_unavailable` with `Retry-After` while the database is
  unreachable (retry after it, with the same `Idempotency-Key`), 507
  `storage_full` while the server's disk is full (nothing was changed; retry
  later with the same `Idempotency-Key`).
  A body sent as another media type than JSON (`Content-Type:
  application/json`) is 415 `unsupported_media_type`; a body that is not
  JSON is 400 `invalid_json`; a body larger than the server
  accepts (2.5 MB unless configured otherwise) is 413 `payload_too_large`, and
  nothing is changed.
- **Rate limits** on registration, sign-in, booking and lookups by booking
  code or ticket id: 429 `rate_limited` with `Retry-After`. Lookups count
  only misses. An integrator (a city app sending every citizen's request
  from one address) gets a token with its own per-minute quota, which
  replaces the per-address limits: send it as the bearer token on the
  anonymous endpoints too. A 429 is not kept for an `Idempotency-Key`.
- **Challenge** (off unless the server sets `ANTRE_API_CHALLENGE`):
  `POST /auth/register` and `POST /bookings` then need a solved ALTCHA
  challenge from `GET /auth/challenge` in the `Altcha` header (422
  `challenge_failed`); integrator tokens are exempt.
"""


INVALID_BODY_RESPONSE: dict[str, Any] = {
    "description": "Bad Request: the body is not JSON (`invalid_json`).",
    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
UNSUPPORTED_BODY_RESPONSE: dict[str, Any] = {
    "description": (
        "Unsupported Media Type: the body was not sent as `application/json` "
        "(`unsupported_media_type`); nothing was changed."
    ),
    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
BODY_TOO_LARGE_RESPONSE: dict[str, Any] = {
    "description": (
        "Content Too Large: the body is larger than the server accepts (`payload_too_large`); "
        "nothing was changed."
    ),
    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


class AntreAPI(NinjaAPI):
    """NinjaAPI whose every answer outside an operation is a problem too, and
    whose OpenAPI document says so (problem media type, the bearer scheme)."""

    def __init__(self, **options: Any) -> None:
        # A body the idempotency middleware parsed already is not parsed again.
        options.setdefault("parser", BodyParser())
        super().__init__(**options)

    def set_default_exception_handlers(self) -> None:
        install_problem_handlers(self)
        # A database outage is a 503 `service_unavailable`, not a 500.
        install_outage_handlers(self)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        # Every API pattern is exempt from Django's CSRF check, as ninja's
        # operations are: they take tokens, and an operation authenticated
        # by a browser session checks the token itself (antre.api.session).
        patterns = [
            URLPattern(
                pattern.pattern,
                csrf_exempt(problem_view(pattern.callback)),
                pattern.default_args,
                pattern.name,
            )
            if isinstance(pattern, URLPattern)
            else pattern
            for pattern in super()._get_urls()
        ]
        # Last but before ninja's root pattern, which only exists to be
        # reversed and would raise Django's HTML 404 for the bare /api/v1/.
        names = [getattr(pattern, "name", None) for pattern in patterns]
        root = names.index("api-root") if "api-root" in names else len(patterns)
        patterns.insert(root, re_path(r"^", unknown_path, name="unknown-path"))
        return patterns

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        media_type = self.renderer.media_type
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:
                    # Any operation that reads a body answers 400 `invalid_json`
                    # to one that is not JSON, 415 `unsupported_media_type` to
                    # one sent as another type and 413 `payload_too_large` to
                    # one too large to read, before its own rules run.
                    operation["responses"].setdefault(400, INVALID_BODY_RESPONSE)
                    operation["responses"].setdefault(413, BODY_TOO_LARGE_RESPONSE)
                    operation["responses"].setdefault(415, UNSUPPORTED_BODY_RESPONSE)
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and media_type in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop(media_type)
        schemes = schema["components"].setdefault("securitySchemes", {})
        schemes.setdefault(type(bearer_auth).__name__, bearer_auth.openapi_security_schema)
        return schema


api = AntreAPI(
    title="antre API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("", directory_router)
api.add_router("/auth", accounts_router)
api.add_router("/bookings", bookings_router)
api.add_router("", onsite_router)
api.add_router("", events_router)
api.add_router("/reports", reports_router)
api.add_router("/waitlist", waitlist_router)
api.add_router("/problems", problem_router)
