from celery import shared_task


@shared_task
def notifications_send(notification_ids=None) -> dict:
    """Send outbox rows at most once (DOMAIN §11); those the server did not accept are tried again
    after a capped back-off (``services.backoff``). Without ids: every pending row (the sweep)."""
    from .services import pending_send

    counts = pending_send(notification_ids=notification_ids)
    for pk, seconds in counts.pop("retries"):
        notifications_send.apply_async(args=[[pk]], countdown=seconds)
    return counts


@shared_task
def notifications_digest() -> dict:
    """The daily digest of the kinds in ``NOTIFICATIONS_DIGEST``: one message per student."""
    from .services import digest_send

    return digest_send()
