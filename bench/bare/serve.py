"""``python -m bench.bare.serve --interface asgi|wsgi --workers N --threads N --port P``.

Serves the bare project with the same granian arguments as ``antre serve``
(antre/core/management/commands/serve.py): for ASGI the a2wsgi thread pool
inside the app and no blocking threads, for WSGI N blocking threads; the same
backlog.
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--interface", choices=["asgi", "wsgi"], default="asgi")
    options = parser.parse_args()
    os.environ["ANTRE_WEB_THREADS"] = str(options.threads)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare.settings")

    from granian.constants import Interfaces
    from granian.server import Server

    if options.interface == "wsgi":
        target, interface, blocking = (
            "bench.bare.wsgi:application",
            Interfaces.WSGI,
            options.threads,
        )
    else:
        target, interface, blocking = "bench.bare.asgi:application", Interfaces.ASGI, None
    Server(
        target,
        address=options.host,
        port=options.port,
        interface=interface,
        workers=options.workers,
        blocking_threads=blocking,
        backlog=2048,
    ).serve()


if __name__ == "__main__":
    main()
