"""Probes for operators and load balancers, as a real deployment expects them.

- `GET /healthz/live`: the process answers (liveness). Nothing else is asked, and the in-flight limit never
  refuses it, so a busy or degraded instance is not restarted for it.
- `GET /healthz/ready` (and `GET /healthz`): whether this instance can serve (readiness): 200 while the
  database answers, 503 when it does not. The search engine and the payments configuration are reported
  (`"status": "degraded"`) but do not take the instance out: catalogue pages, checkout and payments keep
  working without search, and every instance shares the same Meilisearch, so failing readiness on it would
  take them all out at once.

Each dependency is asked with a short time-out, in a small pool of its own: a hung database or search
engine makes the probe answer "timed out" within a second or two, never hang it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Timeout
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.engine import Engine

from market.config import Settings
from market.deps import EngineDep, SearchDep, SettingsDep
from search.engine import SearchEngine

router = APIRouter(tags=["health"])
CHECK_SECONDS = 1.5
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")  # hung checks cannot take more


def _within(seconds: float, backend: str, check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return _checks.submit(check).result(timeout=seconds)
    except Timeout:
        return {"status": "error", "backend": backend, "detail": f"no answer within {seconds:g} s"}


def _database(engine: Engine) -> dict[str, Any]:
    def check() -> dict[str, Any]:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return {"status": "ok", "backend": engine.dialect.name}
        except Exception as exc:
            return {"status": "error", "backend": engine.dialect.name, "detail": str(exc)[:200]}

    return _within(CHECK_SECONDS, engine.dialect.name, check)


def _search(search: SearchEngine) -> dict[str, Any]:
    def check() -> dict[str, Any]:
        return {"status": "ok" if search.healthy() else "error", "backend": search.name}

    return _within(CHECK_SECONDS, search.name, check)


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
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="ok: everything works; degraded: this instance serves, but search or payments do not "
        "(see each); unavailable: the database does not answer, nothing can be served"
    )
    database: Check
    search: Check
    payments: Check


class Alive(BaseModel):
    status: Literal["ok"]


@router.get("/healthz/live", response_model=Alive)
def live() -> Alive:
    return Alive(status="ok")


@router.get(
    "/healthz/ready",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer: nothing can be served"}},
)
def ready(engine: EngineDep, search: SearchDep, settings: SettingsDep) -> JSONResponse:
    checks = {"database": _database(engine), "search": _search(search), "payments": _payments(settings)}
    if checks["database"]["status"] != "ok":
        status = "unavailable"
    else:
        status = "ok" if all(check["status"] == "ok" for check in checks.values()) else "degraded"
    return JSONResponse({"status": status, **checks}, status_code=503 if status == "unavailable" else 200)


router.add_api_route(
    "/healthz",
    ready,
    methods=["GET"],
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer: nothing can be served"}},
    summary="Readiness (the same as /healthz/ready)",
)
