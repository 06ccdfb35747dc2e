"""Reading HTML forms into request schemas, so a bad form comes back with its values and messages."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from market.bounds import MAX_ID, WHOLE
from market.errors import ValidationFailed
from market.money import parse_pesos
from market.validation import field_errors, message_for

M = TypeVar("M", bound=BaseModel)


class FormInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors


def text_fields(form: FormData, exclude: set[str] | None = None) -> dict[str, Any]:
    """Single-valued fields as typed, `name[]` fields (checkbox groups) as lists. Empty fields are left
    out, so the schema applies its default or says the field is required."""
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token" or (exclude and key in exclude):
            continue
        values = [v.strip() for v in form.getlist(key) if isinstance(v, str) and v.strip()]
        if key.endswith("[]"):
            data[key.removesuffix("[]")] = values
        elif values:
            data[key] = values[0]
    return data


def checkbox(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "si")


def pesos_field(data: dict[str, Any], field: str, target: str, errors: dict[str, str], message: str) -> None:
    """Move a peso amount typed by a person ("185.50") into a centavos field, or record an error."""
    raw = str(data.pop(field, "") or "")
    if not raw.strip():
        return
    try:
        data[target] = parse_pesos(raw)
    except ValueError:
        errors[target] = message


def validate(schema: type[M], data: dict[str, Any], errors: dict[str, str] | None = None) -> M:
    errors = dict(errors or {})
    try:
        result = schema(**data)
    except ValidationError as exc:
        raise FormInvalid(field_errors(exc) | errors) from None
    if errors:
        raise FormInvalid(errors)
    return result


def form_int(value: object, field: str, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """A whole number from a form or a query string (an id by default), or a 422 that names `field` and
    says what is wrong in the person's language: missing, not a number ("abc", "²", "1.5"), out of range."""
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValidationFailed({field: message_for("missing")})
    if not WHOLE.fullmatch(text):
        raise ValidationFailed({field: message_for("int_parsing")})
    number = int(text[:21])  # past 20 characters it is out of any range: no need to read it all
    if number < minimum:
        raise ValidationFailed({field: message_for("greater_than_equal", {"ge": minimum})})
    if number > maximum:
        raise ValidationFailed({field: message_for("less_than_equal", {"le": maximum})})
    return number
