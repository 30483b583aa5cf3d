"""Reproducible lots (*qor'e*): a lot is a pure function of the published seed and the tie.

Construction (anyone can redo it with ``sha256sum``)::

    digest(c) = SHA-256( UTF-8( seed + "\\n" + context + "\\n" + c ) )   as lowercase hex
    order     = contenders sorted by (digest(c), c) ascending
    winners   = the first ``places`` contenders of ``order``

``context`` names the tie (method, stage, round and which places are at stake, e.g.
``tehran-pr/seats/round-1/remainder``); it is printed with every lot in the result.
The seed is used exactly as published (no trimming, no Unicode normalisation), so the
same seed always gives the same lots and nobody can steer one after the seed is out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from entekhab.counting.errors import CountingError


def lot_digest(seed: str, context: str, contender: str) -> str:
    """The SHA-256 hex digest that ranks one contender in one lot."""
    payload = f"{seed}\n{context}\n{contender}".encode()
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class Lot:
    """One lot drawn: who was tied, for how many places, and who the hashes picked.

    ``places`` equal to the number of contenders means the lot decides their order only.
    """

    context: str
    contenders: tuple[str, ...]
    places: int
    order: tuple[str, ...]
    winners: tuple[str, ...]
    digests: dict[str, str] = field(compare=False)

    def __post_init__(self) -> None:
        if len(self.contenders) < 2:
            raise CountingError("a lot needs at least two contenders")
        if not 0 < self.places <= len(self.contenders):
            raise CountingError(
                "a lot is for 1 to as many places as contenders",
            )

    def as_json(self) -> dict[str, object]:
        return {
            "context": self.context,
            "contenders": list(self.contenders),
            "places": self.places,
            "order": list(self.order),
            "winners": list(self.winners),
            "digests": dict(self.digests),
        }


def draw_lot(seed: str, context: str, contenders: Iterable[str], places: int) -> Lot:
    """Order the contenders by their digest and give the ``places`` first ones the win.

    The result does not depend on the order in which contenders are passed.
    """
    unique = tuple(sorted(set(contenders)))
    digests = {c: lot_digest(seed, context, c) for c in unique}
    order = tuple(sorted(unique, key=lambda c: (digests[c], c)))
    return Lot(
        context=context,
        contenders=unique,
        places=places,
        order=order,
        winners=order[:places],
        digests=digests,
    )
