"""A fake WhatsApp/SMS gateway on the loopback, speaking the request shape of
``antre.notifications.transports`` (form POST, ``Authorization: <token>``,
``Idempotency-Key``) and answering like Fonnte/Wablas (``{"status": true}``).

It can be taken down and brought back on the same port, made to answer with
errors, or made to accept a message and then answer too late (the sender's
timeout), which is when only the idempotency key keeps a retry from sending
the message twice. ``delivered`` holds each message once per key, as a real
gateway that de-duplicates would hand it to the phone.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from antre.testing.smtp import LOOPBACK, free_port


@dataclass
class GatewayRequest:
    authorization: str
    idempotency_key: str
    form: dict[str, str]


@dataclass
class FakeGateway:
    token: str = "rahasia-gateway"  # noqa: S105 (a fake gateway's test token)
    port: int = field(default_factory=free_port)
    requests: list[GatewayRequest] = field(default_factory=list)
    delivered: dict[str, GatewayRequest] = field(default_factory=dict)
    fail_next: int = 0
    """Answer this many requests with 503 (not delivered)."""
    refuse_next: int = 0
    """Answer this many with 200 and ``{"status": false}`` (device offline)."""
    slow_next: int = 0
    """Accept this many, but answer only after ``slow_seconds``."""
    slow_seconds: float = 3.0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/send"

    def start(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                gateway.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer((LOOPBACK, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGateway:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        form = {
            key: values[0] for key, values in parse_qs(handler.rfile.read(length).decode()).items()
        }
        request = GatewayRequest(
            authorization=handler.headers.get("Authorization", ""),
            idempotency_key=handler.headers.get("Idempotency-Key", ""),
            form=form,
        )
        with self._lock:
            self.requests.append(request)
            if request.authorization != self.token:
                status, answer, delay = 401, {"status": False, "reason": "invalid token"}, 0.0
            elif self.fail_next:
                self.fail_next -= 1
                status, answer, delay = 503, {"status": False, "reason": "busy"}, 0.0
            elif self.refuse_next:
                self.refuse_next -= 1
                status, answer, delay = 200, {"status": False, "reason": "device offline"}, 0.0
            else:
                self.delivered.setdefault(request.idempotency_key, request)
                status, answer, delay = 200, {"status": True, "detail": "success"}, 0.0
                if self.slow_next:
                    self.slow_next -= 1
                    delay = self.slow_seconds
        if delay:
            time.sleep(delay)
        body = json.dumps(answer).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting
