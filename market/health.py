"""GET /healthz: database, search and payment configuration, for operators and load balancers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from market.config import Settings

router = APIRouter(tags=["health"])


def _database(request: Request) -> dict[str, Any]:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "backend": request.app.state.engine.dialect.name}
    except Exception as exc:
        return {"status": "error", "backend": request.app.state.engine.dialect.name, "detail": str(exc)[:200]}


def _search(request: Request) -> dict[str, Any]:
    search = request.app.state.search
    return {"status": "ok" if search.healthy() else "error", "backend": search.name}


def _payments(settings: Settings) -> dict[str, Any]:
    if not settings.stripe_secret_key:
        return {"status": "ok", "backend": "offline"}
    configured = bool(settings.stripe_webhook_secret)
    return {
        "status": "ok" if configured else "error",
        "backend": "stripe",
        **({} if configured else {"detail": "STRIPE_WEBHOOK_SECRET is not set"}),
    }


class Check(BaseModel):
    status: Literal["ok", "error"]
    backend: str
    detail: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Check
    search: Check
    payments: Check


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Something the app needs is not working"}},
)
def healthz(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    checks = {"database": _database(request), "search": _search(request), "payments": _payments(settings)}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status_code=200 if healthy else 503
    )
