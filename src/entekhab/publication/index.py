"""The signed file index of an open data folder: every file's SHA-256, signed with the HQ key.

``index.json`` = ``{"index": {"format", "election", "generated", "public_key",
"files": [{"path", "sha256", "bytes"}]}, "signature"}``; the signature is Ed25519 over
the canonical JSON of ``index``. Anyone holding the HQ public key (published with the
ballot manifests) can check that no file was added, removed or altered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from entekhab.publication.errors import OpenDataInvalid
from entekhab.records.canonical import canonical_json
from entekhab.records.errors import SignatureInvalid
from entekhab.records.signing import SigningKey, verify

INDEX_FORMAT = "entekhab/open-data-index/1"
INDEX_FILE = "index.json"


def build_index(files: Mapping[str, bytes], *, election: str, generated: str, key: SigningKey,
                fingerprint: str) -> dict[str, Any]:
    index = {
        "format": INDEX_FORMAT,
        "election": election,
        "election_fingerprint": fingerprint,
        "generated": generated,
        "public_key": key.public_hex,
        "files": [
            {"path": p, "sha256": hashlib.sha256(files[p]).hexdigest(), "bytes": len(files[p])} for p in sorted(files)
        ],
    }
    return {"index": index, "signature": key.sign(canonical_json(index)).hex()}


def verify_index(signed: object, *, public_key: str | None = None) -> dict[str, Any]:
    """The index, if HQ's key signed it (``public_key`` pins the key; else the one it names)."""
    if not isinstance(signed, Mapping) or not isinstance(signed.get("index"), Mapping):
        raise OpenDataInvalid("index.json is not a signed index")
    index = dict(signed["index"])
    if index.get("format") != INDEX_FORMAT:
        raise OpenDataInvalid("index.json has an unknown format")
    key_hex = public_key or index.get("public_key")
    if public_key is not None and index.get("public_key") != public_key:
        raise OpenDataInvalid(
            "index.json is signed by another key than HQ's",
            code="wrong_key",
        )
    try:
        verify(str(key_hex), canonical_json(index), signed.get("signature", ""))
    except (ValueError, SignatureInvalid) as exc:
        raise OpenDataInvalid(
            "the signature of index.json does not verify", code="index_signature"
        ) from exc
    return index


def check_files(root: Path, index: Mapping[str, Any]) -> list[str]:
    """Problems between the folder and its index: missing, altered or unlisted files."""
    problems: list[str] = []
    listed = set()
    for entry in index.get("files", []):
        path = str(entry["path"])
        listed.add(path)
        target = (root / path).resolve()
        if root.resolve() not in target.parents or not target.is_file():
            problems.append(f"{path}: missing")
            continue
        if hashlib.sha256(target.read_bytes()).hexdigest() != entry["sha256"]:
            problems.append(f"{path}: SHA-256 differs from the index")
    for f in sorted(root.rglob("*")):
        rel = f.relative_to(root).as_posix()
        if f.is_file() and rel != INDEX_FILE and rel not in listed:
            problems.append(f"{rel}: not in the index")
    return problems
