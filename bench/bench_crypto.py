"""Bench of the verifiable voting core against ElectionGuard 1.4.0, in the same run.

Prints: one Tehran-shaped ballot encrypted and verified (ours: 22 slot ciphertexts;
ElectionGuard: one selection per option, 685 options + placeholders), bytes per cast
ballot, the whole 10,000-ballot pipeline (encrypt → 3 mix servers → threshold decryption
→ record → full verification), ballots per second per core, verification scaling from 1
to 2 workers, and speed-up ratios.  ElectionGuard runs in its own Python 3.10 virtual
environment under ``build/eg-venv`` (created on first run); its pipeline is scaled from
one measured ballot and the output says so.

    .venv/bin/python bench/bench_crypto.py [--ballots 10000] [--workers 2] [--skip-eg]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EG_VENV = ROOT / "build" / "eg-venv"
EG_VERSION = "1.4.0"
COUNCIL_OPTIONS, EXPERTS_OPTIONS, COUNCIL_VOTES = 630, 55, 21

EG_SCRIPT = r"""
import json, logging, sys, time
logging.disable(logging.CRITICAL)  # ElectionGuard logs every selection at INFO; silence it (favours EG)
from datetime import datetime
from electionguard.manifest import (Manifest, ContestDescription, SelectionDescription, BallotStyle,
    GeopoliticalUnit, Candidate, InternalManifest, SpecVersion, ElectionType, ReportingUnitType,
    VoteVariationType)
from electionguard.elgamal import elgamal_keypair_random
from electionguard.group import rand_q
from electionguard.election import make_ciphertext_election_context
from electionguard.encrypt import encrypt_ballot
from electionguard.ballot import PlaintextBallot, PlaintextBallotContest, PlaintextBallotSelection
from electionguard.serialize import to_raw

council, experts, allowed = map(int, sys.argv[1:4])
cands = [Candidate(f"c{i}") for i in range(council + experts)]
sc = [SelectionDescription(f"c{i}-sel", i, f"c{i}") for i in range(council)]
se = [SelectionDescription(f"c{council+i}-sel", i, f"c{council+i}") for i in range(experts)]
cc = ContestDescription("council", 0, "tehran", VoteVariationType.n_of_m, allowed, allowed, "Council", sc)
ce = ContestDescription("experts", 1, "tehran", VoteVariationType.one_of_m, 1, 1, "Experts", se)
now = datetime.now()
manifest = Manifest("tehran-1405", SpecVersion.EG1_0, ElectionType.general, now, now,
    [GeopoliticalUnit("tehran", "Tehran", ReportingUnitType.city)], [], cands, [cc, ce],
    [BallotStyle("tehran-style", ["tehran"])])
internal = InternalManifest(manifest)
kp = elgamal_keypair_random()
context = make_ciphertext_election_context(1, 1, kp.public_key, rand_q(), internal.manifest_hash)
ballot = PlaintextBallot("b1", "tehran-style", [
    PlaintextBallotContest("council", [PlaintextBallotSelection(f"c{i}-sel", 1) for i in range(allowed)]),
    PlaintextBallotContest("experts", [PlaintextBallotSelection(f"c{council}-sel", 1)])])
t = time.perf_counter()
enc = encrypt_ballot(ballot, internal, context, rand_q())
te = time.perf_counter() - t
t = time.perf_counter()
ok = enc.is_valid_encryption(internal.manifest_hash, kp.public_key, context.crypto_extended_base_hash)
tv = time.perf_counter() - t
print(json.dumps({"encrypt_s": te, "verify_s": tv, "valid": ok,
                  "selections": sum(len(c.ballot_selections) for c in enc.contests),
                  "options": council + experts, "bytes": len(to_raw(enc))}))
"""


def find_python310() -> str | None:
    """python3.10 on PATH (pyenv shims may refuse it), else a pyenv-installed 3.10."""
    candidates = [shutil.which("python3.10") or ""]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10")))
    for c in candidates:
        if not c:
            continue
        probe = subprocess.run([c, "--version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0 and "3.10" in probe.stdout + probe.stderr:
            return c
    return None


def ensure_eg_venv() -> Path | None:
    python = EG_VENV / "bin" / "python"
    check = [str(python), "-c", f"import importlib.metadata as m; assert m.version('electionguard') == '{EG_VERSION}'"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return python
    py310 = find_python310()
    if py310 is None:
        print("ElectionGuard: skipped, python3.10 not found (ElectionGuard 1.4.0 needs Python 3.10)")
        return None
    print(f"ElectionGuard: creating {EG_VENV} with {py310} and installing electionguard=={EG_VERSION} …")
    subprocess.run([py310, "-m", "venv", str(EG_VENV)], check=True)
    pip = subprocess.run(
        [str(EG_VENV / "bin" / "pip"), "install", "-q", f"electionguard=={EG_VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0 or subprocess.run(check, capture_output=True, check=False).returncode != 0:
        print(f"ElectionGuard: skipped, package electionguard=={EG_VERSION} could not be installed")
        print(pip.stderr[-2000:])
        return None
    return python


def run_eg(python: Path, council: int, experts: int, votes: int) -> dict[str, float]:
    out = subprocess.run(
        [str(python), "-c", EG_SCRIPT, str(council), str(experts), str(votes)],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_backend() -> None:
    """Our ctypes binding against pysodium, same libsodium call."""
    import pysodium

    from entekhab.crypto import sodium
    from entekhab.crypto.group import Randomness, g_pow

    p = g_pow(Randomness(b"b").scalar()).b
    n = Randomness(b"n").scalar().encode()
    reps = 3000
    t = time.perf_counter()
    for _ in range(reps):
        sodium.scalarmult(n, p)
    ours = (time.perf_counter() - t) / reps
    t = time.perf_counter()
    for _ in range(reps):
        pysodium.crypto_scalarmult_ristretto255(n, p)
    theirs = (time.perf_counter() - t) / reps
    print(f"scalar multiplication: ctypes binding {ours * 1e6:.1f} µs, pysodium {theirs * 1e6:.1f} µs")


def bench_one_ballot() -> tuple[float, float, int, int]:
    from entekhab.crypto.ballot import BallotDevice, PlaintextBallot
    from entekhab.crypto.demo_manifests import demo_layouts
    from entekhab.crypto.elgamal import DecodingTable, KeyPair
    from entekhab.crypto.group import Randomness
    from entekhab.crypto.layout import honest_values
    from entekhab.records.signing import SigningKey

    rng = Randomness(b"bench")
    layout = demo_layouts()["tehran"]
    tehran = layout.style("tehran")
    kp = KeyPair.generate(rng)
    table = DecodingTable(max(tehran.options) + 1)
    device_key = SigningKey.from_seed(b"d" * 32)
    device = BallotDevice(b"E" * 32, "EBOX-1", kp.public, table, device_key)
    enc_times, ver_times, sizes = [], [], []
    for _ in range(60):
        plain = PlaintextBallot(tehran, honest_values(layout, rng))
        t = time.perf_counter()
        enc, _ = device.encrypt(plain)
        cast = device.cast(enc)
        enc_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        cast.verify(b"E" * 32, device_key.public_key)
        ver_times.append(time.perf_counter() - t)
        sizes.append(len(json.dumps(cast.to_json(), separators=(",", ":"))))
    raw = len(enc.slots) * 64 + 32 * (1 + len(enc.proof.responses)) + 16 + 32 * 3 + 64
    return statistics.median(enc_times), statistics.median(ver_times), int(statistics.mean(sizes)), raw


def bench_pipeline(ballots: int, workers: int, out: Path) -> tuple[dict[str, float], dict[int, float]]:
    from entekhab.crypto.demo import run_demo
    from entekhab.crypto.parallel import ProcessMap
    from entekhab.crypto.verifier import verify_record

    if out.exists():
        shutil.rmtree(out)
    with ProcessMap(workers) as pmap:
        result = run_demo(out, ballots, 5, 3, 3, ("tehran",), pmap, workers)
    steps = dict(result.seconds)
    for k in ("keys", "encrypt", "mix", "decrypt"):
        print(f"  {k:8s} {steps[k]:8.1f} s")
    verify: dict[int, float] = {}
    for w in sorted({workers, 1}, reverse=True):
        with ProcessMap(w) as pmap:
            t = time.perf_counter()
            report = verify_record(out, pmap, w)
            verify[w] = time.perf_counter() - t
        print(f"  verify with {w} worker(s): {verify[w]:8.1f} s")
        if not report.ok:
            raise SystemExit(f"verification failed: {report.failures[:3]}")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    steps["record_mb"] = size / 1e6
    return steps, verify


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ballots", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip-eg", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "bench-crypto-record")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(f"== entekhab.crypto bench ({os.cpu_count()} cores, {args.workers} workers)")
    print("load average at start: {:.1f} {:.1f} {:.1f} (other jobs slow every figure)".format(*os.getloadavg()))
    bench_backend()

    enc_s, ver_s, json_bytes, raw_bytes = bench_one_ballot()
    print(f"ours, one Tehran ballot (22 slots): encrypt {enc_s * 1e3:.2f} ms, verify {ver_s * 1e3:.2f} ms")
    print(f"ours, bytes per cast ballot: {raw_bytes} binary, {json_bytes} as JSON in the record")

    eg: dict[str, float] | None = None
    if not args.skip_eg:
        python = ensure_eg_venv()
        if python is not None:
            sample = run_eg(python, 63, 6, 2)
            per_sel = (sample["encrypt_s"] + sample["verify_s"]) / sample["selections"]
            full_estimate = per_sel * (COUNCIL_OPTIONS + EXPERTS_OPTIONS + COUNCIL_VOTES + 1)
            if full_estimate < 120:
                eg = run_eg(python, COUNCIL_OPTIONS, EXPERTS_OPTIONS, COUNCIL_VOTES)
                eg["scaled"] = 0
            else:
                factor = (COUNCIL_OPTIONS + EXPERTS_OPTIONS + COUNCIL_VOTES + 1) / sample["selections"]
                eg = {k: sample[k] * factor for k in ("encrypt_s", "verify_s", "bytes")}
                eg["selections"] = sample["selections"] * factor
                eg["scaled"] = 1
            note = " (scaled linearly from a 69-option sample)" if eg["scaled"] else " (measured)"
            print(
                f"ElectionGuard {EG_VERSION}, one Tehran ballot ({int(eg['selections'])} selections incl. "
                f"placeholders): encrypt {eg['encrypt_s']:.2f} s, verify {eg['verify_s']:.2f} s{note}"
            )
            print(f"ElectionGuard, bytes per cast ballot: {int(eg['bytes'])} as JSON")
            print(
                f"ratio one ballot: encrypt {eg['encrypt_s'] / enc_s:,.0f}x, verify {eg['verify_s'] / ver_s:,.0f}x, "
                f"encrypt+verify {(eg['encrypt_s'] + eg['verify_s']) / (enc_s + ver_s):,.0f}x faster; "
                f"size {eg['bytes'] / json_bytes:,.0f}x smaller"
            )

    print(f"-- pipeline: {args.ballots} Tehran ballots, 5 guardians (quorum 3), 3 mix servers")
    steps, verify = bench_pipeline(args.ballots, args.workers, args.out)
    produce = sum(steps[k] for k in ("keys", "encrypt", "mix", "decrypt"))
    total = produce + verify[args.workers]
    if len(verify) > 1:
        print(f"  verification speed-up 1 → {args.workers} workers: {verify[1] / verify[args.workers]:.2f}x")
    print(
        f"  record size {steps['record_mb']:.0f} MB "
        f"({steps['record_mb'] * 1e6 / args.ballots:,.0f} bytes per ballot with all proofs)"
    )
    print(f"ours, pipeline wall time {total:.1f} s on {args.workers} workers ({total / 60:.1f} min)")
    per_core = args.ballots / (total * args.workers)
    print(f"ours, ballots per second per core (whole pipeline incl. verification): {per_core:.1f}")
    if eg is not None:
        eg_ballot = eg["encrypt_s"] + eg["verify_s"]
        eg_total = args.ballots * eg_ballot / args.workers
        print(
            f"ElectionGuard, pipeline estimate: {args.ballots} × {eg_ballot:.1f} s (encrypt + verify one ballot) "
            f"/ {args.workers} cores = {eg_total:,.0f} s = {eg_total / 86400:.1f} days "
            "(SCALED from one ballot; homomorphic tally and its decryption not counted, which favours ElectionGuard)"
        )
        print(f"ElectionGuard, ballots per second per core: {1 / eg_ballot:.4f}")
        print(f"ratio pipeline: {eg_total / total:,.0f}x faster")
    print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
