"""Building, signing and storing ballot manifests from the database (the document shape is in ``manifest_doc``).

``build_document(style)`` gives the canonical document of one ballot style;
``publish_manifests(election, key)`` signs every style whose contests are all final
and stores a new version only when the bytes changed. ``current_manifest`` and
``contest_counting_manifest`` are what polling-day code reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from entekhab.counting.manifest import ContestManifest
from entekhab.domain.errors import DomainError
from entekhab.domain.vetting import VettingState
from entekhab.hq.candidates.models import (
    BallotCode,
    BallotManifest,
    CandidateList,
    CodePolicy,
    ContestCandidacy,
    ListMembership,
    ListState,
    Registration,
)
from entekhab.hq.elections.models import BallotStyle, Contest, Election
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.manifest import FORMAT, counting_manifest
from entekhab.records.signing import SigningKey


def _contest_entry(contest: Contest) -> dict[str, Any]:
    codes = {c.registration_id: c.code for c in BallotCode.objects.filter(contest=contest, registration__isnull=False)}
    list_codes = {c.candidate_list_id: c.code for c in
                  BallotCode.objects.filter(contest=contest, candidate_list__isnull=False)}
    regs = list(Registration.objects.filter(contest=contest, state=VettingState.FINAL_APPROVED))
    lists = list(CandidateList.objects.filter(contest=contest, state=ListState.LOCKED).select_related("party")
                 .prefetch_related(Prefetch("memberships", ListMembership.objects.select_related("registration")
                                            .order_by("position"))))
    list_of: dict[int, str] = {}
    list_rows = []
    for lst in lists:
        members = [m.registration for m in lst.memberships.all()
                   if m.registration.state == VettingState.FINAL_APPROVED]
        if not members:
            continue
        for m in members:
            list_of[m.pk] = lst.ref
        list_rows.append({
            "id": lst.ref, "code": list_codes[lst.pk], "title_fa": lst.title_fa, "title_en": lst.title_en,
            "party": {"name_fa": lst.party.name_fa, "name_en": lst.party.name_en, "kind": lst.party.kind,
                      "licence": lst.party.license_number},
            "members": [m.tracking for m in members],
        })
    candidates = [{
        "id": r.tracking, "code": codes[r.pk], "name_fa": f"{r.first_name} {r.last_name}", "name_en": r.name_en,
        "veteran": r.veteran, "degree": r.degree, "photo_sha256": r.photo_sha256, "list": list_of.get(r.pk),
    } for r in regs]
    return {
        "code": contest.code, "office": contest.office, "method": contest.method,
        "name_fa": contest.name_fa, "name_en": contest.name_en, "seats": contest.seats,
        "alternates": contest.alternates, "max_votes": contest.codes_allowed, "list_mix": contest.list_mix_policy,
        "alternates_policy": contest.alternates_policy,
        "lists": sorted(list_rows, key=lambda x: x["code"]),
        "candidates": sorted(candidates, key=lambda x: x["code"]),
    }


def build_document(style: BallotStyle) -> dict[str, Any]:
    """The manifest document of one ballot style (every contest must be final)."""
    election = style.election
    policy = CodePolicy.objects.filter(election=election).first()
    contests = sorted(style.contests.all(), key=lambda c: c.code)
    return {
        "format": FORMAT,
        "election": {"code": election.code, "name_fa": election.name_fa, "name_en": election.name_en,
                     "polling_date": election.polling_date.isoformat()},
        "ballot_style": style.code,
        "code_length": (policy.base_digits + 1) if policy else 0,
        "code_seed": policy.seed if policy else "",
        "contests": [_contest_entry(c) for c in contests],
    }


def style_is_final(style: BallotStyle) -> bool:
    ids = [c.pk for c in style.contests.all()]
    final = ContestCandidacy.objects.filter(contest_id__in=ids, finalised_at__isnull=False).count()
    return bool(ids) and final == len(ids)


@dataclass
class Published:
    new: list[BallotManifest] = field(default_factory=list)
    unchanged: list[BallotManifest] = field(default_factory=list)

    @property
    def styles(self) -> list[BallotManifest]:
        return self.new + self.unchanged


def sign_style(style: BallotStyle, key: SigningKey) -> tuple[BallotManifest, bool]:
    """The style's current manifest, signing a new version if the content changed (call in a transaction)."""
    data = canonical_json(build_document(style))
    digest = sha256_hex(data)
    current = BallotManifest.objects.select_for_update().filter(ballot_style=style, is_current=True).first()
    if current is not None and current.sha256 == digest and current.public_key == key.public_hex:
        return current, False
    version = 1
    if current is not None:
        version = current.version + 1
        current.is_current = False
        current.save(update_fields=["is_current"])
    made = BallotManifest.objects.create(
        election=style.election, ballot_style=style, version=version, canonical=data.decode("utf-8"),
        sha256=digest, signature=key.sign(data).hex(), public_key=key.public_hex, is_current=True,
        created_at=timezone.now(),
    )
    return made, True


def publish_manifests(election: Election, key: SigningKey) -> Published:
    out = Published()
    for style in BallotStyle.objects.filter(election=election).prefetch_related("contests").order_by("code"):
        if not style_is_final(style):
            continue
        manifest, is_new = sign_style(style, key)
        (out.new if is_new else out.unchanged).append(manifest)
    return out


class NoManifest(DomainError):
    code = "no_manifest"


def current_manifest(style: BallotStyle | str, election: Election | None = None) -> BallotManifest:
    """The current signed manifest of a ballot style (by object, or by code within ``election``)."""
    qs = BallotManifest.objects.filter(is_current=True)
    qs = qs.filter(ballot_style=style) if isinstance(style, BallotStyle) else qs.filter(
        ballot_style__code=style, election=election)
    found = qs.select_related("ballot_style").first()
    if found is None:
        raise NoManifest("ballot style %(style)s has no signed manifest yet", params={"style": style})
    return found


def contest_counting_manifest(manifest: BallotManifest, contest_code: str) -> ContestManifest:
    """The pure counting manifest of one contest of a stored, verified manifest."""
    return counting_manifest(manifest.verify(), contest_code)
