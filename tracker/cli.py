"""`disarmwatch` command line: import files, list documents, read history, texts and diffs."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tracker import queries
from tracker.db import Database, current_revision, head_revision, upgrade
from tracker.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    help="Watch United Nations disarmament documents: versions, diffs, citations, events.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console()
err_console = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class _State:
    config: Path | None = None
    _settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config)
            except SettingsError as exc:
                fail(f"configuration error: {exc}")
        assert self._settings is not None
        return self._settings

    def database(self, *, migrate: bool = True) -> Database:
        return Database.from_settings(self.settings(), migrate=migrate)


state = _State()


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.callback()
def _main(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Settings file (default: config/disarmwatch.toml)."),
    ] = None,
) -> None:
    state.config = config


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="A PDF, HTML or text file you already have.")],
    symbol: Annotated[
        str | None, typer.Option(help="UN symbol (default: from the file name or first page).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language code: en fr es ru zh ar.")] = "en",
    fmt: Annotated[
        str | None, typer.Option("--format", help="pdf, html or text (default: from the file).")
    ] = None,
    kind: Annotated[str, typer.Option(help="Document kind.")] = "symbol",
    url: Annotated[str | None, typer.Option(help="Where the file came from.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a file as a capture of a document, exactly as the crawler's captures enter."""
    from tracker.ingest import ingest_file

    settings = state.settings()
    db = state.database()
    try:
        result = ingest_file(
            db, settings, file, symbol=symbol, lang=lang, fmt=fmt, kind=kind, url=url
        )
    except (FileNotFoundError, IsADirectoryError, ValueError) as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
    else:
        line = f"{result['key']} ({result['lang']}): {result['outcome']}"
        if result.get("version_seq"):
            line += f", version {result['version_seq']}"
        if result.get("text_identical"):
            line += " (same text as before: no alert)"
        console.print(line, highlight=False)
        if result.get("error"):
            err_console.print(f"  error: {result['error']}", highlight=False)
        for warning in result.get("warnings", []):
            err_console.print(f"  warning: {warning}", highlight=False)
        for ev in result["events"]:
            console.print(f"  event {ev['type']}: {ev['summary']}", highlight=False)
    if result["outcome"] == "error":
        raise typer.Exit(2)


@app.command()
def documents(
    kind: Annotated[
        str | None, typer.Option(help="Only this kind (symbol, page, treaty...).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List documents: symbol, title, languages, versions, last change."""
    db = state.database()
    with db.session() as session:
        rows = queries.list_documents(session, kind=kind)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    table = Table("symbol", "title", "languages", "versions", "last change")
    for r in rows:
        table.add_row(
            r.key,
            (r.title or "")[:70],
            " ".join(r.languages),
            str(r.versions),
            (r.last_change or "")[:19].replace("T", " "),
        )
    console.print(table)


def _change_cell(stats: dict[str, Any], text_identical: bool) -> str:
    if text_identical:
        return "same text"
    if not stats:
        return ""
    if stats.get("replaced"):
        return "replaced"
    paragraphs = sum(
        stats.get(k, 0) for k in ("paragraphs_changed", "paragraphs_added", "paragraphs_removed")
    )
    return (
        f"+{stats.get('chars_added', 0)}/-{stats.get('chars_removed', 0)} chars, {paragraphs} par."
    )


@app.command()
def history(
    key: Annotated[str, typer.Argument(help="Document symbol or key.")],
    lang: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every capture and version of a document, with sizes and change stats."""
    db = state.database()
    with db.session() as session:
        try:
            data = queries.history(session, key, lang=lang)
        except queries.NotFound as exc:
            fail(str(exc))
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{data['key']}[/bold] {data['title'] or ''}", highlight=False)
    for res in data["resources"]:
        gone = " [red](gone)[/red]" if res["gone"] else ""
        console.print(
            f"\n[bold]{res['lang'] or '-'}[/bold] {res['format']} {res['url'] or ''}{gone}"
        )
        vt = Table("version", "first seen", "last seen", "raw bytes", "text chars", "change")
        for v in res["versions"]:
            vt.add_row(
                str(v["seq"]),
                (v["first_seen_at"] or "")[:19],
                (v["last_seen_at"] or "")[:19],
                f"{v['raw_size']:,}",
                f"{v['text_size']:,}",
                _change_cell(v["stats"], v["text_identical"]),
            )
        console.print(vt)
        ct = Table("capture", "fetched", "outcome", "HTTP", "bytes", "error")
        for c in res["captures"]:
            ct.add_row(
                str(c["id"]),
                (c["fetched_at"] or "")[:19],
                c["outcome"],
                str(c["http_status"] or ""),
                f"{c['size'] or 0:,}",
                (c["error"] or "")[:60],
            )
        console.print(ct)


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="Document symbol or key.")],
    lang: Annotated[str | None, typer.Option(help="Language code.")] = None,
    version: Annotated[int | None, typer.Option(help="Version number (default: latest).")] = None,
    raw: Annotated[
        bool, typer.Option(help="Write the raw file to stdout instead of text.")
    ] = False,
) -> None:
    """Print the normalised text of a version."""
    db = state.database()
    with db.session() as session:
        try:
            v = queries.get_version(session, key, lang=lang, seq=version)
        except queries.NotFound as exc:
            fail(str(exc))
        if raw:
            sys.stdout.buffer.write(queries.version_raw(session, v))
            return
        sys.stdout.write(queries.version_text(session, v) + "\n")


@app.command()
def diff(
    key: Annotated[str, typer.Argument(help="Document symbol or key.")],
    lang: Annotated[str | None, typer.Option(help="Language code.")] = None,
    from_: Annotated[int | None, typer.Option("--from", help="Older version number.")] = None,
    to: Annotated[int | None, typer.Option("--to", help="Newer version (default: latest).")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="unified, inline-html, side-by-side-html or json.")
    ] = "unified",
) -> None:
    """Show what changed between two versions (default: latest against previous)."""
    from tracker.diff import RENDERERS, render

    if fmt not in RENDERERS:
        fail(f"unknown format {fmt!r}; choose one of: {', '.join(RENDERERS)}")
    db = state.database()
    with db.session() as session:
        try:
            old, new, result = queries.diff_versions(
                session,
                key,
                lang=lang,
                from_seq=from_,
                to_seq=to,
                timeout=state.settings().diff_timeout,
            )
        except queries.NotFound as exc:
            fail(str(exc))
    options: dict[str, Any] = {}
    if fmt == "unified":
        options = {"from_label": f"{key} v{old.seq}", "to_label": f"{key} v{new.seq}"}
    sys.stdout.write(render(result, fmt, **options).rstrip("\n") + "\n")


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since: not an ISO date or datetime: {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
def events(
    since: Annotated[str | None, typer.Option(help="ISO date: only events from then on.")] = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Event type (repeatable).")
    ] = None,
    document: Annotated[str | None, typer.Option(help="Only this document key.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 200,
    as_json: JsonOption = False,
) -> None:
    """List change events, newest first."""
    from tracker.models import EventType

    valid = {t.value for t in EventType}
    for t in type_ or []:
        if t not in valid:
            fail(f"unknown event type {t!r}; choose from: {', '.join(sorted(valid))}")
    db = state.database()
    with db.session() as session:
        rows = queries.list_events(
            session, since=_parse_since(since), types=type_, document=document, limit=limit
        )
    if as_json:
        print_json(rows)
        return
    table = Table("when", "type", "document", "lang", "summary")
    for r in rows:
        table.add_row(
            (r["occurred_at"] or "")[:19].replace("T", " "),
            r["type"],
            r["document"],
            r["lang"] or "",
            r["summary"],
        )
    console.print(table)


@app.command()
def cite(
    file: Annotated[Path, typer.Argument(help="A PDF, HTML or text file.")],
    symbol: Annotated[
        str | None, typer.Option(help="The file's own symbol, never counted as a citation.")
    ] = None,
    context: Annotated[bool, typer.Option(help="Show the sentence around each citation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Print the UN symbols a file cites, one per line."""
    from tracker.citations import extract_citations
    from tracker.extract import ExtractionError, extract_text

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")
    try:
        extraction = extract_text(data, url=str(file))
    except ExtractionError as exc:
        fail(f"{file}: {exc}")
    own = symbol or extraction.symbol
    found = extract_citations(extraction.text, self_symbol=own, links=extraction.links)
    seen: dict[str, Any] = {}
    for c in found:
        seen.setdefault(c.key, c)
    if as_json:
        print_json(
            [
                {"key": c.key, "kind": c.kind, "raw": c.raw, "context": c.context}
                for c in seen.values()
            ]
        )
        return
    for key, c in seen.items():
        sys.stdout.write(f"{key}\t{c.context}\n" if context else f"{key}\n")


@app.command()
def citations(
    key: Annotated[str, typer.Argument(help="Document symbol or key.")],
    as_json: JsonOption = False,
) -> None:
    """What a stored document cites, and which stored documents cite it."""
    db = state.database()
    with db.session() as session:
        try:
            data = queries.citations_of(session, key)
        except queries.NotFound as exc:
            fail(str(exc))
    if as_json:
        print_json(data)
        return
    for title, rows in (("cites", data["cites"]), ("cited by", data["cited_by"])):
        table = Table("symbol", "times", "context", title=f"{key} {title}")
        for r in rows:
            table.add_row(r["key"], str(r["count"]), (r["context"] or "")[:90])
        console.print(table)


@app.command()
def crawl(
    spider: Annotated[str, typer.Argument(help="Spider name (see `scrapy list`).")],
    targets: Annotated[
        list[str] | None, typer.Argument(help="Symbols, URLs or treaty names to crawl.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds before the crawl is ended.")
    ] = None,
    arg: Annotated[
        list[str] | None,
        typer.Option("--arg", "-a", help="Spider argument NAME=VALUE (e.g. depth=2), repeatable."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run one spider now, with a progress display and a summary."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from tracker.crawl import run_crawl
    from tracker.store import Store

    spider_args: dict[str, str] = {}
    for item in arg or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--arg: expected NAME=VALUE, got {item!r}")
        spider_args[name] = value
    settings = state.settings()
    store = Store(state.database(), settings)
    if as_json:
        result = run_crawl(
            store, settings, spider, targets or [], timeout=timeout, spider_args=spider_args
        )
    else:
        columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task(f"crawling with {spider}", total=None)

            def show(data: dict[str, Any]) -> None:
                if data.get("type") not in ("progress", "summary"):
                    return  # e.g. "started": no counts yet
                outcomes = ", ".join(f"{k} {v}" for k, v in sorted(data["outcomes"].items()))
                progress.update(
                    task,
                    description=f"{spider}: {data['requests']} requests, "
                    f"{data['captures']} captures ({outcomes or 'none yet'}), "
                    f"{data['events']} events",
                )

            result = run_crawl(
                store,
                settings,
                spider,
                targets or [],
                timeout=timeout,
                spider_args=spider_args,
                on_progress=show,
            )
    summary = {"run_id": result.run_id, "status": result.status, **result.counts}
    if as_json:
        print_json(summary)
    else:
        table = Table("crawl run", str(result.run_id), show_header=True)
        table.add_row("status", result.status)
        table.add_row("seconds", f"{result.seconds:.1f}")
        for name in ("requests", "captures", "new_versions", "events", "errors", "retries"):
            table.add_row(name, str(result.counts.get(name, 0)))
        for outcome, n in sorted(result.counts.get("outcomes", {}).items()):
            table.add_row(f"  {outcome}", str(n))
        for etype, n in sorted(result.counts.get("event_types", {}).items()):
            table.add_row(f"  event {etype}", str(n))
        console.print(table)
        if result.status != "finished":
            err_console.print(result.log_tail[-3000:], highlight=False, markup=False)
    if result.status != "finished":
        raise typer.Exit(1)


@app.command()
def reextract(
    all_versions: Annotated[
        bool, typer.Option("--all", help="Every version, not only those an older extractor made.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Read stored versions' raw files again with the current text extractor (raises no events).

    The service does this by itself at start; the older texts are kept as history.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tracker.reextract import reextract_all

    settings, db = state.settings(), state.database()
    if as_json:
        print_json(reextract_all(db, settings, force=all_versions).as_dict())
        return
    columns = ["re-extracting", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("re-extracting", total=None)

        def show(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = reextract_all(db, settings, force=all_versions, on_progress=show)
    table = Table("re-extraction", f"extractor version {summary.extractor_version}")
    for name in ("versions", "changed", "same_text", "failed", "skipped", "records"):
        table.add_row(name.replace("_", " "), str(getattr(summary, name)))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    console.print(table)
    for failure in summary.failures:
        err_console.print(
            f"kept the older text of {failure['key']} ({failure['lang'] or '-'}) version "
            f"{failure['seq']}: {failure['error']}",
            highlight=False,
            markup=False,
        )


@app.command("mirror")
def mirror_command(
    port_base: Annotated[
        int | None, typer.Option(help="Site i listens on PORT_BASE + i (default: any free port).")
    ] = None,
    extra_symbols: Annotated[
        int, typer.Option(help="Also serve the drafts again as A/C.1/99/L.1..N.")
    ] = 0,
) -> None:
    """Run the local UN mirror (no internet needed) and print how to point disarmwatch at it."""
    import threading

    from mirror import Mirror
    from tracker.settings import SITE_URL_FIELDS

    with Mirror(port_base=port_base, extra_symbols=extra_symbols) as mirror:
        console.print("# the local UN mirror is serving; point disarmwatch at it with:")
        for site, field_name in SITE_URL_FIELDS.items():
            sys.stdout.write(f"export DISARMWATCH_{field_name.upper()}={mirror.base_urls[site]}\n")
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            console.print("stopping the mirror")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the Alembic migrations to the configured database."""
    db = state.database(migrate=False)
    before = current_revision(db.engine)
    upgrade(db.engine, revision)
    after = current_revision(db.engine)
    console.print(f"database {db.engine.url.render_as_string()}: {before or 'empty'} -> {after}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the newest one."""
    db = state.database(migrate=False)
    console.print(f"current: {current_revision(db.engine) or 'empty'}; head: {head_revision()}")


from tracker.cli_alerts import alerts_app  # noqa: E402 - the alert commands
from tracker.cli_service import register  # noqa: E402 - the service's commands

app.add_typer(alerts_app, name="alerts")
register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
