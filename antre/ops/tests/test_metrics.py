"""/metrics: the antre_ families, counted and computed at scrape time, for local eyes only."""

import datetime as dt
import json
import re

import pytest
from django.db import transaction
from django.test import Client

from antre.booking.announce import announce_pending
from antre.booking.services import create_booking
from antre.core import clock
from antre.notifications.rendering import RenderedEmail
from antre.notifications.services import queue_message
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format, or None."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        metric, _, value = line.rpartition(" ")
        found_name, _, label_text = metric.partition("{")
        if found_name != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if all(found.get(key) == wanted for key, wanted in labels.items()):
            return float(value)
    return None


def scrape(client: Client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_name_every_family_antre(client):
    client.get("/healthz")
    text = scrape(client)
    for family in (
        "antre_http_requests_total",
        "antre_http_request_duration_seconds",
        "antre_bookings_created",
        "antre_tickets_issued",
        "antre_tickets_called",
        "antre_queue_waiting",
        "antre_queue_longest_wait_seconds",
        "antre_outbox_pending",
        "antre_outbox_oldest_pending_age_seconds",
        "antre_bookings_unannounced",
        "antre_bookings_unannounced_oldest_age_seconds",
        "antre_jobs_ready",
        "antre_jobs_lag_seconds",
        "antre_workers_alive",
        "antre_worker_heartbeat_age_seconds",
    ):
        assert f"# TYPE {family}" in text or f"{family} " in text, family
    assert sample(text, "antre_scrape_errors", family="queue") == 0


def test_requests_are_counted_by_route_name_and_status(client):
    before = sample(scrape(client), "antre_http_requests_total", route="healthz", status="200")
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    text = scrape(client)
    after = sample(text, "antre_http_requests_total", route="healthz", status="200")
    assert after == (before or 0) + 2
    assert sample(text, "antre_http_requests_total", route="unmatched", status="404") >= 1
    assert (
        sample(
            text,
            "antre_http_request_duration_seconds_count",
            route="healthz",
            method="GET",
            status="200",
        )
        >= 2
    )


def test_bookings_are_counted_by_site(client, django_capture_on_commit_callbacks):
    site = f.SiteFactory.create(slug="mpp-metrik")
    slot = f.SlotFactory.create(site_service__site=site, capacity=5)
    before = sample(scrape(client), "antre_bookings_created_total", site="mpp-metrik") or 0
    with django_capture_on_commit_callbacks(execute=True):
        f.BookingFactory.create(slot=slot)
        f.BookingFactory.create(slot=slot)
    assert sample(scrape(client), "antre_bookings_created_total", site="mpp-metrik") == before + 2


def test_a_booking_rolled_back_is_not_counted(client, django_capture_on_commit_callbacks):
    """In a rush a booking's row is inserted and rolled back whenever its
    seat went to someone else between the read and the guarded UPDATE."""
    site = f.SiteFactory.create(slug="mpp-kembali")
    slot = f.SlotFactory.create(site_service__site=site, capacity=5)
    before = sample(scrape(client), "antre_bookings_created_total", site="mpp-kembali") or 0

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        f.BookingFactory.create(slot=slot)
        transaction.set_rollback(True)

    after = sample(scrape(client), "antre_bookings_created_total", site="mpp-kembali") or 0
    assert after == before


def test_counting_a_booking_costs_no_query(django_assert_num_queries):
    from antre.ops import metrics

    with django_assert_num_queries(0):
        metrics.count_ticket_called(site_id=12345)
    assert metrics.TICKETS_CALLED.labels(site_id="12345")._value.get() >= 1


def test_the_outbox_backlog_is_read_at_scrape_time(client, frozen_clock):
    queue_message(
        kind="test",
        recipient="warga@example.id",
        rendered=RenderedEmail(subject="s", body_text="b", body_html=""),
    )
    frozen_clock.advance(minutes=3)
    text = scrape(client)
    assert sample(text, "antre_outbox_pending") == 1
    assert sample(text, "antre_outbox_oldest_pending_age_seconds") == 180


def test_the_bookings_waiting_for_the_announcer_are_read_at_scrape_time(
    client, frozen_clock, settings
):
    settings.ANTRE_BOOKING_ANNOUNCE = "worker"
    slot = f.SlotFactory(start=clock.now() + dt.timedelta(days=1))
    citizen = f.CitizenFactory()
    create_booking(citizen=citizen, slot_id=slot.pk)
    frozen_clock.advance(seconds=90)

    text = scrape(client)
    assert sample(text, "antre_bookings_unannounced") == 1
    assert sample(text, "antre_bookings_unannounced_oldest_age_seconds") == 90

    announce_pending()
    text = scrape(client)
    assert sample(text, "antre_bookings_unannounced") == 0
    assert sample(text, "antre_bookings_unannounced_oldest_age_seconds") == 0


def test_metrics_are_refused_from_elsewhere_without_the_token(settings):
    settings.ANTRE_METRICS_TOKEN = "s3cret-scraper-token-0123456789"
    outsider = Client(REMOTE_ADDR="203.0.113.9")
    response = outsider.get("/metrics")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.content)["code"] == "forbidden"
    assert outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    allowed = outsider.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.ANTRE_METRICS_TOKEN}")
    assert allowed.status_code == 200
    assert b"antre_" in allowed.content


def test_a_local_request_relayed_by_the_reverse_proxy_is_not_local(settings):
    settings.ANTRE_METRICS_TOKEN = ""
    via_nginx = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert via_nginx.get("/metrics").status_code == 403
    # With no token configured, no bearer token opens it.
    assert via_nginx.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
