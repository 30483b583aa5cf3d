"""Identifiers as NewTypes: an id of one kind is never passed where another is expected."""

from __future__ import annotations

from typing import NewType

ElectionCode = NewType("ElectionCode", str)
ContestCode = NewType("ContestCode", str)
BranchCode = NewType("BranchCode", str)
AreaCode = NewType("AreaCode", str)
CandidateId = NewType("CandidateId", str)
GroupId = NewType("GroupId", str)
DeviceSerial = NewType("DeviceSerial", str)
