"""Structured sources: rows (treaty participants, Member States' replies, iGov proposals...).

A structured capture is a set of rows. Its content is the canonical JSON of the rows sorted by
their identity, so a re-ordered table is the same content and raises nothing. Events come from
comparing the row sets of two versions (added, removed, changed rows), never from a text diff.

Each kind of row set is a small class registered by name, as urlwatch registers job kinds:
adding a source kind touches this file only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

Row = dict[str, Any]


@dataclass
class RecordEvent:
    type: str
    summary: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class RowChanges:
    added: list[Row]
    removed: list[Row]
    changed: list[tuple[Row, Row]]  # (old, new)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


class RecordKind:
    """How rows of one kind are identified, rendered as text, and turned into events."""

    name: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[RecordKind]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            RecordKind.registry[cls.name] = cls

    def row_key(self, row: Row) -> str:
        raise NotImplementedError

    def row_text(self, row: Row) -> str:
        return " | ".join(f"{k}: {v}" for k, v in sorted(row.items()) if v not in (None, "", []))

    def events(self, label: str, old: list[Row] | None, new: list[Row]) -> list[RecordEvent]:
        """Events for the change from `old` (None: first capture, nothing to compare) to `new`."""
        raise NotImplementedError

    # -- shared machinery --------------------------------------------------------------------

    def canonical(self, rows: list[Row]) -> list[Row]:
        """Rows sorted by identity, duplicates (same identity) merged: last one wins."""
        by_key = {self.row_key(r): r for r in rows}
        return [by_key[k] for k in sorted(by_key)]

    def to_bytes(self, rows: list[Row]) -> bytes:
        return json.dumps(
            {"kind": self.name, "rows": self.canonical(rows)},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode("utf-8")

    def to_text(self, rows: list[Row]) -> str:
        return "\n\n".join(self.row_text(r) for r in self.canonical(rows))

    def compare(self, old: list[Row], new: list[Row]) -> RowChanges:
        old_by = {self.row_key(r): r for r in old}
        new_by = {self.row_key(r): r for r in new}
        return RowChanges(
            added=[new_by[k] for k in sorted(new_by.keys() - old_by.keys())],
            removed=[old_by[k] for k in sorted(old_by.keys() - new_by.keys())],
            changed=[
                (old_by[k], new_by[k])
                for k in sorted(old_by.keys() & new_by.keys())
                if old_by[k] != new_by[k]
            ],
        )


def get_kind(name: str) -> RecordKind:
    try:
        return RecordKind.registry[name]()
    except KeyError:
        known = ", ".join(sorted(RecordKind.registry))
        raise ValueError(f"unknown record kind {name!r}; known: {known}") from None


# -- treaty participants -----------------------------------------------------------------------

TREATY_ACTIONS = {
    # field -> (verb for the summary, counted as)
    "signature": ("signed", "signatories"),
    "ratification": ("ratified", "parties"),
    "accession": ("acceded to", "parties"),
    "succession": ("succeeded to", "parties"),
    "acceptance": ("accepted", "parties"),
    "approval": ("approved", "parties"),
    "consent": ("consented to be bound by", "parties"),
    "withdrawal": ("withdrew from", "withdrawals"),
}


PARTY_ACTIONS = ("ratification", "accession", "succession", "acceptance", "approval", "consent")


def treaty_counts(rows: list[Row]) -> dict[str, int]:
    """Signatories, parties (ratified/acceded/succeeded, not withdrawn), withdrawals."""
    signatories = sum(1 for r in rows if r.get("signature"))
    withdrawals = sum(1 for r in rows if r.get("withdrawal"))
    parties = sum(
        1 for r in rows if not r.get("withdrawal") and any(r.get(f) for f in PARTY_ACTIONS)
    )
    return {"signatories": signatories, "parties": parties, "withdrawals": withdrawals}


class TreatyParticipants(RecordKind):
    """Rows: {"state": "Ghana", "signature": "2017-09-20", "ratification": "2020-10-22", ...}."""

    name = "treaty_participants"

    def row_key(self, row: Row) -> str:
        return str(row["state"])

    def row_text(self, row: Row) -> str:
        actions = [f"{f} {row[f]}" for f in TREATY_ACTIONS if row.get(f)]
        return f"{row['state']}: " + ("; ".join(actions) or "no action")

    def events(self, label: str, old: list[Row] | None, new: list[Row]) -> list[RecordEvent]:
        if old is None:
            return []
        before, after = treaty_counts(old), treaty_counts(new)
        changes = self.compare(old, new)
        out: list[RecordEvent] = []
        pairs = [({}, r) for r in changes.added] + changes.changed
        for old_row, new_row in pairs:
            for fld, (verb, _counted) in TREATY_ACTIONS.items():
                if new_row.get(fld) and new_row.get(fld) != old_row.get(fld):
                    state = new_row["state"]
                    out.append(
                        RecordEvent(
                            "treaty_action",
                            f"{state} {verb} the {label} on {new_row[fld]}",
                            {
                                "state": state,
                                "action": fld,
                                "date": new_row[fld],
                                "treaty": label,
                                "counts_before": before,
                                "counts_after": after,
                            },
                        )
                    )
        for row in changes.removed:
            out.append(
                RecordEvent(
                    "treaty_action",
                    f"{row['state']} no longer listed as a participant of the {label}",
                    {
                        "state": row["state"],
                        "action": "removed",
                        "treaty": label,
                        "counts_before": before,
                        "counts_after": after,
                    },
                )
            )
        return out


# -- submissions: Member States' replies, meeting documents -------------------------------------


class Submissions(RecordKind):
    """Rows: {"url": ..., "title": ..., "state": "Austria", "symbol": ..., "type": ...,
    "language": "EN", "date": "2025-05-02"} - a reply to a report, or a meeting document."""

    name = "submissions"

    def row_key(self, row: Row) -> str:
        return str(row.get("url") or row.get("symbol") or row.get("title"))

    def row_text(self, row: Row) -> str:
        what = row.get("title") or row.get("symbol") or row.get("url")
        when = row.get("date") or "no date"
        return f"{row.get('state') or '-'}: {what} ({when}) {row.get('url') or ''}".strip()

    def events(self, label: str, old: list[Row] | None, new: list[Row]) -> list[RecordEvent]:
        if old is None:
            return []
        out = []
        for row in self.compare(old, new).added:
            who = row.get("state") or "A new document"
            what = row.get("title") or row.get("symbol") or row.get("url")
            out.append(
                RecordEvent(
                    "new_submission",
                    f"{who}: new submission to {label}: {what}",
                    {
                        k: row.get(k)
                        for k in ("state", "title", "symbol", "url", "type", "language", "date")
                    }
                    | {"to": label},
                )
            )
        return out


# -- iGov proposals ------------------------------------------------------------------------------


class Proposals(RecordKind):
    """Rows: {"symbol": "A/C.1/80/L.4", "title": ..., "stages": [{"stage": "Submission",
    "date": ..., "symbol": ..., "votes": {...}, "outcome": ..., "resolution": ...}, ...]}."""

    name = "proposals"

    def row_key(self, row: Row) -> str:
        return str(row.get("symbol") or row.get("id"))

    def row_text(self, row: Row) -> str:
        stages = "; ".join(
            " ".join(str(s.get(k)) for k in ("stage", "date", "outcome", "resolution") if s.get(k))
            for s in row.get("stages", [])
        )
        return f"{row.get('symbol')}: {row.get('title') or ''} [{stages}]"

    @staticmethod
    def _stage_id(stage: Row) -> str:
        return json.dumps(stage, sort_keys=True, ensure_ascii=False)

    def events(self, label: str, old: list[Row] | None, new: list[Row]) -> list[RecordEvent]:
        if old is None:
            return []
        old_by = {self.row_key(r): r for r in old}
        out = []
        for row in self.canonical(new):
            seen = {self._stage_id(s) for s in old_by.get(self.row_key(row), {}).get("stages", [])}
            for stage in row.get("stages", []):
                if self._stage_id(stage) in seen:
                    continue
                detail = stage.get("stage", "new stage")
                if stage.get("resolution"):
                    detail += f" as resolution {stage['resolution']}"
                elif stage.get("decision"):
                    detail += f" as decision {stage['decision']}"
                votes = stage.get("votes") or {}
                if votes:
                    detail += " ({yes}-{no}-{abstain})".format(
                        yes=votes.get("yes", "?"),
                        no=votes.get("no", "?"),
                        abstain=votes.get("abstain", "?"),
                    )
                out.append(
                    RecordEvent(
                        "proposal_stage",
                        f"{row.get('symbol')}: {detail}",
                        {
                            "symbol": row.get("symbol"),
                            "title": row.get("title"),
                            "stage": stage,
                            "resolution": stage.get("resolution"),
                        },
                    )
                )
        return out


# Record kinds defined in their own modules register on import (they subclass RecordKind).
import tracker.records_feeds  # noqa: E402, F401
import tracker.records_library  # noqa: E402, F401
