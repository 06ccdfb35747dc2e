"""Which producers can fill a demand, and how well: the search engine finds who offers the category, holds
the certifications and delivers to the state (within the distance); the database adds what the index
does not know (women's participation, legal form preferences) and the ranking."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from market.catalog.search_schemas import SearchQuery
from market.linking.models import Demand, DemandInvitation, DemandStatus
from market.mexico import STATES_BY_CODE
from market.organizations.models import Organization, VerificationStatus
from search.engine import MAX_PER_PAGE, SearchEngine
from search.geo import distance_km

MAX_CANDIDATE_LISTINGS = 2000


@dataclass
class Match:
    organization: Organization
    fit: int  # 0-100
    listings: int  # how many of its listings answer the demand
    distance_km: float | None
    reasons: list[str] = field(default_factory=list)


def _candidates(search: SearchEngine, demand: Demand) -> Counter[str]:
    """Organization slug -> listings of it that the engine finds for this demand."""
    capital = STATES_BY_CODE[demand.delivery_state]
    near = (
        {"lat": capital.lat, "lng": capital.lng, "radius_km": demand.max_distance_km}
        if demand.max_distance_km
        else {}
    )
    found: Counter[str] = Counter()
    page = 1
    while True:
        result = search.search(
            SearchQuery(
                category=[demand.category],
                certification=demand.required_certifications,
                delivers_to=demand.delivery_state,
                page=page,
                per_page=MAX_PER_PAGE,
                **near,
            )
        )
        found.update(hit.organization_slug for hit in result.hits)
        if page * MAX_PER_PAGE >= min(result.total, MAX_CANDIDATE_LISTINGS):
            return found
        page += 1


def eligible(session: Session, search: SearchEngine, demand: Demand) -> list[Match]:
    """Every producer that can fill (part of) the demand, best fit first."""
    found = _candidates(search, demand)
    if not found:
        return []
    organizations = session.exec(
        select(Organization).where(
            col(Organization.slug).in_(found),
            Organization.verification_status == VerificationStatus.VERIFIED,
            col(Organization.suspended).is_(False),
        )
    ).all()
    capital = STATES_BY_CODE[demand.delivery_state]
    matches = []
    for organization in organizations:
        if demand.women_led_only and not organization.women_led:
            continue
        distance = (
            distance_km(organization.latitude, organization.longitude, capital.lat, capital.lng)
            if organization.latitude is not None and organization.longitude is not None
            else None
        )
        match = Match(organization, 0, found[organization.slug], distance)
        _score(match, demand)
        matches.append(match)
    return sorted(matches, key=lambda m: (-m.fit, m.distance_km or 9e9, m.organization.name))


def _score(match: Match, demand: Demand) -> None:
    """A fit from 0 to 100: nearness weighs most (fresh food, cheap transport), then the buyer's stated
    preferences, then how much of the category the producer offers."""
    organization = match.organization
    points = 40
    if match.distance_km is not None:
        points += max(0, 30 - int(match.distance_km / 40))  # full marks within 40 km, none past 1,200 km
        if organization.state == demand.delivery_state:
            match.reasons.append("local")
    if demand.preferred_legal_forms and organization.legal_form in demand.preferred_legal_forms:
        points += 15
        match.reasons.append("legal_form")
    if organization.women_led:
        points += 10
        match.reasons.append("women_led")
    points += min(match.listings, 5)
    match.fit = min(points, 100)


def match_demand(session: Session, search: SearchEngine, demand_id: int) -> None:
    """Outbox handler for a demand just opened (retried while the search engine is down)."""
    demand = session.get(Demand, demand_id)
    if demand is not None and demand.status == DemandStatus.OPEN:
        notify_matches(session, search, demand)


def notify_matches(session: Session, search: SearchEngine, demand: Demand) -> list[Match]:
    """Record who fits the demand (their "demands for you" list) and tell them by e-mail."""
    from market.linking.notifications import demand_for_you  # avoids a cycle: notifications reads matches

    matches = eligible(session, search, demand)
    known = {
        row.organization_id: row
        for row in session.exec(select(DemandInvitation).where(DemandInvitation.demand_id == demand.id)).all()
    }
    for match in matches:
        organization_id = match.organization.id or 0
        if demand.visibility == "invited" and organization_id not in known:
            continue  # an invited-only demand reaches only those the buyer chose
        row = known.get(organization_id) or DemandInvitation(
            demand_id=demand.id or 0, organization_id=organization_id
        )
        row.fit = match.fit
        session.add(row)
        demand_for_you(session, demand, match.organization)
    matched = {m.organization.id for m in matches}
    for organization_id, row in known.items():  # invited by the buyer even if the engine did not find them
        organization = session.get(Organization, organization_id)
        if organization_id not in matched and row.invited and organization is not None:
            demand_for_you(session, demand, organization)
    return matches
