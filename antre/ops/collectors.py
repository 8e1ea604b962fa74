"""Gauges read from the database when ``/metrics`` is scraped.

One query per family, each on an indexed status column: queue length and
longest wait per site and service, the outbox backlog, the job queue's lag
and the workers' heartbeats. A family whose query fails is left out and
``antre_scrape_errors{family=…}`` says so; the scrape itself still answers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator

from django.apps import apps
from django.conf import settings
from django.db.models import Case, Count, F, Max, Min, Q, When
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from antre.core import clock
from antre.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# The time zones of Indonesia's sites: a "today" for each (WIB, WITA, WIT).
SITE_TIME_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    return max((now - then).total_seconds(), 0.0) if then is not None else 0.0


def queue_families() -> Iterator[Metric]:
    waiting = GaugeMetricFamily(
        "antre_queue_waiting",
        "Tickets waiting to be called today, by site and service.",
        labels=("site", "service"),
    )
    longest = GaugeMetricFamily(
        "antre_queue_longest_wait_seconds",
        "How long the longest-waiting ticket has been in the queue, by site and service.",
        labels=("site", "service"),
    )
    Ticket = apps.get_model("onsite", "Ticket")
    now = clock.now()
    # Today in any of the three zones: at most two dates, and sites are closed
    # around midnight, so a ticket of "yesterday" somewhere is not counted.
    days = {clock.today(zone) for zone in SITE_TIME_ZONES}
    rows = (
        Ticket.objects.filter(status="waiting", service_date__in=days)
        .values("site__slug", "service__slug")
        .annotate(count=Count("pk"), oldest=Min("queued_at"))
        .order_by()
    )
    for row in rows:
        labels = [row["site__slug"], row["service__slug"]]
        waiting.add_metric(labels, row["count"])
        longest.add_metric(labels, _age(now, row["oldest"]))
    yield waiting
    yield longest


def outbox_families() -> Iterator[Metric]:
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    pending = OutboxMessage.objects.filter(status="pending").aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    failed = OutboxMessage.objects.filter(status="failed").count()
    yield GaugeMetricFamily(
        "antre_outbox_pending", "Messages waiting to be sent.", value=pending["count"]
    )
    yield GaugeMetricFamily(
        "antre_outbox_oldest_pending_age_seconds",
        "Age of the oldest message waiting to be sent (0 when none).",
        value=_age(clock.now(), pending["oldest"]),
    )
    yield GaugeMetricFamily(
        "antre_outbox_failed",
        "Messages given up on after their last attempt (stays until the rows are pruned).",
        value=failed,
    )


def announce_families() -> Iterator[Metric]:
    # On the booking's partial index (booking_announce_pending): only the
    # bookings waiting for the worker are read.
    Booking = apps.get_model("booking", "Booking")
    pending = Booking.objects.filter(announce_pending=True).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    yield GaugeMetricFamily(
        "antre_bookings_unannounced",
        "New bookings whose audit row and confirmation e-mail the worker has not written yet.",
        value=pending["count"],
    )
    yield GaugeMetricFamily(
        "antre_bookings_unannounced_oldest_age_seconds",
        "Age of the oldest of them (0 when none).",
        value=_age(clock.now(), pending["oldest"]),
    )


def job_families() -> Iterator[Metric]:
    from django_tasks_db.models import DBTaskResult, get_date_max

    # django-tasks-db keeps real time (timezone.now) in its rows; so do we here.
    now = timezone.now()
    ready = DBTaskResult.objects.ready().aggregate(
        count=Count("pk"),
        oldest=Min(
            Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
        ),
    )
    failed = DBTaskResult.objects.failed().count()
    yield GaugeMetricFamily("antre_jobs_ready", "Tasks ready to run now.", value=ready["count"])
    yield GaugeMetricFamily(
        "antre_jobs_lag_seconds",
        "How long the oldest ready task has waited for a worker (0 when none).",
        value=_age(now, ready["oldest"]),
    )
    yield GaugeMetricFamily(
        "antre_jobs_failed",
        "Tasks that failed for good (after their retries), until they are pruned.",
        value=failed,
    )


def worker_families() -> Iterator[Metric]:
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.ANTRE_WORKER_STALE_SECONDS)
    beats = WorkerHeartbeat.objects.aggregate(
        newest=Max("seen_at"), alive=Count("pk", filter=Q(seen_at__gte=stale))
    )
    newest = beats["newest"]
    yield GaugeMetricFamily(
        "antre_workers_alive",
        "Workers whose heartbeat is fresh (ANTRE_WORKER_STALE_SECONDS).",
        value=beats["alive"],
    )
    yield GaugeMetricFamily(
        "antre_worker_heartbeat_age_seconds",
        "Seconds since the most recent worker heartbeat (+Inf when no worker ever beat).",
        value=_age(now, newest) if newest is not None else float("inf"),
    )


FAMILIES: dict[str, Callable[[], Iterator[Metric]]] = {
    "queue": queue_families,
    "outbox": outbox_families,
    "announce": announce_families,
    "jobs": job_families,
    "workers": worker_families,
}


class DatabaseCollector(Collector):
    """Computes the database gauges at each scrape."""

    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily(
            "antre_scrape_errors",
            "1 when a family of database gauges could not be read at this scrape.",
            labels=("family",),
        )
        for name, family in FAMILIES.items():
            try:
                metrics = list(family())
            except Exception:
                logger.exception("metrics: reading the %s gauges failed", name)
                errors.add_metric([name], 1)
                continue
            errors.add_metric([name], 0)
            yield from metrics
        yield errors


class SiteNames(Collector):
    """Another collector's metrics, with each ``site_id`` label replaced by the
    site's slug (``site``): one query per scrape instead of one per count."""

    def __init__(self, source: Collector) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        metrics = list(self.source.collect())
        if not any("site_id" in sample.labels for metric in metrics for sample in metric.samples):
            yield from metrics
            return
        try:
            Site = apps.get_model("catalog", "Site")
            slugs = {str(pk): slug for pk, slug in Site.objects.values_list("pk", "slug")}
        except Exception:
            logger.exception("metrics: reading the site names failed")
            slugs = {}
        for metric in metrics:
            renamed = Metric(metric.name, metric.documentation, metric.type, metric.unit)
            for sample in metric.samples:
                labels = dict(sample.labels)
                if "site_id" in labels:
                    site_id = labels.pop("site_id")
                    labels["site"] = slugs.get(site_id, site_id)
                renamed.samples.append(sample._replace(labels=labels))
            yield renamed
