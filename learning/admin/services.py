"""Reference data (regions, organisations, taxonomy) and the administrators' queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from wtforms import SelectChoice

from learning import audit
from learning.admin.models import Organisation, Region, TaxonomyTerm, Vocabulary
from learning.audit import AuditEvent
from learning.auth.models import User, UserRole
from learning.db import db
from learning.i18n import _


class ReferenceDataError(ValueError):
    """A change to reference data that would break a rule; ``str()`` is a translated message."""


# --- regions ------------------------------------------------------------------------------


def _name_taken(model: type[Region] | type[Organisation], name: str, except_id: int | None) -> bool:
    query = sa.select(model.id).where(sa.func.lower(model.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(model.id != except_id)
    return db.session.scalar(query) is not None


def create_region(*, name: str, actor: User) -> Region:
    if _name_taken(Region, name, None):
        raise ReferenceDataError(_("Er bestaat al een regio met deze naam."))
    region = Region(name=name.strip())
    db.session.add(region)
    db.session.flush()
    audit.record("region.created", actor=actor, object_type="region", object_id=region.id, name=region.name)
    return region


def rename_region(region: Region, *, name: str, actor: User) -> None:
    if _name_taken(Region, name, region.id):
        raise ReferenceDataError(_("Er bestaat al een regio met deze naam."))
    audit.record("region.updated", actor=actor, object_type="region", object_id=region.id,
                 old_name=region.name, name=name.strip())
    region.name = name.strip()
    db.session.flush()


def list_regions() -> list[tuple[Region, int]]:
    """Regions with their number of organisations, in one query."""
    count = sa.func.count(Organisation.id)
    rows = db.session.execute(
        sa.select(Region, count).outerjoin(Organisation, Organisation.region_id == Region.id)
        .group_by(Region.id).order_by(Region.name)
    )
    return [(region, number) for region, number in rows]


# --- organisations ------------------------------------------------------------------------


def _check_organisation_refs(agency_kind_id: int, region_id: int) -> None:
    kind = db.session.get(TaxonomyTerm, agency_kind_id)
    if kind is None or kind.vocabulary != Vocabulary.AGENCY_KIND:
        raise ReferenceDataError(_("Kies een soort organisatie uit de lijst."))
    if db.session.get(Region, region_id) is None:
        raise ReferenceDataError(_("Kies een regio uit de lijst."))


def create_organisation(*, name: str, agency_kind_id: int, region_id: int, actor: User) -> Organisation:
    if _name_taken(Organisation, name, None):
        raise ReferenceDataError(_("Er bestaat al een organisatie met deze naam."))
    _check_organisation_refs(agency_kind_id, region_id)
    organisation = Organisation(name=name.strip(), agency_kind_id=agency_kind_id, region_id=region_id)
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.created", actor=actor, object_type="organisation", object_id=organisation.id,
                 name=organisation.name)
    return organisation


def update_organisation(
    organisation: Organisation, *, name: str, agency_kind_id: int, region_id: int, active: bool, actor: User
) -> None:
    if _name_taken(Organisation, name, organisation.id):
        raise ReferenceDataError(_("Er bestaat al een organisatie met deze naam."))
    _check_organisation_refs(agency_kind_id, region_id)
    organisation.name = name.strip()
    organisation.agency_kind_id = agency_kind_id
    organisation.region_id = region_id
    organisation.active = active
    audit.record("organisation.updated", actor=actor, object_type="organisation", object_id=organisation.id,
                 name=organisation.name, active=active)
    db.session.flush()


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def organisation_choices(*keep_ids: int | None) -> list[SelectChoice]:
    """Active organisations, plus any in ``keep_ids`` (already chosen, perhaps switched off since)."""
    query = sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    keep = [organisation_id for organisation_id in keep_ids if organisation_id is not None]
    query = query.where(sa.or_(Organisation.active.is_(True), Organisation.id.in_(keep)))
    return [SelectChoice(row.id, row.name) for row in db.session.execute(query)]


def region_choices() -> list[SelectChoice]:
    query = sa.select(Region.id, Region.name).order_by(Region.name)
    return [SelectChoice(row.id, row.name) for row in db.session.execute(query)]


# --- taxonomy -----------------------------------------------------------------------------


def terms(vocabulary: Vocabulary, *, only_active: bool = False) -> list[TaxonomyTerm]:
    query = sa.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary.value)
    if only_active:
        query = query.where(TaxonomyTerm.active.is_(True))
    return list(db.session.scalars(query.order_by(TaxonomyTerm.position, TaxonomyTerm.label_nl)))


def term_choices(vocabulary: Vocabulary, keep: list[TaxonomyTerm] | tuple = ()) -> list[SelectChoice]:
    """Active terms to choose from, plus the ones already chosen even if switched off since."""
    chosen = terms(vocabulary, only_active=True)
    chosen += [term for term in keep if term not in chosen]
    return [SelectChoice(term.id, term.label) for term in chosen]


def all_terms() -> dict[Vocabulary, list[TaxonomyTerm]]:
    grouped: dict[Vocabulary, list[TaxonomyTerm]] = {vocabulary: [] for vocabulary in Vocabulary}
    rows = db.session.scalars(sa.select(TaxonomyTerm).order_by(TaxonomyTerm.position, TaxonomyTerm.label_nl))
    for term in rows:
        grouped[Vocabulary(term.vocabulary)].append(term)
    return grouped


def create_term(
    *, vocabulary: Vocabulary, code: str, label_nl: str, label_en: str, position: int, active: bool, actor: User
) -> TaxonomyTerm:
    exists = db.session.scalar(
        sa.select(TaxonomyTerm.id).where(TaxonomyTerm.vocabulary == vocabulary.value, TaxonomyTerm.code == code)
    )
    if exists is not None:
        raise ReferenceDataError(_("Deze code bestaat al in deze lijst."))
    term = TaxonomyTerm(
        vocabulary=vocabulary.value, code=code, label_nl=label_nl.strip(), label_en=label_en.strip(),
        position=position, active=active, built_in=False,
    )
    db.session.add(term)
    db.session.flush()
    audit.record("taxonomy.created", actor=actor, object_type="taxonomy_term", object_id=term.id,
                 vocabulary=vocabulary.value, code=code)
    return term


def update_term(
    term: TaxonomyTerm, *, label_nl: str, label_en: str, position: int, active: bool, actor: User
) -> None:
    term.label_nl = label_nl.strip()
    term.label_en = label_en.strip()
    term.position = position
    term.active = active
    audit.record("taxonomy.updated", actor=actor, object_type="taxonomy_term", object_id=term.id,
                 vocabulary=term.vocabulary, code=term.code, active=active)
    db.session.flush()


# --- users and audit queries ----------------------------------------------------------------


def users_query(*, q: str | None, role: str | None, status: str | None) -> sa.Select:
    query = sa.select(User).options(sa.orm.joinedload(User.organisation)).order_by(
        sa.func.lower(User.display_name), User.id)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.display_name).like(pattern),
                                   sa.func.lower(User.email).like(pattern)))
    if role:
        query = query.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if status == "active":
        query = query.where(User.active.is_(True), User.password_hash.is_not(None))
    elif status == "invited":
        query = query.where(User.active.is_(True), User.password_hash.is_(None))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    return query


@dataclass
class AuditFilter:
    actor: str | None = None
    actor_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _start_of_local_day(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone)


def audit_query(filters: AuditFilter) -> sa.Select:
    query = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.actor:
        pattern = f"%{filters.actor.strip().lower()}%"
        query = query.where(
            AuditEvent.actor_id.in_(
                sa.select(User.id).where(sa.or_(sa.func.lower(User.display_name).like(pattern),
                                                sa.func.lower(User.email).like(pattern)))
            )
        )
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEvent.occurred_at >= _start_of_local_day(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.occurred_at < _start_of_local_day(filters.date_to + timedelta(days=1)))
    return query


def known_actions() -> list[str]:
    """Actions that occur in the log, for the filter's choices."""
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def admin_counts() -> dict[str, int]:
    users = db.session.execute(
        sa.select(
            sa.func.count(User.id),
            sa.func.count(User.id).filter(User.password_hash.is_(None), User.active.is_(True)),
            sa.func.count(User.id).filter(User.active.is_(False)),
        )
    ).one()
    organisations = db.session.scalar(sa.select(sa.func.count(Organisation.id)))
    return {"users": users[0], "invited": users[1], "inactive": users[2], "organisations": organisations or 0}

