"""Sealing a CFDI with the producer's CSD: the XML is checked against the SAT's schema and its seal verified
before anything is sent to a PAC, so that a broken invoice never leaves the platform.

The seal (`Sello`) is the producer's RSA-SHA256 signature over the CFDI's cadena original (Anexo 20's XSLT
of the Comprobante, without the TimbreFiscalDigital); the certificate that checks it travels inside the XML
(`Certificado`, with its number in `NoCertificado`)."""

from __future__ import annotations

import base64
import binascii

from lxml import etree
from OpenSSL import crypto
from satcfdi.cfdi import CFDI
from satcfdi.exceptions import CFDIError, SchemaValidationError
from satcfdi.models import Certificate, Signer

from market.errors import MarketError
from market.i18n import N_


class CfdiInvalid(MarketError):
    """The CFDI does not follow the SAT's schema: no PAC would stamp it."""

    status_code = 422
    code = "cfdi_invalid"
    message = N_("La factura no cumple el esquema del SAT: {reason}")


class BrokenSeal(MarketError):
    """The seal does not match the CFDI's content (or it has none): it must never reach the PAC."""

    status_code = 422
    code = "cfdi_broken_seal"
    message = N_("El sello de la factura no corresponde a su contenido: no se envía al PAC.")


def seal(comprobante: CFDI, signer: Signer) -> bytes:
    """The CFDI signed with `signer` (the producer's CSD), as XML checked against the SAT's schema and whose
    seal verifies; CfdiInvalid or BrokenSeal otherwise."""
    comprobante.sign(signer)
    try:
        xml: bytes = comprobante.xml_bytes(validate=True)
    except SchemaValidationError as exc:
        raise CfdiInvalid(reason=schema_reason(exc)) from None
    if not seal_verifies(xml):
        raise BrokenSeal()
    return xml


def schema_reason(exc: SchemaValidationError) -> str:
    """The first thing the schema found wrong, in one line."""
    first = exc.error_log[0] if len(exc.error_log) else None
    return str(first.message) if first is not None else str(exc)


def seal_verifies(xml: bytes) -> bool:
    """Whether the CFDI's `Sello` is its own certificate's signature over its cadena original (and the
    certificate is the one `NoCertificado` names). False for anything that is not a sealed CFDI."""
    try:
        cfdi = CFDI.from_string(xml)
        certificate = Certificate.load_certificate(base64.b64decode(cfdi["Certificado"]))
        signature = base64.b64decode(cfdi["Sello"])
        if certificate.certificate_number != cfdi["NoCertificado"]:
            return False
        return bool(certificate.verify_sha256(cfdi.cadena_original().encode(), signature))
    except (etree.XMLSyntaxError, crypto.Error, CFDIError, KeyError, TypeError, ValueError, binascii.Error):
        return False
