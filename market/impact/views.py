"""The public impact page and its CSV, and an institution's printable impact report (with its own CSV).
Thin: the figures come from the impact service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from market.deps import EngineDep, ImpactFiguresDep, PageDep, SessionDep, SettingsDep, UserDep
from market.forms import form_int
from market.impact import charts, export, service
from market.web import verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _year(raw: str | None) -> int | None:
    """The year chosen in the selector (blank: every year); anything else is a 422 naming `year`."""
    return form_int(raw, "year", minimum=2000, maximum=2100) if raw and raw.strip() else None


def _context(impact: service.Impact, csv_url: str) -> dict[str, Any]:
    if impact.year is not None:
        csv_url += f"?year={impact.year}"
    return {
        "impact": impact,
        "charts": charts.charts(impact),
        "csv_url": csv_url,
        "percent": charts.percent,
    }


@router.get("/impacto", name="impact.impact_page")
def impact_page(
    page: PageDep,
    figures: ImpactFiguresDep,
    settings: SettingsDep,
    session: SessionDep,
    year: str | None = None,
) -> Response:
    """The parameter is that of GET /api/v1/impacto."""
    impact = figures.get(session, settings, _year(year))
    return page.render("impact/page.html", _context(impact, page.url("impact.impact_csv")))


@router.get("/impacto.csv", name="impact.impact_csv")
def impact_csv(
    figures: ImpactFiguresDep, settings: SettingsDep, session: SessionDep, year: str | None = None
) -> Response:
    """The public figures, as on the page (never a row per sale: see market.impact.export)."""
    chosen = _year(year)
    impact = figures.get(session, settings, chosen)
    return export.figures_download(impact, f"impacto-{chosen}.csv" if chosen is not None else "impacto.csv")


@router.get("/instituciones/{slug}/impacto", name="impact.institution_report")
def institution_report(
    slug: str,
    page: PageDep,
    user: UserDep,
    settings: SettingsDep,
    session: SessionDep,
    year: str | None = None,
) -> Response:
    buyer = service.institution_for(session, user, slug)
    impact = service.impact(session, settings, _year(year), buyer.id)
    csv_url = page.url("impact.institution_csv", slug=buyer.slug)
    return page.render("impact/report.html", _context(impact, csv_url) | {"buyer": buyer})


@router.get("/instituciones/{slug}/impacto.csv", name="impact.institution_csv")
def institution_csv(
    slug: str,
    user: UserDep,
    settings: SettingsDep,
    session: SessionDep,
    engine: EngineDep,
    year: str | None = None,
) -> Response:
    """Its purchases one by one, streamed (see market.impact.export)."""
    buyer = service.institution_for(session, user, slug)
    chosen = _year(year)
    name = f"impacto-{buyer.slug}-{chosen}.csv" if chosen is not None else f"impacto-{buyer.slug}.csv"
    return export.purchases_download(engine, settings, buyer.id or 0, chosen, name)
