"""HQ exports the enrolled devices' keys, signed, for ``entekhab device verify-qr --keys``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.results.actions import hq_key
from entekhab.publication.device_keys import load_trusted_keys


def test_the_export_holds_every_enrolled_ebox_key_for_its_branch_signed_by_hq(branches, tmp_path):
    first, second = branches(0), branches(1)
    out = tmp_path / "device-keys.json"
    result = CliRunner().invoke(app, ["--lang", "en", "polling", "device-keys", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["devices"] == 4
    trusted = load_trusted_keys(out, hq_key=hq_key().public_hex)
    assert trusted.branches == {first.ebox.key.public_hex: frozenset({first.code}),
                                second.ebox.key.public_hex: frozenset({second.code})}
    assert first.auth.key.public_hex not in trusted.branches  # an authentication device signs no report
