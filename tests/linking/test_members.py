"""An institution's members, through the JSON API and the pages: its owners change roles and take people
out; anyone leaves; the last owner stays; whoever is out loses access with the very next request. (Joining
by invitation: tests/linking/test_invitations.py.)"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import User
from market.admin.models import AuditEntry
from market.db import transaction
from market.errors import Forbidden, LastOwner
from market.linking import buyer_members
from market.linking.models import BuyerMembership, BuyerOrganization
from tests.helpers import (
    INSTITUTION,
    add_to_institution,
    api_token,
    csrf_of,
    database_state,
    emails_to,
    make_institution,
    signed_in,
)
from tests.pages import elements, flash, flashes, heading, one, table_rows, text_of

API = "/api/v1/buyer-organizations"


@pytest.fixture
def office(
    client: TestClient, session: Session, school: BuyerOrganization, school_buyer: User, make_user: Any
) -> dict[str, Any]:
    """The school: Marta (compras@) owns it, Rosa (direccion@) is a member; Luis owns a hospital; Noé belongs
    nowhere."""
    rosa = make_user("direccion@escuela.mx", name="Rosa Díaz")
    add_to_institution(session, school, rosa)
    luis, noe = make_user("compras@hospital.mx", name="Luis Pat"), make_user("noe@example.mx", name="Noé")
    hospital = make_institution(session, luis, INSTITUTION | {"name": "Hospital General de Tekax"})
    session.commit()
    emails = ("compras@escuela.mx", "direccion@escuela.mx", "compras@hospital.mx", "noe@example.mx")
    return {
        "school": school,
        "hospital": hospital,
        "people": {"marta": school_buyer, "rosa": rosa, "luis": luis, "noe": noe},
        "tokens": dict(
            zip(("marta", "rosa", "luis", "noe"), (api_token(client, e) for e in emails), strict=True)
        ),
    }


def role_of(session: Session, buyer: BuyerOrganization, user: User) -> str | None:
    session.expire_all()
    return session.exec(
        select(BuyerMembership.role).where(
            BuyerMembership.buyer_organization_id == buyer.id, BuyerMembership.user_id == user.id
        )
    ).first()


def test_members_see_who_belongs_and_nobody_else_does(client: TestClient, office: dict[str, Any]) -> None:
    url = f"{API}/{office['school'].id}/members"
    for key in ("marta", "rosa"):
        listed = client.get(url, headers=office["tokens"][key])
        assert listed.status_code == 200
        assert [(m["email"], m["role"]) for m in listed.json()] == [
            ("compras@escuela.mx", "owner"),
            ("direccion@escuela.mx", "member"),
        ]
    assert client.get(url, headers=office["tokens"]["luis"]).status_code == 404  # another institution's
    assert client.get(url).status_code == 401


def test_a_member_cannot_promote_themselves_nor_remove_anyone(
    client: TestClient, engine: Engine, office: dict[str, Any]
) -> None:
    school, people, rosa = office["school"], office["people"], office["tokens"]["rosa"]
    before = database_state(engine)
    promote = client.patch(
        f"{API}/{school.id}/members/{people['rosa'].id}", json={"role": "owner"}, headers=rosa
    )
    assert promote.status_code == 403
    assert client.delete(f"{API}/{school.id}/members/{people['marta'].id}", headers=rosa).status_code == 403
    assert database_state(engine) == before


def test_the_last_owner_cannot_leave_be_removed_or_be_demoted(
    client: TestClient, engine: Engine, office: dict[str, Any]
) -> None:
    school, marta, owner = office["school"], office["people"]["marta"], office["tokens"]["marta"]
    before = database_state(engine)
    for refused in (
        client.patch(f"{API}/{school.id}/members/{marta.id}", json={"role": "member"}, headers=owner),
        client.delete(f"{API}/{school.id}/members/{marta.id}", headers=owner),
        client.post(f"{API}/{school.id}/leave", headers=owner),
    ):
        assert refused.status_code == 409 and refused.json()["error"] == "last_owner"
    assert database_state(engine) == before


def test_an_owner_promotes_and_then_steps_down(
    client: TestClient, session: Session, office: dict[str, Any]
) -> None:
    school, people, marta = office["school"], office["people"], office["tokens"]["marta"]
    promoted = client.patch(
        f"{API}/{school.id}/members/{people['rosa'].id}", json={"role": "owner"}, headers=marta
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
    assert emails_to(session, "direccion@escuela.mx")[-1]["subject"] == f"Tu rol en {school.name} cambió"
    assert client.post(f"{API}/{school.id}/leave", headers=marta).status_code == 204
    assert (
        role_of(session, school, people["marta"]) is None
        and role_of(session, school, people["rosa"]) == "owner"
    )


def test_someone_of_another_institution_or_an_unknown_id_is_not_found_here(
    client: TestClient, engine: Engine, office: dict[str, Any]
) -> None:
    school, people, marta = office["school"], office["people"], office["tokens"]["marta"]
    before = database_state(engine)
    for user_id in (people["luis"].id, people["noe"].id, 999_999):
        gone = client.delete(f"{API}/{school.id}/members/{user_id}", headers=marta)
        assert gone.status_code == 404 and gone.json()["error"] == "member_not_found"
    luis = office["tokens"]["luis"]
    assert client.delete(f"{API}/{school.id}/members/{people['rosa'].id}", headers=luis).status_code == 404
    assert client.post(f"{API}/{school.id}/leave", headers=office["tokens"]["noe"]).status_code == 404
    assert client.delete(f"{API}/{school.id}/members/{people['rosa'].id}").status_code == 401
    assert database_state(engine) == before


def test_a_removed_colleague_loses_access_with_the_very_next_request(
    app: FastAPI, client: TestClient, session: Session, office: dict[str, Any]
) -> None:
    school, rosa = office["school"], office["people"]["rosa"]
    token, browser = office["tokens"]["rosa"], signed_in(app, "direccion@escuela.mx")
    pages = [f"/instituciones/{school.id}/miembros", f"/instituciones/{school.id}/demandas/nueva"]
    endpoints = [f"{API}/{school.id}/members", f"{API}/{school.id}/demands"]
    assert [browser.get(path).status_code for path in pages] == [200, 200]
    assert [client.get(path, headers=token).status_code for path in endpoints] == [200, 200]
    assert "demandas-h" in browser.get(f"/instituciones/{school.id}").text  # the members' side of its page

    removed = client.delete(f"{API}/{school.id}/members/{rosa.id}", headers=office["tokens"]["marta"])

    assert removed.status_code == 204
    assert [browser.get(path).status_code for path in pages] == [404, 404]
    assert browser.get(f"/instituciones/{school.id}").status_code == 404
    assert [client.get(path, headers=token).status_code for path in endpoints] == [404, 404]
    assert client.get(API, headers=token).json() == []
    email = emails_to(session, "direccion@escuela.mx")[-1]
    assert email["subject"] == f"Ya no formas parte de {school.name}"
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "buyer_organization.member_remove")
    ).one()
    assert entry.target_id == school.id and entry.details["user_id"] == rosa.id


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    engine: Engine, session: Session, office: dict[str, Any]
) -> None:
    school, marta, rosa = office["school"], office["people"]["marta"], office["people"]["rosa"]
    with transaction(engine) as tx:
        tx.exec(select(BuyerMembership).where(BuyerMembership.user_id == rosa.id)).one().role = "owner"
    outcome: list[str] = []

    def rosa_demotes_marta() -> None:
        with transaction(engine) as tx:
            try:
                buyer_members.change_role(
                    tx, rosa, tx.get_one(BuyerOrganization, school.id), marta.id or 0, "member"
                )
                outcome.append("demoted")
            except (Forbidden, LastOwner) as exc:
                outcome.append(type(exc).__name__)

    with transaction(engine) as first:
        buyer_members.change_role(
            first, marta, first.get_one(BuyerOrganization, school.id), rosa.id or 0, "member"
        )
        second = threading.Thread(target=rosa_demotes_marta)
        second.start()
        time.sleep(0.5)
        assert second.is_alive() and outcome == []  # it waits for the institution's row
    second.join(30)

    assert outcome == ["Forbidden"]
    assert role_of(session, school, marta) == "owner" and role_of(session, school, rosa) == "member"


# --- the pages --------------------------------------------------------------------------------------


def test_the_members_page_shows_owners_their_actions_and_members_only_leaving(
    app: FastAPI, office: dict[str, Any]
) -> None:
    school, rosa = office["school"], office["people"]["rosa"]
    path = f"/instituciones/{school.id}/miembros"
    page = signed_in(app, "compras@escuela.mx").get(path)
    assert heading(page) == f"Miembros de {school.name}"
    assert [row[:3] for row in table_rows(page, "#personas table")] == [
        ["Marta Ruiz (tú)", "compras@escuela.mx", "propietaria"],
        ["Rosa Díaz", "direccion@escuela.mx", "integrante"],
    ]
    one(page, f"#miembro-{rosa.id} form[action='{path}/{rosa.id}/rol']")
    assert "¿Quitar a Rosa Díaz" in text_of(one(page, f"#miembro-{rosa.id} details.confirm-step"))
    member_page = signed_in(app, "direccion@escuela.mx").get(path)
    assert elements(member_page, "#personas form") == []
    one(member_page, f"#salir details.confirm-step form[action='/instituciones/{school.id}/salir']")
    assert elements(member_page, "#invitaciones, #invitar") == []  # owners invite, members do not
    # The institution's page: owners are sent to invite, members reach the members' page.
    school_page = signed_in(app, "direccion@escuela.mx").get(f"/instituciones/{school.id}")
    assert elements(school_page, "form[action*='integrantes'], form[action*='invitaciones']") == []
    assert elements(school_page, f"#integrantes a[href='{path}#invitar']") == []
    one(school_page, f"#integrantes a[href='{path}']")
    owner_school_page = signed_in(app, "compras@escuela.mx").get(f"/instituciones/{school.id}")
    one(owner_school_page, f"#integrantes a[href='{path}#invitar']")
    assert signed_in(app, "compras@hospital.mx").get(path).status_code == 404


def test_owners_act_from_the_page_and_the_last_owner_is_refused_there(
    app: FastAPI, engine: Engine, session: Session, office: dict[str, Any]
) -> None:
    school, people = office["school"], office["people"]
    path = f"/instituciones/{school.id}/miembros"
    owner = signed_in(app, "compras@escuela.mx")
    token = csrf_of(owner, path)
    before = database_state(engine)
    refused = owner.post(f"/instituciones/{school.id}/salir", data={"csrf_token": token})
    assert refused.status_code == 303 and refused.headers["location"] == path
    assert flash(owner.get(path), "error").startswith("Debe quedar al menos una persona")
    assert database_state(engine) == before

    changed = owner.post(f"{path}/{people['rosa'].id}/rol", data={"role": "owner", "csrf_token": token})
    assert changed.status_code == 303 and role_of(session, school, people["rosa"]) == "owner"
    removed = owner.post(f"{path}/{people['rosa'].id}/quitar", data={"csrf_token": token})
    assert removed.status_code == 303
    assert flashes(owner.get(path), "success") == [
        "Cambiamos el rol a propietaria.",
        f"Rosa Díaz ya no forma parte de {school.name}.",
    ]
    assert role_of(session, school, people["rosa"]) is None


def test_a_member_invites_no_one_from_the_page_and_leaves_from_it(
    app: FastAPI, engine: Engine, session: Session, office: dict[str, Any]
) -> None:
    school = office["school"]
    rosa = signed_in(app, "direccion@escuela.mx")
    token = csrf_of(rosa, f"/instituciones/{school.id}")
    before = database_state(engine)
    inviting = rosa.post(
        f"/instituciones/{school.id}/invitaciones", data={"email": "noe@example.mx", "csrf_token": token}
    )
    assert inviting.status_code == 403
    assert "Solo quien administra la institución puede hacer esto." in text_of(inviting)
    assert database_state(engine) == before
    left = rosa.post(f"/instituciones/{school.id}/salir", data={"csrf_token": token})
    assert left.status_code == 303 and left.headers["location"] == "/panel"
    assert role_of(session, school, office["people"]["rosa"]) is None
    assert rosa.get(f"/instituciones/{school.id}/miembros").status_code == 404
