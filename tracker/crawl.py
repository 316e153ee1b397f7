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
    """One crawl for a crawl pool (`tracker.crawl_pool`): what `run_crawl` takes, less the
    Scrapy settings, which are the pool's."""

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


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["DISARMWATCH_DATABASE_URL"] = settings.effective_database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


INTERRUPTED_NOTE = "disarmwatch: crawl interrupted by shutdown"


def timeout_note(limit: float) -> str:
    return f"disarmwatch: crawl ended after its time limit of {limit:.0f} s"


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


def read_output(
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
    proc = _spawn(cmd, child_env(settings))
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    last: dict[str, Any] = {}

    def on_data(data: dict[str, Any]) -> None:
        if data.get("type") in ("progress", "summary"):  # the counts; "started" has none
            last.clear()
            last.update(data)
        if on_progress is not None:
            on_progress(data)

    readers = read_output(proc, tail, on_data)
    limit = timeout if timeout is not None else settings.crawl_timeout
    status = "finished"
    while proc.poll() is None:
        if time.monotonic() - started > limit:
            status = "timeout"
            _end(proc, grace)
            tail.append(timeout_note(limit))
            break
        if stop is not None and stop.is_set():
            status = "interrupted"
            _end(proc, grace)
            tail.append(INTERRUPTED_NOTE)
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
