"""``entekhab audit``: check the audit log's hash chain and sign its head.

``entekhab audit verify`` exits 0 when the chain is intact, 1 when something is wrong (the
first bad event is named, in Persian first, then English), 2 on unusable input.
``entekhab audit sign-head`` signs the current head with the HQ key; with ``--every SECONDS``
it keeps running and signs whenever the head has moved (on polling day, say every 300 s;
every certification signs one too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from entekhab.i18n import gettext_in

audit_app = typer.Typer(help="The audit log: verify its hash chain, sign its head.",
                        no_args_is_help=True)


def _setup() -> None:
    from entekhab.hq.bootstrap import setup

    setup()


def _both(msgid: str, **params: object) -> tuple[str, str]:
    """The message in Persian (from the catalogue) and in English."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("fa"):
        fa = gettext(msgid) % params
    return fa, msgid % params


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def verify(
    head: Annotated[list[Path] | None, typer.Option(help="a signed head kept earlier (audit-head.json); repeatable")]
    = None,
    key: Annotated[str | None, typer.Option(help="the HQ public key (hex) signed heads must verify under")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable outcome")] = False,
) -> None:
    """Check every link and digest, the chain's end against its head, and every signed head."""
    heads = []
    for path in head or []:
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            _fail(f"{path}: not a signed head ({exc})")
        heads.append(doc)
    _setup()
    from django.db import connection
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from entekhab.hq.audit import triggers
    from entekhab.hq.audit.log import PROBLEM_TEXT, verify_chain
    from entekhab.hq.audit.models import AuditCheckpoint, AuditEvent

    total = AuditEvent.objects.count()
    if as_json:
        breaks = verify_chain(public_key=key, heads=heads)
    else:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("verifying the audit chain", total=total)
            breaks = verify_chain(public_key=key, heads=heads, progress=lambda n: bar.update(task, completed=n))
    missing = sorted(set(triggers.expected(connection.vendor)) - set(triggers.installed(connection)))
    if as_json:
        typer.echo(json.dumps({"intact": not breaks, "events": total, "missing_triggers": missing,
                               "problems": [{"event": b.event_id, "kind": b.kind.value, "problem": b.problem,
                                             "checkpoint": b.checkpoint} for b in breaks]}, ensure_ascii=False))
        raise typer.Exit(1 if breaks else 0)
    # One problem per line, never wrapped at the terminal's width, so that an auditor can grep it.
    console = Console(soft_wrap=True, highlight=False)
    if missing:
        fa, en = _both("Warning: the append-only triggers are missing: %(names)s", names=", ".join(missing))
        console.print(f"[yellow]{fa}[/yellow]\n[yellow]{en}[/yellow]")
    if not breaks:
        fa, en = _both("The audit log is intact: %(events)s events, %(heads)s signed heads checked.",
                       events=f"{total:,}", heads=AuditCheckpoint.objects.count() + len(heads))
        console.print(f"[green]{fa}[/green]\n[green]{en}[/green]")
        raise typer.Exit(0)
    first = breaks[0]
    fa, _ = _both("The audit log is broken at event %(id)s: %(problem)s", id=first.event_id,
                  problem=_both(PROBLEM_TEXT[first.kind])[0])
    console.print(f"[bold red]{fa}[/bold red]")
    console.print(f"[bold red]The audit log is broken at event {first.event_id}: {first.problem}[/bold red]")
    for b in breaks[1:20]:
        console.print(f"  {b.event_id}: {b.problem}")
    fa, en = _both("%(count)s problem(s) in all.", count=len(breaks))
    console.print(f"{fa}\n{en}")
    raise typer.Exit(1)


def sign_head(
    every: Annotated[float, typer.Option(help="keep running: look every SECONDS, sign when the head moved")] = 0,
    rounds: Annotated[int, typer.Option(help="with --every: stop after this many looks (0: never)")] = 0,
) -> None:
    """Sign the chain's current head with the HQ key (a new signed checkpoint), once or at intervals."""
    import time

    _setup()
    from entekhab.hq.audit.checkpoints import AuditLogEmpty
    from entekhab.hq.audit.checkpoints import sign_head as do_sign
    from entekhab.hq.audit.models import AuditCheckpoint, AuditHead

    if every < 0 or rounds < 0:
        _fail("--every and --rounds must not be negative")
    done = 0
    while True:
        head = AuditHead.objects.filter(pk=1).first()
        last = AuditCheckpoint.objects.order_by("-id").first()
        if every and last is not None and head is not None and head.digest == last.digest:
            fa, en = _both("The audit head has not moved since checkpoint %(id)s: nothing to sign.", id=last.id)
            typer.echo(f"{fa}\n{en}")
        else:
            try:
                cp = do_sign()
            except AuditLogEmpty:
                fa, en = _both("The audit log is empty: there is no head to sign.")
                typer.echo(f"{gettext_in('fa', 'error')}: {fa} (error: {en})", err=True)
                if not every:
                    raise typer.Exit(2) from None
            else:
                fa, en = _both("Signed the audit head: %(events)s events up to event %(id)s, digest %(digest)s.",
                               events=f"{cp.events:,}", id=cp.last_event_id, digest=cp.digest[:16])
                typer.echo(f"{fa}\n{en}")
        done += 1
        if not every or (rounds and done >= rounds):
            return
        time.sleep(every)


def register(app: typer.Typer) -> None:
    audit_app.command("verify")(verify)
    audit_app.command("sign-head")(sign_head)
    app.add_typer(audit_app, name="audit")
