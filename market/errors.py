"""Named domain errors. One handler (in app.py) maps them to JSON or HTML responses."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from market.catalog.units import quantity_text
from market.i18n import gettext as _
from market.i18n import ngettext
from market.statuses import Status


class ErrorBody(BaseModel):
    """The JSON body of every refusal (`MarketError.body` and the app's handlers), as the API shows it."""

    error: str = Field(description="A stable code for programs: `not_found`, `validation_error`, …")
    detail: str = Field(description="What happened, in the request's language (Accept-Language)")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Validation errors only: each wrong field (dotted path, `items.0.quantity`) and why",
    )


class MarketError(Exception):
    """`code` is stable for API clients; `message` is Spanish source text, translated on output."""

    status_code = 400
    code = "market_error"
    message = "No se pudo completar la operación."

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.params = params
        if message is not None:
            self.message = message
        super().__init__(self.message.format(**params) if params else self.message)

    @property
    def detail(self) -> str:
        """The message in the current request's language."""
        return _(self.message).format(**self.params)

    def body(self) -> dict[str, Any]:
        """The JSON error body: a stable code, a readable detail, and what subclasses add."""
        return {"error": self.code, "detail": self.detail}

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the response carries (Retry-After, for one)."""
        return {}


def json_error(exc: MarketError) -> JSONResponse:
    headers = exc.headers | ({"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else {})
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)


class NotFound(MarketError):
    status_code = 404
    code = "not_found"
    message = "No encontramos lo que buscas."


class ListingNotFound(NotFound):
    code = "listing_not_found"
    message = "Ese producto no existe o no está disponible."


class OrganizationNotFound(NotFound):
    code = "organization_not_found"
    message = "Esa organización no existe o no está disponible."


class NotAuthenticated(MarketError):
    status_code = 401
    code = "not_authenticated"
    message = "Inicia sesión para continuar."


class Forbidden(MarketError):
    status_code = 403
    code = "forbidden"
    message = "No tienes permiso para hacer esto."


class Conflict(MarketError):
    status_code = 409
    code = "conflict"
    message = "La operación choca con el estado actual."


class InvalidTransition(Conflict):
    """A status its current one does not lead to. Both are named by their labels, in the person's language
    (a plain string is read in the vocabulary of the status given as a `Status`; an unknown one shows as
    it is)."""

    code = "invalid_transition"
    message = "No se puede pasar de «{current}» a «{target}»."

    def __init__(self, *, current: str, target: str) -> None:
        vocabulary = next((type(v) for v in (current, target) if isinstance(v, Status)), None)
        current, target = (vocabulary.label_of(v) if vocabulary else str(v) for v in (current, target))
        super().__init__(current=current, target=target)

    @property
    def detail(self) -> str:
        labels = {key: _(value) if value else value for key, value in self.params.items()}
        return _(self.message).format(**labels)


class StepNotForDelivery(Conflict):
    code = "step_not_for_delivery"
    message = "Ese paso no corresponde a la forma de entrega que eligió quien compró."


class SearchDown(MarketError):
    status_code = 503
    code = "search_unavailable"
    message = "La búsqueda no está disponible en este momento; el catálogo sigue abierto."


class StorageUnavailable(MarketError):
    status_code = 503
    code = "storage_unavailable"
    message = (
        "No pudimos guardar ni leer archivos en este momento: el almacenamiento de imágenes no responde. "
        "No se guardó nada; intenta de nuevo en unos minutos."
    )

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "60"}


class PaymentsDown(MarketError):
    status_code = 503
    code = "payments_unavailable"
    message = (
        "No pudimos comunicarnos con el procesador de pagos. "
        "Tu pedido sigue apartado: intenta de nuevo en unos minutos."
    )


class BadSignature(MarketError):
    status_code = 400
    code = "bad_signature"
    message = "La firma del evento no es válida."


class MalformedEvent(MarketError):
    """Signed, but without what every event of the provider carries: it could never be applied."""

    status_code = 400
    code = "malformed_event"
    message = "El evento no trae el objeto al que se refiere."


class ChangedMeanwhile(Conflict):
    code = "changed_meanwhile"
    message = "Alguien más actualizó este pedido en este momento. Recarga la página y revisa su estado."


class InsufficientStock(Conflict):
    """Fewer units left than asked for: the message says how many, in the unit's own plural."""

    code = "insufficient_stock"
    message = "Solo quedan {quantity} de «{title}»."

    def __init__(self, available: int, unit: str, title: str) -> None:
        self.available, self.unit = available, unit
        super().__init__(quantity=quantity_text(available, unit), title=title)
        self.args = (self.detail,)  # "Solo queda 1 pieza", not the plural of the class message

    @property
    def detail(self) -> str:
        template = ngettext(
            "Solo queda {quantity} de «{title}».", "Solo quedan {quantity} de «{title}».", self.available
        )
        return template.format(quantity=quantity_text(self.available, self.unit), title=self.params["title"])


class SoldOut(Conflict):
    code = "sold_out"
    message = "«{title}» se agotó."


class CartEmpty(Conflict):
    """Checkout of a cart with nothing in it (or emptied by a checkout of the same cart just before)."""

    code = "cart_empty"
    message = "Tu carrito está vacío."


class TooManyUnpaidOrders(Conflict):
    code = "too_many_unpaid_orders"
    message = (
        "Tienes {count} pedidos apartados sin pagar. Págalos o cancélalos desde «Mis pedidos» antes de "
        "apartar más."
    )


class EmailTaken(Conflict):
    code = "email_taken"
    message = "Ya existe una cuenta con ese correo."


class AlreadyMember(Conflict):
    code = "already_member"
    message = (
        "Esa persona ya es integrante de la organización; su rol se cambia en la página «Miembros», no con "
        "una invitación."
    )


class AlreadyBuyerMember(AlreadyMember):
    message = (
        "Esa persona ya es integrante de la institución; su rol se cambia en la página «Miembros», no con "
        "una invitación."
    )


class LastOwner(Conflict):
    code = "last_owner"
    message = (
        "Debe quedar al menos una persona propietaria: nombra a otra antes de salir, quitarla o cambiar su "
        "rol."
    )


class InvitationExpired(MarketError):
    status_code = 410
    code = "invitation_expired"
    message = "Esta invitación venció. Pide a quien administra la organización que te envíe otra."


class InvitationRevoked(MarketError):
    status_code = 410
    code = "invitation_revoked"
    message = "Esta invitación fue cancelada. Pide a quien administra la organización que te envíe otra."


class BuyerInvitationExpired(InvitationExpired):
    message = "Esta invitación venció. Pide a quien administra la institución que te envíe otra."


class BuyerInvitationRevoked(InvitationRevoked):
    message = "Esta invitación fue cancelada. Pide a quien administra la institución que te envíe otra."


class TooManyInvitations(MarketError):
    """More invitations from one organization (or institution) in the last hour than allowed."""

    status_code = 429
    code = "too_many_invitations"
    message = (
        "Ya se enviaron {limit} invitaciones en la última hora, el máximo. Espera un rato e inténtalo de "
        "nuevo."
    )

    def __init__(self, *, limit: int, retry_after: int) -> None:
        super().__init__(limit=limit)
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return super().body() | {"limit": self.params["limit"], "retry_after": self.retry_after}

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InvalidCredentials(MarketError):
    status_code = 401
    code = "invalid_credentials"
    message = "Correo o contraseña incorrectos."


class TokenExpired(NotAuthenticated):
    code = "token_expired"
    message = "Este token venció el {date}. Pide uno nuevo con POST /api/v1/auth/tokens."


class TooManyAttempts(MarketError):
    """A try that comes too soon after failed ones; `retry_after` says, in seconds, when the next may."""

    status_code = 429
    code = "too_many_attempts"
    message = "Demasiados intentos. Espera {wait} e inténtalo de nuevo."

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(wait=f"{self.retry_after} s")

    @property
    def detail(self) -> str:
        seconds = self.retry_after
        if seconds < 60:
            wait = ngettext("{n} segundo", "{n} segundos", seconds).format(n=seconds)
        else:
            minutes = -(-seconds // 60)
            wait = ngettext("{n} minuto", "{n} minutos", minutes).format(n=minutes)
        return _(self.message).format(wait=wait)

    def body(self) -> dict[str, Any]:
        return super().body() | {"retry_after": self.retry_after}

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class EmailNotConfirmed(Forbidden):
    code = "email_not_confirmed"
    message = (
        "Confirma tu correo electrónico para hacer esto: abre el enlace que te enviamos. "
        "¿No te llegó? Pide otro."
    )


class EmailAlreadyConfirmed(Conflict):
    code = "email_already_confirmed"
    message = "Tu correo ya está confirmado."


class InvalidAccountLink(MarketError):
    """An e-mailed link that is unknown, already used or expired: which of them is not said."""

    status_code = 400
    code = "invalid_link"
    message = "Este enlace no es válido: ya se usó o caducó. Pide uno nuevo."


class TooSoon(MarketError):
    """Another e-mailed link asked for before the last one's interval is over; `retry_after` in seconds."""

    status_code = 429
    code = "too_soon"
    message = (
        "Te enviamos un enlace hace poco. Revisa tu correo (también la carpeta de spam) o pide otro en "
        "{minutes} minutos."
    )

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(minutes=-(-self.retry_after // 60))

    def body(self) -> dict[str, Any]:
        return super().body() | {"retry_after": self.retry_after}

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class CsrfFailed(MarketError):
    status_code = 403
    code = "csrf_failed"
    message = "La página caducó. Recárgala e inténtalo de nuevo."


class InvalidUpload(MarketError):
    status_code = 422
    code = "invalid_upload"
    message = "El archivo no es válido."


class ImageTooLarge(InvalidUpload):
    """Refused by the size its header declares, before a pixel is decoded."""

    code = "image_too_large"

    def body(self) -> dict[str, Any]:
        keys = ("width", "height", "max_pixels")
        return super().body() | {key: self.params[key] for key in keys if key in self.params}


class TooManyFrames(InvalidUpload):
    code = "too_many_frames"

    def body(self) -> dict[str, Any]:
        keys = ("frames", "max_frames")
        return super().body() | {key: self.params[key] for key in keys if key in self.params}


class TooManyUploads(MarketError):
    """`available_at` is when the oldest upload of the last hour stops counting (HH:MM, Mexico City)."""

    status_code = 429
    code = "too_many_uploads"
    message = (
        "Ya subiste el máximo de imágenes por hora ({limit}). Podrás subir otra a las {available_at} "
        "(hora del centro de México)."
    )

    def __init__(self, *, limit: int, available_at: str, retry_after: int) -> None:
        super().__init__(limit=limit, available_at=available_at)
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return super().body() | {"limit": self.params["limit"], "retry_after": self.retry_after}

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class RequestTooLarge(MarketError):
    status_code = 413
    code = "request_too_large"
    message = "El envío pesa más de {mb} MB."


class ValidationFailed(MarketError):
    """Field errors collected by a service (beyond what the request schema checks)."""

    status_code = 422
    code = "validation_error"
    message = "Revisa los datos marcados."

    def __init__(self, errors: dict[str, str], **values: object) -> None:
        """`errors`: {field: Spanish source text}; `values` fill its {placeholders} once translated."""
        super().__init__()
        self.errors = errors
        self.field_values = values

    def body(self) -> dict[str, Any]:
        values = self.field_values
        fields = {
            field: _(text).format(**values) if values else _(text) for field, text in self.errors.items()
        }
        return super().body() | {"fields": fields}

    def _text(self, message: str) -> str:
        return _(message).format(**self.field_values) if self.field_values else _(message)
