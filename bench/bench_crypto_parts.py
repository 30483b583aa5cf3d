"""Per-part cost of the verifiable core, this tree against a git revision, interleaved.

Why interleaved: the test machine is shared, so a "before" run at one time and an "after"
run later measure the load, not the code.  Each round runs the baseline tree and this tree
one after the other in fresh processes (one core each, serial), and the medians over the
rounds are compared.  The parts are the ones the whole pipeline is made of, for one
Tehran ballot (22 slots):

    encrypt, verify_ballot          one ballot (device side, and the verifier's check)
    shuffle_prove, shuffle_verify   one row of one mix stage
    share_make, share_verify        one guardian's decryption share of one ballot, with proof
    combine                         one ballot from a quorum of 3 shares

and the estimate ``pipeline``: encrypt + 3 mixes + 3 shares + combine + the verifier's
ballot, 3 shuffle and 3 share checks and its combine, as ballots per second per core.

    .venv/bin/python bench/bench_crypto_parts.py [--baseline REV] [--rounds 3] [--rows 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("encrypt", "verify_ballot", "shuffle_prove", "shuffle_verify", "share_make", "share_verify", "combine",
         "shuffle_prove_2w")
"""``shuffle_prove_2w``: wall time per row with 2 worker processes (not in the single-core estimate)."""


def worker(rows: int, reps: int) -> dict[str, float]:
    """Seconds per unit of every part, in this process (serial)."""
    from entekhab.crypto.ballot import BallotDevice, PlaintextBallot
    from entekhab.crypto.decryption import combine, make_share
    from entekhab.crypto.elgamal import DecodingTable, KeyPair
    from entekhab.crypto.group import Randomness, g_pow
    from entekhab.crypto.keyceremony import GuardianKey
    from entekhab.crypto.parallel import ProcessMap
    from entekhab.crypto.shuffle import shuffle_and_prove, verify_shuffle

    rng = Randomness(b"parts")
    kp = KeyPair.generate(rng)
    election = b"E" * 32
    try:  # this tree: styles from the signed demo manifests, devices sign
        from entekhab.crypto.demo_manifests import demo_layouts
        from entekhab.crypto.layout import honest_values
        from entekhab.records.signing import SigningKey

        layout = demo_layouts()["tehran"]
        style = layout.style("tehran")

        def selections() -> tuple[int, ...]:
            return honest_values(layout, rng)

        device = BallotDevice(election, "EBOX-1", kp.public, DecodingTable(max(style.options) + 1),
                              SigningKey.from_seed(b"d" * 32), rng)
    except ImportError:  # a baseline from before the record's second schema
        from entekhab.crypto.demo import TEHRAN as style  # type: ignore[attr-defined]
        from entekhab.crypto.demo import random_selections  # type: ignore[attr-defined]

        def selections() -> tuple[int, ...]:
            return random_selections(style, rng)

        device = BallotDevice(election, "EBOX-1", kp.public, DecodingTable(max(style.options) + 1), rng)
    out: dict[str, list[float]] = {p: [] for p in PARTS}
    ballots = []
    for _ in range(reps):
        plain = [PlaintextBallot(style, selections()) for _ in range(rows)]
        t = time.perf_counter()
        ballots = [device.encrypt(p)[0] for p in plain]
        out["encrypt"].append((time.perf_counter() - t) / rows)
        t = time.perf_counter()
        for b in ballots:
            b.verify(election)  # proof and tracker (the same call in both trees)
        out["verify_ballot"].append((time.perf_counter() - t) / rows)
        table = [tuple(x for c in b.slots for x in (c.alpha.b, c.beta.b)) for b in ballots]
        t = time.perf_counter()
        mixed, proof = shuffle_and_prove(table, kp.public.b, b"bench", rng)
        out["shuffle_prove"].append((time.perf_counter() - t) / rows)
        t = time.perf_counter()
        verify_shuffle(table, mixed, proof, kp.public.b, b"bench")
        out["shuffle_verify"].append((time.perf_counter() - t) / rows)
        with ProcessMap(2) as pmap:
            pmap(len, [([],), ([],)])  # start the workers before timing
            t = time.perf_counter()
            shuffle_and_prove(table, kp.public.b, b"bench", rng, pmap, 2)
            out["shuffle_prove_2w"].append((time.perf_counter() - t) / rows)
        keys = []
        for g in (1, 2, 3):
            s = rng.scalar()
            keys.append(GuardianKey(g, s, g_pow(s)))
        few = mixed[: max(1, rows // 3)]
        t = time.perf_counter()
        shares = [[make_share(k, row, election, rng) for k in keys] for row in few]
        out["share_make"].append((time.perf_counter() - t) / (3 * len(few)))
        t = time.perf_counter()
        for row, sh in zip(few, shares, strict=True):
            for k, s in zip(keys, sh, strict=True):
                s.verify(k.verification_key, row, election)
        out["share_verify"].append((time.perf_counter() - t) / (3 * len(few)))
        t = time.perf_counter()
        for row, sh in zip(few, shares, strict=True):
            combine(row, sh, 3)
        out["combine"].append((time.perf_counter() - t) / len(few))
    return {p: min(v) for p, v in out.items()}


def pipeline(parts: dict[str, float]) -> float:
    """Single-core seconds per ballot for the whole pipeline (3 mixes, quorum 3) incl. verification."""
    produce = parts["encrypt"] + 3 * parts["shuffle_prove"] + 3 * parts["share_make"] + parts["combine"]
    check = parts["verify_ballot"] + 3 * parts["shuffle_verify"] + 3 * parts["share_verify"] + parts["combine"]
    return produce + check


def run_tree(src: Path, rows: int, reps: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, __file__, "--worker", "--rows", str(rows), "--reps", str(reps)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(done.stdout.strip().splitlines()[-1])


def extract(rev: str, into: Path) -> Path:
    archive = into / "src.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default="debe1f9", help="git revision to compare against")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rows", type=int, default=60, help="ballots (rows) per part")
    ap.add_argument("--reps", type=int, default=1, help="repetitions inside one process (min taken)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.rows, args.reps)))
        return
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        old = extract(args.baseline, Path(tmp))
        for r in range(args.rounds):
            for name, src in (("before", old), ("after", ROOT / "src")) if r % 2 == 0 else (
                ("after", ROOT / "src"), ("before", old)
            ):
                results[name].append(run_tree(src, args.rows, args.reps))
            print(f"round {r + 1}/{args.rounds} done")
    med = {k: {p: statistics.median(d[p] for d in v) for p in PARTS} for k, v in results.items()}
    print(f"{'part':16s} {'before ms':>10s} {'after ms':>10s} {'ratio':>7s}   (baseline {args.baseline}, "
          f"{args.rows} Tehran ballots, median of {args.rounds} interleaved rounds)")
    for p in PARTS:
        b, a = med["before"][p], med["after"][p]
        print(f"{p:16s} {b * 1e3:10.2f} {a * 1e3:10.2f} {b / a:6.2f}x")
    b, a = pipeline(med["before"]), pipeline(med["after"])
    print(f"{'pipeline/ballot':16s} {b * 1e3:10.2f} {a * 1e3:10.2f} {b / a:6.2f}x")
    print(f"ballots per second per core (estimate): before {1 / b:.1f}, after {1 / a:.1f}")
    print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
