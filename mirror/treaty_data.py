"""Treaty participants: the real UNTC chapter XXVI rows (corpus/untc/*.csv, a 2015 scrape) and
TPNW rows (XXVI-9 has no CSV, see TPNW_ROWS)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from mirror.state import Participant, Treaty

# CSV file -> (short name, UNTC mtdsg_no, title). Identified from the column headings, the row
# counts and the dates of the 2015 scrape (e.g. 26-7 has 11 Central African signatories in
# 2010-2011: the Kinshasa Convention). treaties.unoda.org uses tpnw and ctbt; the other short
# names are the mirror's own.
UNTC_FILES = {
    "26-1": (
        "enmod",
        "XXVI-1",
        "Convention on the Prohibition of Military or Any Other Hostile "
        "Use of Environmental Modification Techniques",
    ),
    "26-2": ("ccw", "XXVI-2", "Convention on Certain Conventional Weapons"),
    "26-2-a": (
        "ccw_p4",
        "XXVI-2-a",
        "Additional Protocol to the CCW (Protocol IV, Blinding Laser Weapons)",
    ),
    "26-2-b": ("ccw_ap2", "XXVI-2-b", "Amended Protocol II to the CCW (Mines, Booby-Traps)"),
    "26-2-c": ("ccw_art1", "XXVI-2-c", "Amendment of article 1 of the CCW"),
    "26-2-d": ("ccw_p5", "XXVI-2-d", "Protocol on Explosive Remnants of War (Protocol V)"),
    "26-3": ("cwc", "XXVI-3", "Chemical Weapons Convention"),
    "26-4": ("ctbt", "XXVI-4", "Comprehensive Nuclear-Test-Ban Treaty"),
    "26-5": ("apmbc", "XXVI-5", "Anti-Personnel Mine Ban Convention"),
    "26-6": ("ccm", "XXVI-6", "Convention on Cluster Munitions"),
    "26-7": (
        "kinshasa",
        "XXVI-7",
        "Central African Convention for the Control of Small Arms and "
        "Light Weapons (Kinshasa Convention)",
    ),
    "26-8": ("att", "XXVI-8", "Arms Trade Treaty"),
}
UNTC_HEADERS = ["Participant", "Signature", "Ratification, Accession(a), Succession(d)"]

# No real TPNW status table is in the corpus (the UNODA TPNW page does not list participants).
# These rows are public facts about the TPNW (opened for signature on 20 September 2017, when
# Guyana, the Holy See and Thailand also ratified; Honduras deposited the 50th instrument on
# 24 October 2020), plus Tonga's accession on 7 July 2026 as reported by the corpus's UNODA hub
# page ("the 75th State party to the TPNW"). A deliberately short, partial list.
TPNW_ROWS = [
    ("Austria", "20 Sep 2017", "8 May 2018"),
    ("Cook Islands", "", "4 Sep 2018 a"),
    ("Costa Rica", "20 Sep 2017", "5 Jul 2018"),
    ("Cuba", "", "30 Jan 2018 a"),
    ("Guyana", "20 Sep 2017", "20 Sep 2017"),
    ("Holy See", "20 Sep 2017", "20 Sep 2017"),
    ("Honduras", "20 Sep 2017", "24 Oct 2020"),
    ("Ireland", "20 Sep 2017", "6 Aug 2020"),
    ("Mexico", "20 Sep 2017", "16 Jan 2018"),
    ("New Zealand", "20 Sep 2017", "31 Jul 2018"),
    ("Nigeria", "20 Sep 2017", "6 Aug 2020"),
    ("Thailand", "20 Sep 2017", "20 Sep 2017"),
    ("Tonga", "", "7 Jul 2026 a"),
]


def parse_untc_date(text: str) -> tuple[date | None, str]:
    """'22 Oct 1985 a' -> (date(1985, 10, 22), 'a')."""
    parts = text.split()
    if len(parts) < 3:
        return None, ""
    when = datetime.strptime(" ".join(parts[:3]), "%d %b %Y").date()
    return when, (parts[3] if len(parts) > 3 else "")


def _participant(name: str, signature: str, deposit: str, provisional: str = "") -> Participant:
    sig, _ = parse_untc_date(signature)
    dep, mark = parse_untc_date(deposit)
    return Participant(name, sig, dep, mark, provisional=provisional)


def load_untc_csv(path: Path) -> tuple[list[str], list[Participant]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    headers, body = rows[0], rows[1:]
    has_sig = len(headers) > 2 and headers[1].startswith("Signature")
    out = []
    for row in body:
        row = row + [""] * (len(headers) - len(row))
        signature = row[1] if has_sig else ""
        provisional = row[2] if len(headers) == 4 else ""
        out.append(_participant(row[0], signature, row[-1], provisional))
    return headers, out


def load_treaties(corpus: Path) -> dict[str, Treaty]:
    treaties: dict[str, Treaty] = {}
    for stem, (short, mtdsg, title) in UNTC_FILES.items():
        path = corpus / "untc" / f"{stem}.csv"
        if path.is_file():
            headers, rows = load_untc_csv(path)
            treaties[short] = Treaty(short, title, mtdsg, headers, rows)
    tpnw = [_participant(*row) for row in TPNW_ROWS]
    # Footnote numbers as UNTC prints them after some names (the scrape lost the real ones).
    tpnw[5].footnotes = "1"
    treaties["tpnw"] = Treaty(
        "tpnw", "Treaty on the Prohibition of Nuclear Weapons", "XXVI-9", list(UNTC_HEADERS), tpnw
    )
    return treaties


def treaty_by_mtdsg(treaties: dict[str, Treaty], mtdsg_no: str) -> Treaty | None:
    for treaty in treaties.values():
        if treaty.mtdsg_no and treaty.mtdsg_no.casefold() == mtdsg_no.casefold():
            return treaty
    return None
