"""Notifications for the tests: each about a fresh hazard, from a fresh actor, unless told otherwise."""

import factory

from notifications.models import Notification
from tests.factories import HazardFactory, UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(UserFactory)
    hazard = factory.SubFactory(HazardFactory)
    action = Notification.Action.SUBMIT
