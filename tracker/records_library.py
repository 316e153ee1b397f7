"""Digital Library metadata as structured rows: one row per MARC record (`library_record`).

Row shape (built by `crawler.spiders.library.parse_marcxml`):

    {"symbol": "A/C.1/80/L.1", "recid": "4026910", "title": ..., "subtitle": ...,
     "date": "2025-10-09", "languages": ["eng"],
     "agenda": [{"symbol": "A/80/150", "item": "99", "title": ...}],
     "related": [{"symbol": "A/RES/80/23", "type": "resolution"}],
     "files": [{"lang": "en", "label": "English", "path": "/record/1/files/X-EN.pdf",
                "size": 12345}]}

Field 005 (last modified) is deliberately not part of the row: the library bumps it for
cataloguing work nobody watches, so a 005-only change is the same content (no version, no
event). The spider keeps it in the document's meta instead.

Events (never on the first capture: the store raises `new_document` then):
- a related resolution or decision appears (993): `proposal_stage` - the draft was adopted;
  it carries the resolution symbol, like the iGov source's adoption stage;
- title, subtitle, date, agenda, other related documents, language files added or removed:
  one `new_version` event per record naming what changed;
- anything else (file sizes, record id, language codes): a new version, silently.
"""

from __future__ import annotations

from typing import Any

from tracker.records import RecordEvent, RecordKind, Row

# Related documents that mean "this draft was adopted as ...".
OUTCOME_TYPES = ("resolution", "decision")
# Fields whose change is worth telling, with the word used in a summary.
WATCHED_FIELDS = {"title": "title", "subtitle": "subtitle", "date": "date", "agenda": "agenda"}


def related_type(symbol: str) -> str:
    """What a 993 related document is, from its symbol (the indicator codes are undocumented)."""
    upper = symbol.upper()
    if "/RES/" in upper:
        return "resolution"
    if "/DEC/" in upper:
        return "decision"
    if "/L." in upper:
        return "draft"
    if "/PV." in upper or "/SR." in upper:
        return "meeting record"
    return "document"


def _langs(row: Row) -> set[str]:
    return {f["lang"] for f in row.get("files", []) if f.get("lang")}


def _related(row: Row) -> dict[str, str]:
    return {r["symbol"]: r.get("type", "document") for r in row.get("related", [])}


def _field_changes(old: Row, new: Row) -> list[str]:
    """Readable descriptions of the watched changes between two versions of one record."""
    out: list[str] = []
    for fld, word in WATCHED_FIELDS.items():
        if old.get(fld) != new.get(fld):
            if fld == "agenda":
                out.append("agenda changed")
            else:
                out.append(f"{word} {old.get(fld) or '-'!r} -> {new.get(fld) or '-'!r}")
    added_langs = sorted(_langs(new) - _langs(old))
    removed_langs = sorted(_langs(old) - _langs(new))
    if added_langs:
        out.append("new language files: " + ", ".join(added_langs))
    if removed_langs:
        out.append("language files removed: " + ", ".join(removed_langs))
    old_rel, new_rel = _related(old), _related(new)
    for symbol in sorted(new_rel.keys() - old_rel.keys()):
        if new_rel[symbol] not in OUTCOME_TYPES:
            out.append(f"related {new_rel[symbol]} {symbol} added")
    for symbol in sorted(old_rel.keys() - new_rel.keys()):
        out.append(f"related {old_rel[symbol]} {symbol} removed")
    return out


class LibraryRecords(RecordKind):
    """Digital Library MARC records, one row per record, identified by their symbol."""

    name = "library_record"

    def row_key(self, row: Row) -> str:
        return str(row.get("symbol") or f"recid:{row.get('recid')}")

    def row_text(self, row: Row) -> str:
        title = " : ".join(x for x in (row.get("title"), row.get("subtitle")) if x)
        parts = [f"{row.get('symbol')} (record {row.get('recid')}): {title}"]
        if row.get("date"):
            parts.append(f"date {row['date']}")
        for item in row.get("agenda", []):
            parts.append(f"agenda {item.get('symbol') or ''} item {item.get('item') or ''}")
        for rel in row.get("related", []):
            parts.append(f"related {rel.get('type')} {rel.get('symbol')}")
        langs = sorted(_langs(row))
        if langs:
            parts.append("files " + " ".join(langs))
        return " | ".join(parts)

    def events(self, label: str, old: list[Row] | None, new: list[Row]) -> list[RecordEvent]:
        if old is None:
            return []
        changes = self.compare(old, new)
        out: list[RecordEvent] = []
        for row in changes.added:
            out.append(self._listed(row, "now listed"))
        for row in changes.removed:
            out.append(self._listed(row, "no longer listed"))
        for old_row, new_row in changes.changed:
            out += self._adoptions(old_row, new_row)
            described = _field_changes(old_row, new_row)
            if described:
                out.append(self._changed(old_row, new_row, described))
        return out

    @staticmethod
    def _listed(row: Row, verb: str) -> RecordEvent:
        return RecordEvent(
            "new_version",
            f"{row.get('symbol')}: {verb} in the Digital Library (record {row.get('recid')})",
            {"symbol": row.get("symbol"), "recid": row.get("recid"), "change": verb},
        )

    @staticmethod
    def _adoptions(old: Row, new: Row) -> list[RecordEvent]:
        """A resolution or decision newly related to a record: the draft was adopted."""
        old_rel, new_rel = _related(old), _related(new)
        out = []
        for symbol in sorted(new_rel.keys() - old_rel.keys()):
            kind = new_rel[symbol]
            if kind not in OUTCOME_TYPES:
                continue
            stage: dict[str, Any] = {"stage": "Adoption", kind: symbol, "source": "library"}
            out.append(
                RecordEvent(
                    "proposal_stage",
                    f"{new.get('symbol')}: adopted as {kind} {symbol} (Digital Library)",
                    {
                        "symbol": new.get("symbol"),
                        "title": new.get("title"),
                        "recid": new.get("recid"),
                        "stage": stage,
                        "resolution": symbol if kind == "resolution" else None,
                        "decision": symbol if kind == "decision" else None,
                    },
                )
            )
        return out

    @staticmethod
    def _changed(old: Row, new: Row, described: list[str]) -> RecordEvent:
        fields = ("title", "subtitle", "date", "agenda", "related", "files")
        return RecordEvent(
            "new_version",
            f"{new.get('symbol')}: Digital Library record changed: " + "; ".join(described),
            {
                "symbol": new.get("symbol"),
                "recid": new.get("recid"),
                "changes": described,
                "old": {f: old.get(f) for f in fields if old.get(f) != new.get(f)},
                "new": {f: new.get(f) for f in fields if old.get(f) != new.get(f)},
            },
        )
