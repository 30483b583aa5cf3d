"""Staff: the pool by role and certification, assignment status, and rosters per branch (PDF)."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from entekhab.domain.device_lifecycle import KIND_FA, DeviceKind
from entekhab.domain.sensitivity import ROLE_FA, StaffRole, requirements
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.operations.actions.staff import staffing_gaps
from entekhab.hq.operations.models import BranchSensitivity, Certification, Person, StaffAssignment
from entekhab.hq.operations.pdf import render_pdf
from entekhab.hq.operations.views.common import ops_view


@ops_view("operations.view_person")
def staff_page(request: HttpRequest, election: Election) -> HttpResponse:
    certified = Counter(Certification.objects.values_list("role", flat=True))
    assigned = StaffAssignment.objects.filter(election=election)
    at_branch = Counter(assigned.filter(branch__isnull=False).values_list("role", flat=True))
    reserve = Counter(assigned.filter(is_reserve=True).values_list("role", flat=True))
    in_region = Counter(assigned.filter(branch__isnull=True, is_reserve=False).values_list("role", flat=True))
    rows = [
        (
            ROLE_FA[r],
            certified.get(r.value, 0),
            in_region.get(r.value, 0),
            at_branch.get(r.value, 0),
            reserve.get(r.value, 0),
        )
        for r in StaffRole
    ]
    gaps = staffing_gaps(election) if assigned.filter(branch__isnull=False).exists() else []
    return render(
        request,
        "operations/staff.html",
        {
            "election": election,
            "rows": rows,
            "pool": Person.objects.count(),
            "candidates": Person.objects.filter(is_candidate=True).count(),
            "gaps": [(b, ROLE_FA[StaffRole(r)], need, have) for b, r, need, have in gaps[:200]],
            "n_gaps": len(gaps),
        },
    )


@ops_view("operations.view_staffassignment")
def roster_pdf(request: HttpRequest, election: Election, branch_code: str) -> HttpResponse:
    branch = get_object_or_404(Branch.objects.select_related("area"), election=election, code=branch_code)
    staff = [(a, ROLE_FA[StaffRole(a.role)]) for a in branch.staff.select_related("person")]
    order = {r.value: i for i, r in enumerate(StaffRole)}
    staff.sort(key=lambda x: (order[x[0].role], x[0].person.full_name))
    level = BranchSensitivity.objects.filter(branch=branch).values_list("level", flat=True).first() or "normal"
    devices = [(d, KIND_FA[DeviceKind(d.kind)]) for d in branch.devices.all()]
    return render_pdf(
        request,
        "operations/pdf/roster.html",
        {
            "election": election,
            "branch": branch,
            "staff": staff,
            "devices": devices,
            "requirements": requirements(level),
            "level": level,
        },
        f"roster-{branch.code}.pdf",
        ("roster", election.code, branch.code),
    )
