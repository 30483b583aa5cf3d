"""HQ in-process, for device tests that need no database: enrolment, branch information, opening, check-in.

It answers as HQ's polling API does (tests/hq/polling covers the real one): a signed synthetic
manifest and its election definition, one check-in per national code, every message kept.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from entekhab.device.adapters.civil_registry import DemoCivilRegistry
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.agent import ENROL_PATH, DeviceAgent
from entekhab.device.branch import BranchDevices
from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.records.election import ContestDefinition, ElectionDefinition
from entekhab.records.manifest import sign_manifest
from entekhab.records.signing import SigningKey

NOW = dt.datetime(2026, 5, 1, 6, 30, tzinfo=dt.UTC)
ELECTION, STYLE = "1405", "S-1"


class FakeHQ:
    def __init__(self, *, election: str = ELECTION, style: str = STYLE, seed: int = 1405) -> None:
        self.key = SigningKey.from_seed(seed.to_bytes(32, "big"))
        doc = synthetic_manifest(election, style, [ContestSpec("council", "شورا", "Council", 3, False)], seed)
        self.manifest = sign_manifest(doc, self.key)
        self.definition = ElectionDefinition.make(election, [ContestDefinition("council", "plurality", 3, "")],
                                                  [self.manifest["sha256"]])
        self.election, self.style = election, style
        self.devices: dict[str, dict[str, str]] = {}
        self.branches: dict[str, str] = {}  # serial -> branch
        self.messages: list[dict[str, Any]] = []
        self.voted: set[str] = set()

    def __call__(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == ENROL_PATH:
            branch = payload["code"]  # the test's "one-time code" is the branch's code
            self.devices[payload["serial"]] = {"role": payload["role"], "public_key": payload["public_key"]}
            self.branches[payload["serial"]] = branch
            return 200, {"election": self.election, "branch": branch, "hq_public_key": self.key.public_hex}
        envelope = payload["envelope"]
        self.messages.append(envelope)
        kind, body = envelope["kind"], envelope["body"]
        if kind == "branch_info":
            devices = {s: d for s, d in self.devices.items() if self.branches[s] == envelope["branch"]}
            return 200, {"branch": envelope["branch"], "style": self.style, "manifest": self.manifest,
                         "election_definition": self.definition.document(),
                         "election_fingerprint": self.definition.fingerprint, "devices": devices,
                         "polling_day": "2026-05-01"}
        if kind == "checkin":
            if body.get("refused"):
                return 200, {"status": "noted"}
            if body["national_code"] in self.voted:
                return 409, {"code": "already_voted", "message": "already voted", "message_fa": "رأی داده است"}
            self.voted.add(body["national_code"])
            return 200, {"status": "accepted"}
        return 200, {"status": "accepted"}

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [e["body"] for e in self.messages if e["kind"] == kind]


def branch_devices(tmp: Path, hq: FakeHQ, *, branch: str = "B1", tag: str = "") -> BranchDevices:
    """An enrolled authentication device and e-box of ``branch``, talking to ``hq``."""
    agents = {}
    for role in ("auth", "ebox"):
        serial = f"{tag}{branch}-{role}"
        agent = DeviceAgent.initialise(tmp / f"{serial}.db", serial=serial, role=role, transport=hq)
        agent.enrol(branch)
        agents[role] = agent
    return BranchDevices(agents["auth"], agents["ebox"], registry=DemoCivilRegistry(),
                         reader=DemoFingerprintReader(typical_match=1.0, hard_share=0.0))


def voters(n: int) -> list[str]:
    from entekhab.device.adapters.civil_registry import sample_people

    return sample_people(DemoCivilRegistry(), n, dt.date(2026, 5, 1), seed=77)
