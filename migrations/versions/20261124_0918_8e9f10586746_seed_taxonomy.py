"""Seed the taxonomy: levels, principles, finding types and agency kinds (PRODUCT.md).

Data only. Codes are stable and code relies on them (for example: only lessons at
level ``keten`` or ``stelsel`` can become findings); administrators can rename,
reorder and switch off terms afterwards, and add their own.

Revision ID: 8e9f10586746
Revises: 643e54717055
Create Date: 2026-11-24 09:18:40.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e9f10586746'
down_revision = '643e54717055'
branch_labels = None
depends_on = None

TERMS = {
    "level": [
        ("persoon", "persoon", "person"),
        ("team", "team", "team"),
        ("organisatie", "organisatie", "organisation"),
        ("keten", "keten", "chain of agencies"),
        ("stelsel", "stelsel", "system"),
    ],
    "principle": [
        ("gezinsgericht", "gezinsgericht", "family-centred"),
        ("rechtsbeschermend_transparant", "rechtsbeschermend & transparant", "legally protective & transparent"),
        ("eenvoudig", "eenvoudig", "simple"),
        ("lerend", "lerend", "learning"),
    ],
    "finding_type": [
        ("keten_crisis", "samenwerking in de keten bij crisis",
         "multi-agency working in response to incidents and crises"),
        ("keten_lange_termijn", "samenwerking in de keten op lange termijn",
         "multi-agency working in longer-term work"),
        ("interactie_gezin_professional", "interactie gezin–professional", "family–professional interaction"),
        ("menselijke_oordeelsvorming", "menselijke oordeelsvorming (biases)", "human judgement (biases)"),
        ("instrumenten_werkprocessen", "instrumenten en werkprocessen", "tools and work processes"),
        ("management_organisatie", "management- en organisatiesystemen", "management and organisational systems"),
        ("wetgeving_financiering", "wet- en regelgeving en financiering", "legislation, regulation and funding"),
    ],
    "agency_kind": [
        ("lokaal_team", "lokaal (wijk)team", "local (neighbourhood) team"),
        ("regionaal_veiligheidsteam", "regionaal veiligheidsteam", "regional safety team"),
        ("veilig_thuis", "Veilig Thuis", "Veilig Thuis (domestic violence and child abuse centre)"),
        ("raad_kinderbescherming", "Raad voor de Kinderbescherming", "Child Protection Board"),
        ("gecertificeerde_instelling", "gecertificeerde instelling", "certified youth protection agency"),
        ("ggz", "GGZ", "mental health care"),
        ("verslavingszorg", "verslavingszorg", "addiction care"),
        ("lvb_zorg", "LVB-zorg", "care for people with a mild intellectual disability"),
        ("gemeente", "gemeente", "municipality"),
        ("rechtspraak", "rechtspraak", "judiciary"),
        ("onderwijs", "onderwijs", "education"),
        ("politie", "politie", "police"),
        ("overig", "overig", "other"),
    ],
}

taxonomy_terms = sa.table(
    "taxonomy_terms",
    sa.column("vocabulary", sa.String),
    sa.column("code", sa.String),
    sa.column("label_nl", sa.String),
    sa.column("label_en", sa.String),
    sa.column("position", sa.Integer),
    sa.column("active", sa.Boolean),
    sa.column("built_in", sa.Boolean),
)


def upgrade():
    rows = [
        {"vocabulary": vocabulary, "code": code, "label_nl": label_nl, "label_en": label_en,
         "position": (index + 1) * 10, "active": True, "built_in": True}
        for vocabulary, terms in TERMS.items()
        for index, (code, label_nl, label_en) in enumerate(terms)
    ]
    op.bulk_insert(taxonomy_terms, rows)


def downgrade():
    # Built-in terms that organisations now refer to cannot go; those rows block the downgrade on purpose.
    op.execute(taxonomy_terms.delete().where(taxonomy_terms.c.built_in.is_(True)))
