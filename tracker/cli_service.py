"""`disarmwatch serve`, `demo`, `sources` and `runs`: the service's commands.

`register(app)` adds them to the main Typer app (tracker/cli.py calls it).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select, text

from tracker.config import Config, ConfigError, load_config
from tracker.models import CrawlRun
from tracker.service.scheduler import JOBSTORE_TABLE, SOURCE_PREFIX

CONFIG_ERROR_EXIT = 2

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _cli() -> Any:
    # tracker.cli imports this module at its end: import it lazily to avoid a cycle.
    from tracker import cli

    return cli


def load_config_or_exit(settings: Any) -> Config:
    try:
        return load_config(settings.config_file)
    except ConfigError as exc:
        _cli().fail(f"configuration error: {exc}", code=CONFIG_ERROR_EXIT)
        raise  # unreachable: fail() exits


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """Scrapy settings NAME=VALUE (JSON values where they parse, else strings)."""
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            _cli().fail(f"--set: expected NAME=VALUE, got {item!r}")
        try:
            out[name] = json.loads(value)
        except json.JSONDecodeError:
            out[name] = value
    return out


def serve(
    host: Annotated[str | None, typer.Option(help="Web address (default: web_host).")] = None,
    port: Annotated[int | None, typer.Option(help="Web port (default: web_port).")] = None,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Web only: run no crawls.")
    ] = False,
    no_web: Annotated[bool, typer.Option("--no-web", help="Scheduler only: no web/API.")] = False,
    workers: Annotated[int, typer.Option(help="Crawls that may run at once.")] = 4,
    crawl_workers: Annotated[
        int | None,
        typer.Option(
            help="Long-lived crawl processes to run crawls in; 0: a new process per crawl "
            "(default: the crawl_workers setting, 2)."
        ),
    ] = None,
    grace: Annotated[
        float, typer.Option(help="Seconds a running crawl gets to stop on SIGTERM.")
    ] = 10.0,
    scrapy_set: Annotated[
        list[str] | None,
        typer.Option("--set", help="Scrapy setting NAME=VALUE for every crawl, repeatable."),
    ] = None,
) -> None:
    """Run the service: scheduled crawls, alert delivery, and the web/API (127.0.0.1:8000)."""
    from tracker.service.logs import setup_logging
    from tracker.service.runner import Service, ServiceOptions

    cli = _cli()
    if no_scheduler and no_web:
        cli.fail("--no-scheduler and --no-web together leave nothing to run", code=2)
    settings = cli.state.settings()
    if crawl_workers is not None:
        if crawl_workers < 0:
            cli.fail("--crawl-workers must be 0 or more", code=2)
        settings.crawl_workers = crawl_workers
    config = load_config_or_exit(settings)
    try:
        setup_logging(settings)
    except ValueError as exc:
        cli.fail(f"configuration error: {exc}", code=CONFIG_ERROR_EXIT)
    db = cli.state.database()  # applies migrations
    options = ServiceOptions(
        scheduler=not no_scheduler,
        web=not no_web,
        host=host,
        port=port,
        workers=workers,
        grace=grace,
        scrapy_settings=parse_sets(scrapy_set),
    )
    try:
        Service(settings, config, db, options).run()
    finally:
        db.dispose()


def demo(
    port: Annotated[int, typer.Option(help="Web port of the demo service.")] = 8000,
    round_every: Annotated[
        float, typer.Option(help="Seconds between the scenario's rounds of changes.")
    ] = 60.0,
    data_dir: Annotated[
        str | None, typer.Option(help="Keep the demo database here (default: a temporary dir).")
    ] = None,
) -> None:
    """Watch a local UN mirror that changes every minute: crawls, events and alerts, offline."""
    from tracker.service.demo import run_demo

    raise typer.Exit(run_demo(port=port, round_every=round_every, data_dir=data_dir))


def _next_runs(db: Any) -> dict[str, datetime | None]:
    # Read the job store's table directly: no scheduler needed, no job unpickled.
    with db.engine.connect() as conn:
        rows = conn.execute(text(f"select id, next_run_time from {JOBSTORE_TABLE}")).all()
    return {
        job_id.removeprefix(SOURCE_PREFIX): (
            datetime.fromtimestamp(t, UTC) if t is not None else None
        )
        for job_id, t in rows
        if job_id.startswith(SOURCE_PREFIX)
    }


def _run_dict(run: CrawlRun) -> dict[str, Any]:
    started, finished = run.started_at, run.finished_at
    seconds = (finished - started).total_seconds() if finished and started else None
    counts = run.counts or {}
    return {
        "id": run.id,
        "source": run.source,
        "spider": run.spider,
        "started_at": started,
        "finished_at": finished,
        "seconds": round(seconds, 1) if seconds is not None else None,
        "status": run.status,
        "captures": counts.get("captures", 0),
        "outcomes": counts.get("outcomes", {}),
        "events": counts.get("events", 0),
        "errors": counts.get("errors", 0),
        "error_tail": _error_tail(run) if run.status != "finished" else None,
    }


def _error_tail(run: CrawlRun) -> str:
    lines = [line for line in (run.log_tail or "").splitlines() if line.strip()]
    return "\n".join(lines[-3:])


def _fmt_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def sources(as_json: JsonOption = False) -> None:
    """What is watched: each source's spider, targets, schedule, next run and last run."""
    cli = _cli()
    settings = cli.state.settings()
    config = load_config_or_exit(settings)
    db = cli.state.database()
    try:
        next_runs = _next_runs(db)
        with db.session() as session:
            runs = {}
            for source in config.sources:
                run = session.scalars(
                    select(CrawlRun)
                    .where(CrawlRun.source == source.name)
                    .order_by(CrawlRun.id.desc())
                    .limit(1)
                ).first()
                runs[source.name] = _run_dict(run) if run is not None else None
    finally:
        db.dispose()
    rows = [
        {
            "name": s.name,
            "spider": s.spider,
            "targets": s.targets,
            "languages": s.languages,
            "schedule": f"every {s.every}" if s.every else f"cron {s.cron}",
            "jitter": s.jitter,
            "enabled": s.enabled,
            "next_run": next_runs.get(s.name),
            "last_run": runs[s.name],
        }
        for s in config.sources
    ]
    if as_json:
        cli.print_json(rows)
        return
    if not rows:
        cli.console.print(f"no sources configured in {settings.config_file or '(no file)'}")
        return
    table = Table("source", "spider", "targets", "schedule", "next run (UTC)", "last run")
    for row in rows:
        last = row["last_run"]
        last_text = (
            f"{last['status']} {_fmt_time(last['started_at'])} ({last['captures']} captures)"
            if last
            else "never"
        )
        targets = ", ".join(row["targets"]) or "(watched)"
        table.add_row(
            row["name"] + ("" if row["enabled"] else " (disabled)"),
            row["spider"],
            targets if len(targets) < 50 else targets[:47] + "...",
            row["schedule"],
            _fmt_time(row["next_run"]) if row["enabled"] else "-",
            last_text,
        )
    cli.console.print(table)


def runs(
    source: Annotated[str | None, typer.Option(help="Only this source's runs.")] = None,
    status: Annotated[
        str | None, typer.Option(help="finished, failed, timeout, interrupted, running.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Crawl runs, newest first: when, how long, captures by outcome, errors."""
    cli = _cli()
    db = cli.state.database()
    try:
        with db.session() as session:
            query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
            if source:
                query = query.where(CrawlRun.source == source)
            if status:
                query = query.where(CrawlRun.status == status)
            rows = [_run_dict(run) for run in session.scalars(query)]
    finally:
        db.dispose()
    if as_json:
        cli.print_json(rows)
        return
    table = Table("run", "source", "started (UTC)", "seconds", "status", "captures", "events")
    for row in rows:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(row["outcomes"].items()))
        table.add_row(
            str(row["id"]),
            row["source"],
            _fmt_time(row["started_at"]),
            "-" if row["seconds"] is None else f"{row['seconds']:.1f}",
            row["status"],
            f"{row['captures']}" + (f" ({outcomes})" if outcomes else ""),
            str(row["events"]),
        )
    cli.console.print(table)
    for row in rows:
        if row["error_tail"]:
            cli.err_console.print(
                f"run {row['id']} ({row['status']}):\n{row['error_tail']}",
                highlight=False,
                markup=False,
            )


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(demo)
    app.command()(sources)
    app.command()(runs)
