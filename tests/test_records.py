"""Structured sources through the store: events come from row sets, not text diffs."""

from __future__ import annotations

import csv

import pytest

from tests.corpus import CORPUS
from tracker.records import get_kind, treaty_counts
from tracker.store import CaptureInput, Store


def untc_rows(name: str = "26-5.csv") -> list[dict[str, str]]:
    """Real participant rows of a UN Treaty Collection chapter XXVI treaty."""
    with open(CORPUS / "untc" / name, encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = []
        for line in reader:
            cells = dict(zip(header, line, strict=False))
            values = list(cells.values())
            rows.append(
                {
                    "state": values[0].strip(),
                    "signature": values[1].strip() or None,
                    "ratification": (values[2].strip() if len(values) > 2 else "") or None,
                }
            )
        return rows


def treaty(rows: list[dict], **kw) -> CaptureInput:
    return CaptureInput(
        key="tpnw",
        kind="treaty",
        records=rows,
        record_kind="treaty_participants",
        meta={"label": "TPNW"},
        **kw,
    )


def test_reordered_rows_are_the_same_content(store: Store) -> None:
    rows = untc_rows()
    first = store.record_capture(treaty(rows))
    assert [e.type for e in first.events] == ["new_document"]
    again = store.record_capture(treaty(list(reversed(rows))))
    assert again.outcome == "unchanged" and again.events == []


def test_ratification_is_one_treaty_action_with_counts(store: Store) -> None:
    rows = untc_rows()
    store.record_capture(treaty(rows))
    target = next(r for r in rows if r["signature"] and not r["ratification"])
    changed = [dict(r) for r in rows]
    for r in changed:
        if r["state"] == target["state"]:
            r["ratification"] = "2026-09-26"
    result = store.record_capture(treaty(changed))
    assert result.outcome == "new_version"
    assert [e.type for e in result.events] == ["treaty_action"]
    ev = result.events[0]
    assert ev.summary == f"{target['state']} ratified the TPNW on 2026-09-26"
    assert ev.data["counts_after"]["parties"] == ev.data["counts_before"]["parties"] + 1
    assert ev.data["counts_after"] == treaty_counts(changed)


def test_new_state_signing_and_withdrawal(store: Store) -> None:
    rows = untc_rows()
    store.record_capture(treaty(rows))
    rows2 = [dict(r) for r in rows] + [{"state": "Ruritania", "signature": "2026-11-01"}]
    rows2[0]["withdrawal"] = "2026-11-02"
    types = [
        (e.type, e.data["state"], e.data["action"])
        for e in store.record_capture(treaty(rows2)).events
    ]
    assert sorted(types) == sorted(
        [
            ("treaty_action", "Ruritania", "signature"),
            ("treaty_action", rows[0]["state"], "withdrawal"),
        ]
    )


def test_new_reply_is_a_new_submission(store: Store) -> None:
    base = (
        "https://docs-library.unoda.org/General_Assembly_First_Committee_-Eightieth_session_(2025)"
    )
    rows = [
        {
            "state": "UNIDIR",
            "title": "Reply",
            "url": f"{base}/79-239-UNIDIR-EN.pdf",
            "language": "EN",
        }
    ]
    inp = dict(
        key="A/80/78 replies", kind="page", record_kind="submissions", meta={"label": "A/80/78"}
    )
    store.record_capture(CaptureInput(records=rows, **inp))
    added = rows + [{"state": "Austria", "title": "Reply", "url": f"{base}/79-239-Austria-EN.pdf"}]
    result = store.record_capture(CaptureInput(records=added, **inp))
    assert [(e.type, e.data["state"]) for e in result.events] == [("new_submission", "Austria")]
    assert "A/80/78" in result.events[0].summary


def test_new_proposal_stage(store: Store) -> None:
    row = {
        "symbol": "A/C.1/80/L.4",
        "title": "Towards a nuclear-weapon-free world",
        "stages": [{"stage": "Submission", "date": "2025-10-09"}],
    }
    inp = dict(key="igov First Committee 80", kind="proposals", record_kind="proposals")
    store.record_capture(CaptureInput(records=[row], **inp))
    adopted = dict(
        row,
        stages=row["stages"]
        + [
            {
                "stage": "Adoption by Main Committee",
                "date": "2025-11-03",
                "votes": {"yes": 140, "no": 5, "abstain": 30},
                "outcome": "adopted",
            }
        ],
    )
    result = store.record_capture(CaptureInput(records=[adopted], **inp))
    assert [e.type for e in result.events] == ["proposal_stage"]
    assert result.events[0].summary == "A/C.1/80/L.4: Adoption by Main Committee (140-5-30)"


def test_unknown_record_kind_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown record kind"):
        store.record_capture(CaptureInput(key="x", records=[], record_kind="nope"))
    assert get_kind("submissions").name == "submissions"
