"""The demo data holds together on its own, before any database sees it."""

import datetime as dt
import re
from collections import Counter

import pytest

from antre.accounts import nik
from antre.accounts.models import Role
from antre.demo import data

SITE_SLUGS = {site.slug for site in data.SITES}
SERVICES = {service.slug: service for service in data.SERVICES}
PREFIX = re.compile(r"^[A-Z]{1,2}$")


def duplicates(values):
    return [value for value, count in Counter(values).items() if count > 1]


def test_slugs_and_usernames_are_unique():
    assert not duplicates(site.slug for site in data.SITES)
    assert not duplicates(agency.slug for agency in data.AGENCIES)
    assert not duplicates(service.slug for service in data.SERVICES)
    assert not duplicates((offering.site, offering.service) for offering in data.OFFERINGS)
    assert not duplicates(account.username for account in data.demo_accounts())
    # admin-<site> and admin-<agency> share one namespace.
    assert not SITE_SLUGS & {agency.slug for agency in data.AGENCIES}


def test_the_city_is_big_enough():
    assert len(data.SITES) >= 5
    assert len(data.AGENCIES) >= 22
    assert len(data.SERVICES) >= 40
    agencies_with_services = {service.agency for service in data.SERVICES}
    assert agencies_with_services == {agency.slug for agency in data.AGENCIES}


def test_references_point_at_known_rows():
    agencies = {agency.slug for agency in data.AGENCIES}
    assert all(service.agency in agencies for service in data.SERVICES)
    for offering in data.OFFERINGS:
        assert offering.site in SITE_SLUGS
        assert offering.service in SERVICES
    offered = {(offering.site, offering.service) for offering in data.OFFERINGS}
    for counter in data.COUNTERS:
        for service in counter.services:
            assert (counter.site, service) in offered, (counter, service)


@pytest.mark.parametrize("site", sorted(SITE_SLUGS))
def test_ticket_prefixes_are_distinct_at_each_site(site):
    prefixes = [
        offering.ticket_prefix or SERVICES[offering.service].ticket_prefix
        for offering in data.OFFERINGS
        if offering.site == site
    ]
    assert prefixes
    assert all(PREFIX.match(prefix) for prefix in prefixes)
    assert not duplicates(prefixes)


def test_services_are_realistic():
    for service in data.SERVICES:
        assert PREFIX.match(service.ticket_prefix), service.slug
        assert 10 <= service.duration_minutes <= 45, service.slug
        assert service.requirements, service.slug
        assert all(isinstance(item, str) and item for item in service.requirements)
        assert 1 <= service.booking_opens_days <= 366
        assert service.walk_in_allowed or service.walk_in_daily_quota == 0


def test_every_offering_has_rules_that_fit_the_site_hours():
    hours = {site.slug: site.hours for site in data.SITES}
    for offering in data.OFFERINGS:
        assert offering.rules, offering
        for rule in offering.rules:
            assert 15 <= rule.slot_minutes <= 30, offering
            assert 2 <= rule.capacity <= 20, offering
            for weekday in rule.weekdays:
                ranges = [(h.opens, h.closes) for h in hours[offering.site] if h.weekday == weekday]
                first_end = (
                    dt.datetime.combine(dt.date(2026, 6, 1), rule.starts_at)
                    + dt.timedelta(minutes=rule.slot_minutes)
                ).time()
                # The first slot of the session fits an opening range that day.
                assert any(
                    opens <= rule.starts_at and first_end <= closes for opens, closes in ranges
                )


def test_sites_open_monday_to_friday_only():
    for site in data.SITES:
        assert {hours.weekday for hours in site.hours} == {0, 1, 2, 3, 4}, site.slug
        assert all(hours.opens < hours.closes for hours in site.hours)


def test_counters_are_numbered_from_one_and_serve_every_offering():
    for site in SITE_SLUGS:
        numbers = sorted(counter.number for counter in data.COUNTERS if counter.site == site)
        assert numbers == list(range(1, len(numbers) + 1)), site
    served = {(counter.site, slug) for counter in data.COUNTERS for slug in counter.services}
    offered = {(offering.site, offering.service) for offering in data.OFFERINGS}
    assert offered <= served, offered - served


def test_services_are_spread_as_in_a_real_city():
    offered_at: dict[str, set[str]] = {}
    for offering in data.OFFERINGS:
        offered_at.setdefault(offering.site, set()).add(SERVICES[offering.service].agency)
    # The MPP hall hosts (nearly) every agency; the Bekasi MPP has 22.
    assert len(offered_at[data.MPP]) >= 22
    assert offered_at[data.DPMPTSP_OFFICE] >= {"dpmptsp"}
    for mall in (data.PONDOK_GEDE, data.CIBUBUR):
        assert {"disdukcapil", "samsat", "polres", "bpjs-kesehatan"} <= offered_at[mall]
    assert "disdukcapil" in offered_at[data.KECAMATAN]
    # Some services are offered at one site only.
    sites_per_service = Counter(offering.service for offering in data.OFFERINGS)
    assert min(sites_per_service.values()) == 1


def test_sim_renewal_is_scarce():
    sim = [offering for offering in data.OFFERINGS if offering.service == "perpanjangan-sim"]
    assert len(sim) >= 3
    assert all(rule.capacity <= 3 for offering in sim for rule in offering.rules)
    assert SERVICES["perpanjangan-sim"].booking_opens_days >= 28


def test_accounts_have_known_roles_and_scopes():
    roles = {role.value for role in Role} | {"citizen"}
    agencies = {agency.slug for agency in data.AGENCIES}
    for account in data.demo_accounts():
        assert account.role in roles, account
        assert account.site is None or account.site in SITE_SLUGS
        assert account.agency is None or account.agency in agencies
    officers = [account for account in data.demo_accounts() if account.role == Role.OFFICER]
    assert len(officers) == len(data.COUNTERS)


def test_the_demo_citizen_has_a_valid_nik():
    assert nik.validate(data.CITIZEN_NIK) == data.CITIZEN_NIK
    assert nik.birth_date(data.CITIZEN_NIK) == dt.date(1991, 8, 14)
