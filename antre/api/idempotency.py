"""``Idempotency-Key`` on API POSTs: the same key from the same caller within
24 h returns the first response and creates nothing new (API.md).

A key already answered is replayed before any transaction starts (a plain
read). Otherwise the request runs inside one transaction together with the
record of its answer, so they commit or roll back together. An operation on the
hot path may instead write the record itself, inside the service's own shorter
transaction (``answers_in_own_transaction``, ``PendingAnswer``): its reads,
parsing and rendering then run outside the write transaction, which on SQLite
is the database's one write lock, and the key is looked up only when neither
the operation's answer nor its refusal could be recorded with it (a retry is
refused, or finds the key taken, and then gets the first answer). Either way: a
retry after a lost response finds the record and gets the first answer
replayed; a retry after a crash finds nothing and runs anew. Two concurrent
requests with one key may both start; the later one's INSERT of the record
waits on the unique index until the earlier commits, fails, and rolls back all
it did before replaying the earlier answer. 5xx answers are not recorded (the
client should retry), 4xx are (the first answer is the answer). Keys are per
authenticated caller. Anonymous requests are replayed only by the operations
that ask for it (``answers_anonymous``: registration, whose retry after a
lost answer would otherwise meet its own account as 409 ``email_taken``);
their keys are one namespace, and a replay needs the same body, which holds
everything the first answer says. A record older than 24 h counts as absent;
an hourly job deletes them (``antre.core.jobs``).

"The same request" is the same method, path and body, a JSON body compared
in its canonical form (``fingerprint``): a retry that writes the same JSON
with other whitespace or key order is the same request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from antre.accounts.models import User
from antre.api.auth import bearer_user
from antre.api.parsing import canonical_json, parse_json_body
from antre.api.problems import (
    IDEMPOTENCY_KEY_REUSED,
    INVALID_IDEMPOTENCY_KEY,
    PAYLOAD_TOO_LARGE,
    kind_response,
)
from antre.api.rendering import no_content
from antre.core import clock, rows
from antre.core.models import IdempotencyRecord
from antre.core.ratelimits import NOT_REPLAYABLE

RETENTION = IdempotencyRecord.RETENTION
MAX_KEY_LENGTH = 200
REPLAY_HEADER = "Idempotent-Replayed"


# The record of a key's first answer: on the path of every booking (antre.core.rows).
_ANSWER = rows.Prepared(
    lambda user_id, key: IdempotencyRecord.objects.filter(user_id=user_id, key=key).order_by("pk")[
        :1
    ]
)

# (method, path) of the operations that record their answer themselves.
_OWN_TRANSACTION: set[tuple[str, str]] = set()
# (method, path) of the operations whose anonymous requests keep their key.
_ANONYMOUS: set[tuple[str, str]] = set()


def openapi_header(*, replayed: str = "changes nothing again", note: str = "") -> dict[str, object]:
    """The ``openapi_extra`` of a POST that creates something: the header this
    middleware reads, what a replay does (``replayed``: "issues no second
    ticket") and any ``note`` on when it applies. A fresh dict each time:
    ninja merges it into the operation's own, lists included."""
    description = (
        "Any printable ASCII string chosen by the client, e.g. a UUID. The same key from the "
        "same caller within 24 h answers with the first response (with "
        f"`Idempotent-Replayed: true`) and {replayed}; the same key with another request is "
        "422 `idempotency_key_reused`. The same JSON written otherwise (spaces, key order) is "
        "the same request."
    )
    return {
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
                "description": f"{description} {note}".strip(),
            }
        ]
    }


def answers_in_own_transaction(method: str, path: str) -> None:
    """Declare that the operation at ``method`` ``path`` writes the record of
    its successful answer inside its own transaction with
    ``pending_answer(request).recorder(request, response)``. Its refusals (4xx) are
    recorded afterwards by the middleware, in a transaction of their own:
    a refusal changed nothing that the record would need to commit with."""
    _OWN_TRANSACTION.add((method, path))


def answers_anonymous(method: str, path: str) -> None:
    """Declare that the operation at ``method`` ``path`` keeps the
    Idempotency-Key of a request without a token too. Only for an operation
    whose answer holds nothing the request's body does not (no secret, no
    one else's data): a replay goes to whoever sends the same key and body."""
    _ANONYMOUS.add((method, path))


class KeyTaken(Exception):
    """A concurrent request with the same key recorded its answer first."""


@dataclass
class PendingAnswer:
    """The record an operation that answers in its own transaction writes."""

    user: User
    key: str
    fingerprint: str
    recorded: bool = False
    taken: bool = False

    def recorder(self, request: HttpRequest, response: HttpResponse) -> Callable[[], None]:
        """The record of ``response``, its values converted now; call what
        this returns inside the transaction of what the request created, to
        write it. That raises KeyTaken: let it roll the transaction back and
        answer ``taken_response()``; the middleware then replays the
        winner's answer."""
        row = _record_row(request, self.user, self.key, self.fingerprint, response)

        def write() -> None:
            # No savepoint: a taken key ends the caller's transaction anyway.
            try:
                row.run()
            except IntegrityError:
                self.taken = True
                raise KeyTaken() from None
            self.recorded = True

        return write


def taken_response() -> HttpResponse:
    """What an operation answers after KeyTaken; the middleware replaces it."""
    return HttpResponse(status=409)


def pending_answer(request: HttpRequest) -> PendingAnswer | None:
    """The record this request's operation should write, if any."""
    return getattr(request, "_pending_answer", None)


def _answered(user: User | None, key: str) -> tuple[IdempotencyRecord | None, int | None]:
    """The fresh record of ``key``'s first answer (``user`` None: an
    anonymous one), or ``None`` and the id of an expired one (it counts as
    absent, and is deleted before the key is used again)."""
    found = (
        _ANSWER.instances(user.pk, key)
        if user is not None
        else list(IdempotencyRecord.objects.filter(user=None, key=key).order_by("pk")[:1])
    )
    if not found:
        return None, None
    record = cast(IdempotencyRecord, found[0])
    if record.created_at >= clock.now() - RETENTION:
        return record, None
    return None, record.pk


def _delete(record_id: int | None) -> None:
    if record_id is not None:
        IdempotencyRecord.objects.filter(pk=record_id).delete()


def _record_row(
    request: HttpRequest,
    user: User | None,
    key: str,
    request_fingerprint: str,
    response: HttpResponse,
) -> rows.Insert[IdempotencyRecord]:
    return rows.Insert(
        IdempotencyRecord(
            user=user,
            key=key,
            method=request.method or "",
            path=request.path[:500],
            fingerprint=request_fingerprint,
            status_code=response.status_code,
            # Empty for an answer without one (a 204).
            content_type=response.get("Content-Type", ""),
            body=response.content,
        )
    )


def _insert(
    request: HttpRequest,
    user: User | None,
    key: str,
    request_fingerprint: str,
    response: HttpResponse,
) -> None:
    _record_row(request, user, key, request_fingerprint, response).run()


def _replayable(response: HttpResponse) -> bool:
    return not (
        response.status_code >= 500
        or response.streaming
        or getattr(response, NOT_REPLAYABLE, False)
    )


class _Abandon(Exception):
    """Leave the transaction, rolling back what the request did."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _digest(request: HttpRequest, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in ((request.method or "").encode(), request.path.encode(), body):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the method, the path and the body: of a JSON body its
    canonical form (``canonical_json``), so that the same JSON sent again
    with other whitespace, key order or escapes is the same request; of any
    other body its bytes. The parsed body is kept for the operation
    (``antre.api.parsing``): a request's body is parsed once. Raises
    ``RequestDataTooBig`` for a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    is_json, value = parse_json_body(request)
    canonical = canonical_json(value) if is_json else None
    return _digest(request, canonical if canonical is not None else request.body)


def _same_request(
    record: IdempotencyRecord, request: HttpRequest, request_fingerprint: str
) -> bool:
    if record.fingerprint == request_fingerprint:
        return True
    # Records written before fingerprints took a JSON body in its canonical
    # form (kept 24 h at most) hold the digest of its raw bytes. The same
    # bytes are the same request, so that digest counts too: computed only
    # on a mismatch, it matches only a body equal to the first one anyway.
    return record.fingerprint == _digest(request, request.body)


def replay(
    record: IdempotencyRecord, request: HttpRequest, request_fingerprint: str
) -> HttpResponse:
    if not _same_request(record, request, request_fingerprint):
        return kind_response(IDEMPOTENCY_KEY_REUSED)
    if record.status_code == 204:
        # No content, so no Content-Type (records before this kept a default one).
        response = no_content()
    else:
        response = HttpResponse(
            bytes(record.body), status=record.status_code, content_type=record.content_type
        )
    response[REPLAY_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key", "")
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            return kind_response(INVALID_IDEMPOTENCY_KEY)
        user = bearer_user(request)
        if user is None and (request.method, request.path) not in _ANONYMOUS:
            return self.get_response(request)
        try:
            request_fingerprint = fingerprint(request)
        except RequestDataTooBig:
            # As the operation would answer (antre.api.problems); nothing is recorded.
            return kind_response(PAYLOAD_TOO_LARGE)
        if user is not None and (request.method, request.path) in _OWN_TRANSACTION:
            return self.answer_in_own_transaction(request, user, key, request_fingerprint)
        answered, expired_id = _answered(user, key)
        if answered is not None:
            return replay(answered, request, request_fingerprint)
        try:
            with transaction.atomic():
                _delete(expired_id)  # expired: the key is free again
                response = self.get_response(request)
                if not _replayable(response):
                    raise _Abandon(response)
                try:
                    with transaction.atomic():
                        _insert(request, user, key, request_fingerprint, response)
                except IntegrityError:
                    raise _Abandon(HttpResponse(status=409)) from None
                return response
        except _Abandon as abandoned:
            if abandoned.response.status_code != 409 or abandoned.response.content:
                return abandoned.response
        return self.replay_winner(request, user, key, request_fingerprint)

    def answer_in_own_transaction(
        self, request: HttpRequest, user: User, key: str, request_fingerprint: str
    ) -> HttpResponse:
        # The key is looked up only when the operation did not record a new
        # answer with it and its refusal cannot be recorded either: a first
        # request (the many) runs no lookup; a retry runs the operation,
        # which refuses or finds the key taken, and gets the first answer
        # replayed.
        pending = PendingAnswer(user, key, request_fingerprint)
        request._pending_answer = pending  # type: ignore[attr-defined]
        response = self.get_response(request)
        if pending.recorded:
            return response
        if not pending.taken and _replayable(response):
            # A refusal (in a rush, the many late requests for a full slot):
            # its record written at once; the key looked up only when taken.
            try:
                with transaction.atomic():
                    _insert(request, user, key, request_fingerprint, response)
                return response
            except IntegrityError:
                pass
        answered, expired_id = _answered(user, key)
        if answered is not None:
            return replay(answered, request, request_fingerprint)
        if pending.taken:
            # Taken only by an expired record, rolled back with the rest: the
            # key is free again; the operation runs once more without it.
            _delete(expired_id)
            return self.answer_in_own_transaction(request, user, key, request_fingerprint)
        if not _replayable(response):
            return response
        try:
            with transaction.atomic():
                _delete(expired_id)
                _insert(request, user, key, request_fingerprint, response)
        except IntegrityError:
            return self.replay_winner(request, user, key, request_fingerprint)
        return response

    @staticmethod
    def replay_winner(
        request: HttpRequest, user: User | None, key: str, request_fingerprint: str
    ) -> HttpResponse:
        """A concurrent request with this key committed first: answer as it did."""
        winner = IdempotencyRecord.objects.get(user=user, key=key)
        return replay(winner, request, request_fingerprint)
