"""What the database need not keep forever, pruned by the worker every hour: outbox events done long ago
(parked ones stay, for an administrator to look at), payment providers' events past the time they could be
sent again, carts nobody touched in months, and idempotency keys after a day. How long each is kept is a
setting."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from market import idempotency
from market.config import Settings
from market.db import utcnow
from market.idempotency import IdempotencyKey
from market.orders.models import Cart, CartItem
from market.outbox import OutboxEvent
from market.payments.models import WebhookEvent


def prune_history(session: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its keeping time; how many rows of each went."""
    now = now or utcnow()

    def older(days: int) -> datetime:
        return now - timedelta(days=days)

    untouched = col(Cart.updated_at) < older(settings.cart_retention_days)
    counts = {
        "outbox_events": session.execute(
            delete(OutboxEvent).where(
                col(OutboxEvent.processed_at) < older(settings.outbox_retention_days),
                col(OutboxEvent.parked_at).is_(None),
            )
        ),
        "webhook_events": session.execute(
            delete(WebhookEvent).where(
                col(WebhookEvent.processed_at) < older(settings.webhook_retention_days)
            )
        ),
        "cart_items": session.execute(
            delete(CartItem).where(col(CartItem.cart_id).in_(select(col(Cart.id)).where(untouched)))
        ),
        "carts": session.execute(delete(Cart).where(untouched)),
        "idempotency_keys": session.execute(
            delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < now - idempotency.KEPT)
        ),
    }
    return {name: int(result.rowcount or 0) for name, result in counts.items()}  # type: ignore[attr-defined]
