"""What the orders' messages are queued with, for tests/mail/test_kinds.py (as market.orders.notifications
builds them)."""

from __future__ import annotations

from typing import Any

COFFEE = {
    "organization": "Café La Esperanza",
    "lines": [
        {
            "title": "Café de altura",
            "quantity": 2,
            "unit": "kg",
            "unit_price_cents": 25000,
            "total_cents": 50000,
        }
    ],
    "subtotal_cents": 50000,
    "delivery_method": "pickup",
    "delivery": "Recoger con la organización",
    "delivery_cents": 0,
    "total_cents": 50000,
    "pickup": {
        "addresses": ["Calle Hidalgo 12, Centro"],
        "place": "Pluma Hidalgo, Oaxaca",
        "hours": "Lunes a sábado de 8:00 a 14:00",
        "phone": "951 123 4567",
        "email": "ventas@esperanza.mx",
    },
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "order_placed": {
        "link": "/pedidos/7",
        "order": {
            "id": 7,
            "placed_at": "2026-12-06T16:30:00+00:00",
            "purchase_order": None,
            "subtotal_cents": 50000,
            "delivery_cents": 0,
            "total_cents": 50000,
            "ship_to": None,
            "contact_phone": None,
            "for_institution": False,
        },
        "parts": [COFFEE],
        "payment": {
            "method": "spei_transfer",
            "label": "Transferencia SPEI a la cuenta de Tianguis Solidario",
            "amount_cents": 50000,
            "reference": "TS00000007",
            "reserved_until": "2026-12-09T16:30:00+00:00",
            "due_at": None,
            "clabe": "002010077777777771",
            "beneficiary": "Tianguis Solidario",
        },
    },
    "payment_instructions": {
        "link": "/pedidos/7",
        "order_id": 7,
        "amount_cents": 50000,
        "instructions": {
            "kind": "oxxo",
            "number": "12345678901234657890123456789012",
            "expires_at": "2026-12-09T16:30:00+00:00",
            "hosted_url": "https://payments.stripe.com/oxxo/voucher/test_YWNjdF8xTjJ",
        },
    },
    "order_news": {
        "link": "/pedidos/7",
        "order_id": 7,
        "organization": "Café La Esperanza",
        "news": "Tu pedido va en camino.",
        "step": "Enviado",
        "note": None,
        "tracking": {"carrier": "Estafeta", "number": "1234567890"},
        "pickup": None,
    },
    "new_order": {
        "link": "/panel/o/cafe-la-esperanza/pedidos",
        "order": {
            "id": 7,
            "placed_at": "2026-12-06T16:30:00+00:00",
            "purchase_order": None,
            "paid": True,
            "payment_method": "spei_transfer",
            "accept_by": None,
            "buyer": "Ana López",
            "contact_phone": "55 1234 5678",
            "ship_to": None,
        },
        "part": COFFEE | {"you_receive_cents": 46000},
    },
    "part_news": {
        "link": "/panel/o/cafe-la-esperanza/pedidos",
        "order_id": 7,
        "organization": "Café La Esperanza",
        "news": "La persona que compró canceló su pedido.",
        "step": "Cancelado",
        "note": "Ya no lo necesito.",
    },
}
