"""`disarmwatch alerts ...`: test a rule's channels, read the delivery log.

Channel URLs are shown masked (`tracker.alerts.secrets.mask_url`); the log resolves each row's
channel digest back to its rule's URL through the configuration, and masks that.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from tracker.alerts.secrets import channel_id, mask_text, mask_url
from tracker.config import Config, ConfigError, load_config
from tracker.models import Delivery, Document, Event

alerts_app = typer.Typer(
    help="Alert rules: test their channels, read the delivery log.", no_args_is_help=True
)
STATES = ("pending", "sent", "failed")


def _config() -> Config:
    # Imported here: tracker.cli mounts this app, so a module-level import would be circular.
    from tracker.cli import fail, state

    try:
        return load_config(state.settings().config_file)
    except ConfigError as exc:
        fail(f"configuration error: {exc}")
        raise  # unreachable: fail() exits


@alerts_app.command("test")
def test_rule(
    rule: Annotated[str, typer.Argument(help="The alert rule's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Send a test notification through every channel of RULE."""
    from tracker.alerts.deliver import Deliverer
    from tracker.cli import console, fail, print_json, state

    config = _config()
    names = [r.name for r in config.rules]
    if rule not in names:
        fail(f"no alert rule named {rule!r}; rules: {', '.join(names) or 'none configured'}")
    deliverer = Deliverer(state.database(), state.settings(), config)
    results = deliverer.send_test(rule)
    if as_json:
        print_json([{"channel": url, "ok": err is None, "error": err} for url, err in results])
    else:
        for url, err in results:
            outcome = "[green]sent[/green]" if err is None else f"[red]failed[/red]: {err}"
            console.print(f"{url}: {outcome}", highlight=False, markup=True, soft_wrap=True)
    if any(err is not None for _url, err in results):
        raise typer.Exit(1)


def delivery_log(
    config: Config, session: Any, *, state: str | None, rule: str | None, limit: int
) -> list[dict[str, Any]]:
    """Delivery rows, newest first, with masked channels and errors."""
    urls = {(r.name, channel_id(u)): u for r in config.rules for u in r.channels}
    every_url = list(urls.values())
    query = (
        select(Delivery, Event.summary, Event.type, Document.key)
        .join(Event, Event.id == Delivery.event_id)
        .join(Document, Document.id == Event.document_id)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    if state:
        query = query.where(Delivery.state == state)
    if rule:
        query = query.where(Delivery.rule == rule)
    rows = []
    for d, summary, etype, key in session.execute(query):
        url = urls.get((d.rule, d.channel))
        rows.append(
            {
                "id": d.id,
                "state": d.state,
                "rule": d.rule,
                "mode": d.mode,
                "channel": mask_url(url) if url else f"(unknown channel {d.channel[:8]})",
                "event_id": d.event_id,
                "event_type": etype,
                "document": key,
                "summary": summary,
                "attempts": d.attempts,
                "next_attempt_at": d.next_attempt_at.isoformat() if d.state == "pending" else None,
                "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                "error": mask_text(d.last_error, every_url) if d.last_error else None,
            }
        )
    return rows


@alerts_app.command("log")
def log_command(
    state_: Annotated[
        str | None, typer.Option("--state", help="Only rows in this state: pending, sent, failed.")
    ] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule's deliveries.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Deliveries: sent, pending and failed, with their reasons."""
    from tracker.cli import console, fail, print_json, state

    if state_ is not None and state_ not in STATES:
        fail(f"--state must be one of {', '.join(STATES)}, not {state_!r}")
    config = _config()
    with state.database().session() as session:
        rows = delivery_log(config, session, state=state_, rule=rule, limit=limit)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "state", "rule", "channel", "event", "attempts", "when / why")
    for r in rows:
        when = {
            "sent": f"sent {(r['sent_at'] or '')[:19]}",
            "pending": f"next {(r['next_attempt_at'] or '')[:19]}"
            + (f" (last: {r['error']})" if r["error"] else ""),
            "failed": r["error"] or "",
        }.get(r["state"], "")
        table.add_row(
            str(r["id"]),
            r["state"],
            r["rule"],
            r["channel"],
            f"{r['document']}: {r['summary']}",
            str(r["attempts"]),
            when,
        )
    console.print(table)
