"""A small API built like the real one, for tests that need an operation
which fails in a given way (``@pytest.mark.urls("antre.api.tests.urls")``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import path
from ninja import Schema, Status
from ninja.throttling import AnonRateThrottle

from antre.api.app import AntreAPI
from antre.api.auth import bearer_auth
from antre.api.problems import problems
from antre.core.errors import Conflict


class SlotFull(Conflict):
    code = "slot_full"
    title = "Slot penuh"
    default_detail = "Slot ini sudah penuh."


class Echo(Schema):
    slot_id: int


api = AntreAPI(title="test", version="test", urls_namespace="api")


@api.get("/conflict", response={200: None, **problems(409, 422)})
def conflict(request: HttpRequest) -> None:
    raise SlotFull()


@api.get("/boom", response={200: None, **problems(422)})
def boom(request: HttpRequest) -> None:
    raise RuntimeError("secret internals /home/antre/settings.py")


@api.get("/forbidden", response={200: None, **problems(403, 422)})
def forbidden(request: HttpRequest) -> None:
    raise PermissionDenied


@api.post("/echo", response={200: Echo, **problems(400, 422)})
def echo(request: HttpRequest, payload: Echo) -> Echo:
    return payload


@api.get("/throttled", throttle=AnonRateThrottle("1/m"), response={200: None, **problems(429)})
def throttled(request: HttpRequest) -> None:
    return None


class Note(Schema):
    text: str


@api.post("/notes", auth=bearer_auth, response={201: dict[str, int], **problems(401, 409, 422)})
def create_note(request: HttpRequest, payload: Note) -> Status[dict[str, int]]:
    """Creates an audit row per call: something countable for idempotency tests."""
    from antre.core.audit import record_event

    if payload.text == "conflict":
        raise SlotFull()
    if payload.text == "boom":
        raise RuntimeError("boom")
    event = record_event(action="test.note", actor=request.auth, data={"text": payload.text})  # type: ignore[arg-type]
    return Status(201, {"id": event.pk})


@api.get("/whoami", auth=bearer_auth, response={200: dict[str, str], **problems(401, 422)})
def whoami(request: HttpRequest) -> dict[str, str]:
    return {"username": request.auth.username}  # type: ignore[attr-defined]


urlpatterns = [path("api/v1/", api.urls)]
