"""Operations models, one module per concept; Django finds them through this package."""

from entekhab.hq.operations.models.committees import ActionItem, Committee, CommitteeMember, Decree, Meeting
from entekhab.hq.operations.models.devices import Device, DeviceLog, DeviceReplacement
from entekhab.hq.operations.models.draws import Draw
from entekhab.hq.operations.models.inspections import Inspection, InspectionItem
from entekhab.hq.operations.models.network import BranchNetwork, Link, OutageIncident
from entekhab.hq.operations.models.sensitivity import BranchSensitivity
from entekhab.hq.operations.models.staff import (
    Attendance,
    Certification,
    Course,
    Person,
    QuizResult,
    StaffAssignment,
    TrainingClass,
)

__all__ = [
    "ActionItem", "Attendance", "BranchNetwork", "BranchSensitivity", "Certification", "Committee",
    "CommitteeMember", "Course", "Decree", "Device", "DeviceLog", "DeviceReplacement", "Draw", "Inspection",
    "InspectionItem", "Link", "Meeting", "OutageIncident", "Person", "QuizResult", "StaffAssignment",
    "TrainingClass",
]
