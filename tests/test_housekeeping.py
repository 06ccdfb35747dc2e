"""The worker's pruning: what is past its keeping time goes, everything else stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from market.config import Settings
from market.db import utcnow
from market.housekeeping import prune_history
from market.idempotency import IdempotencyKey
from market.orders.models import Cart, CartItem
from market.outbox import OutboxEvent
from market.payments.models import WebhookEvent


def test_old_done_rows_go_and_the_rest_stays(
    session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    now = utcnow()
    long_ago, lately = now - timedelta(days=90), now - timedelta(days=1)
    coffee = make_listing(make_org(make_user()))
    session.add_all(
        [
            OutboxEvent(topic="old.done", payload={}, processed_at=long_ago),
            OutboxEvent(topic="old.parked", payload={}, processed_at=None, parked_at=long_ago),
            OutboxEvent(topic="old.pending", payload={}, created_at=long_ago),
            OutboxEvent(topic="lately.done", payload={}, processed_at=lately),
            WebhookEvent(provider="stripe", event_id="evt_old", type="x", payload={}, processed_at=long_ago),
            WebhookEvent(provider="stripe", event_id="evt_new", type="x", payload={}, processed_at=lately),
            WebhookEvent(
                provider="stripe", event_id="evt_unprocessed", type="x", payload={}, received_at=long_ago
            ),
        ]
    )
    owner = make_user("comprador@example.mx")
    for key, when in (("clave-vieja-1", now - timedelta(days=2)), ("clave-nueva-1", lately)):
        session.add(
            IdempotencyKey(user_id=owner.id, scope="checkout", key=key, fingerprint="x", created_at=when)
        )
    abandoned, current = (
        Cart(token="abandoned", updated_at=long_ago),
        Cart(token="current", updated_at=lately),
    )
    session.add_all([abandoned, current])
    session.flush()
    session.add_all(
        [
            CartItem(cart_id=abandoned.id or 0, listing_id=coffee.id, quantity=1),
            CartItem(cart_id=current.id or 0, listing_id=coffee.id, quantity=2),
        ]
    )
    session.commit()

    pruned = prune_history(session, settings, now)
    session.commit()

    assert pruned == {
        "outbox_events": 1,
        "webhook_events": 1,
        "cart_items": 1,
        "carts": 1,
        "idempotency_keys": 1,
    }
    left = session.exec(select(OutboxEvent).where(OutboxEvent.topic != "search")).all()  # the listing's
    assert sorted(e.topic for e in left) == [
        "lately.done",
        "old.parked",
        "old.pending",
    ]
    assert sorted(e.event_id for e in session.exec(select(WebhookEvent))) == ["evt_new", "evt_unprocessed"]
    assert [c.token for c in session.exec(select(Cart))] == ["current"]
    assert [i.quantity for i in session.exec(select(CartItem))] == [2]
    assert [k.key for k in session.exec(select(IdempotencyKey))] == ["clave-nueva-1"]
