"""Branch sensitivity: levels, the reasons behind them, and what each level requires.

The seed asks for extra care in Tehran's villages; India maps "critical" stations from
past incidents and turnout anomalies. A branch's level follows from its reasons; the
policy table says how many staff of each role, security officers and monitoring a level
requires. Every threshold is a named policy value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from entekhab.domain.errors import DomainError
from entekhab.i18n import N_, Catalogued


class SensitivityInvalid(DomainError):
    code = "sensitivity_invalid"


class Level(StrEnum):
    NORMAL = "normal"
    SENSITIVE = "sensitive"
    CRITICAL = "critical"


LEVEL_FA = Catalogued("level", {
    Level.NORMAL: N_("normal"),
    Level.SENSITIVE: N_("sensitive"),
    Level.CRITICAL: N_("critical"),
})
LEVEL_RANK = {Level.NORMAL: 0, Level.SENSITIVE: 1, Level.CRITICAL: 2}


class Reason(StrEnum):
    RURAL = "rural"
    PAST_INCIDENTS = "past_incidents"
    TURNOUT_ANOMALY = "turnout_anomaly"
    REMOTE = "remote"  # far from the HQ or hard to reach (declared by the HQ)
    DECLARED = "declared"  # the security committee's own judgement, with a note


REASON_FA = Catalogued("reason", {
    Reason.RURAL: N_("rural"),
    Reason.PAST_INCIDENTS: N_("past incidents"),
    Reason.TURNOUT_ANOMALY: N_("turnout anomaly"),
    Reason.REMOTE: N_("remote"),
    Reason.DECLARED: N_("declared"),
})

# Policy: the turnout anomaly rule (over 90 % turnout with over 75 % for one candidate).
TURNOUT_ANOMALY_TURNOUT = Fraction(90, 100)
TURNOUT_ANOMALY_TOP_SHARE = Fraction(75, 100)

# Policy: how much a reason weighs; a branch's level is the highest weight, raised one step
# when two or more reasons hold together.
REASON_LEVEL = MappingProxyType({
    Reason.RURAL: Level.SENSITIVE,
    Reason.PAST_INCIDENTS: Level.SENSITIVE,
    Reason.REMOTE: Level.SENSITIVE,
    Reason.TURNOUT_ANOMALY: Level.CRITICAL,
    Reason.DECLARED: Level.CRITICAL,
})


@dataclass(frozen=True)
class PastResult:
    """A branch's figures from the last election: eligible voters, ballots cast, top candidate's votes."""

    eligible: int
    cast: int
    top_votes: int

    def __post_init__(self) -> None:
        if self.eligible <= 0 or self.cast < 0 or self.top_votes < 0:
            raise SensitivityInvalid("past figures must be positive counts")
        if self.top_votes > self.cast:
            raise SensitivityInvalid(
                "the top candidate cannot have more votes than ballots cast", code="past_inconsistent"
            )

    @property
    def turnout(self) -> Fraction:
        return Fraction(self.cast, self.eligible)

    @property
    def top_share(self) -> Fraction:
        return Fraction(self.top_votes, self.cast) if self.cast else Fraction(0)


def turnout_anomaly(past: PastResult) -> bool:
    """Over 90 % turnout (cast over eligible, above 100 % counts too) and over 75 % for one candidate."""
    return past.turnout > TURNOUT_ANOMALY_TURNOUT and past.top_share > TURNOUT_ANOMALY_TOP_SHARE


def reasons_for(*, rural: bool, past_incidents: int, past: PastResult | None,
                declared: Iterable[Reason] = ()) -> frozenset[Reason]:
    """The reasons that hold for one branch, from its facts and the HQ's declarations."""
    if past_incidents < 0:
        raise SensitivityInvalid("incidents cannot be negative")
    found = set(declared)
    if rural:
        found.add(Reason.RURAL)
    if past_incidents > 0:
        found.add(Reason.PAST_INCIDENTS)
    if past is not None and turnout_anomaly(past):
        found.add(Reason.TURNOUT_ANOMALY)
    return frozenset(found)


def level_for(reasons: Iterable[Reason]) -> Level:
    rs = set(reasons)
    if not rs:
        return Level.NORMAL
    top = max((REASON_LEVEL[r] for r in rs), key=LEVEL_RANK.__getitem__)
    if len(rs) >= 2 and top is Level.SENSITIVE:
        return Level.CRITICAL
    return top


class StaffRole(StrEnum):
    BRANCH_HEAD = "branch_head"
    SECRETARY = "secretary"
    MEMBER = "member"
    DEVICE_OPERATOR = "device_operator"
    INSPECTOR = "inspector"
    GOVERNOR_REP = "governor_rep"


ROLE_FA = Catalogued("role", {
    StaffRole.BRANCH_HEAD: N_("branch head"),
    StaffRole.SECRETARY: N_("secretary"),
    StaffRole.MEMBER: N_("member"),
    StaffRole.DEVICE_OPERATOR: N_("device operator"),
    StaffRole.INSPECTOR: N_("inspector"),
    StaffRole.GOVERNOR_REP: N_("governor rep"),
})


@dataclass(frozen=True)
class Requirements:
    staff: Mapping[StaffRole, int]
    security_officers: int
    heartbeat_timeout_minutes: int  # a branch silent this long is offline
    supervisor_present: bool
    inspections_before_polling: int

    @property
    def staff_total(self) -> int:
        return sum(self.staff.values())


def _staff(head: int, secretary: int, members: int, operators: int, inspector: int, rep: int):
    return MappingProxyType({
        StaffRole.BRANCH_HEAD: head, StaffRole.SECRETARY: secretary, StaffRole.MEMBER: members,
        StaffRole.DEVICE_OPERATOR: operators, StaffRole.INSPECTOR: inspector, StaffRole.GOVERNOR_REP: rep,
    })


# Policy table: what a branch of each level requires.
POLICY: Mapping[Level, Requirements] = MappingProxyType({
    Level.NORMAL: Requirements(_staff(1, 1, 2, 2, 0, 1), security_officers=1, heartbeat_timeout_minutes=10,
                               supervisor_present=False, inspections_before_polling=1),
    Level.SENSITIVE: Requirements(_staff(1, 1, 3, 2, 1, 1), security_officers=2, heartbeat_timeout_minutes=5,
                                  supervisor_present=True, inspections_before_polling=2),
    Level.CRITICAL: Requirements(_staff(1, 1, 3, 3, 1, 1), security_officers=3, heartbeat_timeout_minutes=3,
                                 supervisor_present=True, inspections_before_polling=3),
})


def requirements(level: Level | str) -> Requirements:
    return POLICY[Level(level)]
