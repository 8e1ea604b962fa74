"""Today at every site, for the city dashboard: scoped, and a fixed number of
queries however many sites there are (the page asks every 10 seconds)."""

from __future__ import annotations

import datetime as dt

from antre.accounts.scopes import scope_for
from antre.onsite.models import CounterShift, Ticket, TicketKind, TicketStatus
from antre.reports.today import city_today, services_of
from antre.testing import factories as f
from antre.testing.personas import City

NOW = dt.datetime(2026, 6, 2, 2, 5, tzinfo=dt.UTC)


def ticket(city: City, site, service, sequence: int, status: str, minutes_ago: int, **fields):
    return Ticket.objects.create(
        site=site,
        service=service,
        service_date=dt.date(2026, 6, 2),
        prefix=service.ticket_prefix,
        sequence=sequence,
        kind=TicketKind.WALK_IN,
        status=status,
        issued_at=NOW - dt.timedelta(minutes=minutes_ago),
        **fields,
    )


def test_today_per_site_and_service(city: City, django_assert_num_queries):
    site_s, site_t = city.site_s, city.site_t
    counter = f.CounterFactory.create(site=site_s, number=1)
    counter.site_services.set([city.site_service(site_s, city.service_a)])
    paused = f.CounterFactory.create(site=site_s, number=2)
    paused.site_services.set([city.site_service(site_s, city.service_b)])
    CounterShift.objects.create(counter=counter)
    CounterShift.objects.create(counter=paused, paused_at=NOW)
    inside = {"admitted_at": NOW}
    ticket(city, site_s, city.service_a, 1, TicketStatus.WAITING, 30, **inside)
    ticket(city, site_s, city.service_a, 2, TicketStatus.WAITING, 10)
    ticket(city, site_s, city.service_a, 3, TicketStatus.SERVING, 40, counter=counter, **inside)
    ticket(city, site_s, city.service_b, 1, TicketStatus.WAITING, 12, **inside)
    ticket(city, site_s, city.service_b, 2, TicketStatus.DONE, 50, left_at=NOW, **inside)
    ticket(city, site_t, city.service_b, 1, TicketStatus.WAITING, 3)

    scope = scope_for(city.city_admin)
    with django_assert_num_queries(5):
        today = city_today(scope)
        services = services_of(today)

    s, t = today.sites
    assert (s.site, t.site) == (site_s, site_t)
    assert (s.queue.waiting, s.queue.serving, s.queue.done, s.inside) == (3, 1, 1, 3)
    assert s.queue.longest_wait_minutes == 30
    assert (s.counters_open, s.counters_paused, s.counters_total) == (1, 1, 2)
    assert s.services[city.service_a.pk].waiting == 2
    assert (t.queue.waiting, t.inside, t.queue.longest_wait_minutes) == (1, 0, 3)
    first = today.queues(services)[0]
    assert (first.site, first.service) == (site_s, city.service_a)
    assert today.waiting == 4


def test_an_agency_admin_sees_their_queues_only(city: City):
    counter = f.CounterFactory.create(site=city.site_s, number=1)
    counter.site_services.set([city.site_service(city.site_s, city.service_a)])
    CounterShift.objects.create(counter=counter)
    ticket(city, city.site_s, city.service_a, 1, TicketStatus.WAITING, 30, admitted_at=NOW)
    ticket(city, city.site_s, city.service_b, 1, TicketStatus.WAITING, 12, admitted_at=NOW)

    today = city_today(scope_for(city.agency_admin_b))

    s = next(state for state in today.sites if state.site == city.site_s)
    assert (s.queue.waiting, s.inside, s.counters_open, s.counters_total) == (1, 1, 0, 0)
    assert s.queue.longest_wait_minutes == 12
    assert list(s.services) == [city.service_b.pk]


def test_a_site_admin_sees_their_site_only(city: City):
    today = city_today(scope_for(city.site_admin_s))

    assert [state.site for state in today.sites] == [city.site_s]
