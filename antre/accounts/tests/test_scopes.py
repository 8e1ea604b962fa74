from __future__ import annotations

import datetime as dt

import pytest

from antre.accounts.models import Role, StaffRole
from antre.accounts.scopes import (
    EMPTY_SCOPE,
    Grant,
    StaffScope,
    build_scope,
    filter_queryset,
    follow_path,
    forget_scope,
    scope_for,
)
from antre.booking.models import Slot
from antre.catalog.models import Closure, Service, Site, SiteService
from antre.testing import factories as f
from antre.testing.personas import City, staff

SLOT_PATHS = {"site_path": "site_service__site", "agency_path": "site_service__service__agency"}


@pytest.fixture
def slots(city: City) -> dict[tuple[str, str], Slot]:
    return {
        key: f.SlotFactory(site_service=site_service)
        for key, site_service in city.site_services.items()
    }


def visible_slots(scope: StaffScope) -> set[tuple[str, str]]:
    rows = filter_queryset(scope, Slot.objects.all(), **SLOT_PATHS)
    return {
        (slot.site_service.site.slug, slot.site_service.service.slug)
        for slot in rows.select_related("site_service__site", "site_service__service")
    }


def test_city_admin_sees_every_slot(city: City, slots: dict[tuple[str, str], Slot]) -> None:
    assert visible_slots(scope_for(city.city_admin)) == set(slots)


def test_site_admin_sees_every_agency_at_their_site_only(
    city: City, slots: dict[tuple[str, str], Slot]
) -> None:
    assert visible_slots(scope_for(city.site_admin_s)) == {
        ("gerai-s", "layanan-a"),
        ("gerai-s", "layanan-b"),
    }


def test_agency_admin_sees_their_agency_at_every_site_only(
    city: City, slots: dict[tuple[str, str], Slot]
) -> None:
    assert visible_slots(scope_for(city.agency_admin_a)) == {
        ("gerai-s", "layanan-a"),
        ("gerai-t", "layanan-a"),
    }
    assert visible_slots(scope_for(city.agency_admin_b)) == {
        ("gerai-s", "layanan-b"),
        ("gerai-t", "layanan-b"),
    }


def test_agency_admin_of_one_site_sees_their_agency_there_only(
    city: City, slots: dict[tuple[str, str], Slot]
) -> None:
    admin_a_at_t = staff("admin-a-t", Role.AGENCY_ADMIN, agency=city.agency_a, site=city.site_t)

    assert visible_slots(scope_for(admin_a_at_t)) == {("gerai-t", "layanan-a")}


def test_agency_admin_of_one_site_sees_the_agency_wide_services(city: City) -> None:
    admin_a_at_t = staff("admin-a-t", Role.AGENCY_ADMIN, agency=city.agency_a, site=city.site_t)
    scope = scope_for(admin_a_at_t)

    services = filter_queryset(scope, Service.objects.all(), site_path=None, agency_path="agency")

    assert list(services) == [city.service_a]
    # ... but has no authority over them: a service is the same at every site.
    assert not scope.covers(site_id=None, agency_id=city.agency_a.pk)
    assert scope.covers(site_id=city.site_t.pk, agency_id=city.agency_a.pk)
    assert not scope.covers(site_id=city.site_s.pk, agency_id=city.agency_a.pk)


@pytest.mark.parametrize("persona", ["officer_s_a", "kiosk_s", "board_s", "citizen_a"])
def test_officers_devices_and_citizens_have_no_backoffice_scope(
    city: City, slots: dict[tuple[str, str], Slot], persona: str
) -> None:
    scope = scope_for(getattr(city, persona))

    assert scope.is_empty
    assert not scope.has_backoffice_access
    assert visible_slots(scope) == set()


def test_an_officer_made_staff_still_has_no_backoffice_scope(city: City) -> None:
    city.officer_s_a.is_staff = True
    city.officer_s_a.save()

    assert scope_for(city.officer_s_a) == EMPTY_SCOPE


def test_anonymous_has_no_scope() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()) == EMPTY_SCOPE
    assert scope_for(None) == EMPTY_SCOPE


def test_an_admin_role_needs_an_active_staff_account(city: City) -> None:
    city.site_admin_s.is_staff = False
    city.site_admin_s.save()
    city.agency_admin_a.is_active = False
    city.agency_admin_a.save()

    assert scope_for(city.site_admin_s).is_empty
    assert scope_for(city.agency_admin_a).is_empty


def test_a_superuser_counts_as_city_admin(db: None) -> None:
    root = f.UserFactory(is_staff=True, is_superuser=True)

    assert scope_for(root).is_city_admin


def test_several_roles_add_up(city: City, slots: dict[tuple[str, str], Slot]) -> None:
    StaffRole.objects.create(user=city.site_admin_s, role=Role.AGENCY_ADMIN, agency=city.agency_b)

    assert visible_slots(scope_for(city.site_admin_s)) == {
        ("gerai-s", "layanan-a"),
        ("gerai-s", "layanan-b"),
        ("gerai-t", "layanan-b"),
    }


def test_the_scope_costs_one_query_and_is_kept_for_the_request(
    city: City, django_assert_num_queries: object
) -> None:
    user = city.agency_admin_a
    with django_assert_num_queries(1):  # type: ignore[operator]
        first = scope_for(user)
        second = scope_for(user)

    assert first is second
    assert first.agency_ids == frozenset({city.agency_a.pk})


def test_forgetting_the_scope_reads_the_roles_again(city: City) -> None:
    user = city.agency_admin_a
    scope_for(user)
    StaffRole.objects.create(user=user, role=Role.SITE_ADMIN, site=city.site_t)

    forget_scope(user)

    assert scope_for(user).site_ids == frozenset({city.site_t.pk})


def test_a_to_many_path_returns_each_row_once(city: City) -> None:
    StaffRole.objects.create(user=city.site_admin_s, role=Role.SITE_ADMIN, site=city.site_t)

    services = filter_queryset(
        scope_for(city.site_admin_s),
        Service.objects.all(),
        site_path="site_services__site",
        agency_path="agency",
    )

    assert sorted(service.slug for service in services) == ["layanan-a", "layanan-b"]


def test_sites_visible_to_an_agency_admin_are_those_offering_their_services(
    city: City,
) -> None:
    lonely = f.SiteFactory(slug="gerai-sepi")
    f.SiteServiceFactory(site=lonely, service=city.service_b)

    sites = filter_queryset(
        scope_for(city.agency_admin_a),
        Site.objects.all(),
        site_path="pk",
        agency_path="site_services__service__agency",
    )

    assert {site.slug for site in sites} == {"gerai-s", "gerai-t"}


def test_city_wide_rows_are_shared_when_null_means_all(city: City) -> None:
    day = dt.date(2026, 6, 10)
    everywhere = f.ClosureFactory(site=None, service=None, start_date=day, reason="libur")
    at_s = f.ClosureFactory(site=city.site_s, service=None, start_date=day, reason="s")
    at_t = f.ClosureFactory(site=city.site_t, service=None, start_date=day, reason="t")
    b_everywhere = f.ClosureFactory(site=None, service=city.service_b, start_date=day, reason="b")
    a_at_t = f.ClosureFactory(site=city.site_t, service=city.service_a, start_date=day, reason="at")

    def seen(user_scope: StaffScope) -> set[str]:
        rows = filter_queryset(
            user_scope,
            Closure.objects.all(),
            site_path="site",
            agency_path="service__agency",
            shared_when_null=True,
        )
        return {closure.reason for closure in rows}

    assert seen(scope_for(city.site_admin_s)) == {
        everywhere.reason,
        at_s.reason,
        b_everywhere.reason,
    }
    assert seen(scope_for(city.agency_admin_a)) == {
        everywhere.reason,
        at_s.reason,
        at_t.reason,
        a_at_t.reason,
    }
    assert seen(scope_for(city.city_admin)) == {
        everywhere.reason,
        at_s.reason,
        at_t.reason,
        b_everywhere.reason,
        a_at_t.reason,
    }


def test_only_keeps_the_named_grants() -> None:
    scope = StaffScope(
        is_city_admin=True,
        site_ids=frozenset({1}),
        agency_ids=frozenset({2}),
        agency_site_ids=frozenset({(3, 1)}),
    )

    assert scope.only({Grant.SITE}) == StaffScope(site_ids=frozenset({1}))
    assert scope.only({Grant.AGENCY, Grant.AGENCY_AT_SITE}).grants == {
        Grant.AGENCY,
        Grant.AGENCY_AT_SITE,
    }
    assert scope.only(()).is_empty


def test_covers_needs_a_grant_spanning_what_the_row_is_bound_to() -> None:
    site_admin = StaffScope(site_ids=frozenset({1}))
    agency_admin = StaffScope(agency_ids=frozenset({7}))

    assert site_admin.covers(site_id=1, agency_id=7)
    assert not site_admin.covers(site_id=2, agency_id=7)
    assert not site_admin.covers(site_id=None, agency_id=7)
    assert agency_admin.covers(site_id=None, agency_id=7)
    assert agency_admin.covers(site_id=2, agency_id=7)
    assert not agency_admin.covers(site_id=1, agency_id=None)
    assert StaffScope(is_city_admin=True).covers(site_id=None, agency_id=None)
    assert not EMPTY_SCOPE.covers(site_id=1, agency_id=7)


def test_build_scope_ignores_non_admin_roles_and_redundant_pairs() -> None:
    scope = build_scope(
        [
            (Role.OFFICER, 1, 7),
            (Role.KIOSK, 1, None),
            (Role.AGENCY_ADMIN, None, 7),
            (Role.AGENCY_ADMIN, 1, 7),
            (Role.AGENCY_ADMIN, 2, 8),
        ]
    )

    assert scope == StaffScope(agency_ids=frozenset({7}), agency_site_ids=frozenset({(8, 2)}))


def test_follow_path_reads_ids_without_extra_queries(
    city: City, django_assert_num_queries: object
) -> None:
    site_service = SiteService.objects.get(pk=city.site_service(city.site_s, city.service_a).pk)
    slot = f.SlotFactory(site_service=site_service)
    slot = Slot.objects.select_related("site_service__service").get(pk=slot.pk)

    with django_assert_num_queries(0):  # type: ignore[operator]
        assert follow_path(slot, "site_service__site") == city.site_s.pk
        assert follow_path(slot, "site_service__service__agency") == city.agency_a.pk
        assert follow_path(slot, None) is None
    closure = Closure(site=None, service=None)
    assert follow_path(closure, "service__agency") is None
    with pytest.raises(ValueError, match="single-valued"):
        follow_path(city.site_s, "site_services__site")
