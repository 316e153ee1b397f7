"""Import a file the user already has: the same path into the store as a crawler capture."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.alerts.outbox import event_sink_for_settings
from tracker.db import Database
from tracker.extract import ExtractionError, extract_text, sniff_media_type
from tracker.settings import Settings
from tracker.store import CaptureInput, Store
from tracker.symbols import filename_to_symbol, normalise_symbol

FORMAT_OF_MEDIA_TYPE = {"application/pdf": "pdf", "text/html": "html", "text/plain": "text"}
LANGUAGES = {"en", "fr", "es", "ru", "zh", "ar"}


def guess_format(head: bytes, path: Path) -> str:
    return FORMAT_OF_MEDIA_TYPE.get(sniff_media_type(head, url=path.name), "text")


def ingest_file(
    db: Database,
    settings: Settings,
    path: Path,
    *,
    symbol: str | None = None,
    lang: str = "en",
    fmt: str | None = None,
    kind: str = "symbol",
    url: str | None = None,
) -> dict[str, Any]:
    """Record `path` as a capture of document `symbol` in `lang`; return what happened."""
    if lang == "ch":
        lang = "zh"  # UN links use `ch` for Chinese
    if kind == "symbol" and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(sorted(LANGUAGES))}")
    size = os.stat(path).st_size
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory")
    body: bytes | None = None
    if size <= settings.max_body_bytes:
        body = path.read_bytes()
    if fmt is None:
        with open(path, "rb") as fh:
            fmt = guess_format(fh.read(4096), path)
    key = symbol
    if key is None:
        key = filename_to_symbol(path.name)
    if key is None and body is not None:
        try:
            key = extract_text(body, url=str(path)).symbol
        except ExtractionError:
            key = None
    if key is None:
        raise ValueError(f"{path.name}: no UN symbol in the file name or first page; give --symbol")
    if kind == "symbol":
        key = normalise_symbol(key) or key
    inp = CaptureInput(
        key=key,
        kind=kind,
        lang=lang,
        format=fmt,
        url=url or path.resolve().as_uri(),
        status=200,
        body=body,
        size=size,
        fetched_at=datetime.now(UTC),
        source="ingest",
    )
    store = Store(db, settings, event_sink=event_sink_for_settings(settings))
    result = store.record_capture(inp)
    out = asdict(result)
    out.update(key=key, lang=lang, format=fmt, outcome=str(result.outcome))
    return out
