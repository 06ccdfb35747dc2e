"""What an organization's people read: an invitation reaches the invited address over SMTP (in the language
of whoever invites, or of the invited person if they have an account), with the link to accept it; the
owners hear of verification, rejection, suspension and reinstatement with the reason and a link to the
organization's panel; every branch of these domains' messages renders in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.mail.delivery import deliver_due
from market.mail.models import Email
from market.mail.render import render
from market.organizations import service
from market.organizations.models import VerificationStatus
from tests.fixtures.smtp import SmtpServer
from tests.helpers import MAIL_SETTINGS, emails_to
from tests.mail.examples_others import VARIANTS
from tests.mail.test_kinds import LINK, is_a_page


def test_an_invitation_reaches_the_address_over_smtp_in_the_inviters_language(
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    make_user: Any,
    make_org: Any,
) -> None:
    ann = make_user("ann@example.mx", name="Ann Lee")
    ann.locale = "en"
    org = make_org(ann, name="Cooperativa Flor de Café")
    invitation = service.invite(session, ann, org, "Beto@Example.mx", "owner")
    session.commit()

    deliver_due(engine, smtp_settings)

    [received] = smtp_server.to("beto@example.mx")
    assert received.recipients == ["beto@example.mx"]
    assert received.message["Subject"] == "You are invited to Cooperativa Flor de Café on Tianguis Solidario"
    link = f"{smtp_settings.base_url}/invitaciones/{invitation.token}"
    assert received.text.startswith("Hello,") and 'lang="en"' in received.html
    for part in (received.text, received.html):
        assert "Ann Lee invites you to manage Cooperativa Flor de Café on Tianguis Solidario" in part
        assert "beto@example.mx" in part and link in part
    assert f'href="{link}"' in received.html


def test_an_invitation_to_someone_with_an_account_is_in_their_language(
    session: Session, make_user: Any, make_org: Any
) -> None:
    ann = make_user("ann@example.mx", name="Ann Lee")
    ann.locale = "en"
    org = make_org(ann, name="Cooperativa Flor de Café")
    make_user("beto@example.mx", name="Beto Ruiz")  # Spanish, as everyone is by default
    service.invite(session, ann, org, "beto@example.mx", "member")
    session.commit()

    [email] = emails_to(session, "beto@example.mx")
    assert email["subject"] == "Te invitan a Cooperativa Flor de Café en Tianguis Solidario"
    assert email["body"].startswith("Hola, Beto Ruiz:")
    assert "Ann Lee te invita a formar parte del equipo de Cooperativa Flor de Café" in email["body"]


def test_the_owners_hear_each_decision_about_their_organization_with_its_reason(
    session: Session, make_user: Any, make_org: Any
) -> None:
    admin = make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True)
    org = make_org(make_user("rosa@example.mx", name="Rosa Pérez"), status="pending")
    why = "Falta el acta de asamblea."

    service.reject(session, admin, org, why)
    org.verification_status = VerificationStatus.PENDING  # corrected
    service.verify(session, admin, org)
    service.suspend(session, admin, org, "Vende productos de otra marca.")
    service.reinstate(session, admin, org, "Aclaró el origen del producto.")
    session.commit()

    told = emails_to(session, "rosa@example.mx")
    assert [email["subject"] for email in told] == [
        f"{org.name}: faltan datos para verificarla",
        f"{org.name} ya está verificada",
        f"{org.name} fue suspendida",
        f"{org.name} ya no está suspendida",
    ]
    assert {email["kind"] for email in told} == {"organization_news"}
    assert {email["link"] for email in told} == {f"/panel/o/{org.slug}"}
    for email, reason in zip(
        told, [why, None, "Vende productos de otra marca.", "Aclaró el origen del producto."], strict=True
    ):
        if reason:
            assert f"Motivo: {reason}" in email["body"] and f"Motivo: {reason}" in email["html"]


@pytest.mark.parametrize(("kind", "context"), VARIANTS)
def test_each_branch_of_the_messages_renders_in_both_languages(
    app: FastAPI, kind: str, context: dict[str, Any]
) -> None:
    spanish, english = (
        render(
            Email(
                message_id="<x@y>",
                kind=kind,
                to_address="a@b.mx",
                context=context | {"name": None},
                locale=locale,
            ),
            MAIL_SETTINGS,
        )
        for locale in ("es", "en")
    )
    for rendered in (spanish, english):
        assert rendered.subject and rendered.text.strip() and "<p" not in rendered.text
        links = LINK.findall(rendered.text) + LINK.findall(rendered.html)
        assert [path for path in links if not is_a_page(app, path)] == []
    assert spanish.subject != english.subject and spanish.text != english.text
