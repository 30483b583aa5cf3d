"""What a per-slot range proof would cost: a disjunctive (CDS) proof that a slot encrypts 0..N.

Why measure: the ballot proof covers only the randomness, so a device can encrypt an
index off the option table; decoded-ballot validation (:mod:`entekhab.crypto.validity`)
catches every such vote after the mix. A range proof would catch it at casting, per
device. This bench implements the textbook Cramer–Damgård–Schoenmakers OR-proof over
ristretto255 with the group's real scalar multiplications, checks it, times prove and
verify for the Experts slot (0..55), one council slot (0..630) and the small styles, and
scales to a Tehran ballot and to 1.5 M ballots.

Exponentiation count, N+1 branches: prove = 4N + 2 (each simulated branch g^z, α^-c,
K^z, (β/g^j)^-c; the real one g^w, K^w), verify = 4(N+1).

    PYTHONPATH=src .venv/bin/python bench/bench_range_proof.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from entekhab.crypto.elgamal import Ciphertext, DecodingTable, KeyPair, encrypt
from entekhab.crypto.errors import ProofError
from entekhab.crypto.group import Element, Randomness, Scalar, g_pow, random_scalar
from entekhab.crypto.hash import Transcript

TEHRAN_SLOTS = ((630, 21), (55, 1))
TEHRAN_BALLOTS = 1_500_000
TABLE = DecodingTable(632)
"""g^j for every branch, precomputed once (the decoder's table), so a branch costs 4 multiplications."""


@dataclass(frozen=True)
class RangeProof:
    """``(c_j, z_j)`` for j = 0..N; the challenges sum to the Fiat–Shamir hash."""

    challenges: tuple[Scalar, ...]
    responses: tuple[Scalar, ...]

    @staticmethod
    def _hash(context: bytes, key: Element, ct: Ciphertext, commits: Sequence[Element]) -> Scalar:
        return (
            Transcript("slot-range")
            .bytes("context", context)
            .element("key", key)
            .bytes("ciphertext", ct.alpha.b + ct.beta.b)
            .elements("commits", list(commits))
            .challenge()
        )

    @staticmethod
    def prove(m: int, r: Scalar, top: int, key: Element, ct: Ciphertext, context: bytes,
              rng: Randomness) -> RangeProof:
        cs: list[Scalar] = []
        zs: list[Scalar] = []
        commits: list[Element] = []
        w = random_scalar(rng)
        for j in range(top + 1):
            if j == m:
                cs.append(Scalar(0))
                zs.append(Scalar(0))
                commits += [g_pow(w), key**w]
                continue
            c, z = random_scalar(rng), random_scalar(rng)
            cs.append(c)
            zs.append(z)
            neg = -c
            commits += [g_pow(z) * (ct.alpha**neg), (key**z) * ((ct.beta / TABLE.element(j)) ** neg)]
        total = RangeProof._hash(context, key, ct, commits)
        cm = total
        for j, c in enumerate(cs):
            if j != m:
                cm = cm - c
        cs[m] = cm
        zs[m] = w + cm * r
        return RangeProof(tuple(cs), tuple(zs))

    def verify(self, top: int, key: Element, ct: Ciphertext, context: bytes) -> None:
        if len(self.challenges) != top + 1 or len(self.responses) != top + 1:
            raise ProofError("range proof has the wrong number of branches")
        commits: list[Element] = []
        total = Scalar(0)
        for j, (c, z) in enumerate(zip(self.challenges, self.responses, strict=True)):
            neg = -c
            total = total + c
            commits += [g_pow(z) * (ct.alpha**neg), (key**z) * ((ct.beta / TABLE.element(j)) ** neg)]
        if RangeProof._hash(context, key, ct, commits) != total:
            raise ProofError("range proof does not verify")


def _ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rng = Randomness(b"bench/range-proof")
    kp = KeyPair.generate(rng)
    key = kp.public
    s = random_scalar(rng)
    base = g_pow(random_scalar(rng))
    n = 2000
    t = time.perf_counter()
    for _ in range(n):
        g_pow(s)
    fixed_us = 1e6 * (time.perf_counter() - t) / n
    t = time.perf_counter()
    for _ in range(n):
        _ = base**s
    var_us = 1e6 * (time.perf_counter() - t) / n
    print(f"scalar multiplication: fixed base {fixed_us:.1f} µs, variable base {var_us:.1f} µs")

    ctx = b"bench"
    results: dict[int, tuple[float, float]] = {}
    for top, reps in ((5, args.repeat), (55, args.repeat), (630, max(1, args.repeat // 3))):
        m = top // 2
        r = random_scalar(rng)
        ct = encrypt(m, key, r)
        proof = RangeProof.prove(m, r, top, key, ct, ctx, rng)
        proof.verify(top, key, ct, ctx)
        bad = encrypt(top + 1, key, r)
        try:
            RangeProof.prove(top + 1, r, top, key, bad, ctx, rng).verify(top, key, bad, ctx)
        except (ProofError, IndexError):
            pass
        else:
            raise SystemExit("a proof for an index off the table verified")
        prove_ms = _ms(lambda top=top, m=m, r=r, ct=ct: RangeProof.prove(m, r, top, key, ct, ctx, rng), reps)
        verify_ms = _ms(lambda top=top, ct=ct, proof=proof: proof.verify(top, key, ct, ctx), reps)
        results[top] = (prove_ms, verify_ms)
        size = 2 * 32 * (top + 1)
        print(f"slot 0..{top:<4} prove {prove_ms:8.1f} ms  verify {verify_ms:8.1f} ms  "
              f"({4 * top + 2} / {4 * (top + 1)} exponentiations)  proof {size / 1024:.1f} KiB")

    prove = sum(k * results[top][0] for top, k in TEHRAN_SLOTS)
    verify = sum(k * results[top][1] for top, k in TEHRAN_SLOTS)
    size = sum(k * 64 * (top + 1) for top, k in TEHRAN_SLOTS)
    print(f"Tehran ballot (21 slots of 0..630 + 1 of 0..55): prove {prove / 1000:.2f} s on the e-box, "
          f"verify {verify / 1000:.2f} s, {size / 1024:.0f} KiB of proof per ballot")
    core_days = TEHRAN_BALLOTS * verify / 1000 / 86400
    print(f"verifying {TEHRAN_BALLOTS:,} Tehran ballots: {core_days:.0f} core-days "
          f"({TEHRAN_BALLOTS * size / 2**30:.0f} GiB of proofs); Experts slot alone: "
          f"{TEHRAN_BALLOTS * results[55][1] / 1000 / 3600:.1f} core-hours")


if __name__ == "__main__":
    main()
