"""Administrators manage people, organisations, regions and the taxonomy, and read the audit log."""

import sqlalchemy as sa

from learning.admin.models import Organisation, Region, TaxonomyTerm, Vocabulary
from learning.audit import AuditEvent
from learning.auth.models import User
from learning.db import db
from tests.helpers import table_text, text_of


def agency_kind(code: str) -> TaxonomyTerm:
    return db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.code == code))


def make_region(name: str = "Regio Midden") -> Region:
    region = Region(name=name)
    db.session.add(region)
    db.session.commit()
    return region


def make_organisation(name: str = "Veilig Thuis Midden", region: Region | None = None) -> Organisation:
    organisation = Organisation(name=name, agency_kind=agency_kind("veilig_thuis"), region=region or make_region())
    db.session.add(organisation)
    db.session.commit()
    return organisation


def test_admin_invites_someone_with_roles_and_organisation(admin_client, outbox):
    organisation = make_organisation()
    response = admin_client.post("/admin/users/invite", data={
        "email": "Nina@Example.org", "display_name": "Nina Nieuw", "language": "en",
        "roles": ["reviewer", "policy_owner"], "organisation_id": str(organisation.id),
    })
    user = db.session.scalar(sa.select(User).where(User.email == "Nina@Example.org"))
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert user.roles == {"reviewer", "policy_owner"} and user.organisation == organisation
    assert user.invitation_pending and user.preferred_language == "en"
    [message] = outbox.to("Nina@Example.org")
    assert "/invitation/" in outbox.text(message)


def test_inviting_an_existing_address_keeps_what_was_typed(admin_client, create_user):
    create_user("wendy@example.org")
    response = admin_client.post("/admin/users/invite", data={
        "email": "WENDY@example.org", "display_name": "Wendy Twee", "language": "nl", "organisation_id": "0",
    })
    page = response.get_data(as_text=True)
    assert "Er bestaat al een account met dit e-mailadres" in text_of(response)
    assert 'value="WENDY@example.org"' in page and 'value="Wendy Twee"' in page


def test_invite_with_crafted_role_or_organisation_is_refused(admin_client):
    response = admin_client.post("/admin/users/invite", data={
        "email": "x@example.org", "display_name": "X", "language": "nl", "roles": ["superuser"],
        "organisation_id": "9999",
    })
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None


def test_admin_changes_roles_and_the_change_is_audited(admin_client, admin, create_user):
    user = create_user("wendy@example.org")
    admin_client.post(f"/admin/users/{user.id}", data={
        "display_name": "Wendy", "language": "nl", "roles": ["reviewer"], "organisation_id": "0",
    })
    assert user.roles == {"reviewer"}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "account.roles_changed"))
    assert event.actor_id == admin.id and event.details["added"] == ["reviewer"]


def test_admin_cannot_drop_own_admin_role(admin_client, admin):
    response = admin_client.post(f"/admin/users/{admin.id}", data={
        "display_name": "Anouk", "language": "nl", "roles": [], "organisation_id": "0",
    })
    assert "eigen beheerdersrol" in text_of(response)
    assert admin.has_role("admin")


def test_deactivation_signs_the_person_out_everywhere(app, admin_client, login, create_user):
    user = create_user("wendy@example.org")
    their_browser = login(user)
    assert their_browser.get("/dashboard").status_code == 200
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert not user.active
    assert their_browser.get("/dashboard").status_code == 302
    admin_client.post(f"/admin/users/{user.id}/reactivate")
    assert user.active


def test_resend_invitation_and_reset_mfa(admin_client, create_user, outbox):
    invited = create_user("nina@example.org", password=None)
    admin_client.post(f"/admin/users/{invited.id}/resend-invitation")
    assert len(outbox.to("nina@example.org")) == 1
    reviewer = create_user("ria@example.org", roles=("reviewer",))
    admin_client.post(f"/admin/users/{reviewer.id}/reset-mfa")
    assert reviewer.must_enrol_mfa


def test_account_action_for_accepted_invitation_explains_itself(admin_client, create_user):
    user = create_user("wendy@example.org")
    response = admin_client.post(f"/admin/users/{user.id}/resend-invitation", follow_redirects=True)
    assert "al geaccepteerd" in text_of(response)


def test_user_list_filters_by_role_and_text(admin_client, create_user):
    create_user("ria@example.org", name="Ria Reviewer", roles=("reviewer",))
    create_user("wendy@example.org", name="Wendy Wijkteam")
    reviewers = text_of(admin_client.get("/admin/users?role=reviewer"))
    assert "Ria Reviewer" in reviewers and "Wendy Wijkteam" not in reviewers
    searched = text_of(admin_client.get("/admin/users?q=wijk"))
    assert "Wendy Wijkteam" in searched and "Ria Reviewer" not in searched


def test_user_list_query_count_does_not_grow_with_people(admin_client, create_user, count_queries):
    for number in range(3):
        create_user(f"a{number}@example.org", roles=("reviewer",))
    with count_queries() as few:
        admin_client.get("/admin/users")
    for number in range(20):
        create_user(f"b{number}@example.org", roles=("policy_owner",), organisation_id=make_organisation(
            f"Org {number}", make_region(f"Regio {number}")).id)
    with count_queries() as many:
        admin_client.get("/admin/users")
    assert many.count == few.count


def test_organisation_needs_a_region_first(admin_client):
    response = admin_client.get("/admin/organisations/new")
    assert response.headers["Location"] == "/admin/regions"


def test_create_and_edit_organisation(admin_client):
    region = make_region()
    kind = agency_kind("ggz")
    admin_client.post("/admin/organisations/new", data={
        "name": "GGZ Midden", "agency_kind_id": str(kind.id), "region_id": str(region.id), "active": "y",
    })
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "GGZ Midden"))
    assert organisation.agency_kind == kind and organisation.region == region
    admin_client.post(f"/admin/organisations/{organisation.id}", data={
        "name": "GGZ Midden-Noord", "agency_kind_id": str(kind.id), "region_id": str(region.id),
    })
    assert organisation.name == "GGZ Midden-Noord" and not organisation.active


def test_organisation_with_unknown_region_or_kind_gets_an_error(admin_client):
    region = make_region()
    level = db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.code == "keten"))
    response = admin_client.post("/admin/organisations/new", data={
        "name": "Nergens", "agency_kind_id": str(level.id), "region_id": str(region.id + 50),
    })
    assert response.status_code == 200
    assert 'value="Nergens"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Organisation)) is None


def test_duplicate_region_name_is_refused(admin_client):
    make_region("Regio Midden")
    response = admin_client.post("/admin/regions", data={"name": "regio midden"})
    assert "Er bestaat al een regio met deze naam" in text_of(response)


def test_taxonomy_terms_can_be_added_renamed_and_switched_off(admin_client):
    response = admin_client.post("/admin/taxonomy/agency_kind/new", data={
        "code": "jeugd_ggz", "label_nl": "jeugd-GGZ", "label_en": "youth mental health care", "position": "200",
        "active": "y",
    })
    assert response.status_code == 302
    term = db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.code == "jeugd_ggz"))
    assert not term.built_in
    admin_client.post(f"/admin/taxonomy/{term.id}", data={
        "label_nl": "jeugd-ggz", "label_en": "youth mental health", "position": "5",
    })
    assert term.label_nl == "jeugd-ggz" and not term.active and term.code == "jeugd_ggz"


def test_taxonomy_code_must_be_well_formed_and_unique(admin_client):
    bad = admin_client.post("/admin/taxonomy/level/new", data={
        "code": "Keten!", "label_nl": "x", "label_en": "x", "position": "1",
    })
    assert "kleine letters" in text_of(bad)
    taken = admin_client.post("/admin/taxonomy/level/new", data={
        "code": "keten", "label_nl": "x", "label_en": "x", "position": "1",
    })
    assert "bestaat al" in text_of(taken)


def test_unknown_vocabulary_is_404(admin_client):
    assert admin_client.get("/admin/taxonomy/colours/new").status_code == 404


def test_audit_log_filters_by_person_action_and_date(admin_client, admin, create_user):
    user = create_user("wendy@example.org", name="Wendy Wijkteam")
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    everything = table_text(admin_client.get("/admin/audit"))
    assert "Account gedeactiveerd" in everything and "Account aangemaakt" in everything
    by_action = table_text(admin_client.get("/admin/audit?action=account.deactivated"))
    assert "1 gebeurtenis" in by_action and "Account aangemaakt" not in by_action
    by_person = admin_client.get(f"/admin/audit?actor_id={admin.id}")
    assert "Alleen handelingen van Anouk Admin" in text_of(by_person)
    assert "Account gedeactiveerd" in table_text(by_person) and "Account aangemaakt" not in table_text(by_person)
    by_name = table_text(admin_client.get("/admin/audit?actor=anouk"))
    assert "Account gedeactiveerd" in by_name and "Account aangemaakt" not in by_name
    future = text_of(admin_client.get("/admin/audit?date_from=2099-01-01"))
    assert "Geen gebeurtenissen" in future


def test_audit_log_rejects_an_end_before_the_start(admin_client):
    page = text_of(admin_client.get("/admin/audit?date_from=2026-05-02&date_to=2026-05-01"))
    assert "Deze datum ligt voor de begindatum" in page


def test_taxonomy_is_seeded_as_in_the_product_brief(app):
    codes = {vocabulary: [t.code for t in db.session.scalars(
        sa.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary.value).order_by(TaxonomyTerm.position))]
        for vocabulary in Vocabulary}
    assert codes[Vocabulary.LEVEL] == ["persoon", "team", "organisatie", "keten", "stelsel"]
    assert codes[Vocabulary.PRINCIPLE] == ["gezinsgericht", "rechtsbeschermend_transparant", "eenvoudig", "lerend"]
    assert len(codes[Vocabulary.FINDING_TYPE]) == 7 and len(codes[Vocabulary.AGENCY_KIND]) == 13
