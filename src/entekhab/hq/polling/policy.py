"""Named policy values of polling day at HQ, where the law is silent (docs/polling.md lists them).

An offline check-in is a claim by the device: "HQ was unreachable when I checked this voter
in at ``at``". HQ believes it only where its own records do not contradict it.
"""

from __future__ import annotations

import datetime as dt

# A ``checkin_offline`` claiming time t is contradicted when HQ received any other signed message
# from the same device within this window either side of t (the claimed minute widened by the
# window): a device HQ was hearing from at that time was not offline. A contradicted claim is kept
# (an accepted check-in or a duplicate, like any offline one) and raises an incident of kind
# ``offline_contradicted`` for the boards: refusing it would not take back the card the device
# issued, only lose its record and leave the branch's report with more ballots than check-ins
# (found by ``entekhab polling rehearse``: an honest device cut off three minutes after its last
# online check-in).
OFFLINE_CLAIM_WINDOW = dt.timedelta(minutes=5)

# The claimed time must fall inside polling hours: from the opening time minus this margin to the
# closing time (or the latest interior-minister extension) plus this margin, on the polling date in
# Tehran time. Outside it the claim is refused (409 ``time_outside_polling``).
POLLING_TIME_MARGIN = dt.timedelta(0)

# Offline check-ins of one device less than this far apart belong to one offline window
# (``OfflineWindow``); a longer gap starts a new window.
OFFLINE_WINDOW_GAP = dt.timedelta(minutes=15)
