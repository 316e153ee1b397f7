"""When sources run: APScheduler triggers built from a source's `every` or `cron`.

An interval source runs on a fixed phase within its period, derived from its name (as
Prometheus spreads its scrapes): 500 sources "every 1m" then start a few each second instead of
all in the same second, which no machine could start on time. Each still runs once a period,
and its phase survives restarts (it is a function of the name). A cron source runs when its
expression says, to the second.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.config import Source

CRON_MISFIRE_GRACE = 3600  # a cron run late by up to an hour still runs (once, coalesced)
PHASE_ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)
FIRST_RUN_WAIT = 60.0  # a new source waits at most this long for its phase, else runs at once


def phase_of(name: str, period: float) -> float:
    """Seconds into each period at which the source `name` runs: stable, spread evenly."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * period


class PhasedIntervalTrigger(IntervalTrigger):
    """Fires at PHASE_ANCHOR + phase + k * interval, plus the source's jitter.

    APScheduler's IntervalTrigger counts from the previous run (jitter included), so sources
    started together stay together forever and jitter drifts the schedule; this one always
    returns the next point of its fixed grid.
    """

    def __init__(self, seconds: float, phase: float, jitter: int | None = None) -> None:
        super().__init__(
            seconds=seconds,
            start_date=PHASE_ANCHOR + timedelta(seconds=phase),
            jitter=jitter,
            timezone=UTC,
        )

    def next_slot(self, after: datetime, *, inclusive: bool = False) -> datetime:
        """The first point of the grid at or after (`inclusive`) or strictly after `after`."""
        start, period = self.start_date.timestamp(), self.interval_length
        # datetimes hold microseconds: a slot read back may sit a hair before the true point,
        # so steps are rounded to the microsecond before choosing the next one.
        steps = round((after.timestamp() - start) / period, 6)
        k = max(0, math.ceil(steps) if inclusive else math.floor(steps) + 1)
        slot = datetime.fromtimestamp(start + k * period, tz=UTC)
        while slot < after or (slot == after and not inclusive):  # never the same slot again
            k += 1
            slot = datetime.fromtimestamp(start + k * period, tz=UTC)
        return slot

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is not None:
            slot = self.next_slot(previous_fire_time)
        else:
            slot = self.next_slot(now, inclusive=True)
        if self.jitter:
            slot += timedelta(seconds=random.uniform(0, self.jitter))
        return slot

    def __str__(self) -> str:
        phase = (self.start_date - PHASE_ANCHOR).total_seconds()
        return f"interval[{self.interval!s}, phase {phase:.3f} s, jitter {self.jitter or 0}]"


def source_trigger(source: Source) -> BaseTrigger:
    jitter = source.jitter or None
    if source.interval is not None:
        period = source.interval.total_seconds()
        return PhasedIntervalTrigger(period, phase_of(source.name, period), jitter)
    assert source.cron is not None
    return CronTrigger(**cron_fields(source.cron), jitter=jitter, timezone=UTC)


def cron_fields(expr: str) -> dict[str, str]:
    # CronTrigger.from_crontab takes no jitter, so the five fields are passed by name.
    minute, hour, day, month, day_of_week = expr.split()
    return {
        "minute": minute,
        "hour": hour,
        "day": day,
        "month": month,
        "day_of_week": day_of_week,
    }


def first_run(trigger: BaseTrigger, now: datetime) -> datetime:
    """When a new or changed source first runs: at once, or for an interval source at its
    phase when that comes within FIRST_RUN_WAIT seconds; plus the trigger's jitter.
    (At once, or a new daily source would wait up to a day for its first crawl.)"""
    first = now
    if isinstance(trigger, PhasedIntervalTrigger):
        slot = trigger.next_slot(now, inclusive=True)
        if (slot - now).total_seconds() <= FIRST_RUN_WAIT:
            first = slot
    jitter = getattr(trigger, "jitter", None)
    return first + timedelta(seconds=random.uniform(0, jitter)) if jitter else first


def misfire_grace(source: Source) -> int:
    """A run late by less than one period still runs; a later one is skipped (the next is due)."""
    if source.interval is not None:
        return max(1, int(source.interval.total_seconds()))
    return CRON_MISFIRE_GRACE
