"""Every kind of message the marketplace sends, in one list: who receives it, whether the person may turn it
off, and whether a producer who prefers it gets it in the daily digest instead.

A kind's templates are templates/mail/<name>.txt (blocks `subject` and `text`) and <name>.html (block
`html`); they get the context the sender queued, plus `recipient`, `link` (the main action, made absolute)
and the helpers of market.mail.render."""

from __future__ import annotations

from dataclasses import dataclass

from market.i18n import N_
from market.statuses import Status


class Topic(Status):
    """What a person chooses to receive, by subject. Messages about money, orders and the account itself are
    `essential`: they cannot be turned off."""

    ACCOUNT = "account", N_("Tu cuenta, tus organizaciones e instituciones")
    ORDERS = "orders", N_("Pedidos, pagos, disputas y pagos a productores")
    DEMANDS = "demands", N_("Demandas que tu organización puede cotizar y cotizaciones recibidas")
    MESSAGES = "messages", N_("Mensajes nuevos en pedidos y demandas")
    REVIEWS = "reviews", N_("Reseñas y respuestas a reseñas")

    @property
    def essential(self) -> bool:
        return self in ESSENTIAL


ESSENTIAL = frozenset({Topic.ACCOUNT, Topic.ORDERS})


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # Spanish source text, translated where shown (the admin mailbox)
    topic: Topic
    receiver: str  # who receives it, for the list in the README and the closing note
    digest: bool = False  # a producer who chose the daily digest gets it there
    # Its link is a single-use secret: once the message has left over SMTP, the stored copy drops it, so
    # that the secret lives only in the recipient's inbox.
    secret: bool = False

    @property
    def essential(self) -> bool:
        return self.topic.essential


def _kind(
    name: str, label: str, topic: Topic, receiver: str, *, digest: bool = False, secret: bool = False
) -> Kind:
    kind = Kind(name, label, topic, receiver, digest, secret)
    KINDS[name] = kind
    return kind


KINDS: dict[str, Kind] = {}

# The account
EMAIL_CONFIRMATION = _kind(
    "email_confirmation",
    N_("Confirmación de correo"),
    Topic.ACCOUNT,
    "the person who registered",
    secret=True,
)
PASSWORD_RESET = _kind(
    "password_reset", N_("Cambio de contraseña"), Topic.ACCOUNT, "the person who asked for it", secret=True
)
TEST = _kind("test", N_("Correo de prueba"), Topic.ACCOUNT, "the address given to `market email test`")
# Organizations and their listings
INVITATION = _kind("invitation", N_("Invitación a una organización"), Topic.ACCOUNT, "the invited address")
MEMBERSHIP_NEWS = _kind(
    "membership_news",
    N_("Cambio en tu membresía"),
    Topic.ACCOUNT,
    "the person removed from, added to or given another role in an organization or institution",
)
ORGANIZATION_NEWS = _kind(
    "organization_news", N_("Novedades de la organización"), Topic.ACCOUNT, "the organization's owners"
)
LISTING_MODERATED = _kind(
    "listing_moderated", N_("Producto moderado"), Topic.ACCOUNT, "the organization's owners"
)
SUPPLIER_DOCUMENT = _kind(
    "supplier_document",
    N_("Documento de la organización revisado o por vencer"),
    Topic.ACCOUNT,
    "the organization's owners",
)
CSD_EXPIRING = _kind("csd_expiring", N_("CSD por vencer"), Topic.ACCOUNT, "the organization's owners")
PAYOUT_FAILED = _kind(
    "payout_failed", N_("Transferencia rechazada por el banco"), Topic.ORDERS, "the organization's owners"
)
INVOICE_REFUSED = _kind(
    "invoice_refused", N_("Factura rechazada"), Topic.ORDERS, "the issuing organization's owners"
)
INVOICE_ISSUED = _kind(
    "invoice_issued",
    N_("Factura emitida"),
    Topic.ORDERS,
    "the order's buyer (an invoice, payment complement, credit note or cancellation of its purchase); the "
    "producer's owners for the platform's commission invoice",
)
INVOICE_CANCEL_REFUSED = _kind(
    "invoice_cancel_refused",
    N_("Cancelación de factura rechazada"),
    Topic.ORDERS,
    "the issuing organization's owners",
)
# Orders and money
ORDER_PLACED = _kind("order_placed", N_("Pedido recibido"), Topic.ORDERS, "the buyer")
PAYMENT_INSTRUCTIONS = _kind(
    "payment_instructions",
    N_("Instrucciones de pago"),
    Topic.ORDERS,
    "the buyer (OXXO voucher, Stripe's CLABE)",
)
ORDER_NEWS = _kind("order_news", N_("Novedades del pedido"), Topic.ORDERS, "the buyer")
NEW_ORDER = _kind(
    "new_order", N_("Pedido nuevo para el productor"), Topic.ORDERS, "the producer's members", digest=True
)
PART_NEWS = _kind(
    "part_news",
    N_("Novedades de un pedido para el productor"),
    Topic.ORDERS,
    "the producer's members",
    digest=True,
)
DISPUTE_NEWS = _kind(
    "dispute_news",
    N_("Novedades de una disputa"),
    Topic.ORDERS,
    "the buyer, the producer's owners, administrators",
)
AWARD_DECIDED = _kind(
    "award_decided", N_("Adjudicación de una demanda"), Topic.ORDERS, "the quoting producer's members"
)
AWARD_APPROVAL_REQUESTED = _kind(
    "award_approval_requested",
    N_("Adjudicación por aprobar"),
    Topic.ORDERS,
    "the institution's owners but the proposer",
)
AWARD_APPROVAL_DECIDED = _kind(
    "award_approval_decided", N_("Adjudicación aprobada o rechazada"), Topic.ORDERS, "the award's proposer"
)
SCHEDULE_CHANGED = _kind(
    "schedule_changed",
    N_("Cambio en las entregas programadas"),
    Topic.ORDERS,
    "the awarded producers' members",
)
# Demands for quotes
DEMAND_FOR_YOU = _kind(
    "demand_for_you",
    N_("Demanda que puedes cotizar"),
    Topic.DEMANDS,
    "members of producers that can supply it",
    digest=True,
)
QUOTE_RECEIVED = _kind(
    "quote_received", N_("Cotización recibida"), Topic.DEMANDS, "the institution's members"
)
# Conversations
NEW_MESSAGE = _kind(
    "new_message", N_("Mensaje nuevo"), Topic.MESSAGES, "the other side of an order or demand", digest=True
)
# Reviews
REVIEW_RECEIVED = _kind(
    "review_received", N_("Reseña recibida"), Topic.REVIEWS, "the organization's owners", digest=True
)
REVIEW_REPLY = _kind("review_reply", N_("Respuesta a una reseña"), Topic.REVIEWS, "the review's author")
# The producer's day in one message
DIGEST = _kind("digest", N_("Resumen diario"), Topic.ORDERS, "producers' members who chose the daily digest")
