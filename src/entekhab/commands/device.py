"""``entekhab device …`` (the branch device agent) and ``entekhab polling …`` (HQ side of polling day).

Device commands work on journal files and talk to HQ over HTTP; they never import Django.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from entekhab.commands.identity import AsUser, acting_user
from entekhab.i18n import N_, _

device_app = typer.Typer(help="Branch device agent: authentication device and e-box.",
                         no_args_is_help=True)
polling_app = typer.Typer(help="Polling day at HQ: enrolment codes, simulation, rehearsal.",
                          no_args_is_help=True)

Journal = Annotated[Path, typer.Argument(help="the device's journal file (SQLite)")]
AuthOpt = Annotated[Path, typer.Option("--auth", help="journal of the authentication device")]
EboxOpt = Annotated[Path, typer.Option("--ebox", help="journal of the e-box")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _agent(path: Path):
    from entekhab.device.agent import DeviceAgent
    from entekhab.domain.errors import DomainError

    if not path.exists():
        _fail(f"{path}: no such device journal")
    try:
        return DeviceAgent(path)
    except DomainError as exc:
        _fail(exc.message_en)


def _devices(auth: Path, ebox: Path, seed: int = 1405):
    from entekhab.device.adapters.civil_registry import DemoCivilRegistry
    from entekhab.device.adapters.fingerprint import DemoFingerprintReader
    from entekhab.device.branch import BranchDevices

    return BranchDevices(_agent(auth), _agent(ebox), registry=DemoCivilRegistry(seed=seed),
                         reader=DemoFingerprintReader(seed=seed, time_scale=0.3))


def _run(action, as_json: bool, render) -> None:
    from entekhab.domain.errors import DomainError

    try:  # HQ's polling commands may be refused by Django; a device install has no Django.
        from django.core.exceptions import PermissionDenied
    except ModuleNotFoundError:
        class PermissionDenied(Exception):  # type: ignore[no-redef]  # never raised without Django
            pass

    try:
        result = action()
    except DomainError as exc:
        _fail(exc.render())
    except PermissionDenied:
        _fail(_("not allowed"))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        render(result)


@device_app.command("init")
def init(path: Journal, serial: Annotated[str, typer.Option(help="serial from the device inventory")],
         role: Annotated[str, typer.Option(help="auth or ebox")],
         hq: Annotated[str, typer.Option(help="HQ address, e.g. http://127.0.0.1:8000")] = "",
         as_json: JsonOpt = False) -> None:
    """Create the device's journal and Ed25519 key pair."""
    from entekhab.device.agent import DeviceAgent

    def act():
        agent = DeviceAgent.initialise(path, serial=serial, role=role, hq_url=hq)
        return {"serial": agent.serial, "role": agent.role, "public_key": agent.key.public_hex}

    _run(act, as_json, lambda r: typer.echo(f"device {r['serial']} ({r['role']}) key {r['public_key']}"))


@device_app.command("enrol")
def enrol(path: Journal, code: Annotated[str, typer.Argument(help="one-time code from the HQ operator")],
          branch_head_pin: Annotated[str, typer.Option(help="kiosk PIN of the branch head (4-12 digits)")] = "",
          operator_pin: Annotated[str, typer.Option(help="kiosk PIN of the desk operator (4-12 digits)")] = "",
          branch_head_name: Annotated[str, typer.Option(help="branch head's name, recorded in the minutes")] = "",
          demo_pins: Annotated[bool, typer.Option(
              "--demo-pins", help="the documented demo PINs (seed 1405) instead of random ones")] = False,
          as_json: JsonOpt = False) -> None:
    """Bind this device's key to its serial and branch at HQ with the one-time code; set the kiosk PINs.

    PINs not given are random (or the demo's with --demo-pins) and printed once: only their
    scrypt hashes are kept, in the device journal.
    """
    from entekhab.device.kiosk import operators

    agent = _agent(path)

    def act():
        answer = dict(agent.enrol(code))
        pins = operators.demo_pins() if demo_pins else operators.random_pins()
        pins = {operators.BRANCH_HEAD: branch_head_pin or pins[operators.BRANCH_HEAD],
                operators.OPERATOR: operator_pin or pins[operators.OPERATOR]}
        operators.set_pins(agent.journal, pins, {operators.BRANCH_HEAD: branch_head_name})
        return {**answer, "pins": pins}

    _run(act, as_json,
         lambda r: typer.echo(f"enrolled: branch {r['branch']}, election {r['election']}, role {r['role']}\n"
                              f"kiosk PINs (shown once): branch_head {r['pins']['branch_head']}, "
                              f"operator {r['pins']['operator']}"))


@device_app.command("open")
def open_branch(auth: AuthOpt, ebox: EboxOpt, as_json: JsonOpt = False) -> None:
    """Open the branch: load and verify the manifest, print the zero report, tell HQ."""
    import datetime as dt

    devices = _devices(auth, ebox)
    _run(lambda: {"zero_report": devices.open(now=dt.datetime.now(dt.UTC)).sha256}, as_json,
         lambda r: typer.echo(f"branch open; zero report {r['zero_report']}"))


@device_app.command("serve")
def serve(auth: AuthOpt, ebox: EboxOpt,
          port: Annotated[int, typer.Option(min=0, max=65535)] = 8470,
          host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          reports: Annotated[Path, typer.Option(help="folder for the branch report PDF")] = Path("artifacts/kiosk"),
          allow_host: Annotated[list[str] | None, typer.Option(
              help="another host:port the kiosk may be reached as (127.0.0.1, localhost and --host are allowed)")
          ] = None,
          ) -> None:
    """Serve the branch kiosk (authentication page, e-box page, closing) on this machine.

    Operators log in on the pages with their role's PIN (set by `entekhab device enrol`).
    """
    from entekhab.device.kiosk import Kiosk
    from entekhab.device.kiosk.server import serve as serve_kiosk

    reports.mkdir(parents=True, exist_ok=True)
    kiosk = Kiosk(_devices(auth, ebox), report_dir=reports)
    serve_kiosk(kiosk, host=host, port=port, extra_hosts=allow_host or (),  # uvicorn stops cleanly on Ctrl-C
                on_ready=lambda url: typer.echo(f"kiosk: {url}/  (auth: /auth, e-box: /ebox, closing: /close)"))


@device_app.command("close")
def close(auth: AuthOpt, ebox: EboxOpt, head: Annotated[str, typer.Option(help="branch head's name")],
          supervisor: Annotated[str, typer.Option(help="supervisor's name")],
          pdf: Annotated[Path, typer.Option(help="where to write the branch minutes PDF")] = Path("branch-report.pdf"),
          as_json: JsonOpt = False) -> None:
    """Close the polls, sign the branch report, send it to HQ (queued if offline), write the PDF."""
    import datetime as dt

    from entekhab.device.pdf import render_pdf

    devices = _devices(auth, ebox)

    def act():
        report = devices.close(now=dt.datetime.now(dt.UTC), branch_head=head, supervisor=supervisor)
        render_pdf(report, devices.box.manifest, pdf)
        return {"sha256": report.sha256, "ballots": report.report["ballots"], "pdf": str(pdf),
                "queued": len(devices.ebox.pending())}

    _run(act, as_json, lambda r: typer.echo(f"report {r['sha256']}: {r['ballots']} ballots, PDF {r['pdf']}"
                                            + (f", {r['queued']} message(s) queued" if r["queued"] else "")))


@device_app.command("sync")
def sync(paths: Annotated[list[Path], typer.Argument(help="device journals")], as_json: JsonOpt = False) -> None:
    """Send every queued message to HQ, in order (idempotent; safe to repeat)."""
    def act():
        out = {}
        for path in paths:
            agent = _agent(path)
            answers = agent.sync()
            out[str(path)] = {"sent": len(answers), "pending": len(agent.pending())}
        return out

    _run(act, as_json, lambda r: [typer.echo(f"{p}: sent {v['sent']}, still queued {v['pending']}")
                                  for p, v in r.items()])


@device_app.command("status")
def status(path: Journal, as_json: JsonOpt = False) -> None:
    """The device's identity, enrolment, journal length and queue; verifies the journal chain."""
    agent = _agent(path)

    def act():
        agent.journal.verify()
        return {"serial": agent.serial, "role": agent.role, "branch": agent.journal.get("branch"),
                "election": agent.journal.get("election"), "box_state": agent.journal.get("box_state"),
                "journal_head": agent.journal.head(), "pending": len(agent.pending())}

    def show(r):
        from rich.console import Console
        from rich.table import Table

        table = Table(title=_("device"))
        table.add_column(_("field"))
        table.add_column(_("value"))
        for k, v in r.items():
            table.add_row(k, str(v))
        Console().print(table)

    _run(act, as_json, show)


@device_app.command("transfer")
def transfer(old: Annotated[Path, typer.Option("--from", help="journal of the faulty e-box")],
             new: Annotated[Path, typer.Option("--to", help="journal of the enrolled replacement e-box")],
             as_json: JsonOpt = False) -> None:
    """Move a faulty e-box's journal and vote records to its enrolled replacement."""
    import datetime as dt

    from entekhab.device.branch import ballot_box, fetch_branch_info

    def act():
        exported = ballot_box(_agent(old)).retire()
        target = _agent(new)
        fetch_branch_info(target)
        ballot_box(target).import_transfer(exported, now=dt.datetime.now(dt.UTC))
        return {"from": exported["device"], "ballots": len(exported["records"])}

    _run(act, as_json, lambda r: typer.echo(f"took over {r['ballots']} ballots from {r['from']}"))


@device_app.command("verify-qr")
def verify_qr(files: Annotated[list[Path], typer.Argument(help="PDF or images of the posted report")],
              keys: Annotated[Path, typer.Option(
                  "--keys", help="trusted device keys: HQ's device-keys.json, or the open data folder (index.json)")],
              hq_key: Annotated[str, typer.Option(
                  "--hq-key", help="HQ's public key (hex) that must have signed the keys file")] = "",
              as_json: JsonOpt = False) -> None:
    """Read the QR codes of a posted branch report; check its signature and that HQ published its key."""
    from entekhab.device.qrfiles import read_qr_files
    from entekhab.publication.device_keys import load_trusted_keys, verify_posted

    def act():
        texts = read_qr_files(files)
        trusted = load_trusted_keys(keys, hq_key=hq_key.strip() or None)
        report = verify_posted(texts, trusted).report
        return {"branch": report["branch"], "device": report["device"], "ballots": report["ballots"],
                "signature": "valid", "key": "published", "keys_source": trusted.source, "codes": len(texts)}

    def show(r: dict) -> None:
        from entekhab.commands.say import ident, num

        typer.echo(_("branch %(branch)s: %(ballots)s ballots; signature valid under a device key HQ published for "
                     "the branch (device %(device)s, %(codes)s codes)", branch=ident(r["branch"]),
                     ballots=num(r["ballots"]), device=ident(r["device"]), codes=num(r["codes"])))

    _run(act, as_json, show)


@polling_app.command("device-keys")
def device_keys(out: Annotated[Path, typer.Option(help="file to write (device-keys.json)")],
                election: Annotated[str, typer.Option(help="election code")] = "1405",
                as_json: JsonOpt = False) -> None:
    """Export the enrolled devices' public keys, signed by HQ, for `entekhab device verify-qr --keys`."""
    from entekhab.hq.bootstrap import setup

    setup()
    import datetime as dt

    from entekhab.hq.polling.models import DeviceEnrolment
    from entekhab.hq.results.actions import hq_key
    from entekhab.publication.device_keys import build_device_keys

    def act():
        rows = [{"serial": e.serial, "role": e.role, "branch": e.branch.code, "public_key": e.public_key,
                 "state": e.state}
                for e in DeviceEnrolment.objects.filter(election__code=election).exclude(public_key="")
                .select_related("branch")]
        document = build_device_keys(rows, election=election, key=hq_key(),
                                     generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return {"devices": len(document["device_keys"]["devices"]), "out": str(out)}

    def show(r: dict) -> None:
        from entekhab.commands.say import ident, num

        typer.echo(_("%(devices)s device keys written to %(out)s", devices=num(r["devices"]), out=ident(r["out"])))

    _run(act, as_json, show)


@polling_app.command("enrolment-code")
def enrolment_code(branch: Annotated[str, typer.Option(help="branch code")],
                   serial: Annotated[str, typer.Option(help="device serial")],
                   role: Annotated[str, typer.Option(help="auth or ebox")],
                   election: Annotated[str, typer.Option(help="election code")] = "1405",
                   as_user: AsUser = "", as_json: JsonOpt = False) -> None:
    """Issue a one-time code binding a device serial to a branch (run by an HQ operator)."""
    from entekhab.hq.bootstrap import setup

    setup()
    from entekhab.hq.elections.models import Branch
    from entekhab.hq.polling.actions import do_create_enrolment

    operator = acting_user(as_user)

    def act():
        target = Branch.objects.filter(election__code=election, code=branch).first()
        if target is None:
            _fail(f"no branch {branch} in election {election}")
        _, code = do_create_enrolment(target, serial=serial, role=role, acting_user=operator)
        return {"serial": serial, "branch": branch, "role": role, "code": code}

    _run(act, as_json, lambda r: typer.echo(f"one-time code for {r['serial']} at {r['branch']}: {r['code']}"))


@polling_app.command("replace-device")
def replace_device(serial: Annotated[str, typer.Option(help="serial of the faulty device")],
                   new_serial: Annotated[str, typer.Option(help="serial of the replacement")],
                   reason: Annotated[str, typer.Option(help="why it is replaced")],
                   election: Annotated[str, typer.Option(help="election code")] = "1405",
                   as_user: AsUser = "", as_json: JsonOpt = False) -> None:
    """Issue the replacement's one-time code; the old device retires when the new one enrols."""
    from entekhab.hq.bootstrap import setup

    setup()
    from entekhab.hq.polling.actions import do_replace_device
    from entekhab.hq.polling.models import DeviceEnrolment

    operator = acting_user(as_user)

    def act():
        old = DeviceEnrolment.objects.filter(election__code=election, serial=serial, state="active").first()
        if old is None:
            _fail(f"no active device {serial} in election {election}")
        _, code = do_replace_device(old, new_serial=new_serial, acting_user=operator, reason=reason)
        return {"old": serial, "new": new_serial, "branch": old.branch.code, "code": code}

    _run(act, as_json, lambda r: typer.echo(f"one-time code for {r['new']} (replacing {r['old']} at {r['branch']}): "
                                            f"{r['code']}; then `entekhab device transfer --from … --to …`"))


@polling_app.command("simulate")
def simulate(branches: Annotated[int, typer.Option(min=1, max=200)] = 4,
             voters: Annotated[int, typer.Option(min=1, max=5000, help="voters per branch")] = 25,
             seed: int = 1405,
             out: Annotated[Path, typer.Option(help="folder for device journals and report PDFs")] = Path(
                 "artifacts/polling"),
             replace: Annotated[bool, typer.Option("--replace", help="replace an earlier simulated day")] = False,
             as_json: JsonOpt = False) -> None:
    """Run a polling day on the demo election through real device agents and the HQ API."""
    from entekhab.hq.bootstrap import setup

    setup()
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.simulate import simulate_polling_day

    if not Election.objects.filter(code="1405").exists():
        _fail("the demo election is not loaded (run `entekhab demo-data` first)")
    _run(lambda: simulate_polling_day(out_dir=out, branches=branches, voters_per_branch=voters, seed=seed,
                                      replace=replace).as_dict(), as_json, show_simulation)


def show_simulation(result: dict) -> None:
    """Rich tables of a simulated polling day (also used by ``entekhab demo``)."""
    from rich.console import Console
    from rich.table import Table

    from entekhab.commands.say import ident, num

    table = Table(title=_("branch reports"))
    for col in (N_("branch"), N_("check-ins"), N_("ballots"), N_("offline"), N_("manual releases"),
                N_("refused: already voted"), N_("not eligible"), "SHA-256", "PDF"):
        table.add_column(_(col))
    for b in result["branches"]:
        table.add_row(ident(b["branch"]), num(b["checkins"]), num(b["ballots"]), num(b["offline_checkins"]),
                      num(b["manual_releases"]), num(b["refused_already_voted"]), num(b["not_eligible"]),
                      ident(b["report_sha256"][:16]), ident(b["pdf"]))
    console = Console()
    console.print(table)
    for incident in result["incidents"]:
        console.print(f"[bold]{_('incident')}[/bold] ({ident(incident['kind'])}, {ident(incident['branch'])}): "
                      f"{incident['summary_fa']}")


def register(app: typer.Typer) -> None:
    from entekhab.commands import rehearse

    rehearse.register(polling_app)
    app.add_typer(device_app, name="device")
    app.add_typer(polling_app, name="polling")
