"""Publication refusals: each names the problem in English and Persian, with a stable code."""

from __future__ import annotations

from entekhab.domain.errors import DomainError


class PublicationError(DomainError):
    """Base of every refusal raised by :mod:`entekhab.publication`."""

    code = "publication_error"


class ReportMalformed(PublicationError):
    """A branch report whose counts cannot be summed (missing fields, negative numbers…)."""

    code = "report_malformed"


class OpenDataInvalid(PublicationError):
    """An open data folder that is incomplete, altered or not signed by HQ."""

    code = "open_data_invalid"


class QrUnreadable(PublicationError):
    """Pasted QR contents that do not re-assemble into a signed branch report."""

    code = "qr_unreadable"
