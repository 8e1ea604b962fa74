import datetime as dt
import os
import subprocess
import sys

import pytest

from antre.core import clock


def test_frozen_clock_stands_still_and_moves_on_request(frozen_clock):
    first = clock.now()
    assert clock.now() == first
    frozen_clock.advance(minutes=10)
    assert clock.now() - first == dt.timedelta(minutes=10)


def test_today_is_the_sites_local_date():
    # 17:30 UTC is already tomorrow in Jayapura (WIT, +09) but not in Jakarta (WIB, +07).
    with clock.freeze("2026-06-02T17:30:00+00:00"):
        assert clock.today("Asia/Jakarta") == dt.date(2026, 6, 3)
        assert clock.today("Asia/Jayapura") == dt.date(2026, 6, 3)
        assert clock.today("UTC") == dt.date(2026, 6, 2)
    with clock.freeze("2026-06-02T16:30:00+00:00"):
        assert clock.today("Asia/Jakarta") == dt.date(2026, 6, 2)
        assert clock.today("Asia/Jayapura") == dt.date(2026, 6, 3)


def test_configured_clock_starts_at_the_instant_and_runs_forward():
    code = (
        "import time; from antre.core import clock; a = clock.now(); time.sleep(0.2);"
        "b = clock.now(); print(a.isoformat()); print((b - a).total_seconds())"
    )
    env = {**os.environ, "ANTRE_CLOCK": "2026-06-02T09:05:00+07:00"}
    env.pop("ANTRE_CLOCK_ANCHOR", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    start = dt.datetime.fromisoformat(out[0])
    assert abs(start - dt.datetime(2026, 6, 2, 2, 5, tzinfo=dt.UTC)) < dt.timedelta(seconds=1)
    assert 0.15 < float(out[1]) < 5


def test_processes_sharing_an_anchor_share_the_clock():
    code = "from antre.core import clock; print(clock.now().timestamp())"
    env = {
        **os.environ,
        "ANTRE_CLOCK": "2026-06-02T09:05:00+07:00",
        # The anchor was taken 100 s ago: the shared clock has run 100 s since.
        "ANTRE_CLOCK_ANCHOR": repr(dt.datetime.now(tz=dt.UTC).timestamp() - 100),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    elapsed = float(out) - dt.datetime(2026, 6, 2, 2, 5, tzinfo=dt.UTC).timestamp()
    assert 99 < elapsed < 105


@pytest.mark.parametrize("value", ["tomorrow", "2026-06-02T09:05:00", "2026-13-02T09:05+07:00"])
def test_bad_clock_values_fail_loudly(value):
    with pytest.raises(clock.ClockError):
        clock.parse_instant(value)
