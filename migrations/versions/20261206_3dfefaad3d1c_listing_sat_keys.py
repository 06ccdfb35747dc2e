"""listing SAT keys

Every listing carries the SAT keys its invoices need: ClaveProdServ, ClaveUnidad and objeto de impuesto.
Listings that exist get those the catalog suggests for their category and unit (as market/catalog/taxonomy.py
suggested them when this revision was written), and "02" (taxed), so invoicing never meets a listing
without keys; a category or unit from before the vocabulary gets the catalogue's "01010101" and a piece
(a service, for a service).

Revision ID: 3dfefaad3d1c
Revises: f6068acefbfb
Create Date: 2026-12-06 11:46:31.817821
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '3dfefaad3d1c'
down_revision = 'f6068acefbfb'
branch_labels = None
depends_on = None

PRODUCT_KEYS = {
    "cafe": "50201706",
    "miel": "50192403",
    "cacao-chocolate": "50161511",
    "vainilla": "50171550",
    "mezcal-destilados": "50202206",
    "maiz-granos": "50221001",
    "frutas-verduras": "50307000",
    "alimentos-procesados": "50192400",
    "pesca-acuacultura": "50121500",
    "textiles": "53102200",
    "artesanias": "60124102",
    "forestales": "11121600",
    "cosmetica-natural": "53131619",
    "ecoturismo": "90121501",
    "servicios": "93141904",
}
UNIT_KEYS = {
    "kg": "KGM",
    "g": "GRM",
    "t": "TNE",
    "l": "LTR",
    "ml": "MLT",
    "pieza": "H87",
    "caja": "XBX",
    "servicio": "E48",
    "hora": "HUR",
    "persona": "IE",
}


def _case(column: str, mapping: dict[str, str], otherwise: str) -> str:
    # The values are the literals above (no input reaches this text).
    whens = " ".join(f"WHEN '{value}' THEN '{key}'" for value, key in mapping.items())
    return f"CASE {column} {whens} ELSE {otherwise} END"


def upgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sat_product_key', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column('sat_unit_key', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True))
        batch_op.add_column(sa.Column('tax_object', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))
    fallback_product = "'01010101'"
    fallback_unit = "CASE kind WHEN 'service' THEN 'E48' ELSE 'H87' END"
    op.execute(
        "UPDATE listing SET"
        f" sat_product_key = {_case('category', PRODUCT_KEYS, fallback_product)},"
        f" sat_unit_key = {_case('unit', UNIT_KEYS, fallback_unit)},"
        " tax_object = '02'"
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.alter_column('sat_product_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False)
        batch_op.alter_column('sat_unit_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False)
        batch_op.alter_column('tax_object', existing_type=sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_column('tax_object')
        batch_op.drop_column('sat_unit_key')
        batch_op.drop_column('sat_product_key')
