"""The payment provider behind one small interface. Stripe is the real one; the offline methods need no
provider (an administrator matches the money), so there is no fake gateway in the product."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Protocol

import stripe

from market.config import Settings
from market.errors import BadSignature, PaymentsDown

WEBHOOK_TOLERANCE_SECONDS = 300  # an older signature is a replay (Stripe's own default); a newer one, forged


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str
    status: str


class Gateway(Protocol):
    def create_intent(
        self, *, order_id: int, amount_cents: int, method: str, email: str, name: str, idempotency_key: str
    ) -> Intent: ...

    def retrieve_intent(self, intent_id: str) -> dict[str, Any]: ...

    def cancel_intent(self, intent_id: str) -> None: ...

    def refund(
        self, *, intent_id: str, amount_cents: int, fulfillment_id: int, idempotency_key: str
    ) -> dict[str, Any]: ...

    def transfer(
        self, *, account_id: str, amount_cents: int, charge_id: str, order_id: int, idempotency_key: str
    ) -> dict[str, Any]: ...

    def verify_webhook(self, payload: bytes, signature: str | None) -> dict[str, Any]: ...

    def create_account(
        self, *, organization_id: int, email: str, name: str, url: str | None, idempotency_key: str
    ) -> dict[str, Any]: ...

    def account_link(self, *, account_id: str, refresh_url: str, return_url: str) -> dict[str, Any]: ...

    def login_link(self, account_id: str) -> dict[str, Any]: ...

    def retrieve_account(self, account_id: str) -> dict[str, Any]: ...


class StripeGateway:
    """Separate charges and transfers: the buyer pays the platform once; each organization with a
    connected account later receives a Transfer from that charge."""

    def __init__(self, settings: Settings) -> None:
        assert settings.stripe_secret_key
        base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
        self.client = stripe.StripeClient(settings.stripe_secret_key, base_addresses=base)  # type: ignore[arg-type]
        self.webhook_secret = settings.stripe_webhook_secret
        self.transfer_group_on_charge = settings.stripe_charge_transfer_group

    def create_intent(
        self, *, order_id: int, amount_cents: int, method: str, email: str, name: str, idempotency_key: str
    ) -> Intent:
        params: dict[str, Any] = {
            "amount": amount_cents,
            "currency": "mxn",
            "metadata": {"order_id": str(order_id)},
        }
        if self.transfer_group_on_charge:
            params["transfer_group"] = f"order_{order_id}"
        if method == "card":
            params["payment_method_types"] = ["card"]
        elif method == "oxxo":
            params["payment_method_types"] = ["oxxo"]
            params["payment_method_options"] = {"oxxo": {"expires_after_days": 3}}
        else:  # spei: a CLABE of the buyer's own for this payment (customer balance, mx_bank_transfer)
            customer = self._call(
                self.client.v1.customers.create,
                {"email": email, "name": name, "metadata": {"order_id": str(order_id)}},
                f"{idempotency_key}-customer",
            )
            params["customer"] = customer["id"]
            params["payment_method_types"] = ["customer_balance"]
            params["payment_method_options"] = {
                "customer_balance": {
                    "funding_type": "bank_transfer",
                    "bank_transfer": {"type": "mx_bank_transfer"},
                }
            }
        intent = self._call(self.client.v1.payment_intents.create, params, idempotency_key)
        return Intent(id=intent["id"], client_secret=intent["client_secret"], status=intent["status"])

    def retrieve_intent(self, intent_id: str) -> dict[str, Any]:
        try:
            return self.client.v1.payment_intents.retrieve(intent_id).to_dict()
        except stripe.StripeError as exc:
            raise PaymentsDown() from exc

    def cancel_intent(self, intent_id: str) -> None:
        """No later charge for an order that ended unpaid. Stripe refuses if it was paid meanwhile: then the
        payment's webhook refunds it, so the refusal is not an error here."""
        try:
            self.client.v1.payment_intents.cancel(intent_id)
        except stripe.InvalidRequestError:
            return
        except stripe.StripeError as exc:
            raise PaymentsDown() from exc

    def refund(
        self, *, intent_id: str, amount_cents: int, fulfillment_id: int, idempotency_key: str
    ) -> dict[str, Any]:
        params = {
            "payment_intent": intent_id,
            "amount": amount_cents,
            "metadata": {"fulfillment_id": str(fulfillment_id)},
        }
        return self._call(self.client.v1.refunds.create, params, idempotency_key)

    def transfer(
        self, *, account_id: str, amount_cents: int, charge_id: str, order_id: int, idempotency_key: str
    ) -> dict[str, Any]:
        params = {
            "amount": amount_cents,
            "currency": "mxn",
            "destination": account_id,
            "source_transaction": charge_id,  # paid from this charge's funds, as soon as they exist
            "transfer_group": f"order_{order_id}",
        }
        return self._call(self.client.v1.transfers.create, params, idempotency_key)

    def verify_webhook(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """Check Stripe's signature over the raw body, then read it; anything doubtful is refused."""
        if not self.webhook_secret or not signature:
            raise BadSignature()
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, self.webhook_secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
            )
            # Stripe's check only looks back: a signature dated ahead would stay replayable for that long.
            if _signed_at(signature) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
                raise BadSignature()
            event = json.loads(payload)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise BadSignature() from exc
        if not isinstance(event, dict) or not isinstance(event.get("id"), str) or "type" not in event:
            raise BadSignature()
        return event

    # --- Stripe Connect: an Express account per organization, onboarded on Stripe's hosted pages ----------

    def create_account(
        self, *, organization_id: int, email: str, name: str, url: str | None, idempotency_key: str
    ) -> dict[str, Any]:
        """An Express account in Mexico that receives transfers (separate charges and transfers: the platform
        charges the buyer, so the account needs no card payments of its own)."""
        profile: dict[str, Any] = {"name": name}
        if url:
            profile["url"] = url
        params = {
            "type": "express",
            "country": "MX",
            "email": email,
            "business_profile": profile,
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"organization_id": str(organization_id)},
        }
        return self._call(self.client.v1.accounts.create, params, idempotency_key)

    def account_link(self, *, account_id: str, refresh_url: str, return_url: str) -> dict[str, Any]:
        """A single-use address of Stripe's onboarding for the account (it expires in minutes)."""
        params = {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        try:
            return self.client.v1.account_links.create(params).to_dict()  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            raise PaymentsDown() from exc

    def login_link(self, account_id: str) -> dict[str, Any]:
        """A single-use address of the account's Express dashboard."""
        try:
            return self.client.v1.accounts.login_links.create(account_id).to_dict()
        except stripe.StripeError as exc:
            raise PaymentsDown() from exc

    def retrieve_account(self, account_id: str) -> dict[str, Any]:
        try:
            return self.client.v1.accounts.retrieve(account_id).to_dict()
        except stripe.StripeError as exc:
            raise PaymentsDown() from exc

    @staticmethod
    def _call(method: Any, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        try:
            result: dict[str, Any] = method(params, {"idempotency_key": idempotency_key}).to_dict()
        except stripe.StripeError as exc:
            raise PaymentsDown() from exc
        return result


def _signed_at(signature: str) -> int:
    """The `t=` of a Stripe-Signature header (`t=1700000000,v1=...`), the time it was signed."""
    for item in signature.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t":
            return int(value)
    raise ValueError(signature)


def gateway_for(settings: Settings) -> Gateway | None:
    return StripeGateway(settings) if settings.payments_backend == "stripe" else None
