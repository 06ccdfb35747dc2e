"""Joining an institution by invitation, through the JSON API and the pages: nobody becomes a member (let
alone its owner) without accepting; the answer never tells whether an e-mail has an account, nor whose; an
invitation is accepted once, by the invited address, within seven days, unless revoked or replaced; and an
institution (or a producer organization) sends at most 20 invitations an hour."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin.models import AuditEntry
from market.db import utcnow
from market.linking.models import BuyerInvitation, BuyerMembership, BuyerOrganization
from market.organizations.invitations import INVITATIONS_PER_HOUR
from tests.helpers import (
    INSTITUTION,
    add_to_institution,
    api_token,
    csrf_of,
    database_state,
    emails_to,
    signed_in,
)
from tests.pages import elements, flash, heading, one, table_rows, text_of

API = "/api/v1/buyer-organizations"
TOO_MANY = "Ya se enviaron 20 invitaciones en la última hora, el máximo."


def role_of(session: Session, buyer_id: int, user: User) -> str | None:
    session.expire_all()
    return session.exec(
        select(BuyerMembership.role).where(
            BuyerMembership.buyer_organization_id == buyer_id, BuyerMembership.user_id == user.id
        )
    ).first()


def token_of(session: Session, invitation_id: int) -> str:
    session.expire_all()
    return session.exec(select(BuyerInvitation.token).where(BuyerInvitation.id == invitation_id)).one()


@pytest.fixture
def office(client: TestClient, session: Session, school: BuyerOrganization, make_user: Any) -> dict[str, Any]:
    """The school (Marta, compras@, owns it; Rosa, direccion@, is a member); Carla has an account and
    belongs nowhere."""
    rosa, carla = (
        make_user("direccion@escuela.mx", name="Rosa Díaz"),
        make_user("carla@example.mx", name="Carla Pech"),
    )
    add_to_institution(session, school, rosa)
    session.commit()
    tokens = {
        key: api_token(client, e)
        for key, e in (("marta", "compras@escuela.mx"), ("rosa", rosa.email), ("carla", carla.email))
    }
    return {
        "school": school,
        "rosa": rosa,
        "carla": carla,
        "tokens": tokens,
        "url": f"{API}/{school.id}/invitations",
    }


# --- the reported defect ----------------------------------------------------------------------------


def test_nobody_is_made_a_member_or_owner_without_accepting_nor_learns_who_has_an_account(
    client: TestClient, session: Session, make_user: Any
) -> None:
    victim = make_user("consumidora@example.mx", name="Carla Consumidora")
    make_user("cualquiera@example.mx", name="Alguien")
    anyone = api_token(client, "cualquiera@example.mx")
    created = client.post(API, headers=anyone, json=INSTITUTION)
    assert created.status_code == 201
    buyer_id = created.json()["id"]

    assert (
        client.post(f"{API}/{buyer_id}/members", headers=anyone, json={"email": victim.email}).status_code
        == 405
    )
    known = client.post(f"{API}/{buyer_id}/invitations", headers=anyone, json={"email": victim.email})
    unknown = client.post(f"{API}/{buyer_id}/invitations", headers=anyone, json={"email": "nadie@example.mx"})
    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json()) == {"id", "email", "role", "created_at", "expires_at"}
    assert known.json()["email"] == victim.email and "Carla" not in known.text
    # Both addresses get the link, whether or not they have an account.
    for address in (victim.email, "nadie@example.mx"):
        [email] = emails_to(session, address)
        assert email["kind"] == "invitation" and email["link"].startswith("/invitaciones/institucion/")

    # She is no member: she cannot be made owner, and the creator cannot leave her holding it.
    assert role_of(session, buyer_id, victim) is None
    promoted = client.patch(f"{API}/{buyer_id}/members/{victim.id}", headers=anyone, json={"role": "owner"})
    assert promoted.status_code == 404 and promoted.json()["error"] == "member_not_found"
    left = client.post(f"{API}/{buyer_id}/leave", headers=anyone)
    assert left.status_code == 409 and left.json()["error"] == "last_owner"
    assert client.get(API, headers=api_token(client, victim.email)).json() == []


# --- the API ------------------------------------------------------------------------------------------


def test_only_its_owners_invite_and_nothing_is_written_otherwise(
    client: TestClient, engine: Engine, office: dict[str, Any]
) -> None:
    before = database_state(engine)
    by_member = client.post(office["url"], headers=office["tokens"]["rosa"], json={"email": "x@example.mx"})
    assert by_member.status_code == 403
    by_outsider = client.post(
        office["url"], headers=office["tokens"]["carla"], json={"email": "x@example.mx"}
    )
    assert by_outsider.status_code == 404
    assert client.post(office["url"], json={"email": "x@example.mx"}).status_code == 401
    wrong = client.post(office["url"], headers=office["tokens"]["marta"], json={"email": "x", "role": "jefa"})
    assert wrong.status_code == 422
    assert client.get(office["url"], headers=office["tokens"]["rosa"]).status_code == 403
    assert database_state(engine) == before


def test_the_invited_person_accepts_once_with_the_invited_role(
    client: TestClient, session: Session, office: dict[str, Any]
) -> None:
    school, carla, marta = office["school"], office["carla"], office["tokens"]["marta"]
    invited = client.post(office["url"], headers=marta, json={"email": "Carla@Example.mx", "role": "owner"})
    assert invited.status_code == 201 and invited.json()["role"] == "owner"
    assert invited.json()["email"] == "carla@example.mx"
    token = token_of(session, invited.json()["id"])
    accept = f"{API}/invitations/{token}/accept"
    # Someone else, signed in with another e-mail, cannot use her link.
    assert client.post(accept, headers=office["tokens"]["rosa"]).status_code == 404
    assert client.post(accept).status_code == 401
    accepted = client.post(accept, headers=office["tokens"]["carla"])
    assert accepted.status_code == 200 and accepted.json()["id"] == school.id
    assert role_of(session, school.id, carla) == "owner"
    again = client.post(accept, headers=office["tokens"]["carla"])
    assert again.status_code == 404  # used
    assert client.get(office["url"], headers=marta).json() == []
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "buyer_organization.member_join")
    ).one()
    assert entry.target_id == school.id and entry.details["user_id"] == carla.id
    # She belongs now: inviting her again says so, and where roles are changed.
    already = client.post(office["url"], headers=marta, json={"email": carla.email, "role": "member"})
    assert already.status_code == 409 and already.json()["error"] == "already_member"
    assert "página «Miembros»" in already.json()["detail"]


def test_a_revoked_expired_or_replaced_invitation_no_longer_works(
    client: TestClient, engine: Engine, session: Session, office: dict[str, Any]
) -> None:
    marta, carla = office["tokens"]["marta"], office["tokens"]["carla"]
    first = client.post(office["url"], headers=marta, json={"email": "carla@example.mx"}).json()
    second = client.post(office["url"], headers=marta, json={"email": "carla@example.mx"}).json()  # a resend
    assert [i["id"] for i in client.get(office["url"], headers=marta).json()] == [second["id"]]
    replaced = client.post(f"{API}/invitations/{token_of(session, first['id'])}/accept", headers=carla)
    assert replaced.status_code == 410 and replaced.json()["error"] == "invitation_revoked"
    assert "quien administra la institución" in replaced.json()["detail"]

    # An invitation of another institution is not found here; its own is revoked.
    assert (
        client.delete(f"{office['url']}/{second['id']}", headers=office["tokens"]["rosa"]).status_code == 403
    )
    assert client.delete(f"{office['url']}/{second['id']}", headers=marta).status_code == 204
    assert client.delete(f"{office['url']}/{second['id']}", headers=marta).status_code == 404
    revoked = client.post(f"{API}/invitations/{token_of(session, second['id'])}/accept", headers=carla)
    assert revoked.status_code == 410 and revoked.json()["error"] == "invitation_revoked"

    third = client.post(office["url"], headers=marta, json={"email": "carla@example.mx"}).json()
    with engine.begin() as connection:
        connection.execute(
            update(BuyerInvitation)
            .where(col(BuyerInvitation.id) == third["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    before = database_state(engine)
    expired = client.post(f"{API}/invitations/{token_of(session, third['id'])}/accept", headers=carla)
    assert expired.status_code == 410 and expired.json()["error"] == "invitation_expired"
    assert database_state(engine) == before and role_of(session, office["school"].id, office["carla"]) is None


def test_an_institution_sends_at_most_20_invitations_an_hour(
    client: TestClient, engine: Engine, session: Session, office: dict[str, Any]
) -> None:
    marta = office["tokens"]["marta"]
    for n in range(INVITATIONS_PER_HOUR):
        assert (
            client.post(office["url"], headers=marta, json={"email": f"p{n}@example.mx"}).status_code == 201
        )
    sent = len(emails_to(session, "p0@example.mx"))
    before = database_state(engine)
    for email in ("p0@example.mx", "otra@example.mx"):  # neither a resend nor a new one
        refused = client.post(office["url"], headers=marta, json={"email": email})
        assert refused.status_code == 429 and refused.json()["error"] == "too_many_invitations"
        assert refused.json()["detail"].startswith(TOO_MANY) and int(refused.headers["Retry-After"]) > 0
    assert database_state(engine) == before and len(emails_to(session, "p0@example.mx")) == sent
    # An hour later they count no more.
    with engine.begin() as connection:
        connection.execute(
            update(BuyerInvitation).values(created_at=utcnow() - timedelta(hours=1, minutes=1))
        )
    assert client.post(office["url"], headers=marta, json={"email": "otra@example.mx"}).status_code == 201


def test_a_producer_organization_sends_at_most_20_invitations_an_hour(
    app: FastAPI, client: TestClient, engine: Engine, make_user: Any, make_org: Any
) -> None:
    owner = make_user("duena@example.mx")
    org = make_org(owner)
    headers = api_token(client, owner.email)
    url = f"/api/v1/organizations/{org.slug}/invitations"
    for n in range(INVITATIONS_PER_HOUR):
        assert client.post(url, headers=headers, json={"email": f"p{n}@example.mx"}).status_code == 201
    before = database_state(engine)
    refused = client.post(url, headers=headers, json={"email": "p0@example.mx"})
    assert refused.status_code == 429 and refused.json()["detail"].startswith(TOO_MANY)
    # The page: the members' page again, with why, still a 429.
    browser = signed_in(app, owner.email)
    members = f"/panel/o/{org.slug}/miembros"
    token = csrf_of(browser, members)
    before = database_state(engine)
    page = browser.post(
        f"/panel/o/{org.slug}/invitaciones",
        data={"email": "nueva@example.mx", "csrf_token": token},
    )
    assert page.status_code == 429 and flash(page, "error").startswith(TOO_MANY)
    assert heading(page) == f"Miembros de {org.name}"
    assert database_state(engine) == before and len(before["invitation"]) == INVITATIONS_PER_HOUR


# --- the pages ----------------------------------------------------------------------------------------


def test_an_owner_invites_resends_and_cancels_from_the_members_page(
    app: FastAPI, engine: Engine, session: Session, office: dict[str, Any]
) -> None:
    school = office["school"]
    path = f"/instituciones/{school.id}/miembros"
    owner = signed_in(app, "compras@escuela.mx")
    token = csrf_of(owner, path)
    form = one(owner.get(path), f"#invitar[action='/instituciones/{school.id}/invitaciones']")
    assert [e.get("name") for e in form.select("input, select")] == ["csrf_token", "email", "role"]

    before = database_state(engine)
    wrong = owner.post(
        f"/instituciones/{school.id}/invitaciones", data={"email": "no es correo", "csrf_token": token}
    )
    assert wrong.status_code == 422 and flash(wrong, "error")
    assert one(wrong, "#invite-email")["value"] == "no es correo"
    already = owner.post(
        f"/instituciones/{school.id}/invitaciones",
        data={"email": "direccion@escuela.mx", "csrf_token": token},
    )
    assert already.status_code == 409
    assert flash(already, "error").startswith("Esa persona ya es integrante de la institución")
    assert database_state(engine) == before

    sent = owner.post(
        f"/instituciones/{school.id}/invitaciones",
        data={"email": "carla@example.mx", "role": "owner", "csrf_token": token},
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"{path}#invitaciones"
    page = owner.get(path)
    assert flash(page, "success") == "Enviamos la invitación a carla@example.mx."
    [row] = table_rows(page, "#invitaciones table")
    assert row[:2] == ["carla@example.mx", "propietaria"]
    assert role_of(session, school.id, office["carla"]) is None
    [invitation] = session.exec(select(BuyerInvitation)).all()
    one(page, f"#invitacion-{invitation.id} form.resend")
    resent = owner.post(
        f"/instituciones/{school.id}/invitaciones",
        data={"email": "carla@example.mx", "role": "owner", "csrf_token": token},
    )
    assert resent.status_code == 303
    session.expire_all()
    [old, new] = session.exec(select(BuyerInvitation).order_by(col(BuyerInvitation.id))).all()
    assert old.revoked_at is not None and new.revoked_at is None
    cancel = one(owner.get(path), f"#invitacion-{new.id} details.revoke form")
    assert cancel["action"] == f"/instituciones/{school.id}/invitaciones/{new.id}/cancelar"
    assert owner.post(str(cancel["action"]), data={"csrf_token": token}).status_code == 303
    page = owner.get(path)
    assert elements(page, "#invitaciones table") == [] and "No hay invitaciones pendientes." in text_of(page)


def test_the_invited_person_accepts_on_the_invitation_page(
    app: FastAPI, client: TestClient, session: Session, office: dict[str, Any]
) -> None:
    school = office["school"]
    invited = client.post(
        office["url"], headers=office["tokens"]["marta"], json={"email": "carla@example.mx"}
    )
    link = f"/invitaciones/institucion/{token_of(session, invited.json()['id'])}"
    other = signed_in(app, "direccion@escuela.mx")
    assert other.get(link).status_code == 404
    carla = signed_in(app, "carla@example.mx")
    page = carla.get(link)
    assert page.status_code == 200 and f"Te invitaron a formar parte de {school.name}" in text_of(page)
    accepted = carla.post(link, data={"csrf_token": csrf_of(carla, link)})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/instituciones/{school.id}"
    assert flash(carla.get(f"/instituciones/{school.id}"), "success") == f"Ya formas parte de {school.name}."
    assert role_of(session, school.id, office["carla"]) == "member"
    assert carla.get(link).status_code == 404  # used


def test_an_institution_page_refuses_the_21st_invitation_of_the_hour(
    app: FastAPI, engine: Engine, office: dict[str, Any]
) -> None:
    school = office["school"]
    path = f"/instituciones/{school.id}/miembros"
    owner = signed_in(app, "compras@escuela.mx")
    token = csrf_of(owner, path)
    for n in range(INVITATIONS_PER_HOUR):
        sent = owner.post(
            f"/instituciones/{school.id}/invitaciones",
            data={"email": f"p{n}@example.mx", "csrf_token": token},
        )
        assert sent.status_code == 303
    before = database_state(engine)
    refused = owner.post(
        f"/instituciones/{school.id}/invitaciones", data={"email": "otra@example.mx", "csrf_token": token}
    )
    assert refused.status_code == 429 and flash(refused, "error").startswith(TOO_MANY)
    assert one(refused, "#invite-email")["value"] == "otra@example.mx"
    assert database_state(engine) == before


def test_the_invited_person_sees_the_invitation_on_their_panel_and_accepts_there(
    app: FastAPI, client: TestClient, session: Session, office: dict[str, Any]
) -> None:
    school = office["school"]
    invited = client.post(
        office["url"], headers=office["tokens"]["marta"], json={"email": "carla@example.mx"}
    )
    link = f"/invitaciones/institucion/{token_of(session, invited.json()['id'])}"
    assert elements(signed_in(app, "direccion@escuela.mx").get("/panel"), "#invitaciones") == []
    carla = signed_in(app, "carla@example.mx")
    panel = carla.get("/panel")
    assert school.name in text_of(one(panel, "#invitaciones"))
    form = one(panel, f"#invitaciones form[action='{link}']")
    assert carla.post(str(form["action"]), data={"csrf_token": csrf_of(carla, "/panel")}).status_code == 303
    assert role_of(session, school.id, office["carla"]) == "member"
    assert elements(carla.get("/panel"), "#invitaciones") == []
