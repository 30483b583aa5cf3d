"""What a count returns: who is elected, alternates, seats per group, lots, and the steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from entekhab.counting.lots import Lot
from entekhab.domain.ids import CandidateId


@dataclass(frozen=True)
class Step:
    """One step of the explanation: machine data plus the same fact in Persian and English."""

    kind: str
    data: Mapping[str, object]
    en: str
    fa: str

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "data": dict(self.data), "en": self.en, "fa": self.fa}

    def text(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


@dataclass(frozen=True)
class CountResult:
    """The outcome of one count; ``as_json`` is the published form."""

    method: str
    elected: tuple[CandidateId, ...]
    alternates: tuple[CandidateId, ...]
    group_seats: Mapping[str, int]
    lots: tuple[Lot, ...]
    steps: tuple[Step, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "elected": list(self.elected),
            "alternates": list(self.alternates),
            "group_seats": dict(self.group_seats),
            "lots": [lot.as_json() for lot in self.lots],
            "steps": [step.as_json() for step in self.steps],
        }

    def explanation(self, lang: str = "fa") -> str:
        """The steps as numbered lines of text in ``lang`` (``fa`` or ``en``)."""
        from entekhab.domain.digits import to_persian_digits

        lines = []
        for n, step in enumerate(self.steps, start=1):
            num = to_persian_digits(n) if lang == "fa" else str(n)
            lines.append(f"{num}. {step.text(lang)}")
        return "\n".join(lines)
