"""RFC 9457 problem details for every error under /api/v1.

Every error the API returns, whether raised by a service (a ``DomainError``),
by ninja (validation, authentication, throttling), by Django's URL resolver
(an unknown path, a wrong method) or by a bug, leaves as
``application/problem+json`` with the members ``type``, ``title``, ``status``,
``detail`` and ``code``. ``code`` is the stable, machine-readable part of the
contract; ``title`` and ``detail`` are for people and follow the request's
language. ``type`` is ``{BASE_URL}/api/v1/problems/{code}``, which serves a
short description of the code.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from antre.api.field_messages import field_message
from antre.api.parsing import UnsupportedMediaType
from antre.core.errors import DomainError
from antre.core.ratelimits import NOT_REPLAYABLE

logger = logging.getLogger("antre.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_PATH = "/api/v1/problems/"

# Seconds a client is told to wait when a limiter does not say how long.
DEFAULT_RETRY_AFTER = 60


@dataclass(frozen=True)
class ProblemKind:
    """A problem code with its status and usual wording. The API layer's own
    codes are listed here; domain codes come from ``DomainError`` subclasses."""

    code: str
    status: int
    title: str | Promise
    detail: str | Promise


BAD_REQUEST = ProblemKind(
    "bad_request", 400, _("Permintaan tidak sah"), _("Permintaan tidak dapat dibaca.")
)
INVALID_JSON = ProblemKind(
    "invalid_json",
    400,
    _("Badan permintaan bukan JSON"),
    _("Badan permintaan harus berupa JSON yang sah (Content-Type: application/json)."),
)
UNAUTHENTICATED = ProblemKind(
    "unauthenticated",
    401,
    _("Perlu autentikasi"),
    _("Sertakan token yang sah: Authorization: Bearer <token>."),
)
FORBIDDEN = ProblemKind(
    "forbidden", 403, _("Tidak diizinkan"), _("Anda tidak berhak melakukan ini.")
)
NOT_FOUND = ProblemKind("not_found", 404, _("Tidak ditemukan"), _("Alamat ini tidak ada di API."))
METHOD_NOT_ALLOWED = ProblemKind(
    "method_not_allowed",
    405,
    _("Metode tidak diizinkan"),
    _("Alamat ini tidak menerima metode HTTP tersebut; lihat header Allow."),
)
PAYLOAD_TOO_LARGE = ProblemKind(
    "payload_too_large",
    413,
    _("Permintaan terlalu besar"),
    _("Badan permintaan melebihi ukuran yang diterima server. Tidak ada yang diubah."),
)
UNSUPPORTED_MEDIA_TYPE = ProblemKind(
    "unsupported_media_type",
    415,
    _("Jenis isi tidak didukung"),
    _("Badan permintaan harus JSON dengan Content-Type: application/json. Tidak ada yang diubah."),
)
INVALID_INPUT = ProblemKind(
    "invalid_input",
    422,
    _("Masukan tidak valid"),
    _("Ada masukan yang tidak valid; rinciannya di 'errors'."),
)
RATE_LIMITED = ProblemKind(
    "rate_limited",
    429,
    _("Terlalu banyak permintaan"),
    _("Terlalu banyak permintaan; coba lagi setelah waktu di header Retry-After."),
)
INTERNAL_ERROR = ProblemKind(
    "internal_error",
    500,
    _("Kesalahan server"),
    _("Terjadi kesalahan di server. Kejadian ini sudah dicatat; silakan coba lagi nanti."),
)
# The Idempotency-Key middleware's own refusals (antre.api.idempotency).
INVALID_IDEMPOTENCY_KEY = ProblemKind(
    "invalid_idempotency_key",
    422,
    _("Kunci idempotensi tidak valid"),
    _("Idempotency-Key harus teks ASCII yang tercetak, paling panjang 200."),
)
IDEMPOTENCY_KEY_REUSED = ProblemKind(
    "idempotency_key_reused",
    422,
    _("Kunci idempotensi sudah dipakai"),
    _("Idempotency-Key ini sudah dipakai untuk permintaan lain dalam 24 jam."),
)
# An HttpError whose status has no code of its own (none is raised today):
# it keeps its own status, which is not always this one.
HTTP_ERROR = ProblemKind(
    "http_error",
    400,
    _("Kesalahan HTTP"),
    _("Permintaan tidak dapat dipenuhi; kode status HTTP jawaban menjelaskan sebabnya."),
)

API_PROBLEMS: dict[str, ProblemKind] = {
    kind.code: kind
    for kind in (
        # The generic kinds first: an HttpError takes the first of its status.
        BAD_REQUEST,
        INVALID_JSON,
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        INVALID_INPUT,
        RATE_LIMITED,
        INTERNAL_ERROR,
        INVALID_IDEMPOTENCY_KEY,
        IDEMPOTENCY_KEY_REUSED,
        HTTP_ERROR,
    )
}


class FieldError(Schema):
    loc: list[str | int] = Field(
        ...,
        description="Where the bad value is: source, then field.",
        examples=[["query", "limit"]],
    )
    msg: str = Field(
        ...,
        description="What is wrong with it, for people: follows Accept-Language (id, en).",
        examples=["Harus bilangan bulat."],
    )
    type: str = Field(
        ..., description="A machine-readable error type.", examples=["less_than_equal"]
    )


class Problem(Schema):
    """An RFC 9457 problem detail (media type application/problem+json)."""

    type: str = Field(
        ...,
        description="A URI naming the problem type: {BASE_URL}/api/v1/problems/{code}.",
        examples=["https://antre.example/api/v1/problems/not_found"],
    )
    title: str = Field(..., description="A short human-readable summary of the problem type.")
    status: int = Field(..., description="The HTTP status code.", examples=[404])
    detail: str = Field(..., description="A human-readable explanation of this occurrence.")
    code: str = Field(
        ..., description="Stable machine-readable problem code.", examples=["not_found"]
    )


class ValidationProblem(Problem):
    """A 422 problem about the request's input, with one entry per bad field."""

    errors: list[FieldError] = Field(default_factory=list)


def problem_type(code: str) -> str:
    return f"{settings.BASE_URL}{PROBLEM_PATH}{code}"


def problem_response(
    *,
    status: int,
    code: str,
    title: str | Promise,
    detail: str | Promise,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "code": code,
        **(extra or {}),
    }
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
        headers=headers,
    )


def kind_response(
    kind: ProblemKind,
    *,
    detail: str | Promise | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    return problem_response(
        status=kind.status,
        code=kind.code,
        title=kind.title,
        detail=detail if detail is not None else kind.detail,
        extra=extra,
        headers=headers,
    )


def retry_after(seconds: float | None) -> str:
    """Retry-After as integer delta-seconds (RFC 9110), never below one."""
    if seconds is None:
        return str(DEFAULT_RETRY_AFTER)
    return str(max(1, math.ceil(seconds)))


def domain_error_response(error: DomainError) -> HttpResponse:
    headers: dict[str, str] = {}
    # A domain limiter (a walk-in or login throttle, say) may say how long to wait.
    wait = getattr(error, "retry_after", None)
    if error.status == 429 or wait is not None:
        headers["Retry-After"] = retry_after(wait)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="antre"'
    response = problem_response(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        headers=headers,
    )
    if not getattr(error, "replayable", True):
        # A 429 or a refused challenge is no answer to keep for an
        # Idempotency-Key: the same request may well succeed later.
        setattr(response, NOT_REPLAYABLE, True)
    return response


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's validation errors without pydantic's internals (``ctx``, ``url``),
    each ``msg`` in the request's language (``antre.api.field_messages``)."""
    return [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": field_message(error),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


def unauthenticated_response(request: HttpRequest) -> HttpResponse:
    # RFC 6750 §3.1: say "invalid_token" when a bearer token was sent but refused.
    presented = request.headers.get("Authorization", "").lower().startswith("bearer ")
    challenge = 'Bearer realm="antre"' + (', error="invalid_token"' if presented else "")
    return kind_response(UNAUTHENTICATED, headers={"WWW-Authenticate": challenge})


def internal_error_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """Log the error with its traceback and answer with a problem that shows none.

    ``got_request_exception`` is sent as Django's own handler does, so error
    reporters see the exception and the test client re-raises it (tests that
    want to look at the 500 use ``Client(raise_request_exception=False)``).
    Must be called while the exception is being handled."""
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=error)
    got_request_exception.send(sender=None, request=request)
    return kind_response(INTERNAL_ERROR)


def _on_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return domain_error_response(error)


def _on_validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    return kind_response(INVALID_INPUT, extra={"errors": field_errors(error.errors)})


def _on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if isinstance(error, AuthenticationError) or error.status_code == 401:
        return unauthenticated_response(request)
    if isinstance(error, AuthorizationError) or error.status_code == 403:
        return kind_response(FORBIDDEN)
    if isinstance(error, Throttled):
        return kind_response(RATE_LIMITED, headers={"Retry-After": retry_after(error.wait)})
    if error.status_code == 400:
        # Ninja raises HttpError(400) from whatever the parser raised: a
        # body sent as another media type (antre.api.parsing), or the JSON
        # decoding error of a bad body (RecursionError: nested too deep).
        if isinstance(error.__cause__, UnsupportedMediaType):
            response = kind_response(UNSUPPORTED_MEDIA_TYPE)
            # The same body sent again as JSON is a new request, not a retry.
            setattr(response, NOT_REPLAYABLE, True)
            return response
        if isinstance(error.__cause__, ValueError | RecursionError):
            return kind_response(INVALID_JSON)
        return kind_response(BAD_REQUEST, detail=str(error))
    kind = next((kind for kind in API_PROBLEMS.values() if kind.status == error.status_code), None)
    if kind is not None:
        return kind_response(kind)
    return problem_response(
        status=error.status_code, code=HTTP_ERROR.code, title=HTTP_ERROR.title, detail=str(error)
    )


def _on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return kind_response(NOT_FOUND, detail=_("Yang Anda cari tidak ada."))


def _on_permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return kind_response(FORBIDDEN)


def _on_payload_too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE (by its
    # Content-Length) when ninja asks for request.body: the operation never ran.
    return kind_response(PAYLOAD_TOO_LARGE)


def _on_unhandled(request: HttpRequest, error: Exception) -> HttpResponse:
    return internal_error_response(request, error)


def install_problem_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default error bodies with problem details.

    Handlers are looked up along the exception's MRO, so the most specific one wins."""
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (DomainError, _on_domain_error),
        (NinjaValidationError, _on_validation_error),
        (HttpError, _on_http_error),
        (Http404, _on_not_found),
        (PermissionDenied, _on_permission_denied),
        (RequestDataTooBig, _on_payload_too_large),
        (Exception, _on_unhandled),
    ]
    for error_class, handler in handlers:
        api.add_exception_handler(error_class, handler)


def known_problems() -> Iterator[ProblemKind]:
    """Every problem code the API can answer with: its own, and those of the
    domain errors loaded so far (services import their errors on start)."""
    yield from API_PROBLEMS.values()
    seen = set(API_PROBLEMS)
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        error_class = pending.pop()
        pending.extend(error_class.__subclasses__())
        if error_class.code in seen:
            continue
        seen.add(error_class.code)
        yield ProblemKind(
            error_class.code, error_class.status, error_class.title, error_class.default_detail
        )


ViewFunction = Callable[..., Any]


def problem_view(view: ViewFunction) -> ViewFunction:
    """Wrap a URL callback of the API so that what Django or ninja answer
    outside an operation is a problem too: the 404 of ninja's root view, the
    405 of a path that exists for other methods, and any error raised. HEAD
    is answered wherever GET is (RFC 9110 9.3.2): as the GET, without its
    body (event streams, async, answer 405 to it)."""

    def translate(response: Any) -> Any:
        if isinstance(response, HttpResponseNotAllowed):
            allowed = [method.strip() for method in response["Allow"].split(",")]
            if "GET" in allowed and "HEAD" not in allowed:
                allowed.append("HEAD")
            return kind_response(METHOD_NOT_ALLOWED, headers={"Allow": ", ".join(allowed)})
        return response

    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                response = await view(request, *args, **kwargs)
            except Http404:
                return kind_response(NOT_FOUND)
            except Exception as error:
                return internal_error_response(request, error)
            return translate(response)

        return async_wrapper

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = kind_response(NOT_FOUND)
        except Exception as error:
            response = internal_error_response(request, error)
        finally:
            if head:
                request.method = "HEAD"
        response = translate(response)
        return without_body(response) if head else response

    return wrapper


def without_body(response: Any) -> Any:
    """The answer to a HEAD: the GET's status and headers, its length
    included, and no body."""
    if response.streaming:
        response.streaming_content = []
        del response["Content-Length"]
        return response
    response["Content-Length"] = str(len(response.content))
    response.content = b""
    return response


@csrf_exempt
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The last pattern under /api/v1/: whatever else matched nothing.

    Exempt from Django's CSRF check, as ninja's own views are: it changes
    nothing, and an unsafe method must get the same 404 problem as GET, not
    Django's HTML refusal. Operations authenticated by a browser session
    check the CSRF token themselves (``antre.api.session``)."""
    return kind_response(NOT_FOUND)


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """The ``response=`` entries for an operation's error statuses: a 422 is a
    ``ValidationProblem`` (it may list field errors), every other one a ``Problem``."""
    return {status: ValidationProblem if status == 422 else Problem for status in statuses}
