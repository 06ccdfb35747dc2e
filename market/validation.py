"""Field validation errors in the user's language.

Schemas raise `invalid(code, template)` for the product's own rules; pydantic's built-in errors are
mapped by type. Templates are Spanish source strings, translated when the error is shown."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from market.i18n import current_locale
from market.i18n import gettext as _
from market.money import format_mxn

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
    "list_type": "Se espera una lista de valores.",
    "string_type": "Escribe un texto.",
    "extra_forbidden": "Este campo no existe.",
    "json_invalid": "No es un JSON válido: revisa las comillas, las comas y las llaves.",
    "model_attributes_type": "Se espera un objeto con sus campos.",
    "model_type": "Se espera un objeto con sus campos.",
    "dict_type": "Se espera un objeto con sus campos.",
    "body_missing": "Falta el cuerpo de la petición: envía los datos como un objeto JSON.",
    "email_invalid": "Escribe un correo válido, como nombre@ejemplo.mx.",
}
BOUNDS = ("gt", "ge", "lt", "le")
_TEMPLATES = dict(_BUILTIN)  # plus the product's rules, registered as they are raised


def invalid(code: str, template: str, **ctx: Any) -> PydanticCustomError:
    """An error of the product's own rules; `template` is the Spanish message, with {placeholders}. A rule
    of a whole model names the field it is about with `field=` (the error is keyed by it, never by the
    model)."""
    _TEMPLATES.setdefault(code, template)
    return PydanticCustomError(code, template, ctx or None)


class Vocabulary:
    """A controlled vocabulary (states by INEGI code, categories, units...), as the metadata of an
    `Annotated[str, Vocabulary(...)]` field: the value must be one of `values` (else `message`, in the
    person's language), and the OpenAPI document shows it as a named enum that clients can generate.
    Several values of it are `Annotated[list[T], vocabulary.many()]`. (Statuses are enums instead:
    market.statuses.)"""

    def __init__(
        self, name: str, values: Iterable[str | int], message: str = "Elige una de las opciones."
    ) -> None:
        self.name, self.values, self.message = name, tuple(values), message
        self.code = f"vocabulary_{name}"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # The ref makes it one definition (components/schemas/<name>) however many fields use it.
        return core_schema.no_info_after_validator_function(self._check, handler(source), ref=self.name)

    def _check(self, value: Any) -> Any:
        if value not in self.values:
            raise invalid(self.code, self.message, value=str(value)[:40])
        return value

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        reference = handler(schema)
        definition = handler.resolve_ref_schema(reference)
        definition.clear()
        definition.update({"title": self.name, "type": self.kind, "enum": list(self.values)})
        return reference

    @property
    def kind(self) -> str:
        return "integer" if all(isinstance(v, int) for v in self.values) else "string"

    def many(self, message: str | None = None, parse: Callable[[Any], Any] | None = None) -> Choices:
        """The metadata of a list of this vocabulary's values: see `Choices`."""
        return Choices(self, message or self.message, parse)


class Choices:
    """Several values of one vocabulary (a listing's states, an organization's certifications, the legal
    forms a demand prefers), as the metadata of an `Annotated[list[T], vocabulary.many(...)]` field.

    One value of the vocabulary's kind, or a text of values separated by commas or semicolons (a form, a
    spreadsheet cell), stands for a list, and None for none; anything else that is not a list is refused
    by pydantic. Each
    value is read by `parse` (a form's "7" is state "07"); an unknown one refuses the field as a whole, so
    a form shows one message beside it, naming the value. Each value is kept once, in the vocabulary's
    order."""

    def __init__(self, vocabulary: Vocabulary, message: str, parse: Callable[[Any], Any] | None) -> None:
        self.vocabulary, self.message, self.parse = vocabulary, message, parse
        self.code = f"{vocabulary.code}_choices"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._read, handler(source))

    def _single(self, value: Any) -> bool:
        if self.vocabulary.kind == "string":
            return isinstance(value, str)
        return isinstance(value, int | str) and not isinstance(value, bool)

    def _read(self, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            value = [part.strip() for part in SEPARATORS.split(value) if part.strip()]
        elif self._single(value):
            value = [value]
        if not isinstance(value, list):
            return value  # pydantic refuses it: a list is expected
        chosen = [self.parse(v) if self.parse else v for v in value]
        for raw, parsed in zip(value, chosen, strict=True):
            if not isinstance(parsed, str | int) or parsed not in self.vocabulary.values:
                raise invalid(self.code, self.message, value=str(raw)[:40])
        return [v for v in self.vocabulary.values if v in chosen]


SEPARATORS = re.compile(r"[,;]")


def builtin_templates() -> list[str]:
    """Messages for pydantic's own error types (the product's rules are extracted from `invalid` calls)."""
    return list(_BUILTIN.values())


def message_for(error_type: str, ctx: dict[str, Any] | None = None, field: str = "") -> str:
    template = _TEMPLATES.get(error_type, _TEMPLATES["value_error"])
    if error_type == "value_error" and ctx and isinstance(ctx.get("error"), PydanticCustomError):
        return message_for(ctx["error"].type, ctx["error"].context)
    # Pydantic's EmailStr fails as a bare value_error; and "at least 1 characters" means "required".
    if error_type == "value_error" and field.rsplit(".", 1)[-1] == "email":
        template = _TEMPLATES["email_invalid"]
    if error_type == "string_too_short" and ctx and ctx.get("min_length") == 1:
        template = _TEMPLATES["missing"]
    if field.endswith("_cents") and ctx:  # people type pesos: a bound in centavos would read 100 times off
        ctx = {k: format_mxn(v, current_locale.get()) if k in BOUNDS else v for k, v in ctx.items()}
    try:
        return _(template).format(**(ctx or {}))
    except (KeyError, IndexError):
        return _(template)


def field_name(loc: Sequence[str | int], error_type: str, ctx: dict[str, Any] | None, whole: str) -> str:
    """The dotted name of the field an error is about, as the client sent it: ("items", 0, "quantity") ->
    "items.0.quantity"; a model's own rule adds the field it names. An error of the whole input (missing,
    not JSON, not an object) is keyed `whole` ("body", "query"): never by a position in the text."""
    if error_type == "json_invalid":
        return whole
    parts = [str(part) for part in loc]
    if ctx and isinstance(ctx.get("error"), PydanticCustomError):
        ctx = ctx["error"].context
    if ctx and isinstance(ctx.get("field"), str):
        parts.append(ctx["field"])
    return ".".join(parts) or whole


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """{"field": "localized message"}: the first error of each field, keyed by its dotted location."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = field_name(err["loc"], err["type"], err.get("ctx"), "body")
        errors.setdefault(prefix + field, message_for(err["type"], err.get("ctx"), field))
    return errors


def request_errors(exc: RequestValidationError) -> dict[str, str]:
    """A request's field errors, keyed as field_errors keys them; the location kind ("body", "query") is
    dropped, so a body field named "body" stays itself."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        where, *loc = err["loc"] or ("body",)
        field = field_name(loc, err["type"], err.get("ctx"), str(where))
        error_type = "body_missing" if (where, loc, err["type"]) == ("body", [], "missing") else err["type"]
        errors.setdefault(field, message_for(error_type, err.get("ctx"), field))
    return errors


NUL = "\x00"


async def reject_nul_bytes(request: Request) -> None:
    """An application dependency: a NUL byte anywhere in what a request sends as text (path, query, form
    field, JSON string or key) is a 422 naming the field, or a 404 in a path. No person types one, and
    PostgreSQL cannot store it in a text column."""
    found: list[tuple[str | int, ...]] = [
        ("path", k) for k, v in request.path_params.items() if NUL in str(v)
    ]
    found += [("query", key) for key, value in request.query_params.multi_items() if NUL in key + value]
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # Starlette keeps it for the route
        found += [("body", k) for k, v in form.multi_items() if NUL in k or (isinstance(v, str) and NUL in v)]
    elif b"\\u0000" in (body := await request.body()):  # JSON writes a NUL as \u0000
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return  # not JSON: the route refuses it as such
        found += [("body", *where) for where in _nul_locations(document)]
    if found:
        error = invalid("nul_character", "El texto tiene un carácter no permitido (NUL); bórralo.")
        raise RequestValidationError(
            [
                {
                    "type": error.type,
                    "loc": tuple(str(p).replace(NUL, "\\0") for p in loc),
                    "msg": error.message(),
                }
                for loc in found
            ]
        )


def _nul_locations(document: Any) -> Iterator[tuple[str | int, ...]]:
    """Where a JSON document holds a NUL: the path to each string or key that has one."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str) and NUL in value:
            yield where
        elif isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    yield (*where, key)
                else:
                    stack.append(((*where, key), item))
        elif isinstance(value, list):
            stack.extend(((*where, i), item) for i, item in enumerate(value))


def _one_line(value: str) -> str:
    if any(not character.isprintable() for character in value):
        raise invalid("one_line", "Escribe el nombre en una sola línea, sin caracteres de control.")
    return value


# A name shown in pages and e-mails (a person's, an organization's): one printable line, so that it can
# never add lines of its own to a message.
OneLine = Annotated[str, AfterValidator(_one_line)]
