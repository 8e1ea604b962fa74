"""The bare ceiling behind ASGI as antre's ``config/asgi.py`` serves
request/response: Django's WSGI app on a bounded a2wsgi thread pool.

One difference: a2wsgi hands ``receive()`` to ``run_coroutine_threadsafe``,
which takes only coroutines, and granian's ``receive`` returns another kind
of awaitable, so reading a request body fails with "A coroutine object is
required" (every POST with a body is a 500). Wrapping ``receive`` in a
coroutine function fixes it.
"""

import os
from typing import Any

from a2wsgi import WSGIMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare.settings")

from bench.bare.wsgi import application as wsgi_application

threaded_wsgi = WSGIMiddleware(
    wsgi_application,  # type: ignore[arg-type]
    workers=int(os.environ.get("ANTRE_WEB_THREADS", "4")),
)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    async def receive_coroutine() -> Any:
        return await receive()

    await threaded_wsgi(scope, receive_coroutine, send)  # type: ignore[arg-type]
