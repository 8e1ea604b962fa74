"""A city admin in the back office on a desktop, in Indonesian: the city
dashboard on a busy morning, every report over the demo city's past three
weeks, and the capacity planner. Each page is drawn by the vendored chart.js,
checked with axe-core (WCAG 2.1 AA) and photographed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from antre.catalog.models import Counter, Site, SiteService
from antre.demo.seed import DEMO_PASSWORD, seed_demo_city
from antre.onsite.models import CounterShift, Ticket, TicketKind, TicketStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Screenshot = Callable[..., Path]
AxeCheck = Callable[..., None]

# The conftest clock: Tuesday 2 June 2026, 09:05 in Jakarta.
NOW = dt.datetime(2026, 6, 2, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))
TODAY = NOW.date()
# Django's admin itself is not ours to fix; axe looks at our content.
CONTENT = "#content"


@pytest.fixture
def demo_city(db: None) -> None:
    """The demo city with its past three weeks, and a morning in progress."""
    seed_demo_city()
    busy_morning()


def busy_morning() -> None:
    """Today so far at every site: counters opening, people waiting (the
    first since 08:45), some called or at a counter; the kelurahan's small
    room over its cap."""
    rng = random.Random(2026)
    for site in Site.objects.order_by("slug"):
        counters = list(Counter.objects.filter(site=site).order_by("number"))
        for index, counter in enumerate(counters):
            if index % 5 != 4:
                CounterShift.objects.create(
                    counter=counter,
                    opened_at=NOW - dt.timedelta(minutes=10),
                    paused_at=NOW if index % 7 == 6 else None,
                )
        offerings = list(
            SiteService.objects.filter(site=site).select_related("service").order_by("pk")
        )
        small = "kelurahan" in site.slug
        people = site.room_capacity + 4 if small else 40
        inside = site.room_capacity + 2 if small else int(site.room_capacity * 0.8)
        for number in range(people):
            offering = offerings[number % len(offerings)]
            issued = NOW - dt.timedelta(minutes=rng.uniform(1, 20 + number % 3 * 6))
            status = TicketStatus.WAITING
            counter = None
            if number < len(counters) // 2:
                status = TicketStatus.SERVING if number % 2 else TicketStatus.CALLED
                counter = counters[number]
            Ticket.objects.create(
                site=site,
                service=offering.service,
                service_date=TODAY,
                prefix=offering.effective_ticket_prefix,
                sequence=100 + number,
                kind=TicketKind.WALK_IN if number % 3 else TicketKind.APPOINTMENT,
                status=status,
                issued_at=issued,
                queued_at=issued,
                admitted_at=issued if number < inside or counter else None,
                called_at=NOW if counter else None,
                counter=counter,
            )


def log_in(page: Page) -> None:
    page.goto("/backoffice/login/?next=/backoffice/")
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.get_by_role("link", name="Dasbor kota: keadaan hari ini")).to_be_visible()


def charts_drawn(page: Page, count: int) -> None:
    expect(page.locator("canvas[data-drawn='1']")).to_have_count(count)


def test_a_city_admin_watches_reports_and_plans(
    page: Page, demo_city: None, screenshot: Screenshot, axe_check: AxeCheck
) -> None:
    log_in(page)

    page.get_by_role("link", name="Dasbor kota: keadaan hari ini").click()
    expect(page.get_by_role("heading", name="Dasbor kota")).to_be_visible()
    sites = page.locator("table.dashboard-sites tbody tr")
    expect(sites).to_have_count(6)
    expect(page.locator("tr.over-cap")).to_have_count(1)
    axe_check_content(page, axe_check)
    screenshot(page, "reports-01-dashboard")
    # The state comes again by itself (htmx, every 10 s).
    with page.expect_response(
        lambda response: "/backoffice/dasbor/" in response.url, timeout=15_000
    ):
        pass
    expect(sites).to_have_count(6)

    three_weeks = "start=2026-05-12&end=2026-06-01"
    shots = [
        ("kunjungan", "", "reports-02-visits"),
        ("waktu", "", "reports-03-waiting-times"),
        ("loket", "&site={mpp}", "reports-04-counters"),
        ("permintaan", "", "reports-05-demand"),
        ("ruang", "&site={mpp}", "reports-06-room"),
    ]
    mpp = Site.objects.get(slug="mpp-kota-bekasi").pk
    for kind, extra, name in shots:
        page.goto(f"/backoffice/laporan/{kind}/?{three_weeks}{extra.format(mpp=mpp)}")
        charts_drawn(page, 1)
        expect(page.locator("table.reports-table tbody tr").first).to_be_visible()
        axe_check_content(page, axe_check)
        screenshot(page, name)

    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == "antre-ruang-2026-05-12-2026-06-01.xlsx"

    page.goto("/backoffice/perencana/")
    charts_drawn(page, 3)
    expect(page.locator(".planner-recommendation")).to_contain_text("loket")
    axe_check_content(page, axe_check)
    screenshot(page, "reports-07-planner-default")

    ktp = SiteService.objects.get(site_id=mpp, service__slug="perekaman-ktp-el").service_id
    page.goto(
        f"/backoffice/perencana/?site={mpp}&service={ktp}&day=2026-06-08&weeks=3"
        "&pattern=history&distribution=lognormal&target_p90=20"
        "&counters_1=2&cap_1=60&counters_2=4&cap_2=60&counters_3=3&cap_3=30"
    )
    charts_drawn(page, 3)
    expect(page.locator(".planner-recommendation")).to_contain_text("Rekomendasi")
    axe_check_content(page, axe_check)
    screenshot(page, "reports-08-planner-scenarios")


def axe_check_content(page: Page, axe_check: AxeCheck) -> None:
    axe_check(page)
