"""An ASGI live server for tests (uvicorn in a thread), and a small client of
server-sent event streams.

pytest-django's ``live_server`` is a WSGI server, which cannot stream: an
event stream would be buffered until it ends. This one serves
``config.asgi:application`` with uvicorn on a free port of the loopback, in a
thread of the test process, so it shares the frozen clock and, under
``transactional_db``, sees what the test committed.

The listening socket is bound here and handed to uvicorn, so there is no
window in which another process could take the port. Database connections
that the server's threads open are closed when it stops (PostgreSQL refuses
to drop a test database that still has sessions).
"""

from __future__ import annotations

import http.client
import importlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import uvicorn
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

LOOPBACK = "127.0.0.1"
DEFAULT_APPLICATION = "config.asgi:application"


def load_application(path: str) -> Any:
    module_name, _colon, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


class AsgiLiveServer:
    """``with AsgiLiveServer() as server: server.url`` -> ``http://127.0.0.1:PORT``."""

    def __init__(self, application: str = DEFAULT_APPLICATION, *, host: str = LOOPBACK) -> None:
        self.application = application
        self.host = host
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._opened: list[BaseDatabaseWrapper] = []
        self._owner = threading.get_ident()

    def _track(self, sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
        if threading.get_ident() != self._owner:
            self._opened.append(connection)

    def _close_connections(self) -> None:
        """Close what the server's threads opened; they have all ended by now."""
        for wrapper in self._opened:
            wrapper.inc_thread_sharing()
            try:
                wrapper.close()
            finally:
                wrapper.dec_thread_sharing()
        self._opened.clear()

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("The server is not running.")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._owner = threading.get_ident()
        connection_created.connect(self._track, weak=False)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        self._socket = listener
        config = uvicorn.Config(
            load_application(self.application),
            lifespan="off",
            log_level="warning",
            access_log=False,
            # Open event streams must not hold the test up at the end.
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name="asgi-live-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start serving {self.application}")
            time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        connection_created.disconnect(self._track)
        self._close_connections()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass
class ServerSentEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class EventStreamParser:
    """The event stream format of the HTML standard, line by line (enough for
    tests: one event type per block, UTF-8). ``feed(line)`` returns the event
    that a blank line completes; comments go to ``comments``, ``retry:`` to
    ``retry``, and the last ``id:`` seen to ``last_event_id``."""

    def __init__(self) -> None:
        self.retry: int | None = None
        self.comments: list[str] = []
        self.last_event_id: str | None = None
        self._reset()

    def _reset(self) -> None:
        self._event = ServerSentEvent()
        self._data: list[str] = []

    def feed(self, line: str) -> ServerSentEvent | None:
        if line == "":
            event, data = self._event, self._data
            self._reset()
            if not data:
                return None
            event.data = "\n".join(data)
            return event
        if line.startswith(":"):
            self.comments.append(line[1:].strip())
            return None
        name, _colon, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event.event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            self._event.id = self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self.retry = int(value)
        return None


def parse_event_stream(text: str) -> tuple[EventStreamParser, list[ServerSentEvent]]:
    """A whole event stream (a body read to its end) as its events."""
    parser = EventStreamParser()
    events = [event for line in text.splitlines() if (event := parser.feed(line)) is not None]
    return parser, events


class EventStreamClient:
    """A blocking reader of one ``text/event-stream`` response over HTTP/1.1.

    ``next_event(timeout)`` returns the next event (comments and ``retry:``
    are kept on ``parser``); it raises ``TimeoutError`` when none arrives in
    time and ``EOFError`` when the server ended the stream."""

    def __init__(
        self, url: str, path: str, *, headers: dict[str, str] | None = None, timeout: float = 5.0
    ) -> None:
        host_port = url.split("://", 1)[1]
        host, _colon, port = host_port.partition(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
        self.connection.request(
            "GET", path, headers={"Accept": "text/event-stream", **(headers or {})}
        )
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.parser = EventStreamParser()

    def next_event(self, timeout: float = 5.0) -> ServerSentEvent:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("No event in time.")
            sock = self.connection.sock
            if sock is not None:
                sock.settimeout(left)
            try:
                raw = self.response.readline()
            except TimeoutError:
                raise TimeoutError("No event in time.") from None
            if not raw:
                raise EOFError("The stream ended.")
            event = self.parser.feed(raw.decode().rstrip("\r\n"))
            if event is not None:
                return event

    def until(self, kind: str, timeout: float = 5.0) -> ServerSentEvent:
        """The next event of ``kind``, skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"No {kind} event in time.")
            event = self.next_event(left)
            if event.event == kind:
                return event

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_event_stream(
    base_url: str, path: str, *, headers: dict[str, str] | None = None, timeout: float = 5.0
) -> EventStreamClient:
    return EventStreamClient(base_url, path, headers=headers, timeout=timeout)
