"""A mix-net: several servers in sequence, each shuffling the previous output with a proof.

Ballots are privately linked to voters only if at least one server keeps its permutation
secret; each stage's proof lets anyone check that no ballot was added, dropped or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from entekhab.crypto.group import Randomness
from entekhab.crypto.parallel import PMap, serial_map
from entekhab.crypto.shuffle import Row, ShuffleProof, shuffle_and_prove, verify_shuffle


def stage_label(election: bytes, style: str, stage: int) -> bytes:
    return b"mix/" + election + b"/" + style.encode() + b"/" + str(stage).encode()


@dataclass(frozen=True)
class MixStage:
    stage: int
    outputs: list[Row]
    proof: ShuffleProof


def mix_stage(
    rows: list[Row],
    stage: int,
    public_key: bytes,
    election: bytes,
    style: str,
    rng: Randomness,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> MixStage:
    """What mix server number ``stage`` publishes for ``rows``."""
    out, proof = shuffle_and_prove(
        rows, public_key, stage_label(election, style, stage), rng.spawn(f"mix-{stage}".encode()), pmap, parts
    )
    return MixStage(stage, out, proof)


def mix(
    rows: list[Row],
    servers: int,
    public_key: bytes,
    election: bytes,
    style: str,
    rng: Randomness,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> list[MixStage]:
    stages: list[MixStage] = []
    current = rows
    for s in range(1, servers + 1):
        stages.append(mix_stage(current, s, public_key, election, style, rng, pmap, parts))
        current = stages[-1].outputs
    return stages


def verify_stage(
    inputs: list[Row],
    stage: MixStage,
    public_key: bytes,
    election: bytes,
    style: str,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> None:
    verify_shuffle(
        inputs,
        stage.outputs,
        stage.proof,
        public_key,
        stage_label(election, style, stage.stage),
        pmap,
        parts,
    )
