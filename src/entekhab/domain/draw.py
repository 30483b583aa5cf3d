"""The seeded public draw: who or what goes where, redone by anyone from a published seed.

Used for the two-stage allocation of devices (warehouse → region → branch) and the
staged assignment of staff (pool → region → branch), in front of observers.

How to redo a draw by hand (docs/operations.md has a worked example):

1. The HQ publishes the **seed** (any text, e.g. the numbers drawn from a lottery
   machine in front of observers, or a newspaper's closing index) before the draw,
   and the draw's **stage label** (e.g. ``devices/region``).
2. For each entrant (a device serial, or a person's per-draw pseudonym such as ``SR-0001``) compute
   ``SHA-256(UTF-8(seed + "\\n" + stage + "\\n" + entrant_id))`` as lowercase hex.
   Sort the entrants by that hex string, ascending: this is the draw order.
3. Sort the slots by ``(priority, slot_id)``; each slot has a kind (a device type or a
   staff role) and a number of seats.
4. For each slot in that order, for each seat, give it the first entrant in the draw
   order that is still free, qualifies for the slot's kind and is not excluded from
   that slot (a conflict). A seat that no entrant can take is reported as a shortfall.
5. Entrants left over are the reserves.

No random number generator is involved: the order is the seed's hash, so the same seed,
stage, entrants and slots give the same result on any machine, and the result's digest
(``DrawResult.digest``) lets observers compare their copy with the HQ's at a glance.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from entekhab.domain.errors import DomainError
from entekhab.records.canonical import digest


class DrawError(DomainError):
    code = "draw_invalid"


MAX_SEED_LENGTH = 200


def check_seed(seed: str) -> str:
    """A published seed: non-empty, printable, at most 200 characters (it is read aloud)."""
    text = seed.strip()
    if not text:
        raise DrawError("the draw needs a published seed",
                        code="seed_missing")
    if len(text) > MAX_SEED_LENGTH or not text.isprintable():
        raise DrawError(
            "a seed is at most %(max_seed_length)s printable characters",
            params={"max_seed_length": MAX_SEED_LENGTH},
            code="seed_invalid",
        )
    return text


def seed_commitment(seed: str) -> str:
    """SHA-256 of the seed, for publishing a commitment before the seed itself."""
    return hashlib.sha256(check_seed(seed).encode("utf-8")).hexdigest()


def draw_key(seed: str, stage: str, entrant_id: str) -> str:
    """The hex digest that places one entrant in the draw order (step 2 above)."""
    return hashlib.sha256(f"{seed}\n{stage}\n{entrant_id}".encode()).hexdigest()


def draw_order(seed: str, stage: str, entrant_ids: Iterable[str]) -> tuple[str, ...]:
    """Entrant ids sorted by their draw key; duplicates are refused."""
    ids = list(entrant_ids)
    if len(set(ids)) != len(ids):
        raise DrawError("an entrant appears twice in the draw",
                        code="duplicate_entrant")
    seed = check_seed(seed)
    return tuple(sorted(ids, key=lambda e: (draw_key(seed, stage, e), e)))


@dataclass(frozen=True)
class Entrant:
    """A device or a person taking part in a draw: which kinds of slot it may fill, and which not."""

    id: str
    kinds: frozenset[str]
    excluded: frozenset[str] = frozenset()  # slot ids it may not take (conflicts)

    def __post_init__(self) -> None:
        if not self.id or "\n" in self.id:
            raise DrawError("an entrant needs an id without line breaks")


@dataclass(frozen=True)
class Slot:
    """Seats of one kind at one place: 'two e-boxes for region 7', 'one branch head at 0412'."""

    id: str
    kind: str
    seats: int
    priority: int = 0  # lower first: critical branches are filled before normal ones

    def __post_init__(self) -> None:
        if not self.id or "\n" in self.id:
            raise DrawError("a slot needs an id without line breaks")
        if self.seats < 0:
            raise DrawError("slot %(id)s has a negative number of seats", params={"id": self.id})


@dataclass(frozen=True)
class Placement:
    slot: str
    kind: str
    entrant: str


@dataclass(frozen=True)
class Shortfall:
    slot: str
    kind: str
    missing: int


@dataclass(frozen=True)
class DrawResult:
    seed: str
    stage: str
    placements: tuple[Placement, ...]
    reserves: tuple[str, ...]
    shortfalls: tuple[Shortfall, ...] = field(default=())

    def by_slot(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.placements:
            out.setdefault(p.slot, []).append(p.entrant)
        return out

    def as_dict(self) -> dict:
        return {
            "seed": self.seed,
            "stage": self.stage,
            "placements": [[p.slot, p.kind, p.entrant] for p in self.placements],
            "reserves": list(self.reserves),
            "shortfalls": [[s.slot, s.kind, s.missing] for s in self.shortfalls],
        }

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON of the result: equal digests, equal draws."""
        return digest(self.as_dict())


def run_draw(seed: str, stage: str, entrants: Sequence[Entrant], slots: Sequence[Slot]) -> DrawResult:
    """Fill the slots from the entrants in draw order (steps 2-5 of the module docstring)."""
    seed = check_seed(seed)
    if not stage or "\n" in stage:
        raise DrawError("a draw needs a stage label", code="stage_invalid")
    slot_ids = [s.id for s in slots]
    if len(set(slot_ids)) != len(slot_ids):
        raise DrawError("a slot appears twice in the draw",
                        code="duplicate_slot")
    by_id = {e.id: e for e in entrants}
    order = draw_order(seed, stage, [e.id for e in entrants])
    # One queue per kind, in draw order; a pointer skips entrants already used.
    queues: dict[str, list[str]] = {}
    for eid in order:
        for kind in by_id[eid].kinds:
            queues.setdefault(kind, []).append(eid)
    start: dict[str, int] = dict.fromkeys(queues, 0)
    used: set[str] = set()
    placements: list[Placement] = []
    shortfalls: list[Shortfall] = []
    for slot in sorted(slots, key=lambda s: (s.priority, s.id)):
        queue = queues.get(slot.kind, [])
        filled = 0
        for _ in range(slot.seats):
            i = start.get(slot.kind, 0)
            while i < len(queue) and queue[i] in used:
                i += 1
            start[slot.kind] = i
            chosen = None
            j = i
            while j < len(queue):
                eid = queue[j]
                if eid not in used and slot.id not in by_id[eid].excluded:
                    chosen = eid
                    break
                j += 1
            if chosen is None:
                break
            used.add(chosen)
            placements.append(Placement(slot.id, slot.kind, chosen))
            filled += 1
        if filled < slot.seats:
            shortfalls.append(Shortfall(slot.id, slot.kind, slot.seats - filled))
    reserves = tuple(e for e in order if e not in used)
    return DrawResult(seed, stage, tuple(placements), reserves, tuple(shortfalls))


def with_reserve(needed: int, reserve: Fraction) -> int:
    """Seats to send to a region: what its branches need plus the reserve share, rounded up."""
    if needed < 0 or reserve < 0:
        raise DrawError("needs and reserve shares cannot be negative")
    return math.ceil(needed * (1 + reserve))


# --- Publishing a draw so that observers can redo it -------------------------------------

PUBLIC_DRAW_TYPE = "entekhab/public-draw/1"


def inputs_as_json(entrants: Sequence[Entrant], slots: Sequence[Slot]) -> dict:
    """Entrants and slots as the draw stores and publishes them (sorted kinds and exclusions)."""
    return {
        "entrants": [[e.id, sorted(e.kinds), sorted(e.excluded)] for e in entrants],
        "slots": [[s.id, s.kind, s.seats, s.priority] for s in slots],
    }


def inputs_from_json(data: dict) -> tuple[list[Entrant], list[Slot]]:
    """The inverse of :func:`inputs_as_json`; malformed rows are a :class:`DrawError`."""
    try:
        entrants = [Entrant(str(e[0]), frozenset(map(str, e[1])), frozenset(map(str, e[2])))
                    for e in data["entrants"]]
        slots = [Slot(str(s[0]), str(s[1]), int(s[2]), int(s[3])) for s in data["slots"]]
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise DrawError("the draw's entrants or slots are malformed",
                        code="inputs_invalid") from exc
    return entrants, slots


def inputs_digest(entrants: Sequence[Entrant], slots: Sequence[Slot]) -> str:
    """SHA-256 of the canonical inputs: published with the seed commitment, before the draw."""
    return digest(inputs_as_json(entrants, slots))


def pseudonyms(private_ids: Iterable[str], prefix: str) -> dict[str, str]:
    """Per-draw labels for people: the i-th private id in sorted order gets ``prefix`` + i.

    The labels follow from the entrant set alone, so the HQ cannot choose them after seeing the
    seed (a keyed hash could be ground through keys until a favoured person lands in a chosen
    seat); the seed-hash order over the labels is as random as over the national codes.
    """
    ids = sorted(set(private_ids))
    width = max(4, len(str(len(ids))))
    return {pid: f"{prefix}{i:0{width}d}" for i, pid in enumerate(ids, start=1)}


def roster_digest(label: str, salt: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Commits to which person stands behind each label without revealing any of them.

    ``SHA-256(canonical {"label", "salt", "entrants": [[pseudonym, private id], …]})``: the salt
    is kept by the HQ and shown, with the roster, to the supervisory board, which can then check
    the published digest; nobody else can test a guessed national code against it.
    """
    return digest({"label": label, "salt": salt, "entrants": sorted([p, s] for p, s in pairs)})


@dataclass(frozen=True)
class DrawCheck:
    """What redoing a published draw showed: each check separately, and the re-run's own result."""

    commitment_matches: bool
    inputs_match: bool
    result_matches: bool
    rerun: DrawResult

    @property
    def ok(self) -> bool:
        return self.commitment_matches and self.inputs_match and self.result_matches


def check_public_draw(document: dict) -> DrawCheck:
    """Redo a published draw from its document alone (seed, label, inputs) and compare every digest."""
    if not isinstance(document, dict) or document.get("type") != PUBLIC_DRAW_TYPE:
        raise DrawError(
            "not a published draw (type %(public_draw_type)s)",
            params={"public_draw_type": PUBLIC_DRAW_TYPE},
            code="not_a_draw",
        )
    try:
        seed, label, inputs = str(document["seed"]), str(document["label"]), document["inputs"]
        commitment, published_inputs = str(document["seed_commitment"]), str(document["inputs_sha256"])
        published_result = str(document["result_sha256"])
    except KeyError as exc:
        raise DrawError("the published draw lacks %(value)s", params={"value": repr(exc.args[0])},
                        code="draw_incomplete") from exc
    entrants, slots = inputs_from_json(inputs)
    again = run_draw(seed, label, entrants, slots)
    return DrawCheck(
        commitment_matches=seed_commitment(seed) == commitment,
        inputs_match=inputs_digest(entrants, slots) == published_inputs,
        result_matches=again.digest == published_result,
        rerun=again,
    )
