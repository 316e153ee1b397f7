"""Write endpoints: watch or unwatch a document, add an alert rule, start a crawl.

All need `Authorization: Bearer <api_token>` (tracker.web.deps.require_token): 403 when no token
is configured (the endpoints are off), 401 without the right token, and nothing changes.

Rules are appended to the configuration file, the one place rules live: the file is validated
as a whole with `tracker.config.parse_config` (the same check as at start-up, so duplicate
names, unknown sources and bad Apprise URLs are refused with the same messages), written
atomically, and the running configuration gains the rule in place, so components holding the
`Config` object see it without a restart.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from tracker.config import Config, ConfigError, parse_config
from tracker.models import Watch
from tracker.store import Store
from tracker.web.deps import require_token

router = APIRouter(prefix="/api", tags=["write"], dependencies=[Depends(require_token)])
_CONFIG_LOCK = threading.Lock()


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, max_length=128, pattern=r"^[^\x00]+$")
    key: str = Field(min_length=1, max_length=512, pattern=r"^[^\x00]+$")
    kind: str = Field("symbol", min_length=1, max_length=32, pattern=r"^[a-z_]+$")


class RuleIn(BaseModel):
    """The fields of a `[[rules]]` entry (see README, configuration)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128, pattern=r"^[^\x00]+$")
    channels: list[str] = Field(min_length=1, description="Apprise URLs")
    events: list[str] = []
    documents: list[str] = []
    sources: list[str] = []
    languages: list[str] = []
    states: list[str] = []
    words: list[str] = []
    mode: str = "instant"
    digest: str | None = None
    include_text_identical: bool = False
    max_attempts: int = Field(8, ge=1, le=100)


class CrawlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, max_length=128)


@router.post("/watches", status_code=201, summary="Watch a document for a source")
def add_watch(body: WatchIn, request: Request, response: Response) -> dict[str, Any]:
    store = Store(request.app.state.db, request.app.state.settings)
    added = store.add_watch(body.source, body.key, kind=body.kind, origin="api")
    if not added:
        response.status_code = 200
    return {"source": body.source, "kind": body.kind, "key": body.key, "added": added}


@router.delete("/watches", summary="Stop watching a document (the watch is deactivated)")
def remove_watch(
    request: Request,
    source: Annotated[str, Query(min_length=1, max_length=128)],
    key: Annotated[str, Query(min_length=1, max_length=512)],
    kind: Annotated[str, Query(max_length=32)] = "symbol",
) -> dict[str, Any]:
    with request.app.state.db.session() as session, session.begin():
        watch = session.execute(
            select(Watch).where(
                Watch.source == source, Watch.kind == kind, Watch.key == key, Watch.active
            )
        ).scalar_one_or_none()
        if watch is None:
            raise HTTPException(404, f"{source!r} does not watch {kind} {key!r}")
        watch.active = False  # kept, not deleted: its history (origin, depth) stays
    return {"source": source, "kind": kind, "key": key, "active": False}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # A JSON string without ASCII escaping is a valid TOML basic string.
    return json.dumps(str(value), ensure_ascii=False)


def rule_toml(rule: RuleIn) -> str:
    lines = ["", "[[rules]]"]
    for name, value in rule.model_dump(exclude_defaults=False).items():
        if value is None or value == []:
            continue
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@router.post("/rules", status_code=201, summary="Add an alert rule to the configuration file")
def add_rule(body: RuleIn, request: Request) -> dict[str, Any]:
    config: Config = request.app.state.config
    path = config.path or request.app.state.settings.config_file
    if path is None:
        raise HTTPException(
            409, "no configuration file to add the rule to (set DISARMWATCH_CONFIG)"
        )
    path = Path(path)
    with _CONFIG_LOCK:
        current = path.read_text("utf-8") if path.exists() else ""
        candidate = current.rstrip("\n") + "\n" + rule_toml(body)
        try:
            parsed = parse_config(candidate, path)
        except ConfigError as exc:
            raise HTTPException(422, str(exc)) from exc
        _atomic_write(path, candidate)
        config.rules.append(parsed.rule(body.name))
    return {"name": body.name, "file": str(path), "rules": [r.name for r in config.rules]}


@router.post("/crawls", status_code=202, summary="Start a crawl of a configured source")
def trigger_crawl(body: CrawlIn, request: Request) -> dict[str, Any]:
    config: Config = request.app.state.config
    if body.source not in {s.name for s in config.sources}:
        raise HTTPException(404, f"no source named {body.source!r} in the configuration")
    callback = request.app.state.trigger_crawl
    if callback is None:
        raise HTTPException(503, "crawls can only be started by `disarmwatch serve`")
    result = callback(body.source)
    if not isinstance(result, str | int | float | bool | dict | list | None):
        result = str(result)  # whatever the scheduler returns, the answer stays JSON
    return {"source": body.source, "started": True, "run": result}
