"""Which signed ballot manifest a branch's devices load.

The source is the candidates app's current signed manifest for the branch's ballot
style. Until candidates are registered for an election (a demo, a test), HQ signs a
synthetic manifest in the same format (``entekhab.device.synthetic``), deterministic
from the election and style, so the devices and the intake work the same way.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings

from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.domain.errors import DomainError
from entekhab.hq.elections.models import Branch, CountingMethod
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.signing import load_hq_key


def hq_public_key() -> str:
    return load_hq_key(settings.DATA_DIR).public_hex


def _registered(branch: Branch) -> dict[str, Any] | None:
    if not apps.is_installed("entekhab.hq.candidates"):
        return None
    model = apps.get_model("candidates", "BallotManifest")
    current = model.objects.filter(ballot_style_id=branch.ballot_style_id, is_current=True).first()
    if current is None:
        return None
    return {"manifest": current.document(), "sha256": current.sha256, "signature": current.signature,
            "public_key": current.public_key}


def signed_manifest_for(branch: Branch) -> dict[str, Any]:
    """``{"manifest", "sha256", "signature", "public_key"}`` for the branch's ballot style."""
    if branch.ballot_style_id is None:
        raise DomainError(f"branch {branch.code} has no ballot style", f"شعبه {branch.code} سبک برگه رأی ندارد",
                          code="no_ballot_style")
    registered = _registered(branch)
    if registered is not None:
        return registered
    style = branch.ballot_style
    specs = [ContestSpec(c.code, c.name_fa, c.name_en, c.seats, c.method == CountingMethod.PROPORTIONAL_LIST)
             for c in style.contests.order_by("code")]
    document = synthetic_manifest(branch.election.code, style.code, specs)
    key = load_hq_key(settings.DATA_DIR)
    data = canonical_json(document)
    return {"manifest": document, "sha256": sha256_hex(data), "signature": key.sign(data).hex(),
            "public_key": key.public_hex}
