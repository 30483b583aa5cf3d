"""Typed shapes of the JSON API (django-ninja / pydantic)."""


import datetime as dt

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str
    message: str
    message_fa: str
    errors: list[dict] | None = None


class AreaOut(Schema):
    code: str
    kind: str
    name_fa: str
    name_en: str
    parent: str | None = None
    population: int


class ElectionOut(Schema):
    code: str
    name_fa: str
    name_en: str
    polling_date: dt.date
    polling_date_jalali: str
    opens_at: dt.time
    closes_at: dt.time
    state: str


class ContestOut(Schema):
    code: str
    office: str
    method: str
    area: str
    name_fa: str
    name_en: str
    seats: int
    alternates: int
    is_by_election: bool
    list_mix_policy: str
    alternates_policy: str
    codes_allowed: int


class ContestPatch(Schema):
    seats: int | None = Field(None, ge=1, le=500)
    alternates: int | None = Field(None, ge=0, le=500)
    list_mix_policy: str | None = None
    alternates_policy: str | None = None
    max_codes: int | None = Field(None, ge=1, le=500)
    reason: str = Field("", max_length=2000)


class BranchOut(Schema):
    code: str
    number: int
    area: str
    venue_type: str
    venue_name: str
    is_mobile: bool
    is_urban: bool
    eligible_estimate: int
    ballot_style: str | None = None


class BallotStyleOut(Schema):
    code: str
    contests: list[str]
    branches: int


class NationalCodeIn(Schema):
    code: str = Field(..., max_length=64)


class NationalCodeOut(Schema):
    valid: bool
    code: str
