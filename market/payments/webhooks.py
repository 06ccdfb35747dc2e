"""Stripe's webhook intake: each event is verified on the raw body, stored once by its id and answered at
once; the outbox worker applies it later (`market.payments.stripe_events`). This module stays thin: it
decides nothing about payments."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from market.deps import GatewayDep, SessionDep
from market.errors import MalformedEvent
from market.outbox import enqueue
from market.payments.gateway import Gateway
from market.payments.models import WebhookEvent

router = APIRouter(include_in_schema=False)
EVENT_TOPIC = "stripe_event"


def _storable(event: dict[str, Any]) -> bool:
    """An event the worker can apply and the database can keep: its object, an id and type that fit their
    columns, and JSON without NaN, infinities or lone surrogates (PostgreSQL refuses those)."""
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return False
    if len(str(event["id"])) > 80 or not isinstance(event["type"], str) or len(event["type"]) > 80:
        return False
    try:
        json.dumps(event, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def receive(session: Session, gateway: Gateway, body: bytes, signature: str | None) -> bool:
    """Verify and store an event; False when it was already here (a replay)."""
    event = gateway.verify_webhook(body, signature)
    if not _storable(event):
        raise MalformedEvent()  # refused now, rather than stored, retried ten times by the worker and parked
    if session.exec(select(WebhookEvent.id).where(WebhookEvent.event_id == event["id"])).first():
        return False
    try:
        with session.begin_nested():  # two deliveries racing: the unique id lets one through
            session.add(
                WebhookEvent(provider="stripe", event_id=event["id"], type=str(event["type"]), payload=event)
            )
    except IntegrityError:
        return False
    enqueue(session, EVENT_TOPIC, {"event_id": event["id"]})
    return True


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, session: SessionDep, gateway: GatewayDep) -> JSONResponse:
    if gateway is None:
        return JSONResponse({"error": "not_found", "detail": "Stripe is not configured"}, status_code=404)
    body = await request.body()  # the raw bytes: the signature is over them, not over parsed JSON
    new = await run_in_threadpool(receive, session, gateway, body, request.headers.get("stripe-signature"))
    return JSONResponse({"received": True, "duplicate": not new})
