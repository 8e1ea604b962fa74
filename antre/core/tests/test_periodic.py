import datetime as dt

import pytest

from antre.core import periodic
from antre.core.models import PeriodicJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting_job(monkeypatch):
    calls = []
    registry = {}
    monkeypatch.setattr(periodic, "_registry", registry)
    monkeypatch.setattr(periodic, "autodiscover_modules", lambda *args: None)

    @periodic.periodic(every=dt.timedelta(minutes=10))
    def count() -> None:
        calls.append(periodic.clock.now())

    return calls


def test_a_due_job_runs_once_per_interval_however_often_workers_tick(counting_job, frozen_clock):
    assert len(periodic.run_due_jobs()) == 1
    assert periodic.run_due_jobs() == []  # a second worker ticking at the same instant
    frozen_clock.advance(minutes=9)
    assert periodic.run_due_jobs() == []
    frozen_clock.advance(minutes=1)
    assert len(periodic.run_due_jobs()) == 1
    assert len(counting_job) == 2


def test_a_failing_job_is_recorded_and_retried_at_its_next_due_time(monkeypatch, frozen_clock):
    monkeypatch.setattr(periodic, "_registry", {})
    monkeypatch.setattr(periodic, "autodiscover_modules", lambda *args: None)

    @periodic.periodic(every=dt.timedelta(minutes=5))
    def broken() -> None:
        raise RuntimeError("SMTP down")

    periodic.run_due_jobs()
    job = PeriodicJob.objects.get()
    assert "SMTP down" in job.last_error
    frozen_clock.advance(minutes=5)
    assert len(periodic.run_due_jobs()) == 1


def test_the_slot_horizon_job_is_registered():
    names = periodic.registered_jobs()
    assert any(name.endswith("materialise_slot_horizon") for name in names)
    assert any(name.endswith("import_holidays_ahead") for name in names)
