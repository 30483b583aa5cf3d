"""A Tehran-sized polling day rehearsed with the real code: ``entekhab polling rehearse``.

``schedule`` plans the day (arrivals from the planner's profile, the faults), ``devices``
runs the branch devices in worker processes, ``driver`` runs HQ under gunicorn on the
rehearsal's own database and strikes it, ``report`` writes the HTML report. See
docs/polling.md, "Rehearsing the day".
"""
