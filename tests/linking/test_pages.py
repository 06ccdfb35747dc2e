"""The pages of productive linking: forms refuse bad input in place (messages in Spanish, values kept,
nothing written), producers never see each other's quotes, invited-only demands stay hidden, and the
administrators verify institutions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.accounts.models import User
from market.db import utcnow
from market.linking import buyers, demands
from market.linking.models import BuyerOrganization, Demand, DemandInvitation, Quote
from market.linking.schemas import BuyerOrganizationCreate, QuoteCreate
from tests.helpers import SCHOOL, count, csrf_of, log_in, open_demand, signed_in
from tests.pages import (
    Html,
    attr,
    buttons,
    elements,
    facts,
    field_error,
    flash,
    form_actions,
    hrefs,
    main,
    named,
    one,
    soup,
    table_rows,
    text_of,
    texts,
    value_of,
)

MEXICO_CITY = ZoneInfo("America/Mexico_City")


def is_refused_in_place(page: Html, name: str, error_id: str | None = None) -> bool:
    """The field `name` is marked invalid and tied to its error (by default, the one with id `e-<name>`)."""
    control = one(page, named(name))
    return attr(control, "aria-invalid") == "true" and attr(control, "aria-describedby") == (
        error_id or f"e-{name}"
    )


def demand_form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    deadline = (datetime.now(MEXICO_CITY) + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    fields: dict[str, str | list[str]] = {
        "title": "Café para la cooperativa escolar",
        "category": "cafe",
        "quantity": "200",
        "unit": "kg",
        "delivery_state": "20",
        "delivery_municipality": "Oaxaca de Juárez",
        "delivery_address": "Calle Hidalgo 12, Centro, 68000",
        "first_delivery": (date.today() + timedelta(days=20)).isoformat(),
        "every_days": "",
        "quote_deadline": deadline,
        "max_unit_price": "350.00",
        "visibility": "public",
    }
    return fields | overrides


def test_an_institution_with_a_bad_rfc_and_postal_code_is_refused_in_place(
    app: FastAPI, session: Session, make_user: Any
) -> None:
    make_user("compras@escuela.mx")
    client = signed_in(app, "compras@escuela.mx")
    form = SCHOOL | {
        "rfc": "ABC123",
        "codigo_postal": "6800",
        "csrf_token": csrf_of(client, "/instituciones/nueva"),
    }

    refused = client.post("/instituciones/nueva", data=form)

    assert refused.status_code == 422
    page = soup(refused)
    assert value_of(page, "rfc") == "ABC123" and is_refused_in_place(page, "rfc")
    assert field_error(page, "rfc") == "El RFC no es válido: 12 caracteres para una persona moral."
    assert is_refused_in_place(page, "codigo_postal")
    assert field_error(page, "codigo_postal") == "El código postal tiene 5 dígitos."
    assert value_of(page, "name") == "Escuela Primaria Benito Juárez"  # the rest of what was typed is kept
    assert value_of(page, "regimen_fiscal") == "603"
    assert count(session, BuyerOrganization) == 0

    accepted = client.post(
        "/instituciones/nueva", data=form | {"rfc": "EPB850101AB1", "codigo_postal": "68000"}
    )
    assert accepted.status_code == 303
    institution = session.exec(select(BuyerOrganization)).one()
    assert (institution.rfc, institution.verification_status) == ("EPB850101AB1", "pending")
    assert accepted.headers["location"] == f"/instituciones/{institution.id}"
    page = soup(client.get(accepted.headers["location"]))
    assert texts(page, "h1 + p .badge") == ["En revisión"]
    assert f"/instituciones/{institution.id}/demandas/nueva" in hrefs(page)  # Nueva demanda


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "Debe ser mayor que 0."),
        ({"unit": "barril"}, "unit", "Elige una unidad de la lista."),
        (
            {"quote_deadline": (datetime.now(MEXICO_CITY) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
            "quote_deadline",
            "El cierre de cotizaciones debe ser en el futuro.",
        ),
        (
            {"max_unit_price": "doscientos"},
            "max_unit_price",
            "Escribe el precio en pesos, por ejemplo 28.50.",
        ),
        # Refused by the service after it wrote the draft: the page's transaction must be rolled back.
        ({"visibility": "invited"}, "invited_organization_ids", "Invita al menos a una organización."),
    ],
)
def test_a_demand_with_bad_input_is_refused_in_place_and_nothing_is_written(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    bad: dict[str, str],
    field: str,
    message: str,
) -> None:
    client = signed_in(app, "compras@escuela.mx")
    path = f"/instituciones/{school.id}/demandas/nueva"

    response = client.post(path, data=demand_form(**bad) | {"csrf_token": csrf_of(client, path)})

    assert response.status_code == 422
    page = soup(response)
    assert is_refused_in_place(page, field) and field_error(page, field) == message
    assert value_of(page, "title") == "Café para la cooperativa escolar"  # what was typed stays
    if field not in ("unit", "invited_organization_ids"):  # a select cannot show an unknown choice
        assert value_of(page, field) == bad[field]
    assert count(session, Demand) == 0
    assert count(session, DemandInvitation) == 0


def test_a_demand_typed_in_central_mexico_time_is_saved_as_a_draft(
    app: FastAPI, session: Session, school: BuyerOrganization
) -> None:
    client = signed_in(app, "compras@escuela.mx")
    path = f"/instituciones/{school.id}/demandas/nueva"
    deadline = (datetime.now(MEXICO_CITY) + timedelta(days=3)).replace(second=0, microsecond=0)
    form = demand_form(
        quote_deadline=deadline.strftime("%Y-%m-%dT%H:%M"),
        every_days="14",
        deliveries="6",
        **{"required_certifications[]": ["spp"]},
    )

    response = client.post(path, data=form | {"csrf_token": csrf_of(client, path)})

    assert response.status_code == 303
    demand = session.exec(select(Demand)).one()
    assert response.headers["location"] == f"/demandas/{demand.id}"
    assert demand.status == "draft"
    assert demand.quote_deadline == deadline  # the same moment, stored in UTC
    assert (demand.every_days, demand.deliveries, demand.max_unit_price_cents) == (14, 6, 35000)
    assert demand.required_certifications == ["spp"]
    page = soup(client.get(response.headers["location"]))
    assert texts(page, "#demand-status .badge") == ["Borrador"] and "Publicar" in buttons(page)


def test_a_producer_never_sees_a_competitors_quote(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand = open_demand(session, school_buyer, school)
    sierra = make_org(make_user("sierra@cafe.mx"), name="Cooperativa Café de la Sierra Mixe", state="20")
    union = make_org(make_user("union@cafe.mx"), name="Unión de Cafetaleras de Pluma Hidalgo", state="20")
    for organization, email, price in ((sierra, "sierra@cafe.mx", 30150), (union, "union@cafe.mx", 28725)):
        person = session.exec(select(User).where(User.email == email)).one()
        demands.submit_quote(
            session, person, demand, organization, QuoteCreate(unit_price_cents=price, quantity=120)
        )
    session.commit()

    response = signed_in(app, "sierra@cafe.mx").get(f"/demandas/{demand.id}")
    assert response.status_code == 200
    page = soup(response)
    assert "a $301.50 por unidad" in text_of(one(page, ".own-quote"))  # its own quote, which it may revise
    assert value_of(page, "unit_price") == "301.50"
    assert "287.25" not in text_of(page) and elements(page, "table.compare") == []
    assert union.name not in text_of(page)

    buyer_page = signed_in(app, "compras@escuela.mx").get(f"/demandas/{demand.id}")
    quotes = {row[0].split(" ")[0]: row[1] for row in table_rows(buyer_page, "table.compare")}
    assert sorted(quotes.values()) == ["$287.25", "$301.50"]
    names = texts(buyer_page, "table.compare th[scope=row] a")
    assert sorted(names) == sorted([sierra.name, union.name])


def test_a_quote_above_the_maximum_price_is_refused_in_place(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand = open_demand(session, school_buyer, school, max_unit_price_cents=30000)
    sierra = make_org(make_user("sierra@cafe.mx"), name="Cooperativa Café de la Sierra Mixe", state="20")
    client = signed_in(app, "sierra@cafe.mx")
    path = f"/demandas/{demand.id}"
    form = {
        "organizacion": sierra.slug,
        "unit_price": "310.00",
        "quantity": "80",
        "csrf_token": csrf_of(client, path),
    }

    response = client.post(f"{path}/cotizar", data=form)

    assert response.status_code == 422
    page = soup(response)
    assert is_refused_in_place(page, "unit_price", f"e-q-{sierra.slug}-unit_price")
    assert field_error(page, "unit_price") == "El precio supera el máximo que acepta la institución: $300.00."
    assert (value_of(page, "unit_price"), value_of(page, "quantity")) == ("310.00", "80")
    assert count(session, Quote) == 0


def test_an_invited_only_demand_is_a_404_for_a_producer_not_invited(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    invited = make_org(make_user("sierra@cafe.mx"), name="Cooperativa Café de la Sierra Mixe", state="20")
    outsider = make_org(make_user("union@cafe.mx"), name="Unión de Cafetaleras de Pluma Hidalgo", state="20")
    assert isinstance(invited.id, int)
    demand = open_demand(
        session, school_buyer, school, visibility="invited", invited_organization_ids=[invited.id]
    )

    assert signed_in(app, "sierra@cafe.mx").get(f"/demandas/{demand.id}").status_code == 200
    client = signed_in(app, "union@cafe.mx")
    assert client.get(f"/demandas/{demand.id}").status_code == 404
    assert demand.title not in text_of(client.get("/demandas"))
    form = {
        "organizacion": outsider.slug,
        "unit_price": "280",
        "quantity": "50",
        "csrf_token": csrf_of(client, "/demandas"),
    }
    assert client.post(f"/demandas/{demand.id}/cotizar", data=form).status_code == 404
    assert count(session, Quote) == 0


def test_the_admin_verifies_an_institution(app: FastAPI, session: Session, make_user: Any) -> None:
    make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True)
    owner = make_user("compras@escuela.mx")
    institution = buyers.create(session, owner, BuyerOrganizationCreate(**SCHOOL))
    session.commit()
    assert signed_in(app, "compras@escuela.mx").get("/admin/instituciones").status_code == 403

    admin = signed_in(app, "admin@example.mx")
    queue = admin.get("/admin/instituciones")
    assert queue.status_code == 200
    assert texts(queue, "article.review h2") == [institution.name]
    assert facts(queue, "article.review dl")["RFC"] == "EPB850101AB1"
    token = csrf_of(admin, "/admin/instituciones")

    no_reason = admin.post(f"/admin/instituciones/{institution.id}/rechazar", data={"csrf_token": token})
    assert no_reason.status_code == 303
    assert flash(admin.get("/admin/instituciones"), "error").startswith("Explica por qué se rechaza")
    session.expire_all()
    assert session.get(BuyerOrganization, institution.id).verification_status == "pending"  # type: ignore[union-attr]

    verified = admin.post(f"/admin/instituciones/{institution.id}/verificar", data={"csrf_token": token})
    assert verified.status_code == 303
    after = soup(admin.get("/admin/instituciones"))
    assert flash(after, "success") == f"Verificamos {institution.name}."
    assert texts(after, "main .empty") == ["No hay instituciones esperando revisión."]
    session.expire_all()
    decided = session.get(BuyerOrganization, institution.id)
    assert decided is not None and decided.verification_status == "verified" and decided.verified_at
    page = signed_in(app, "compras@escuela.mx").get(f"/instituciones/{institution.id}")
    assert texts(page, "h1 + p .badge") == ["Verificada"]


def test_pages_of_an_institution_are_for_its_members(
    app: FastAPI, school: BuyerOrganization, make_user: Any
) -> None:
    make_user("otra@example.mx")
    stranger = signed_in(app, "otra@example.mx")
    assert stranger.get(f"/instituciones/{school.id}").status_code == 404
    assert stranger.get(f"/instituciones/{school.id}/demandas/nueva").status_code == 404


def quoted(
    session: Session, school_buyer: User, school: BuyerOrganization, make_user: Any, make_org: Any
) -> tuple[Demand, Quote, Quote]:
    """An open demand for 200 kg with two partial quotes (120 kg at $301.50 and 150 kg at $287.25)."""
    demand = open_demand(session, school_buyer, school)
    placed = []
    for email, name, price, quantity in (
        ("sierra@cafe.mx", "Cooperativa Café de la Sierra Mixe", 30150, 120),
        ("union@cafe.mx", "Unión de Cafetaleras de Pluma Hidalgo", 28725, 150),
    ):
        person = make_user(email)
        organization = make_org(person, name=name, state="20")
        placed.append(
            demands.submit_quote(
                session, person, demand, organization, QuoteCreate(unit_price_cents=price, quantity=quantity)
            )
        )
    session.commit()
    return demand, placed[0], placed[1]


def test_the_buyer_adjusts_the_proposal_and_bad_quantities_are_refused_in_place(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand, sierra, union = quoted(session, school_buyer, school, make_user, make_org)
    client = signed_in(app, "compras@escuela.mx")
    path = f"/demandas/{demand.id}"
    award = one(client.get(path), "section[aria-labelledby=adjudicar-h]")
    assert text_of(award).startswith("Adjudicar Podrás adjudicar cuando cierre el plazo")  # not before it
    assert form_actions(award) == []
    demand.quote_deadline = utcnow() - timedelta(minutes=1)
    session.add(demand)
    session.commit()

    page = soup(client.get(path))
    # The proposal takes the cheaper quote in full and the rest from the other, pre-filled in the form.
    assert value_of(page, f"cantidad_{union.id}") == "150"
    assert value_of(page, f"cantidad_{sierra.id}") == "50"
    token = csrf_of(client, path)

    too_much = client.post(
        f"{path}/adjudicar",
        data={f"cantidad_{sierra.id}": "130", f"cantidad_{union.id}": "70", "csrf_token": token},
    )
    assert too_much.status_code == 422
    assert is_refused_in_place(too_much, f"cantidad_{sierra.id}")
    too_much_error = field_error(too_much, f"cantidad_{sierra.id}")
    assert too_much_error == "Es más de lo que esa organización ofreció: 120 kg."
    assert value_of(too_much, f"cantidad_{sierra.id}") == "130"  # as typed

    short = client.post(
        f"{path}/adjudicar",
        data={f"cantidad_{sierra.id}": "0", f"cantidad_{union.id}": "150", "csrf_token": token},
    )
    assert short.status_code == 422
    assert texts(one(short, "section[aria-labelledby=adjudicar-h] .flash.error"), "p") == [
        "Revisa las cantidades.",
        "Las cantidades deben sumar lo que pide cada entrega: 200 kg.",
    ]
    session.expire_all()
    assert session.get(Demand, demand.id).status == "open"  # type: ignore[union-attr]

    awarded = client.post(
        f"{path}/adjudicar",
        data={f"cantidad_{sierra.id}": "100", f"cantidad_{union.id}": "100", "csrf_token": token},
    )
    assert awarded.status_code == 303
    session.expire_all()
    decided = session.get(Demand, demand.id)
    assert decided is not None and decided.status == "awarded" and decided.purchase_order
    order_page = soup(client.get(awarded.headers["location"]))
    done = f"Adjudicaste la demanda. Orden de compra {decided.purchase_order}."
    assert flash(order_page, "success") == done
    lines = texts(order_page, "section[aria-labelledby^=parte-] ul li")
    assert sorted(lines) == [
        "100 kg · Café para la cooperativa escolar · $28,725.00",
        "100 kg · Café para la cooperativa escolar · $30,150.00",
    ]


def test_each_producer_talks_with_the_institution_in_a_thread_of_its_own(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand, _sierra, _union = quoted(session, school_buyer, school, make_user, make_org)
    sierra = signed_in(app, "sierra@cafe.mx")
    path = f"/demandas/{demand.id}"
    question = "¿Reciben la entrega en costales de 60 kg?"
    sent = sierra.post(
        f"{path}/mensajes",
        data={
            "organizacion": "cooperativa-cafe-de-la-sierra-mixe",
            "body": question,
            "csrf_token": csrf_of(sierra, path),
        },
    )
    assert sent.status_code == 303
    assert texts(sierra.get(path), ".thread .messages li p") == [question]

    buyer_page = signed_in(app, "compras@escuela.mx").get(path)
    thread = one(buyer_page, "#conversacion-cooperativa-cafe-de-la-sierra-mixe")
    assert texts(thread, ".messages li p") == [question]
    assert texts(buyer_page, ".thread .messages li p") == [question]  # in that thread alone
    assert question not in text_of(signed_in(app, "union@cafe.mx").get(path))


def test_the_institution_sees_the_thread_of_a_producer_that_wrote_without_quoting(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand = open_demand(session, school_buyer, school)
    person = make_user("milpa@cafe.mx")
    milpa = make_org(person, name="Ejido La Milpa", state="20")  # may quote, has not
    producer = signed_in(app, "milpa@cafe.mx")
    path = f"/demandas/{demand.id}"
    question = "¿Aceptan café de altura sin certificación orgánica?"
    sent = producer.post(
        f"{path}/mensajes",
        data={"organizacion": milpa.slug, "body": question, "csrf_token": csrf_of(producer, path)},
    )
    assert sent.status_code == 303

    buyer = signed_in(app, "compras@escuela.mx")
    buyer_page = soup(buyer.get(path))
    assert texts(buyer_page, "section[aria-labelledby=cotizaciones-h] .empty") == [
        "Todavía no hay cotizaciones."
    ]
    thread = one(buyer_page, f"#conversacion-{milpa.slug}")
    assert texts(thread, "h3") == ["Conversación con Ejido La Milpa"]
    assert texts(thread, ".messages li p") == [question]
    assert value_of(thread, "organizacion") == milpa.slug  # and the institution can answer

    answer = "Sí, siempre que sea de la región."
    replied = buyer.post(
        f"{path}/mensajes",
        data={"organizacion": milpa.slug, "body": answer, "csrf_token": csrf_of(buyer, path)},
    )
    assert replied.status_code == 303
    assert texts(one(producer.get(path), f"#conversacion-{milpa.slug}"), ".messages li p") == [
        question,
        answer,
    ]

    # Once it quotes, it still has one thread (not one as a writer and another as a bidder).
    demands.submit_quote(session, person, demand, milpa, QuoteCreate(unit_price_cents=29900, quantity=80))
    session.commit()
    buyer_page = soup(buyer.get(path))
    assert [row[1] for row in table_rows(buyer_page, "table.compare")] == ["$299.00"]
    assert len(elements(buyer_page, f"#conversacion-{milpa.slug}")) == 1


def test_open_demands_are_listed_to_producers_and_the_address_to_those_it_concerns(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand = open_demand(session, school_buyer, school)
    address = "Calle Hidalgo 12, Centro, 68000"
    sierra = make_org(make_user("sierra@cafe.mx"), name="Cooperativa Café de la Sierra Mixe", state="20")
    union = make_org(make_user("union@cafe.mx"), name="Unión de Cafetaleras de Pluma Hidalgo", state="20")
    make_user("vecina@example.mx")

    def links(client: TestClient) -> list[str]:
        return [link for link in hrefs(client.get("/demandas")) if link.removeprefix("/demandas/").isdigit()]

    def why_not(page: Html) -> str:
        return text_of(one(page, "section[aria-labelledby=abiertas] h2 + p"))

    # Someone who may not quote is not shown the demand, nor a link that would be a 404 to them.
    stranger = signed_in(app, "vecina@example.mx")
    listing = soup(stranger.get("/demandas"))
    assert demand.title not in text_of(listing) and links(stranger) == []
    assert why_not(listing).startswith(
        "Las demandas abiertas las ven las personas de organizaciones productoras verificadas"
    )
    stranger.get("/idioma/en")
    assert why_not(stranger.get("/demandas")).startswith(
        "Open demands are shown to members of verified producer organizations"
    )

    # A producer sees it and every link it is shown opens; the address only once the demand concerns it.
    producer = signed_in(app, "sierra@cafe.mx")
    assert links(producer) == [f"/demandas/{demand.id}"]
    assert all(producer.get(link).status_code == 200 for link in links(producer))
    where = facts(producer.get(f"/demandas/{demand.id}"))["Entregar en"]
    assert address not in where and where.startswith("Oaxaca de Juárez, Oaxaca")
    assert "La dirección exacta la ven las organizaciones invitadas o elegidas para esta demanda" in where
    person = session.exec(select(User).where(User.email == "sierra@cafe.mx")).one()
    demands.submit_quote(session, person, demand, sierra, QuoteCreate(unit_price_cents=30000, quantity=50))
    session.add(DemandInvitation(demand_id=demand.id or 0, organization_id=union.id or 0, fit=70))
    session.commit()
    shown = f"{address}, Oaxaca de Juárez, Oaxaca"
    for viewer in (producer, signed_in(app, "union@cafe.mx"), signed_in(app, "compras@escuela.mx")):
        # the one that quoted, the one it was matched to, the institution
        assert facts(viewer.get(f"/demandas/{demand.id}"))["Entregar en"] == shown


def test_on_the_pages_others_quotes_threads_and_institutions_are_the_404_of_an_unknown_id(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand, sierra_quote, _union_quote = quoted(session, school_buyer, school, make_user, make_org)
    union = signed_in(app, "union@cafe.mx")
    path = f"/demandas/{demand.id}"
    token = csrf_of(union, path)

    def withdrawn(quote_id: int) -> tuple[int, str, str]:
        response = union.post(f"{path}/cotizaciones/{quote_id}/retirar", data={"csrf_token": token})
        flashed = text_of(main(union.get(path)))
        return response.status_code, response.headers.get("location", ""), flashed

    assert withdrawn(sierra_quote.id or 0) == withdrawn((sierra_quote.id or 0) + 1000)
    assert "Cooperativa Café de la Sierra Mixe" not in withdrawn(sierra_quote.id or 0)[2]

    def wrote(slug: str) -> tuple[int, str]:
        response = union.post(
            f"{path}/mensajes", data={"organizacion": slug, "body": "¿Quién más cotizó?", "csrf_token": token}
        )
        return response.status_code, response.text

    assert wrote("cooperativa-cafe-de-la-sierra-mixe") == wrote("no-existe")
    assert wrote("no-existe")[0] == 404

    def decided(buyer_id: int) -> tuple[int, str]:
        url = f"/admin/instituciones/{buyer_id}/verificar"
        response = union.post(url, data={"csrf_token": token})
        return response.status_code, response.text.replace(url, "URL")

    assert decided(school.id or 0) == decided((school.id or 0) + 1000)
    assert school.name not in decided(school.id or 0)[1]
    session.expire_all()
    assert session.get(Quote, sierra_quote.id).status == "submitted"  # type: ignore[union-attr]


def test_award_quantities_and_quote_numbers_that_are_not_numbers_are_refused_in_place(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    make_user: Any,
    make_org: Any,
) -> None:
    demand, sierra, union = quoted(session, school_buyer, school, make_user, make_org)
    demand.quote_deadline = utcnow() - timedelta(minutes=1)
    session.add(demand)
    session.commit()
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    log_in(client, "compras@escuela.mx")
    path = f"/demandas/{demand.id}"
    form = {
        f"cantidad_{sierra.id}": "²",  # a digit to str.isdigit(), not to int()
        f"cantidad_{union.id}": "150",
        "cantidad_²": "50",
        f"cantidad_{2**63}": "50",
        "csrf_token": csrf_of(client, path),
    }

    response = client.post(f"{path}/adjudicar", data=form)

    assert response.status_code == 422
    quantity = one(response, f"[name=cantidad_{sierra.id}]")
    assert attr(quantity, "aria-describedby") == f"e-cantidad_{sierra.id}"
    assert field_error(response, f"cantidad_{sierra.id}") == "Escribe un número entero."
    session.expire_all()
    assert session.get(Demand, demand.id).status == "open"  # type: ignore[union-attr]
