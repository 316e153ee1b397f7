"""A tiny Markdown-to-HTML converter for the corpus's saved UNODA pages (headings, lists, links,
images, bold, paragraphs): enough to give spiders real page text and real link patterns."""

from __future__ import annotations

import re
from html import escape

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def inline(text: str) -> str:
    out = escape(text.replace("\\-", "-").replace("\\[", "[").replace("\\]", "]"), quote=False)
    out = _IMAGE.sub(lambda m: f'<img alt="{m[1]}" src="{m[2]}">', out)
    out = _LINK.sub(lambda m: f'<a href="{m[2]}">{m[1]}</a>', out)
    return _BOLD.sub(r"<strong>\1</strong>", out)


def to_html(md: str) -> str:
    parts: list[str] = []
    para: list[str] = []
    in_list = False

    def flush() -> None:
        nonlocal in_list
        if para:
            parts.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if in_list:
            parts.append("</ul>")
            in_list = False

    for raw in md.splitlines():
        line = raw.strip()
        heading = re.match(r"(#{1,6})\s+(.*)", line)
        item = re.match(r"(?:[*-]|\d+\.)\s+(.*)", line)
        if not line or line.startswith(">"):
            flush()
        elif heading:
            flush()
            level = len(heading[1])
            parts.append(f"<h{level}>{inline(heading[2])}</h{level}>")
        elif item:
            if para:
                parts.append(f"<p>{inline(' '.join(para))}</p>")
                para.clear()
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{inline(item[1])}</li>")
        else:
            para.append(line)
    flush()
    return "\n".join(parts)
