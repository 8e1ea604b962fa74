"""Waking the event streams of every app server when a board event is written.

A board event is a row (``antre.onsite.models.BoardEvent``) written in the
transaction of the change it announces; the row is the truth, and a stream
always reads the rows after its last id. This module only says *when* to
read, so that a call made through one app server reaches a board connected
to another without every stream polling the table. ``ANTRE_EVENTS`` picks
the transport:

- ``postgres``: ``pg_notify`` in the transaction that writes the row, so
  PostgreSQL delivers it at commit and never for a rollback. Each server
  process keeps one ``LISTEN`` connection (psycopg, async) and wakes the
  streams of that site in its own process.
- ``redis``: ``PUBLISH`` after the commit; one subscriber per process.
- ``poll``: nothing is sent; streams read the table every half second (one
  server on SQLite).

One channel for the whole deployment, the site id in the payload: a process
then needs one ``LISTEN`` for its whole life, not one per site it happens to
serve, and the few events a second of a city cost nothing to filter.

A notification can be missed (the listener reconnecting, a Redis restart):
every stream reads again whenever the listener (re)connects, reads at least
every ``SAFETY_POLL_SECONDS`` anyway (antre/api/events.py), and polls at the
fast rate while the listener is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import weakref
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

POSTGRES_CHANNEL = "antre_board_events"
LISTENER_NAME = "antre-events-listener"
# A LISTEN connection that has heard nothing for this long runs a query, so
# that a silently dropped connection is noticed and replaced.
LISTENER_HEALTH_SECONDS = 30.0
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 10.0


def backend() -> str:
    value: str = settings.ANTRE_EVENTS
    return value


def redis_channel() -> str:
    """Redis pub/sub channels ignore the database number: the channel names
    the deployment's database, so that two deployments (or test runs) on one
    Redis do not wake each other."""
    return f"antre:{settings.DATABASES['default']['NAME']}:board-events"


def payload(site_id: int, event_id: int) -> str:
    return f"{site_id}:{event_id}"


def site_of(payload: str) -> int | None:
    head, _colon, _tail = payload.partition(":")
    return int(head) if head.isascii() and head.isdigit() else None


# --- sending ----------------------------------------------------------------------


def announce(*, site_id: int, event_id: int) -> None:
    """Tell every app server that the site has a new event. Called in the
    transaction that wrote the event."""
    kind = backend()
    if kind == "postgres":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_notify(%s, %s)", [POSTGRES_CHANNEL, payload(site_id, event_id)]
            )
    elif kind == "redis":
        message = payload(site_id, event_id)
        # After the commit (a stream must find the row), and robust: the change
        # is committed, so a Redis error must not turn its request into a 500.
        transaction.on_commit(lambda: _publish(message), robust=True)


@functools.cache
def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _publish(message: str) -> None:
    try:
        _redis_client(settings.REDIS_URL).publish(redis_channel(), message)
    except Exception as error:
        # The streams' safety poll delivers the event a few seconds late.
        logger.warning("Could not publish a board event to Redis: %r", error)


# --- receiving --------------------------------------------------------------------


def postgres_params() -> dict[str, Any]:
    """Django's connection parameters for a psycopg connection of our own
    (at call time: tests point Django at the test database first)."""
    params: dict[str, Any] = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    # Names the connection in pg_stat_activity.
    params["application_name"] = LISTENER_NAME
    return params


async def postgres_notifications() -> AsyncIterator[int | None]:
    """``None`` once listening, then the site id of each notification."""
    import psycopg

    listener = await psycopg.AsyncConnection.connect(autocommit=True, **postgres_params())
    try:
        await listener.execute(f"LISTEN {POSTGRES_CHANNEL}")
        yield None
        while True:
            async for notify in listener.notifies(timeout=LISTENER_HEALTH_SECONDS):
                site_id = site_of(notify.payload)
                if site_id is not None:
                    yield site_id
            await listener.execute("SELECT 1")
    finally:
        await listener.close()


async def redis_notifications() -> AsyncIterator[int | None]:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=5, health_check_interval=LISTENER_HEALTH_SECONDS
    )
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(redis_channel())
        yield None
        async for message in pubsub.listen():
            data = message.get("data")
            text = data.decode() if isinstance(data, bytes) else str(data)
            site_id = site_of(text)
            if site_id is not None:
                yield site_id
    finally:
        await pubsub.aclose()
        await client.aclose()


SOURCES = {"postgres": postgres_notifications, "redis": redis_notifications}


class Subscription:
    """One stream's interest in one site's events."""

    def __init__(self, hub: Hub, site_id: int) -> None:
        self.hub = hub
        self.site_id = site_id
        self.woken = asyncio.Event()

    @property
    def live(self) -> bool:
        """The listener is connected: a new event will wake this stream."""
        return self.hub.listening

    async def wait(self, timeout: float) -> bool:
        """Until woken or ``timeout`` seconds; whether woken. A wake-up that
        came before the call counts (``woken`` is cleared by the caller,
        before it reads the table)."""
        try:
            await asyncio.wait_for(self.woken.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Hub:
    """The listener of one process (of one event loop) and the streams it wakes."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.subscriptions: dict[int, set[Subscription]] = {}
        self.listening = False
        self.task: asyncio.Task[None] | None = None

    def subscribe(self, site_id: int) -> Subscription:
        subscription = Subscription(self, site_id)
        self.subscriptions.setdefault(site_id, set()).add(subscription)
        if self.task is None or self.task.done():
            # A context of its own: the listener outlives the request that
            # started it, and must not log under that request's id.
            self.task = asyncio.get_running_loop().create_task(
                self.run(), name=f"antre-events-{self.kind}", context=contextvars.Context()
            )
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        streams = self.subscriptions.get(subscription.site_id)
        if streams is not None:
            streams.discard(subscription)
            if not streams:
                del self.subscriptions[subscription.site_id]
        if not self.subscriptions and self.task is not None:
            # No stream left in this process: give the connection back.
            self.task.cancel()
            self.task = None
            self.listening = False

    def wake(self, site_id: int) -> None:
        for subscription in self.subscriptions.get(site_id, ()):
            subscription.woken.set()

    def wake_all(self) -> None:
        for streams in self.subscriptions.values():
            for subscription in streams:
                subscription.woken.set()

    async def run(self) -> None:
        delay = RECONNECT_FIRST_SECONDS
        while True:
            try:
                async for site_id in SOURCES[self.kind]():
                    if site_id is None:
                        # A listener being cancelled must not speak for its successor.
                        self.listening = self.task is asyncio.current_task()
                        delay = RECONNECT_FIRST_SECONDS
                        # Whatever landed while we were not listening.
                        self.wake_all()
                    else:
                        self.wake(site_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning(
                    "Board event listener (%s) lost; reconnecting in %.1f s: %r",
                    self.kind,
                    delay,
                    error,
                )
            finally:
                if self.task is asyncio.current_task():
                    self.listening = False
            # Streams poll the table until the listener is back.
            self.wake_all()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Hub]] = (
    weakref.WeakKeyDictionary()
)


def hub() -> Hub | None:
    """This event loop's hub, ``None`` when streams poll."""
    kind = backend()
    if kind not in SOURCES:
        return None
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    if kind not in hubs:
        hubs[kind] = Hub(kind)
    return hubs[kind]


@contextlib.asynccontextmanager
async def subscription(site_id: int) -> AsyncIterator[Subscription | None]:
    """A stream's wake-ups for the site, for the stream's whole life (so that
    no notification falls between two waits); ``None`` when streams poll."""
    current = hub()
    if current is None:
        yield None
        return
    subscribed = current.subscribe(site_id)
    try:
        yield subscribed
    finally:
        current.unsubscribe(subscribed)
