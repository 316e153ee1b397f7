"""documents.un.org (ODS): symbol access redirects to job-number file paths, which serve files.

Traps reproduced: an announced-but-unpublished symbol, or a language not yet published, answers
200 with an EMPTY body; files may carry a wrong content type (Doc.content_type).
"""

from __future__ import annotations

from mirror.documents import docx_bytes, job_of, pdf_bytes, text_of
from mirror.http import Request, Response, Router, not_found, redirect
from mirror.pdftools import job_path

router = Router()
LANG_PARAM = {"en", "fr", "es", "ru", "zh", "ar", "ch"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.route(r"/api/symbol/access")
def access(req: Request) -> Response:
    lang = req.arg("l", "en").lower()
    lang = "zh" if lang == "ch" else lang
    kind = req.arg("t", "pdf").lower()
    state = req.mirror.state
    with state.lock:
        symbol = state.find_symbol(req.arg("s"))
        if symbol is None or lang not in LANG_PARAM:
            return not_found()
        doc = state.docs.get((symbol, lang))
        if doc is None:
            # Known symbol, file not (yet) there: the real site's 200-with-empty-body trap.
            return Response(200, b"", "application/pdf")
        job = job_of(state, doc)
    if kind == "doc":
        return redirect(req.url("ods", job_path(job, "docx"))) if doc.word else not_found()
    if kind != "pdf":
        return not_found()
    return redirect(req.url("ods", job_path(job)))


@router.route(r"/doc/undoc/gen/n(?P<yy>\d\d)/(?P<a>\d{3})/(?P<b>\d\d)/(?P<kind>pdf|doc)/[^/]+")
def file(req: Request, yy: str, a: str, b: str, kind: str) -> Response:
    state = req.mirror.state
    with state.lock:
        key = state.jobs.get(f"{yy}-{a}{b}")
        doc = state.docs.get(key) if key else None
        if doc is None or req.path != job_path(doc.job or "", "pdf" if kind == "pdf" else "docx"):
            return not_found()
        if kind == "doc":
            if not doc.word:
                return not_found()
            return Response(200, docx_bytes(text_of(doc, req.mirror.charter_dir)), DOCX)
        data = pdf_bytes(state, doc, req.mirror.charter_dir)
        return Response(200, data, doc.content_type)
