"""What a spider should fetch when it is given no targets: what its source watches in the store.

This is the spiders' only read of the store, and it is read-only; all writes go through the
pipeline.
"""

from __future__ import annotations

from tracker.db import Database
from tracker.settings import load_settings
from tracker.store import Store


def watched_keys(source: str, kind: str = "symbol") -> list[str]:
    settings = load_settings()
    db = Database.from_settings(settings)
    try:
        return [w.key for w in Store(db, settings).watches(source, kind=kind)]
    finally:
        db.dispose()
