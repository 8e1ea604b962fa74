"""The ``antre`` command: Django's management entry point, like manage.py."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["antre", *sys.argv[1:]])


if __name__ == "__main__":
    main()
