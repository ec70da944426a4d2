from celery import shared_task

from api import webhooks


@shared_task(name="api.send_webhooks")
def send_webhooks() -> int:
    return webhooks.send_due()
