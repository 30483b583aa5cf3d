"""Checking the devices' signed ballot chains: pure functions, each failure with its place.

Two levels, because the verifier checks ballots in parallel chunks:

- per ballot (cheap, in a worker): :func:`check_cast_ballot`, :func:`check_spoiled_ballot`
  (known device and style, proof, tracker, own link, signature, spoiled reveal);
- across ballots (in the main process): :func:`check_device` for one device's chain
  against its closing statement, and :func:`check_devices` for the whole record against
  the device list (no unknown device, every listed device closed, no ballot twice, no
  spoiled ballot cast).

Each returns ``[(location, English message)]``; an empty list means nothing was refused.
The messages are catalogue ids rendered in English, so an edge can show them in Persian.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from entekhab.crypto.ballot import (
    BallotStyle,
    CastBallot,
    ClosingStatement,
    EncryptedBallot,
    SignatureError,
    SpoiledBallot,
)
from entekhab.crypto.elgamal import DecodingTable
from entekhab.crypto.errors import CryptoError
from entekhab.crypto.group import Element
from entekhab.crypto.report import why
from entekhab.crypto.tracking import chain_link, chain_start
from entekhab.i18n import Message
from entekhab.records import signing
from entekhab.records.errors import SignatureInvalid

Failures = list[tuple[str, Message]]
DeviceKey = bytes | str
"""A device's Ed25519 public key, as 32 bytes or 64 hex digits."""


def _say(msgid: str, **params: Any) -> Message:
    return Message(msgid, params)


def _known(where: str, device: str, device_keys: Mapping[str, DeviceKey], out: Failures) -> DeviceKey | None:
    key = device_keys.get(device)
    if key is None:
        out.append((where, _say("device %(device)s is not in the device list", device=device)))
    return key


def _style(where: str, ballot: EncryptedBallot, styles: Mapping[str, BallotStyle], out: Failures) -> BallotStyle | None:
    style = styles.get(ballot.style_id)
    if style is None:
        out.append((where, _say("unknown ballot style %(style_id)s", style_id=repr(ballot.style_id))))
    elif len(ballot.slots) != style.width:
        out.append((where, _say("%(slots)s slots, style %(style_id)s has %(width)s",
                                slots=len(ballot.slots), style_id=ballot.style_id, width=style.width)))
        return None
    return style


# ---- per ballot (workers) ------------------------------------------------------------


def check_cast_ballot(
    fingerprint: bytes,
    styles: Mapping[str, BallotStyle],
    device_keys: Mapping[str, DeviceKey],
    location: str,
    cast: CastBallot,
) -> Failures:
    """One cast line alone: listed device, known style, proof, tracker, link, signature."""
    out: Failures = []
    key = _known(location, cast.device, device_keys, out)
    style = _style(location, cast.ballot, styles, out)
    if key is not None and style is not None:
        try:
            cast.verify(fingerprint, key)
        except CryptoError as exc:
            out.append((location, why(exc)))
    return out


def check_spoiled_ballot(
    fingerprint: bytes,
    styles: Mapping[str, BallotStyle],
    device_keys: Mapping[str, DeviceKey],
    public_key: Element,
    table: DecodingTable,
    location: str,
    spoiled: SpoiledBallot,
) -> Failures:
    """One spoiled line alone: listed device, known style, proof, tracker, signature, reveal."""
    out: Failures = []
    key = _known(location, spoiled.device, device_keys, out)
    style = _style(location, spoiled.ballot, styles, out)
    if key is not None and style is not None:
        try:
            spoiled.verify(fingerprint, key, style, public_key, table)
        except CryptoError as exc:
            out.append((location, why(exc)))
    return out


# ---- across ballots (main process) ---------------------------------------------------


def _collisions(cast: Sequence[tuple[str, CastBallot]], spoiled: Sequence[tuple[str, SpoiledBallot]]) -> Failures:
    """A ballot (same id or same tracker) appears once: never twice, never both spoiled and cast."""
    out: Failures = []
    seen_id: dict[str, tuple[str, str]] = {}
    seen_tracker: dict[bytes, tuple[str, str]] = {}
    lists: tuple[tuple[str, Sequence[tuple[str, CastBallot | SpoiledBallot]]], ...] = (
        ("spoiled", spoiled), ("cast", cast),
    )
    for kind, items in lists:
        for where, item in items:
            b = item.ballot
            first = seen_id.get(b.ballot_id) or seen_tracker.get(b.tracker)
            if first is not None:
                if first[0] == "spoiled" and kind == "cast":
                    out.append((where, _say("this ballot was spoiled (challenged) at %(first)s; a spoiled ballot "
                                            "is never cast", first=first[1])))
                else:
                    out.append((where, _say("ballot %(ballot)s also appears at %(first)s",
                                            ballot=b.ballot_id, first=first[1])))
            seen_id.setdefault(b.ballot_id, (kind, where))
            seen_tracker.setdefault(b.tracker, (kind, where))
    return out


def _check_chain(
    device: str,
    public_key: DeviceKey,
    fingerprint: bytes,
    cast: Sequence[tuple[str, CastBallot]],
    spoiled: Sequence[tuple[str, SpoiledBallot]],
    closing: ClosingStatement | None,
    closing_location: str | None,
    signatures: bool,
) -> Failures:
    out: Failures = []
    here = f"device {device}"
    at_closing = closing_location or f"closing statement of device {device}"
    try:
        key = signing.parse_public_key(public_key)
    except SignatureInvalid:
        return [(here, _say("device %(device)s has an unreadable public key", device=device))]

    def signed(where: str, item: CastBallot | SpoiledBallot) -> None:
        if signatures:
            try:
                item.verify_signature(fingerprint, key)
            except SignatureError as exc:
                out.append((where, why(exc)))

    head = chain_start(fingerprint, device)
    due = 1
    n_cast = 0
    for where, c in cast:
        if c.device != device:
            out.append((where, _say("ballot of device %(other)s listed under device %(device)s",
                                    other=c.device, device=device)))
            continue
        n_cast += 1
        signed(where, c)
        if c.sequence != due:
            out.append((where, _say("device %(device)s: sequence %(seq)s where %(due)s was due",
                                    device=device, seq=c.sequence, due=due)))
        elif c.previous != head:
            out.append((where, _say("device %(device)s: previous link is not the link of sequence %(seq)s",
                                    device=device, seq=due - 1)))
        if chain_link(c.previous, c.ballot.tracker) != c.link:
            out.append((where, _say("the chain link is not the hash of the previous link and the tracker")))
        head, due = c.link, c.sequence + 1  # resynchronise so one break is reported once
    n_spoiled = 0
    for where, s in spoiled:
        if s.device != device:
            out.append((where, _say("ballot of device %(other)s listed under device %(device)s",
                                    other=s.device, device=device)))
            continue
        n_spoiled += 1
        signed(where, s)

    if closing is None:
        out.append((here, _say("device %(device)s has no closing statement", device=device)))
        return out
    if closing.device != device:
        out.append((at_closing, _say("closing statement of device %(other)s listed under device %(device)s",
                                     other=closing.device, device=device)))
        return out
    try:
        closing.verify(fingerprint, key)
    except SignatureError as exc:
        out.append((at_closing, why(exc)))
    if closing.cast != n_cast:
        out.append((at_closing, _say("device %(device)s closed with %(said)s cast ballots, the record has %(found)s",
                                     device=device, said=closing.cast, found=n_cast)))
    if closing.spoiled != n_spoiled:
        out.append((at_closing, _say("device %(device)s closed with %(said)s spoiled ballots, the record has "
                                     "%(found)s", device=device, said=closing.spoiled, found=n_spoiled)))
    if closing.last != head:
        out.append((at_closing, _say("device %(device)s closed on a chain link the record's last cast ballot "
                                     "does not have", device=device)))
    return out


def check_device(
    device: str,
    public_key: DeviceKey,
    fingerprint: bytes,
    cast: Sequence[tuple[str, CastBallot]],
    spoiled: Sequence[tuple[str, SpoiledBallot]],
    closing: ClosingStatement | None,
    *,
    closing_location: str | None = None,
    signatures: bool = True,
) -> Failures:
    """One device's chain: cast lines in ``cast`` order are seq 1..n, each linked to the one before,
    the counts and last link are the closing statement's, and no ballot is there twice.

    ``signatures=False`` skips the per-line signatures (already checked by
    :func:`check_cast_ballot` in a worker); the closing signature is always checked.
    """
    out = _check_chain(device, public_key, fingerprint, cast, spoiled, closing, closing_location, signatures)
    out.extend(_collisions(cast, spoiled))
    return out


def check_devices(
    fingerprint: bytes,
    device_list: Mapping[str, DeviceKey],
    cast: Sequence[tuple[str, CastBallot]],
    spoiled: Sequence[tuple[str, SpoiledBallot]],
    closings: Sequence[tuple[str, ClosingStatement]],
    *,
    signatures: bool = True,
    spoiled_sorted: bool = True,
) -> Failures:
    """The whole record: every ballot and closing statement from a listed device, every listed
    device closed (:func:`check_device`), no ballot twice anywhere, and (``spoiled_sorted``) the
    spoiled ballots in ascending tracker order, the one order that says nothing about time.
    """
    out: Failures = []
    cast_by: dict[str, list[tuple[str, CastBallot]]] = defaultdict(list)
    spoiled_by: dict[str, list[tuple[str, SpoiledBallot]]] = defaultdict(list)
    for where, c in cast:
        if _known(where, c.device, device_list, out) is not None:
            cast_by[c.device].append((where, c))
    for where, s in spoiled:
        if _known(where, s.device, device_list, out) is not None:
            spoiled_by[s.device].append((where, s))
    closing_by: dict[str, tuple[str, ClosingStatement]] = {}
    for where, cl in closings:
        if _known(where, cl.device, device_list, out) is None:
            continue
        if cl.device in closing_by:
            out.append((where, _say("second closing statement of device %(device)s (first at %(first)s)",
                                    device=cl.device, first=closing_by[cl.device][0])))
            continue
        closing_by[cl.device] = (where, cl)
    if spoiled_sorted:
        for (_, a), (where, b) in pairwise(spoiled):
            if not a.ballot.tracker < b.ballot.tracker:
                out.append((where, _say("spoiled ballots are not in ascending tracker order (an order that could "
                                        "tell when they were made)")))
                break
    out.extend(_collisions(cast, spoiled))
    for device in sorted(device_list):
        where_cl, cl = closing_by.get(device, (None, None))
        out.extend(_check_chain(device, device_list[device], fingerprint, cast_by[device], spoiled_by[device], cl,
                                where_cl, signatures))
    return out


def publication_order(spoiled: Sequence[SpoiledBallot]) -> list[SpoiledBallot]:
    """Spoiled ballots as the record publishes them: by tracker, so the order tells nothing."""
    return sorted(spoiled, key=lambda s: s.ballot.tracker)
