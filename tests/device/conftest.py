"""Transactional tests here load their own demo election; the council size table must exist for it.

A flush after an earlier transactional test in the same process can leave that
migration-seeded table empty; this puts the statutory default back when it is missing.
"""

from __future__ import annotations

import pytest


def ensure_council_sizes() -> None:
    from entekhab.domain.council_size import DEFAULT_COUNCIL_SIZES
    from entekhab.hq.elections.models import CouncilSizeRule

    if not CouncilSizeRule.objects.exists():
        CouncilSizeRule.objects.bulk_create([
            CouncilSizeRule(settlement=r.settlement.value, min_population=r.min_population,
                            max_population=r.max_population, seats=r.seats, alternates=r.alternates,
                            source="Council law Art. 5 (DOMAIN.md §3.2)")
            for r in DEFAULT_COUNCIL_SIZES
        ])


@pytest.fixture
def council_sizes(transactional_db):
    ensure_council_sizes()


# -- the kiosk's operator login (part K): reusable helpers ------------------------------------
HEAD_NAME = "مریم احمدی"  # the demo branch head's enrolled name, recorded in releases, approvals, the close


def give_pins(devices, pins: dict[str, str] | None = None, head_name: str = HEAD_NAME) -> dict[str, str]:
    """Set the kiosk PINs on a branch's authentication device as `entekhab device enrol` does.

    Defaults to the documented demo PINs (``operators.demo_pins()``: branch head 512418, operator 769780).
    """
    from entekhab.device.kiosk.operators import BRANCH_HEAD, demo_pins, set_pins

    pins = pins or demo_pins()
    set_pins(devices.auth.journal, pins, {BRANCH_HEAD: head_name})
    return pins


def kiosk_login(client, role: str = "branch_head", pin: str | None = None):
    """Log ``client`` (an httpx.Client or Starlette TestClient with base_url) in as ``role``; returns the response.

    The client keeps the session cookie; the Origin header is the client's own base URL, as a kiosk page sends.
    """
    from entekhab.device.kiosk.operators import demo_pins

    origin = str(client.base_url).rstrip("/")
    return client.post("/api/login", json={"role": role, "pin": pin or demo_pins()[role]},
                       headers={"Origin": origin})


def kiosk_client(base_url: str, role: str | None = None, pin: str | None = None):
    """An httpx.Client for a running kiosk (``server.running``) sending the kiosk's Origin, logged in if ``role``."""
    import httpx

    client = httpx.Client(base_url=base_url, headers={"Origin": base_url.rstrip("/")}, timeout=30)
    if role is not None:
        response = kiosk_login(client, role, pin)
        assert response.status_code == 200, response.text
    return client


def bare_devices(tmp):
    """A branch's two devices, initialised with a branch and election but no HQ: for the kiosk's refusals, fast."""
    from entekhab.device.adapters.civil_registry import DemoCivilRegistry
    from entekhab.device.adapters.fingerprint import DemoFingerprintReader
    from entekhab.device.agent import DeviceAgent
    from entekhab.device.branch import BranchDevices

    agents = {}
    for role in ("auth", "ebox"):
        agents[role] = DeviceAgent.initialise(tmp / f"{role}.db", serial=f"BARE-{role}", role=role)
        agents[role].journal.put("branch", "BARE-1")
        agents[role].journal.put("election", "1405")
    return BranchDevices(agents["auth"], agents["ebox"], registry=DemoCivilRegistry(),
                         reader=DemoFingerprintReader(typical_match=1.0, hard_share=0.0))
