"""Tests of tracker.diff (engine, stats, excerpt) and tracker.diff_render, on real UN text."""

from __future__ import annotations

import difflib
import html as html_module
import json
import re
import unicodedata

import pytest

import tracker.diff as diffmod
from tests.corpus import CHARTER_DIR, corpus_pdf
from tracker.diff import (
    ENGINE_CPP,
    ENGINE_PY,
    RENDERERS,
    Diff,
    available_engines,
    change_stats,
    compute_diff,
    excerpt,
    render,
    render_inline_html,
    render_json,
    render_side_by_side_html,
    render_unified,
    safe_cut,
)

ENGINES = available_engines()
pytestmark = pytest.mark.skipif(not ENGINES, reason="no diff-match-patch engine installed")


def charter(lang: str) -> str:
    path = CHARTER_DIR / f"un-charter-{lang}.txt"
    if not path.exists():
        pytest.skip(f"corpus file missing: {path}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def l1_text() -> str:
    """Text of the real draft resolution A/C.1/80/L.1 (pypdf)."""
    pdf = corpus_pdf("A_C.1_80_L.1.pdf")
    if not pdf.exists():
        pytest.skip(f"corpus file missing: {pdf}")
    from pypdf import PdfReader

    return "\n\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def assert_rebuilds(diff: Diff, a: str, b: str) -> None:
    assert "".join(t for op, t in diff.ops if op != 1) == a
    assert "".join(t for op, t in diff.ops if op != -1) == b
    assert diff.text_a() == a and diff.text_b() == b
    assert all(op in (-1, 0, 1) and t for op, t in diff.ops)
    # neighbours of the same kind are merged
    assert all(x[0] != y[0] for x, y in zip(diff.ops, diff.ops[1:], strict=False))


def changes(diff: Diff) -> list[tuple[int, str]]:
    return [(op, t) for op, t in diff.ops if op != 0]


# ------------------------------------------------------------------------------------------
# Engine


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("prepass", [True, False])
def test_ops_rebuild_both_texts(l1_text, engine, prepass):
    a = l1_text
    b = replace_once(a, "Recalling its resolutions", "Recalling further its resolutions")
    b = replace_once(b, "Middle East", "Middle-East")
    paras = b.split("\n\n")
    del paras[len(paras) // 2]  # a whole page/paragraph disappears
    b = "\n\n".join(paras)
    b = b.replace("\n", " ", 3)
    diff = compute_diff(a, b, engine=engine, prepass=prepass)
    assert diff.engine == engine and not diff.timed_out and not diff.replaced
    assert_rebuilds(diff, a, b)
    assert (1, "further ") in diff.ops


@pytest.mark.parametrize("engine", ENGINES)
def test_identical_and_empty(engine):
    en = charter("en")
    assert compute_diff(en, en, engine=engine).ops == [(0, en)]
    assert compute_diff("", "", engine=engine).ops == []
    assert compute_diff("", en, engine=engine).ops == [(1, en)]
    assert compute_diff(en, "", engine=engine).ops == [(-1, en)]
    assert not compute_diff(en, en, engine=engine).changed


def test_invalid_arguments():
    with pytest.raises(ValueError):
        compute_diff("a", "b", timeout=0)
    with pytest.raises(ValueError):
        compute_diff("a", "b", cleanup="aggressive")
    with pytest.raises(ValueError):
        compute_diff("a", "b", engine="difflib")


@pytest.mark.parametrize("engine", ENGINES)
def test_prepass_handles_many_scattered_edits_without_newlines(engine):
    # Real text of five Charter languages, no newlines, with edits spread all over it.
    a = " ".join(charter(lang) for lang in ("en", "fr", "es", "ru", "zh")).replace("\n", " ")
    b = a
    for old, new in [
        ("scourge of war", "scourge of wars"),
        ("Article 2", "Article II"),
        ("fléau de la guerre", "fléau des guerres"),
        ("Consejo de Seguridad", "Consejo"),
        ("Организации Объединенных Наций", "ООН"),
        ("维持国际和平及安全", "维护国际和平与安全"),
    ]:
        b = replace_once(b, old, new)
    diff = compute_diff(a, b, engine=engine)
    assert_rebuilds(diff, a, b)
    assert not diff.timed_out
    assert changes(diff) == [
        (1, "s"),
        (-1, "2"),
        (1, "II"),
        (-1, " la"),
        (1, "s"),
        (1, "s"),
        (-1, " de Seguridad"),
        (-1, "рганизации Объединенных Наций"),
        (1, "ОН"),
        (-1, "持"),
        (1, "护"),
        (-1, "及"),
        (1, "与"),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_repeated_text_still_exact(engine):
    # Boilerplate repeats in UN documents; anchors that repeat are paired by occurrence.
    en = charter("en")
    a = en + "\n\n" + en
    b = a[: len(en) + 5000] + "Disarmament " + a[len(en) + 5000 :]
    diff = compute_diff(a, b, engine=engine)
    assert_rebuilds(diff, a, b)
    assert changes(diff) == [(1, "Disarmament ")]
    assert diff.ops[0] == (0, a[: len(en) + 5000])  # in the second copy, where it was made


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("prepass", [True, False])
def test_timeout_gives_replaced(engine, prepass):
    # Unrelated texts (Charter in Russian + Arabic vs English + French), tiny time limit.
    a = charter("ru") + charter("ar")
    b = charter("en") + charter("fr")
    diff = compute_diff(a, b, timeout=0.02, engine=engine, prepass=prepass)
    assert diff.timed_out and diff.replaced
    assert diff.ops == [(-1, a), (1, b)]
    assert diff.elapsed < 2.0
    stats = change_stats(diff)
    assert stats.replaced and stats.chars_removed == len(a) and stats.chars_added == len(b)
    assert json.loads(render_json(diff))["replaced"] is True


@pytest.mark.parametrize("engine", ENGINES)
def test_chinese_exact(engine):
    zh = charter("zh")
    i = zh.index("维持国际和平及安全", len(zh) // 3)  # an occurrence in the middle
    b = zh[:i] + "维护国际和平与安全" + zh[i + 9 :]
    diff = compute_diff(zh, b, engine=engine)
    assert_rebuilds(diff, zh, b)
    assert changes(diff) == [(-1, "持"), (1, "护"), (-1, "及"), (1, "与")]
    prefix = diff.ops[0][1]
    assert len(prefix) == i + 1  # the change sits exactly where it was made ("维|持")


@pytest.mark.parametrize("engine", ENGINES)
def test_arabic_exact(engine):
    ar = charter("ar")
    i = ar.index("مجلس الأمن", len(ar) // 2)  # "Security Council", in the middle
    b = ar[:i] + "مجالس الأمن" + ar[i + len("مجلس الأمن") :]  # one letter inserted
    j = b.index("الدولي", i + 300)  # "international" -> "global", further on
    b = b[:j] + "العالمي" + b[j + len("الدولي") :]
    diff = compute_diff(ar, b, engine=engine)
    assert_rebuilds(diff, ar, b)
    assert changes(diff) == [(1, "ا"), (-1, "دول"), (1, "عالم")]
    assert diff.ops[0] == (0, ar[: i + 2])  # "مج|لس": the alef goes exactly after "مج"
    k = len(diff.ops[0][1]) + len(diff.ops[2][1])  # where the deletion starts in ar
    assert ar[k - 2 : k] == "ال" and ar[k : k + 3] == "دول"


def test_pure_python_fallback(monkeypatch, l1_text):
    monkeypatch.setattr(diffmod, "_fdmp", None)
    assert available_engines() == [ENGINE_PY]
    b = replace_once(l1_text, "nuclear-weapon-free zone", "zone free of nuclear weapons")
    diff = compute_diff(l1_text, b)
    assert diff.engine == ENGINE_PY
    assert_rebuilds(diff, l1_text, b)
    with pytest.raises(ValueError):
        compute_diff(l1_text, b, engine=ENGINE_CPP)


@pytest.mark.skipif(ENGINE_CPP not in ENGINES, reason="C++ engine not installed")
def test_engines_agree(l1_text):
    b = replace_once(l1_text, "The General Assembly", "The General Assembly, once again")
    b = replace_once(b, "Establishment", "Creation")
    d1 = compute_diff(l1_text, b, engine=ENGINE_CPP)
    d2 = compute_diff(l1_text, b, engine=ENGINE_PY)
    assert changes(d1) == changes(d2)


# ------------------------------------------------------------------------------------------
# Stats


def test_stats_on_known_edit():
    en = charter("en")
    paras = en.split("\n\n")
    assert "to save succeeding generations" in paras[0]
    old_word_para = paras[0]
    paras[0] = old_word_para.replace("succeeding", "future", 1)  # changed: -10 +6
    removed = paras.pop(5)  # removed paragraph
    added = charter("fr").split("\n\n")[3]  # a real French paragraph, added
    paras.insert(10, added)
    b = "\n\n".join(paras)
    diff = compute_diff(en, b)
    stats = change_stats(diff)
    assert stats.paragraphs_changed == 1
    assert stats.paragraphs_removed == 1
    assert stats.paragraphs_added == 1
    assert not stats.replaced
    # "succeeding" -> "future" shares the "u" and "e"s; a paragraph is its text + "\n\n"
    word = [(op, t) for op, t in diff.ops if op and len(t) < 12]
    word_removed = sum(len(t) for op, t in word if op == -1)
    word_added = sum(len(t) for op, t in word if op == 1)
    assert stats.chars_removed == word_removed + len(removed) + 2
    assert stats.chars_added == word_added + len(added) + 2
    assert word_removed - word_added == len("succeeding") - len("future")
    assert stats.as_dict() == {
        "chars_added": stats.chars_added,
        "chars_removed": stats.chars_removed,
        "paragraphs_added": 1,
        "paragraphs_removed": 1,
        "paragraphs_changed": 1,
        "replaced": False,
    }


def test_stats_no_change():
    en = charter("en")
    s = change_stats(compute_diff(en, en))
    assert (s.chars_added, s.chars_removed, s.paragraphs_changed) == (0, 0, 0)


# ------------------------------------------------------------------------------------------
# Renderers

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_diff():
    en = charter("en")
    b = replace_once(en, "succeeding generations", f"{HOSTILE} generations")
    b = replace_once(b, "international peace and security", "international peace &amp; security")
    return compute_diff(en, b)


@pytest.mark.parametrize("fmt", ["inline-html", "side-by-side-html"])
def test_html_escapes_everything(hostile_diff, fmt):
    html = render(hostile_diff, fmt)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;amp;" in html  # "&amp;" in the text shows as "&amp;", not as "&"
    assert 'dir="auto"' in html
    assert 'class="dw-ins"' in html and 'class="dw-del"' in html
    assert "dw-diff" in html
    assert not re.search(r"<[^>]+\son\w+=", html)  # no event handlers
    assert "style=" not in html


def test_inline_html_folding(hostile_diff):
    html = render_inline_html(hostile_diff, fold=100)
    folds = re.findall(r'<span class="dw-fold">… ([\d,]+) characters unchanged …</span>', html)
    assert len(folds) >= 2
    shown = re.sub(r"<span class=\"dw-fold\">.*?</span>", "", html)
    shown = re.sub(r"<[^>]+>", "", shown)
    total_folded = sum(int(f.replace(",", "")) for f in folds)
    en = hostile_diff.text_a()
    # everything of the old text is either shown or folded
    old_shown = re.sub(r'<span class="dw-fold">.*?</span>', "", html)
    old_shown = html_module.unescape(
        re.sub(r"<[^>]+>", "", re.sub(r"<ins.*?</ins>", "", old_shown))
    )
    assert len(old_shown) + total_folded == len(en)
    assert len(shown) < 2000
    unfolded = render_inline_html(hostile_diff, fold=None)
    assert "dw-fold" not in unfolded and len(unfolded) > len(en)


def test_side_by_side_rows(hostile_diff):
    html = render_side_by_side_html(hostile_diff, fold=100, from_label="v1", to_label="v2")
    assert html.startswith('<table class="dw-diff dw-sbs">')
    assert "<th>v1</th><th>v2</th>" in html
    change_rows = re.findall(r'<tr class="dw-change">(.*?)</tr>', html, re.S)
    assert len(change_rows) == 2
    left, right = re.findall(r"<td[^>]*>(.*?)</td>", change_rows[0], re.S)
    assert "<del" in left and "<ins" not in left
    assert "<ins" in right and "<del" not in right
    assert "dw-fold" in html


def test_side_by_side_arabic_rtl():
    ar = charter("ar")
    b = ar.replace("الأمم المتحدة", "الأمم  المتحدة", 1)
    html = render_side_by_side_html(compute_diff(ar, b))
    assert html.count('dir="auto"') >= 2
    assert "الأمم" in html


def test_unified_matches_difflib_on_line_edits():
    en = charter("en")
    lines = en.split("\n")
    b_lines = list(lines)
    k = next(k for k in range(20, len(lines)) if " the " in lines[k])
    b_lines[k] = b_lines[k].replace(" the ", " THE ", 1)
    del b_lines[60]
    b_lines.insert(100, lines[7])
    b = "\n".join(b_lines)
    ours = render_unified(compute_diff(en, b), from_label="old", to_label="new")
    ref = "".join(difflib.unified_diff(en.splitlines(True), b.splitlines(True), "old", "new", n=3))
    assert ours == ref


def test_unified_shape_and_no_newline():
    fr = charter("fr")
    b = fr.rstrip("\n") + " Fin."
    out = render_unified(compute_diff(fr, b), context=2)
    lines = out.split("\n")
    assert lines[0] == "--- a" and lines[1] == "+++ b"
    assert re.fullmatch(r"@@ -\d+(,\d+)? \+\d+(,\d+)? @@", lines[2])
    assert "\\ No newline at end of file" in lines
    assert all(line[:1] in " -+@\\" for line in lines if line)
    assert render_unified(compute_diff(fr, fr)) == ""


def test_json_round_trip(hostile_diff):
    data = json.loads(render_json(hostile_diff))
    assert set(data) == {"engine", "replaced", "stats", "ops"}
    assert data["engine"] == hostile_diff.engine
    ops = [tuple(op) for op in data["ops"]]
    assert ops == hostile_diff.ops
    assert data["stats"] == change_stats(hostile_diff).as_dict()


def test_render_dispatch(hostile_diff):
    assert set(RENDERERS) == {"unified", "inline-html", "side-by-side-html", "json"}
    assert render(hostile_diff, "unified", context=1).startswith("--- a\n")
    with pytest.raises(ValueError) as err:
        render(hostile_diff, "pdf")
    for name in RENDERERS:
        assert name in str(err.value)


# ------------------------------------------------------------------------------------------
# Excerpts


def test_excerpt_marks_changes(hostile_diff):
    text = excerpt(hostile_diff)
    assert len(text) <= 300
    assert f"[-succeeding-]{{+{HOSTILE}+}}" in text
    assert excerpt(compute_diff("same", "same")) == ""


def test_excerpt_keeps_whole_characters():
    # French Charter in decomposed form (e + combining acute ...) and Arabic with shadda.
    nfd = unicodedata.normalize
    fr = nfd("NFD", charter("fr"))
    b = replace_once(fr, nfd("NFD", "générations futures"), nfd("NFD", "générations à venir"))
    ar = charter("ar")
    b_ar = replace_once(ar, "نبيّن", "نوضّح")
    for diff in (compute_diff(fr, b), compute_diff(ar, b_ar)):
        for max_chars in range(10, 160, 7):
            text = excerpt(diff, max_chars=max_chars)
            assert 0 < len(text) <= max_chars
            for j, ch in enumerate(text):
                if unicodedata.combining(ch):
                    assert j > 0 and text[j - 1] not in "…[]{}-+ "


def test_safe_cut():
    s = "ne\u0301e \U0001f469\u200d\U0001f52c"
    assert safe_cut(s, 2) == 1  # not between e and the combining acute
    assert safe_cut(s, 2, forward=True) == 3
    assert safe_cut(s, 6) == 5  # not between ZWJ-joined emoji


def apply_unified(a: str, patch: str) -> str:
    """Minimal unified-diff applier (for checking render_unified)."""
    src = a.split("\n")
    src = [line + "\n" for line in src[:-1]] + ([src[-1]] if src[-1] else [])
    out: list[str] = []
    pos = 0
    lines = patch.split("\n")
    i, last = 2, ""
    while i < len(lines) and lines[i]:
        m = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$", lines[i])
        assert m, lines[i]
        start = int(m.group(1)) - (1 if m.group(2) != "0" else 0)
        out += src[pos:start]
        pos = start
        i += 1
        while i < len(lines) and lines[i] and not lines[i].startswith("@@"):
            tag, body = lines[i][:1], lines[i][1:]
            if tag == "\\":
                if last in " +":
                    out[-1] = out[-1][:-1]
            elif tag in " -":
                assert src[pos].rstrip("\n") == body
                pos += 1
                if tag == " ":
                    out.append(body + "\n")
            elif tag == "+":
                out.append(body + "\n")
            last = tag
            i += 1
    return "".join(out + src[pos:])


def test_random_edits_round_trip():
    import random

    rng = random.Random(80)
    fr = charter("fr")
    words = fr.split(" ")
    for _ in range(30):
        b = fr
        for _ in range(rng.randrange(1, 8)):
            pos = rng.randrange(len(b))
            kind = rng.random()
            if kind < 0.3:
                b = b[:pos] + rng.choice(words) + " " + b[pos:]
            elif kind < 0.5:
                b = b[:pos] + "\n\n" + b[pos:]
            elif kind < 0.8:
                b = b[:pos] + b[pos + rng.randrange(1, 300) :]
            else:
                b = b[:pos] + rng.choice(["\n", " ", ""]) + b[pos + 1 :]
        diff = compute_diff(fr, b)
        assert_rebuilds(diff, fr, b)
        for sep in ("\n", "\n\n"):
            segs = diffmod.segments(diff.ops, sep)
            flat = [op for kind, item in segs for op in ([(0, item)] if kind == "equal" else item)]
            assert "".join(t for op, t in flat if op != 1) == fr
            assert "".join(t for op, t in flat if op != -1) == b
        assert apply_unified(fr, render_unified(diff, context=rng.randrange(0, 4))) == b
        change_stats(diff)
        render_side_by_side_html(diff)
        excerpt(diff, max_chars=rng.randrange(20, 300))


def test_excerpt_skips_whitespace_only_changes():
    head = "United Nations A/C.1/80/L.1\n\nGeneral Assembly Distr.: Limited\n\n8 October 2025"
    new_head = "United Nations A/C.1/80/L.1\n\nGeneral Assembly\n\nDistr.: Limited 8 October 2025"
    body = "\n\n1. Urges all parties to adhere to the Treaty on the Non- Proliferation;3"
    new_body = body.replace("Non- Proliferation;", "Non-Proliferation, and to report;")
    text = excerpt(compute_diff(head + body, new_head + new_body))
    assert text.startswith("…") and "{+, and to report+}" in text
    assert "[- -]" not in text and "{+ +}" not in text and "Distr." not in text
    assert excerpt(compute_diff(head, new_head)) == diffmod.WHITESPACE_ONLY
    assert len(excerpt(compute_diff(head, new_head), max_chars=20)) <= 20
