"""Signals of the notifications, for the layers above (the API's webhooks) to listen to.

`deadline_reached` is sent by the deadline scan, inside each batch's transaction, with the ids of
the reminders it has just inserted (`reminder_ids`): their rungs are the hazards that became overdue
(again) or were escalated that day. A receiver works in bulk from those ids, in the same transaction,
so an event exists exactly when its reminders do.
"""

from django.dispatch import Signal

deadline_reached = Signal()
