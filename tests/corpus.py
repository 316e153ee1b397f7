"""Where the real UN corpus lives: `../shared/corpus` by the checkout, or $DISARMWATCH_CORPUS."""

import os
from pathlib import Path

CORPUS = Path(
    os.environ.get("DISARMWATCH_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)
PDF_DIR = CORPUS / "pdf"
CHARTER_DIR = CORPUS / "charter"


def corpus_pdf(name: str) -> Path:
    """Path of a real corpus PDF, e.g. corpus_pdf("A_C.1_80_L.1.pdf")."""
    return PDF_DIR / name
