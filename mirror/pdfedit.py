"""Amend one paragraph of a real PDF in place, as a UN text-processing unit would.

An in-place revision of a corpus document must change only what the amendment says: every other
page, and every other line of the amended page, keeps the real bytes. So the amended page's
content stream is edited: the text-showing operators of the lines being re-set (from the line
where the amendment falls to the end of its paragraph on that page) are dropped, and the new
lines are drawn at the same baselines, margins and size, in Times-Roman, at the same place in
the stream (text extraction follows stream order). Footnote marks stay raised and small.

When the amended text no longer fits in the lines it had, the lines are set a little tighter
(horizontal scaling down to 60 %), as typesetters do; justified lines are stretched to the right
margin. What this cannot do returns None (the caller then re-renders the whole document):
amendments that cross a page break, text outside Windows-1252 (the standard font's encoding),
or a paragraph that would need more lines than it has.

pypdf writes deterministic bytes, so the same amendment of the same file gives the same bytes.
"""

from __future__ import annotations

import ctypes
import io
import re
from dataclasses import dataclass, field

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf.generic import (
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    NameObject,
)
from reportlab.pdfbase.pdfmetrics import stringWidth

FONT = "Times-Roman"
_FONT_KEY = "/FMirrorAmend"
AMENDMENT = ", and to report thereon without delay"
_OPERATIVE = re.compile(r"^\d{1,3}\.\s")
_JOB = re.compile(r"\b\d{2}-\d{5}\b")
_SHOW_OPS = {b"Tj", b"TJ", b"'", b'"'}


@dataclass
class _Line:
    page: int
    y: float  # baseline
    x0: float
    x1: float
    size: float
    chars: list[tuple[str, bool]] = field(default_factory=list)  # (char, raised)

    @property
    def text(self) -> str:
        return "".join(ch for ch, _ in self.chars).strip()


def _read_lines(data: bytes) -> tuple[list[list[_Line]], list[tuple[float, float]]]:
    """Visual lines of every page (chars grouped by baseline, in stream order)."""
    doc = pdfium.PdfDocument(data)
    pages: list[list[_Line]] = []
    sizes: list[tuple[float, float]] = []
    ox, oy = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    try:
        for index in range(len(doc)):
            page = doc[index]
            sizes.append((page.get_width(), page.get_height()))
            textpage = page.get_textpage()
            raw = textpage.raw
            lines: list[_Line] = []
            for i in range(pdfium_c.FPDFText_CountChars(raw)):
                ch = chr(pdfium_c.FPDFText_GetUnicode(raw, i))
                if ch in "\r\n":
                    continue
                ch = "-" if ch in "\ufffe\x02" else ch  # PDFium marks a line-end hyphen
                pdfium_c.FPDFText_GetCharOrigin(raw, i, ox, oy)
                size = pdfium_c.FPDFText_GetFontSize(raw, i)
                generated = pdfium_c.FPDFText_IsGenerated(raw, i) == 1
                cur = lines[-1] if lines else None
                rise = oy.value - cur.y if cur is not None else 0.0
                small = size < 0.85 * (cur.size if cur is not None else size)
                if cur is not None and (
                    generated or abs(rise) < 0.45 * cur.size or small and 0 < rise < 0.7 * cur.size
                ):
                    if not generated and ch != " ":
                        pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
                        # A space beside a hyphen that does not move the pen ("Non- P" with
                        # the P drawn over the space) is not printed: the extractor drops it
                        # too, so re-set text must not turn it into a real space.
                        if _false_space_before(cur, ch, left.value, size):
                            cur.chars.pop()
                        cur.x1 = max(cur.x1, right.value)
                    cur.chars.append((ch, not generated and small and rise > 0.2 * cur.size))
                    continue
                if generated or ch == " ":
                    continue
                pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
                lines.append(_Line(index, oy.value, left.value, right.value, size, [(ch, False)]))
            textpage.close()
            page.close()
            pages.append(lines)
    finally:
        doc.close()
    return pages, sizes


def _false_space_before(line: _Line, ch: str, x0: float, size: float) -> bool:
    chars = line.chars
    if len(chars) < 2 or chars[-1][0] != " ":
        return False
    beside_hyphen = chars[-2][0] in "-\u2010\u2011" or ch in "-\u2010\u2011"
    return beside_hyphen and chars[-2][0].strip() != "" and x0 - line.x1 < 0.25 * size


def _body_size(pages: list[list[_Line]]) -> float:
    counts: dict[float, int] = {}
    for lines in pages:
        for line in lines:
            key = round(line.size, 1)
            counts[key] = counts.get(key, 0) + len(line.chars)
    return max(counts, key=counts.__getitem__)


def _sep(before: str, after: str) -> str:
    """What joins two lines: nothing after a line-end hyphen in a compound ("nuclear-|weapon":
    UN documents are not hyphenated automatically), else a space."""
    if not before:
        return ""
    compound = len(before) >= 2 and before[-1] == "-" and before[-2].isalpha()
    return "" if compound and after[:1].isalpha() else " "


def _join(lines: list[_Line]) -> tuple[str, list[int]]:
    """Text of consecutive lines (space between lines) and each line's start offset."""
    text, starts = "", []
    for line in lines:
        text += _sep(text, line.text)
        starts.append(len(text))
        text += line.text
    return text, starts


def _paragraphs(body: list[_Line], size: float) -> list[list[_Line]]:
    """Body lines grouped in paragraphs: a new one after a gap, or at an indented line that
    follows a line ending in punctuation, or at a numbered operative paragraph."""
    if not body:
        return []
    margins: dict[int, float] = {}  # per page: left and right pages have mirrored margins
    for line in body:
        margins[line.page] = min(margins.get(line.page, line.x0), line.x0)
    paras: list[list[_Line]] = [[body[0]]]
    for prev, line in zip(body, body[1:], strict=False):
        same_page = prev.page == line.page
        gap = prev.y - line.y if same_page else 0.0
        indented = line.x0 > margins[line.page] + 0.8 * size and prev.text[-1:] in ".,;:"
        if gap > 1.6 * size or gap < 0 or indented or _OPERATIVE.match(line.text):
            paras.append([line])
        else:
            paras[-1].append(line)
    return paras


def _default_edit(text: str) -> tuple[int, int, str] | None:
    """Where the default amendment goes in an operative paragraph: before its final
    punctuation (and any footnote mark after it)."""
    m = re.search(r"([;.,:]?)(\d{0,3})\s*$", text)
    assert m is not None
    return m.start(), m.start(), AMENDMENT


def _tokens(lines: list[_Line], edit: tuple[int, int, str]) -> list[list[tuple[str, bool]]]:
    """The lines' characters with the edit applied, as words of (char, raised) pairs."""
    chars: list[tuple[str, bool]] = []
    for line in lines:
        body = line.chars
        while body and body[0][0] == " ":
            body = body[1:]
        while body and body[-1][0] == " ":
            body = body[:-1]
        chars.extend((ch, False) for ch in _sep("".join(c for c, _ in chars), line.text))
        chars.extend(body)
    start, end, new = edit
    chars[start:end] = [(ch, False) for ch in new]
    words: list[list[tuple[str, bool]]] = [[]]
    for ch, raised in chars:
        if ch == " " and not raised:
            if words[-1]:
                words.append([])
        elif raised and not words[-1] and len(words) > 1:
            words[-2].append((ch, raised))  # a footnote mark sits on the word before it
        else:
            words[-1].append((ch, raised))
    return [w for w in words if w]


def _width(word: list[tuple[str, bool]], size: float) -> float:
    return sum(stringWidth(ch, FONT, size * (0.65 if raised else 1.0)) for ch, raised in word)


def _wrap(words, size: float, widths: list[float], scale: float) -> list[list] | None:
    """Greedy fill of len(widths) lines (each `widths[i]` wide) at horizontal `scale`."""
    space = stringWidth(" ", FONT, size) * scale
    out: list[list] = [[]]
    used = 0.0
    for word in words:
        w = _width(word, size) * scale
        limit = widths[min(len(out) - 1, len(widths) - 1)]
        if out[-1] and used + space + w > limit:
            if len(out) == len(widths):
                return None
            out.append([])
            used = 0.0
        used += (space if out[-1] else 0.0) + w
        out[-1].append(word)
    return out


def _encode(text: str) -> bytes | None:
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return None


def _num(value: float) -> FloatObject:
    return FloatObject(round(value, 4))


def _line_ops(words, x: float, y: float, size: float, hscale: float) -> list | None:
    """Text-object operators drawing one line at user-space (x, y): runs of normal and raised
    (footnote mark) text. Positions are fixed up for the stream's CTM by `_rewrite`."""
    ops: list = [([_num(hscale * 100)], b"Tz"), ([_num(0)], b"Tc"), ([_num(0)], b"Tw")]
    ops.append(([x, y], b"@Tm"))  # placeholder: user-space origin, made a Tm by _rewrite
    runs: list[tuple[str, bool]] = []
    for i, word in enumerate(words):
        for ch, raised in ([(" ", False)] if i else []) + word:
            if runs and runs[-1][1] == raised:
                runs[-1] = (runs[-1][0] + ch, raised)
            else:
                runs.append((ch, raised))
    for text, raised in runs:
        encoded = _encode(text)
        if encoded is None:
            return None
        ops.append(([NameObject(_FONT_KEY), _num(size * 0.65 if raised else size)], b"Tf"))
        ops.append(([_num(size * 0.35 if raised else 0)], b"Ts"))
        ops.append(([ByteStringObject(encoded)], b"Tj"))
    return ops


def _mul(a: list[float], b: list[float]) -> list[float]:
    """Affine matrix product a x b (PDF order: [a b c d e f])."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _inverse(m: list[float]) -> list[float]:
    det = m[0] * m[3] - m[1] * m[2]
    a, b, c, d = m[3] / det, -m[1] / det, -m[2] / det, m[0] / det
    return [a, b, c, d, -(m[4] * a + m[5] * c), -(m[4] * b + m[5] * d)]


_IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
_TEXT_STATE = (b"Tc", b"Tw", b"Tz", b"Ts", b"Tf")


def _place(new_ops: list, ctm: list[float]) -> list:
    """`new_ops` with their user-space origins turned into text matrices under `ctm`."""
    inv = _inverse(ctm)
    out = []
    for operands, op in new_ops:
        if op == b"@Tm":
            x, y = operands
            out.append(([_num(v) for v in _mul([1, 0, 0, 1, x, y], inv)], b"Tm"))
        else:
            out.append((operands, op))
    return out


def _rewrite(ops: list, baselines: list[float], tol: float, x_range, box, new_ops: list):
    """Drop text shown on `baselines` (user space, +-tol, start inside x_range) and draw
    `new_ops` where the first dropped text was (extraction follows stream order). Inside a
    text object the text state is restored afterwards. A clipping rectangle in force there
    must contain `box` (x0, y0, x1, y1), else the next dropped text is tried; None if none fits
    or nothing was dropped."""
    ctm, stack = list(_IDENTITY), []
    clip: list | None = []  # rectangles (user space) in force; None: a clip of unknown shape
    tm = tlm = list(_IDENTITY)
    state: dict[bytes, list] = {
        b"Tc": [_num(0)],
        b"Tw": [_num(0)],
        b"Tz": [_num(100)],
        b"Ts": [_num(0)],
        b"Tf": [],
    }
    leading = 0.0
    in_text = dropped = inserted = False
    pending_rect: tuple[float, float, float, float] | None = None
    out: list = []
    for operands, op in ops:
        if op == b"q":
            stack.append((ctm, clip, dict(state)))
        elif op == b"Q":
            ctm, clip, state = stack.pop() if stack else (list(_IDENTITY), [], state)
        elif op == b"cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif op == b"re":
            x, y, w, h = (float(v) for v in operands)
            (ax, ay), (bx, by) = (
                _mul([1, 0, 0, 1, x, y], ctm)[4:6],
                _mul([1, 0, 0, 1, x + w, y + h], ctm)[4:6],
            )
            pending_rect = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
        elif op in (b"W", b"W*"):
            clip = None if clip is None or pending_rect is None else [*clip, pending_rect]
        elif op == b"BT":
            in_text, tm, tlm = True, list(_IDENTITY), list(_IDENTITY)
        elif op == b"ET":
            in_text = False
        elif op == b"Tm":
            tm = tlm = [float(v) for v in operands]
        elif op in (b"Td", b"TD"):
            tx, ty = float(operands[0]), float(operands[1])
            if op == b"TD":
                leading = -ty
            tm = tlm = _mul([1, 0, 0, 1, tx, ty], tlm)
        elif op == b"TL":
            leading = float(operands[0])
        elif op in (b"T*", b"'", b'"'):
            tm = tlm = _mul([1, 0, 0, 1, 0, -leading], tlm)
        elif op in _TEXT_STATE:
            state[op] = list(operands)
        if op not in (b"re", b"W", b"W*", b"n"):
            pending_rect = None
        if op in _SHOW_OPS:
            x, y = _mul(tm, ctm)[4:6]
            if x_range[0] <= x <= x_range[1] and any(abs(y - b) <= tol for b in baselines):
                dropped = True
                if op == b"'":
                    out.append(([], b"T*"))
                elif op == b'"':
                    out += [([operands[0]], b"Tw"), ([operands[1]], b"Tc"), ([], b"T*")]
                fits = clip is not None and all(
                    r[0] <= box[0] and r[1] <= box[1] and r[2] >= box[2] and r[3] >= box[3]
                    for r in clip
                )
                if not inserted and fits:
                    placed = _place(new_ops, ctm)
                    if in_text:
                        out += placed
                        out += [(state[k], k) for k in _TEXT_STATE if state[k]]
                        out.append(([_num(v) for v in tlm], b"Tm"))
                    else:
                        out += [([], b"BT"), *placed, ([], b"ET")]
                    inserted = True
                continue
        out.append((operands, op))
    return out if dropped and inserted else None


def amend_pdf(data: bytes, old: str | None = None, new: str | None = None) -> bytes | None:
    """`data` with one paragraph amended: `old` replaced by `new` (both as the text reads, lines
    joined by a space), or by default ", and to report thereon without delay" added to the
    first operative paragraph (the last paragraph of a draft decision). None when this cannot
    be done on the page (see the module docstring)."""
    pages, page_sizes = _read_lines(data)
    if not any(pages):
        return None  # a scan: no text to amend
    size = _body_size(pages)
    body = [
        line
        for lines in pages
        for line in lines
        if abs(line.size - size) < 0.6
        and 0.08 * page_sizes[line.page][1] < line.y < 0.9 * page_sizes[line.page][1]
        and not (_JOB.search(line.text) and len(line.text) < 40)  # a footer in the body area
    ]
    paras = _paragraphs(body, size)
    if old is None:
        # The first operative paragraph; a draft decision (one paragraph) has none: its last.
        para = next((p for p in paras if _OPERATIVE.match(p[0].text)), paras[-1] if paras else None)
        if para is None:
            return None
        text, starts = _join(para)
        edit = _default_edit(text)
    else:
        for para in paras:
            text, starts = _join(para)
            if old in text:
                at = text.index(old)
                edit = (at, at + len(old), new or "")
                break
        else:
            return None
    assert edit is not None
    # The lines to re-set: from the one holding the edit to the paragraph's end on that page.
    first = max(i for i, s in enumerate(starts) if s <= edit[0])
    last_page = para[first].page
    touched = [para[i] for i in range(first, len(para)) if starts[i] <= edit[1]]
    if any(line.page != last_page for line in touched):
        return None  # the edit crosses a page break
    region = [line for line in para[first:] if line.page == last_page]
    continues = para[-1].page != last_page
    offset = starts[first]
    tokens = _tokens(region, (edit[0] - offset, edit[1] - offset, edit[2]))
    same_page = [ln for ln in body if ln.page == last_page]
    right = max(ln.x1 for ln in same_page)
    margin = min(ln.x0 for ln in same_page)
    x_cont = region[1].x0 if len(region) > 1 else margin
    starts_x = [region[0].x0] + [x_cont] * (len(region) - 1)
    widths = [right - x for x in starts_x]
    wrapped = None
    scale = 1.0
    while scale >= 0.6 and wrapped is None:
        wrapped = _wrap(tokens, size, widths, scale)
        if wrapped is None:
            scale = round(scale - 0.05, 2)
    if wrapped is None:
        return None
    new_ops: list = []
    space = stringWidth(" ", FONT, size)
    for i, words in enumerate(wrapped):
        natural = sum(_width(w, size) for w in words) + space * (len(words) - 1)
        full = i < len(wrapped) - 1 or continues
        hscale = widths[i] / natural if full and natural else scale
        line_ops = _line_ops(words, starts_x[i], region[i].y, size, hscale)
        if line_ops is None:
            return None
        new_ops += line_ops

    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter(clone_from=reader)
    page = writer.pages[last_page]
    content = ContentStream(page.get_contents(), writer)
    ops = _rewrite(
        content.operations,
        [ln.y for ln in region],
        0.6 * size,  # raised footnote marks too
        (min(ln.x0 for ln in region) - 2, right + 2),
        (min(starts_x), region[-1].y - 0.3 * size, right, region[0].y + size),
        new_ops,
    )
    if ops is None:
        return None
    content.operations = ops
    fonts = page["/Resources"].get_object().setdefault(NameObject("/Font"), DictionaryObject())
    fonts.get_object()[NameObject(_FONT_KEY)] = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/" + FONT),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    page.replace_contents(content)
    buf = io.BytesIO()
    writer.write(buf)
    result = buf.getvalue()
    # Check the result reads as the original with the edit, and nothing else, changed.
    expected = _page_text(pages, last_page, size, page_sizes)
    got = _page_text(_read_lines(result)[0], last_page, size, page_sizes)
    para_text = _join(para)[0]
    new_para = para_text[: edit[0]] + edit[2] + para_text[edit[1] :]
    if _squeeze(expected.replace(para_text, new_para, 1)) != _squeeze(got):
        return None
    return result


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_text(pages, index: int, size: float, page_sizes) -> str:
    """All lines of one page but its header and footer band, joined (see `_join`)."""
    height = page_sizes[index][1]
    return _join([ln for ln in pages[index] if 0.08 * height < ln.y < 0.9 * height])[0]
