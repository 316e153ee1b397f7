"""Real documents for the web tests: corpus PDFs, Charter text in Chinese and Arabic, a treaty.

`populate(store)` records, through `Store.record_capture` as a crawl would:

* A/RES/79/16 - the real corpus PDF (cited by A/C.1/80/L.1);
* A/C.1/80/L.1 - English: the real corpus PDF, then two re-typeset versions of its real text,
  the last one with edits (so a diff of versions 2 and 3 shows exactly those edits); Chinese and
  Arabic: two versions each of real UN Charter text (the corpus has no Chinese/Arabic L.1), the
  second with one paragraph edited;
* untc:XXVI-5 - the real participants of the Mine Ban Convention (UNTC), then one more
  ratification a year later.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from tests.corpus import CORPUS, corpus_pdf
from tests.pdfgen import Layout, charter_paragraphs, font_missing_reason, render_pdf
from tracker.extract import extract_text
from tracker.store import CaptureInput, Store

SYMBOL = "A/C.1/80/L.1"
CITED = "A/RES/79/16"
TREATY = "untc:XXVI-5"
EN_ADDED = "with grave concern "  # inserted in version 3 of the English text
ZH_ADDED = "各会员国一致同意"  # inserted in version 2 of the Chinese text
AR_ADDED = "بالإجماع"  # inserted in version 2 of the Arabic text
T0 = datetime(2025, 10, 8, 9, 0, tzinfo=UTC)
UNTC_MARKS = {"a": "accession", "d": "succession", "A": "acceptance", "AA": "approval"}


@cache
def l1_paragraphs() -> tuple[str, ...]:
    text = extract_text(corpus_pdf("A_C.1_80_L.1.pdf").read_bytes(), "application/pdf").text
    return tuple(p for p in text.split("\n\n") if p.strip())


@cache
def typeset(paragraphs: tuple[str, ...], lang: str) -> bytes:
    return render_pdf(list(paragraphs), lang, Layout(para_gap=6.0))


def l1_edited() -> tuple[str, ...]:
    paras = list(l1_paragraphs())
    i = next(k for k, p in enumerate(paras) if p.startswith("Recalling its resolutions"))
    paras[i] = paras[i].replace(
        "Recalling its resolutions", "Recalling " + EN_ADDED + "its resolutions", 1
    )
    return tuple(paras)


def charter(lang: str, edit: str | None = None) -> tuple[str, ...]:
    paras = charter_paragraphs(lang, 0, 14)
    if edit:
        paras[3] = edit + paras[3]
    return tuple(paras)


def untc_rows(name: str = "26-5.csv") -> list[dict[str, str | None]]:
    """Real participants with ISO dates, as the treaties spider stores them."""
    rows = []
    with open(CORPUS / "untc" / name, encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for cells in reader:
            row: dict[str, str | None] = {"state": cells[0].strip()}
            if len(cells) > 1 and cells[1].strip():
                row["signature"] = _iso(cells[1])
            if len(cells) > 2 and cells[2].strip():
                parts = cells[2].split()
                mark = parts[3] if len(parts) > 3 else ""
                row[UNTC_MARKS.get(mark, "ratification")] = _iso(" ".join(parts[:3]))
            rows.append(row)
    return rows


def _iso(text: str) -> str:
    return datetime.strptime(" ".join(text.split()[:3]), "%d %b %Y").date().isoformat()


@dataclass
class WebData:
    versions: dict[str, list[int]] = field(
        default_factory=dict
    )  # "en" -> version ids, oldest first
    cited_version: int = 0
    treaty_versions: list[int] = field(default_factory=list)
    ratified_state: str = ""
    has_arabic: bool = True


def _pdf(store: Store, key: str, lang: str, body: bytes, at: datetime) -> int:
    result = store.record_capture(
        CaptureInput(
            key=key,
            lang=lang,
            format="pdf",
            url=f"https://documents.un.org/api/symbol/access?s={key}&l={lang}&t=pdf",
            headers={"content-type": "application/pdf"},
            body=body,
            fetched_at=at,
            source="documents",
        )
    )
    assert result.outcome == "new_version", (key, lang, result.outcome, result.error)
    assert result.version_id is not None
    return result.version_id


def populate(store: Store) -> WebData:
    data = WebData()
    data.cited_version = _pdf(
        store, CITED, "en", corpus_pdf("A_RES_79_16.pdf").read_bytes(), T0.replace(month=1)
    )
    en = [
        _pdf(store, SYMBOL, "en", corpus_pdf("A_C.1_80_L.1.pdf").read_bytes(), T0),
        _pdf(store, SYMBOL, "en", typeset(l1_paragraphs(), "en"), T0.replace(day=9)),
        _pdf(store, SYMBOL, "en", typeset(l1_edited(), "en"), T0.replace(day=20)),
    ]
    data.versions["en"] = en
    data.versions["zh"] = [
        _pdf(store, SYMBOL, "zh", typeset(charter("zh"), "zh"), T0.replace(day=10)),
        _pdf(store, SYMBOL, "zh", typeset(charter("zh", ZH_ADDED), "zh"), T0.replace(day=21)),
    ]
    if font_missing_reason("ar") is None:
        data.versions["ar"] = [
            _pdf(store, SYMBOL, "ar", typeset(charter("ar"), "ar"), T0.replace(day=11)),
            _pdf(store, SYMBOL, "ar", typeset(charter("ar", AR_ADDED), "ar"), T0.replace(day=22)),
        ]
    else:
        data.has_arabic = False
    rows = untc_rows()
    target = next(r for r in rows if r.get("signature") and len(r) == 2)
    data.ratified_state = str(target["state"])
    first = store.record_capture(
        CaptureInput(
            key=TREATY,
            kind="treaty",
            records=rows,
            record_kind="treaty_participants",
            meta={"label": "Anti-Personnel Mine Ban Convention", "mtdsg_no": "XXVI-5"},
            fetched_at=datetime(2025, 1, 15, tzinfo=UTC),
            source="treaties",
        )
    )
    changed = [dict(r) for r in rows]
    for r in changed:
        if r["state"] == data.ratified_state:
            r["ratification"] = "2026-02-03"
    second = store.record_capture(
        CaptureInput(
            key=TREATY,
            kind="treaty",
            records=changed,
            record_kind="treaty_participants",
            meta={"label": "Anti-Personnel Mine Ban Convention", "mtdsg_no": "XXVI-5"},
            fetched_at=datetime(2026, 2, 10, tzinfo=UTC),
            source="treaties",
        )
    )
    data.treaty_versions = [first.version_id or 0, second.version_id or 0]
    return data


SCRIPT_TEXT = (
    "United Nations A/C.1/80/L.99\n\n"
    "General Assembly\n\n"
    'Reaffirming <script>alert("xss")</script> and <b>bold</b> <img src=x onerror=alert(1)> '
    "the importance of disarmament.\n"
)


def store_script_document(store: Store) -> int:
    """A stored document whose title and text hold markup: pages must show it as text."""
    result = store.record_capture(
        CaptureInput(
            key="A/C.1/80/L.99",
            lang="en",
            format="text",
            title='<script>alert("title")</script> Draft',
            headers={"content-type": "text/plain; charset=utf-8"},
            body=SCRIPT_TEXT.encode(),
            fetched_at=T0,
        )
    )
    assert result.outcome == "new_version", result.error
    return result.version_id or 0
