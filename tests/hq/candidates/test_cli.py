from __future__ import annotations

import json

from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.candidates.models import BallotManifest

runner = CliRunner()


def _signed(m: BallotManifest) -> dict:
    return {"manifest": m.document(), "sha256": m.sha256, "signature": m.signature, "public_key": m.public_key}


def test_verify_a_served_manifest_and_refuse_a_tampered_one(election, tmp_path):
    m = BallotManifest.objects.filter(election=election, is_current=True).first()
    good = tmp_path / "m.json"
    good.write_text(json.dumps(_signed(m), ensure_ascii=False), encoding="utf-8")
    ok = runner.invoke(app, ["manifest", "verify", str(good), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["sha256"] == m.sha256
    signed = _signed(m)
    signed["manifest"]["contests"][0]["seats"] += 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(signed), encoding="utf-8")
    refused = runner.invoke(app, ["manifest", "verify", str(bad)])
    assert refused.exit_code == 2 and "SHA-256" in refused.stderr and "Traceback" not in refused.output
    other_key = runner.invoke(app, ["manifest", "verify", str(good), "--public-key", "00" * 32])
    assert other_key.exit_code == 2
    (tmp_path / "junk.json").write_text("{not json")
    assert runner.invoke(app, ["manifest", "verify", str(tmp_path / "junk.json")]).exit_code == 2
    assert runner.invoke(app, ["manifest", "verify", str(tmp_path / "missing.json")]).exit_code == 2


def test_codes_on_the_command_line():
    made = runner.invoke(app, ["manifest", "code", "۴۸۲۱", "--make"])
    assert made.exit_code == 0 and made.stdout.strip() == "48217"
    assert runner.invoke(app, ["manifest", "code", "48217"]).exit_code == 0
    wrong = runner.invoke(app, ["manifest", "code", "48271"])
    assert wrong.exit_code == 2 and "check digit" in wrong.stderr
