"""What the ledger tells the layers above it.

A lower layer never imports a higher one (README, "Where things live"): the workflow says what
happened once its transaction has committed, and whoever cares (notifications, later the API's
webhooks) listens.
"""

from django.dispatch import Signal

# Sent after the transaction of a workflow action commits, with sender=Hazard and the keyword
# arguments hazard, actor, action (a HazardEvent.Action value), recipients (the user ids the workflow
# says must be told) and note (a reason or comment, possibly empty).
hazard_changed = Signal()
