"""GET /healthz: database, search and payment configuration, for operators and load balancers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine

from market.config import Settings
from market.deps import EngineDep, SearchDep, SettingsDep
from search.engine import SearchEngine

router = APIRouter(tags=["health"])


def _database(engine: Engine) -> dict[str, Any]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "backend": engine.dialect.name}
    except Exception as exc:
        return {"status": "error", "backend": engine.dialect.name, "detail": str(exc)[:200]}


def _search(search: SearchEngine) -> dict[str, Any]:
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
def healthz(engine: EngineDep, search: SearchDep, settings: SettingsDep) -> JSONResponse:
    checks = {"database": _database(engine), "search": _search(search), "payments": _payments(settings)}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status_code=200 if healthy else 503
    )
