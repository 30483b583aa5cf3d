"""The planner's input taken from the database: each branch's load, ballot shape and devices.

Region and county come from the branch area's path (``/province/county/city/region/``):
the county is the path's second code, the region the unit the operations draw allocates
to (a Tehran municipal region, else the county). A ballot style holding the proportional
Tehran council is the ``tehran-city`` shape (up to 21 codes), any other the plurality
``village`` shape. Devices are those the operations app has put at each branch if it has
allocated any for the election, else the default inventory policy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from entekhab.domain.device_lifecycle import DeviceKind
from entekhab.domain.ids import AreaCode, BranchCode
from entekhab.hq.capacity.models import InventorySource
from entekhab.hq.capacity.policy import AT_BRANCH_STATES, DEFAULT_INVENTORY
from entekhab.hq.elections.models import BallotStyle, CountingMethod, Election
from entekhab.hq.geography.models import Area, AreaKind
from entekhab.hq.operations.policy import allocation_region_code
from entekhab.i18n import en_fa
from entekhab.planning.branches import BranchLoad, BranchSet
from entekhab.planning.service import TEHRAN_CITY, VILLAGE
from entekhab.planning.validate import PlanningInputError


@dataclass(frozen=True)
class ElectionLoads:
    """A validated branch set plus what the database adds: row ids and where devices came from."""

    branches: BranchSet
    branch_ids: dict[str, int]
    inventory_source: InventorySource
    scope: str


def county_code(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) >= 2 else parts[0]


def _scope_prefixes(scope: str) -> list[str]:
    area = Area.objects.filter(code=scope, kind=AreaKind.DISTRICT).first()
    if area is None:
        raise PlanningInputError(
            "scope", *en_fa("unknown electoral district %(scope)s", scope=repr(scope), scope2=scope)
        )
    prefixes = [a.path for a in area.constituents.all()]
    if not prefixes:
        raise PlanningInputError("scope", *en_fa("electoral district %(scope)s has no constituent areas", scope=scope))
    return prefixes


def inventory(election: Election) -> tuple[InventorySource, dict[int, dict[str, int]]]:
    """Authentication devices and e-boxes at each branch (branch id → kind → count)."""
    from entekhab.hq.operations.models import Device

    rows = (
        Device.objects.filter(branch__election=election, kind__in=[DeviceKind.AUTHENTICATION, DeviceKind.EBOX],
                              state__in=[s.value for s in AT_BRANCH_STATES])
        .values("branch_id", "kind")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["branch_id"]][row["kind"]] = row["n"]
    if counts:
        return InventorySource.ALLOCATED, counts
    return InventorySource.DEFAULT, {}


def election_loads(election: Election, scope: str = "") -> ElectionLoads:
    """Every branch of the election (or of one electoral district) as a :class:`BranchSet`."""
    qs = election.branches.order_by("number")
    if scope:
        prefixes = _scope_prefixes(scope)
        rows = [r for r in qs.values_list("id", "code", "area__path", "eligible_estimate", "ballot_style_id")
                if any(r[2].startswith(p) for p in prefixes)]
    else:
        rows = list(qs.values_list("id", "code", "area__path", "eligible_estimate", "ballot_style_id"))
    if not rows:
        raise PlanningInputError(
            "branches", *en_fa("election %(code)s has no polling branch to plan", code=election.code)
        )
    proportional = set(BallotStyle.objects.filter(election=election, contests__method=CountingMethod.PROPORTIONAL_LIST)
                       .values_list("id", flat=True))
    source, counts = inventory(election)
    roots = {p.strip("/").split("/")[0] for _, _, p, _, _ in rows}
    district = AreaCode(scope or (roots.pop() if len(roots) == 1 else election.code))
    loads = []
    for bid, code, path, eligible, style_id in rows:
        if style_id is None:
            raise PlanningInputError(
                f"branches[{code}].ballot_style", *en_fa("has no ballot style (assign styles first)")
            )
        if source is InventorySource.ALLOCATED:
            auth = counts.get(bid, {}).get(DeviceKind.AUTHENTICATION, 0)
            eboxes = counts.get(bid, {}).get(DeviceKind.EBOX, 0)
        else:
            auth, eboxes = DEFAULT_INVENTORY[DeviceKind.AUTHENTICATION], DEFAULT_INVENTORY[DeviceKind.EBOX]
        loads.append(BranchLoad(
            code=BranchCode(code),
            region_code=AreaCode(allocation_region_code(path)),
            county_code=AreaCode(county_code(path)),
            district_code=district,
            eligible_voters=eligible,
            ballot=TEHRAN_CITY if style_id in proportional else VILLAGE,
            auth_devices=auth,
            eboxes=eboxes,
        ))
    return ElectionLoads(BranchSet(district, tuple(loads)), {r[1]: r[0] for r in rows}, source, scope)


def election_inputs(election_code: str, scenario_name: str, scope: str = "") -> tuple[Any, BranchSet]:
    """For ``entekhab plan district --election``: the scenario (saved, else a default) and the branches."""
    from django.db import DatabaseError

    from entekhab.hq.capacity.actions import check_scenario
    from entekhab.hq.capacity.models import PlanScenario
    from entekhab.planning.scenario import default_scenarios

    try:
        election = Election.objects.filter(code=election_code).first()
        if election is None:
            raise PlanningInputError(
                "--election",
                *en_fa(
                    "unknown election %(election_code)s",
                    election_code=repr(election_code),
                    election_code2=election_code,
                ),
            )
        saved = PlanScenario.objects.filter(election=election, name=scenario_name).first()
        presets = {s.name: s for s in default_scenarios()}
        if saved is not None:
            scenario = check_scenario(election, saved.definition)
        elif scenario_name in presets:
            scenario = presets[scenario_name]
        else:
            names = sorted({*presets, *PlanScenario.objects.filter(election=election).values_list("name", flat=True)})
            raise PlanningInputError(
                "--scenario",
                *en_fa(
                    "no scenario %(scenario_name)s for election %(election_code)s (known: %(names)s)",
                    scenario_name=repr(scenario_name),
                    election_code=election_code,
                    names=", ".join(names),
                    scenario_name2=scenario_name,
                ),
            )
        return scenario, election_loads(election, scope).branches
    except DatabaseError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlanningInputError(
            "--election", *en_fa("cannot read the HQ database (%(first)s); run `entekhab migrate`", first=first)
        ) from None
