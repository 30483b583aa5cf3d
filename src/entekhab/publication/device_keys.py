"""Which keys may sign a branch report: the published device keys, checked before trusting a posted report.

A report names its own signing key (``device_key``), so "the signature verifies" alone says
nothing: anyone can sign a made-up report with a fresh key. A posted report is trusted only
when its key is one HQ published, for that branch.

Two published sources hold the keys:

* ``device-keys.json``, format ``entekhab/device-keys/1``, exported by HQ with
  ``entekhab polling device-keys --out device-keys.json`` as soon as devices are enrolled
  (before any report exists)::

      {"device_keys": {"format": "entekhab/device-keys/1", "election": "1405",
                       "generated": "2026-05-01T06:00:00Z", "public_key": "<HQ key, hex>",
                       "devices": [{"serial": "EB-1", "role": "ebox", "branch": "B1",
                                    "public_key": "<hex>", "state": "active"}, …]},
       "signature": "<Ed25519 by the HQ key over the canonical JSON of device_keys>"}

* the open data folder (its signed ``index.json``): every ``reports/<branch>.json`` it lists
  is a report HQ accepted from an enrolled device, so its ``device_key`` is that branch's key.

Either is signed by HQ; ``hq_key`` pins HQ's key (else the key the file names is used, which
proves only that the file is whole). HQ's own key signs paper reports, so it is trusted for
``source: paper`` reports only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.publication.errors import PublicationError, QrUnreadable
from entekhab.publication.index import INDEX_FILE, verify_index
from entekhab.publication.qrcheck import read_posted
from entekhab.records.canonical import canonical_json
from entekhab.records.report import SignedReport, verify_report
from entekhab.records.signing import SigningKey, verify

FORMAT = "entekhab/device-keys/1"
REPORT_ROLE = "ebox"  # only an e-box signs a branch report
MAX_KEYS_FILE = 50_000_000  # bytes: a whole country's devices are a few megabytes


class KeysUnusable(PublicationError):
    """The trusted keys file cannot be read, is not signed by HQ, or is not one of the known formats."""

    code = "keys_unusable"


class UntrustedKey(PublicationError):
    """The report's signature verifies, but under a key HQ did not publish for its branch."""

    code = "untrusted_key"


@dataclass(frozen=True)
class TrustedKeys:
    """Device keys HQ published, each with the branches it may sign for; plus HQ's key (paper reports)."""

    hq_key: str
    branches: Mapping[str, frozenset[str]] = field(default_factory=dict)  # public key → branches
    source: str = ""

    def check(self, report: Mapping[str, Any]) -> None:
        """Refuse a report signed by a key HQ did not publish for the report's branch."""
        key, branch = str(report.get("device_key", "")), str(report.get("branch", ""))
        if report.get("source") == "paper":
            if key != self.hq_key:
                raise UntrustedKey("a paper report not signed by the HQ key", code="untrusted_key")
            return
        if key not in self.branches:
            raise UntrustedKey("the report is signed by key %(key)s, which is not a published device key",
                               params={"key": key[:16]})
        if branch not in self.branches[key]:
            raise UntrustedKey("the report's key belongs to a device of another branch, not %(branch)s",
                               params={"branch": branch}, code="wrong_branch_key")


def build_device_keys(devices: Iterable[Mapping[str, str]], *, election: str, generated: str,
                      key: SigningKey) -> dict[str, Any]:
    """The signed device keys document (what HQ exports; ``devices`` rows as in the module docstring)."""
    rows = sorted(({"serial": str(d["serial"]), "role": str(d["role"]), "branch": str(d["branch"]),
                    "public_key": str(d["public_key"]), "state": str(d.get("state", ""))} for d in devices
                   if d.get("public_key")), key=lambda d: (d["branch"], d["role"], d["serial"]))
    body = {"format": FORMAT, "election": election, "generated": generated, "public_key": key.public_hex,
            "devices": rows}
    return {"device_keys": body, "signature": key.sign(canonical_json(body)).hex()}


def verify_device_keys(signed: object, *, hq_key: str | None = None) -> TrustedKeys:
    """The trusted keys of a signed device keys document (``hq_key`` pins the signer)."""
    body = signed.get("device_keys") if isinstance(signed, Mapping) else None
    if not isinstance(body, Mapping) or body.get("format") != FORMAT or not isinstance(body.get("devices"), list):
        raise KeysUnusable("not a device keys file (format %(format)s)", params={"format": FORMAT})
    signer = str(body.get("public_key", ""))
    if hq_key is not None and signer != hq_key:
        raise KeysUnusable("the device keys file is signed by another key than HQ's", code="wrong_key")
    try:
        verify(signer, canonical_json(dict(body)), signed.get("signature", ""))  # type: ignore[union-attr]
    except ValueError as exc:  # a malformed key or signature, or one that does not verify
        raise KeysUnusable("the signature of the device keys file does not verify",
                           code="keys_signature") from exc
    branches: dict[str, set[str]] = {}
    for d in body["devices"]:
        if isinstance(d, Mapping) and d.get("role") == REPORT_ROLE and d.get("public_key"):
            branches.setdefault(str(d["public_key"]), set()).add(str(d.get("branch", "")))
    return TrustedKeys(signer, {k: frozenset(v) for k, v in branches.items()}, "device keys file")


def trusted_from_open_data(root: Path, *, hq_key: str | None = None) -> TrustedKeys:
    """The keys of the reports an open data folder lists in its signed index (each file checked against it)."""
    try:
        index = verify_index(json.loads((root / INDEX_FILE).read_bytes()), public_key=hq_key)
    except (OSError, ValueError) as exc:
        raise KeysUnusable("cannot read %(path)s: %(exc)s", params={"path": root / INDEX_FILE, "exc": exc}) from exc
    except DomainError as exc:
        raise KeysUnusable(exc.message_en, exc.message_fa, code=exc.code) from exc
    branches: dict[str, set[str]] = {}
    for entry in index.get("files", []):
        path = str(entry.get("path", ""))
        if not (path.startswith("reports/") and path.endswith(".json")):
            continue
        try:
            data = (root / path).read_bytes()
        except OSError as exc:
            raise KeysUnusable("%(path)s is listed in the index but cannot be read", params={"path": path}) from exc
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise KeysUnusable("%(path)s differs from the signed index", params={"path": path}, code="index_mismatch")
        try:
            report = json.loads(data)["report"]
            report.get("source")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeysUnusable("%(path)s is not a signed branch report", params={"path": path}) from exc
        if report.get("source") != "paper" and report.get("device_key"):
            branches.setdefault(str(report["device_key"]), set()).add(str(report.get("branch", "")))
    return TrustedKeys(str(index["public_key"]), {k: frozenset(v) for k, v in branches.items()}, "open data")


def load_trusted_keys(path: Path, *, hq_key: str | None = None) -> TrustedKeys:
    """A device keys file, an open data folder or its ``index.json``, whichever ``path`` is."""
    path = Path(path)
    if path.is_dir():
        return trusted_from_open_data(path, hq_key=hq_key)
    if path.name == INDEX_FILE:
        return trusted_from_open_data(path.parent, hq_key=hq_key)
    try:
        if path.stat().st_size > MAX_KEYS_FILE:
            raise KeysUnusable("the device keys file %(path)s is too large", params={"path": path})
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KeysUnusable("cannot read the device keys file %(path)s", params={"path": path}) from exc
    return verify_device_keys(document, hq_key=hq_key)


def verify_posted(texts: list[str], trusted: TrustedKeys) -> SignedReport:
    """The posted report its QR texts carry, if whole, validly signed, and signed by a published key."""
    document = read_posted(texts)
    try:
        signed = verify_report(document)
    except DomainError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise QrUnreadable("the codes do not hold a branch report") from exc
    trusted.check(signed.report)
    return signed
