"""A producer's CSD (Certificado de Sello Digital): what is checked when it is uploaded, and the test CSDs the
demo and the tests sign with.

A CSD is an X.509 certificate (.cer, DER) issued by the SAT, and its RSA private key (.key: PKCS#8, DER,
encrypted with the producer's password). The certificate names the RFC in `x500UniqueIdentifier`
("RFC / RFC of the legal representative"), and its 20-digit certificate number is its serial number
written in ASCII digits. A FIEL (e.firma) looks alike but may not seal invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from satcfdi.exceptions import CFDIError
from satcfdi.models import Signer
from satcfdi.models.certificate import CertificateType

from market.errors import ValidationFailed
from market.i18n import N_

NOT_A_CERTIFICATE = N_("El archivo .cer no es un certificado del SAT: sube el .cer de tu CSD.")
WRONG_PASSWORD = N_("La contraseña no abre la llave privada (.key): revisa la contraseña de tu CSD.")
NOT_A_KEY = N_("El archivo .key no es una llave privada del SAT: sube el .key de tu CSD.")
KEY_MISMATCH = N_("La llave privada (.key) no corresponde a este certificado (.cer).")
NOT_A_CSD = N_("Este certificado es una e.firma (FIEL), no un CSD: para facturar se usa el CSD.")
OTHER_RFC = N_("El certificado es del RFC {found}, no del RFC de la organización ({rfc}).")
EXPIRED = N_("El certificado venció el {date}: tramita un CSD nuevo en el portal del SAT.")
NOT_YET = N_("El certificado es válido a partir del {date}.")


@dataclass(frozen=True)
class CsdFacts:
    """What a checked CSD says about itself."""

    rfc: str
    legal_name: str | None
    certificate_number: str  # the 20 digits a CFDI names in NoCertificado
    valid_from: datetime
    valid_until: datetime


def check(certificate: bytes, key: bytes, password: str, rfc: str, now: datetime | None = None) -> CsdFacts:
    """The CSD's facts, or ValidationFailed naming the file that is wrong and why: not a certificate, a key
    the password does not open or that belongs to another certificate, a FIEL, another RFC's, expired."""
    now = now or datetime.now(UTC)
    try:
        x509.load_der_x509_certificate(certificate)
    except ValueError:
        raise ValidationFailed({"certificate": NOT_A_CERTIFICATE}) from None
    try:
        signer = Signer.load(certificate=certificate, key=key, password=password, check=True)
    except CFDIError:
        raise ValidationFailed({"key": KEY_MISMATCH}) from None
    except (ValueError, TypeError) as exc:
        wrong_password = "password" in str(exc).lower() or "decrypt" in str(exc).lower()
        raise ValidationFailed(
            {"password": WRONG_PASSWORD} if wrong_password else {"key": NOT_A_KEY}
        ) from None
    if signer.type != CertificateType.CSD:
        raise ValidationFailed({"certificate": NOT_A_CSD})
    found = str(signer.rfc or "")
    if found != rfc.upper():
        raise ValidationFailed({"certificate": OTHER_RFC}, found=found or "—", rfc=rfc.upper())
    parsed = x509.load_der_x509_certificate(certificate)
    valid_from, valid_until = parsed.not_valid_before_utc, parsed.not_valid_after_utc
    if valid_until <= now:
        raise ValidationFailed({"certificate": EXPIRED}, date=valid_until.date().isoformat())
    if valid_from > now:
        raise ValidationFailed({"certificate": NOT_YET}, date=valid_from.date().isoformat())
    return CsdFacts(found, signer.legal_name, signer.certificate_number, valid_from, valid_until)


# --- test CSDs ---------------------------------------------------------------------------------------

X500_UNIQUE_IDENTIFIER = x509.ObjectIdentifier("2.5.4.45")


@dataclass(frozen=True)
class CsdFiles:
    certificate: bytes  # .cer, DER
    key: bytes  # .key, PKCS#8 DER encrypted with `password`
    password: str


def _name(common_name: str, rfc: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
    ]
    if rfc:
        attributes += [
            x509.NameAttribute(X500_UNIQUE_IDENTIFIER, f"{rfc} / "),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, " / "),
        ]
    return x509.Name(attributes)


@cache
def _test_authority_key() -> rsa.RSAPrivateKey:
    """The test authority's key: one a process (each key takes ~0.1 s to make)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_test_csd(
    rfc: str,
    legal_name: str,
    *,
    password: str = "12345678a",
    certificate_number: str = "30001000000500003416",
    valid_from: datetime | None = None,
    days: int = 4 * 365,
    fiel: bool = False,
) -> CsdFiles:
    """A CSD shaped like the SAT's, issued by a test authority that is not the SAT: for the demo and the
    tests only (no PAC would stamp what it seals)."""
    valid_from = valid_from or datetime.now(UTC) - timedelta(days=1)
    authority_key = _test_authority_key()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(legal_name, rfc))
        .issuer_name(_name("AC de pruebas de Tianguis Solidario (no es el SAT)"))
        .public_key(key.public_key())
        .serial_number(int(certificate_number.encode().hex(), 16))  # the 20 digits, as the SAT writes them
        .not_valid_before(valid_from)
        .not_valid_after(valid_from + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=fiel,
                key_agreement=fiel,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if fiel:  # an e.firma carries four extensions; a CSD two
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    certificate = builder.sign(authority_key, hashes.SHA256())
    return CsdFiles(
        certificate=certificate.public_bytes(serialization.Encoding.DER),
        key=key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        ),
        password=password,
    )
