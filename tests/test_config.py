"""Sources and alert rules: validation names file, line and field; environment overrides."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tracker.config import ConfigError, load_config, parse_config

GOOD = """\
[disarmwatch]
data_dir = "data"

[[sources]]
name = "first-committee-drafts"
spider = "documents"
targets = ["A/C.1/80/L.1", "A/C.1/80/L.2"]
languages = ["en", "fr"]
every = "6h"
jitter = 120

[[sources]]
name = "tpnw-status"
spider = "treaties"
targets = ["tpnw"]
cron = "0 6 * * *"

[[rules]]
name = "drafts-to-webhook"
channels = ["json://127.0.0.1:9/hook"]
events = ["new_version", "new_language_version"]
documents = ["A/C.1/80/*"]
sources = ["first-committee-drafts"]

[[rules]]
name = "treaty-digest"
channels = ["json://127.0.0.1:9/digest"]
events = ["treaty_action"]
mode = "digest"
digest = "0 8 * * 1"
"""


def test_good_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD)
    config = load_config(path, environ={})
    drafts = config.source("first-committee-drafts")
    assert drafts.interval == timedelta(hours=6)
    assert drafts.spider_args() == {"languages": "en,fr"}
    assert config.source("tpnw-status").cron == "0 6 * * *"
    assert config.rule("treaty-digest").mode == "digest"
    assert load_config(None).sources == []


def test_shipped_config_is_valid() -> None:
    shipped = Path(__file__).resolve().parents[1] / "config" / "disarmwatch.toml"
    load_config(shipped, environ={})


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"),
    [
        ('spider = "treaties"', 'spider = "treatys"', 14, "spider", "unknown spider"),
        ('cron = "0 6 * * *"', 'cron = "61 6 * * *"', 16, "cron", "crontab"),
        ('every = "6h"', 'every = "often"', 9, "every", "interval"),
        (
            'channels = ["json://127.0.0.1:9/hook"]',
            'channels = ["not a url"]',
            20,
            "channels",
            "Apprise",
        ),
        ('mode = "digest"', 'mode = "weekly"', 29, "mode", "instant"),
        ("jitter = 120", 'jitter = "lots"', 10, "jitter", "expected int"),
        ('events = ["treaty_action"]', 'events = ["treaty_actions"]', 28, "events", "unknown"),
    ],
)
def test_errors_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, words: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new))
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert f"field {field!r}" in message and words in message


def test_unknown_field_duplicate_name_and_unknown_rule_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown field"):
        parse_config(GOOD.replace("jitter = 120", "jiter = 120"), tmp_path / "x.toml", {})
    with pytest.raises(ConfigError, match="duplicate name"):
        parse_config(
            GOOD.replace('"tpnw-status"', '"first-committee-drafts"'), tmp_path / "x.toml", {}
        )
    with pytest.raises(ConfigError, match="no source named"):
        parse_config(
            GOOD.replace('sources = ["first-committee-drafts"]', 'sources = ["x"]'),
            tmp_path / "x.toml",
            {},
        )
    with pytest.raises(ConfigError, match="exactly one of every or cron"):
        parse_config(
            GOOD.replace('every = "6h"', 'every = "6h"\ncron = "0 * * * *"'),
            tmp_path / "x.toml",
            {},
        )


def test_environment_overrides_any_field(tmp_path: Path) -> None:
    env = {
        "DISARMWATCH_SOURCES__FIRST_COMMITTEE_DRAFTS__LANGUAGES": '["zh", "ar"]',
        "DISARMWATCH_SOURCES__TPNW_STATUS__CRON": "30 5 * * *",
        "DISARMWATCH_RULES__DRAFTS_TO_WEBHOOK__CHANNELS": '["json://127.0.0.1:10/other"]',
    }
    config = parse_config(GOOD, tmp_path / "c.toml", env)
    assert config.source("first-committee-drafts").languages == ["zh", "ar"]
    assert config.source("tpnw-status").cron == "30 5 * * *"
    assert config.rule("drafts-to-webhook").channels == ["json://127.0.0.1:10/other"]
    bad = {"DISARMWATCH_SOURCES__TPNW_STATUS__CRON": "every day"}
    with pytest.raises(ConfigError, match="DISARMWATCH_SOURCES__TPNW_STATUS__CRON"):
        parse_config(GOOD, tmp_path / "c.toml", bad)


def test_config_spiders_are_the_crawlers_spiders() -> None:
    import os

    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from tracker.config import SPIDERS

    assert sorted(SpiderLoader.from_settings(get_project_settings()).list()) == sorted(SPIDERS)


def test_readme_rule_examples_are_valid() -> None:
    import re

    readme = Path(__file__).resolve().parents[1] / "README.md"
    blocks = re.findall(r"```toml\n(.*?)```", readme.read_text("utf-8"), re.S)
    assert blocks, "the README shows alert rules"
    for block in blocks:
        assert parse_config(block, readme, {}).rules
