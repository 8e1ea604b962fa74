"""The per-process catalogue cache: what it answers, when it forgets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from antre.catalog import cache
from antre.catalog.models import Service, Site, SiteService
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = pytest.mark.django_db


class FakeMonotonic:
    """Stands in for ``time.monotonic`` in the cache module."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    monkeypatch.setattr(cache, "monotonic", fake)
    return fake


def offered(city: City) -> SiteService | None:
    return cache.offered_site_service(city.site_s.slug, city.service_a.slug)


def test_the_offered_site_service_comes_with_site_service_and_agency(
    city: City, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        found = offered(city)

    assert found == city.site_service(city.site_s, city.service_a)
    assert found is not None
    with django_assert_num_queries(0):
        assert found.site.slug == "gerai-s"
        assert found.service.agency.pk == city.agency_a.pk == found.service.agency_id


def test_a_fresh_entry_is_answered_from_memory(city: City, django_assert_num_queries: Any) -> None:
    first = offered(city)

    with django_assert_num_queries(0):
        assert offered(city) is first


@pytest.mark.parametrize(
    "deactivate",
    [
        lambda city: city.site_s,
        lambda city: city.service_a,
        lambda city: city.site_service(city.site_s, city.service_a),
    ],
    ids=["site", "service", "offer"],
)
def test_inactive_site_service_or_offer_is_none(
    city: City, deactivate: Callable[[City], Site | Service | SiteService]
) -> None:
    row = deactivate(city)
    row.is_active = False
    row.save()

    assert offered(city) is None


def test_an_unknown_pair_is_none_and_remembered(city: City, django_assert_num_queries: Any) -> None:
    assert cache.offered_site_service("gerai-s", "tidak-ada") is None

    with django_assert_num_queries(0):
        assert cache.offered_site_service("gerai-s", "tidak-ada") is None


@pytest.mark.parametrize("service_slug", ["x" * 200, "layanan-a\x00"], ids=["too-long", "nul"])
def test_what_cannot_be_a_slug_is_none_without_a_query(
    city: City, service_slug: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert cache.offered_site_service("gerai-s", service_slug) is None

    assert not [key for key in cache._entries if key == ("gerai-s", service_slug)]


@pytest.mark.parametrize(
    "change",
    [
        lambda city: city.site_s,
        lambda city: city.service_a,
        lambda city: city.site_service(city.site_s, city.service_a),
    ],
    ids=["site", "service", "offer"],
)
def test_deactivating_in_this_process_shows_at_once(
    city: City, change: Callable[[City], Site | Service | SiteService]
) -> None:
    assert offered(city) is not None
    row = change(city)

    row.is_active = False
    row.save()

    assert offered(city) is None


def test_a_renamed_agency_shows_at_once(city: City) -> None:
    assert (found := offered(city)) is not None
    assert found.service.agency.name == "Instansi A"

    city.agency_a.name = "Instansi A Baru"
    city.agency_a.save()

    assert (found := offered(city)) is not None
    assert found.service.agency.name == "Instansi A Baru"


def test_a_new_offer_shows_at_once_although_its_absence_was_cached(city: City) -> None:
    service = f.ServiceFactory.create(slug="baru")
    assert cache.offered_site_service("gerai-s", "baru") is None

    f.SiteServiceFactory.create(site=city.site_s, service=service)

    assert cache.offered_site_service("gerai-s", "baru") is not None


def test_a_deleted_offer_is_gone_at_once(city: City) -> None:
    assert offered(city) is not None

    city.site_service(city.site_s, city.service_a).delete()

    assert offered(city) is None


def test_a_change_the_signals_miss_shows_after_the_ttl(
    city: City, monotonic: FakeMonotonic
) -> None:
    # Another process, or QuerySet.update, changes the row without a signal here.
    assert offered(city) is not None
    Service.objects.filter(pk=city.service_a.pk).update(is_active=False)

    monotonic.now += cache.TTL_SECONDS - 0.1
    assert offered(city) is not None

    monotonic.now += 0.2
    assert offered(city) is None


def test_expiry_ignores_the_business_clock(
    city: City, monotonic: FakeMonotonic, frozen_clock: Any
) -> None:
    assert offered(city) is not None
    Service.objects.filter(pk=city.service_a.pk).update(is_active=False)

    frozen_clock.advance(hours=1)

    assert offered(city) is not None


def test_site_service_by_pk_ignores_the_active_flags(
    city: City, django_assert_num_queries: Any
) -> None:
    site_service = city.site_service(city.site_s, city.service_a)
    site_service.is_active = False
    site_service.save()

    with django_assert_num_queries(1):
        found = cache.site_service(site_service.pk)
    with django_assert_num_queries(0):
        assert found is cache.site_service(site_service.pk)
        assert found is not None
        assert found.site.slug == "gerai-s"
        assert found.service.agency_id == city.agency_a.pk
        assert found.service.agency.slug == city.agency_a.slug


def test_site_service_by_pk_does_not_remember_a_missing_row(
    city: City, django_assert_num_queries: Any
) -> None:
    missing = SiteService.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000

    assert cache.site_service(missing) is None
    with django_assert_num_queries(1):
        assert cache.site_service(missing) is None


def test_the_cache_keeps_at_most_max_entries(
    city: City, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    first = city.site_service(city.site_s, city.service_a)
    second = city.site_service(city.site_t, city.service_a)
    third = city.site_service(city.site_s, city.service_b)
    for site_service in (first, second, third):
        cache.site_service(site_service.pk)

    with django_assert_num_queries(0):
        cache.site_service(second.pk)
        cache.site_service(third.pk)
    with django_assert_num_queries(1):  # the oldest went first
        cache.site_service(first.pk)


def test_a_read_racing_a_change_does_not_store_the_old_rows(
    city: City, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    real_load = cache._load_offered

    def load_then_change(site_slug: str, service_slug: str) -> SiteService | None:
        found = real_load(site_slug, service_slug)
        cache.clear()  # a save in another thread, after our read
        return found

    monkeypatch.setattr(cache, "_load_offered", load_then_change)
    assert offered(city) is not None
    monkeypatch.setattr(cache, "_load_offered", real_load)

    with django_assert_num_queries(1):
        offered(city)


def test_a_change_clears_again_when_its_transaction_commits(
    city: City, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        city.site_s.save()

    assert cache.clear in callbacks
