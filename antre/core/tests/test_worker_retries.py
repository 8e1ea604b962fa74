"""Retries with backoff and recovery of orphaned tasks (antre.core.jobs)."""

import datetime as dt
import socket

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from antre.core import jobs
from antre.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

TASKS = "antre.core.tests.worker_tasks"


@pytest.fixture(autouse=True)
def retries_installed(settings):
    # The database backend the real worker uses (the tests' default runs tasks at once).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.ANTRE_TASK_MAX_ATTEMPTS = 3
    settings.ANTRE_TASK_RETRY_SECONDS = 30
    jobs.install_retries()


def make_task(name: str, *args, status=TaskResultStatus.READY, **fields) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=f"{TASKS}.{name}",
        args_kwargs={"args": list(args), "kwargs": {}},
        backend_name="default",
        status=status,
        **fields,
    )


def run_once(row: DBTaskResult, worker_id: str = "worker-a") -> DBTaskResult:
    """What one turn of django-tasks-db's loop does with a claimed row."""
    row.claim(worker_id)
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.run_task(row)
    row.refresh_from_db()
    return row


def test_the_backoff_doubles_and_is_capped(settings):
    assert dt.timedelta(seconds=30) <= jobs.retry_delay(1) <= dt.timedelta(seconds=33)
    assert dt.timedelta(seconds=60) <= jobs.retry_delay(2) <= dt.timedelta(seconds=66)
    assert dt.timedelta(hours=1) <= jobs.retry_delay(30) <= dt.timedelta(hours=1, minutes=6)


def test_a_failed_task_is_retried_later_until_it_succeeds(tmp_path):
    row = make_task("fail_until", str(tmp_path), 2)
    row = run_once(row)
    assert row.status == TaskResultStatus.READY
    assert row.run_after > timezone.now() + dt.timedelta(seconds=25)
    assert "SMTP down (run 1)" in row.traceback  # the last error stays visible
    assert not DBTaskResult.objects.ready().filter(pk=row.pk).exists()  # not yet
    row.run_after = timezone.now()
    row.save(update_fields=["run_after"])
    row = run_once(row, "worker-b")
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 2
    assert row.worker_ids == ["worker-a", "worker-b"]  # the attempts


def test_a_task_stays_failed_after_its_last_attempt(tmp_path):
    row = make_task("fail_until", str(tmp_path), 10)
    for attempt in range(3):
        row = run_once(row, f"worker-{attempt}")
        row.run_after = timezone.now()
        row.save(update_fields=["run_after"])
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3
    assert (tmp_path / "runs.log").read_text().count("run") == 3


def test_a_permanent_failure_is_not_retried():
    row = run_once(make_task("hopeless"))
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 1


def test_retrying_twice_changes_nothing_more(tmp_path):
    row = make_task("fail_until", str(tmp_path), 5)
    row = run_once(row)
    assert jobs.schedule_retry(row.pk) is False  # it is READY, not FAILED


def beat_at(worker_id: str, when: dt.datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname(), "pid": 1, "started_at": when, "seen_at": when},
    )


def test_a_task_of_a_dead_worker_goes_back_to_the_queue(settings):
    now = timezone.now()
    long_ago = now - dt.timedelta(seconds=settings.ANTRE_TASK_LEASE_SECONDS + 60)
    beat_at("dead", now - dt.timedelta(seconds=settings.ANTRE_WORKER_STALE_SECONDS + 1))
    beat_at("alive", now)
    orphan = make_task(
        "hopeless", status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["dead"]
    )
    slow = make_task(
        "hopeless", status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["alive"]
    )
    fresh = make_task(
        "hopeless", status=TaskResultStatus.RUNNING, started_at=now, worker_ids=["dead"]
    )
    unknown = make_task(
        "hopeless", status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["gone"]
    )
    assert jobs.recover_orphaned_tasks() == jobs.Recovery(requeued=2, failed=0)
    statuses = {
        row.pk: row.status for row in DBTaskResult.objects.filter(pk__in=[orphan.pk, slow.pk])
    }
    assert statuses == {orphan.pk: TaskResultStatus.READY, slow.pk: TaskResultStatus.RUNNING}
    fresh.refresh_from_db()
    unknown.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING  # within its lease
    assert unknown.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()
    assert jobs.recover_orphaned_tasks() == jobs.Recovery()  # the second sweep finds nothing


def test_a_task_that_kept_killing_its_workers_fails_for_good(settings):
    long_ago = timezone.now() - dt.timedelta(seconds=settings.ANTRE_TASK_LEASE_SECONDS + 60)
    row = make_task(
        "hopeless",
        status=TaskResultStatus.RUNNING,
        started_at=long_ago,
        worker_ids=["w1", "w2", "w3"],
    )
    assert jobs.recover_orphaned_tasks() == jobs.Recovery(requeued=0, failed=1)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "antre.core.jobs.WorkerLost"


def test_heartbeats_and_old_results_are_pruned(settings):
    now = timezone.now()
    old = now - dt.timedelta(days=settings.ANTRE_TASK_RETENTION_DAYS + 1)
    kept = make_task("hopeless", status=TaskResultStatus.SUCCESSFUL, finished_at=now)
    make_task("hopeless", status=TaskResultStatus.SUCCESSFUL, finished_at=old)
    make_task("hopeless", status=TaskResultStatus.FAILED, finished_at=old)
    waiting = make_task("hopeless")
    beat_at("long-gone", now - dt.timedelta(days=2))
    beat_at("here", now)
    assert jobs.prune_finished_tasks() == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {kept.pk, waiting.pk}
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["here"]


def test_a_heartbeat_is_one_row_per_worker():
    started = timezone.now()
    jobs.beat("w-1", started_at=started)
    jobs.beat("w-1", started_at=started)
    jobs.beat("w-2", started_at=started)
    assert WorkerHeartbeat.objects.count() == 2
    jobs.stop_beating("w-1")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w-2"]
