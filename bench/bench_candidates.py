"""Benchmark: ballot codes, eligibility checks and the signed manifest, at Tehran size.

Prints, from one run:
- how many single-digit substitutions and adjacent transpositions of every 5-digit code
  (all 9,000 four-digit bases plus check digit) each scheme misses: Verhoeff (ours) against
  two peers, Luhn (mod 10) and the national-code style weighted mod 11 with 11→0, 10→1;
- code validations per second, Verhoeff against Luhn (ratio);
- drawing 4,000 codes from a seed;
- evaluating the city-council rule set on 10,000 applications;
- canonical JSON + SHA-256 + Ed25519 sign + verify + counting view of a 600-candidate,
  30-list manifest, against ``json.dumps`` of the same document as the peer.

    .venv/bin/python bench/bench_candidates.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time

from entekhab.domain.check_codes import assign_codes, is_valid, make_code, single_errors
from entekhab.domain.eligibility import DEFAULT_RULES, Application, ContestFacts, Degree, Office, Sex, evaluate
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.manifest import FORMAT, counting_manifest, verify_manifest
from entekhab.records.signing import SigningKey
from sample_text import FA


def luhn_valid(code: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(code)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_make(base: int) -> str:
    text = str(base)
    for d in "0123456789":
        if luhn_valid(text + d):
            return text + d
    raise AssertionError


def mod11_check(base: str) -> int:
    r = sum(int(d) * (len(base) + 1 - i) for i, d in enumerate(base)) % 11
    return r if r < 2 else 11 - r


def mod11_valid(code: str) -> bool:
    return mod11_check(code[:-1]) == int(code[-1])


def mod11_make(base: int) -> str:
    return f"{base}{mod11_check(str(base))}"


def missed(make, valid) -> tuple[int, int, int]:
    subs = swaps = total = 0
    for base in range(1000, 10000):
        code = make(base)
        for wrong in single_errors(code):
            total += 1
            if valid(wrong):
                if sorted(wrong) == sorted(code):
                    swaps += 1
                else:
                    subs += 1
    return subs, swaps, total


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    print("single errors of every 5-digit code missed (substitutions, adjacent swaps, of errors tried):")
    for name, make, valid in (("verhoeff", make_code, is_valid), ("luhn", luhn_make, luhn_valid),
                              ("mod-11", mod11_make, mod11_valid)):
        subs, swaps, total = missed(make, valid)
        print(f"  {name:9s} {subs:6d} {swaps:6d} of {total:,}")

    rng = random.Random(1405)
    bases = [rng.randrange(1000, 10000) for _ in range(200_000)]
    v_codes = [make_code(b) for b in bases]
    l_codes = [luhn_make(b) for b in bases]
    tv = timed(lambda: [is_valid(c) for c in v_codes])
    tl = timed(lambda: [luhn_valid(c) for c in l_codes])
    print(f"validations/s: verhoeff {len(bases) / tv:,.0f}, luhn {len(bases) / tl:,.0f} (ratio {tl / tv:.2f})")

    keys = [f"R{i:06d}" for i in range(4_000)]
    ta = timed(lambda: assign_codes(keys, seed="bench", scope="c", base_digits=4))
    print(f"assign 4,000 codes from a seed: {ta * 1000:.1f} ms")

    day = dt.date(2026, 1, 11)
    facts = ContestFacts(Office.CITY_COUNCIL, window_opens=day, residence_areas=frozenset({"A"}), population=9_000_000)
    apps = [Application(birth_date=dt.date(rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 29)),
                        sex=rng.choice(list(Sex)), degree=Degree(rng.randrange(7)), residence_area=rng.choice("AB"),
                        certificate_date=day - dt.timedelta(days=rng.randrange(200)), registration_day=day)
            for _ in range(10_000)]
    rules = DEFAULT_RULES[Office.CITY_COUNCIL]
    te = timed(lambda: [evaluate(rules, a, facts) for a in apps])
    print(f"eligibility: {len(apps) / te:,.0f} applications/s (6 rules each)")

    codes = iter(assign_codes([f"x{i}" for i in range(630)], seed="bench", scope="m", base_digits=4).values())
    cands = [{"id": f"R{i:05d}", "code": next(codes), "name_fa": FA["sample_name"], "name_en": "Sample Name",
              "veteran": i % 9 == 0, "degree": 4 + i % 3, "photo_sha256": "ab" * 32, "list": f"L{i // 20}"
              if i < 600 else None} for i in range(600)]
    lists = [{"id": f"L{k}", "code": next(codes), "title_fa": FA["list"].format(n=k), "title_en": f"List {k}",
              "party": {"name_fa": FA["party"], "name_en": "Party", "kind": "party", "licence": f"A{k}"},
              "members": [c["id"] for c in cands[k * 20:(k + 1) * 20]]} for k in range(30)]
    doc = {"format": FORMAT, "election": {"code": "1405", "name_fa": FA["election"], "name_en": "Election",
                                          "polling_date": "2026-05-01"},
           "ballot_style": "S1", "code_length": 5, "code_seed": "bench",
           "contests": [{"code": "council-tehran", "office": "city_council", "method": "proportional-list",
                         "name_fa": FA["council"], "name_en": "Council", "seats": 21, "alternates": 11, "max_votes": 21,
                         "list_mix": "forbidden", "alternates_policy": "next-in-group", "lists": lists,
                         "candidates": sorted(cands, key=lambda c: c["code"])}]}
    key = SigningKey(bytes(32))
    data = canonical_json(doc)
    tc = timed(lambda: canonical_json(doc))
    tj = timed(lambda: json.dumps(doc).encode())
    digest = sha256_hex(data)
    signature = key.sign(data).hex()
    ts = timed(lambda: key.sign(data))
    tv2 = timed(lambda: verify_manifest(data, digest, signature, key.public_hex))
    tm = timed(lambda: counting_manifest(json.loads(data), "council-tehran"))
    print(f"manifest of 600 candidates, 30 lists: {len(data):,} bytes; canonical JSON {tc * 1000:.1f} ms "
          f"(json.dumps peer {tj * 1000:.1f} ms, ratio {tc / tj:.2f}); sign {ts * 1000:.2f} ms; "
          f"verify+parse {tv2 * 1000:.1f} ms; counting view {tm * 1000:.1f} ms")


if __name__ == "__main__":
    main()
