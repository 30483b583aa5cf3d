"""Roles are Django groups with explicit permissions; the table below is the policy.

Permissions are enforced by the admin and the API (``has_perm``), not only by
hiding menus. A permission named here that does not exist is an error, so the
table cannot drift silently from the models.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from entekhab.i18n import N_, Catalogued


class Role(StrEnum):
    HQ_ADMIN = "hq_admin"
    USER_ADMIN = "user_admin"
    EXECUTIVE_BOARD = "executive_board"
    SUPERVISORY_BOARD = "supervisory_board"
    BRANCH_HEAD = "branch_head"
    OPERATOR = "operator"
    OBSERVER = "observer"
    PARTY_REPRESENTATIVE = "party_representative"


ROLE_NAMES_FA = Catalogued("role names", {
    Role.HQ_ADMIN: N_("hq admin"),
    Role.USER_ADMIN: N_("user admin"),
    Role.EXECUTIVE_BOARD: N_("executive board"),
    Role.SUPERVISORY_BOARD: N_("supervisory board"),
    Role.BRANCH_HEAD: N_("branch head"),
    Role.OPERATOR: N_("operator"),
    Role.OBSERVER: N_("observer"),
    Role.PARTY_REPRESENTATIVE: N_("party representative"),
})

# The apps whose models the roles act on; later apps add their models here.
ELECTION_APPS = ("geography", "elections")
ALL_APPS = (*ELECTION_APPS, "audit", "operations")


# Operations (issue 6): what the executive board does besides viewing; cancelling action items,
# receiving devices and returning them stay with the HQ administrator.
OPERATIONS_EXECUTIVE = [
    "operations.add_committee",
    "operations.add_committeemember",
    "operations.add_decree",
    "operations.add_meeting",
    "operations.add_actionitem",
    "operations.change_actionitem",
    "operations.add_inspection",
    "operations.change_branchsensitivity",
    "operations.test_device",
    "operations.allocate_device",
    "operations.deploy_device",
    "operations.replace_device",
    "operations.run_draw",
    "operations.add_person",
    "operations.add_attendance",
    "operations.add_quizresult",
    "operations.add_staffassignment",
]


OPERATIONS_WATCHED = [
    f"operations.view_{model}"
    for model in ("committee", "committeemember", "decree", "meeting", "actionitem", "device", "devicelog",
                  "devicereplacement", "inspection", "inspectionitem", "draw", "staffassignment",
                  "branchsensitivity", "link", "branchnetwork", "outageincident")
]


def _view(apps: tuple[str, ...]) -> list[str]:
    return [f"{app}.view_*" for app in apps]


ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.HQ_ADMIN: [f"{app}.*" for app in ALL_APPS],
    # Users and appointments belong to a role of their own that acts on nothing else (issue 13):
    # every change it makes is audited, and it can never compute, approve or confirm a result.
    Role.USER_ADMIN: ["auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
                      "accounts.*", "elections.view_election", "elections.view_branch", "geography.view_area",
                      "audit.view_auditevent"],
    Role.EXECUTIVE_BOARD: [
        *_view(ALL_APPS),
        "elections.add_branch",
        "elections.change_branch",
        "elections.add_pollextension",
        "elections.change_contest",
        *OPERATIONS_EXECUTIVE,
    ],
    Role.SUPERVISORY_BOARD: _view(ALL_APPS),
    Role.BRANCH_HEAD: [
        "elections.view_branch",
        "elections.view_election",
        "elections.view_contest",
        "operations.view_device",
        "operations.operate_device",
        "operations.replace_device",
    ],
    Role.OPERATOR: [
        "elections.view_branch",
        "elections.view_election",
        "elections.view_contest",
        "operations.view_device",
        "operations.operate_device",
    ],
    # Observers watch the operations they are meant to witness: draws, committees, devices, staffing.
    # (everything but the staff register, which holds personal data).
    Role.OBSERVER: [*_view(ELECTION_APPS), *OPERATIONS_WATCHED, "polling.view_control_room"],
}

# Candidates (issue 4): registrations carry national codes, so only the boards and HQ see them;
# which vetting transition each role may make is decided by entekhab.domain.vetting.
CANDIDATES_PERMISSIONS: dict[Role, list[str]] = {
    Role.HQ_ADMIN: ["candidates.*"],
    Role.EXECUTIVE_BOARD: [
        "candidates.view_*",
        "candidates.change_registration",
        "candidates.add_vettinginquiry",
        "candidates.change_vettinginquiry",
    ],
    Role.SUPERVISORY_BOARD: ["candidates.view_*", "candidates.change_registration"],
    Role.PARTY_REPRESENTATIVE: [
        "candidates.view_party",
        "candidates.view_candidatelist",
        "candidates.add_candidatelist",
        "candidates.change_candidatelist",
        "elections.view_election",
        "elections.view_contest",
    ],
}
for _role, _perms in CANDIDATES_PERMISSIONS.items():
    ROLE_PERMISSIONS.setdefault(_role, []).extend(_perms)

# Polling day (issue 8): check-ins carry national codes, so only the boards and HQ see them;
# a branch head enters paper counts (two officials must agree) and sees its branch's reports.
POLLING_PERMISSIONS: dict[Role, list[str]] = {
    Role.HQ_ADMIN: ["polling.*"],
    Role.EXECUTIVE_BOARD: [
        "polling.view_*",
        "polling.add_deviceenrolment",
        "polling.change_deviceenrolment",
        "polling.add_paperentry",
        "polling.assign_incident",
        "polling.escalate_incident",
        "polling.resolve_incident",
        "polling.comment_incident",
    ],
    # The supervisory board resolves or sends back what is escalated to it (actions/workflow.py).
    Role.SUPERVISORY_BOARD: ["polling.view_*", "polling.assign_incident", "polling.resolve_incident",
                             "polling.comment_incident"],
    Role.BRANCH_HEAD: ["polling.view_branchreport", "polling.add_paperentry"],
}
for _role, _perms in POLLING_PERMISSIONS.items():
    ROLE_PERMISSIONS.setdefault(_role, []).extend(_perms)

# Capacity planning (issue 5): HQ and the executive board edit scenarios and run plans; every other role views.
CAPACITY_PERMISSIONS: dict[Role, list[str]] = {
    Role.HQ_ADMIN: ["capacity.*"],
    Role.EXECUTIVE_BOARD: ["capacity.*"],
    **{r: ["capacity.view_*"] for r in Role if r not in (Role.HQ_ADMIN, Role.EXECUTIVE_BOARD)},
}
for _role, _perms in CAPACITY_PERMISSIONS.items():
    ROLE_PERMISSIONS.setdefault(_role, []).extend(_perms)


# Results (issue 9): the executive board computes and approves, the supervisory board confirms
# (publishes) or returns with reasons; HQ computes and announces turnout but certifies nothing.
RESULTS_PERMISSIONS: dict[Role, list[str]] = {
    Role.HQ_ADMIN: ["results.view_*", "results.add_resultversion", "results.add_turnoutannouncement"],
    Role.EXECUTIVE_BOARD: ["results.view_*", "results.add_resultversion", "results.approve_resultversion",
                           "results.add_turnoutannouncement"],
    Role.SUPERVISORY_BOARD: ["results.view_*", "results.confirm_resultversion"],
    Role.OBSERVER: ["results.view_*"],
}
for _role, _perms in RESULTS_PERMISSIONS.items():
    ROLE_PERMISSIONS.setdefault(_role, []).extend(_perms)


def _resolve(pattern: str) -> list[Permission]:
    app, _, codename = pattern.partition(".")
    query = Q(content_type__app_label=app)
    if codename.endswith("*"):
        query &= Q(codename__startswith=codename[:-1])
    else:
        query &= Q(codename=codename)
    perms = list(Permission.objects.filter(query))
    if not perms and not codename.endswith("*"):
        raise LookupError(f"role table names a permission that does not exist: {pattern}")
    return perms


def sync_roles() -> dict[Role, Group]:
    """Create the groups and set exactly the permissions of the table."""
    groups: dict[Role, Group] = {}
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([p for pattern in patterns for p in _resolve(pattern)])
        groups[role] = group
    return groups


def sync_roles_after_migrate(**kwargs) -> None:
    """Runs after migrate; permissions of apps that migrate later are created first."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_roles()


def roles_of(user) -> set[Role]:
    names = set(user.groups.values_list("name", flat=True))
    return {r for r in Role if r.value in names}
