"""``entekhab manifest verify FILE`` and ``entekhab manifest code``: check a signed ballot manifest and codes.

FILE is what ``GET /api/v1/elections/{e}/manifests/{style}`` returns (``manifest``,
``sha256``, ``signature``, ``public_key``). Anyone can run it: no database, no server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from entekhab.i18n import en_fa

manifest_app = typer.Typer(help="Signed ballot manifests and typo-proof ballot codes.", no_args_is_help=True)


def _fail(en: str, fa: str) -> NoReturn:
    typer.echo(f"error: {en} ({fa})", err=True)
    raise typer.Exit(2)


@manifest_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="the signed manifest as served by the API", show_default=False)],
    public_key: Annotated[str | None, typer.Option(help="expected HQ public key (hex)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Check hash, signature and canonical form; list the contests with their lists and candidates."""
    import json

    from entekhab.domain.errors import DomainError
    from entekhab.records.canonical import canonical_json
    from entekhab.records.manifest import counting_manifest, verify_manifest

    try:
        signed = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(*en_fa("cannot read %(file)s: %(exc)s", file=file, exc=exc))
    except json.JSONDecodeError as exc:
        _fail(
            *en_fa("malformed JSON in %(file)s: %(msg)s (line %(lineno)s)", file=file, msg=exc.msg, lineno=exc.lineno)
        )
    if not isinstance(signed, dict) or not {"manifest", "sha256", "signature", "public_key"} <= set(signed):
        _fail(*en_fa("the file needs manifest, sha256, signature and public_key"))
    if public_key is not None and public_key.lower() != str(signed["public_key"]).lower():
        _fail(*en_fa("signed by another key than the one expected"))
    try:
        data = canonical_json(signed["manifest"])
        doc = verify_manifest(data, str(signed["sha256"]), str(signed["signature"]), str(signed["public_key"]))
        summary = [
            {"contest": c["code"], "lists": len(c["lists"]), "candidates": len(c["candidates"]),
             "max_votes": counting_manifest(doc, c["code"]).max_candidate_votes}
            for c in doc["contests"]
        ]
    except DomainError as exc:
        _fail(exc.message_en, exc.message_fa)
    except (KeyError, TypeError) as exc:
        _fail(*en_fa("manifest is malformed: %(exc)s", exc=exc))
    if as_json:
        typer.echo(json.dumps({"valid": True, "sha256": signed["sha256"], "contests": summary}, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    from entekhab.commands.say import ident, num
    from entekhab.i18n import N_, _

    table = Table(title=f"{ident(doc['ballot_style'])} · sha256 {ident(signed['sha256'][:16])}… · "
                        + _("signature valid"))
    for col in (N_("contest"), N_("lists"), N_("candidates"), N_("max codes")):
        table.add_column(_(col))
    for row in summary:
        table.add_row(ident(row["contest"]), num(row["lists"]), num(row["candidates"]), num(row["max_votes"]))
    Console().print(table)


@manifest_app.command("code")
def code(
    value: Annotated[str, typer.Argument(help="a ballot code, or a base to complete with its check digit")],
    make: Annotated[bool, typer.Option("--make", help="append the Verhoeff check digit to VALUE")] = False,
) -> None:
    """Check a typed code (Persian digits accepted), or make one from its base."""
    from entekhab.domain.check_codes import InvalidCode, make_code, parse_code

    try:
        typer.echo(make_code(value) if make else f"{parse_code(value)} ✓")
    except InvalidCode as exc:
        _fail(exc.message_en, exc.message_fa)


def register(app: typer.Typer) -> None:
    app.add_typer(manifest_app, name="manifest")
