"""The ASGI entry point: one server for request/response and event streams.

Event streams (``text/event-stream``: the board and live ticket pages) are
served by Django's ASGI handler, where an async generator holds a connection
for minutes without holding a thread. Every other request goes to Django's
WSGI application on a bounded thread pool (a2wsgi): Django's own ASGI handler
runs sync views one at a time per process (``thread_sensitive``), which
../shared/STACK.md measured at 0.36-0.50x of WSGI threads.
"""

from __future__ import annotations

import os
import re
from typing import Any

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_asgi = get_asgi_application()

from django.conf import settings  # noqa: E402 - after Django is set up

EVENT_STREAM_PATH = re.compile(r"^/api/v1/(sites/[^/]+|tickets/[^/]+)/events/?$")

from antre.ops.wsgi import get_application  # noqa: E402 - after Django is set up

threaded_wsgi = WSGIMiddleware(
    get_application(),  # type: ignore[arg-type]  # django-stubs types the WSGI return loosely
    workers=settings.WEB_THREADS,
)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and not EVENT_STREAM_PATH.match(scope.get("path", "")):
        # a2wsgi hands ``receive()`` to ``asyncio.run_coroutine_threadsafe``,
        # which takes only coroutines; granian's ``receive`` returns an
        # awaitable that is not one, so every request body would fail to read.
        async def receive_coroutine() -> Any:
            return await receive()

        await threaded_wsgi(scope, receive_coroutine, send)  # type: ignore[arg-type]
    else:
        await django_asgi(scope, receive, send)
