"""An organization's members through the JSON API: who belongs, owners changing roles and removing people,
leaving, the last owner kept, access lost with the very next request, and invitations that expire or are
revoked. The pages are in test_member_pages.py."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.admin.models import AuditEntry
from market.db import transaction, utcnow
from market.errors import Forbidden, LastOwner
from market.organizations import members
from market.organizations.models import Invitation, Membership, Organization
from tests.helpers import api_token, database_state, emails_to, signed_in
from tests.organizations.conftest import role_of

ORGS = "/api/v1/organizations"


def test_members_see_who_belongs_and_nobody_else_does(client: TestClient, team: dict[str, Any]) -> None:
    url = f"{ORGS}/{team['org'].slug}/members"
    for key in ("ana", "beto"):
        listed = client.get(url, headers=team["tokens"][key])
        assert listed.status_code == 200
        assert [(m["email"], m["role"]) for m in listed.json()] == [
            ("ana@example.mx", "owner"),
            ("beto@example.mx", "member"),
        ]
        assert all(m["since"] for m in listed.json())
    assert client.get(url, headers=team["tokens"]["carla"]).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(f"{ORGS}/no-existe/members", headers=team["tokens"]["ana"]).status_code == 404


def test_an_owner_changes_a_role_and_the_person_is_told(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    org, beto = team["org"], team["people"]["beto"]
    url = f"{ORGS}/{org.slug}/members/{beto.id}"
    promoted = client.patch(url, json={"role": "owner"}, headers=team["tokens"]["ana"])
    assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
    assert role_of(session, org, beto) == "owner"
    [email] = emails_to(session, "beto@example.mx")
    assert email["kind"] == "membership_news" and email["subject"] == f"Tu rol en {org.name} cambió"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "organization.member_role")).one()
    assert entry.target_id == org.id and entry.details["email"] == "beto@example.mx"
    assert entry.details["role"] == "owner"
    wrong = client.patch(url, json={"role": "jefa"}, headers=team["tokens"]["ana"])
    assert wrong.status_code == 422


def test_a_member_cannot_promote_themselves_nor_manage_anyone(
    client: TestClient, engine: Engine, team: dict[str, Any]
) -> None:
    org, people, beto = team["org"], team["people"], team["tokens"]["beto"]
    before = database_state(engine)
    assert (
        client.patch(f"{ORGS}/{org.slug}/members/{people['beto'].id}", json={"role": "owner"}, headers=beto)
    ).status_code == 403
    assert client.delete(f"{ORGS}/{org.slug}/members/{people['ana'].id}", headers=beto).status_code == 403
    assert client.get(f"{ORGS}/{org.slug}/invitations", headers=beto).status_code == 403
    assert database_state(engine) == before


def test_the_last_owner_cannot_leave_be_removed_or_be_demoted(
    client: TestClient, engine: Engine, team: dict[str, Any]
) -> None:
    org, ana, owner = team["org"], team["people"]["ana"], team["tokens"]["ana"]
    before = database_state(engine)
    demoted = client.patch(f"{ORGS}/{org.slug}/members/{ana.id}", json={"role": "member"}, headers=owner)
    removed = client.delete(f"{ORGS}/{org.slug}/members/{ana.id}", headers=owner)
    left = client.post(f"{ORGS}/{org.slug}/leave", headers=owner)
    for refused in (demoted, removed, left):
        assert refused.status_code == 409 and refused.json()["error"] == "last_owner"
        assert "al menos una persona propietaria" in refused.json()["detail"]
    assert database_state(engine) == before


def test_with_a_second_owner_the_first_may_step_down_and_leave(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    org, people, ana = team["org"], team["people"], team["tokens"]["ana"]
    client.patch(f"{ORGS}/{org.slug}/members/{people['beto'].id}", json={"role": "owner"}, headers=ana)
    demoted = client.patch(
        f"{ORGS}/{org.slug}/members/{people['ana'].id}", json={"role": "member"}, headers=ana
    )
    assert demoted.status_code == 200 and role_of(session, org, people["ana"]) == "member"
    assert client.post(f"{ORGS}/{org.slug}/leave", headers=ana).status_code == 204
    assert role_of(session, org, people["ana"]) is None
    assert session.exec(select(AuditEntry.action).where(AuditEntry.actor_id == people["ana"].id)).all() == [
        "organization.member_role",
        "organization.member_role",
        "organization.member_leave",
    ]


def test_someone_of_another_organization_or_an_unknown_id_is_not_found_here(
    client: TestClient, engine: Engine, team: dict[str, Any]
) -> None:
    org, people, ana = team["org"], team["people"], team["tokens"]["ana"]
    before = database_state(engine)
    for user_id in (people["carla"].id, people["dora"].id, 999_999):
        gone = client.delete(f"{ORGS}/{org.slug}/members/{user_id}", headers=ana)
        assert gone.status_code == 404 and gone.json()["error"] == "member_not_found"
        patched = client.patch(f"{ORGS}/{org.slug}/members/{user_id}", json={"role": "owner"}, headers=ana)
        assert patched.status_code == 404
    # Another organization's owner cannot touch this one's people.
    carla = team["tokens"]["carla"]
    assert client.delete(f"{ORGS}/{org.slug}/members/{people['beto'].id}", headers=carla).status_code == 403
    assert client.post(f"{ORGS}/{org.slug}/leave", headers=team["tokens"]["dora"]).status_code == 403
    assert client.delete(f"{ORGS}/{org.slug}/members/{people['beto'].id}").status_code == 401
    assert database_state(engine) == before


def test_a_removed_member_loses_access_with_their_very_next_request(
    app: Any, client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    org, beto = team["org"], team["people"]["beto"]
    token, browser = team["tokens"]["beto"], signed_in(app, "beto@example.mx")
    pages = [
        f"/panel/o/{org.slug}",
        f"/panel/o/{org.slug}/pedidos",
        f"/panel/o/{org.slug}/ventas",
        f"/panel/o/{org.slug}/facturas",
        f"/panel/o/{org.slug}/miembros",
    ]
    endpoints = [
        f"{ORGS}/{org.slug}/members",
        f"{ORGS}/{org.slug}/fiscal-profile",
        f"{ORGS}/{org.slug}/demands",
    ]
    assert [browser.get(path).status_code for path in pages] == [200] * len(pages)
    assert [client.get(path, headers=token).status_code for path in endpoints] == [200] * len(endpoints)
    assert "pending_changes" in client.get(f"{ORGS}/{org.slug}", headers=token).json()  # the private side

    removed = client.delete(f"{ORGS}/{org.slug}/members/{beto.id}", headers=team["tokens"]["ana"])

    assert removed.status_code == 204
    assert [browser.get(path).status_code for path in pages] == [403] * len(pages)
    assert [client.get(path, headers=token).status_code for path in endpoints] == [403] * len(endpoints)
    assert "pending_changes" not in client.get(f"{ORGS}/{org.slug}", headers=token).json()
    assert (
        client.post(
            f"{ORGS}/{org.slug}/invitations", json={"email": "x@example.mx"}, headers=token
        ).status_code
        == 403
    )
    [email] = emails_to(session, "beto@example.mx")
    assert email["kind"] == "membership_news" and email["subject"] == f"Ya no formas parte de {org.name}"
    assert "Ana López te quitó de Cooperativa Flor de Café" in email["body"]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "organization.member_remove")).one()
    assert entry.details["user_id"] == beto.id


def test_a_member_who_leaves_loses_access_at_once(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    org, token = team["org"], team["tokens"]["beto"]
    assert client.post(f"{ORGS}/{org.slug}/leave", headers=token).status_code == 204
    assert role_of(session, org, team["people"]["beto"]) is None
    assert client.get(f"{ORGS}/{org.slug}/members", headers=token).status_code == 403
    assert emails_to(session, "beto@example.mx") == []  # who leaves knows it


def test_a_not_yet_public_organization_is_unknown_to_whoever_left_it(
    client: TestClient, session: Session, make_user: Any, make_org: Any
) -> None:
    ana, beto = make_user("ana@example.mx"), make_user("beto@example.mx", "Beto")
    org = make_org(ana, status="pending", name="Cooperativa Nueva")
    session.add(Membership(user_id=beto.id or 0, organization_id=org.id or 0, role="member"))
    session.commit()
    token = api_token(client, "beto@example.mx")
    assert client.get(f"{ORGS}/{org.slug}/members", headers=token).status_code == 200
    assert client.post(f"{ORGS}/{org.slug}/leave", headers=token).status_code == 204
    assert client.get(f"{ORGS}/{org.slug}/members", headers=token).status_code == 404
    assert client.get(f"{ORGS}/{org.slug}", headers=token).status_code == 404


# --- invitations ------------------------------------------------------------------------------------


def invite(
    client: TestClient, team: dict[str, Any], email: str = "eva@example.mx", role: str = "member"
) -> str:
    """The owner invites (or invites again); the token of the link that was sent."""
    org = team["org"]
    body = {"email": email, "role": role}
    sent = client.post(f"{ORGS}/{org.slug}/invitations", json=body, headers=team["tokens"]["ana"])
    assert sent.status_code == 201, sent.text
    with Session(client.app.state.engine) as tx:  # type: ignore[attr-defined]
        return tx.get_one(Invitation, sent.json()["id"]).token


def test_owners_list_pending_invitations_with_their_expiry(client: TestClient, team: dict[str, Any]) -> None:
    invite(client, team)
    listed = client.get(f"{ORGS}/{team['org'].slug}/invitations", headers=team["tokens"]["ana"])
    assert listed.status_code == 200
    [invitation] = listed.json()
    assert invitation["email"] == "eva@example.mx" and invitation["role"] == "member"
    sent, expires = (datetime.fromisoformat(invitation[k]) for k in ("created_at", "expires_at"))
    assert expires - sent == timedelta(days=7)


def test_an_expired_invitation_is_refused_and_changes_nothing(
    client: TestClient, engine: Engine, session: Session, make_user: Any, team: dict[str, Any]
) -> None:
    make_user("eva@example.mx", "Eva Canché")
    token = invite(client, team)
    with transaction(engine) as tx:
        invitation = tx.exec(select(Invitation).where(Invitation.token == token)).one()
        invitation.expires_at = utcnow() - timedelta(minutes=1)
    eva = api_token(client, "eva@example.mx")
    before = database_state(engine)
    refused = client.post(f"{ORGS}/invitations/{token}/accept", headers=eva)
    assert refused.status_code == 410 and refused.json()["error"] == "invitation_expired"
    assert "venció" in refused.json()["detail"]
    assert database_state(engine) == before
    # The owner sends it again: a new link that works, the old one stays dead.
    new_token = invite(client, team)
    assert new_token != token
    assert client.post(f"{ORGS}/invitations/{token}/accept", headers=eva).status_code == 410
    assert client.post(f"{ORGS}/invitations/{new_token}/accept", headers=eva).status_code == 200
    assert client.post(f"{ORGS}/invitations/{new_token}/accept", headers=eva).status_code == 404  # once


def test_a_revoked_invitation_is_refused_and_a_resend_replaces_the_old_link(
    client: TestClient, engine: Engine, make_user: Any, team: dict[str, Any]
) -> None:
    make_user("eva@example.mx", "Eva Canché")
    eva = api_token(client, "eva@example.mx")
    first = invite(client, team)
    second = invite(client, team, role="owner")  # sent again: the first link stops working
    listed = client.get(f"{ORGS}/{team['org'].slug}/invitations", headers=team["tokens"]["ana"]).json()
    assert [(i["email"], i["role"]) for i in listed] == [("eva@example.mx", "owner")]
    assert (
        client.post(f"{ORGS}/invitations/{first}/accept", headers=eva).json()["error"] == "invitation_revoked"
    )

    url = f"{ORGS}/{team['org'].slug}/invitations/{listed[0]['id']}"
    assert client.delete(url, headers=team["tokens"]["beto"]).status_code == 403  # members do not manage
    assert client.delete(url, headers=team["tokens"]["carla"]).status_code == 403
    other = f"{ORGS}/{team['other'].slug}/invitations/{listed[0]['id']}"
    assert client.delete(other, headers=team["tokens"]["carla"]).status_code == 404  # not Puuc's
    assert client.delete(url, headers=team["tokens"]["ana"]).status_code == 204
    assert client.delete(url, headers=team["tokens"]["ana"]).status_code == 404  # no longer pending
    before = database_state(engine)
    refused = client.post(f"{ORGS}/invitations/{second}/accept", headers=eva)
    assert refused.status_code == 410 and refused.json()["error"] == "invitation_revoked"
    assert database_state(engine) == before
    assert client.get(f"{ORGS}/{team['org'].slug}/invitations", headers=team["tokens"]["ana"]).json() == []


# --- two owners at once -----------------------------------------------------------------------------


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    engine: Engine, session: Session, team: dict[str, Any]
) -> None:
    org, ana, beto = team["org"], team["people"]["ana"], team["people"]["beto"]
    with transaction(engine) as tx:
        tx.exec(select(Membership).where(Membership.user_id == beto.id)).one().role = "owner"
    outcome: list[str] = []

    def beto_demotes_ana() -> None:
        with transaction(engine) as tx:
            try:
                members.change_role(tx, beto, tx.get_one(Organization, org.id), ana.id or 0, "member")
                outcome.append("demoted")
            except (Forbidden, LastOwner) as exc:
                outcome.append(type(exc).__name__)

    with transaction(engine) as first:
        members.change_role(first, ana, first.get_one(Organization, org.id), beto.id or 0, "member")
        second = threading.Thread(target=beto_demotes_ana)
        second.start()
        time.sleep(0.5)
        assert second.is_alive() and outcome == []  # it waits for the organization's row
    second.join(30)

    assert outcome == ["Forbidden"]  # by then Beto is no longer an owner
    assert role_of(session, org, ana) == "owner" and role_of(session, org, beto) == "member"
