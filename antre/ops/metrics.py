"""The Prometheus metrics antre counts as it runs, all named ``antre_…``.

Counters and histograms live here; gauges that describe the state of the
database (queue lengths, outbox backlog, job lag) are computed when
``/metrics`` is scraped (antre.ops.collectors).

Under ``antre serve`` several worker processes count: ``PROMETHEUS_MULTIPROC_DIR``
is set before any of them starts (see ``serve``), and then prometheus-client
keeps each process's values in a file there, which a scrape adds up. The
variable must be set before this module is first imported: a metric made
before keeps its values in one process's memory.

Counting is a few dictionary operations; the functions below never raise, so
a service may call them on its hot path.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "antre_http_requests",
    "HTTP requests answered, by route name, method and status code.",
    ("route", "method", "status"),
)
HTTP_REQUEST_DURATION = Histogram(
    "antre_http_request_duration_seconds",
    "Time from the first middleware to the response, by route name, method and status code.",
    ("route", "method", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Counted by site id, which the row at hand always has: no query on the hot
# path. /metrics names the site by its slug (antre.ops.collectors.SiteNames).
BOOKINGS_CREATED = Counter("antre_bookings_created", "Bookings created, by site.", ("site_id",))
TICKETS_ISSUED = Counter("antre_tickets_issued", "Queue tickets issued, by site.", ("site_id",))
TICKETS_CALLED = Counter(
    "antre_tickets_called", "Queue tickets called to a counter, by site.", ("site_id",)
)


def _increment(counter: Counter, site_id: int | None) -> None:
    try:
        counter.labels(site_id=str(site_id or "")).inc()
    except Exception:
        logger.exception("counting %s failed", counter._name)


def count_booking_created(*, site_id: int | None) -> None:
    _increment(BOOKINGS_CREATED, site_id)


def count_ticket_issued(*, site_id: int | None) -> None:
    _increment(TICKETS_ISSUED, site_id)


def count_ticket_called(*, site_id: int | None) -> None:
    _increment(TICKETS_CALLED, site_id)


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    try:
        labels = {"route": route, "method": method, "status": str(status)}
        HTTP_REQUESTS.labels(**labels).inc()
        HTTP_REQUEST_DURATION.labels(**labels).observe(seconds)
    except Exception:
        logger.exception("counting a request failed")
