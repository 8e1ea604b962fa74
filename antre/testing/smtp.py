"""A real SMTP server on the loopback for tests, built on aiosmtpd.

Django's locmem backend proves that a message was handed to a backend; this
server proves it went over the wire as SMTP and lets a test take the server
away and bring it back on the same port ("SMTP down for an hour, then back"),
which is what the outbox's retries must survive.

The port is picked once, when the server is made, by binding a socket to port
0 and closing it: aiosmtpd's ``Controller`` cannot be given port 0 (it would
then try to connect to port 0 to check that it started).
"""

from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that nothing listens on right now.

    Another process could take it before we bind it again; on a test machine
    that window is small enough to accept.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class ReceivedMail:
    """One SMTP transaction: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class _CollectingHandler:
    """The aiosmtpd handler: parse each message and hand it to the server."""

    def __init__(self, server: SMTPTestServer) -> None:
        self._server = server

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        message = email.message_from_bytes(content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self._server._record(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
            )
        )
        return "250 Message accepted for delivery"


class SMTPTestServer:
    """An SMTP server on ``host:port`` that keeps every message it accepts.

    ``stop()`` and ``start()`` may be called any number of times; the port
    stays the same, so a client configured once reaches the server again after
    a restart. Received messages are kept across restarts until ``clear()``.
    Safe to read from the test thread while the server thread receives.
    """

    def __init__(self, host: str = LOOPBACK, port: int | None = None) -> None:
        self.host = host
        self.port = port if port is not None else free_port(host)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._received: list[ReceivedMail] = []
        self._controller: Controller | None = None

    def __enter__(self) -> SMTPTestServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.is_running:
            self.stop()

    @property
    def is_running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError(f"The SMTP test server on port {self.port} is already running.")
        # Right after stop() the port may still be held by the old listening
        # socket for a moment; retrying briefly is enough. A controller that
        # failed to start cannot be started again, hence a new one each time.
        deadline = time.monotonic() + 5
        while True:
            controller = Controller(
                _CollectingHandler(self),
                hostname=self.host,
                port=self.port,
                ready_timeout=10,
                # Keep the raw bytes: the test checks what the client really sent.
                decode_data=False,
            )
            try:
                controller.start()
                break
            except OSError:
                controller.stop(no_assert=True)
                controller.loop.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._controller = controller

    def stop(self) -> None:
        """Stop listening: clients now get "connection refused" on this port."""
        if self._controller is None:
            raise RuntimeError(f"The SMTP test server on port {self.port} is not running.")
        self._controller.stop()
        self._controller = None

    def _record(self, mail: ReceivedMail) -> None:
        with self._arrived:
            self._received.append(mail)
            self._arrived.notify_all()

    @property
    def received(self) -> list[ReceivedMail]:
        """A copy of what arrived so far, envelopes included, oldest first."""
        with self._lock:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        """A copy of the messages that arrived so far, oldest first."""
        return [mail.message for mail in self.received]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until at least ``count`` messages arrived; raise ``TimeoutError``
        after ``timeout`` seconds. Returns the messages, oldest first."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._received) >= count, timeout):
                raise TimeoutError(
                    f"{len(self._received)} of {count} expected e-mails arrived within {timeout} s."
                )
            return [mail.message for mail in self._received]

    def mailer_settings(self) -> dict[str, Any]:
        """Django's ``MAILERS["default"]`` pointing at this server."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": self.host, "port": self.port, "timeout": 5},
        }
