"""A mix-net of independent key-holding servers, each shuffling the previous output with a proof.

Ballots are unlinkable from voters as long as *one* server keeps its permutation secret,
so the servers must be distinct parties the public can name: each is a ``MixServer``
(index 1..m and an Ed25519 public key) listed in the election's opening document, and
each stage is a document signed by exactly the server whose turn it is.  The proof of
shuffle shows no ballot was added, dropped or changed; the signature shows *who* mixed;
the inputs digest chains the stage to the previous stage's outputs.

A stage document (signed over ``encoding.dumps`` of everything but ``signature``)::

    {"kind": "mix-stage", "fingerprint": hex32, "style": text, "stage": s, "server": s,
     "inputs_digest": hex32, "outputs": [[hex32, …], …], "proof": ShuffleProof.to_json(),
     "signature": hex64}
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from entekhab.crypto import encoding
from entekhab.crypto.errors import CryptoError
from entekhab.crypto.group import Randomness
from entekhab.crypto.hash import PREFIX
from entekhab.crypto.parallel import PMap, serial_map
from entekhab.crypto.report import why
from entekhab.crypto.shuffle import Row, ShuffleProof, shuffle_and_prove, verify_shuffle
from entekhab.i18n import Message
from entekhab.records import signing
from entekhab.records.errors import RecordError as SigningRecordError

MIN_MIX_SERVERS: Final = 3
"""Policy, not mathematics: privacy needs one honest server, and with at least three
independent servers a voter need only trust that not *all* of them collude.  An election
may ask for more servers (``check_mix_servers(…, minimum=k)`` with ``k > 3``), never fewer."""

MAX_MIX_SERVERS: Final = 100
STAGE_KIND: Final = "mix-stage"
_STAGE_KEYS = ("kind", "fingerprint", "style", "stage", "server", "inputs_digest", "outputs", "proof")


class MixError(CryptoError):
    """A mix stage or mix-server list refused; ``location`` names the stage (record path)."""

    code = "mix"

    def __init__(self, message_en: str, *, location: str = "", params: dict[str, Any] | None = None) -> None:
        super().__init__(message_en, params=params)
        self.location = location


def stage_location(style: str, stage: int) -> str:
    """Where a stage lives in the record (``record.py``'s layout), used to locate failures."""
    return f"mix/{style}/stage-{stage}.json"


# ---- servers --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MixServer:
    """A mix server as the opening document lists it: its turn (1..m) and its Ed25519 key."""

    index: int
    public_key: bytes

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "public_key": self.public_key.hex()}

    @staticmethod
    def from_json(value: object, what: str = "mix server") -> MixServer:
        d = encoding.obj(value, what, ("index", "public_key"))
        return MixServer(
            encoding.integer(d["index"], f"{what} index", 1, MAX_MIX_SERVERS),
            encoding.hex_bytes(d["public_key"], signing.PUBLIC_KEY_BYTES, f"{what} public key"),
        )


def servers_to_json(servers: Sequence[MixServer]) -> list[dict[str, object]]:
    return [s.to_json() for s in servers]


def servers_from_json(value: object) -> list[MixServer]:
    """Strict reader of the list in ``election.json``; its policy is checked by ``check_mix_servers``."""
    items = encoding.array(value, "mix servers", MAX_MIX_SERVERS)
    return [MixServer.from_json(v, f"mix server {i + 1}") for i, v in enumerate(items)]


def check_mix_servers(servers: Sequence[MixServer], minimum: int = MIN_MIX_SERVERS) -> list[Message]:
    """Every reason the list cannot run a mix under the policy (empty when it can)."""
    problems: list[Message] = []
    if minimum < MIN_MIX_SERVERS:
        problems.append(Message("the election asks for %(minimum)s mix servers; the policy minimum is %(policy)s",
                                {"minimum": minimum, "policy": MIN_MIX_SERVERS}))
    need = max(minimum, MIN_MIX_SERVERS)
    if len(servers) < need:
        problems.append(Message("%(listed)s mix servers listed; at least %(need)s are required",
                                {"listed": len(servers), "need": need}))
    for pos, s in enumerate(servers, start=1):
        if s.index != pos:
            problems.append(Message("mix server %(pos)s in the list has index %(index)s (indexes run 1..m in order)",
                                    {"pos": pos, "index": s.index}))
    seen: dict[bytes, int] = {}
    for s in servers:
        if s.public_key in seen:
            problems.append(Message("mix servers %(first)s and %(second)s share one public key",
                                    {"first": seen[s.public_key], "second": s.index}))
        seen.setdefault(s.public_key, s.index)
    return problems


# ---- what is bound --------------------------------------------------------------------


def stage_label(fingerprint: bytes, style: str, stage: int, server_key: bytes) -> bytes:
    """The shuffle-proof label of a stage: length-framed, binding fingerprint, style, stage and
    the server's Ed25519 key, so a proof cannot be moved to another election, style, position
    or server."""
    st = style.encode()
    return (
        PREFIX + b"mix-stage\x00" + len(fingerprint).to_bytes(8, "little") + fingerprint
        + len(st).to_bytes(8, "little") + st + stage.to_bytes(8, "little")
        + len(server_key).to_bytes(8, "little") + server_key
    )


def rows_digest(rows: Sequence[Row]) -> bytes:
    """SHA-256 over the rows in order (count, width, then every encoding): a stage's inputs."""
    h = hashlib.sha256(PREFIX + b"mix-rows\x00")
    h.update(len(rows).to_bytes(8, "little"))
    h.update((len(rows[0]) if rows else 0).to_bytes(8, "little"))
    for row in rows:
        h.update(b"".join(row))
    return h.digest()


# ---- signed stages --------------------------------------------------------------------


@dataclass(frozen=True)
class SignedMixStage:
    fingerprint: bytes
    style: str
    stage: int
    server: int
    inputs_digest: bytes
    outputs: list[Row]
    proof: ShuffleProof
    signature: bytes

    def statement(self) -> dict[str, object]:
        return {
            "kind": STAGE_KIND,
            "fingerprint": self.fingerprint.hex(),
            "style": self.style,
            "stage": self.stage,
            "server": self.server,
            "inputs_digest": self.inputs_digest.hex(),
            "outputs": [[x.hex() for x in row] for row in self.outputs],
            "proof": self.proof.to_json(),
        }

    def message(self) -> bytes:
        """The exact bytes the server signed."""
        return encoding.dumps(self.statement())

    def to_json(self) -> dict[str, object]:
        return {**self.statement(), "signature": self.signature.hex()}

    @staticmethod
    def from_json(value: object) -> SignedMixStage:
        d = encoding.obj(value, "mix stage", (*_STAGE_KEYS, "signature"))
        encoding.text(d["kind"], "mix stage kind", allowed=(STAGE_KIND,))
        stage = encoding.integer(d["stage"], "mix stage number", 1, MAX_MIX_SERVERS)
        outputs = encoding.array(d["outputs"], "mix stage outputs")
        rows: list[Row] = []
        width = -1
        for i, row in enumerate(outputs):
            items = encoding.array(row, f"mix stage output {i}")
            if width < 0:
                width = len(items)
            if len(items) != width or width == 0 or width % 2:
                raise encoding.EncodingError(
                    "mix stage output %(i)s has %(n)s elements, not the width of the others",
                    params={"i": i, "n": len(items)},
                )
            rows.append(tuple(encoding.hex_bytes(x, 32, f"mix stage output {i}") for x in items))
        return SignedMixStage(
            fingerprint=encoding.hex_bytes(d["fingerprint"], 32, "mix stage fingerprint"),
            style=encoding.text(d["style"], "mix stage style"),
            stage=stage,
            server=encoding.integer(d["server"], "mix stage server", 1, MAX_MIX_SERVERS),
            inputs_digest=encoding.hex_bytes(d["inputs_digest"], 32, "mix stage inputs digest"),
            outputs=rows,
            proof=ShuffleProof.from_json(d["proof"]),
            signature=encoding.hex_bytes(d["signature"], signing.SIGNATURE_BYTES, "mix stage signature"),
        )


def mix_stage_signed(
    rows: list[Row],
    server: MixServer,
    key: signing.SigningKey,
    public_key: bytes,
    fingerprint: bytes,
    style: str,
    rng: Randomness,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> SignedMixStage:
    """What mix server ``server`` publishes for ``rows`` (its stage number is its index)."""
    if key.public_key != server.public_key:
        raise MixError(
            "the signing key of mix server %(server)s is not its listed public key",
            location=stage_location(style, server.index), params={"server": server.index},
        )
    label = stage_label(fingerprint, style, server.index, server.public_key)
    outputs, proof = shuffle_and_prove(
        rows, public_key, label, rng.spawn(f"mix-{server.index}".encode()), pmap, parts
    )
    draft = SignedMixStage(fingerprint, style, server.index, server.index, rows_digest(rows), outputs, proof, b"")
    return replace(draft, signature=key.sign(draft.message()))


def mix(
    rows: list[Row],
    servers: Sequence[tuple[MixServer, signing.SigningKey]],
    public_key: bytes,
    fingerprint: bytes,
    style: str,
    rng: Randomness,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> list[SignedMixStage]:
    """Run every listed server in turn (a demo plays them all; real servers call ``mix_stage_signed``)."""
    stages: list[SignedMixStage] = []
    current = rows
    for server, key in servers:
        stages.append(mix_stage_signed(current, server, key, public_key, fingerprint, style, rng, pmap, parts))
        current = stages[-1].outputs
    return stages


def verify_stage(
    inputs: list[Row],
    signed: SignedMixStage,
    servers: Sequence[MixServer],
    public_key: bytes,
    fingerprint: bytes,
    style: str,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> None:
    """Raise ``MixError`` located at the stage unless it is this election's, its server's, and sound."""
    s = signed.stage
    where = stage_location(style, s)
    if signed.fingerprint != fingerprint or signed.style != style:
        raise MixError("mix stage %(stage)s belongs to another election or style", location=where,
                       params={"stage": s})
    if not 1 <= s <= len(servers):
        raise MixError("mix stage %(stage)s: only %(servers)s mix servers are listed", location=where,
                       params={"stage": s, "servers": len(servers)})
    server = servers[s - 1]
    if signed.server != server.index or server.index != s:
        raise MixError(
            "mix stage %(stage)s is signed as server %(server)s; it is server %(expected)s's turn",
            location=where, params={"stage": s, "server": signed.server, "expected": s},
        )
    try:
        signing.verify(server.public_key, signed.message(), signed.signature)
    except SigningRecordError as exc:
        raise MixError("mix stage %(stage)s: the signature of mix server %(server)s does not verify",
                       location=where, params={"stage": s, "server": s}) from exc
    if signed.inputs_digest != rows_digest(inputs):
        raise MixError("mix stage %(stage)s: its inputs are not the previous stage's outputs", location=where,
                       params={"stage": s})
    try:
        verify_shuffle(inputs, signed.outputs, signed.proof, public_key,
                       stage_label(fingerprint, style, s, server.public_key), pmap, parts)
    except CryptoError as exc:
        raise MixError("mix stage %(stage)s: the proof of shuffle does not verify (%(reason)s)", location=where,
                       params={"stage": s, "reason": why(exc)}) from exc


def verify_mix(
    inputs: list[Row],
    stages: Sequence[SignedMixStage],
    servers: Sequence[MixServer],
    public_key: bytes,
    fingerprint: bytes,
    style: str,
    pmap: PMap = serial_map,
    parts: int = 1,
    minimum: int = MIN_MIX_SERVERS,
) -> tuple[list[Row], list[tuple[str, Message]]]:
    """Check the server list and every stage; return the final rows and (location, problem) pairs.

    A stage that fails still hands its claimed outputs on, so later stages are checked
    too; a missing stage hands on its inputs (the next stage then fails its inputs digest).
    """
    problems = [("election.json mix servers", p) for p in check_mix_servers(servers, minimum)]
    by_stage: dict[int, SignedMixStage] = {}
    for st in stages:
        if st.stage in by_stage:
            problems.append((stage_location(style, st.stage),
                             Message("mix stage %(stage)s appears twice", {"stage": st.stage})))
        elif not 1 <= st.stage <= len(servers):
            problems.append((stage_location(style, st.stage),
                             Message("mix stage %(stage)s has no listed server (%(listed)s listed)",
                                     {"stage": st.stage, "listed": len(servers)})))
        else:
            by_stage[st.stage] = st
    current = inputs
    for s in range(1, len(servers) + 1):
        st = by_stage.get(s)
        if st is None:
            problems.append((stage_location(style, s), Message("mix stage %(stage)s is missing", {"stage": s})))
            continue
        try:
            verify_stage(current, st, servers, public_key, fingerprint, style, pmap, parts)
        except MixError as exc:
            problems.append((exc.location, why(exc)))
        current = st.outputs
    return current, problems
