"""``entekhab ops``: headquarters operations from the command line.

Public draws of devices and staff (from a seed published beforehand), re-running a
stored draw to check its digest, the periodic network sweep, and readiness figures.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer

ops = typer.Typer(help="Headquarters operations: draws, network sweep, readiness.", no_args_is_help=True)

ElectionOpt = Annotated[str, typer.Option("--election", help="election code")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _setup() -> None:
    from entekhab.hq.bootstrap import setup

    setup()


def _election(code: str) -> Any:
    from entekhab.hq.elections.models import Election

    election = Election.objects.filter(code=code).first()
    if election is None:
        _fail(f"no election with code {code!r}")
    return election


def _user(username: str) -> Any:
    """The named official, proven by password or token (``commands.identity``)."""
    from entekhab.commands.identity import acting_user

    return acting_user(username)


def _draw(subject: str, stage: str, seed: str, election: str, user: str, observers: str, as_json: bool) -> None:
    if stage not in ("region", "branch"):
        _fail(f"unknown stage {stage!r}: use region or branch")
    _setup()
    from django.core.exceptions import PermissionDenied

    from entekhab.domain.errors import DomainError
    from entekhab.hq.operations.actions.devices import do_draw_devices
    from entekhab.hq.operations.actions.staff import do_draw_staff

    action = do_draw_devices if subject == "devices" else do_draw_staff
    try:
        draw, result = action(_election(election), stage=stage, seed=seed, observers=observers,
                              acting_user=_user(user))
    except DomainError as exc:
        _fail(exc.message_en)
    except PermissionDenied:
        _fail(f"user {user!r} may not hold a {subject} draw")
    summary = {"subject": subject, "stage": stage, "seed": draw.seed, "seed_commitment": draw.seed_commitment,
               "label": draw.label, "digest": draw.digest, "placed": len(result.placements),
               "reserves": len(result.reserves), "shortfalls": [[s.slot, s.kind, s.missing] for s in result.shortfalls]}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{subject} → {stage}s")
    table.add_column("")
    table.add_column("")
    for key in ("seed", "label", "digest", "placed", "reserves"):
        table.add_row(key, str(summary[key]))
    table.add_row("shortfalls", str(sum(s.missing for s in result.shortfalls)))
    Console().print(table)


@ops.command("draw-devices")
def draw_devices(
    seed: Annotated[str, typer.Option(help="the seed published before the draw")],
    stage: Annotated[str, typer.Option(help="region (warehouse → regions) or branch (region → branches)")],
    user: Annotated[str, typer.Option("--as", "--user", help="the official holding the draw (password or token)",
                                      envvar="ENTEKHAB_AS")],
    observers: Annotated[str, typer.Option(help="observers present")] = "",
    election: ElectionOpt = "1405",
    as_json: JsonOpt = False,
) -> None:
    """Two-stage public allocation of devices; reserves stay in each region by policy."""
    _draw("devices", stage, seed, election, user, observers, as_json)


@ops.command("draw-staff")
def draw_staff(
    seed: Annotated[str, typer.Option(help="the seed published before the draw")],
    stage: Annotated[str, typer.Option(help="region (pool → regions) or branch (regions → branches)")],
    user: Annotated[str, typer.Option("--as", "--user", help="the official holding the draw (password or token)",
                                      envvar="ENTEKHAB_AS")],
    observers: Annotated[str, typer.Option(help="observers present")] = "",
    election: ElectionOpt = "1405",
    as_json: JsonOpt = False,
) -> None:
    """Staged randomised assignment of staff, with conflicts, sensitivity and reserves."""
    _draw("staff", stage, seed, election, user, observers, as_json)


@ops.command("verify-draw")
def verify_draw(
    subject: Annotated[str, typer.Option(help="devices or staff")],
    stage: Annotated[str, typer.Option(help="region or branch")],
    election: ElectionOpt = "1405",
    as_json: JsonOpt = False,
) -> None:
    """Re-run a held draw from its published seed and stored inputs; exit 1 if the digest differs."""
    if subject not in ("devices", "staff") or stage not in ("region", "branch"):
        _fail("subject is devices or staff, stage is region or branch")
    _setup()
    from entekhab.hq.operations.actions.draws import rerun
    from entekhab.hq.operations.models import Draw

    draw = Draw.objects.filter(election=_election(election), subject=subject, stage=stage).first()
    if draw is None:
        _fail(f"no {subject} draw to {stage}s has been held")
    again = rerun(draw)
    same = again.digest == draw.digest
    if as_json:
        typer.echo(json.dumps({"published": draw.digest, "rerun": again.digest, "same": same}))
    else:
        typer.echo(f"published {draw.digest}\nre-run    {again.digest}\n{'same' if same else 'DIFFERENT'}")
    if not same:
        raise typer.Exit(1)


@ops.command("rerun-draw")
def rerun_draw(
    path: Annotated[str, typer.Argument(help="a published draw (the JSON from /draws/ELECTION/ID.json)")],
    as_json: JsonOpt = False,
) -> None:
    """Redo a published draw from its file alone, with no HQ database; exit 1 if anything differs.

    Checks that the seed matches the commitment published before the draw, that the inputs match
    their published digest, and that the re-run's result digest equals the published one.
    """
    from pathlib import Path

    from entekhab.domain.draw import DrawError, check_public_draw

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        check = check_public_draw(document)
    except (OSError, ValueError) as exc:
        _fail(f"cannot read {path}: {exc}")
    except DrawError as exc:
        _fail(f"{exc.message_en} / {exc.message_fa}")
    again = check.rerun
    summary = {"label": again.stage, "seed_commitment": check.commitment_matches, "inputs": check.inputs_match,
               "published": document["result_sha256"], "rerun": again.digest, "same": check.ok,
               "placed": len(again.placements), "reserves": len(again.reserves),
               "shortfalls": sum(s.missing for s in again.shortfalls)}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        def mark(ok: bool) -> str:
            return "same" if ok else "DIFFERENT"

        typer.echo(f"draw      {again.stage}\n"
                   f"seed      {again.seed}\n"
                   f"commitment {mark(check.commitment_matches)} (SHA-256 of the seed)\n"
                   f"inputs    {mark(check.inputs_match)} (SHA-256 of entrants and slots)\n"
                   f"published {document['result_sha256']}\n"
                   f"re-run    {again.digest}\n"
                   f"result    {mark(check.result_matches)}: {len(again.placements)} placed, "
                   f"{len(again.reserves)} reserves, {summary['shortfalls']} seats short")
        slots = again.by_slot()
        for slot, entrants in list(slots.items())[:10]:
            more = f" … (+{len(entrants) - 6})" if len(entrants) > 6 else ""
            typer.echo(f"  {slot}: {' '.join(entrants[:6])}{more}")
        if len(slots) > 10:
            typer.echo(f"  … {len(slots) - 10} more slots (--json for the digests only)")
    if not check.ok:
        raise typer.Exit(1)


@ops.command("network-sweep")
def network_sweep(
    election: ElectionOpt = "1405",
    every: Annotated[int, typer.Option(min=0, max=3600, help="repeat every N seconds (0: once)")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Re-derive every branch's network status; open outages for silent branches, close recovered ones."""
    _setup()
    from entekhab.hq.operations.actions.network import sweep

    target = _election(election)
    while True:
        counts = sweep(target)
        typer.echo(json.dumps(counts) if as_json else
                   "  ".join(f"{k}: {v:,}" for k, v in counts.items()))
        if not every:
            return
        time.sleep(every)


@ops.command("readiness")
def readiness(
    election: ElectionOpt = "1405",
    body: Annotated[str, typer.Option(help="list one body's deficiencies (e.g. education, mci)")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Readiness by region and deficiencies per responsible body, from the latest inspections."""
    _setup()
    from entekhab.domain.readiness import BODY_FA, ITEMS, Body, Readiness
    from entekhab.hq.operations.actions.inspections import election_deficiencies
    from entekhab.hq.operations.views.dashboard import readiness_rows

    if body and body not in {b.value for b in Body}:
        _fail(f"unknown body {body!r}: one of {', '.join(b.value for b in Body)}")
    target = _election(election)
    lists = election_deficiencies(target)
    if body:
        rows = [{"branch": d.branch, "item": d.item, "rating": d.rating.value, "note": d.note}
                for d in lists.get(Body(body), ())]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{BODY_FA[Body(body)]} ({len(rows)})")
        for col in ("branch", "item", "rating", "note"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["branch"], ITEMS[r["item"]].label_en, r["rating"], r["note"])
        Console().print(table)
        return
    from django.utils import translation

    with translation.override("en"):
        regions = readiness_rows(target)
    if as_json:
        typer.echo(json.dumps({"regions": [{"region": n, **c} for n, c in regions],
                               "deficiencies": {b.value: len(v) for b, v in lists.items()}}, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Readiness by region")
    table.add_column("region")
    for r in Readiness:
        table.add_column(r.value, justify="right")
    for name, counts in regions:
        table.add_row(name, *(f"{counts.get(r.value, 0):,}" for r in Readiness))
    console = Console()
    console.print(table)
    per_body = Table(title="Deficiencies by responsible body")
    per_body.add_column("body")
    per_body.add_column("items", justify="right")
    per_body.add_column("branches", justify="right")
    for b, items in lists.items():
        per_body.add_row(b.value, f"{len(items):,}", f"{len({d.branch for d in items}):,}")
    console.print(per_body)


def register(app: typer.Typer) -> None:
    app.add_typer(ops, name="ops")
