"""The shipped configuration, `SPIDERS` = `scrapy list`, config errors refused by `serve`."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tracker.cli import app, state
from tracker.config import SPIDERS, load_config, parse_config
from tracker.settings import load_settings

REPO = Path(__file__).resolve().parents[1]


def test_spiders_are_scrapys() -> None:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "scrapy"), "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sorted(out.split()) == sorted(SPIDERS)


def test_default_config_watches_the_real_set() -> None:
    path = REPO / "config" / "disarmwatch.toml"
    settings = load_settings(path, environ={})
    config = load_config(path, environ={})
    assert settings.data_dir == Path("data")  # the [disarmwatch] section is still there
    by_spider: dict[str, list[str]] = {}
    for source in config.sources:
        by_spider.setdefault(source.spider, []).extend(source.targets)
    assert "A/77/123" in by_spider["documents"]  # a Secretary-General's nuclear report
    assert {f"A/C.1/80/L.{n}" for n in range(1, 41)} <= set(by_spider["documents"])
    assert {"tpnw", "ctbt", "npt"} <= set(by_spider["treaties"])
    assert by_spider["igov"] == ["EIGHTIETH/First Committee"]
    assert any(t.startswith("replies:") for t in by_spider["unoda"])
    feed = next(s for s in config.sources if s.spider == "feeds")
    assert feed.args["patterns"] == "A/C.1/80/*" and config.source(feed.args["into"])
    # No live rule ships (it would mail a placeholder); the commented examples are valid.
    assert config.rules == []
    text = path.read_text()
    example = "\n".join(
        line.removeprefix("# ").removeprefix("#")
        for line in text.splitlines()
        if re.match(r"^# ?(\[\[rules\]\]|[a-z_]+ = )", line)
    )
    rules = parse_config(example, path, environ={}).rules
    assert [r.name for r in rules] == ["tpnw-and-replies", "first-committee-daily"]


def test_demo_config_is_valid() -> None:
    config = load_config(REPO / "config" / "demo.toml", environ={})
    assert all(s.interval is not None and s.interval.total_seconds() <= 60 for s in config.sources)
    assert {r.name for r in config.rules} == {"everything", "tpnw-ratifications"}


BAD = {
    "spider": ('[[sources]]\nname = "x"\nspider = "nope"\nevery = "1h"\n', "'spider'", 3),
    "cron": ('[[sources]]\nname = "x"\nspider = "igov"\ncron = "61 * * * *"\n', "'cron'", 4),
    "channel": (
        '[[rules]]\nname = "r"\nchannels = ["mailto://"]\n',
        "'channels'",
        3,
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_serve_refuses_config_errors(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, field, line = BAD[kind]
    path = tmp_path / "bad.toml"
    path.write_text("[disarmwatch]\n" + body)
    monkeypatch.setenv("DISARMWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DISARMWATCH_DATABASE_URL", raising=False)
    state._settings = None
    result = CliRunner().invoke(app, ["--config", str(path), "serve"], catch_exceptions=False)
    state._settings = None
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"{path}:{line + 1}" in message.replace(" ", "") or f"{path}:{line + 1}" in message
    assert field in message


def test_serve_refuses_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[sources]]\nname = "x"\nspider = "nope"\nevery = "1h"\n')
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "disarmwatch"), "--config", str(path), "serve"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"{path}:3" in proc.stderr.replace("\n", "") and "'spider'" in proc.stderr


# -- Docker ----------------------------------------------------------------------------------


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]


def test_compose_and_dockerfile_are_coherent() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    db, dw = services["db"], services["disarmwatch"]
    assert db["image"].startswith("postgres:16")
    # The database keeps its data in a named volume and says when it is ready.
    volume = next(v for v in db["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    assert volume.split(":")[0] in compose["volumes"]
    check = " ".join(db["healthcheck"]["test"])
    env = db["environment"]
    assert "pg_isready" in check
    assert f"-U {env['POSTGRES_USER']}" in check and f"-d {env['POSTGRES_DB']}" in check
    assert dw["depends_on"]["db"]["condition"] == "service_healthy"
    # disarmwatch reaches that database with those credentials, by the service's name.
    url = dw["environment"]["DISARMWATCH_DATABASE_URL"]
    expected = (
        f"postgresql+psycopg://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@db:5432/"
        f"{env['POSTGRES_DB']}"
    )
    assert url == expected
    known = set(load_settings(environ={}).__dataclass_fields__)
    for name in dw["environment"]:
        assert name.startswith("DISARMWATCH_")
        assert name.removeprefix("DISARMWATCH_").lower() in known | {"config"}, name
    # The web listens on all interfaces inside the container, on the published port.
    port = int(dw["environment"].get("DISARMWATCH_WEB_PORT", 8000))
    assert any(str(p).endswith(f":{port}") for p in dw["ports"])
    healthcheck = " ".join(dw["healthcheck"]["test"])
    assert f":{port}/healthz" in healthcheck
    # The Dockerfile installs and serves as the README says.
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "postgres:16" not in dockerfile
    readme = _readme_commands()
    assert readme[0].startswith("pip install -e . && disarmwatch serve")
    assert readme[1] == "pip install -e '.[test]' && pytest"
    assert re.search(r"^RUN pip install[^\n]*\.\[postgres\]", dockerfile, re.M)
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert cmd is not None
    argv = tomllib.loads(f"v = {cmd.group(1)}")["v"]
    assert argv[:2] == ["disarmwatch", "serve"] and "--host" in argv
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert f"EXPOSE {port}" in dockerfile
    assert "disarmwatch serve" in readme[0]
