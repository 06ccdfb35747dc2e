"""JSON API: the public impact figures (the same as the /impacto page)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from market.deps import ImpactFiguresDep, SessionDep, SettingsDep
from market.impact import service

router = APIRouter(tags=["impact"])


@router.get("/impacto", response_model=service.Impact)
def impact(
    figures: ImpactFiguresDep,
    settings: SettingsDep,
    session: SessionDep,
    year: int | None = Query(default=None, ge=2000, le=2100, description="Only the sales of this year"),
) -> service.Impact:
    """Money to the social sector from paid orders (refunds subtracted), by month, state, legal form,
    certification and SDG; codes as in the organizations' API (INEGI state codes). Centavos throughout;
    shares in basis points."""
    return figures.get(session, settings, year)
