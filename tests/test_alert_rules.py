"""Alert rule matching: every filter a rule sets must hold; empty filters match anything."""

from __future__ import annotations

from typing import Any

import pytest

from tracker.alerts.rules import rule_matches
from tracker.config import Rule
from tracker.models import Event


def event(
    type_: str = "new_version",
    *,
    summary: str = "A/C.1/80/L.1 (en): version 2 (+10/-0 characters)",
    lang: str | None = "en",
    source: str | None = "first-committee",
    data: dict[str, Any] | None = None,
) -> Event:
    return Event(type=type_, summary=summary, lang=lang, source=source, data=data or {})


def rule(**kw: Any) -> Rule:
    return Rule(name="r", channels=["json://127.0.0.1/hook"], **kw)


def test_an_empty_rule_matches_everything() -> None:
    assert rule_matches(rule(), event(), "A/C.1/80/L.1", "")
    assert rule_matches(rule(), event("gone", lang=None, source=None), "tpnw", "")


def test_event_types() -> None:
    r = rule(events=["treaty_action", "new_submission"])
    assert rule_matches(r, event("treaty_action"), "tpnw", "")
    assert not rule_matches(r, event("new_version"), "A/C.1/80/L.1", "")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("A/C.1/80/L.1", True),
        ("A/C.1/80/L.35/Rev.1", True),  # fnmatch's * also crosses "/"
        ("A/C.1/79/L.1", False),
        ("a/c.1/80/L.1", False),  # UN symbols are case-sensitive
        ("A/79/88", True),
    ],
)
def test_document_globs(key: str, expected: bool) -> None:
    assert rule_matches(rule(documents=["A/C.1/80/*", "A/79/88"]), event(), key, "") is expected


def test_sources_and_languages() -> None:
    r = rule(sources=["first-committee"], languages=["fr", "zh"])
    assert rule_matches(r, event(lang="zh"), "A/C.1/80/L.1", "")
    assert not rule_matches(r, event(lang="en"), "A/C.1/80/L.1", "")
    assert not rule_matches(r, event(lang="zh", source="ingest"), "A/C.1/80/L.1", "")
    # An event with no language (a treaty action) does not pass a language filter.
    assert not rule_matches(r, event(lang=None), "tpnw", "")


def test_states_are_case_insensitive_and_required() -> None:
    r = rule(states=["Austria", "côte d'ivoire"])
    action = event("treaty_action", data={"state": "AUSTRIA", "action": "ratification"})
    assert rule_matches(r, action, "tpnw", "")
    assert rule_matches(r, event("new_submission", data={"state": "Côte d'Ivoire"}), "x", "")
    assert not rule_matches(r, event("treaty_action", data={"state": "Brazil"}), "tpnw", "")
    assert not rule_matches(r, event("new_version"), "A/C.1/80/L.1", "")  # no State at all


def test_words_in_added_text_case_insensitive() -> None:
    r = rule(words=["Nuclear Test", "moratorium"])
    assert rule_matches(r, event(), "A/C.1/80/L.1", "… calls for a MORATORIUM on …")
    assert rule_matches(r, event(), "A/C.1/80/L.1", "any nuclear\ntest explosion")  # line break
    assert not rule_matches(r, event(), "A/C.1/80/L.1", "nuclear weapons")
    # A word starts a word in spaced scripts: "ban" finds "banned", not "urban".
    assert rule_matches(rule(words=["ban"]), event(), "k", "testing is banned")
    assert not rule_matches(rule(words=["ban"]), event(), "k", "urban areas")


def test_words_in_chinese_arabic_and_russian() -> None:
    assert rule_matches(rule(words=["核武器"]), event(lang="zh"), "k", "全面禁止核武器条约")
    # Arabic attaches the article and conjunctions to the word: found inside a longer word.
    assert rule_matches(rule(words=["أسلحة"]), event(lang="ar"), "k", "حظر الأسلحة النووية")
    assert rule_matches(rule(words=["ЯДЕРНОГО"]), event(lang="ru"), "k", "ядерного оружия")
    assert not rule_matches(rule(words=["核武器"]), event(lang="zh"), "k", "化学武器")


def test_words_in_the_summary_of_structured_events() -> None:
    r = rule(words=["ratified"])
    ev = event("treaty_action", summary="Austria ratified the TPNW on 2026-09-26", lang=None)
    assert rule_matches(r, ev, "tpnw", "")
    assert not rule_matches(rule(words=["signed"]), ev, "tpnw", "")


def test_text_identical_versions_only_when_asked() -> None:
    ev = event(data={"seq": 2, "text_identical": True})
    assert not rule_matches(rule(), ev, "A/C.1/80/L.1", "")
    assert rule_matches(rule(include_text_identical=True), ev, "A/C.1/80/L.1", "")
    assert rule_matches(rule(), event(data={"text_identical": False}), "A/C.1/80/L.1", "")


def test_all_filters_together() -> None:
    r = rule(events=["new_version"], documents=["A/C.1/80/*"], languages=["en"], words=["annex"])
    assert rule_matches(r, event(), "A/C.1/80/L.1", "See the annex.")
    assert not rule_matches(r, event(), "A/C.1/80/L.1", "See the appendix.")
    assert not rule_matches(r, event(lang="fr"), "A/C.1/80/L.1", "See the annex.")
