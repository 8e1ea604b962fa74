"""The default mailer of a one-machine install (no EMAIL_URL): every message
is written as an ``.eml`` file under the data dir, which any mail program
opens, and summed up on the console with its plain-text body so a person
trying ``make run`` can read the booking code and follow the links."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from antre.core import clock


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *, file_path: str, echo: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = Path(file_path)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.echo = echo

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            mime = message.message()
            message_id = str(mime.get("Message-ID", "")).strip("<>").split("@", 1)[0]
            stamp = clock.now().strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{message_id or sent}.eml"
            path.write_bytes(mime.as_bytes())
            if self.echo:
                self._echo(message, path)
            sent += 1
        return sent

    def _echo(self, message: EmailMessage, path: Path) -> None:
        from antre.accounts.privacy import mask_email

        # The address masked, as in the logs (the whole message is in the file).
        recipients = ", ".join(mask_email(address) for address in message.to)
        lines = [
            "-" * 72,
            f"E-mail to {recipients}: {message.subject}",
            f"(saved as {path})",
            "",
            str(message.body).strip(),
            "-" * 72,
        ]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
