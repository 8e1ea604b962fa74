import datetime
import threading

import pytest
from django.db import connections

from antre.core.errors import DomainError
from antre.onsite import errors
from antre.onsite.models import Ticket, TicketKind
from antre.onsite.services import issue_walk_in
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def test_walk_ins_are_numbered_and_limited_by_the_daily_quota(hall):
    tickets = [
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None, priority="")
        for _ in range(5)
    ]
    assert [t.number for t in tickets] == ["A-001", "A-002", "A-003", "A-004", "A-005"]
    assert all(t.kind == TicketKind.WALK_IN for t in tickets)

    with pytest.raises(errors.WalkInQuotaExhausted):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    assert Ticket.objects.count() == 5


def test_the_site_can_override_the_quota(hall):
    hall.site_service_a.walk_in_daily_quota = 1
    hall.site_service_a.save()
    issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    with pytest.raises(errors.WalkInQuotaExhausted):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)


def test_a_priority_group_is_recorded(hall):
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None, priority="elderly")
    assert ticket.priority == "elderly"


def test_closed_outside_hours_and_on_closures(hall, frozen_clock):
    frozen_clock.move_to("2026-06-02T16:00+07:00")
    with pytest.raises(errors.SiteClosed):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    frozen_clock.move_to("2026-06-02T10:00+07:00")
    f.ClosureFactory(site=hall.site, start_date=datetime.date(2026, 6, 2), reason="Banjir")
    with pytest.raises(errors.SiteClosed):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)


def test_appointment_only_services_refuse_walk_ins(hall):
    hall.service_a.walk_in_allowed = False
    hall.service_a.save()
    with pytest.raises(errors.WalkInNotAllowed):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)


def test_a_service_not_offered_here(hall):
    with pytest.raises(errors.UnknownService):
        issue_walk_in(site=hall.site, service=f.ServiceFactory(), actor=None)


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_walk_ins_get_100_distinct_numbers(hall):
    hall.service_a.walk_in_daily_quota = 1000
    hall.service_a.save()
    barrier = threading.Barrier(20)
    failures = []

    def issue(count):
        try:
            barrier.wait(timeout=60)
            for _ in range(count):
                try:
                    issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
                except DomainError as error:
                    failures.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(5,)) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    numbers = list(Ticket.objects.values_list("sequence", flat=True))
    assert failures == []
    assert len(numbers) == 100
    assert sorted(numbers) == list(range(1, 101))


@pytest.mark.django_db(transaction=True)
def test_concurrent_walk_ins_never_pass_the_quota(hall):
    barrier = threading.Barrier(12)
    outcomes = []

    def issue():
        try:
            barrier.wait(timeout=60)
            issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
            outcomes.append("issued")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes.count("issued") == 5
    assert outcomes.count("walk_in_quota_exhausted") == 7
    assert Ticket.objects.count() == 5
