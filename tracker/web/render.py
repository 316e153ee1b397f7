"""Jinja2 rendering for the pages: one autoescaping environment, URL helpers, error pages."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "web"
LANG_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ru": "Русский",
    "zh": "中文",
    "ar": "العربية",
    "": "Any language",
}
RTL = {"ar", "he", "fa", "ur"}
KEY_SAFE = "/:()._-~,;@+"


def doc_url(key: str, kind: str | None = None, **params: Any) -> str:
    url = "/documents/" + quote(key, safe=KEY_SAFE)
    if kind and kind != "symbol":
        params = {"kind": kind, **params}
    return url + qs(**params)


def api_doc_url(key: str, suffix: str = "", **params: Any) -> str:
    return "/api/documents/" + quote(key, safe=KEY_SAFE) + suffix + qs(**params)


def treaty_url(key: str, **params: Any) -> str:
    return "/treaties/" + quote(key, safe=KEY_SAFE) + qs(**params)


def qs(**params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", [])}
    return ("?" + urlencode(clean, doseq=True)) if clean else ""


def direction(lang: str | None) -> str:
    return "rtl" if (lang or "") in RTL else "auto"


def number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: document text is never markup
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code: no stat() of each template file on every render.
        auto_reload=False,
    )
    env.globals.update(
        doc_url=doc_url,
        treaty_url=treaty_url,
        api_doc_url=api_doc_url,
        qs=qs,
        direction=direction,
        lang_name=lambda code: LANG_NAMES.get(code or "", code),
    )
    env.filters["number"] = number
    env.filters["day"] = lambda iso: (iso or "")[:10]
    env.filters["minute"] = lambda iso: (iso or "").replace("T", " ")[:16]
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("q", "")
    context.setdefault("title", "disarmwatch")
    body = (
        environment()
        .get_template(template)
        .render(request=request, path=request.url.path, **context)
    )
    return HTMLResponse(body, status_code=status_code)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status_code=status,
        title=f"Error {status}",
        code=status,
        message=message,
    )
