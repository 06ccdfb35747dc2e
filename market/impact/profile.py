"""What the impact figures say about a producer (where it is, its legal form, whether women lead it, whether
it is an indigenous community's, its certifications and SDGs), taken with each sale when the order is placed:
a later edit of the organization does not change what its past sales counted as."""

from __future__ import annotations

from typing import Any

from market.organizations.models import Organization


def producer_profile(organization: Organization) -> dict[str, Any]:
    """The Fulfillment columns that keep the producer as it is now."""
    return {
        "producer_state": organization.state,
        "producer_legal_form": organization.legal_form,
        "producer_women_led": organization.women_led,
        "producer_indigenous": organization.indigenous,
        "producer_certifications": list(organization.certifications),
        "producer_sdgs": list(organization.sdgs),
    }
