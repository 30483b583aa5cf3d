"""``entekhab ops``: headquarters operations from the command line.

Public draws of devices and staff (from a seed published beforehand), re-running a
stored draw to check its digest, the periodic network sweep, and readiness figures.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer

from entekhab.commands.say import fail, fail_error, ident, num
from entekhab.i18n import N_, _, current

ops = typer.Typer(help="Headquarters operations: draws, network sweep, readiness.", no_args_is_help=True)

ElectionOpt = Annotated[str, typer.Option("--election", help="election code")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]




def _line(label: str, value: str) -> str:
    """``label     value``, the labels padded into one column."""
    return f"{_(label):<9} {value}"


def _setup() -> None:
    from entekhab.hq.bootstrap import setup

    setup()


def _election(code: str) -> Any:
    from entekhab.hq.elections.models import Election

    election = Election.objects.filter(code=code).first()
    if election is None:
        fail("no election with code %(code)s", code=ident(code))
    return election


def _user(username: str) -> Any:
    """The named official, proven by password or token (``commands.identity``)."""
    from entekhab.commands.identity import acting_user

    return acting_user(username)


def _draw(subject: str, stage: str, seed: str, election: str, user: str, observers: str, as_json: bool) -> None:
    if stage not in ("region", "branch"):
        fail("unknown stage %(stage)s: use region or branch", stage=ident(repr(stage)))
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
        fail_error(exc)
    except PermissionDenied:
        fail("user %(user)s may not hold this draw (%(subject)s)", user=ident(user), subject=_(subject))
    summary = {"subject": subject, "stage": stage, "seed": draw.seed, "seed_commitment": draw.seed_commitment,
               "label": draw.label, "digest": draw.digest, "placed": len(result.placements),
               "reserves": len(result.reserves), "shortfalls": [[s.slot, s.kind, s.missing] for s in result.shortfalls]}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{_(subject)} → {_(stage)}")
    table.add_column("")
    table.add_column("")
    for key in ("seed", "label", "digest"):
        table.add_row(_(key), ident(summary[key]))
    table.add_row(_("placed"), num(summary["placed"]))
    table.add_row(_("reserves"), num(summary["reserves"]))
    table.add_row(_("shortfalls"), num(sum(s.missing for s in result.shortfalls)))
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
        fail("subject is devices or staff, stage is region or branch")
    _setup()
    from entekhab.hq.operations.actions.draws import rerun
    from entekhab.hq.operations.models import Draw

    draw = Draw.objects.filter(election=_election(election), subject=subject, stage=stage).first()
    if draw is None:
        fail("no draw of %(subject)s to %(stage)s has been held", subject=_(subject), stage=_(stage))
    again = rerun(draw)
    same = again.digest == draw.digest
    if as_json:
        typer.echo(json.dumps({"published": draw.digest, "rerun": again.digest, "same": same}))
    else:
        typer.echo(f"{_line('published', ident(draw.digest))}\n{_line('re-run', ident(again.digest))}\n"
                   f"{_('same') if same else _('DIFFERENT')}")
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
        fail("cannot read %(path)s: %(reason)s", path=ident(path), reason=exc)
    except DrawError as exc:
        fail_error(exc)
    again = check.rerun
    summary = {"label": again.stage, "seed_commitment": check.commitment_matches, "inputs": check.inputs_match,
               "published": document["result_sha256"], "rerun": again.digest, "same": check.ok,
               "placed": len(again.placements), "reserves": len(again.reserves),
               "shortfalls": sum(s.missing for s in again.shortfalls)}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        def mark(ok: bool) -> str:
            return _("same") if ok else _("DIFFERENT")

        typer.echo("\n".join([
            _line("draw", ident(again.stage)),
            _line("seed", ident(again.seed)),
            _line("commitment", f"{mark(check.commitment_matches)} ({_('SHA-256 of the seed')})"),
            _line("inputs", f"{mark(check.inputs_match)} ({_('SHA-256 of entrants and slots')})"),
            _line("published", ident(document["result_sha256"])),
            _line("re-run", ident(again.digest)),
            _line("result", mark(check.result_matches) + ": " + _(
                "%(placed)s placed, %(reserves)s reserves, %(short)s seats short", placed=num(len(again.placements)),
                reserves=num(len(again.reserves)), short=num(summary["shortfalls"]))),
        ]))
        slots = again.by_slot()
        for slot, entrants in list(slots.items())[:10]:
            more = f" … (+{num(len(entrants) - 6)})" if len(entrants) > 6 else ""
            typer.echo(f"  {ident(slot)}: {ident(' '.join(entrants[:6]))}{more}")
        if len(slots) > 10:
            typer.echo("  … " + _("%(count)s more slots (--json for the digests only)", count=num(len(slots) - 10)))
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
                   "  ".join(f"{_(k)}: {num(v)}" for k, v in counts.items()))
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
    from entekhab.domain.readiness import BODY_FA, ITEMS, RATING_FA, READINESS_FA, Body, Rating, Readiness
    from entekhab.hq.operations.actions.inspections import election_deficiencies
    from entekhab.hq.operations.views.dashboard import readiness_rows

    if body and body not in {b.value for b in Body}:
        fail("unknown body %(body)s: one of %(bodies)s", body=ident(repr(body)),
             bodies=ident(", ".join(b.value for b in Body)))
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

        fa = current() == "fa"
        table = Table(title=f"{BODY_FA[Body(body)] if fa else body} ({num(len(rows))})")
        for col in (N_("branch"), N_("item"), N_("rating"), N_("note")):
            table.add_column(_(col))
        for r in rows:
            item = ITEMS[r["item"]]
            table.add_row(ident(r["branch"]), item.label_fa if fa else item.label_en,
                          RATING_FA[Rating(r["rating"])] if fa else r["rating"], r["note"])
        Console().print(table)
        return
    from django.utils import translation

    with translation.override(current()):
        regions = readiness_rows(target)
    if as_json:
        typer.echo(json.dumps({"regions": [{"region": n, **c} for n, c in regions],
                               "deficiencies": {b.value: len(v) for b, v in lists.items()}}, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    fa = current() == "fa"
    table = Table(title=_("Readiness by region"))
    table.add_column(_("region"))
    for r in Readiness:
        table.add_column(READINESS_FA[r] if fa else r.value, justify="right")
    for name, counts in regions:
        table.add_row(name, *(num(counts.get(r.value, 0)) for r in Readiness))
    console = Console()
    console.print(table)
    per_body = Table(title=_("Deficiencies by responsible body"))
    per_body.add_column(_("body"))
    per_body.add_column(_("items"), justify="right")
    per_body.add_column(_("branches"), justify="right")
    for b, items in lists.items():
        per_body.add_row(BODY_FA[b] if fa else b.value, num(len(items)), num(len({d.branch for d in items})))
    console.print(per_body)


def register(app: typer.Typer) -> None:
    app.add_typer(ops, name="ops")
