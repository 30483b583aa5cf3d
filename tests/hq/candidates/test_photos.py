"""Candidates' photos served by the digest the signed manifest names."""

from __future__ import annotations

import hashlib
import json

from entekhab.domain.vetting import VettingState
from entekhab.hq.candidates.manifest import current_manifest
from entekhab.hq.candidates.models import Registration


def _manifest_candidate(election) -> dict:
    style = election.ballot_styles.order_by("code").first()
    doc = json.loads(current_manifest(style).canonical)
    return doc["contests"][0]["candidates"][0]


def test_demo_photo_is_served_by_its_manifest_digest_with_its_type(election, client):
    cand = _manifest_candidate(election)
    digest = cand["photo_sha256"]
    for name in (digest, f"{digest}.svg"):
        response = client.get(f"/candidates/photos/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert hashlib.sha256(response.content).hexdigest() == digest
        assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response.content.startswith(b"<svg") and "نمونه".encode() in response.content  # clearly a sample


def test_demo_portraits_carry_the_initials_and_their_digest(election):
    reg = Registration.objects.filter(election=election, state=VettingState.FINAL_APPROVED).order_by("id").first()
    photo = bytes(reg.photo)
    assert f">{reg.first_name.split()[-1][0]}.{reg.last_name[0]}<" in photo.decode()
    assert hashlib.sha256(photo).hexdigest() == reg.photo_sha256 and reg.photo_type == "image/svg+xml"


def test_unknown_malformed_or_mistyped_photo_names_are_404_never_500(election, client):
    digest = _manifest_candidate(election)["photo_sha256"]
    unknown = hashlib.sha256(b"no such photo").hexdigest()
    for name in (unknown, f"{unknown}.svg", f"{digest}.png", f"{digest}.exe", digest.upper(), digest[:63],
                 "../../etc/passwd", f"{digest}.svg.svg"):
        assert client.get(f"/candidates/photos/{name}").status_code == 404, name
    assert client.get("/candidates/photos/%00").status_code == 400  # NUL is refused at the edge (issue 12)


def test_a_photo_of_a_rejected_registrant_is_not_served(election, client):
    reg = (Registration.objects.filter(election=election, state=VettingState.FINAL_REJECTED)
           .exclude(photo_sha256="").order_by("id").first())
    approved = set(Registration.objects.filter(election=election).exclude(state=VettingState.FINAL_REJECTED)
                   .values_list("photo_sha256", flat=True))
    reg.photo = b"<svg xmlns='http://www.w3.org/2000/svg'/>"  # a photo nobody public shares
    reg.photo_sha256 = hashlib.sha256(bytes(reg.photo)).hexdigest()
    reg.save(update_fields=["photo", "photo_sha256"])
    assert reg.photo_sha256 not in approved
    assert client.get(f"/candidates/photos/{reg.photo_sha256}").status_code == 404
