"""Polling day at HQ: device enrolment, check-ins, incidents, branch openings, reports, vote records."""
