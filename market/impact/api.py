"""JSON API: the public impact figures (the same as the /impacto page)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlmodel import Session

from market.db import DbSession
from market.impact import service

router = APIRouter(tags=["impact"])


@router.get("/impacto", response_model=service.Impact)
def impact(
    request: Request,
    year: int | None = Query(default=None, ge=2000, le=2100, description="Only the sales of this year"),
    session: Session = DbSession,
) -> service.Impact:
    """Money to the social sector from paid orders (refunds subtracted), by month, state, legal form,
    certification and SDG; codes as in the organizations' API (INEGI state codes). Centavos throughout;
    shares in basis points."""
    return request.app.state.impact_figures.get(session, request.app.state.settings, year)
