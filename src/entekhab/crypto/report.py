"""What the verifier found: every check counted, every failure located and worded for people.

Locations are language-neutral identifiers (``ballots/cast.jsonl:3``,
``ceremony.json#guardian-2``, ``decoded.json#tehran``); messages are catalogue ids with
parameters, rendered Persian-first at the edge (``entekhab verify``) and in English with
``--lang en``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.i18n import Message


def why(exc: BaseException) -> Message:
    """An exception as a message: ours keep their id and parameters, anything else is named."""
    if isinstance(exc, DomainError):
        return Message(exc.msgid, {k: (why(v) if isinstance(v, BaseException) else v) for k, v in exc.params.items()})
    return Message("malformed (%(kind)s: %(exc)s)", {"kind": type(exc).__name__, "exc": str(exc)[:200]})


@dataclass(frozen=True, slots=True)
class Failure:
    location: str
    message: Message

    @property
    def text(self) -> str:
        return str(self.message)


@dataclass
class Report:
    """What was checked (catalogue id → number of items) and every failure found."""

    checks: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    fingerprint: str = ""
    """The election fingerprint recomputed from the record (empty when it could not be)."""
    anchored: bool = False
    """True when the caller named the fingerprint to expect and the record matched it."""

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, location: str, msgid: str | BaseException | Message, **params: Any) -> None:
        if isinstance(msgid, BaseException):
            message = why(msgid)
        elif isinstance(msgid, Message):
            message = msgid
        else:
            message = Message(msgid, params)
        self.failures.append(Failure(location, message))

    def extend(self, problems: list[Failure]) -> None:
        self.failures.extend(problems)

    def count(self, name: str, n: int) -> None:
        self.checks[name] = self.checks.get(name, 0) + n

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "fingerprint": self.fingerprint,
            "anchored": self.anchored,
            "checks": self.checks,
            "failures": [
                {"location": f.location, "message": f.message.en, "message_fa": f.message.fa} for f in self.failures
            ],
        }


def fail(location: str, msgid: str, **params: Any) -> Failure:
    return Failure(location, Message(msgid, params))


def fail_from(location: str, exc: BaseException) -> Failure:
    return Failure(location, why(exc))


Step = Callable[[str, int, int], None]
"""``step(name, done, total)``: progress of a long check."""


def no_step(step: str, done: int, total: int) -> None:
    return None


def problems_to_failures(problems: list[tuple[str, str]] | list[tuple[str, str, Mapping[str, Any]]],
                         prefix: str) -> list[Failure]:
    """Problems from a checker (location, msgid[, params]) as located failures under ``prefix``."""
    out = []
    for p in problems:
        where, msgid = p[0], p[1]
        params = p[2] if len(p) > 2 else {}  # type: ignore[misc]
        out.append(Failure(f"{prefix}#{where}" if where else prefix, Message(msgid, dict(params))))
    return out
