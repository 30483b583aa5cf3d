"""Every kind of audit event, as one typed enum: ``record()`` refuses an action not listed here.

The values are the action strings the log has always stored, so old rows, filters and
reports keep working; adding a state change means adding its event here first.
"""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    # admin (a second write path, audited)
    ADMIN_ADD = "admin.add"
    ADMIN_CHANGE = "admin.change"
    ADMIN_DELETE = "admin.delete"
    # elections
    CONTEST_UPDATE = "contest.update"
    ELECTION_STATE = "election.state"
    ELECTION_EXTEND = "election.extend"
    # accounts: appointments are the only way roles change
    ACCOUNTS_APPOINT = "accounts.appoint"
    ACCOUNTS_REVOKE = "accounts.revoke"
    ACCOUNTS_ACTIVE = "accounts.active"
    # candidates
    CANDIDATES_REGISTER = "candidates.register"
    CANDIDATES_CORRECT = "candidates.correct"
    CANDIDATES_SCHEDULE = "candidates.schedule"
    CANDIDATES_RULE_EDIT = "candidates.rule.edit"
    CANDIDATES_LIST_CREATE = "candidates.list.create"
    CANDIDATES_LIST_CONFIRM = "candidates.list.confirm"
    CANDIDATES_LIST_SUBMIT = "candidates.list.submit"
    CANDIDATES_LIST_LOCK = "candidates.list.lock"
    CANDIDATES_LIST_REMOVE_MEMBER = "candidates.list.remove_member"
    CANDIDATES_CODES_SEED = "candidates.codes.seed"
    CANDIDATES_CONTEST_FINALISE = "candidates.contest.finalise"
    CANDIDATES_MANIFEST_PUBLISH = "candidates.manifest.publish"
    CANDIDATES_DEMO = "candidates.demo"
    CANDIDATES_VETTING_INQUIRY = "candidates.vetting.inquiry"
    # candidates.vetting.<entekhab.domain.vetting.Action>
    CANDIDATES_VETTING_START_REVIEW = "candidates.vetting.start_review"
    CANDIDATES_VETTING_APPROVE = "candidates.vetting.approve"
    CANDIDATES_VETTING_REJECT = "candidates.vetting.reject"
    CANDIDATES_VETTING_APPEAL = "candidates.vetting.appeal"
    CANDIDATES_VETTING_UPHOLD = "candidates.vetting.uphold"
    CANDIDATES_VETTING_OVERTURN = "candidates.vetting.overturn"
    CANDIDATES_VETTING_FINALISE = "candidates.vetting.finalise"
    CANDIDATES_VETTING_WITHDRAW = "candidates.vetting.withdraw"
    # polling
    POLLING_ENROLMENT_CREATE = "polling.enrolment.create"
    POLLING_ENROLMENT_BIND = "polling.enrolment.bind"
    POLLING_PAPER_ENTRY = "polling.paper.entry"
    POLLING_PAPER_MISMATCH = "polling.paper.mismatch"
    POLLING_PAPER_CONFIRMED = "polling.paper.confirmed"
    POLLING_INCIDENT_ASSIGN = "polling.incident.assign"
    POLLING_INCIDENT_ESCALATE = "polling.incident.escalate"
    POLLING_INCIDENT_RESOLVE = "polling.incident.resolve"
    POLLING_INCIDENT_COMMENT = "polling.incident.comment"
    # results (results.<entekhab.publication.certification.CertificationStep> included)
    RESULTS_COMPUTE = "results.compute"
    RESULTS_APPROVE = "results.approve"
    RESULTS_CONFIRM = "results.confirm"
    RESULTS_RETURN = "results.return"
    RESULTS_PUBLISH_OPEN_DATA = "results.publish_open_data"
    RESULTS_TURNOUT_ANNOUNCE = "results.turnout_announce"
    # operations: committees, decrees, meetings
    COMMITTEE_CREATE = "committee.create"
    COMMITTEE_MEMBER_ADD = "committee.member.add"
    DECREE_ISSUE = "decree.issue"
    MEETING_RECORD = "meeting.record"
    ACTION_ITEM_CREATE = "action_item.create"
    ACTION_ITEM_STATUS = "action_item.status"
    # operations: devices (device.<entekhab.domain.device_lifecycle.DeviceEvent> included)
    DEVICE_REGISTER = "device.register"
    DEVICE_TOKEN = "device.token"  # retired with the token heartbeat: older logs only, nothing records it
    DEVICE_PASS_TEST = "device.pass_test"
    DEVICE_FAIL_TEST = "device.fail_test"
    DEVICE_ALLOCATE = "device.allocate"
    DEVICE_RELEASE = "device.release"
    DEVICE_DEPLOY = "device.deploy"
    DEVICE_START_SERVICE = "device.start_service"
    DEVICE_REPORT_FAULT = "device.report_fault"
    DEVICE_REPLACE = "device.replace"
    DEVICE_RETURN = "device.return"
    # operations: public draws (draw.<subject>.<stage>)
    DRAW_DEVICES_REGION = "draw.devices.region"
    DRAW_DEVICES_BRANCH = "draw.devices.branch"
    DRAW_STAFF_REGION = "draw.staff.region"
    DRAW_STAFF_BRANCH = "draw.staff.branch"
    # operations: staff, inspections, sensitivity, network
    STAFF_PERSON_ADD = "staff.person.add"
    STAFF_ATTENDANCE = "staff.attendance"
    STAFF_QUIZ = "staff.quiz"
    INSPECTION_RECORD = "inspection.record"
    SENSITIVITY_ASSESS = "sensitivity.assess"
    NETWORK_OUTAGE_OPEN = "network.outage.open"
    NETWORK_OUTAGE_CLOSE = "network.outage.close"
    # capacity planning
    CAPACITY_SCENARIO_SAVE = "capacity.scenario.save"
    CAPACITY_SCENARIO_SEED = "capacity.scenario.seed"
    CAPACITY_RUN_START = "capacity.run.start"
    CAPACITY_RUN_FINISH = "capacity.run.finish"
    # demo loaders
    DEMO_LOAD = "demo.load"
    DEMO_REWIND = "demo.rewind"
    DEMO_OPERATIONS = "demo.operations"


def as_event(action: object) -> Event:
    """``action`` as an :class:`Event`, or TypeError naming it (a plain string must be one of the values)."""
    if isinstance(action, Event):
        return action
    try:
        return Event(action)
    except ValueError:
        raise TypeError(f"unknown audit action {action!r}: add it to entekhab.hq.audit.events.Event") from None
