import pytest

from antre.accounts.onsite_access import (
    can_show_board,
    can_use_kiosk,
    can_work_counter,
    workable_counters,
)
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters(city):
    counter_a = f.CounterFactory(site=city.site_s, number=1)
    counter_a.site_services.set([city.site_service(city.site_s, city.service_a)])
    counter_b = f.CounterFactory(site=city.site_s, number=2)
    counter_b.site_services.set([city.site_service(city.site_s, city.service_b)])
    counter_t = f.CounterFactory(site=city.site_t, number=1)
    counter_t.site_services.set([city.site_service(city.site_t, city.service_a)])
    return counter_a, counter_b, counter_t


def test_kiosks_run_only_their_sites_kiosk(city):
    assert can_use_kiosk(city.kiosk_s, city.site_s)
    assert not can_use_kiosk(city.kiosk_s, city.site_t)
    assert not can_use_kiosk(city.board_s, city.site_s)
    assert not can_use_kiosk(city.citizen_a, city.site_s)
    assert not can_use_kiosk(None, city.site_s)
    assert can_use_kiosk(city.site_admin_s, city.site_s)
    assert can_use_kiosk(city.city_admin, city.site_t)


def test_boards_show_only_their_site(city):
    assert can_show_board(city.board_s, city.site_s)
    assert not can_show_board(city.board_s, city.site_t)
    assert can_show_board(city.officer_s_a, city.site_s)
    assert not can_show_board(city.citizen_a, city.site_s)
    assert not can_show_board(city.agency_admin_a, city.site_s)


def test_an_agency_officer_works_only_counters_of_their_agency(city, counters):
    counter_a, counter_b, counter_t = counters
    assert list(workable_counters(city.officer_s_a)) == [counter_a]
    assert can_work_counter(city.officer_s_a, counter_a)
    assert not can_work_counter(city.officer_s_a, counter_b)
    assert not can_work_counter(city.officer_s_a, counter_t)
    assert set(workable_counters(city.site_admin_s)) == {counter_a, counter_b}
    assert set(workable_counters(city.city_admin)) == set(counters)
    for nobody in (city.citizen_a, city.kiosk_s, city.board_s, city.agency_admin_a, None):
        assert not workable_counters(nobody).exists()
