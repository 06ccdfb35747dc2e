"""What the messages of invoicing are queued with, for tests/mail/test_kinds.py; VARIANTS are the other
branches of their templates."""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, dict[str, Any]] = {
    "csd_expiring": {
        "link": "/panel/o/cafe-de-la-sierra/facturacion",
        "organization": "Café de la Sierra",
        "certificate_number": "30001000000500003416",
        "valid_until": "2027-01-05T18:00:00+00:00",
        "expired": False,
    },
    "invoice_refused": {
        "link": "/panel/o/cafe-de-la-sierra/facturas",
        "organization": "Café de la Sierra",
        "order_id": 12,
        "reason": "Falta el CSD de la organización: súbelo en Facturación.",
    },
    "invoice_issued": {
        "link": "/pedidos/12",
        "organization": "Café de la Sierra",
        "kind_label": "Factura de ingreso",
        "folio": "A7",
        "uuid": "5E2D6AFF-2DD7-43D1-83D3-14C1ACA396D9",
        "total_cents": 123450,
        "xml_link": "/facturas/31/xml",
        "pdf_link": "/facturas/31/pdf",
        "cancelled": False,
    },
    "invoice_cancel_refused": {
        "link": "/panel/o/cafe-de-la-sierra/facturas",
        "organization": "Café de la Sierra",
        "folio": "A7",
        "uuid": "5E2D6AFF-2DD7-43D1-83D3-14C1ACA396D9",
        "reason": "El PAC rechazó la cancelación (205): El folio fiscal no existe.",
    },
}

VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("csd_expiring", EXAMPLES["csd_expiring"] | {"expired": True}),
    ("invoice_issued", EXAMPLES["invoice_issued"] | {"cancelled": True}),
]
