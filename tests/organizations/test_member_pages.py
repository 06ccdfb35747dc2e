"""The «Miembros» page of an organization's panel: what owners and members see and do, the refusals shown
on the page with nothing kept, and the invitation page of an expired or revoked invitation. The rules
themselves (and the API) are in test_members.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.db import transaction, utcnow
from market.organizations import service
from market.organizations.models import Invitation, Membership
from tests.helpers import csrf_of, database_state, emails_to, signed_in
from tests.organizations.conftest import role_of
from tests.pages import attr, elements, flash, heading, one, table_rows, text_of


def members_path(team: dict[str, Any]) -> str:
    return f"/panel/o/{team['org'].slug}/miembros"


def test_an_owner_sees_everyone_with_role_and_date_and_the_actions(
    app: FastAPI, team: dict[str, Any]
) -> None:
    browser = signed_in(app, "ana@example.mx")
    page = browser.get(members_path(team))
    assert page.status_code == 200 and heading(page) == "Miembros de Cooperativa Flor de Café"
    rows = table_rows(page, "#personas table")
    assert [row[:3] for row in rows] == [
        ["Ana López (tú)", "ana@example.mx", "propietaria"],
        ["Beto Ruiz", "beto@example.mx", "integrante"],
    ]
    assert all(row[3] for row in rows)  # since when
    beto = team["people"]["beto"]
    # Her own row has no actions; Beto's has the change of role and the removal behind a confirmation.
    assert elements(page, f"#miembro-{team['people']['ana'].id} form") == []
    one(page, f"#miembro-{beto.id} form[action='{members_path(team)}/{beto.id}/rol'] select[name=role]")
    confirm = one(page, f"#miembro-{beto.id} details.confirm-step")
    assert "¿Quitar a Beto Ruiz" in text_of(confirm)
    form = confirm.select_one("form")
    assert form is not None and attr(form, "action") == f"{members_path(team)}/{beto.id}/quitar"
    one(page, "#invitaciones form#invitar input[name=email]")
    one(page, "#salir details.confirm-step form")
    # The organization's panel leads here.
    manage = browser.get(f"/panel/o/{team['org'].slug}")
    assert members_path(team) in [attr(a, "href") for a in elements(manage, "a.button")]


def test_a_member_sees_the_people_but_no_actions_except_leaving(app: FastAPI, team: dict[str, Any]) -> None:
    page = signed_in(app, "beto@example.mx").get(members_path(team))
    assert page.status_code == 200
    assert len(table_rows(page, "#personas table")) == 2
    assert elements(page, "#personas form") == [] and elements(page, "#invitaciones") == []
    one(page, f"#salir form[action='/panel/o/{team['org'].slug}/salir']")
    assert signed_in(app, "carla@example.mx").get(members_path(team)).status_code == 403
    assert signed_in(app, "dora@example.mx").get(members_path(team)).status_code == 403
    visitor = TestClient(app, follow_redirects=False).get(members_path(team))
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/entrar")


def test_an_owner_changes_a_role_and_removes_a_member_from_the_page(
    app: FastAPI, session: Session, team: dict[str, Any]
) -> None:
    browser, beto, org = signed_in(app, "ana@example.mx"), team["people"]["beto"], team["org"]
    token = csrf_of(browser, members_path(team))
    changed = browser.post(f"{members_path(team)}/{beto.id}/rol", data={"role": "owner", "csrf_token": token})
    assert changed.status_code == 303 and changed.headers["location"] == members_path(team)
    assert flash(browser.get(members_path(team)), "success") == "Cambiamos el rol a propietaria."
    assert role_of(session, org, beto) == "owner"

    removed = browser.post(f"{members_path(team)}/{beto.id}/quitar", data={"csrf_token": token})
    assert removed.status_code == 303
    page = browser.get(members_path(team))
    assert flash(page, "success") == "Beto Ruiz ya no forma parte de Cooperativa Flor de Café."
    assert [row[1] for row in table_rows(page, "#personas table")] == ["ana@example.mx"]
    assert [e["kind"] for e in emails_to(session, "beto@example.mx")] == ["membership_news"] * 2


def test_the_last_owner_is_refused_on_the_page_and_nothing_changes(
    app: FastAPI, engine: Engine, team: dict[str, Any]
) -> None:
    browser, ana = signed_in(app, "ana@example.mx"), team["people"]["ana"]
    token = csrf_of(browser, members_path(team))
    before = database_state(engine)
    for path, data in (
        (f"{members_path(team)}/{ana.id}/rol", {"role": "member"}),
        (f"{members_path(team)}/{ana.id}/quitar", {}),
        (f"/panel/o/{team['org'].slug}/salir", {}),
    ):
        refused = browser.post(path, data=data | {"csrf_token": token})
        assert refused.status_code == 303 and refused.headers["location"] == members_path(team)
        assert flash(browser.get(members_path(team)), "error").startswith("Debe quedar al menos una persona")
    assert database_state(engine) == before


def test_a_member_cannot_act_from_the_page_and_another_organizations_member_is_not_found(
    app: FastAPI, engine: Engine, team: dict[str, Any]
) -> None:
    beto, ana, carla = (signed_in(app, f"{k}@example.mx") for k in ("beto", "ana", "carla"))
    people = team["people"]
    before = database_state(engine)
    token = csrf_of(beto, members_path(team))
    promote = beto.post(
        f"{members_path(team)}/{people['beto'].id}/rol", data={"role": "owner", "csrf_token": token}
    )
    assert promote.status_code == 403
    assert (
        beto.post(f"{members_path(team)}/{people['ana'].id}/quitar", data={"csrf_token": token}).status_code
        == 403
    )
    token = csrf_of(ana, members_path(team))
    assert (
        ana.post(f"{members_path(team)}/{people['carla'].id}/quitar", data={"csrf_token": token}).status_code
        == 404
    )
    token = csrf_of(carla, "/panel")
    assert (
        carla.post(f"{members_path(team)}/{people['beto'].id}/quitar", data={"csrf_token": token}).status_code
        == 403
    )
    assert database_state(engine) == before


def test_a_member_leaves_from_the_page_and_loses_the_panel_at_once(
    app: FastAPI, session: Session, team: dict[str, Any]
) -> None:
    browser = signed_in(app, "beto@example.mx")
    token = csrf_of(browser, members_path(team))
    left = browser.post(f"/panel/o/{team['org'].slug}/salir", data={"csrf_token": token})
    assert left.status_code == 303 and left.headers["location"] == "/panel"
    assert flash(browser.get("/panel"), "success") == "Saliste de Cooperativa Flor de Café."
    assert role_of(session, team["org"], team["people"]["beto"]) is None
    assert browser.get(f"/panel/o/{team['org'].slug}").status_code == 403
    assert browser.get(members_path(team)).status_code == 403


def test_an_owner_resends_and_revokes_an_invitation_from_the_page(
    app: FastAPI, session: Session, team: dict[str, Any]
) -> None:
    browser = signed_in(app, "ana@example.mx")
    token = csrf_of(browser, members_path(team))
    sent = browser.post(
        f"/panel/o/{team['org'].slug}/invitaciones",
        data={"email": "eva@example.mx", "role": "member", "csrf_token": token},
    )
    assert sent.status_code == 303 and sent.headers["location"] == members_path(team)
    page = browser.get(members_path(team))
    [row] = table_rows(page, "#invitaciones table")
    assert row[:2] == ["eva@example.mx", "integrante"] and row[2] and row[3]
    first = session.exec(select(Invitation)).one()
    # «Enviar de nuevo»: a new link, the old one revoked.
    resend = one(page, f"#invitacion-{first.id} form.resend")
    data = {i["name"]: i["value"] for i in resend.select("input")}
    assert browser.post(str(attr(resend, "action")), data=data).status_code == 303
    session.expire_all()
    old, new = session.exec(select(Invitation).order_by(Invitation.id)).all()  # type: ignore[arg-type]
    assert old.revoked_at is not None and new.revoked_at is None and new.token != old.token

    page = browser.get(members_path(team))
    revoke = one(page, f"#invitacion-{new.id} details.confirm-step form")
    assert browser.post(str(attr(revoke, "action")), data={"csrf_token": token}).status_code == 303
    page = browser.get(members_path(team))
    assert flash(page, "success") == "Cancelamos la invitación: su enlace ya no funciona."
    assert text_of(one(page, "#invitaciones p.empty")) == "No hay invitaciones pendientes."


def test_an_expired_invitation_shows_why_and_an_expired_one_is_marked_for_the_owner(
    app: FastAPI, engine: Engine, session: Session, make_user: Any, team: dict[str, Any]
) -> None:
    make_user("eva@example.mx", "Eva Canché")
    with transaction(engine) as tx:
        invitation = service.invite(
            tx,
            team["people"]["ana"],
            tx.get_one(type(team["org"]), team["org"].id),
            "eva@example.mx",
            "member",
        )
        invitation.expires_at = utcnow() - timedelta(hours=1)
        token, invitation_id = invitation.token, invitation.id
    eva = signed_in(app, "eva@example.mx")
    page = eva.get(f"/invitaciones/{token}")
    assert page.status_code == 410 and "Esta invitación venció" in text_of(page)
    before = database_state(engine)
    accepted = eva.post(f"/invitaciones/{token}", data={"csrf_token": csrf_of(eva, "/panel")})
    assert accepted.status_code == 410
    assert database_state(engine) == before
    eva_id = session.exec(
        select(Membership.user_id).where(Membership.organization_id == team["org"].id)
    ).all()
    assert len(eva_id) == 2  # Ana and Beto: Eva did not join
    owner_page = signed_in(app, "ana@example.mx").get(members_path(team))
    assert text_of(one(owner_page, f"#invitacion-{invitation_id} .expiry")) == "Venció"


def test_a_pending_invitation_page_names_the_organization_and_its_expiry(
    app: FastAPI, engine: Engine, make_user: Any, team: dict[str, Any]
) -> None:
    make_user("eva@example.mx", "Eva Canché")
    with transaction(engine) as tx:
        token = service.invite(
            tx,
            team["people"]["ana"],
            tx.get_one(type(team["org"]), team["org"].id),
            "eva@example.mx",
            "owner",
        ).token
    page = signed_in(app, "eva@example.mx").get(f"/invitaciones/{token}")
    assert page.status_code == 200
    assert "Te invitaron a administrar Cooperativa Flor de Café" in text_of(page)
    assert "La invitación vale hasta el" in text_of(page)
    other = signed_in(app, "dora@example.mx").get(f"/invitaciones/{token}")
    assert other.status_code == 404  # for another address: as if it did not exist
