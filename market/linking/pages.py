"""What the pages of productive linking share: their vocabularies in every template, form errors in the
person's language, and actions a service refuses."""

from __future__ import annotations

from market.errors import ValidationFailed
from market.forms import FormInvalid
from market.i18n import N_
from market.i18n import gettext as _
from market.linking.models import DemandStatus, QuoteStatus
from market.linking.schemas import BUYER_KINDS, FREQUENCIES, REGIMENES_FISCALES, USOS_CFDI

PRICE_HELP = N_("Escribe el precio en pesos, por ejemplo 28.50.")

# The vocabularies of this domain, at hand in every template of its pages: `LABELS | context`.
LABELS = {
    "BUYER_KINDS": BUYER_KINDS,
    "REGIMENES_FISCALES": REGIMENES_FISCALES,
    "USOS_CFDI": USOS_CFDI,
    "FREQUENCIES": FREQUENCIES,
    "DEMAND_STATUS_LABELS": DemandStatus.labels(),
    "QUOTE_STATUS_LABELS": QuoteStatus.labels(),
}


def form_errors(exc: FormInvalid | ValidationFailed) -> dict[str, str]:
    """Field -> message in the person's language (a service's messages are stored untranslated); list
    items and centavo fields are reported on the form field a person typed in."""
    raw = {k: _(v) for k, v in exc.errors.items()} if isinstance(exc, ValidationFailed) else exc.errors
    errors: dict[str, str] = {}
    for key, message in raw.items():
        errors.setdefault(key.split(".")[0].removesuffix("_cents"), message)
    return errors
