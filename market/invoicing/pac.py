"""Stamping (timbrado) by the PAC chosen in settings, through satcfdi's own client for it.

Only SW sapien is spoken for now (`PAC_PROVIDER=swsapien`): REST with the account's token as a Bearer,
`POST {host}/v4/cfdi33/stamp/v4` with the sealed CFDI as the multipart field `xml`, answering JSON
`{"status": "success", "data": {"uuid", "cfdi", ...}}` or `{"status": "error", "message", "messageDetail"}`.
SW refuses a CFDI it stamped before with "307. El comprobante contiene un timbre previo." and the original
stamp in `data`: that answer counts as stamped, so that sending an invoice again (after a timeout, by a
second worker) gives it the same UUID.

What comes back is one of: `Stamped`; `PacUnavailable` (the network, a timeout, a 5xx, an answer that is
not SW's, our own credentials refused, no PAC configured: the invoice waits "por timbrar" and is sent again
later); `PacRejected` (the PAC refused the CFDI itself: its code and message, for the producer to fix).

Cancelling (`cancel`) goes the same way: `POST {host}/cfdi33/cancel/xml` with the Cancelacion the issuer's CSD
signed (XMLDSig) as the multipart field `xml`; SW answers `{"status": "success", "data": {"uuid": {UUID:
code}, "acuse": "<Acuse ...>"}}` where the code is the SAT's: 201 (the request was received: cancelled) or 202
(cancelled before: counts as cancelled, so asking twice is harmless). Any other code, or an SW error, is a
`CancelRefused` with the code and message; the network, 5xx and answers not SW's are PacUnavailable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests
from lxml import etree
from satcfdi import __version__ as satcfdi_version
from satcfdi.cfdi import CFDI
from satcfdi.create.cancela.cancelacion import Cancelacion, Folio
from satcfdi.exceptions import ResponseError
from satcfdi.models import Signer
from satcfdi.pacs import Environment
from satcfdi.pacs.swsapien import SWSapien

from market.config import Settings
from market.errors import MarketError
from market.i18n import N_
from market.invoicing.seal import BrokenSeal, seal_verifies

MEXICO_CITY = ZoneInfo("America/Mexico_City")  # FechaTimbrado is the Zona Centro's wall-clock time
PREVIOUSLY_STAMPED = "307"
CANCELLED = ("201", "202")  # the SAT's EstatusUUID: request received, previously cancelled
# The SAT's EstatusUUID of a cancellation request that did not go through (Anexo 20, cancelación).
CANCEL_STATUS = {
    "203": N_("El folio fiscal no corresponde al emisor."),
    "204": N_("El folio fiscal no aplica para cancelación."),
    "205": N_("El folio fiscal no existe."),
    "207": N_("El motivo de cancelación no es válido."),
    "208": N_("El folio de sustitución no es válido."),
    "209": N_("El folio de sustitución no se requiere para este motivo."),
    "212": N_("La relación con el folio de sustitución no es válida."),
}
# SW's messages start with their code: "CFDI40102 - El resultado de la digestión...", "301. XML mal formado"
MESSAGE_CODE = re.compile(r"^\s*([A-Z]*\d+)\s*[.\-:]")


@dataclass(frozen=True)
class Stamped:
    uuid: str  # the folio fiscal, upper case as the PAC wrote it
    xml: bytes  # the CFDI with its TimbreFiscalDigital, as the PAC returned it
    stamped_at: datetime  # FechaTimbrado, aware (Mexico City)


class PacUnavailable(MarketError):
    """The PAC could not be asked, or did not answer as a PAC: the invoice waits, por timbrar."""

    status_code = 503
    code = "pac_unavailable"
    message = N_("No pudimos comunicarnos con el PAC: la factura queda por timbrar y se enviará de nuevo.")


class PacNotConfigured(PacUnavailable):
    code = "pac_not_configured"
    message = N_("No hay un PAC configurado: la factura queda por timbrar.")


class PacCredentialsRefused(PacUnavailable):
    """The PAC refused the platform's own token: an administrator must fix PAC_TOKEN."""

    code = "pac_credentials_refused"
    message = N_("El PAC rechazó las credenciales de la plataforma (PAC_TOKEN): {reason}")


class PacRejected(MarketError):
    """The PAC refused the CFDI: what it said, for the producer to fix (a wrong RFC, an outdated code...)."""

    status_code = 422
    code = "pac_rejected"
    message = N_("El PAC rechazó la factura ({pac_code}): {reason}")

    def __init__(self, pac_code: str, reason: str, detail: str | None = None) -> None:
        super().__init__(pac_code=pac_code, reason=reason)
        self.pac_code, self.reason, self.pac_detail = pac_code, reason, detail


class CancelRefused(PacRejected):
    """The PAC (or the SAT through it) refused to cancel the CFDI: its code and message."""

    code = "pac_cancel_refused"
    message = N_("El PAC rechazó la cancelación ({pac_code}): {reason}")


@dataclass(frozen=True)
class Cancelled:
    status: str  # the SAT's EstatusUUID: 201 (received) or 202 (cancelled before)
    acuse: bytes  # the cancellation's acuse (XML), as the PAC returned it


class SWSapienClient(SWSapien):
    """satcfdi's SW sapien client, sent to PAC_URL when it is set, with a timeout on every request."""

    def __init__(self, settings: Settings) -> None:
        environment = Environment.PRODUCTION if settings.pac_environment == "production" else Environment.TEST
        super().__init__(token=settings.pac_token.get_secret_value(), environment=environment)
        self.base_url = settings.pac_url.rstrip("/") if settings.pac_url else None
        self.timeout = settings.pac_timeout_seconds

    def _host(self, service: str = "services") -> str:
        return self.base_url or str(super()._host(service))

    def _request(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        method: str = "post",
        files: Any = None,
        json: Any = None,
        needs_token: bool = True,
        service: str = "services",
    ) -> Any:
        # satcfdi's own request, word for word, plus the timeout it leaves out (a hung PAC would hang us).
        response = requests.request(
            method=method,
            url=f"{self._host(service)}/{path}",
            headers={
                "Cache-Control": "no-cache",
                "Authorization": self.token_fn() if needs_token else "",
                "User-Agent": satcfdi_version.__user_agent__,
                **(headers or {}),
            },
            json=json,
            files=files,
            timeout=self.timeout,
        )
        if response.ok:
            answer = response.json()
            if answer["status"] != "success":
                raise ResponseError(response)
            return answer
        raise ResponseError(response)


def client(settings: Settings) -> SWSapienClient:
    if settings.pac_provider != "swsapien":
        raise PacNotConfigured()
    return SWSapienClient(settings)


def stamp(settings: Settings, signed_xml: bytes) -> Stamped:
    """The CFDI stamped by the PAC; PacUnavailable or PacRejected (see the module), BrokenSeal when the seal
    does not verify (it is not sent). Stamping the same CFDI again gives the same UUID."""
    if not seal_verifies(signed_xml):
        raise BrokenSeal()
    return submit(settings, signed_xml)


def submit(settings: Settings, signed_xml: bytes) -> Stamped:
    """`stamp` without checking the seal first: what the PAC answers to exactly these bytes' CFDI."""
    sw = client(settings)
    try:
        try:
            xml = sw.stamp(CFDI.from_string(signed_xml)).xml
        except ResponseError as refused:
            xml = str(_refusal(refused.response)["cfdi"]).encode()
        return _stamped(xml, signed_xml)
    except (requests.RequestException, etree.LxmlError, KeyError, TypeError, ValueError) as exc:
        raise PacUnavailable() from exc  # no answer, or one that is not this CFDI stamped


def _refusal(response: requests.Response) -> dict[str, Any]:
    """The original stamp when SW says the CFDI was stamped before; otherwise the error to raise."""
    try:
        answer = response.json()
        message = str(answer.get("message") or "")
        detail = answer.get("messageDetail")
    except (ValueError, AttributeError):
        raise PacUnavailable() from None  # not SW talking (a proxy's error page...)
    if response.status_code in (401, 403):
        raise PacCredentialsRefused(reason=message or str(response.status_code))
    if response.status_code >= 500 or response.status_code == 429 or not message:
        raise PacUnavailable()
    found = MESSAGE_CODE.match(message)
    pac_code = found.group(1) if found else str(response.status_code)
    data = answer.get("data")
    if pac_code == PREVIOUSLY_STAMPED and isinstance(data, dict) and data.get("cfdi"):
        return data
    raise PacRejected(pac_code, message, str(detail) if detail else None)


def _stamped(xml: bytes, signed_xml: bytes) -> Stamped:
    """What the PAC returned, if it is this CFDI stamped (a TFD whose SelloCFD is this CFDI's seal)."""
    cfdi = CFDI.from_string(xml)
    tfd = cfdi["Complemento"]["TimbreFiscalDigital"]
    if tfd["SelloCFD"] != CFDI.from_string(signed_xml)["Sello"]:
        raise ValueError("the PAC answered with the stamp of another CFDI")
    stamped_at = tfd["FechaTimbrado"]
    if stamped_at.tzinfo is None:
        stamped_at = stamped_at.replace(tzinfo=MEXICO_CITY)
    return Stamped(uuid=str(tfd["UUID"]), xml=xml, stamped_at=stamped_at)


def cancel(
    settings: Settings,
    signer: Signer,
    uuid: str,
    motive: str,
    substitution_uuid: str | None = None,
    now: datetime | None = None,
) -> Cancelled:
    """Ask the PAC to cancel the stamped CFDI `uuid` (issued by `signer`'s RFC) with `motive`
    (c_MotivoCancelacion; 01 needs `substitution_uuid`). Cancelled, PacUnavailable or CancelRefused."""
    fecha = (now or datetime.now(MEXICO_CITY)).astimezone(MEXICO_CITY).replace(tzinfo=None, microsecond=0)
    request = Cancelacion(
        emisor=signer, folios=Folio(uuid.upper(), motive, substitution_uuid or None), fecha=fecha
    )
    sw = client(settings)
    try:
        try:
            answer = sw.cancel_comprobante(request)
        except ResponseError as refused:
            raise _cancel_refusal(refused.response) from None
        codes = {str(k).upper(): str(v) for k, v in dict(answer.code).items()}
        status = codes[uuid.upper()]
        acuse = answer.acuse.encode() if isinstance(answer.acuse, str) else bytes(answer.acuse)
        etree.fromstring(acuse)  # an acuse, not anything else
    except (requests.RequestException, etree.LxmlError, KeyError, TypeError, ValueError) as exc:
        raise PacUnavailable() from exc
    if status not in CANCELLED:
        raise CancelRefused(status, str(CANCEL_STATUS.get(status, status)))
    return Cancelled(status=status, acuse=acuse)


def _cancel_refusal(response: requests.Response) -> MarketError:
    """What SW's error answer to a cancellation means: our problem (unavailable) or a refusal to show."""
    try:
        answer = response.json()
        message = str(answer.get("message") or "")
        detail = answer.get("messageDetail")
    except (ValueError, AttributeError):
        return PacUnavailable()  # not SW talking (a proxy's error page...)
    if response.status_code in (401, 403):
        return PacCredentialsRefused(reason=message or str(response.status_code))
    if response.status_code >= 500 or response.status_code == 429 or not message:
        return PacUnavailable()
    found = MESSAGE_CODE.match(message)
    return CancelRefused(
        found.group(1) if found else str(response.status_code), message, str(detail) if detail else None
    )
