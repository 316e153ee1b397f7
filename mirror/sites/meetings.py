"""meetings.unoda.org (Meetings Place) and docs-library.unoda.org (its files, and late replies).

A documents page has one <article> per document in the structure scrapers of the real site use:
  title link  article div > div > h5 > a
  type        article > div:nth-of-type(3) > div:nth-of-type(1)
  date        article > div:nth-of-type(3) > div:nth-of-type(2)
"""

from __future__ import annotations

from html import escape
from urllib.parse import unquote

from mirror import pdftools
from mirror.http import Request, Response, Router, html, not_found, rewrite_hosts
from mirror.render import render_pdf
from mirror.state import MeetingDoc

meetings = Router()
docs_library = Router()


def article(doc: MeetingDoc) -> str:
    return (
        "<article>"
        f'<div><div><h5><a href="{escape(doc.href)}">{escape(doc.title)}</a></h5></div></div>'
        f"<div>{escape(doc.subtitle)}</div>"
        f"<div><div>{escape(doc.doc_type)}</div><div>{escape(doc.date)}</div></div>"
        "</article>"
    )


@meetings.route(r"/meeting/(?P<mid>\d+)/documents/?")
def documents(req: Request, mid: str) -> Response:
    with req.mirror.state.lock:
        meeting = req.mirror.state.meetings.get(mid)
        docs = list(meeting["docs"]) if meeting else []
    if meeting is None:
        return not_found()
    body = "".join(article(d) for d in docs)
    text = (
        f"<!DOCTYPE html><html><head><title>{escape(meeting['title'])} | Meetings Place</title>"
        f"</head><body><h1>{escape(meeting['title'])}</h1><section class='documents'>{body}"
        "</section></body></html>"
    )
    return html(rewrite_hosts(text, req.mirror.base_urls))


@meetings.route(r"/meeting/(?P<mid>\d+)/?")
def meeting(req: Request, mid: str) -> Response:
    with req.mirror.state.lock:
        found = req.mirror.state.meetings.get(mid)
    if found is None:
        return not_found()
    link = req.url("meetings", f"/meeting/{mid}/documents")
    return html(f"<html><body><h1>{escape(found['title'])}</h1><a href='{link}'>Documents</a>")


@docs_library.route(r"/(?P<folder>[^/]+)/(?P<name>[^/]+\.pdf)")
def library_file(req: Request, folder: str, name: str) -> Response:
    """A reply file (real pages of a corpus report) or a meeting document (rendered title)."""
    state = req.mirror.state
    path = f"/{folder}/{name}"
    with state.lock:
        reply = next((r for r in state.replies if r.file_path == path), None)
        if reply is None:
            meeting_doc = next(
                (
                    d
                    for m in state.meetings.values()
                    for d in m["docs"]
                    if unquote(d.href).endswith(path)
                ),
                None,
            )
    if reply is not None:
        if reply.paragraphs is not None:
            return Response(200, render_pdf(reply.paragraphs, "en", title=reply.submitter),
                            "application/pdf")  # fmt: skip
        if reply.path is None:
            return not_found()
        sections = pdftools.report_sections(reply.path)
        start, end = reply.pages or sections.get(reply.submitter, (0, 1))
        return Response(200, pdftools.extract_pages(reply.path, start, end), "application/pdf")
    if meeting_doc is not None:
        paras = [meeting_doc.title, meeting_doc.subtitle or meeting_doc.doc_type]
        return Response(200, render_pdf(paras, "en", header=meeting_doc.title), "application/pdf")
    return not_found()
