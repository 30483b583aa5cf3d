"""Counting failures: every refusal names the problem, in English and Persian."""

from __future__ import annotations

from entekhab.domain.errors import DomainError


class CountingError(DomainError):
    """Base of every refusal raised by :mod:`entekhab.counting`."""

    code = "counting_error"


class InvalidManifest(CountingError):
    """A contest manifest that cannot be used to interpret ballots."""

    code = "invalid_manifest"


class InvalidCountInput(CountingError):
    """Contest totals that cannot be counted (bad seats, negative votes, dangling ids…)."""

    code = "invalid_count_input"


class UnknownMethod(CountingError):
    """A counting method or policy name that the registry does not know."""

    code = "unknown_method"


class InvalidBallot(CountingError):
    """A ballot refused by interpretation; carries the typed rejection."""

    code = "invalid_ballot"
