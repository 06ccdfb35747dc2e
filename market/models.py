"""Imports every table so that SQLModel.metadata (Alembic, tests) knows them all."""

from market.accounts.models import ApiToken, LoginAttempt, User
from market.catalog.models import Listing, ListingPhoto, PriceTier
from market.ledger.models import LedgerEntry
from market.orders.models import Cart, CartItem, Fulfillment, FulfillmentEvent, Order, OrderLine
from market.organizations.models import Invitation, Membership, Organization
from market.outbox import OutboxEvent
from market.payments.models import Payment, Payout, Refund, WebhookEvent

__all__ = [
    "ApiToken",
    "Cart",
    "CartItem",
    "Fulfillment",
    "FulfillmentEvent",
    "Invitation",
    "LedgerEntry",
    "Listing",
    "ListingPhoto",
    "LoginAttempt",
    "Membership",
    "Order",
    "OrderLine",
    "Organization",
    "OutboxEvent",
    "Payment",
    "Payout",
    "PriceTier",
    "Refund",
    "User",
    "WebhookEvent",
]
