"""The OpenAPI document as the server behaves: one error body for every refusal, each refusal listed where it
can happen, and a security requirement only on the routes that require a token.

Which refusals a route can give follows from what it takes and what it depends on, in one place
(`refusals`), rather than from lists kept by hand beside each route. A route still names in its own
`responses` what only its service knows (a 409 on a state clash, a 404 for something its body names)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from market.accounts.bearer import api_user, api_user_optional
from market.errors import ErrorBody
from market.state import gateway_of, search_of

# Each refusal once, in components/responses; a route that says more of one describes it inline.
REFUSALS: dict[int, tuple[str, str]] = {
    400: ("Unreadable", "The body could not be read (not UTF-8, or not the content type it declares)"),
    401: ("Unauthorized", "No token, or a token that is not valid or was revoked"),
    403: ("Forbidden", "This person may not do this (a member without the role; not an administrator)"),
    404: ("NotFound", "What the path names does not exist, or this person may not know it does"),
    409: ("Conflict", "The request clashes with the current state of what it names"),
    413: ("TooLarge", "The request body is larger than the limit"),
    422: ("Invalid", "Invalid input: `fields` says which and why (so is any text with a NUL character)"),
    429: ("TooManyAttempts", "Too many attempts: wait and try again"),
    503: ("Unavailable", "A service this route needs is unavailable for a moment; nothing was changed"),
}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield inspect.unwrap(dependency.call) if dependency.call else None  # what deps.on_loop wraps
        yield from _calls(dependency)


def mounted_routes(app: FastAPI) -> list[Any]:
    """The app's routes as mounted (prefix, router tags and dependencies applied), pages and API alike."""
    if hasattr(routing, "iter_route_contexts"):  # FastAPI ≥ 0.16x keeps included routers as such
        contexts = routing.iter_route_contexts(app.routes)
        return [c for c in contexts if isinstance(c.original_route, routing.APIRoute)]
    return [r for r in app.routes if isinstance(r, routing.APIRoute)]


def api_routes(app: FastAPI) -> Iterator[Any]:
    """The app's API routes, in the document."""
    return (route for route in mounted_routes(app) if route.include_in_schema)


def refusals(route: Any) -> set[int]:
    """The error statuses a route can answer, from what it takes and what it depends on."""
    calls = set(_calls(route.dependant))
    names = bool(route.dependant.path_params)  # acts on something that exists, or not
    writes = bool(route.methods & {"POST", "PUT", "PATCH", "DELETE"})
    statuses = {422}  # every route: its parameters, and a NUL byte in any text (market/validation.py)
    if route.body_field is not None:
        statuses |= {400, 413}
    if names:
        statuses.add(404)
    if calls & {api_user, api_user_optional}:  # an optional token is still refused when it is not valid
        statuses.add(401)
    if api_user in calls and (names or "admin" in route.tags):
        statuses.add(403)
    if api_user in calls and names and writes:
        statuses.add(409)
    if calls & {search_of, gateway_of}:  # a service that may be down for a moment
        statuses.add(503)
    return statuses


def _error_response(description: str) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {"description": description, "content": content}


def _document_refusals(operation: dict[str, Any], statuses: set[int]) -> None:
    responses = operation.setdefault("responses", {})
    for status in statuses | {int(s) for s in responses if int(s) >= 400}:
        given = responses.get(str(status), {})
        schema = given.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        if schema and not schema.endswith("/HTTPValidationError"):
            continue  # the route documents a body of its own (a spreadsheet's report)
        if "description" in given and given["description"] != "Validation Error":  # FastAPI's own 422
            responses[str(status)] = _error_response(given["description"])
        else:
            responses[str(status)] = {"$ref": f"#/components/responses/{REFUSALS[status][0]}"}
    operation["responses"] = dict(sorted(responses.items()))


def build(app: FastAPI) -> dict[str, Any]:
    """The document FastAPI builds, corrected to what the routes really answer."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = document.setdefault("components", {})
    components["responses"] = {name: _error_response(text) for name, text in REFUSALS.values()}
    schemas = components.setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    for route in api_routes(app):
        for method in route.methods:
            _document_refusals(document["paths"][route.path_format][method.lower()], refusals(route))
    for unused in ("HTTPValidationError", "ValidationError"):  # our handler never answers these
        schemas.pop(unused, None)
    app.openapi_schema = document
    return document
