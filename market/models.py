"""Imports every table so that SQLModel.metadata (Alembic, tests) knows them all."""

from market.accounts.models import AccountToken, ApiToken, BrowserSession, LoginAttempt, User
from market.admin.models import AuditEntry
from market.catalog.models import Listing, ListingPhoto, PriceTier
from market.disputes.models import Dispute
from market.documents.models import SupplierDocument
from market.idempotency import IdempotencyKey
from market.impact.models import ImpactRollup
from market.invoicing.models import Invoice
from market.ledger.models import LedgerEntry
from market.linking.models import (
    Award,
    BuyerMembership,
    BuyerOrganization,
    CallOff,
    Demand,
    DemandInvitation,
    Message,
    Quote,
)
from market.mail.models import Email, EmailPreference
from market.orders.models import Cart, CartItem, Fulfillment, FulfillmentEvent, Order, OrderLine
from market.organizations.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationChange,
    OrganizationCsd,
)
from market.outbox import OutboxEvent
from market.payments.models import Dispersion, Payment, Payout, Refund, WebhookEvent
from market.reviews.models import Review
from market.uploads import ImageUpload

__all__ = [
    "AccountToken",
    "ApiToken",
    "AuditEntry",
    "Award",
    "BrowserSession",
    "BuyerMembership",
    "BuyerOrganization",
    "CallOff",
    "Cart",
    "CartItem",
    "Demand",
    "DemandInvitation",
    "Dispersion",
    "Dispute",
    "Email",
    "EmailPreference",
    "Fulfillment",
    "FulfillmentEvent",
    "IdempotencyKey",
    "ImageUpload",
    "ImpactRollup",
    "Invitation",
    "Invoice",
    "LedgerEntry",
    "Listing",
    "ListingPhoto",
    "LoginAttempt",
    "Membership",
    "Message",
    "Order",
    "OrderLine",
    "Organization",
    "OrganizationChange",
    "OrganizationCsd",
    "OutboxEvent",
    "Payment",
    "Payout",
    "PriceTier",
    "Quote",
    "Refund",
    "Review",
    "SupplierDocument",
    "User",
    "WebhookEvent",
]
