"""Preparing a review through HTTP, as a reviewer and participants would."""

from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from learning.audit import AuditEvent
from learning.db import db
from learning.reviews.models import Episode, MemberRole, Review
from tests.helpers import link_in, table_text, text_of
from tests.reviews.conftest import TODAY, builtin_method

HX = {"HX-Request": "true"}


def review_form(region, **changes):  # noqa: ANN001, ANN201
    return {"kind": "casusreview", "title": "Gezin C", "learning_question": "Wat hielp?", "region_id": str(region.id),
            "method_id": str(builtin_method().id), "planned_start": str(TODAY + timedelta(days=10)),
            "planned_end": "", "case_summary": "Kind C woont bij oma.", "family_perspective": "", **changes}


def test_reviewer_creates_a_review(login, lead, region):
    client = login(lead)
    response = client.post("/reviews/new", data=review_form(region))
    review = db.session.scalar(sa.select(Review))
    assert response.headers["Location"] == f"/reviews/{review.id}"
    page = text_of(client.get(response.headers["Location"]))
    assert "Gezin C" in page and "Leren met impact — casusreview (8 fasen)" in page


def test_personal_data_is_flagged_with_the_text_kept_then_confirmed(login, lead, region):
    client = login(lead)
    text = "Moeder met BSN 111222333 en Sanne (6) wonen in 1234 AB 12."
    response = client.post("/reviews/new", data=review_form(region, case_summary=text))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and db.session.scalar(sa.select(Review)) is None
    assert "Deze tekst lijkt persoonsgegevens te bevatten" in text_of(response)
    assert '<mark class="lmi-mark">111222333</mark>' in html and '<mark class="lmi-mark">Sanne</mark>' in html
    assert text in html  # what was typed is still in the form
    marks = [part.split('"')[0] for part in html.split('name="confirm_pseudonym" value="')[1:]]
    assert len(marks) == 3
    confirmed = client.post("/reviews/new", data={**review_form(region, case_summary=text), "confirm_pseudonym": marks})
    assert confirmed.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "privacy.pseudonym_confirmed")) == 3


def test_bad_dates_keep_everything_typed(login, lead, region):
    response = login(lead).post("/reviews/new", data=review_form(
        region, planned_start=str(TODAY - timedelta(days=2)), title="Mijn lange titel"))
    assert "Deze datum ligt in het verleden" in text_of(response)
    assert 'value="Mijn lange titel"' in response.get_data(as_text=True)


def test_case_text_over_the_limit_states_the_limit(login, lead, region):
    response = login(lead).post("/reviews/new", data=review_form(region, case_summary="x" * 20_001))
    assert "Hoogstens 20000 tekens" in text_of(response)


def test_markdown_is_rendered_and_sanitised(login, make_review, lead):
    review = make_review(case_summary="**Vet** <script>alert(1)</script> [link](javascript:alert(2)) ![x](/x.png)")
    html = login(lead).get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "<strong>Vet</strong>" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert 'href="javascript' not in html and "<img" not in html


def test_viewing_is_logged_and_the_lead_sees_who_looked(login, make_review, lead, create_user, add_member):
    review = make_review()
    participant = create_user("wendy@example.org", name="Wendy Wijkteam")
    add_member(review, participant)
    login(participant).get(f"/reviews/{review.id}")
    login(participant).get(f"/reviews/{review.id}/timeline")
    page = table_text(login(lead).get(f"/reviews/{review.id}/viewers"))
    assert "Wendy Wijkteam 2" in page
    sections = db.session.scalars(sa.select(AuditEvent.details).where(
        AuditEvent.action == "review.viewed", AuditEvent.actor_id == participant.id))
    assert sorted(s["sections"][0] for s in sections) == ["case_summary", "timeline"]


def test_edit_conflict_shows_both_versions_and_keeps_mine(app, login, make_review, lead, region):
    review = make_review()
    mine, theirs = login(lead), login(lead)
    form_version = str(review.version)
    theirs.post(f"/reviews/{review.id}/edit", data={**review_form(region, title="Hun titel"), "version": form_version})
    response = mine.post(f"/reviews/{review.id}/edit", data={**review_form(region, title="Mijn titel"),
                                                             "version": form_version})
    page = text_of(response)
    assert "Iemand anders heeft dit intussen gewijzigd" in page
    assert "Huidige versie: Titel Hun titel" in page and "Jouw versie: Titel Mijn titel" in page
    assert 'value="Mijn titel"' in response.get_data(as_text=True)
    db.session.refresh(review)
    assert review.title == "Hun titel"
    # Saving again from the conflict page knowingly replaces the newer version.
    new_version = response.get_data(as_text=True).split('name="version" type="hidden" value="')[1].split('"')[0]
    mine.post(f"/reviews/{review.id}/edit", data={**review_form(region, title="Mijn titel"), "version": new_version})
    db.session.refresh(review)
    assert review.title == "Mijn titel"


def test_lead_moves_the_status_and_grants_support_access(login, make_review, lead, admin):
    review = make_review()
    client = login(lead)
    client.post(f"/reviews/{review.id}/status", data={"status": "voorbereiding"})
    assert review.status == "voorbereiding"
    refused = client.post(f"/reviews/{review.id}/status", data={"status": "gesloten"}, follow_redirects=True)
    assert "niet naar" in text_of(refused) and review.status == "voorbereiding"
    assert login(admin).get(f"/reviews/{review.id}").status_code == 404
    client.post(f"/reviews/{review.id}/support-access", data={"granted": "yes"})
    support = login(admin).get(f"/reviews/{review.id}")
    assert support.status_code == 200 and "inzage voor ondersteuning" in text_of(support)
    assert login(admin).get(f"/reviews/{review.id}/edit").status_code == 403


def test_calendar_download(login, make_review, lead):
    review = make_review(planned_end=TODAY + timedelta(days=15))
    response = login(lead).get(f"/reviews/{review.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == TODAY + timedelta(days=14)
    assert event.decoded("dtend") == TODAY + timedelta(days=16)  # exclusive end of an all-day event
    assert "Gezin A" in str(event["summary"])


def test_calendar_without_dates_is_404(login, make_review, lead):
    review = make_review(planned_start=None)
    assert login(lead).get(f"/reviews/{review.id}/calendar.ics").status_code == 404


def test_timeline_with_htmx_returns_only_the_sections(login, make_review, lead):
    review = make_review()
    client = login(lead)
    response = client.post(f"/reviews/{review.id}/episodes", headers=HX, data={
        "timeline": "integrated", "new-integrated-title": "Melding bij Veilig Thuis",
        "new-integrated-occurred_on": "2025-03-02", "new-integrated-period": "",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="timeline-sections"' in html
    assert "Melding bij Veilig Thuis" in html and "2 maart 2025" in html


def test_timeline_without_javascript_redirects_back(login, make_review, lead):
    review = make_review()
    response = login(lead).post(f"/reviews/{review.id}/episodes", data={
        "timeline": "integrated", "new-integrated-title": "Huisbezoek", "new-integrated-period": "voorjaar 2025"})
    assert response.headers["Location"] == f"/reviews/{review.id}/timeline"


def test_episode_error_keeps_the_form_open_with_the_input(login, make_review, lead):
    review = make_review()
    response = login(lead).post(f"/reviews/{review.id}/episodes", headers=HX, data={
        "timeline": "integrated", "new-integrated-title": "Zonder datum", "new-integrated-description": "Iets"})
    html = response.get_data(as_text=True)
    assert "Vul een datum in, of een periode" in text_of(response)
    assert 'value="Zonder datum"' in html and "<details class=\"lmi-details\" open>" in html


def test_participant_writes_an_own_timeline_and_the_reviewer_merges_it(login, make_review, lead, create_user,
                                                                        add_member):
    review = make_review()
    participant = create_user("wendy@example.org", name="Wendy Wijkteam")
    add_member(review, participant)
    login(participant).post(f"/reviews/{review.id}/episodes", data={
        "timeline": "own", "own": "", "new-own-title": "Eerste gesprek", "new-own-occurred_on": "2025-01-10"})
    own = db.session.scalar(sa.select(Episode))
    assert own.timeline_owner_id == participant.id
    other = create_user("vincent@example.org")
    add_member(review, other)
    assert "Eerste gesprek" not in text_of(login(other).get(f"/reviews/{review.id}/timeline"))
    reviewer_page = text_of(login(lead).get(f"/reviews/{review.id}/timeline"))
    assert "Tijdlijnen van deelnemers" in reviewer_page and "Eerste gesprek" in reviewer_page
    login(lead).post(f"/reviews/{review.id}/episodes/{own.id}/merge")
    shared = text_of(login(other).get(f"/reviews/{review.id}/timeline"))
    assert "Eerste gesprek" in shared and "Overgenomen uit de tijdlijn van Wendy Wijkteam" in shared


def test_printable_timeline(login, make_review, lead):
    review = make_review()
    db.session.add(Episode(review_id=review.id, title="Overdracht naar GI", period="zomer 2025"))
    db.session.commit()
    page = text_of(login(lead).get(f"/reviews/{review.id}/timeline/print"))
    assert "Overdracht naar GI" in page and "zomer 2025" in page and "Hoofdmenu" not in page


def test_review_phases_are_edited_with_buttons(login, make_review, lead):
    review = make_review()
    client = login(lead)
    first, second = review.phases[0], review.phases[1]
    response = client.post(f"/reviews/{review.id}/phases/{first.id}/move/down", headers=HX)
    assert 'id="phase-list"' in response.get_data(as_text=True)
    db.session.refresh(review)
    assert review.phases[0].id == second.id
    client.post(f"/reviews/{review.id}/phases", data={
        "new-phase-name": "Evaluatie", "new-phase-minutes": "10", "new-phase-contributor": "everyone",
        "new-phase-prompts": "Wat nemen we mee?"})
    db.session.refresh(review)
    assert review.phases[-1].name == "Evaluatie" and review.phases[-1].prompts == ["Wat nemen we mee?"]
    bad = client.post(f"/reviews/{review.id}/phases/{second.id}", headers=HX, data={
        f"phase-{second.id}-name": "", f"phase-{second.id}-minutes": "0", f"phase-{second.id}-contributor": "everyone"})
    assert "Geef de fase een naam" in text_of(bad)


def test_dashboard_lists_my_reviews_with_role_and_waiting_items(login, make_review, create_user, add_member):
    review = make_review(status="voorbereiding")
    participant = create_user("wendy@example.org")
    add_member(review, participant, MemberRole.EXPERT_BY_EXPERIENCE.value)
    make_review(title="Niet van mij")
    page = text_of(login(participant).get("/dashboard"))
    assert "Gezin A, zorgen na verhuizing" in page and "Ervaringsdeskundige" in page
    assert "Niet van mij" not in page
    assert "Schrijf je eigen tijdlijn voor “Gezin A, zorgen na verhuizing”" in page


def test_reviewer_filters_the_dashboard(login, make_review, lead):
    make_review(title="Een intervisie", kind="intervisie", method=builtin_method("incidentmethode"))
    make_review(title="Een casusreview")
    client = login(lead)
    page = table_text(client.get("/dashboard?kind=intervisie"))
    assert "Een intervisie" in page and "Een casusreview" not in page
    assert "Een casusreview" in table_text(client.get("/dashboard?status=concept"))


def test_invite_and_accept_as_new_person(app, login, make_review, lead, outbox):
    review = make_review()
    client = login(lead)
    response = client.post(f"/reviews/{review.id}/invitations", data={"email": "nieuw@example.org",
                                                                       "role": "participant"})
    assert response.status_code == 302
    [message] = outbox.to("nieuw@example.org")
    path = link_in(outbox.text(message), "http://lmi.test/reviews/invitations/").removeprefix("http://lmi.test")
    assert any(part.get_content_type() == "text/calendar" for part in message.iter_attachments())
    guest = app.test_client()
    page = text_of(guest.get(path))
    assert "Gezin A, zorgen na verhuizing" in page and "Kies een wachtwoord" in page
    accepted = guest.post(path, data={"answer": "accept", "password": "een eigen sterke zin",
                                      "confirm": "een eigen sterke zin"})
    assert accepted.headers["Location"] == f"/reviews/{review.id}"
    assert guest.get(f"/reviews/{review.id}").status_code == 200
    again = guest.get(path)
    assert again.status_code == 410 and "al geaccepteerd" in text_of(again)


def test_existing_user_must_sign_in_and_be_the_invitee(app, login, make_review, lead, create_user, outbox):
    review = make_review()
    invitee = create_user("wendy@example.org")
    other = create_user("vincent@example.org")
    login(lead).post(f"/reviews/{review.id}/invitations", data={"email": "wendy@example.org", "role": "observer"})
    path = link_in(outbox.text(outbox.to("wendy@example.org")[0]), "http://lmi.test").removeprefix("http://lmi.test")
    assert app.test_client().get(path).headers["Location"].startswith("/login?next=/reviews/invitations/")
    assert login(other).get(path).status_code == 403
    response = login(invitee).post(path, data={"answer": "accept"})
    assert response.headers["Location"] == f"/reviews/{review.id}"


def test_declining_creates_no_membership(app, login, make_review, lead, outbox):
    review = make_review()
    login(lead).post(f"/reviews/{review.id}/invitations", data={"email": "nieuw@example.org", "role": "participant"})
    path = link_in(outbox.text(outbox.messages()[0]), "http://lmi.test").removeprefix("http://lmi.test")
    response = app.test_client().post(path, data={"answer": "decline"})
    assert "Uitnodiging afgeslagen" in text_of(response)
    assert len(review.members) == 1


def test_inviting_twice_is_explained_and_keeps_the_address(login, make_review, lead):
    review = make_review()
    client = login(lead)
    client.post(f"/reviews/{review.id}/invitations", data={"email": "nieuw@example.org", "role": "participant"})
    response = client.post(f"/reviews/{review.id}/invitations", data={"email": "Nieuw@example.org",
                                                                       "role": "participant"})
    assert "al uitgenodigd" in text_of(response) and 'value="Nieuw@example.org"' in response.get_data(as_text=True)


def test_method_library_copy_and_adapt(login, lead):
    client = login(lead)
    assert "Incidentmethode" in text_of(client.get("/methods"))
    builtin = builtin_method("incidentmethode")
    response = client.post(f"/methods/{builtin.id}/copy")
    copy_id = int(response.headers["Location"].split("/")[2])
    client.post(f"/methods/{copy_id}/edit", data={"name": "Onze incidentmethode", "description": "Korter",
                                                 "suitable_kinds": ["intervisie"]})
    page = text_of(client.get(f"/methods/{copy_id}"))
    assert "Onze incidentmethode" in page and "Korter" in page
    assert client.post(f"/methods/{builtin.id}/phases", data={"new-phase-name": "x"}).status_code == 403


def test_opening_the_edit_form_is_logged_as_a_view(login, make_review, create_user, add_member):
    review = make_review()
    co = create_user("co@example.org", roles=("reviewer",))
    add_member(review, co, MemberRole.CO_REVIEWER.value)
    login(co).get(f"/reviews/{review.id}/edit")
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "review.viewed", AuditEvent.actor_id == co.id)) == 1


def test_participant_cannot_update_a_shared_episode(login, make_review, create_user, add_member):
    review = make_review()
    participant = create_user("wendy@example.org")
    add_member(review, participant)
    episode = Episode(review_id=review.id, title="Gedeeld", period="2025")
    db.session.add(episode)
    db.session.commit()
    response = login(participant).post(f"/reviews/{review.id}/episodes/{episode.id}", data={
        f"episode-{episode.id}-title": "Overschreven", f"episode-{episode.id}-period": "2025",
        f"episode-{episode.id}-version": "1"})
    assert response.status_code == 403
    db.session.refresh(episode)
    assert episode.title == "Gedeeld"


def test_a_reviewer_who_lost_the_role_can_no_longer_edit(login, make_review, lead, admin):
    from learning.auth import services as accounts

    review = make_review()
    accounts.update_account(lead, actor=admin, display_name=lead.display_name, language="nl", roles=[],
                            organisation_id=lead.organisation_id)
    db.session.commit()
    client = login(lead)
    assert client.get(f"/reviews/{review.id}").status_code == 200
    assert client.get(f"/reviews/{review.id}/edit").status_code == 403
