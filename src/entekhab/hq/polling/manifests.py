"""Which signed ballot manifest a branch's devices load, and the election definition they are bound to.

The source is the candidates app's current signed manifest for the branch's ballot
style. Until candidates are registered for an election (a demo, a test), HQ signs a
synthetic manifest in the same format (``entekhab.device.synthetic``), deterministic
from the election and style, so the devices and the intake work the same way.

The election definition (:class:`entekhab.records.election.ElectionDefinition`) lists
the contests and the digest of every style's current manifest; its fingerprint is what
cards, vote records and branch reports carry, and what every intake checks.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings

from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.domain.errors import DomainError
from entekhab.hq.elections.models import BallotStyle, Branch, Contest, CountingMethod, Election
from entekhab.records.election import ContestDefinition, ElectionDefinition
from entekhab.records.manifest import BallotManifest, parse_signed_manifest, sign_manifest
from entekhab.records.signing import load_hq_key


def hq_public_key() -> str:
    return load_hq_key(settings.DATA_DIR).public_hex


def _registered(style_id: int) -> dict[str, Any] | None:
    if not apps.is_installed("entekhab.hq.candidates"):
        return None
    model = apps.get_model("candidates", "BallotManifest")
    current = model.objects.filter(ballot_style_id=style_id, is_current=True).first()
    if current is None:
        return None
    return {"manifest": current.document(), "sha256": current.sha256, "signature": current.signature,
            "public_key": current.public_key}


def style_manifest(style: BallotStyle) -> dict[str, Any]:
    """``{"manifest", "sha256", "signature", "public_key"}`` for one ballot style."""
    registered = _registered(style.pk)
    if registered is not None:
        return registered
    specs = [ContestSpec(c.code, c.name_fa, c.name_en, c.seats, c.method == CountingMethod.PROPORTIONAL_LIST)
             for c in style.contests.order_by("code")]
    return sign_manifest(synthetic_manifest(style.election.code, style.code, specs), load_hq_key(settings.DATA_DIR))


_VERIFIED: dict[tuple[str, str, str], BallotManifest] = {}


def verified_manifest_for(branch: Branch) -> BallotManifest:
    """The branch's manifest, verified once per process per signed version (it is 30 ms at 600 candidates,
    and the report peak asks for it 4,950 times)."""
    signed = signed_manifest_for(branch)
    key = (str(signed["sha256"]), str(signed["signature"]), str(signed["public_key"]))
    found = _VERIFIED.get(key)
    if found is None:
        found = parse_signed_manifest(signed, signed["public_key"])
        if len(_VERIFIED) > 512:
            _VERIFIED.clear()
        _VERIFIED[key] = found
    return found


def signed_manifest_for(branch: Branch) -> dict[str, Any]:
    """The signed manifest of the branch's ballot style."""
    if branch.ballot_style_id is None:
        raise DomainError("branch %(code)s has no ballot style", params={"code": branch.code},
                          code="no_ballot_style")
    return style_manifest(branch.ballot_style)


_DEFINITIONS: dict[tuple[Any, ...], ElectionDefinition] = {}


def election_definition(election: Election) -> ElectionDefinition:
    """The election's current definition (memoised on what it is made of, so an edit makes a new one)."""
    contests = tuple(Contest.objects.filter(election=election).order_by("code")
                     .values_list("code", "method", "seats", "area__code"))
    registered: tuple[Any, ...] = ()
    if apps.is_installed("entekhab.hq.candidates"):
        model = apps.get_model("candidates", "BallotManifest")
        registered = tuple(model.objects.filter(election=election, is_current=True).order_by("ballot_style_id")
                           .values_list("ballot_style_id", "sha256"))
    styles = tuple(BallotStyle.objects.filter(election=election).order_by("pk").values_list("pk", "code"))
    key = (election.pk, election.code, contests, registered, styles, hq_public_key())
    found = _DEFINITIONS.get(key)
    if found is None:
        shas = dict(registered)
        manifests = []
        for style in BallotStyle.objects.filter(election=election).select_related("election").order_by("pk"):
            manifests.append(shas.get(style.pk) or style_manifest(style)["sha256"])
        found = ElectionDefinition.make(
            election.code, (ContestDefinition(c, m, s, a) for c, m, s, a in contests), manifests)
        if len(_DEFINITIONS) > 64:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = found
    return found


def election_fingerprint(election: Election) -> str:
    return election_definition(election).fingerprint
