"""How much of a listing may be ordered: at least its minimum order, at most its stock (when it keeps one).
The refusals name the limit in the person's language, with the unit's own plural: "El pedido mínimo es de
5 kg.", "Solo quedan 50 piezas."."""

from __future__ import annotations

from market.catalog.models import Listing
from market.catalog.units import quantity_text
from market.i18n import gettext as _
from market.i18n import ngettext


def minimum_order_message(listing: Listing) -> str:
    return _("El pedido mínimo es de {quantity}.").format(
        quantity=quantity_text(listing.minimum_order, listing.unit)
    )


def quantity_refusal(listing: Listing, total: int, in_cart: int = 0) -> str | None:
    """Why `total` units of the listing cannot be ordered (saying what is already in the cart, when the
    person is adding to it); None when they can."""
    if total < listing.minimum_order:
        return minimum_order_message(listing)
    stock = listing.stock
    if stock is None or total <= stock:  # made to order, or enough left
        return None
    if stock == 0:
        return _("Se agotó.")
    left = quantity_text(stock, listing.unit)
    if in_cart:
        return ngettext(
            "Solo queda {quantity} y ya tienes {in_cart} en tu carrito.",
            "Solo quedan {quantity} y ya tienes {in_cart} en tu carrito.",
            stock,
        ).format(quantity=left, in_cart=quantity_text(in_cart, listing.unit))
    return ngettext("Solo queda {quantity}.", "Solo quedan {quantity}.", stock).format(quantity=left)
