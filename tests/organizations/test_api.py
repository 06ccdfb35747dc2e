"""JSON API for organizations: creation, visibility, verification by administrators, members."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.organizations.models import Membership, Organization
from tests.helpers import LISTING_DEFAULTS, ORG_DEFAULTS, api_token, count, emails_to

ORGS = "/api/v1/organizations"


def public_slugs(client: TestClient, **params: Any) -> list[str]:
    response = client.get(ORGS, params=params)
    assert response.status_code == 200, response.text
    return [o["slug"] for o in response.json()["items"]]


@pytest.fixture
def owner(client: TestClient, make_user: Any) -> dict[str, str]:
    make_user(email="ana@example.mx", name="Ana López")
    return api_token(client, "ana@example.mx")


@pytest.fixture
def admin(client: TestClient, make_user: Any) -> dict[str, str]:
    make_user(email="admin@tianguis.mx", name="Equipo Tianguis", is_admin=True)
    return api_token(client, "admin@tianguis.mx")


@pytest.fixture
def pending_slug(client: TestClient, owner: dict[str, str]) -> str:
    response = client.post(ORGS, json=ORG_DEFAULTS, headers=owner)
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


# --- creation ---------------------------------------------------------------------------------------


def test_create_organization_is_pending_and_its_creator_is_owner(
    client: TestClient, owner: dict[str, str], session: Session
) -> None:
    response = client.post(ORGS, json=ORG_DEFAULTS | {"rfc": "cfc-050312-ab4"}, headers=owner)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["slug"] == "cooperativa-flor-de-cafe"
    assert body["verification_status"] == "pending"
    assert body["rfc"] == "CFC050312AB4"
    assert body["state"] == "07"
    org = session.exec(select(Organization)).one()
    membership = session.exec(select(Membership)).one()
    assert (membership.organization_id, membership.role) == (org.id, "owner")
    mine = client.get(f"{ORGS}/mine", headers=owner).json()
    assert [o["slug"] for o in mine] == ["cooperativa-flor-de-cafe"]


def test_same_name_gets_a_distinct_slug(client: TestClient, owner: dict[str, str]) -> None:
    first = client.post(ORGS, json=ORG_DEFAULTS, headers=owner).json()["slug"]
    second = client.post(ORGS, json=ORG_DEFAULTS, headers=owner).json()["slug"]

    assert (first, second) == ("cooperativa-flor-de-cafe", "cooperativa-flor-de-cafe-2")


def test_create_requires_a_token(client: TestClient, session: Session) -> None:
    assert client.post(ORGS, json=ORG_DEFAULTS).status_code == 401
    assert count(session, Organization) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"rfc": "ABC123"}, "rfc", "RFC"),
        ({"rfc": "CFC051312AB4"}, "rfc", "RFC"),  # month 13
        ({"state": "33"}, "state", "32 entidades"),
        ({"state": "Chiapas"}, "state", "32 entidades"),
        ({"members_count": 10, "women_members_count": 11}, "women_members_count", "socias"),
        ({"legal_form": "sa_de_cv"}, "legal_form", "forma jurídica"),
        ({"clabe": "002010077777777770"}, "clabe", "CLABE"),
        ({"certifications": ["iso9001"]}, "certifications", "iso9001"),
        ({"latitude": 19.4}, "longitude", "latitud y la longitud"),
    ],
)
def test_invalid_organization_is_422_and_nothing_is_written(
    client: TestClient,
    owner: dict[str, str],
    session: Session,
    overrides: dict[str, Any],
    field: str,
    fragment: str,
) -> None:
    response = client.post(ORGS, json=ORG_DEFAULTS | overrides, headers=owner)

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_error"
    assert fragment in response.json()["fields"][field]
    assert count(session, Organization) == 0
    assert count(session, Membership) == 0


# --- visibility and verification --------------------------------------------------------------------


def test_pending_organization_is_visible_only_to_its_members(
    client: TestClient, owner: dict[str, str], pending_slug: str, make_user: Any
) -> None:
    make_user(email="curioso@example.mx", name="Curioso")
    stranger = api_token(client, "curioso@example.mx")

    assert pending_slug not in public_slugs(client)
    anonymous = client.get(f"{ORGS}/{pending_slug}")
    assert anonymous.status_code == 404
    assert anonymous.json()["error"] == "organization_not_found"
    assert client.get(f"{ORGS}/{pending_slug}", headers=stranger).status_code == 404
    own = client.get(f"{ORGS}/{pending_slug}", headers=owner)
    assert own.status_code == 200
    assert own.json()["verification_status"] == "pending"
    assert "rejection_reason" in own.json()  # members get the private view


def test_admin_verification_makes_it_public(
    client: TestClient,
    admin: dict[str, str],
    pending_slug: str,
    make_user: Any,
    make_org: Any,
    session: Session,
) -> None:
    other = make_user(email="otra@example.mx", name="Otra")
    make_org(other, name="Ejido El Porvenir", legal_form="ejido")
    assert client.get(ORGS).json()["total"] == 1

    response = client.post(f"{ORGS}/{pending_slug}/verify", headers=admin)

    assert response.status_code == 200, response.text
    assert response.json()["verification_status"] == "verified"
    listed = client.get(ORGS).json()
    assert listed["total"] == 2
    assert {o["slug"] for o in listed["items"]} == {pending_slug, "ejido-el-porvenir"}
    public = client.get(f"{ORGS}/{pending_slug}")
    assert public.status_code == 200
    assert "rejection_reason" not in public.json()  # the public view hides the private fields
    assert [m["subject"] for m in emails_to(session, "ana@example.mx")] == [
        "Cooperativa Flor de Café ya está verificada"
    ]
    again = client.post(f"{ORGS}/{pending_slug}/verify", headers=admin)
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"


@pytest.mark.parametrize("action", ["verify", "reject", "suspend", "reinstate"])
def test_only_administrators_decide(
    client: TestClient, owner: dict[str, str], pending_slug: str, session: Session, action: str
) -> None:
    response = client.post(f"{ORGS}/{pending_slug}/{action}", json={"reason": "porque sí"}, headers=owner)

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    org = session.exec(select(Organization)).one()
    assert (org.verification_status, org.suspended) == ("pending", False)


def test_admin_queue_lists_pending_organizations(
    client: TestClient, admin: dict[str, str], owner: dict[str, str], pending_slug: str
) -> None:
    assert [o["slug"] for o in client.get(f"{ORGS}/admin/queue", headers=admin).json()] == [pending_slug]
    assert client.get(f"{ORGS}/admin/queue", headers=owner).status_code == 403


@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_rejection_requires_a_reason(
    client: TestClient, admin: dict[str, str], pending_slug: str, session: Session, body: dict[str, Any]
) -> None:
    response = client.post(f"{ORGS}/{pending_slug}/reject", json=body, headers=admin)

    assert response.status_code == 422
    assert "motivo" in response.json()["fields"]["reason"]
    assert session.exec(select(Organization)).one().verification_status == "pending"


def test_owner_sees_the_rejection_reason_and_an_edit_sends_it_back_to_the_queue(
    client: TestClient, admin: dict[str, str], owner: dict[str, str], pending_slug: str
) -> None:
    reason = "El RFC no coincide con el acta constitutiva."
    rejected = client.post(f"{ORGS}/{pending_slug}/reject", json={"reason": reason}, headers=admin)
    assert rejected.status_code == 200, rejected.text

    seen = client.get(f"{ORGS}/{pending_slug}", headers=owner).json()
    assert (seen["verification_status"], seen["rejection_reason"]) == ("rejected", reason)
    assert client.get(f"{ORGS}/{pending_slug}").status_code == 404

    edited = client.patch(f"{ORGS}/{pending_slug}", json={"rfc": "FFC050312AB4"}, headers=owner)
    assert edited.status_code == 200, edited.text
    assert edited.json()["verification_status"] == "pending"
    assert edited.json()["rfc"] == "FFC050312AB4"
    assert [o["slug"] for o in client.get(f"{ORGS}/admin/queue", headers=admin).json()] == [pending_slug]


def test_suspension_hides_the_organization_and_its_listings_until_reinstated(
    client: TestClient, admin: dict[str, str], make_user: Any, make_org: Any, make_listing: Any
) -> None:
    ana = make_user(email="ana@example.mx")
    org = make_org(ana)
    listing = make_listing(org)
    owner = api_token(client, "ana@example.mx")

    def visible() -> tuple[bool, bool, bool, bool]:
        return (
            org.slug in public_slugs(client),
            client.get(f"{ORGS}/{org.slug}").status_code == 200,
            listing.id in [item["id"] for item in client.get("/api/v1/listings").json()["items"]],
            client.get(f"/api/v1/listings/{listing.id}").status_code == 200,
        )

    assert visible() == (True, True, True, True)
    no_reason = client.post(f"{ORGS}/{org.slug}/suspend", json={}, headers=admin)
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["fields"]
    assert visible() == (True, True, True, True)

    reason = {"reason": "Denuncia en revisión"}
    suspended = client.post(f"{ORGS}/{org.slug}/suspend", json=reason, headers=admin)
    assert suspended.status_code == 200, suspended.text
    assert visible() == (False, False, False, False)
    own = client.get(f"{ORGS}/{org.slug}", headers=owner).json()
    assert (own["suspended"], own["suspension_reason"]) == (True, "Denuncia en revisión")

    lifted = {"reason": "Denuncia sin fundamento"}
    assert client.post(f"{ORGS}/{org.slug}/reinstate", json=lifted, headers=admin).status_code == 200
    assert visible() == (True, True, True, True)
    assert client.post(f"{ORGS}/{org.slug}/reinstate", headers=admin).status_code == 409


# --- members ----------------------------------------------------------------------------------------


def test_invited_person_accepts_and_can_then_create_listings(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user(email="ana@example.mx"))
    make_user(email="beto@example.mx", name="Beto Ruiz")
    owner, beto = api_token(client, "ana@example.mx"), api_token(client, "beto@example.mx")
    create_listing = f"{ORGS}/{org.slug}/listings"
    assert client.post(create_listing, json=LISTING_DEFAULTS, headers=beto).status_code == 403

    invited = client.post(f"{ORGS}/{org.slug}/invitations", json={"email": "Beto@Example.mx"}, headers=owner)

    assert invited.status_code == 201, invited.text
    assert {k: invited.json()[k] for k in ("email", "role")} == {"email": "beto@example.mx", "role": "member"}
    [email] = emails_to(session, "beto@example.mx")
    assert (
        email["kind"] == "invitation" and email["subject"] == f"Te invitan a {org.name} en Tianguis Solidario"
    )
    match = re.fullmatch(r"/invitaciones/([\w-]+)", email["link"])
    assert match and f"http://127.0.0.1:8000{email['link']}" in email["body"], email["body"]
    token = match.group(1)

    accepted = client.post(f"{ORGS}/invitations/{token}/accept", headers=beto)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["slug"] == org.slug
    membership = session.exec(
        select(Membership).where(Membership.organization_id == org.id, Membership.role == "member")
    ).one()
    assert membership.user_id is not None
    assert client.post(create_listing, json=LISTING_DEFAULTS, headers=beto).status_code == 201
    assert client.post(f"{ORGS}/invitations/{token}/accept", headers=beto).status_code == 404  # used once
    again = client.post(f"{ORGS}/{org.slug}/invitations", json={"email": "beto@example.mx"}, headers=owner)
    assert again.status_code == 409 and again.json()["error"] == "already_member"


def test_an_invitation_is_only_for_its_email(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user(email="ana@example.mx"))
    make_user(email="intrusa@example.mx", name="Intrusa")
    owner, intruder = api_token(client, "ana@example.mx"), api_token(client, "intrusa@example.mx")
    client.post(f"{ORGS}/{org.slug}/invitations", json={"email": "beto@example.mx"}, headers=owner)
    [email] = emails_to(session, "beto@example.mx")
    token = email["link"].rsplit("/", 1)[-1]

    assert client.post(f"{ORGS}/invitations/{token}/accept", headers=intruder).status_code == 404
    assert count(session, Membership) == 1


@pytest.fixture
def org_with_a_member(session: Session, make_user: Any, make_org: Any) -> Organization:
    """Ana's organization, of which Beto Ruiz (beto@example.mx) is a member but not an owner."""
    org = make_org(make_user(email="ana@example.mx"))
    beto = make_user(email="beto@example.mx", name="Beto Ruiz")
    session.add(Membership(user_id=beto.id, organization_id=org.id, role="member"))
    session.commit()
    return org


def test_members_who_are_not_owners_cannot_manage_the_organization(
    client: TestClient, org_with_a_member: Organization, session: Session
) -> None:
    org = org_with_a_member
    headers = api_token(client, "beto@example.mx")

    patch = client.patch(f"{ORGS}/{org.slug}", json={"name": "Otro nombre"}, headers=headers)
    invite = client.post(f"{ORGS}/{org.slug}/invitations", json={"email": "c@example.mx"}, headers=headers)

    assert (patch.status_code, invite.status_code) == (403, 403)
    session.expire_all()
    assert session.get(Organization, org.id).name == ORG_DEFAULTS["name"]  # type: ignore[union-attr]
    assert emails_to(session, "c@example.mx") == []


def test_patch_revalidates_the_merged_organization(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user(email="ana@example.mx"), members_count=20, women_members_count=12)
    headers = api_token(client, "ana@example.mx")

    response = client.patch(f"{ORGS}/{org.slug}", json={"members_count": 10}, headers=headers)

    assert response.status_code == 422
    assert "women_members_count" in response.json()["fields"]
    session.expire_all()
    assert session.get(Organization, org.id).members_count == 20  # type: ignore[union-attr]


# --- the public list --------------------------------------------------------------------------------


def test_public_list_filters_and_paginates(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    ana = make_user(email="ana@example.mx")
    for name, state, legal_form in [
        ("Alfareras de Atzompa", "20", "coop_produccion"),
        ("Bordadoras de San Antonino", "20", "sss"),
        ("Comunidad de Capulálpam", "20", "comunidad"),
        ("Ejido Tziscao", "07", "ejido"),
        ("Ejido Nuevo Huixtán", "07", "ejido"),
    ]:
        make_org(ana, name=name, state=state, legal_form=legal_form)
    make_org(ana, status="pending", name="Ejido Pendiente", state="07", legal_form="ejido")
    suspended = make_org(ana, name="Ejido Suspendido", state="07", legal_form="ejido")
    suspended.suspended = True
    session.add(suspended)
    session.commit()

    assert public_slugs(client, state="20") == [
        "alfareras-de-atzompa",
        "bordadoras-de-san-antonino",
        "comunidad-de-capulalpam",
    ]
    assert public_slugs(client, legal_form="ejido") == ["ejido-nuevo-huixtan", "ejido-tziscao"]
    assert public_slugs(client, state="20", legal_form="ejido") == []

    pages = [client.get(ORGS, params={"per_page": 2, "page": n}).json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [5, 5, 5]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert [p["per_page"] for p in pages] == [2, 2, 2]
    names = [o["name"] for p in pages for o in p["items"]]
    assert names == sorted(names) and len(set(names)) == 5


@pytest.mark.parametrize("params", [{"page": 0}, {"per_page": 101}, {"per_page": 0}])
def test_public_list_rejects_bad_paging(client: TestClient, params: dict[str, int]) -> None:
    response = client.get(ORGS, params=params)

    assert response.status_code == 422
    assert set(response.json()["fields"]) == set(params)


def test_an_outsider_gets_the_same_404_for_an_organization_not_public_as_for_none(
    client: TestClient, pending_slug: str, make_user: Any, session: Session
) -> None:
    outsider = api_token(client, make_user("curiosa@example.mx").email)

    def attempts(slug: str) -> list[tuple[int, Any]]:
        responses = [
            client.get(f"{ORGS}/{slug}", headers=outsider),
            client.patch(f"{ORGS}/{slug}", json={"name": "Otro nombre"}, headers=outsider),
            client.post(f"{ORGS}/{slug}/invitations", json={"email": "c@example.mx"}, headers=outsider),
            client.post(f"{ORGS}/{slug}/listings", json=LISTING_DEFAULTS, headers=outsider),
            client.get(f"{ORGS}/{slug}/demands", headers=outsider),
        ]
        return [(r.status_code, r.json()) for r in responses]

    hidden = attempts(pending_slug)
    assert hidden == attempts("no-existe")
    assert {status for status, _body in hidden} == {404}
    # Who is not an administrator is refused a decision alike, whether the organization exists or not.
    for action in ("verify", "reject", "suspend", "reinstate"):
        refused = [
            client.post(f"{ORGS}/{slug}/{action}", json={"reason": "porque sí"}, headers=outsider)
            for slug in (pending_slug, "no-existe")
        ]
        assert [(r.status_code, r.json()) for r in refused] == [(403, refused[0].json())] * 2
    assert session.exec(select(Organization)).one().name == ORG_DEFAULTS["name"]


def test_a_refusal_on_a_public_organization_does_not_name_it(
    client: TestClient, org_with_a_member: Organization, make_user: Any
) -> None:
    org = org_with_a_member
    outsider = api_token(client, make_user("curiosa@example.mx").email)
    member = api_token(client, "beto@example.mx")

    refused = [
        client.post(f"{ORGS}/{org.slug}/listings", json=LISTING_DEFAULTS, headers=outsider),
        client.patch(f"{ORGS}/{org.slug}", json={"name": "Otro nombre"}, headers=member),  # not its owner
    ]
    assert [r.status_code for r in refused] == [403, 403]
    assert not any(org.name in r.json()["detail"] for r in refused)
