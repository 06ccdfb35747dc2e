"""the sector's vocabulary, complete: "Unión de ejidos, SPR o ARIC" becomes three legal forms

An organization filed under the old joint form gets the one its name says (an ARIC, an SPR, else a union of
ejidos or comunidades); its sales as recorded (fulfillments, impact rows) follow it, pending changes too, and
a demand that preferred the joint form prefers all three. The organization's `updated_at` moves, so its
listings' search documents are rebuilt with the new form. The new certifications need no data.

Revision ID: e6a72d386197
Revises: d4f1a3c8e217
Create Date: 2026-12-07 00:00:00.000000
"""

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "e6a72d386197"
down_revision = "d4f1a3c8e217"
branch_labels = None
depends_on = None

JOINT = "union_spr_aric"
SPLIT = ["union_ejidos", "spr", "aric"]


def form_named_by(name: str) -> str:
    """The form an organization's name declares: "... ARIC", "... SPR de RI", "Sociedad de Producción Rural ..."."""
    if re.search(r"\bA\.?\s?R\.?\s?I\.?\s?C\b|inter[eé]s colectivo", name, re.IGNORECASE):
        return "aric"
    if re.search(r"\bS\.?\s?P\.?\s?R\b|producci[oó]n rural", name, re.IGNORECASE):
        return "spr"
    return "union_ejidos"


def upgrade() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    organizations = connection.execute(
        sa.text("SELECT id, name FROM organization WHERE legal_form = :joint"), {"joint": JOINT}
    ).all()
    for organization_id, name in organizations:
        form = form_named_by(name)
        parameters = {"form": form, "id": organization_id, "joint": JOINT, "now": now}
        connection.execute(
            sa.text("UPDATE organization SET legal_form = :form, updated_at = :now WHERE id = :id"),
            parameters,
        )
        connection.execute(
            sa.text(
                "UPDATE fulfillment SET producer_legal_form = :form "
                "WHERE organization_id = :id AND producer_legal_form = :joint"
            ),
            parameters,
        )
        connection.execute(
            sa.text(
                "UPDATE impact_rollup SET legal_form = :form WHERE organization_id = :id AND legal_form = :joint"
            ),
            parameters,
        )
    _rewrite_pending_changes(connection)
    _rewrite_demand_preferences(connection)


def _rewrite_pending_changes(connection: sa.Connection) -> None:
    """A change asking for the joint form asks for the one its organization's (new) name declares."""
    rows = connection.execute(
        sa.text(
            "SELECT organizationchange.id, organizationchange.changes, organization.name FROM organizationchange "
            "JOIN organization ON organization.id = organizationchange.organization_id"
        )
    ).all()
    for change_id, raw, name in rows:
        changes = json.loads(raw) if isinstance(raw, str) else raw
        if changes.get("legal_form") == JOINT:
            changes["legal_form"] = form_named_by(changes.get("name") or name)
            _store(connection, "organizationchange", "changes", change_id, changes)


def _rewrite_demand_preferences(connection: sa.Connection) -> None:
    """A demand that preferred the joint form prefers each of the three."""
    for demand_id, raw in connection.execute(sa.text("SELECT id, preferred_legal_forms FROM demand")).all():
        forms = json.loads(raw) if isinstance(raw, str) else raw
        if JOINT in forms:
            forms = [code for code in forms if code != JOINT] + [code for code in SPLIT if code not in forms]
            _store(connection, "demand", "preferred_legal_forms", demand_id, forms)


def _store(connection: sa.Connection, table: str, column: str, row_id: int, value: object) -> None:
    update = sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id")
    connection.execute(
        update.bindparams(sa.bindparam("value", type_=sa.JSON)), {"value": value, "id": row_id}
    )


def downgrade() -> None:
    connection = op.get_bind()
    split = {"joint": JOINT, "split": SPLIT}
    for table, column in (
        ("organization", "legal_form"),
        ("fulfillment", "producer_legal_form"),
        ("impact_rollup", "legal_form"),
    ):
        update = sa.text(f"UPDATE {table} SET {column} = :joint WHERE {column} IN :split")
        connection.execute(update.bindparams(sa.bindparam("split", expanding=True)), split)
