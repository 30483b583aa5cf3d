"""``entekhab ops`` and the demo data (small here; the tehran scale in its own test)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.operations.models import (
    ActionItem,
    Committee,
    Decree,
    Device,
    Inspection,
    InspectionItem,
    Meeting,
    Person,
)


def run(*args):
    # The official is named with --as and proven by the password (issue 13: no borrowed superuser).
    return CliRunner().invoke(app, ["ops", *args], env={"ENTEKHAB_PASSWORD": "x-Strong-Pass-1405"})


def test_cli_draws_verify_and_refuse_bad_input(election, executive):
    r = run("draw-devices", "--seed", "cli seed", "--stage", "region", "--as", executive.username, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["placed"] > 0 and len(out["digest"]) == 64
    r = run("verify-draw", "--subject", "devices", "--stage", "region", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["same"] is True
    for args, problem in (
        (("draw-devices", "--seed", "s", "--stage", "moon", "--as", executive.username), "unknown stage"),
        (("draw-devices", "--seed", "s", "--stage", "region", "--as", "ghost"), "wrong user name or password"),
        (("draw-devices", "--seed", "s", "--stage", "region", "--as", executive.username), "already"),
        (("draw-staff", "--seed", "s", "--stage", "branch", "--as", executive.username), "regions first"),
        (("draw-staff", "--seed", " ", "--stage", "region", "--as", executive.username), "seed"),
        (("readiness", "--election", "9999"), "no election"),
        (("readiness", "--body", "nasa"), "unknown body"),
        (("verify-draw", "--subject", "staff", "--stage", "branch"), "has been held"),
    ):
        r = run(*args)
        assert r.exit_code == 2 and problem in r.stderr and "Traceback" not in r.output, (args, r.output)


def test_cli_readiness_and_sweep(election):
    r = run("readiness", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert sum(sum(v for k, v in row.items() if k != "region") for row in data["regions"]) == election.branches.count()
    r = run("readiness", "--body", "education", "--json")
    assert r.exit_code == 0 and all(row["rating"] in ("temporary", "relocate") for row in json.loads(r.stdout))
    r = run("network-sweep", "--json")
    assert r.exit_code == 0 and set(json.loads(r.stdout)) == {"online", "degraded", "offline", "unmonitored"}


def test_small_demo_has_every_kind_of_operations_data(election):
    n = election.branches.count()
    assert Committee.objects.filter(election=election).count() >= 7
    assert Decree.objects.filter(election=election).count() >= 7 and Meeting.objects.exists()
    assert ActionItem.objects.filter(election=election, status="open").exists()
    assert Inspection.objects.filter(branch__election=election).count() >= 0.9 * n
    assert InspectionItem.objects.filter(rating="relocate").exists()
    notes = set(InspectionItem.objects.exclude(rating="compliant").values_list("note", flat=True))
    assert all(notes) and len(notes) >= 8
    for kind in ("authentication", "ebox"):
        assert Device.objects.filter(kind=kind, state="tested").count() >= n * 1.15
    assert Person.objects.filter(certifications__isnull=False).distinct().count() > 5 * n


def test_tehran_demo_has_operations_data_at_scale(db):
    from entekhab.hq.demo.load import load_demo

    load_demo("tehran", 1405)  # rolled back with the test's transaction
    from entekhab.hq.elections.models import Election

    election = Election.objects.get(code="1405")
    n = election.branches.count()
    assert n > 6000
    assert Committee.objects.filter(election=election).count() == 7 and Decree.objects.count() >= 7
    assert Inspection.objects.filter(branch__election=election).count() > 0.9 * n
    assert InspectionItem.objects.filter(body="education").exclude(rating="compliant").count() > 500
    assert Device.objects.filter(kind="authentication").count() >= 1.25 * n
    assert Person.objects.count() > 8 * n
