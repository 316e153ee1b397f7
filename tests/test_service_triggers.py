"""Interval sources run on a fixed phase of their period (tracker.service.triggers)."""

from __future__ import annotations

import pickle
from collections import Counter
from datetime import UTC, datetime, timedelta

from tracker.config import Source
from tracker.service.triggers import (
    FIRST_RUN_WAIT,
    PhasedIntervalTrigger,
    first_run,
    phase_of,
    source_trigger,
)

NOW = datetime(2026, 11, 24, 12, 0, 0, 250000, tzinfo=UTC)


def test_phase_is_stable_and_spreads_sources_over_the_period() -> None:
    assert phase_of("tpnw-status", 60) == phase_of("tpnw-status", 60)
    phases = [phase_of(f"source-{i:03d}", 60) for i in range(500)]
    assert all(0 <= p < 60 for p in phases)
    per_second = Counter(int(p) for p in phases)
    # 500 sources over 60 s: about 8 a second, never a crowd in one second.
    assert len(per_second) == 60 and max(per_second.values()) <= 20


def test_runs_once_a_period_on_a_fixed_grid_that_jitter_does_not_drift() -> None:
    trigger = PhasedIntervalTrigger(60, phase=12.5)
    first = trigger.get_next_fire_time(None, NOW)
    assert first >= NOW and first - NOW <= timedelta(seconds=60)
    assert first.second == 12 and first.microsecond == 500000
    times = [first]
    for _ in range(5):
        times.append(trigger.get_next_fire_time(times[-1], times[-1]))
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {timedelta(seconds=60)}
    jittered = PhasedIntervalTrigger(60, phase=12.5, jitter=20)
    previous = first + timedelta(seconds=17)  # a run that jitter made 17 s late
    following = jittered.get_next_fire_time(previous, previous)
    assert first + timedelta(seconds=60) <= following <= first + timedelta(seconds=80)


def test_survives_the_job_store_pickle() -> None:
    trigger = source_trigger(Source("s0001", "igov", every="1m", jitter=3))
    restored = pickle.loads(pickle.dumps(trigger))
    assert isinstance(restored, PhasedIntervalTrigger)
    assert str(restored) == str(trigger) and "phase" in str(trigger)
    assert restored.jitter == 3
    plain = source_trigger(Source("s0001", "igov", every="1m"))
    again = pickle.loads(pickle.dumps(plain))
    assert again.get_next_fire_time(None, NOW) == plain.get_next_fire_time(None, NOW)


def test_first_run_waits_for_a_near_phase_else_runs_at_once() -> None:
    minute = source_trigger(Source("every-minute", "igov", every="1m"))
    start = first_run(minute, NOW)
    assert NOW <= start <= NOW + timedelta(seconds=60)
    assert start == minute.get_next_fire_time(None, NOW)
    daily = PhasedIntervalTrigger(86400, phase=43200.0)  # its slot is hours away from NOW
    assert first_run(daily, NOW) == NOW
    near = PhasedIntervalTrigger(
        86400,
        phase=(NOW - NOW.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds() + 30,
    )
    assert first_run(near, NOW) == NOW + timedelta(seconds=30)
    assert FIRST_RUN_WAIT >= 30
    cron = source_trigger(Source("nightly", "igov", cron="0 3 * * *"))
    assert first_run(cron, NOW) == NOW


def test_next_fire_time_always_moves_forward() -> None:
    # APScheduler loops until a fire time passes `now`: returning the same slot twice would
    # loop for ever (microsecond rounding of a slot read back from a datetime did that).
    for period in (1, 7, 60, 3600):
        for name in ("a", "replies", "s0042", "tpnw-status"):
            trigger = source_trigger(Source(name, "igov", every=f"{period}s"))
            fire = trigger.get_next_fire_time(None, NOW)
            for _ in range(200):
                following = trigger.get_next_fire_time(fire, fire)
                assert following - fire == timedelta(seconds=period)
                fire = following
