"""Pages: public directory, booklet, PR explainer, registration form, self-service and vetting desks.

Views parse, authorize and call an action; refusals show the Persian message and change nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext, override

from entekhab.domain.digits import COMMA, LIST_SEPARATOR, to_ascii_digits
from entekhab.domain.eligibility import NotEligible
from entekhab.domain.errors import DomainError
from entekhab.domain.vetting import APPROVED_STATES, STATE_NAMES, VettingState, actions_from
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.forms import (
    CalculatorForm,
    InquiryForm,
    ListForm,
    RegistrationForm,
    SelfServiceForm,
    TransitionForm,
)
from entekhab.hq.candidates.models import (
    CandidateList,
    ContestCandidacy,
    InquiryBody,
    ListState,
    Registration,
)
from entekhab.hq.elections.models import Contest, Election
from entekhab.hq.geography.models import Area
from entekhab.i18n import both

PUBLIC_STATES = [s.value for s in APPROVED_STATES]
ACTION_NAMES = {
    "start_review": both("start review"),
    "approve": both("approve"),
    "reject": both("reject"),
    "appeal": both("appeal"),
    "uphold": both("uphold"),
    "overturn": both("overturn"),
    "finalise": both("finalise"),
    "withdraw": both("withdraw"),
}


def _msg(exc: DomainError) -> str:
    return exc.message_en if get_language() == "en" else exc.message_fa


def _public(qs):
    return qs.filter(state__in=PUBLIC_STATES)


# ----------------------------------------------------------------------------- public directory


def directory(request: HttpRequest) -> HttpResponse:
    """Search candidates and lists by code or name; without a query, the contests."""
    q = (request.GET.get("q") or "").strip()[:100]
    candidates, lists = [], []
    if q:
        digits = to_ascii_digits(q)
        people = _public(
            Registration.objects.select_related("contest", "election", "ballot_code", "membership__candidate_list")
        )
        lsts = CandidateList.objects.exclude(state=ListState.WITHDRAWN).select_related(
            "contest", "contest__election", "ballot_code", "party"
        )
        if digits.isdigit():
            people = people.filter(ballot_code__code=digits)
            lsts = lsts.filter(ballot_code__code=digits)
        else:
            words = q.split()
            for w in words:
                people = people.filter(Q(first_name__icontains=w) | Q(last_name__icontains=w) | Q(name_en__icontains=w))
            lsts = lsts.filter(Q(title_fa__icontains=q) | Q(title_en__icontains=q) | Q(party__name_fa__icontains=q))
        candidates, lists = list(people[:100]), list(lsts[:50])
    elections = Election.objects.prefetch_related("contests")
    return render(
        request, "candidates/directory.html", {"q": q, "candidates": candidates, "lists": lists, "elections": elections}
    )


def contest_page(request: HttpRequest, election: str, contest: str) -> HttpResponse:
    c = get_object_or_404(Contest.objects.select_related("election"), election__code=election, code=contest)
    lists = list(
        CandidateList.objects.filter(contest=c)
        .exclude(state=ListState.WITHDRAWN)
        .select_related("party", "ballot_code")
        .prefetch_related("memberships__registration__ballot_code")
    )
    listed = {m.registration_id for lst in lists for m in lst.memberships.all()}
    people = list(
        _public(Registration.objects.filter(contest=c))
        .select_related("ballot_code")
        .order_by("last_name", "first_name")
    )
    independents = [r for r in people if r.pk not in listed]
    candidacy = ContestCandidacy.objects.filter(contest=c).first()
    return render(
        request,
        "candidates/contest.html",
        {
            "contest": c,
            "lists": lists,
            "independents": independents,
            "n_candidates": len(people),
            "candidacy": candidacy,
        },
    )


def list_page(request: HttpRequest, election: str, ref: str) -> HttpResponse:
    lst = get_object_or_404(
        CandidateList.objects.select_related("contest", "party", "ballot_code").exclude(state=ListState.WITHDRAWN),
        contest__election__code=election,
        ref=ref,
    )
    members = [
        m
        for m in lst.memberships.select_related("registration__ballot_code").order_by("position")
        if m.registration.state in PUBLIC_STATES
    ]
    return render(request, "candidates/list.html", {"lst": lst, "members": members})


def candidate_page(request: HttpRequest, election: str, tracking: str) -> HttpResponse:
    reg = get_object_or_404(
        _public(Registration.objects.select_related("contest", "residence_area", "ballot_code")),
        election__code=election,
        tracking=tracking,
    )
    membership = getattr(reg, "membership", None)
    return render(request, "candidates/candidate.html", {"reg": reg, "membership": membership})


def photo(request: HttpRequest, tracking: str) -> HttpResponse:
    reg = get_object_or_404(_public(Registration.objects.only("photo", "photo_type", "state")), tracking=tracking)
    if not reg.photo:
        raise Http404("no photo")
    response = HttpResponse(bytes(reg.photo), content_type=reg.photo_type or "application/octet-stream")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "public, max-age=3600"
    return response


PHOTO_NAME = re.compile(r"^(?P<digest>[0-9a-f]{64})(?:\.(?P<ext>[a-z]{3,4}))?$")
PHOTO_EXTENSIONS = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def photo_by_digest(request: HttpRequest, name: str) -> HttpResponse:
    """A candidate's photo by the SHA-256 the signed manifest names, so devices fetch what HQ signed.

    ``name`` is ``<sha256>`` or ``<sha256>.<ext>``; an unknown digest, a non-public
    registration or an extension that does not match the stored type is a 404.
    """
    match = PHOTO_NAME.match(name)
    if match is None:
        raise Http404("no such photo")
    reg = (_public(Registration.objects.only("photo", "photo_type", "photo_sha256", "state"))
           .filter(photo_sha256=match["digest"]).exclude(photo=None).first())
    if reg is None or not reg.photo or reg.photo_type not in PHOTO_EXTENSIONS:
        raise Http404("no such photo")
    ext = match["ext"]
    if ext is not None and ext != PHOTO_EXTENSIONS[reg.photo_type] and not (ext == "jpeg" and reg.photo_type ==
                                                                            "image/jpeg"):
        raise Http404("no such photo")
    response = HttpResponse(bytes(reg.photo), content_type=reg.photo_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # the name is the content's digest
    return response


def booklet(request: HttpRequest, election: str, contest: str) -> HttpResponse:
    from entekhab.hq.candidates.booklet import booklet_pdf
    from entekhab.hq.web.pdfcache import pdf_response

    c = get_object_or_404(Contest.objects.select_related("election"), election__code=election, code=contest)
    return pdf_response(request, booklet_pdf(c), f"booklet-{c.election.code}-{c.code}.pdf", public=True)


# ----------------------------------------------------------------------------- the PR explainer and calculator

_LINE = re.compile(r"^\s*(?P<name>[^:：]{1,80})[:：](?P<votes>.*)$")
INDEPENDENT_WORDS = frozenset(json.loads((Path(__file__).parent / "data" / "calculator_words.json").read_text(
    encoding="utf-8"))["independent"])
MAX_GROUPS, MAX_CANDIDATES, MAX_VOTES = 60, 600, 10**9


def parse_calculator(text: str) -> tuple[list[tuple[str, list[int]]], list[int]]:
    """Lines ``name: v1, v2, …`` → lists and the independents' votes; names the first bad line."""
    lists: list[tuple[str, list[int]]] = []
    independents: list[int] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        m = _LINE.match(raw)
        if not m:
            raise DomainError(
                "line %(n)s: write 'name: votes, votes, …'", params={"n": n},
                code="calculator_line",
            )
        parts = [p for p in re.split("[," + COMMA + r"\s]+", to_ascii_digits(m["votes"]).strip()) if p]
        if not parts or not all(p.isdigit() and int(p) <= MAX_VOTES for p in parts):
            raise DomainError(
                "line %(n)s: votes must be whole numbers up to %(max_votes)s",
                params={"n": n, "max_votes": format(MAX_VOTES, ",")},
                code="calculator_votes",
            )
        votes = [int(p) for p in parts]
        name = m["name"].strip()
        if name.lower() in INDEPENDENT_WORDS:
            independents.extend(votes)
        elif any(name == x for x, _ in lists):
            raise DomainError(
                "line %(n)s: list %(name)s appears twice", params={"n": n, "name": name},
                code="calculator_duplicate",
            )
        else:
            lists.append((name, votes))
    if len(lists) > MAX_GROUPS or sum(len(v) for _, v in lists) + len(independents) > MAX_CANDIDATES:
        raise DomainError(
            "too many lists or candidates for the calculator",
            code="calculator_size",
        )
    if not lists and not independents:
        raise DomainError("enter at least one line", code="calculator_empty")
    return lists, independents


def run_calculator(seats: int, lists: list[tuple[str, list[int]]], independents: list[int]) -> dict[str, Any]:
    """Count with ``entekhab.counting``'s tehran-pr method, exactly as the real count does.

    The engine sees ids (``g1``, ``g1-2``, ``i1``); the steps and the seat table are worded
    with the names typed in (a list's k-th candidate is "<list>, candidate k").
    """
    from entekhab.counting.contest import CandidateTotal, ContestTotals, GroupTotal
    from entekhab.counting.methods import count
    from entekhab.domain.digits import to_persian_digits
    from entekhab.hq.web.seats import namer, seat_view

    lang = "en" if get_language() == "en" else "fa"
    candidates, groups = [], []
    names: dict[str, tuple[str, str]] = {}
    votes: dict[str, int] = {}

    def both(text: str, **values: object) -> tuple[str, str]:
        fa = {k: to_persian_digits(v) if isinstance(v, int) else v for k, v in values.items()}
        with override("fa"):
            in_fa = gettext(text) % fa
        with override("en"):
            in_en = gettext(text) % values
        return in_fa, in_en

    for g, (name, list_votes) in enumerate(lists, start=1):
        ids = []
        for k, v in enumerate(list_votes, start=1):
            cid = f"g{g}-{k}"
            candidates.append(CandidateTotal(cid, v))
            names[cid] = both("%(list)s, candidate %(n)s", list=name, n=k)
            votes[cid] = v
            ids.append(cid)
        groups.append(GroupTotal(f"g{g}", tuple(ids)))
        names[f"g{g}"] = (name, name)
    for k, v in enumerate(independents, start=1):
        cid = f"i{k}"
        candidates.append(CandidateTotal(cid, v))
        names[cid] = both("independent %(n)s", n=k)
        votes[cid] = v
    result = count(
        ContestTotals(
            method="tehran-pr", seats=seats, groups=tuple(groups), candidates=tuple(candidates), seed="calculator"
        )
    ).as_json()
    view = seat_view("tehran-pr", result["steps"], lang, names, votes,
                     lots=[lot["context"] for lot in result["lots"]],
                     order=[f"g{g}" for g in range(1, len(lists) + 1)] + ["independents"])
    name = {i: (en if lang == "en" else fa) for i, (fa, en) in names.items()}
    return {
        "seat_view": view,
        "group_seats": [(r["name"], r["row"].seats) for r in view["rows"]],
        "elected": [name[c] for c in result["elected"]],
        "steps": view["steps"],
        "lots": [{"context": lot["context"], "winners": [namer(names)(w, lang) for w in lot["winners"]]}
                 for lot in result["lots"]],
    }


def how_pr_works(request: HttpRequest) -> HttpResponse:
    form = CalculatorForm(request.GET or None)
    outcome, error = None, None
    if form.is_bound and form.is_valid():
        try:
            lists, independents = parse_calculator(form.cleaned_data["groups"])
            outcome = run_calculator(form.cleaned_data["seats"], lists, independents)
        except DomainError as exc:
            error = _msg(exc)
    return render(request, "candidates/how_pr.html", {"form": form, "outcome": outcome, "error": error})


# ----------------------------------------------------------------------------- registration


def register_choose(request: HttpRequest) -> HttpResponse:
    today = actions.tehran_today()
    open_now = (
        ContestCandidacy.objects.filter(
            registration_opens__lte=today, registration_closes__gte=today, finalised_at__isnull=True
        )
        .select_related("contest", "contest__election")
        .order_by("contest__election", "contest__code")
    )
    return render(request, "candidates/register_choose.html", {"open_now": open_now, "today": today})


def _area_choices(contest: Contest) -> list[tuple[str, str]]:
    codes = actions.residence_areas(contest)
    lang_en = get_language() == "en"
    areas = Area.objects.filter(code__in=codes).exclude(kind="district").order_by("path")
    return [(a.code, a.name_en if lang_en else a.name_fa) for a in areas]


def register(request: HttpRequest, election: str, contest: str) -> HttpResponse:
    c = get_object_or_404(Contest.objects.select_related("election", "area"), election__code=election, code=contest)
    experts = c.office == "experts"
    form = RegistrationForm(request.POST or None, request.FILES or None, areas=_area_choices(c), experts=experts)
    failures, error = [], None
    if request.method == "POST" and form.is_valid():
        try:
            reg, key = actions.do_register(c, form.to_input(), acting_user=request.user)
        except NotEligible as exc:
            failures = list(exc.failures)
        except DomainError as exc:
            error = _msg(exc)
        else:
            # The access key is shown once, in this response, never in a URL.
            return render(request, "candidates/registered.html", {"reg": reg, "key": key, "contest": c})
    return render(
        request,
        "candidates/register.html",
        {"form": form, "contest": c, "failures": failures, "error": error},
        status=400 if (failures or error or (request.method == "POST" and form.errors)) else 200,
    )


def self_service(request: HttpRequest) -> HttpResponse:
    form = SelfServiceForm(request.POST or None)
    done, error = None, None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            reg = actions.registrant_access(d["tracking"], d["access_key"])
            if d["action"] == "confirm":
                actions.do_confirm_membership(reg, registrant=True)
            else:
                reg = actions.do_transition(reg, d["action"], registrant=True, reason=d["reason"])
            done = reg
        except DomainError as exc:
            error = _msg(exc)
    return render(
        request,
        "candidates/self_service.html",
        {"form": form, "done": done, "error": error},
        status=400 if error else 200,
    )


# ----------------------------------------------------------------------------- vetting desks


def _staff(request: HttpRequest) -> set[str]:
    if not request.user.has_perm("candidates.view_registration"):
        raise PermissionDenied
    return actions.vetting_roles(request.user)


@login_required
def vetting_desk(request: HttpRequest) -> HttpResponse:
    roles = _staff(request)
    state = request.GET.get("state") or ""
    contest = request.GET.get("contest") or ""
    qs = Registration.objects.select_related("contest", "election").order_by("-submitted_at")
    if state in VettingState.__members__.values():
        qs = qs.filter(state=state)
    if contest:
        qs = qs.filter(contest__code=contest)
    rows = list(qs[:200])
    for r in rows:
        r.actions = actions_from(r.state, roles)
    states = [(s.value, STATE_NAMES[s][1 if get_language() == "en" else 0]) for s in VettingState]
    return render(
        request,
        "candidates/vetting_desk.html",
        {"rows": rows, "states": states, "state": state, "contest": contest, "roles": sorted(roles)},
    )


@login_required
def vetting_detail(request: HttpRequest, tracking: str) -> HttpResponse:
    roles = _staff(request)
    reg = get_object_or_404(
        Registration.objects.select_related("contest", "election", "residence_area"), tracking=tracking
    )
    error = None
    if request.method == "POST":
        try:
            if "body" in request.POST:
                form = InquiryForm(request.POST)
                if not form.is_valid():
                    raise DomainError("invalid inquiry answer", code="invalid_inquiry")
                actions.do_record_inquiry(
                    reg,
                    form.cleaned_data["body"],
                    form.cleaned_data["answer"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            else:
                form = TransitionForm(request.POST)
                if not form.is_valid():
                    raise DomainError("invalid request", code="invalid_request")
                actions.do_transition(
                    reg, form.cleaned_data["action"], acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            return redirect("candidates:vetting_detail", tracking=reg.tracking)
        except DomainError as exc:
            error = _msg(exc)
        except PermissionDenied:
            error = _msg(DomainError("you are not allowed to do this"))
        reg.refresh_from_db()
    answers = {i.body: i for i in reg.inquiries.all()}
    inquiries = [(value, label, answers.get(value)) for value, label in InquiryBody.choices]
    return render(
        request,
        "candidates/vetting_detail.html",
        {
            "reg": reg,
            "error": error,
            "inquiries": inquiries,
            "steps": reg.steps.select_related("actor"),
            "actions": [
                (a.value, ACTION_NAMES[a.value][1 if get_language() == "en" else 0])
                for a in actions_from(reg.state, roles)
            ],
            "can_inquire": reg.state == "under_review" and "executive_board" in roles,
            "inquiry_form": InquiryForm(),
            "roles": sorted(roles),
        },
        status=400 if error else 200,
    )


# ----------------------------------------------------------------------------- party representatives


@login_required
def party_lists(request: HttpRequest) -> HttpResponse:
    """A representative's parties and lists; register a list, submit a draft."""
    from entekhab.hq.candidates.models import Party

    if not request.user.has_perm("candidates.add_candidatelist"):
        raise PermissionDenied
    admin = "hq_admin" in actions.vetting_roles(request.user)
    parties = Party.objects.all() if admin else request.user.parties.all()
    contests = (Contest.objects.filter(method="proportional-list", candidacy__finalised_at__isnull=True,
                                       candidacy__list_deadline__gte=actions.tehran_today())
                .select_related("election").order_by("election__code", "code"))
    form = ListForm(request.POST or None, parties=[(p.license_number, str(p)) for p in parties],
                    contests=[(str(c.pk), f"{c.election.code} — {c}") for c in contests])
    error = None
    if request.method == "POST":
        try:
            if "submit_ref" in request.POST:
                lst = get_object_or_404(CandidateList, ref=request.POST["submit_ref"], party__in=parties)
                actions.do_submit_list(lst, acting_user=request.user)
                return redirect("candidates:party_lists")
            if form.is_valid():
                d = form.cleaned_data
                contest = contests.get(pk=int(d["contest"]))
                party = parties.get(license_number=d["party"])
                found = {r.tracking: r for r in Registration.objects.filter(contest=contest, tracking__in=d["members"])}
                missing = [t for t in d["members"] if t not in found]
                if missing:
                    raise DomainError(
                        "unknown in this contest: %(missing)s",
                        params={"missing": ", ".join(missing), "missing2": LIST_SEPARATOR.join(missing)},
                        code="unknown",
                    )
                actions.do_create_list(contest, party, title_fa=d["title_fa"], title_en=d["title_en"],
                                       members=[found[t] for t in d["members"]], acting_user=request.user)
                return redirect("candidates:party_lists")
        except DomainError as exc:
            error = _msg(exc)
    lists = (CandidateList.objects.filter(party__in=parties).select_related("contest", "party")
             .prefetch_related("memberships__registration").order_by("-created_at"))
    return render(request, "candidates/party_lists.html", {"form": form, "lists": lists, "error": error},
                  status=400 if error or (request.method == "POST" and form.errors) else 200)
