"""A branch with an enrolled authentication device and e-box, talking to HQ through the test client."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from entekhab.device.adapters.civil_registry import DemoCivilRegistry
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.authentication import Authenticator
from entekhab.device.branch import BranchDevices
from entekhab.hq.accounts.roles import Role
from entekhab.hq.polling.actions import do_create_enrolment

NOW = dt.datetime(2026, 5, 1, 6, 30, tzinfo=dt.UTC)  # 10:00 in Tehran


class ClientTransport:
    """The device's transport over Django's test client; ``offline`` simulates a dead line."""

    def __init__(self) -> None:
        self.client = Client()
        self.offline = False
        self.sent = 0

    def __call__(self, path: str, payload: dict) -> tuple[int, dict]:
        from entekhab.device.errors import HQUnreachable

        if self.offline:
            raise HQUnreachable("line down (test)", "قطع خط (آزمون)")
        self.sent += 1
        response = self.client.post(path, payload, content_type="application/json")
        return response.status_code, response.json()


@dataclass
class Branch:
    code: str
    auth: DeviceAgent
    ebox: DeviceAgent
    transport: ClientTransport
    devices: BranchDevices

    @property
    def authenticator(self) -> Authenticator:
        return self.devices.authenticator


def make_branch(branch, operator, tmp: Path, tag: str) -> Branch:
    transport = ClientTransport()
    agents = {}
    for role in ("auth", "ebox"):
        serial = f"{tag}-{role}-{branch.number}"
        _, code = do_create_enrolment(branch, serial=serial, role=role, acting_user=operator)
        agent = DeviceAgent.initialise(tmp / f"{serial}.db", serial=serial, role=role, transport=transport)
        agent.enrol(code)
        agents[role] = agent
    devices = BranchDevices(agents["auth"], agents["ebox"], registry=DemoCivilRegistry(),
                            reader=DemoFingerprintReader(typical_match=1.0, hard_share=0.0))
    return Branch(branch.code, agents["auth"], agents["ebox"], transport, devices)


@pytest.fixture
def operator(make_user):
    return make_user(Role.HQ_ADMIN, "polling-operator")


@pytest.fixture
def branches(election, operator, tmp_path):
    rows = list(election.branches.order_by("number")[:3])

    def build(i: int, tag: str = "T") -> Branch:
        return make_branch(rows[i], operator, tmp_path, tag)

    return build
