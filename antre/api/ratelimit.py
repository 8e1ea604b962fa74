"""Rate limits and the optional proof-of-work challenge on API operations.

Decorators that go right under ``@router.get``/``@router.post`` (so they
run after authentication and input validation). A limit that is reached
raises ``RateLimited``, which the problem handlers answer with 429
``rate_limited`` and ``Retry-After`` (``antre.api.problems``). Keys and rates:
``antre.core.ratelimits`` and docs/security.md.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from antre.core.challenge import verify_solution
from antre.core.ratelimits import Guard, Limit, integrator_quota, record_failed_lookup

# The header carrying a solved challenge when ANTRE_API_CHALLENGE is on.
CHALLENGE_HEADER = "Altcha"

Operation = Callable[..., Any]


def _wraps(operation: Operation, wrapper: Operation) -> Operation:
    """functools.wraps, with the signature evaluated where the operation was
    written: ninja would resolve its string annotations in this module, which
    does not know the operation's schemas."""
    functools.update_wrapper(wrapper, operation)
    wrapper.__signature__ = inspect.signature(operation, eval_str=True)  # type: ignore[attr-defined]
    return wrapper


AccountOf = Callable[[HttpRequest, Mapping[str, Any]], object]


def payload_field(name: str) -> AccountOf:
    """The account key is a field of the JSON body (e.g. the e-mail address)."""

    def account(request: HttpRequest, arguments: Mapping[str, Any]) -> object:
        payload = arguments.get("payload")
        return getattr(payload, name, None)

    return account


def caller_account(request: HttpRequest, arguments: Mapping[str, Any]) -> object:
    """The account key is the authenticated caller."""
    user = getattr(request, "auth", None)
    return getattr(user, "pk", None)


def limit_operation(
    *limits: Limit,
    account: AccountOf | None = None,
    failures: tuple[type[Exception], ...] = (),
    lookup: str = "",
    looked_up: Callable[[Mapping[str, Any]], str] | None = None,
) -> Callable[[Operation], Operation]:
    """Count the operation against ``limits``. An exception of ``failures``
    raised by it is a refused attempt: counted against the limits with
    ``failures=True`` and, with ``lookup``, audited as a failed lookup of
    ``looked_up(arguments)``."""

    def decorate(operation: Operation) -> Operation:
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            guard = Guard(request, limits, account=account(request, kwargs) if account else None)
            guard.check()
            try:
                return operation(request, *args, **kwargs)
            except failures:
                guard.failed()
                if lookup:
                    value = looked_up(kwargs) if looked_up is not None else ""
                    record_failed_lookup(request, kind=lookup, value=value)
                raise

        return _wraps(operation, wrapper)

    return decorate


def challenge_required(operation: Operation) -> Operation:
    """With ``ANTRE_API_CHALLENGE`` on, require a solved challenge in the
    ``Altcha`` header, except from an integrator token (one with its own
    quota). Off by default: API.md's callers do not send one."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if settings.ANTRE_API_CHALLENGE and integrator_quota(request) is None:
            verify_solution(request.headers.get(CHALLENGE_HEADER, ""))
        return operation(request, *args, **kwargs)

    return _wraps(operation, wrapper)
