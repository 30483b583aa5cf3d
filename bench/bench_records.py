"""Benchmark: the records core against the code it replaced, measured in one run.

Prints, each with the peer measured in the same process:
1. load and verify a signed 600-candidate manifest: ``parse_signed_manifest`` (RFC 8785
   canonical bytes, SHA-256, Ed25519, full validation with paths, the voter-screen view)
   against the old device path (``json.dumps(sort_keys)``, SHA-256, Ed25519, an unvalidated
   conversion), as the old ``device/manifest.py`` did;
2. totalise 4,950 signed branch reports (verify each signature, summarise, absorb), with
   the report digest by RFC 8785 against the old ``json.dumps`` canonical form;
3. refusing hostile bodies with the strict reader (``records.canonical.loads``) against
   plain ``json.loads`` (the old endpoint parsed everything, then failed later with a 500):
   a 19 MB body of floats, a 100,000-deep nesting, a 2 MB honest report body.

    .venv/bin/python bench/bench_records.py
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import random
import time
import unicodedata
from collections.abc import Callable
from typing import Any

import pysodium

from entekhab.counting.manifest import ContestManifest, ListMixPolicy, ManifestCandidate, ManifestList
from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.domain.ids import CandidateId, GroupId
from entekhab.hq.results.simulate import branch_report, device_key, random_records
from entekhab.publication.contests import contests_of
from entekhab.publication.totals import Totaliser
from entekhab.records.canonical import CanonicalError, loads
from entekhab.records.manifest import parse_signed_manifest, sign_manifest
from entekhab.records.report import verify_report
from entekhab.records.signing import SigningKey
from sample_text import FA

HQ = SigningKey(bytes(range(32)))


def best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def old_canonical(value: Any) -> bytes:
    def nfc(v: Any) -> Any:
        if isinstance(v, str):
            return unicodedata.normalize("NFC", v)
        if isinstance(v, dict):
            return {unicodedata.normalize("NFC", k): nfc(x) for k, x in v.items()}
        if isinstance(v, list):
            return [nfc(x) for x in v]
        return v
    return json.dumps(nfc(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def old_load_manifest(signed: dict[str, Any], public: bytes) -> list[ContestManifest]:
    """The replaced device path: hash, signature, then a conversion with defaults and no paths."""
    data = old_canonical(signed["manifest"])
    assert hashlib.sha256(data).hexdigest() == signed["sha256"]
    pysodium.crypto_sign_verify_detached(bytes.fromhex(signed["signature"]), data, public)
    out = []
    for c in signed["manifest"]["contests"]:
        out.append(ContestManifest(
            candidates=tuple(ManifestCandidate(CandidateId(x["id"]), x["code"], bool(x.get("veteran")),
                                               int(x.get("degree", 0))) for x in c["candidates"]),
            lists=tuple(ManifestList(GroupId(x["id"]), x["code"], tuple(CandidateId(m) for m in x["members"]))
                        for x in c.get("lists", ())),
            seats=int(c["seats"]), alternates=int(c.get("alternates", 0)),
            max_votes=int(c.get("max_votes") or c["seats"]), list_mix=ListMixPolicy(c.get("list_mix", "forbidden"))))
    return out


def big_manifest() -> dict[str, Any]:
    doc = synthetic_manifest("1405", "S-TEHRAN", [ContestSpec("council-tehran", FA["council_tehran"], "Tehran council",
                                                              21, True)])
    contest = doc["contests"][0]
    code = 2001
    while len(contest["candidates"]) < 600:
        contest["candidates"].append({"id": f"c{code}", "code": str(code), "name_fa": FA["sample_candidate"],
                                      "name_en": "Sample candidate", "veteran": False, "degree": 2,
                                      "photo_sha256": "", "list": None})
        code += 1
    return doc


def bench_manifest() -> None:
    signed = sign_manifest(big_manifest(), HQ)
    new = best(lambda: parse_signed_manifest(signed, HQ.public_key))
    old = best(lambda: old_load_manifest(signed, HQ.public_key))
    print(f"1. 600-candidate manifest, load and verify: records {new * 1e3:.1f} ms, "
          f"old device path {old * 1e3:.1f} ms (×{new / old:.2f}); the difference is validation and RFC 8785")


def bench_totalise(n: int = 4950) -> None:
    rng = random.Random(4950)
    doc = synthetic_manifest("1405", "S-1", [ContestSpec("council", FA["council"], "Council", 21, True),
                                             ContestSpec("experts", FA["experts"], "Experts", 1, False)])
    signed = sign_manifest(doc, HQ)
    manifest = parse_signed_manifest(signed, HQ.public_key)
    infos = contests_of([doc])
    closed = dt.datetime(2026, 5, 1, 18, tzinfo=dt.UTC)
    reports = []
    for i in range(n):
        records = random_records(rng, doc, 20, infos=infos, fingerprint="ab" * 32)
        reports.append(branch_report(election="1405", branch=f"B{i:05d}", manifest=manifest, records=records,
                                     checkins=20, closed=closed, infos=infos, key=device_key("1405", f"B{i % 50}"),
                                     fingerprint="ab" * 32).document)

    def run_new() -> None:
        t = Totaliser()
        for d in reports:
            verify_report(d)
            t.absorb(d)

    def run_old() -> None:
        t = Totaliser()
        for d in reports:
            report = d["report"]
            pysodium.crypto_sign_verify_detached(bytes.fromhex(d["signature"]), old_canonical(report),
                                                 bytes.fromhex(report["device_key"]))
            hashlib.sha256(old_canonical(d)).hexdigest()
            t.absorb_summary(t_summary(d))

    from entekhab.publication.totals import summarise as t_summary

    new = best(run_new, 3)
    old = best(run_old, 3)
    print(f"2. totalise {n:,} signed reports (verify + summarise + absorb): records {new:.2f} s "
          f"({new / n * 1e6:.0f} µs/report), json.dumps canonical peer {old:.2f} s (×{new / old:.2f})")


def bench_hostile() -> None:
    floats = b"[" + b",".join([b"1.5"] * 4_000_000) + b"]"
    deep = b"[" * 100_000 + b"]" * 100_000
    honest = json.dumps({"records": [{"election": "ab" * 32, "style": "S-1",
                                      "contests": {"council": [str(1000 + i) for i in range(21)]}}] * 6000}).encode()
    for name, body in (("19 MB of floats", floats), ("100,000-deep nesting", deep), ("2 MB honest body", honest)):
        def strict(body: bytes = body) -> None:
            with contextlib.suppress(CanonicalError):
                loads(body)

        def plain(body: bytes = body) -> None:
            with contextlib.suppress(RecursionError):
                json.loads(body)

        new, old = best(strict, 3), best(plain, 3)
        print(f"3. {name} ({len(body) / 1e6:.1f} MB): strict reader {new * 1e3:.0f} ms, json.loads {old * 1e3:.0f} ms "
              f"(×{new / old:.2f})")


if __name__ == "__main__":
    bench_manifest()
    bench_totalise()
    bench_hostile()
