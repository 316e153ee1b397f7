"""Run a crawl in a child process and record it as a crawl run. No Scrapy import here.

The child is `python -m crawler.run`; it prints progress as `@dw {json}` lines on stdout and its
log on stderr. The parent owns the crawl-run row: it is written before the child starts and
closed after it ends, whatever happened to the child (finished, failed, killed, timed out).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.settings import Settings
from tracker.store import Store

PROGRESS_PREFIX = "@dw "
LOG_TAIL_LINES = 200


@dataclass
class CrawlResult:
    run_id: int
    status: str  # finished | failed | timeout | interrupted
    returncode: int | None
    seconds: float
    counts: dict[str, Any] = field(default_factory=dict)
    log_tail: str = ""


@dataclass
class CrawlRequest:
    """One crawl of a batch (`run_crawls`): what `run_crawl` takes, less the Scrapy settings."""

    spider: str
    targets: list[str] = field(default_factory=list)
    source: str | None = None
    timeout: float | None = None  # seconds; None: settings.crawl_timeout
    spider_args: dict[str, Any] = field(default_factory=dict)


def crawl_command(
    spider: str,
    targets: list[str],
    run_id: int,
    source: str,
    scrapy_settings: dict[str, Any],
    spider_args: dict[str, Any],
) -> list[str]:
    cmd = [sys.executable, "-m", "crawler.run", spider, *targets, "--run-id", str(run_id)]
    cmd += ["--source", source]
    for name, value in scrapy_settings.items():
        cmd += ["--set", f"{name}={json.dumps(value)}"]
    for name, value in spider_args.items():
        cmd += ["-a", f"{name}={value}"]
    return cmd


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["DISARMWATCH_DATABASE_URL"] = settings.effective_database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _spawn(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,  # its own process group: killing it takes its children too
    )


def _read_output(
    proc: subprocess.Popen[str], tail: deque[str], on_data: Callable[[dict[str, Any]], None]
) -> list[threading.Thread]:
    """Threads that hand each progress line's JSON to `on_data` and keep the rest in `tail`."""

    def read_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.startswith(PROGRESS_PREFIX):
                tail.append(line.rstrip("\n"))
                continue
            try:
                data = json.loads(line[len(PROGRESS_PREFIX) :])
            except json.JSONDecodeError:
                continue
            on_data(data)

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line.rstrip("\n"))

    readers = [threading.Thread(target=f, daemon=True) for f in (read_stdout, read_stderr)]
    for reader in readers:
        reader.start()
    return readers


def run_crawl(
    store: Store,
    settings: Settings,
    spider: str,
    targets: list[str] | None = None,
    *,
    source: str | None = None,
    timeout: float | None = None,
    scrapy_settings: dict[str, Any] | None = None,
    spider_args: dict[str, Any] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    stop: threading.Event | None = None,
    grace: float = 10.0,
) -> CrawlResult:
    """Run `spider` over `targets` in a child process; return its run's status and counts.

    `stop` lets a service end the crawl early (SIGTERM, then SIGKILL after `grace` seconds);
    the run is then marked `interrupted`. Everything the child stored before stays stored:
    each capture was its own transaction.
    """
    source = source or spider
    run_id = store.start_run(source, spider)
    cmd = crawl_command(
        spider, list(targets or []), run_id, source, scrapy_settings or {}, spider_args or {}
    )
    started = time.monotonic()
    proc = _spawn(cmd, _child_env(settings))
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    last: dict[str, Any] = {}

    def on_data(data: dict[str, Any]) -> None:
        last.clear()
        last.update(data)
        if on_progress is not None:
            on_progress(data)

    readers = _read_output(proc, tail, on_data)
    limit = timeout if timeout is not None else settings.crawl_timeout
    status = "finished"
    while proc.poll() is None:
        if time.monotonic() - started > limit:
            status = "timeout"
            _end(proc, grace)
            tail.append(f"disarmwatch: crawl ended after its time limit of {limit:.0f} s")
            break
        if stop is not None and stop.is_set():
            status = "interrupted"
            _end(proc, grace)
            tail.append("disarmwatch: crawl interrupted by shutdown")
            break
        time.sleep(0.1)
    proc.wait()
    for reader in readers:
        reader.join(timeout=5)
    if status == "finished" and proc.returncode != 0:
        status = "failed"
    counts = {k: v for k, v in last.items() if k not in ("type", "run_id")}
    seconds = time.monotonic() - started
    counts["seconds"] = round(seconds, 3)
    log_tail = "\n".join(tail)
    store.finish_run(run_id, status=status, counts=counts, log_tail=log_tail)
    return CrawlResult(run_id, status, proc.returncode, seconds, counts, log_tail)


def batch_command(batch_file: str, scrapy_settings: dict[str, Any]) -> list[str]:
    cmd = [sys.executable, "-m", "crawler.run", "--batch", batch_file]
    for name, value in scrapy_settings.items():
        cmd += ["--set", f"{name}={json.dumps(value)}"]
    return cmd


def run_crawls(
    store: Store,
    settings: Settings,
    requests: list[CrawlRequest],
    *,
    scrapy_settings: dict[str, Any] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    on_result: Callable[[int, CrawlResult], None] | None = None,
    stop: threading.Event | None = None,
    grace: float = 10.0,
) -> list[CrawlResult]:
    """Run several crawls in one child process (one Python + Scrapy start-up for all of them).

    Each crawl gets its own run row, finished with its own counts as soon as its summary line
    arrives (`on_result(index, result)` is called then, so a caller need not wait for the
    whole batch). Each has its own time limit inside the child (Scrapy's CLOSESPIDER_TIMEOUT;
    the run is then `timeout`); a run with no summary `grace` seconds after its limit is closed
    as `timeout`, and the child is ended `grace` seconds after the longest limit. A run with no
    summary when the child ends is `interrupted` (`stop` was set) or `failed` (the child died
    or never ran it).
    """
    if not requests:
        return []
    limits = [r.timeout if r.timeout is not None else settings.crawl_timeout for r in requests]
    run_ids = [store.start_run(r.source or r.spider, r.spider) for r in requests]
    batch = [
        {
            "spider": r.spider,
            "targets": list(r.targets),
            "run_id": run_id,
            "source": r.source or r.spider,
            "spider_args": dict(r.spider_args),
            "timeout": limit,
        }
        for r, run_id, limit in zip(requests, run_ids, limits, strict=True)
    ]
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", prefix="dw-batch-", delete=False, encoding="utf-8"
    ) as f:
        json.dump(batch, f)
        batch_file = f.name
    started = time.monotonic()
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    last: dict[int, dict[str, Any]] = {run_id: {} for run_id in run_ids}
    ended: dict[int, float] = {}  # run id -> seconds when its summary arrived
    try:
        proc = _spawn(batch_command(batch_file, scrapy_settings or {}), _child_env(settings))
    except BaseException:
        os.unlink(batch_file)
        for run_id in run_ids:
            store.finish_run(
                run_id, status="failed", counts={}, log_tail="disarmwatch: could not start"
            )
        raise

    def on_data(data: dict[str, Any]) -> None:
        run_id = data.get("run_id")
        if run_id not in last:
            return
        last[run_id] = data
        if data.get("type") == "summary":
            ended[run_id] = time.monotonic() - started
        if on_progress is not None:
            on_progress(data)

    readers = _read_output(proc, tail, on_data)
    results: dict[int, CrawlResult] = {}

    def finish(i: int, ending: str = "") -> None:
        """Close run i's row: from its summary if it arrived, else as `ending` says."""
        run_id, limit = run_ids[i], limits[i]
        data = dict(last[run_id])
        notes = [f"disarmwatch: one of {len(run_ids)} crawls run in one process"]
        timed_out = f"disarmwatch: crawl ended after its time limit of {limit:.0f} s"
        if data.get("type") == "summary":
            reason = data.get("reason")
            if reason == "closespider_timeout":
                status = "timeout"
                notes.append(timed_out)
            elif reason != "finished" and ending == "interrupted":
                status = "interrupted"
                notes.append("disarmwatch: crawl interrupted by shutdown")
            else:
                status = "finished"
        elif ending == "timeout":
            status = "timeout"
            notes.append(timed_out)
        elif ending == "interrupted":
            status = "interrupted"
            notes.append("disarmwatch: crawl interrupted by shutdown")
        else:
            status = "failed"
            notes.append("disarmwatch: the crawl process ended without this crawl's summary")
        seconds = ended.get(run_id, time.monotonic() - started)
        counts = {k: v for k, v in data.items() if k not in ("type", "run_id")}
        counts["seconds"] = round(seconds, 3)
        shared = "\n".join(tail)
        log_tail = "\n".join([shared, *notes]) if shared else "\n".join(notes)
        store.finish_run(run_id, status=status, counts=counts, log_tail=log_tail)
        result = CrawlResult(run_id, status, proc.returncode, seconds, counts, log_tail)
        results[run_id] = result
        if on_result is not None:
            on_result(i, result)

    overall = max(limits) + grace
    ending = ""  # why the child was ended: timeout | interrupted
    try:
        while proc.poll() is None:
            now = time.monotonic() - started
            for i, run_id in enumerate(run_ids):
                if run_id in results:
                    continue
                if run_id in ended:
                    finish(i)
                elif now > limits[i] + grace:
                    # Scrapy closed it at its limit but waits for downloads in flight; its row
                    # is closed now, and whatever it still stores stays stored.
                    finish(i, "timeout")
            if now > overall:
                ending = "timeout"
                _end(proc, grace)
                break
            if stop is not None and stop.is_set():
                ending = "interrupted"
                _end(proc, grace)
                break
            time.sleep(0.1)
        proc.wait()
        for reader in readers:
            reader.join(timeout=5)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(batch_file)
        for i, run_id in enumerate(run_ids):
            if run_id not in results:
                finish(i, ending)
    return [results[run_id] for run_id in run_ids]


def _end(proc: subprocess.Popen[str], grace: float) -> None:
    """SIGTERM the crawl's process group (Scrapy then closes cleanly), SIGKILL after `grace`."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
