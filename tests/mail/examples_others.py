"""What the messages of demands, conversations, disputes, reviews and organizations are queued with, for
tests/mail/test_kinds.py; VARIANTS are the other branches of their templates."""

from __future__ import annotations

from typing import Any

DEMAND = {"title": "Café para el comedor escolar", "link": "/demandas/7"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "demand_for_you": DEMAND
    | {
        "buyer": "Escuela Primaria Benito Juárez",
        "organization": "Café de la Sierra",
        "quantity": 1200,
        "unit": "kg",
        "deadline": "2026-12-06T16:30:00+00:00",
    },
    "quote_received": DEMAND | {"organization": "Café de la Sierra"},
    "award_decided": DEMAND | {"awarded": True},
    "award_approval_requested": DEMAND
    | {"proposer": "Luis Pérez", "institution": "Escuela Primaria Benito Juárez", "total_cents": 12500000},
    "award_approval_decided": DEMAND
    | {"approved": True, "decider": "Ana López", "reason": None, "purchase_order": "OC-2026-00012"},
    "schedule_changed": DEMAND
    | {"change": "skipped", "quantity": 300, "unit": "kg", "sequence": 3, "due": "2027-01-15"},
    "new_message": DEMAND | {"author": "Luis Pérez", "order_id": None},
    "dispute_news": {
        "link": "/pedidos/12/partes/30/disputa",
        "event": "resolved",
        "audience": "buyer",
        "order_id": 12,
        "organization": "Café de la Sierra",
        "reason": None,
        "outcome": "refund",
        "amount_cents": 30000,
        "note": "Faltó café: devolvemos todo.",
    },
    "review_received": {
        "link": "/pedidos/12#parte-30",
        "organization": "Café de la Sierra",
        "order_id": 12,
        "stars": 4,
        "comment": "Buen café; llegó un día tarde.",
    },
    "review_reply": {
        "link": "/pedidos/12#parte-30",
        "organization": "Café de la Sierra",
        "order_id": 12,
        "stars": 4,
        "reply": "¡Gracias! Tuvimos lluvias fuertes.",
    },
    "invitation": {
        "link": "/invitaciones/un-secreto",
        "inviter": "Ana López",
        "organization": "Café de la Sierra",
        "role": "member",
    },
    "membership_news": {
        "link": "/panel",
        "organization": "Café de la Sierra",
        "event": "removed",
        "role": "member",
        "by": "Ana López",
    },
    "organization_news": {
        "link": "/panel/o/cafe-de-la-sierra",
        "organization": "Café de la Sierra",
        "event": "change_requested",
        "requested_by": "Ana López",
        "changes": [
            {"field": "clabe", "from": "…7771", "to": "…7899"},
            {"field": "name", "from": "A", "to": "B"},
        ],
        "reason": None,
    },
    "listing_moderated": {
        "link": "/panel/productos/5",
        "organization": "Café de la Sierra",
        "title": "Café de altura, 1 kg",
        "suspended": True,
        "reason": "Fotos de otro producto.",
    },
}

# Every branch of the templates with several, rendered by tests/organizations/test_emails.py.
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("award_decided", EXAMPLES["award_decided"] | {"awarded": False}),
    (
        "award_approval_decided",
        EXAMPLES["award_approval_decided"]
        | {"approved": False, "reason": "Falta suficiencia presupuestal", "purchase_order": None},
    ),
    *[
        ("schedule_changed", EXAMPLES["schedule_changed"] | extra)
        for extra in (
            {"change": "paused"},
            {"change": "resumed", "skipped": ["2027-01-08", "2027-01-15"]},
            {"change": "resumed", "skipped": []},
            {"change": "quantity", "quantity": 250},
            {"change": "ended", "cancelled": 4},
        )
    ],
    ("new_message", EXAMPLES["new_message"] | {"order_id": 12, "title": None, "link": "/pedidos/12"}),
    ("review_received", EXAMPLES["review_received"] | {"comment": ""}),
    ("invitation", EXAMPLES["invitation"] | {"role": "owner"}),
    *[
        ("membership_news", EXAMPLES["membership_news"] | {"event": event, "role": role})
        for event, role in (("role", "owner"), ("role", "member"), ("added", "member"), ("added", "owner"))
    ],
    ("listing_moderated", EXAMPLES["listing_moderated"] | {"suspended": False}),
    *[
        ("dispute_news", EXAMPLES["dispute_news"] | {"audience": audience, "outcome": outcome})
        for audience, outcome in (("buyer", "refund_invoiced"), ("buyer", "release"), ("producer", "refund"))
    ],
    (
        "dispute_news",
        EXAMPLES["dispute_news"] | {"audience": "producer", "outcome": "release", "link": "/pedidos/12"},
    ),
    *[
        (
            "dispute_news",
            EXAMPLES["dispute_news"]
            | {"event": "opened", "audience": audience, "reason": "No llegó.", "outcome": None, "note": None}
            | {"link": link, "amount_cents": None},
        )
        for audience, link in (("producer", "/pedidos/12"), ("admin", "/admin/disputas/3"))
    ],
    *[
        ("organization_news", EXAMPLES["organization_news"] | {"event": event, "reason": "Falta el acta."})
        for event in ("verified", "rejected", "suspended", "reinstated", "change_approved", "change_rejected")
    ],
]
