"""The undocs.org document feeds as structured rows (`feed_entries`): one row per listed symbol.

Rows: {"symbol": "A/C.1/80/L.41", "published": "2025-10-09T12:00:00+00:00"}.

A feed is recorded so that every fetch of it is a capture (failures included) and its history
can be read back; it raises no events of its own. What it finds becomes watched documents,
and the documents spider raises the events for those.
"""

from __future__ import annotations

from tracker.records import RecordEvent, RecordKind, Row


class FeedEntries(RecordKind):
    name = "feed_entries"

    def row_key(self, row: Row) -> str:
        return str(row["symbol"])

    def row_text(self, row: Row) -> str:
        return f"{row['symbol']} ({row.get('published') or 'no date'})"

    def events(self, label: str, old: list[Row] | None, new: list[Row]) -> list[RecordEvent]:
        return []  # silent: the watches it adds are its output
