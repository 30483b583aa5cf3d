"""Results at HQ: compute a contest's result, certify it, and assemble what is published.

Writes go through ``do_*`` actions (permission, transaction, audit). A contest's result is
computed from the running totals (which a check recomputes from the stored reports) by
the pure :func:`entekhab.publication.seats.contest_entry`, the same definition the open
data recount uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.audit.checkpoints import latest_checkpoint_document, sign_head
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch, Contest, Election
from entekhab.hq.geography.models import Area
from entekhab.hq.polling.manifests import election_definition
from entekhab.hq.polling.models import Incident, IncidentKind, VoteRecord
from entekhab.hq.results.models import AreaTotal, ContestTotal, CountedReport, ResultVersion
from entekhab.hq.results.totals import (
    absorb_new_reports,
    contest_branches,
    contest_excess,
    contest_member_ids,
    explained_excess,
    tally_of,
    unexplained_excess,
)
from entekhab.i18n import N_, Catalogued, pgettext_in, render
from entekhab.publication.certification import (
    RESULT,
    CertificationRefused,
    CertificationStep,
    ResultState,
    check_excess,
    check_step,
)
from entekhab.publication.contests import ContestInfo, contests_of
from entekhab.publication.opendata import BranchData, contest_metas, open_data_files, results_document
from entekhab.publication.seats import contest_entry, lot_seed
from entekhab.publication.totals import ContestTally
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.signing import SigningKey, load_hq_key

EXCESS = ("branch %(branch)s: %(ballots)s ballots against %(checkins)s accepted check-ins; results cannot be"
          " certified until this incident is resolved")


@dataclass(frozen=True)
class ElectionInputs:
    """What publication needs from the database, read once."""

    manifests: list[dict[str, Any]]
    infos: dict[str, ContestInfo]
    expected: dict[str, int]  # contest code → branches carrying it
    members: dict[str, set[int]]  # contest code → branch ids


def election_inputs(election: Election) -> ElectionInputs:
    from entekhab.hq.polling.manifests import signed_manifest_for

    manifests = []
    for style_id in (Branch.objects.filter(election=election, ballot_style__isnull=False)
                     .values_list("ballot_style_id", flat=True).distinct().order_by("ballot_style_id")):
        branch = Branch.objects.filter(election=election, ballot_style_id=style_id).select_related(
            "ballot_style", "election").first()
        manifests.append(signed_manifest_for(branch))
    infos = contests_of(m["manifest"] for m in manifests)
    codes = dict(Contest.objects.filter(election=election).values_list("id", "code"))
    members = {codes[cid]: ids for cid, ids in contest_branches(election).items()}
    return ElectionInputs(manifests, infos, {c: len(ids) for c, ids in members.items()}, members)


def live_entry(contest: Contest, inputs: ElectionInputs, *, status: str = "provisional",
               version: int = 0) -> dict[str, Any]:
    """The contest's result from the running totals, as results.json would carry it."""
    if contest.code not in inputs.infos:
        raise DomainError(
            "no ballot manifest carries contest %(code)s", params={"code": contest.code}, code="no_manifest"
        )
    running = ContestTotal.objects.filter(contest=contest).first()
    tally = tally_of(running, contest.code) if running else ContestTally(contest.code)
    by_area = {row.area.code: tally_of(row, contest.code)
               for row in AreaTotal.objects.filter(contest=contest).select_related("area")}
    digests = CountedReport.objects.filter(branch_id__in=inputs.members.get(contest.code, set())).values_list(
        "sha256", flat=True)
    return contest_entry(info=inputs.infos[contest.code], area=contest.area.code,
                         branches_expected=inputs.expected.get(contest.code, 0), status=status, version=version,
                         tally=tally, by_area=by_area,
                         seed=lot_seed(contest.election.code, contest.code, digests))


def _snapshot(v: ResultVersion) -> dict[str, Any]:
    return {"version": v.version, "state": v.state, "sha256": v.sha256, "provisional": v.provisional}


def _record_excess(contest: Contest, members: set[int]) -> list[dict[str, Any]]:
    """Every branch with more ballots than check-ins, as the version keeps it; each gets an open incident.

    One incident per branch and counts: computing again does not open a second one, and a
    resolved incident stays resolved (it explains exactly these counts).
    """
    excess = contest_excess(contest, members)
    explained = explained_excess(contest, excess)
    noted = []
    for e in excess:
        noted.append({**e.as_json(), "explained": e.branch in explained})
        known = Incident.objects.filter(election_id=contest.election_id, branch__code=e.branch,
                                        kind=IncidentKind.EXCESS_BALLOTS, details__ballots=e.ballots,
                                        details__checkins=e.checkins)
        if not known.exists():
            Incident.objects.create(
                election_id=contest.election_id, branch=Branch.objects.get(election_id=contest.election_id,
                                                                           code=e.branch),
                kind=IncidentKind.EXCESS_BALLOTS,
                summary_fa=render(EXCESS, {"branch": e.branch, "ballots": to_persian_digits(e.ballots),
                                           "checkins": to_persian_digits(e.checkins)}, "fa"),
                summary_en=render(EXCESS, {"branch": e.branch, "ballots": e.ballots, "checkins": e.checkins}, "en"),
                details={"ballots": e.ballots, "checkins": e.checkins, "contest": e.contest},
            )
    return noted


def do_compute_result(contest: Contest, *, acting_user: Any, reason: str = "",
                      inputs: ElectionInputs | None = None) -> ResultVersion:
    """A new version of the contest's result, waiting for the executive board.

    Any branch with more ballots than accepted check-ins is recorded on the version (and
    opened as an incident): it does not stop the computation, it stops the certification.
    ``inputs`` (from :func:`election_inputs`) may be passed when computing many contests at once.
    """
    authorize(acting_user, "results.add_resultversion", contest, states=COMPUTE_STATES,
              what="computing a result")
    absorb_new_reports(contest.election)
    inputs = inputs or election_inputs(contest.election)
    with transaction.atomic():
        Contest.objects.select_for_update().get(pk=contest.pk)
        waiting = contest.result_versions.filter(state__in=[ResultState.COMPUTED, ResultState.APPROVED]).first()
        if waiting is not None:
            raise CertificationRefused(
                "version %(version)s is still being certified; finish or return it first",
                params={"version": waiting.version},
                code="version_pending",
            )
        number = (contest.result_versions.aggregate(n=Max("version"))["n"] or 0) + 1
        entry = live_entry(contest, inputs, version=number)
        published = contest.result_versions.filter(state=ResultState.PUBLISHED).order_by("-version").first()
        excess = _record_excess(contest, inputs.members.get(contest.code, set()))
        version = ResultVersion.objects.create(
            contest=contest, version=number, state=ResultState.COMPUTED,
            provisional=entry["branches_reported"] < entry["branches_expected"], document=entry,
            sha256=sha256_hex(canonical_json(entry)), computed_by=acting_user, computed_at=timezone.now(),
            supersedes=published, excess=excess)
        record(actor=acting_user, action=Event.RESULTS_COMPUTE, target=version,
               after={**_snapshot(version), "excess": excess} if excess else _snapshot(version), reason=reason)
    return version


# Results are computed once the polls close; they are certified only while counting.
COMPUTE_STATES = frozenset({ElectionState.CLOSED, ElectionState.COUNTING})
CERTIFY_STATES = frozenset({ElectionState.COUNTING})


def _separate(version: ResultVersion, step: str, acting_user: Any) -> None:
    """Three different people: who computed may not approve, and neither may confirm."""
    earlier = {CertificationStep.APPROVE: [("computed", version.computed_by_id)],
               CertificationStep.CONFIRM: [("computed", version.computed_by_id),
                                           ("approved", version.approved_by_id)]}.get(CertificationStep(step), [])
    for what, who in earlier:
        if who is not None and who == getattr(acting_user, "pk", None):
            fa = pgettext_in("fa", "certification step", what)
            raise CertificationRefused(
                "the person who %(what)s this version may not %(step)s it: three different people certify a result",
                params={"what": what, "step": step, "fa": fa, "value": STEP_FA[step]},
                code="same_person",
            )


STEP_FA = Catalogued("step", {
    "approve": N_("approve"),
    "confirm": N_("confirm"),
    "return": N_("return"),
})


def do_certify(version: ResultVersion, step: str, *, acting_user: Any, reason: str = "",
               publish: bool = True) -> ResultVersion:
    """The executive board approves; the supervisory board confirms (publishes) or returns with reasons.

    A confirmation writes the new signed open-data publication at once (the set the site
    serves). A caller confirming many contests in one go may pass ``publish=False`` and
    write one publication after the last (``do_publish_open_data``), as the demo does.
    """
    with transaction.atomic():
        locked = ResultVersion.objects.select_for_update().get(pk=version.pk)
        target, perm = check_step(locked.state, step, reason)
        authorize(acting_user, perm, locked.contest, states=CERTIFY_STATES, what="certifying a result")
        _separate(locked, step, acting_user)
        if step in (CertificationStep.APPROVE, CertificationStep.CONFIRM):  # sending back stays possible
            check_excess(unexplained_excess(locked.contest, contest_member_ids(locked.contest)))
        before = _snapshot(locked)
        now = timezone.now()
        if step == CertificationStep.APPROVE:
            locked.approved_by, locked.approved_at = acting_user, now
        else:
            locked.confirmed_by, locked.confirmed_at = acting_user, now
        if step == CertificationStep.RETURN:
            locked.returned_reason = reason.strip()
        if target is ResultState.PUBLISHED:
            locked.document = {**locked.document, "status": "final"}
            locked.sha256 = sha256_hex(canonical_json(locked.document))
        RESULT.move(locked, target)
        locked.save()
        record(actor=acting_user, action=Event(f"results.{step}"), target=locked, before=before,
               after=_snapshot(locked), reason=reason)
        sign_head(hq_key())  # every certification leaves a signed audit head behind (published with the open data)
    if publish and locked.state == ResultState.PUBLISHED:
        from entekhab.hq.results.opendata import write_publication  # it builds with this module's open_data

        write_publication(locked.contest.election, acting_user=acting_user,
                          reason=f"results.confirm {locked.contest.code} v{locked.version}")
    return locked


def published_version(contest: Contest) -> ResultVersion | None:
    """The result in force: the latest published version (later versions supersede earlier ones)."""
    return contest.result_versions.filter(state=ResultState.PUBLISHED).order_by("-version").first()


def area_rows(election: Election) -> list[dict[str, Any]]:
    """The areas of the election's branches and contests, with their ancestors (parents first)."""
    paths = set(Branch.objects.filter(election=election).values_list("area__path", flat=True))
    paths |= set(Contest.objects.filter(election=election).values_list("area__path", flat=True))
    codes = {c for p in paths for c in p.split("/") if c}
    rows = Area.objects.filter(code__in=codes).select_related("parent").order_by("path")
    return [{"code": a.code, "kind": a.kind, "name_fa": a.name_fa, "name_en": a.name_en,
             "parent": a.parent.code if a.parent_id else None} for a in rows]


def election_json(election: Election) -> dict[str, Any]:
    return {"code": election.code, "name_fa": election.name_fa, "name_en": election.name_en,
            "polling_date": election.polling_date.isoformat()}


def public_results(election: Election, inputs: ElectionInputs | None = None) -> dict[str, Any]:
    """results.json: each contest's published version, else its live provisional result."""
    inputs = inputs or election_inputs(election)
    contests = []
    for contest in Contest.objects.filter(election=election).select_related("area", "election").order_by("code"):
        if contest.code not in inputs.infos:
            continue
        published = published_version(contest)
        contests.append(published.document if published else live_entry(contest, inputs))
    branches = CountedReport.objects.filter(election=election).values_list("branch__code", "branch__area__code")
    return results_document(election=election_json(election), areas=area_rows(election),
                            branches=[{"code": b, "area": a} for b, a in branches], contests=contests)


def hq_key() -> SigningKey:
    return load_hq_key(settings.DATA_DIR)


def open_data(election: Election, *, generated: str | None = None, key: SigningKey | None = None
              ) -> dict[str, bytes]:
    """Every open data file (the signed index included) for the election as it stands."""
    absorb_new_reports(election)
    inputs = election_inputs(election)
    results = public_results(election, inputs)
    branches = []
    for counted in (CountedReport.objects.filter(election=election).select_related("branch__area", "report")
                    .order_by("branch__code")):
        records = list(VoteRecord.objects.filter(report_id=counted.report_id).order_by("id")
                       .values_list("ballot", flat=True))
        branches.append(BranchData(counted.branch.code, counted.branch.area.code, counted.report.document, records))
    metas = contest_metas(results)
    stamp = generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return open_data_files(election=election_json(election), areas=results["areas"], contests=metas,
                           manifests=inputs.manifests, branches=branches, results=results, generated=stamp,
                           key=key or hq_key(), definition=election_definition(election),
                           audit_head=latest_checkpoint_document())

