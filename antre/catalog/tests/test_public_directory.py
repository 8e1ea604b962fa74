"""The public directory: active sites, their hours, and their active services by agency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antre.catalog import selectors
from antre.catalog.models import OpeningHours, Weekday
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = pytest.mark.django_db


def hours(weekday: int, opens: str, closes: str) -> OpeningHours:
    return OpeningHours(
        weekday=weekday, opens=dt.time.fromisoformat(opens), closes=dt.time.fromisoformat(closes)
    )


def test_directory_groups_services_by_agency_per_site(city: City) -> None:
    directory = selectors.public_directory()

    assert [entry.site.name for entry in directory] == ["Gerai S", "Gerai T"]
    [site_s, _] = directory
    assert [group.agency.name for group in site_s.agencies] == ["Instansi A", "Instansi B"]
    assert [[service.name for service in group.services] for group in site_s.agencies] == [
        ["Layanan A"],
        ["Layanan B"],
    ]
    assert site_s.service_count == 2
    assert site_s.zone == "WIB"


def test_directory_leaves_out_inactive_sites_services_and_offers(city: City) -> None:
    f.SiteFactory(name="Gerai Nonaktif", is_active=False)
    city.service_b.is_active = False
    city.service_b.save()
    withdrawn = city.site_service(city.site_t, city.service_a)
    withdrawn.is_active = False
    withdrawn.save()

    directory = {entry.site.name: entry for entry in selectors.public_directory()}

    assert set(directory) == {"Gerai S", "Gerai T"}
    assert [group.agency.name for group in directory["Gerai S"].agencies] == ["Instansi A"]
    assert directory["Gerai T"].agencies == []


def test_directory_takes_three_queries_whatever_the_city_size(city: City) -> None:
    for _ in range(4):
        site = f.SiteFactory()
        for _ in range(3):
            f.SiteServiceFactory(site=site, service=f.ServiceFactory())

    with CaptureQueriesContext(connection) as queries:
        directory = selectors.public_directory()
        for entry in directory:
            for group in entry.agencies:
                for service in group.services:
                    assert service.agency.name

    assert len(directory) == 6
    assert len(queries) == 3


def test_opening_hours_fold_into_runs_of_equal_days() -> None:
    rows = [hours(day, "08:00", "15:00") for day in range(4)] + [
        hours(4, "08:00", "11:30"),
        hours(4, "13:00", "15:00"),
        hours(5, "08:00", "12:00"),
    ]

    runs = selectors.group_opening_hours(rows)

    assert [(run.first_day, run.last_day) for run in runs] == [
        (Weekday.MONDAY, Weekday.THURSDAY),
        (Weekday.FRIDAY, Weekday.FRIDAY),
        (Weekday.SATURDAY, Weekday.SATURDAY),
    ]
    assert runs[1].ranges == (
        (dt.time(8, 0), dt.time(11, 30)),
        (dt.time(13, 0), dt.time(15, 0)),
    )


def test_a_closed_day_breaks_a_run() -> None:
    rows = [hours(0, "08:00", "15:00"), hours(2, "08:00", "15:00")]

    runs = selectors.group_opening_hours(rows)

    assert [(run.first_day, run.last_day) for run in runs] == [
        (Weekday.MONDAY, Weekday.MONDAY),
        (Weekday.WEDNESDAY, Weekday.WEDNESDAY),
    ]


def test_other_time_zones_show_their_indonesian_abbreviation(db: None) -> None:
    site = f.SiteFactory(timezone="Asia/Makassar")

    [entry] = selectors.public_directory()

    assert entry.site == site
    assert entry.zone == "WITA"
