"""``antre token create --user USERNAME [--name NAME] [--expires-days N]``.

Makes an API bearer token for a staff account or a device (kiosk, board,
counter) and prints it once, as the last word of the output, so that a script
can take it with ``| awk '{print $NF}'``. Only its digest is stored.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from antre.accounts.models import User
from antre.accounts.tokens import create_api_token
from antre.core import clock


class Command(BaseCommand):
    help = "Manage API bearer tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Make a token and print it once.")
        create.add_argument("--user", required=True, help="Username of the token's owner.")
        create.add_argument("--name", default="", help="What the token is for (e.g. 'kiosk 1').")
        create.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="Days until the token expires (default: never, until revoked).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self.create(
                username=options["user"], name=options["name"], days=options["expires_days"]
            )

    def create(self, *, username: str, name: str, days: int | None) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        expires_at = clock.now() + dt.timedelta(days=days) if days is not None else None
        token, raw = create_api_token(user=user, name=name or "cli", expires_at=expires_at)
        expiry = f"expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "never expires"
        self.stdout.write(
            f"Token {token.prefix}… for {user.username} ({expiry}). "
            f"It is shown only this once; store it now:\n{raw}"
        )
