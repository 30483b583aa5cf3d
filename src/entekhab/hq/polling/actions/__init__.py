"""Polling-day writes: enrolment by staff and devices, signed device messages, paper counts.

Device messages are authenticated by signature, not by a session: ``handle_message``
checks the envelope (known active device, its key, its election and branch, an unused
sequence number) before anything is written, then dispatches on the kind. A check-in is
one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` under the (election, national code)
unique constraint, so concurrent attempts for one voter cannot both succeed on either
database. People's actions (enrolment codes, replacements, paper entries) are audited;
device messages are kept whole (envelope digest, signature, answer) in ``DeviceMessage``.
"""

from entekhab.hq.polling.actions.authenticate import _authenticate
from entekhab.hq.polling.actions.enrolment import do_create_enrolment, do_replace_device, enrol_device
from entekhab.hq.polling.actions.incidents import record_refusal, record_refused_checkin, record_refused_report
from entekhab.hq.polling.actions.messages import handle_message
from entekhab.hq.polling.actions.paper import do_enter_paper_counts

__all__ = [
    "_authenticate",
    "do_create_enrolment",
    "do_enter_paper_counts",
    "do_replace_device",
    "enrol_device",
    "handle_message",
    "record_refusal",
    "record_refused_checkin",
    "record_refused_report",
]
