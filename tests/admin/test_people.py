"""The administrators' page of people: found by e-mail or name, a page each with their memberships, and an
e-mail confirmed by hand for support, in the audit log; nobody else may see or do any of it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import User
from market.admin import people
from market.linking import buyers
from market.linking.schemas import BuyerOrganizationCreate
from tests.admin.conftest import World, audit_entries
from tests.helpers import INSTITUTION, api_token, csrf_of, database_state, signed_in
from tests.pages import buttons, flash, heading, hrefs, one, soup, table_row, table_rows, texts


def test_people_are_found_by_email_or_name_with_their_confirmation(
    app: FastAPI, world: World, make_user: Any
) -> None:
    make_user("luis@escuela.mx", name="Luis Gómez", confirmed=False)
    admin = signed_in(app, world.admin.email)

    everyone = soup(admin.get("/admin/personas"))
    names = [row[0] for row in table_rows(everyone)]
    for name in ("Rosa Pérez", "Equipo Tianguis", "Eva Martínez", "Luis Gómez"):
        assert name in names or f"{name} Administración" in names
    assert len(names) == 4 and "4 personas" in texts(everyone, "h1 ~ p.small")
    assert "/admin/personas" in hrefs(admin.get("/admin"))

    by_email = soup(admin.get("/admin/personas?q=ESCUELA"))
    assert [row[:3] for row in table_rows(by_email)] == [["Luis Gómez", "luis@escuela.mx", "Sin confirmar"]]
    assert "1 persona" in texts(by_email, "h1 ~ p.small")
    by_name = table_rows(admin.get("/admin/personas?q=rosa"))
    assert [row[:3] for row in by_name] == [["Rosa Pérez", "cafe@example.mx", "Confirmado"]]
    nobody = admin.get("/admin/personas?q=100%25")
    assert table_rows(nobody) == [] and texts(nobody, ".empty") == ["Nadie tiene ese correo o ese nombre."]


def test_the_list_is_paginated(session: Session, make_user: Any) -> None:
    admin = make_user("admin@example.mx", is_admin=True)
    for n in range(people.PER_PAGE + 3):
        session.add(User(email=f"p{n}@example.mx", name=f"Persona {n}", password_hash="x"))
    session.commit()

    first, last = people.search(session, admin, "", 1), people.search(session, admin, "", 2)

    assert first.total == people.PER_PAGE + 4 and first.pages == 2
    assert len(first.items) == people.PER_PAGE and len(last.items) == 4
    assert not {u.id for u in first.items} & {u.id for u in last.items}


def test_a_persons_page_shows_their_memberships(app: FastAPI, session: Session, world: World) -> None:
    buyers.create(session, world.buyer, BuyerOrganizationCreate(**INSTITUTION))
    session.commit()
    admin = signed_in(app, world.admin.email)

    owner = soup(admin.get(f"/admin/personas/{world.owner.id}"))
    assert heading(owner) == "Rosa Pérez" and "cafe@example.mx" in texts(owner, ".facts dd")
    assert texts(one(owner, "section[aria-labelledby=organizaciones-h]"), "li") == [
        f"{world.org.name} Verificada propietaria"
    ]
    assert "Confirmar correo" not in buttons(owner)  # already confirmed
    buyer = soup(admin.get(f"/admin/personas/{world.buyer.id}"))
    assert texts(one(buyer, "section[aria-labelledby=instituciones-h]"), "li a") == [INSTITUTION["name"]]
    assert texts(one(buyer, "section[aria-labelledby=organizaciones-h]"), ".empty") == [
        "No forma parte de ninguna organización productora."
    ]
    assert admin.get("/admin/personas/999999").status_code == 404


def test_an_administrator_confirms_an_email_by_hand(
    app: FastAPI, session: Session, world: World, make_user: Any
) -> None:
    luis = make_user("luis@escuela.mx", name="Luis Gómez", confirmed=False)
    admin = signed_in(app, world.admin.email)
    path = f"/admin/personas/{luis.id}"
    assert "Confirmar correo" in buttons(admin.get(path))

    done = admin.post(f"{path}/confirmar-correo", data={"csrf_token": csrf_of(admin, path)})

    assert done.status_code == 303 and done.headers["location"] == path
    page = soup(admin.get(path))
    assert flash(page, "success") == "Confirmamos el correo de Luis Gómez."
    assert "Confirmar correo" not in buttons(page)
    session.expire_all()
    assert session.get(User, luis.id).email_confirmed  # type: ignore[union-attr]
    [entry] = audit_entries(session)
    assert (entry.action, entry.target_type, entry.target_id) == ("user.confirm_email", "user", luis.id)
    assert entry.actor_id == world.admin.id
    log = admin.get("/admin/auditoria?accion=user")
    confirmed_row = table_row(log, "Correo confirmado a mano")
    assert confirmed_row[3] == "Persona: Luis Gómez <luis@escuela.mx>"
    assert f"/admin/personas/{luis.id}" in hrefs(log, "tr[data-entry] a")

    again = admin.post(f"{path}/confirmar-correo", data={"csrf_token": csrf_of(admin, path)})
    assert again.status_code == 303
    assert flash(admin.get(path)) == "El correo de esta persona ya está confirmado."
    assert len(audit_entries(session)) == 1


def test_nobody_else_sees_people_or_confirms_them(
    app: FastAPI, world: World, make_user: Any, engine: Engine, session: Session
) -> None:
    luis = make_user("luis@escuela.mx", name="Luis Gómez", confirmed=False)
    producer = signed_in(app, world.owner.email)
    before = database_state(engine)

    assert producer.get(f"/admin/personas/{luis.id}").status_code == 403
    assert producer.get("/admin/personas/999999").status_code == 403  # no probing which accounts exist
    path = f"/admin/personas/{luis.id}/confirmar-correo"
    assert producer.post(path, data={"csrf_token": csrf_of(producer, "/panel")}).status_code == 403
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.get("/admin/personas").headers["location"].startswith("/entrar")
    assert database_state(engine) == before
    assert not session.exec(select(User).where(User.id == luis.id)).one().email_confirmed


def test_an_administrator_signs_a_person_out_everywhere_from_their_page(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    phone = signed_in(app, world.buyer.email)
    api_token(client, world.buyer.email)
    admin = signed_in(app, world.admin.email)
    path = f"/admin/personas/{world.buyer.id}"
    page = soup(admin.get(path))
    assert "Cerrar todas sus sesiones" in buttons(page)
    assert "1 token de la API vigente" in texts(page, "p.small")

    done = admin.post(f"{path}/cerrar-sesiones", data={"csrf_token": csrf_of(admin, path)})

    assert done.status_code == 303 and done.headers["location"] == path
    assert flash(admin.get(path), "success") == "Sesiones cerradas: 1. Tokens revocados: 1."
    assert phone.get("/panel").status_code == 303  # signed out
    [entry] = audit_entries(session)
    assert (entry.action, entry.target_id) == ("user.sign_out", world.buyer.id)
    producer = signed_in(app, world.owner.email)
    refused = producer.post(f"{path}/cerrar-sesiones", data={"csrf_token": csrf_of(producer, "/panel")})
    assert refused.status_code == 403
