"""``entekhab crypto demo`` (run a whole verifiable ceremony) and ``entekhab verify``."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from entekhab.commands.say import ident, num, say
from entekhab.i18n import N_, _, current, en_fa

crypto_app = typer.Typer(help="Verifiable voting core.", no_args_is_help=True)


class Style(StrEnum):
    tehran = "tehran"
    small = "small"


def _fail(message_en: str, message_fa: str) -> NoReturn:
    message = message_fa if current() == "fa" else message_en
    typer.echo(f"{_('error')}: {message}".replace("\n", " "), err=True)
    raise typer.Exit(2)


def _progress(enabled: bool = True):  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
        console=Console(stderr=True),
        disable=not enabled,
    )


STEP_NAMES = {
    "keys": N_("key ceremony"),
    "encrypt": N_("encrypt ballots"),
    "mix": N_("mix servers"),
    "decrypt": N_("threshold decryption"),
}


@crypto_app.command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="folder for the election record", show_default=False)],
    ballots: Annotated[int, typer.Option("--ballots", help="number of ballots to cast")] = 100,
    guardians: Annotated[int, typer.Option("--guardians", help="number of guardians n")] = 5,
    quorum: Annotated[int, typer.Option("--quorum", help="guardians needed to decrypt k")] = 3,
    mix_servers: Annotated[int, typer.Option("--mix-servers", help="mix servers in sequence")] = 3,
    style: Annotated[Style, typer.Option("--style", help="ballot shape")] = Style.tehran,
    workers: Annotated[int, typer.Option("--workers", help="processes (default: all cores)")] = 0,
    seed: Annotated[str, typer.Option("--seed", help="reproducible run (demo only)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
) -> None:
    """Keys → encrypt N random ballots → mix → decrypt → election record in OUT."""
    import json

    from entekhab.crypto.demo import run_demo
    from entekhab.crypto.keyceremony import validate_parameters
    from entekhab.crypto.mixnet import MIN_MIX_SERVERS
    from entekhab.crypto.parallel import ProcessMap
    from entekhab.domain.errors import DomainError

    if ballots < 1:
        _fail(*en_fa("--ballots must be at least 1, got %(ballots)s", ballots=ballots))
    if mix_servers < MIN_MIX_SERVERS:
        _fail(*en_fa("--mix-servers must be at least %(minimum)s (the policy minimum), got %(mix_servers)s",
                     minimum=MIN_MIX_SERVERS, mix_servers=mix_servers))
    try:
        validate_parameters(guardians, quorum)
    except DomainError as exc:
        _fail(exc.message_en, exc.message_fa)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        _fail(*en_fa("%(out)s exists and is not an empty folder", out=out))
    workers = workers or os.cpu_count() or 1
    with _progress(not as_json) as bar, ProcessMap(workers) as pmap:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(_(STEP_NAMES.get(step, step)), total=total)
            bar.update(tasks[step], completed=done, total=total)

        result = run_demo(
            out,
            ballots,
            guardians,
            quorum,
            mix_servers,
            (style.value,),
            pmap,
            workers,
            seed.encode() if seed else None,
            progress=progress,
        )
    summary = {
        "out": str(out),
        "ballots": result.ballots,
        "spoiled": result.spoiled,
        "sample_receipt": result.sample_receipt,
        "fingerprint": result.fingerprint.hex(),
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
    }
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    total = sum(result.seconds.values())
    say("Election record in %(out)s: %(cast)s cast, %(spoiled)s challenged, %(seconds)s s", out=ident(out),
        cast=num(result.ballots), spoiled=num(result.spoiled), seconds=num(total, 1))
    say("sample voter receipt: %(receipt)s", receipt=ident(result.sample_receipt))
    say("election fingerprint: %(fingerprint)s", fingerprint=ident(result.fingerprint.hex()))
    say("verify: %(command)s", command=f"entekhab verify {out} --fingerprint {result.fingerprint.hex()}")  # copied


def verify(
    record_dir: Annotated[Path, typer.Argument(help="election record folder", show_default=False)],
    workers: Annotated[int, typer.Option("--workers", help="processes (default: all cores)")] = 0,
    scheduler: Annotated[str, typer.Option("--scheduler", help="Dask scheduler address")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    fingerprint: Annotated[str, typer.Option(
        "--fingerprint", help="the election fingerprint published before the polls opened (64 hex digits)",
    )] = "",
) -> None:
    """Check an election record completely; exit 1 on any failure."""
    import json
    import time

    from entekhab.crypto.parallel import DaskMap, ProcessMap
    from entekhab.crypto.verifier import verify_record

    if not record_dir.is_dir():
        _fail(*en_fa("%(record_dir)s is not a folder", record_dir=record_dir))
    expected: bytes | None = None
    if fingerprint:
        text = fingerprint.strip().lower()
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            _fail(*en_fa("--fingerprint must be 64 hex digits, got %(value)s", value=fingerprint[:80]))
        expected = bytes.fromhex(text)
    workers = workers or os.cpu_count() or 1
    executor: ProcessMap | DaskMap = DaskMap(scheduler) if scheduler else ProcessMap(workers)
    started = time.perf_counter()
    try:
        with executor as pmap:
            if as_json:
                report = verify_record(record_dir, pmap, workers, expected_fingerprint=expected)
            else:
                with _progress() as bar:
                    tasks: dict[str, int] = {}

                    def step(name: str, done: int, total: int) -> None:
                        if name not in tasks:
                            tasks[name] = bar.add_task(name, total=total)
                        bar.update(tasks[name], completed=done, total=total)

                    report = verify_record(record_dir, pmap, workers, step, expected)
    except OSError as exc:
        _fail(*en_fa("cannot reach the scheduler or read the record: %(exc)s", exc=exc))
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(json.dumps({**report.to_json(), "seconds": round(seconds, 3)}, ensure_ascii=False, indent=2))
    else:
        _print_report(report, seconds)
    if not report.ok:
        raise typer.Exit(1)




def _print_report(report: object, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    from entekhab.crypto.verifier import Report

    assert isinstance(report, Report)
    console = Console(highlight=False, soft_wrap=True)
    table = Table(title=_("checks"))
    table.add_column(_("check"))
    table.add_column(_("count"), justify="right")
    for name, n in report.checks.items():
        table.add_row(_(name), num(n))  # the verifier names its checks with catalogue ids
    console.print(table)
    if report.fingerprint:
        console.print(_("election fingerprint: %(fingerprint)s", fingerprint=ident(report.fingerprint)))
    if not report.anchored:
        console.print("[yellow]" + _("not anchored: compare the fingerprint above with the one published before "
                                     "the polls opened, or pass it with --fingerprint") + "[/]")
    if report.ok:
        console.print("[bold green]✓ " + _("record valid (%(seconds)s s)", seconds=num(seconds, 1)) + "[/]")
        return
    fails = Table(title=_("failures"))
    fails.add_column(_("location"))
    fails.add_column(_("problem"))
    for f in report.failures:
        fails.add_row(ident(f.location), f.text)
    console.print(fails)
    console.print("[bold red]✗ " + _("record INVALID: %(count)s failure(s)", count=num(len(report.failures))) + "[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(crypto_app, name="crypto")
    app.command("verify")(verify)
