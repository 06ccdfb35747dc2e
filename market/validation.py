"""Field validation errors in the user's language.

Schemas raise `invalid(code, template)` for the product's own rules; pydantic's built-in errors are
mapped by type. Templates are Spanish source strings, translated when the error is shown."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from market.i18n import gettext as _

_BUILTIN: dict[str, str] = {
    "missing": "Este campo es obligatorio.",
    "string_too_short": "Escribe al menos {min_length} caracteres.",
    "string_too_long": "Escribe como máximo {max_length} caracteres.",
    "int_parsing": "Escribe un número entero.",
    "int_type": "Escribe un número entero.",
    "int_from_float": "Escribe un número entero.",
    "float_parsing": "Escribe un número.",
    "float_type": "Escribe un número.",
    "greater_than": "Debe ser mayor que {gt}.",
    "greater_than_equal": "Debe ser al menos {ge}.",
    "less_than": "Debe ser menor que {lt}.",
    "less_than_equal": "Debe ser como máximo {le}.",
    "literal_error": "Elige una de las opciones.",
    "enum": "Elige una de las opciones.",
    "bool_parsing": "Elige sí o no.",
    "bool_type": "Elige sí o no.",
    "value_error": "El valor no es válido.",
    "string_pattern_mismatch": "El formato no es válido.",
    "too_long": "Hay demasiados elementos.",
    "list_type": "El valor no es válido.",
    "string_type": "Escribe un texto.",
    "extra_forbidden": "Este campo no existe.",
}
_TEMPLATES = dict(_BUILTIN)  # plus the product's rules, registered as they are raised


def invalid(code: str, template: str, **ctx: Any) -> PydanticCustomError:
    """An error of the product's own rules; `template` is the Spanish message, with {placeholders}."""
    _TEMPLATES.setdefault(code, template)
    return PydanticCustomError(code, template, ctx or None)


def builtin_templates() -> list[str]:
    """Messages for pydantic's own error types (the product's rules are extracted from `invalid` calls)."""
    return list(_BUILTIN.values())


def message_for(error_type: str, ctx: dict[str, Any] | None = None) -> str:
    template = _TEMPLATES.get(error_type, _TEMPLATES["value_error"])
    if error_type == "value_error" and ctx and isinstance(ctx.get("error"), PydanticCustomError):
        return message_for(ctx["error"].type, ctx["error"].context)
    try:
        return _(template).format(**(ctx or {}))
    except (KeyError, IndexError):
        return _(template)


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """{"field": "localized message"}: the first error of each field, keyed by its dotted location."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "__all__"
        errors.setdefault(prefix + field, message_for(err["type"], err.get("ctx")))
    return errors
