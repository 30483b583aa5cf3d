"""Candidates' photos from HQ to the voter's screen: fetched by digest, verified, shown by the kiosk."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest

from entekhab.device.branch import fetch_branch_info
from entekhab.device.kiosk import Kiosk
from entekhab.device.kiosk.server import running
from entekhab.device.photos import manifest_photos
from tests.hq.polling.conftest import NOW, ClientTransport


class PhotoTransport(ClientTransport):
    """The test-client transport plus GET, as ``HttpTransport.fetch``; ``forge`` swaps one photo's bytes."""

    def __init__(self, forge: str = "") -> None:
        super().__init__()
        self.forge = forge

    def fetch(self, path: str) -> tuple[int, bytes, str]:
        response = self.client.get(path)
        body = response.content
        if self.forge and path.endswith(self.forge):
            body = body.replace(b"</svg>", b"<!-- swapped --></svg>")
        return response.status_code, body, response.get("Content-Type", "")


@pytest.fixture
def kiosk_for():
    """Serve a branch's kiosk; returns an httpx client logged in as the desk operator (its base_url is the kiosk's)."""
    from tests.device.conftest import give_pins, kiosk_client

    with ExitStack() as stack:
        def start(devices, tmp):
            give_pins(devices)
            url = stack.enter_context(running(Kiosk(devices, report_dir=tmp)))
            client = kiosk_client(url, "operator")
            stack.callback(client.close)
            return client

        yield start


def post(client, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def candidates(devices) -> tuple[str, list[tuple[str, dict]]]:
    contest = devices.box.manifest.contests[0]
    return contest.code, [(code, v) for code, v in sorted(contest.names.items()) if v["kind"] == "candidate"]


def test_ebox_fetches_verified_photos_and_the_kiosk_shows_them_as_codes_are_typed(branches, kiosk_for, tmp_path):
    b = branches(0)
    b.ebox.transport = PhotoTransport()
    b.devices.open(now=NOW)
    wanted = manifest_photos(b.devices.box.manifest.document)
    assert wanted and sorted(b.devices.photo_fetch.fetched) == wanted and not b.devices.photo_fetch.refused
    client = kiosk_for(b.devices, tmp_path)
    url = str(client.base_url).rstrip("/")
    contest, cands = candidates(b.devices)
    code, entry = cands[0]
    answer = post(client, "/api/ebox/check", {"contest": contest, "codes": [code]})
    shown = answer["codes"][0]
    assert shown["name_fa"] == entry["name_fa"] and shown["photo_url"] == f"/photos/{entry['photo']}"
    with urllib.request.urlopen(url + shown["photo_url"], timeout=10) as response:
        assert response.headers["Content-Type"] == "image/svg+xml"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert hashlib.sha256(response.read()).hexdigest() == entry["photo"]
    lists = [c for c, v in b.devices.box.manifest.contests[0].names.items() if v["kind"] == "list"]
    if lists:  # a list code shows the list's name, no photo
        assert post(client, "/api/ebox/check", {"contest": contest, "codes": lists[:1]})["codes"][0]["photo_url"] == ""
    with urllib.request.urlopen(f"{url}/ebox", timeout=10) as response:
        assert b"photo_url" in response.read()  # the page draws the photo next to the name
    for bad in ("0" * 64, "../journal.db", entry["photo"].upper()):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}/photos/{bad}", timeout=10)
        assert missing.value.code == 404


def test_a_photo_that_does_not_match_the_signed_digest_is_refused_and_the_name_still_shows(
        branches, kiosk_for, tmp_path):
    b = branches(1)
    forged_transport = PhotoTransport()
    b.ebox.transport = forged_transport
    fetch_branch_info(b.ebox)  # to learn the manifest's digests, then forge the first one's bytes
    doc = json.loads(b.ebox.setting("hq_manifest"))["manifest"]
    forged_transport.forge = manifest_photos(doc)[0]
    b.devices.open(now=NOW)
    fetch = b.devices.photo_fetch
    assert list(fetch.refused) == [forged_transport.forge] and "SHA-256" in fetch.refused[forged_transport.forge]
    assert forged_transport.forge not in fetch.fetched and not b.devices.photos.has(forged_transport.forge)
    client = kiosk_for(b.devices, tmp_path)
    contest = next(c for c in b.devices.box.manifest.contests
                   if any(v.get("photo") == forged_transport.forge for v in c.names.values()))
    code, entry = next((k, v) for k, v in sorted(contest.names.items()) if v.get("photo") == forged_transport.forge)
    shown = post(client, "/api/ebox/check", {"contest": contest.code, "codes": [code]})["codes"][0]
    assert shown["known"] and shown["name_fa"] == entry["name_fa"] and shown["photo_url"] == ""
    photos = [e.body for e in b.ebox.journal.entries(kind="photos")]
    assert photos and forged_transport.forge in photos[-1]["refused"]
