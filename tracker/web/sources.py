"""Crawl runs and configured sources with their last run: what the dashboard's health shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.config import Config
from tracker.models import CrawlRun
from tracker.web.data import iso

OK_STATUSES = {
    "ok",
    "success",
    "succeeded",
    "finished",
    "done",
    "completed",
    "running",
    "interrupted",
}


def run_json(run: CrawlRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "source": run.source,
        "spider": run.spider,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "status": run.status,
        "counts": run.counts or {},
    }


def list_runs(
    session: Session, *, source: str | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    query = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
    if source:
        query = query.where(CrawlRun.source == source)
    return [run_json(r) for r in session.execute(query.limit(limit).offset(offset)).scalars()]


def failing(run: dict[str, Any] | None) -> bool:
    return run is not None and str(run["status"]).lower() not in OK_STATUSES


def list_sources(session: Session, config: Config) -> list[dict[str, Any]]:
    """Configured sources (and sources only seen in runs), failing ones first."""
    latest_ids = select(func.max(CrawlRun.id)).group_by(CrawlRun.source)
    last = {
        r.source: run_json(r)
        for r in session.execute(select(CrawlRun).where(CrawlRun.id.in_(latest_ids))).scalars()
    }
    out = []
    for src in config.sources:
        out.append(
            {
                "name": src.name,
                "spider": src.spider,
                "targets": src.targets,
                "languages": src.languages,
                "schedule": src.every or src.cron,
                "enabled": src.enabled,
                "configured": True,
                "last_run": last.pop(src.name, None),
            }
        )
    for name, run in last.items():
        out.append(
            {
                "name": name,
                "spider": run["spider"],
                "targets": [],
                "languages": [],
                "schedule": None,
                "enabled": False,
                "configured": False,
                "last_run": run,
            }
        )
    out.sort(key=lambda s: (not failing(s["last_run"]), s["last_run"] is None, s["name"]))
    return out
