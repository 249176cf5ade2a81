"""Findings as services (no HTTP): evidence arithmetic, promotion rules, who sees what, status, questions, conflicts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.admin.models import Vocabulary
from learning.audit import AuditEvent
from learning.db import db
from learning.findings import access, queries, services
from learning.findings.evidence import EvidenceSummary, evidence_summaries, evidence_summary
from learning.findings.models import Finding, FindingStatus
from learning.findings.services import ChangedMeanwhile, FindingConflict, FindingError
from learning.reviews.models import MemberRole
from tests.findings.conftest import finding_input, finding_type, organisation, term


def finding_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Finding.id)))


def reload(finding: Finding) -> Finding:
    db.session.expire_all()
    return db.session.get(Finding, finding.id)


# --- the evidence summary -----------------------------------------------------------------------


@pytest.fixture
def three_reviews(make_review, region, other_region, make_lesson, make_episode):  # noqa: ANN001, ANN201
    """Three reviews in two regions, with overlapping organisations, agency kinds and episodes."""
    vt = organisation("Veilig Thuis Regio", "veilig_thuis", region)
    ggz = organisation("GGZ Midden", "ggz", region)
    police = organisation("Politie Noord", "politie", other_region)
    first = make_review(title="Review een", organisation_ids=[vt.id, ggz.id],
                        agency_kind_ids=[term(Vocabulary.AGENCY_KIND, "lokaal_team").id])
    # The second names Veilig Thuis as a kind and shares GGZ Midden with the first: both count once.
    second = make_review(title="Review twee", organisation_ids=[ggz.id],
                         agency_kind_ids=[term(Vocabulary.AGENCY_KIND, "veilig_thuis").id])
    third = make_review(title="Review drie", organisation_ids=[police.id])
    third.region_id = other_region.id
    db.session.commit()
    visit, call, meeting = (make_episode(first, title) for title in ("Huisbezoek", "Telefoon", "Overleg"))
    hearing = make_episode(second, "Zitting")
    lessons = [
        make_lesson(first, "keten", episodes=[visit, call]),
        make_lesson(first, "stelsel", episodes=[call, meeting]),  # the call is evidence twice: counts once
        make_lesson(second, "keten", episodes=[hearing]),
        make_lesson(third, "stelsel"),
    ]
    return (first, second, third), lessons


def test_evidence_counts_distinct_reviews_regions_agencies_and_episodes(three_reviews, make_finding, lead):
    _reviews, lessons = three_reviews
    finding = make_finding(lead, lessons)
    assert evidence_summary(finding) == EvidenceSummary(
        lessons=4, reviews=3, regions=2, organisations=3, agency_kinds=4, episodes=4)


def test_evidence_of_many_findings_in_one_query(three_reviews, make_finding, lead, count_queries):
    _reviews, lessons = three_reviews
    everything = make_finding(lead, lessons)
    one_review = make_finding(lead, lessons[:2], title="Alleen de eerste review")
    elsewhere = make_finding(lead, [lessons[3]], title="Alleen in het noorden")
    ids = [everything.id, one_review.id, elsewhere.id, 999_999]
    with count_queries() as counter:
        summaries = evidence_summaries(ids)
    assert counter.count == 1, counter.statements
    assert summaries[everything.id].reviews == 3
    assert summaries[one_review.id] == EvidenceSummary(
        lessons=2, reviews=1, regions=1, organisations=2, agency_kinds=3, episodes=3)
    assert summaries[elsewhere.id] == EvidenceSummary(
        lessons=1, reviews=1, regions=1, organisations=1, agency_kinds=1, episodes=0)
    assert summaries[999_999] == EvidenceSummary()
    assert evidence_summaries([]) == {}


def test_evidence_follows_the_links(three_reviews, make_finding, lead):
    _reviews, lessons = three_reviews
    finding = make_finding(lead, lessons[:1])
    assert evidence_summary(finding).episodes == 2
    services.update_finding(finding, finding_input(lessons[:3]), expected_version=finding.version, actor=lead)
    db.session.commit()
    assert evidence_summary(finding) == EvidenceSummary(
        lessons=3, reviews=2, regions=1, organisations=2, agency_kinds=3, episodes=4)


# --- promotion rules --------------------------------------------------------------------------


def test_a_persoon_level_lesson_is_refused_with_the_reason(make_review, make_lesson, lead):
    review = make_review()
    personal = make_lesson(review, "persoon", text="De jeugdbeschermer belde niet terug")
    with pytest.raises(FindingError) as refused:
        services.create_finding(finding_input([personal]), actor=lead)
    message = str(refused.value)
    assert "niveau persoon" in message and "keten of stelsel" in message and "De jeugdbeschermer" in message
    assert refused.value.field == "lesson_ids" and finding_count() == 0


def test_a_lesson_without_level_is_refused(make_review, make_lesson, lead):
    with pytest.raises(FindingError, match="nog geen niveau"):
        services.create_finding(finding_input([make_lesson(make_review(), None)]), actor=lead)


def test_a_finding_needs_a_lesson(lead):
    with pytest.raises(FindingError, match="minstens één leerpunt") as refused:
        services.create_finding(finding_input([]), actor=lead)
    assert refused.value.field == "lesson_ids" and finding_count() == 0


@pytest.mark.parametrize("my_role", [None, MemberRole.PARTICIPANT.value, MemberRole.OBSERVER.value])
def test_lessons_only_from_reviews_i_edit(make_review, make_lesson, lead, create_user, add_member, my_role):
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    theirs = make_review(title="Hun review", actor=other_lead)
    if my_role:
        add_member(theirs, lead, my_role)
    lesson = make_lesson(theirs, "keten")
    with pytest.raises(FindingError, match="reviews waarvan je \\(co-\\)reviewer bent"):
        services.create_finding(finding_input([lesson]), actor=lead)
    assert finding_count() == 0


def test_an_unknown_lesson_id_gets_the_same_answer_as_a_hidden_one(lead):
    data = finding_input([])
    data.lesson_ids = [424242]
    with pytest.raises(FindingError, match="reviews waarvan je \\(co-\\)reviewer bent"):
        services.create_finding(data, actor=lead)


# Beyond what an integer column holds (PostgreSQL refuses the parameter; SQLite overflows on the last).
IDS_NO_ROW_CAN_HAVE = (2**31, 99_999_999_999, 10**20)


@pytest.mark.parametrize("huge", IDS_NO_ROW_CAN_HAVE)
def test_ids_beyond_a_database_integer_are_unknown_ids(make_review, make_lesson, lead, region, huge):
    lesson = make_lesson(make_review())
    agency = organisation("Gemeente Midden", "gemeente", region)
    assert services.addable_lesson(lead, huge)[0] is None
    assert "hoort niet bij een review waarvan je (co-)reviewer bent" in services.addable_lesson(lead, huge)[1]
    for changes, field in (({"finding_type_id": huge}, "finding_type_id"),
                           ({"lesson_ids": [lesson.id, huge]}, "lesson_ids"),
                           ({"organisation_ids": [agency.id, huge]}, "organisation_ids"),
                           ({"policy_owner_ids": [huge]}, "policy_owner_ids")):
        data = finding_input([lesson])
        for name, value in changes.items():
            setattr(data, name, value)
        with pytest.raises(FindingError) as refused:
            services.create_finding(data, actor=lead)
        assert refused.value.field == field
        db.session.rollback()
    assert finding_count() == 0


def test_a_conflict_with_ids_beyond_a_database_integer_still_shows_both(make_review, make_lesson, make_finding,
                                                                        lead):
    lesson = make_lesson(make_review())
    finding = make_finding(lead, [lesson])
    data = finding_input([lesson], title="Mijn titel", finding_type_id=2**31, organisation_ids=[10**20],
                         policy_owner_ids=[10**20])
    data.lesson_ids.append(10**20)
    with pytest.raises(FindingConflict) as clash:
        services.update_finding(finding, data, expected_version=finding.version - 1, actor=lead)
    assert clash.value.submitted["title"] == "Mijn titel" and clash.value.submitted["finding_type"] == ""


def test_a_co_reviewer_without_the_global_reviewer_role_cannot_promote(make_review, make_lesson, create_user,
                                                                        add_member):
    review = make_review()
    former = create_user("vroeger@example.org")  # a co-reviewer whose global role was taken away
    add_member(review, former, MemberRole.CO_REVIEWER.value)
    with pytest.raises(FindingError):
        services.create_finding(finding_input([make_lesson(review, "keten")]), actor=former)


def test_a_finding_can_span_reviews_i_edit(make_review, make_lesson, create_user, add_member, lead):
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    mine, theirs = make_review(title="Mijn review"), make_review(title="Hun review", actor=other_lead)
    add_member(theirs, lead, MemberRole.CO_REVIEWER.value)
    lessons = [make_lesson(mine, "keten"), make_lesson(theirs, "stelsel")]
    finding = services.create_finding(finding_input(lessons), actor=lead)
    assert [lesson.id for lesson in finding.lessons] == [lesson.id for lesson in lessons]
    assert finding.status == FindingStatus.CONCEPT and finding.board_questions == []


def test_checks_name_the_field(make_review, make_lesson, lead):
    lesson = make_lesson(make_review())
    for changes, field in (({"title": "  "}, "title"), ({"title": "x" * 201}, "title"),
                           ({"pattern": "x" * 10_001}, "pattern"), ({"finding_type_id": None}, "finding_type_id"),
                           ({"finding_type_id": term(Vocabulary.LEVEL, "keten").id}, "finding_type_id"),
                           ({"organisation_ids": [9999]}, "organisation_ids"),
                           ({"policy_owner_ids": [lead.id]}, "policy_owner_ids")):
        with pytest.raises(FindingError) as refused:
            services.create_finding(finding_input([lesson], **changes), actor=lead)
        assert refused.value.field == field, changes
    assert finding_count() == 0


def test_an_inactive_finding_type_stays_only_where_chosen(make_review, make_lesson, make_finding, lead):
    lesson = make_lesson(make_review())
    finding = make_finding(lead, [lesson])
    finding.finding_type.active = False
    db.session.commit()
    services.update_finding(finding, finding_input([lesson], title="Nieuwe titel"), expected_version=finding.version,
                            actor=lead)
    with pytest.raises(FindingError, match="soort bevinding"):
        services.create_finding(finding_input([lesson]), actor=lead)


def test_addressed_to_active_organisations_and_policy_owners(make_review, make_lesson, lead, create_user, region):
    owner = create_user("bestuur@example.org", name="Bea Bestuur", roles=("policy_owner",))
    gone = create_user("weg@example.org", roles=("policy_owner",), active=False)
    agency = organisation("Gemeente Midden", "gemeente", region)
    lesson = make_lesson(make_review())
    finding = services.create_finding(finding_input([lesson], organisation_ids=[agency.id],
                                                    policy_owner_ids=[owner.id]), actor=lead)
    assert finding.organisations == [agency] and finding.policy_owners == [owner]
    assert gone.id not in {user_id for user_id, _label in queries.policy_owner_choices()}


# --- who sees a finding -----------------------------------------------------------------------


def test_visible_to_the_editors_of_its_reviews_only(make_review, make_lesson, make_finding, lead,
                                                    people_in_every_role):
    review = make_review()
    people = people_in_every_role(review)
    finding = make_finding(lead, [make_lesson(review)])
    for person in ("lead", "co_reviewer"):
        assert access.finding_for(people[person], finding.id) == finding, person
    for person in ("participant", "expert", "observer", "outsider_reviewer", "policy_owner", "admin"):
        assert access.finding_for(people[person], finding.id) is None, person


def test_losing_the_reviewer_role_hides_findings(make_review, make_lesson, make_finding, lead):
    finding = make_finding(lead, [make_lesson(make_review())])
    lead.role_rows.clear()
    db.session.commit()
    assert access.finding_for(lead, finding.id) is None


def test_the_picker_offers_system_lessons_of_reviews_i_edit_by_review(make_review, make_lesson, lead, create_user,
                                                                      add_member):
    mine = make_review(title="Mijn review")
    keten, stelsel = make_lesson(mine, "keten"), make_lesson(mine, "stelsel")
    make_lesson(mine, "persoon"), make_lesson(mine, "organisatie"), make_lesson(mine, None)
    only_personal = make_review(title="Alleen persoonlijk")
    make_lesson(only_personal, "team")
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    watching = make_review(title="Waar ik meekijk", actor=other_lead)
    add_member(watching, lead, MemberRole.OBSERVER.value)
    make_lesson(watching, "keten")
    make_review(title="Zonder leerpunten")
    groups = {group.review.title: group for group in queries.lesson_picker(lead)}
    assert set(groups) == {"Mijn review", "Alleen persoonlijk"}
    assert groups["Mijn review"].lessons == [keten, stelsel] and groups["Mijn review"].not_offered == 3
    assert groups["Alleen persoonlijk"].lessons == [] and groups["Alleen persoonlijk"].not_offered == 1


def test_lesson_text_follows_the_lessons_own_rule(make_review, make_lesson, lead, create_user, add_member):
    """Editors read every lesson of their review, members its agreed ones, anyone else none."""
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    mine, theirs = make_review(title="Mijn review"), make_review(title="Hun review", actor=other_lead)
    add_member(theirs, lead, MemberRole.CO_REVIEWER.value)
    add_member(mine, other_lead, MemberRole.PARTICIPANT.value)
    lessons = [make_lesson(mine, status="agreed"), make_lesson(mine, status="concept"),
               make_lesson(theirs, status="concept")]
    finding = services.create_finding(finding_input(lessons), actor=lead)
    db.session.commit()
    assert [item.readable for item in queries.linked_lessons(finding, lead)] == [True, True, True]
    assert [item.readable for item in queries.linked_lessons(finding, other_lead)] == [True, False, True]
    outsider = create_user("buiten@example.org", roles=("reviewer",))
    assert access.readable_lesson_ids(outsider, lessons) == set()


# --- editing: lessons kept from other reviews -------------------------------------------------


@pytest.fixture
def shared(make_review, make_lesson, create_user, add_member, lead):  # noqa: ANN001, ANN201
    """A finding on a lesson of my review and one of a colleague's review that I do not edit."""
    colleague = create_user("collega@example.org", roles=("reviewer",))
    mine, theirs = make_review(title="Mijn review"), make_review(title="Hun review", actor=colleague)
    my_lesson, their_lesson = make_lesson(mine, "keten"), make_lesson(theirs, "stelsel")
    add_member(mine, colleague, MemberRole.CO_REVIEWER.value)
    finding = services.create_finding(finding_input([my_lesson]), actor=colleague)
    db.session.commit()
    services.update_finding(finding, finding_input([my_lesson, their_lesson]), expected_version=finding.version,
                            actor=colleague)
    db.session.commit()
    return finding, my_lesson, their_lesson, make_lesson(theirs, "keten")


def test_lessons_of_reviews_i_do_not_edit_stay_linked_whatever_the_form_says(shared, lead, create_user):
    finding, my_lesson, their_lesson, _ = shared
    services.update_finding(finding, finding_input([my_lesson, their_lesson], title="Scherper"),
                            expected_version=finding.version, actor=lead)
    db.session.commit()
    assert reload(finding).lessons == [my_lesson, their_lesson]
    # Unticking the colleague's lesson unlinks nothing: only a reviewer of their review can.
    assert services.update_finding(finding, finding_input([my_lesson], title="Nog scherper"),
                                   expected_version=finding.version, actor=lead) == ["title"]
    db.session.commit()
    assert reload(finding).lessons == [my_lesson, their_lesson]
    assert access.finding_for(finding.created_by, finding.id) is not None


def test_the_reviewers_of_a_review_unlink_its_lessons(shared, lead):
    finding, my_lesson, their_lesson, _ = shared
    colleague = finding.created_by  # edits both reviews
    services.update_finding(finding, finding_input([their_lesson]), expected_version=finding.version,
                            actor=colleague)
    db.session.commit()
    assert reload(finding).lessons == [their_lesson]
    assert access.finding_for(lead, finding.id) is None  # no lesson of my review left: not mine any more


def test_a_co_reviewer_of_one_review_cannot_take_a_finding_from_the_other(shared, lead, create_user, add_member):
    """A co-reviewer of the colleague's review only: unticking my lesson leaves it linked, so I keep seeing it."""
    finding, my_lesson, their_lesson, _ = shared
    theirs = their_lesson.review
    co = create_user("co@example.org", roles=("reviewer",))
    add_member(theirs, co, MemberRole.CO_REVIEWER.value)
    services.update_finding(finding, finding_input([their_lesson]), expected_version=finding.version, actor=co)
    db.session.commit()
    assert reload(finding).lessons == [my_lesson, their_lesson]
    assert access.finding_for(lead, finding.id) is not None


def test_i_cannot_add_a_lesson_of_a_review_i_do_not_edit(shared, lead):
    finding, my_lesson, their_lesson, their_other = shared
    with pytest.raises(FindingError, match="\\(co-\\)reviewer"):
        services.update_finding(finding, finding_input([my_lesson, their_lesson, their_other]),
                                expected_version=finding.version, actor=lead)
    db.session.rollback()
    assert reload(finding).lessons == [my_lesson, their_lesson]


def test_i_cannot_leave_a_finding_i_would_no_longer_see(shared, lead):
    finding, _my_lesson, their_lesson, _ = shared
    with pytest.raises(FindingError, match="zelf niet meer zien"):
        services.update_finding(finding, finding_input([their_lesson]), expected_version=finding.version, actor=lead)


def test_a_lesson_of_mine_that_moved_to_persoon_level_must_go_before_saving(shared, lead, make_lesson):
    finding, my_lesson, their_lesson, _ = shared
    my_other = make_lesson(my_lesson.review, "stelsel")
    services.update_finding(finding, finding_input([my_lesson, their_lesson, my_other]),
                            expected_version=finding.version, actor=lead)
    db.session.commit()
    my_lesson.level = term(Vocabulary.LEVEL, "persoon")
    db.session.commit()
    with pytest.raises(FindingError) as refused:
        services.update_finding(finding, finding_input([my_lesson, their_lesson, my_other], title="Anders"),
                                expected_version=finding.version, actor=lead)
    assert "niveau persoon" in str(refused.value) and refused.value.field == "lesson_ids"
    db.session.rollback()
    assert "alleen leerpunten op niveau keten of stelsel" in services.missing_for_agreement(reload(finding))
    services.update_finding(finding, finding_input([my_other], title="Anders"), expected_version=finding.version,
                            actor=lead)
    db.session.commit()
    assert reload(finding).lessons == [their_lesson, my_other]


def test_a_kept_lesson_of_another_review_at_persoon_level_blocks_agreeing_not_saving(shared, lead):
    finding, my_lesson, their_lesson, _ = shared
    their_lesson.level = term(Vocabulary.LEVEL, "persoon")
    db.session.commit()
    services.update_finding(finding, finding_input([my_lesson], title="Anders"), expected_version=finding.version,
                            actor=lead)
    db.session.commit()
    assert reload(finding).lessons == [my_lesson, their_lesson]
    assert "alleen leerpunten op niveau keten of stelsel" in services.missing_for_agreement(reload(finding))


def test_updates_are_audited_with_the_fields(shared, lead):
    finding, my_lesson, their_lesson, _ = shared
    before = finding.version
    changed = services.update_finding(finding, finding_input([their_lesson, my_lesson], title="Nieuwe titel",
                                                             finding_type_id=finding_type("wetgeving_financiering").id),
                                      expected_version=finding.version, actor=lead)
    db.session.commit()
    assert changed == ["title", "finding_type"]  # submitted order never reorders the kept lessons
    assert reload(finding).version == before + 1
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "finding.updated")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == lead.id and event.details == {"fields": ["title", "finding_type"]}
    assert services.update_finding(finding, finding_input([my_lesson, their_lesson], title="Nieuwe titel",
                                                          finding_type_id=finding_type("wetgeving_financiering").id),
                                   expected_version=finding.version, actor=lead) == []


def test_moving_lessons(shared, lead, make_lesson):
    finding, my_lesson, their_lesson, _ = shared
    services.move_lesson(finding, their_lesson.id, "up", expected_version=finding.version, actor=lead)
    db.session.commit()
    assert reload(finding).lessons == [their_lesson, my_lesson]
    services.move_lesson(finding, their_lesson.id, "up", expected_version=finding.version, actor=lead)  # at the top
    with pytest.raises(FindingError):
        services.move_lesson(finding, 9999, "down", expected_version=finding.version, actor=lead)


# --- status ------------------------------------------------------------------------------------


@pytest.fixture
def finding(make_review, make_lesson, make_finding, lead):  # noqa: ANN001, ANN201
    return make_finding(lead, [make_lesson(make_review())], questions=("Welke afspraak maakt u?",))


def test_agreeing_needs_a_question_a_pattern_and_why_it_matters(make_review, make_lesson, make_finding, lead):
    bare = make_finding(lead, [make_lesson(make_review())], pattern="", why_it_matters="")
    with pytest.raises(FindingError) as refused:
        services.change_status(bare, "agreed", actor=lead, expected_version=bare.version)
    message = str(refused.value)
    for missing in ("minstens één vraag aan bestuurders", "patroon", "kinderen en gezinnen"):
        assert missing in message
    assert reload(bare).status == "concept"


def test_agreeing_needs_every_lesson_agreed_in_its_review(make_review, make_lesson, make_finding, lead):
    review = make_review()
    agreed, concept = make_lesson(review), make_lesson(review, "stelsel", status="concept")
    finding = make_finding(lead, [agreed, concept], questions=("Welke afspraak maakt u?",))
    assert services.missing_for_agreement(finding) == ["alleen vastgestelde leerpunten: 1 leerpunt is in zijn "
                                                       "review nog concept"]
    with pytest.raises(FindingError, match="alleen vastgestelde leerpunten"):
        services.change_status(finding, "agreed", actor=lead, expected_version=finding.version)
    assert reload(finding).status == "concept" and reload(finding).agreed_at is None
    concept.status = "agreed"
    db.session.commit()
    finding = reload(finding)
    services.change_status(finding, "agreed", actor=lead, expected_version=finding.version)
    db.session.commit()
    assert reload(finding).status == "agreed"


def test_agree_and_back_and_close(finding, lead):
    services.change_status(finding, "agreed", actor=lead, expected_version=finding.version)
    db.session.commit()
    assert finding.status == "agreed" and finding.agreed_at is not None
    assert services.next_statuses(finding) == [FindingStatus.CONCEPT, FindingStatus.CLOSED]
    with pytest.raises(FindingError, match="ligt daarmee vast"):
        services.add_board_question(finding, "Nog een vraag?", expected_version=finding.version, actor=lead)
    services.change_status(finding, "concept", actor=lead, expected_version=finding.version)
    assert finding.agreed_at is None
    services.change_status(finding, "agreed", actor=lead)
    services.change_status(finding, "closed", actor=lead)
    db.session.commit()
    assert services.next_statuses(finding) == []
    actions = db.session.scalars(sa.select(AuditEvent.details).where(AuditEvent.action == "finding.status_changed")
                                 .order_by(AuditEvent.id))
    assert [(details["old"], details["new"]) for details in actions] == [
        ("concept", "agreed"), ("agreed", "concept"), ("concept", "agreed"), ("agreed", "closed")]


def _force(finding: Finding, status: FindingStatus) -> None:
    finding.status = status.value
    db.session.commit()


@pytest.mark.parametrize("current", list(FindingStatus))
@pytest.mark.parametrize("target", list(FindingStatus))
def test_the_transition_table(finding, lead, current, target):
    _force(finding, current)
    allowed = target in services.ALLOWED_TRANSITIONS[current]
    if allowed:
        services.change_status(finding, target.value, actor=lead, by_reviewer=False)
        assert finding.status == target.value
    else:
        with pytest.raises(FindingError, match="kan een bevinding niet naar"):
            services.change_status(finding, target.value, actor=lead, by_reviewer=False)
        assert finding.status == current.value


def test_closed_only_from_agreed_or_answered():
    assert {status for status, targets in services.ALLOWED_TRANSITIONS.items()
            if FindingStatus.CLOSED in targets} == {FindingStatus.AGREED, FindingStatus.ANSWERED}


def test_reviewers_cannot_put_a_finding_in_a_brief_by_hand(finding, lead):
    services.change_status(finding, "agreed", actor=lead)
    for target in ("in_brief", "answered", "nonsense"):
        with pytest.raises(FindingError):
            services.change_status(finding, target, actor=lead)
    assert finding.status == "agreed"
    services.change_status(finding, "in_brief", actor=None, by_reviewer=False)  # as issuing a brief will
    assert finding.status == "in_brief"


# --- the questions for the board --------------------------------------------------------------


def questions(finding: Finding) -> list[str]:
    return reload(finding).board_questions


def test_questions_are_an_ordered_list(finding, lead):
    def do(operation, *args):  # noqa: ANN001, ANN002, ANN202
        operation(finding, *args, expected_version=finding.version, actor=lead)
        db.session.commit()

    do(services.add_board_question, "  Wie   is eigenaar van de overdracht?  ")
    do(services.add_board_question, "Welk budget is er?")
    assert questions(finding) == ["Welke afspraak maakt u?", "Wie is eigenaar van de overdracht?", "Welk budget is er?"]
    do(services.move_board_question, 2, "up")
    assert questions(finding)[1:] == ["Welk budget is er?", "Wie is eigenaar van de overdracht?"]
    version = finding.version
    do(services.move_board_question, 0, "up")
    do(services.move_board_question, 2, "down")
    assert finding.version == version  # nothing moved at either end
    do(services.update_board_question, 0, "Welke afspraak maakt u met de gemeente?")
    do(services.remove_board_question, 1)
    assert questions(finding) == ["Welke afspraak maakt u met de gemeente?", "Wie is eigenaar van de overdracht?"]


def test_bad_questions_are_refused(finding, lead):
    for text, message in (("   ", "Schrijf een vraag"), ("x" * 1001, "te lang")):
        with pytest.raises(FindingError, match=message) as refused:
            services.add_board_question(finding, text, expected_version=finding.version, actor=lead)
        assert refused.value.field == "question"
    with pytest.raises(FindingError, match="bestaat niet"):
        services.remove_board_question(finding, 5, expected_version=finding.version, actor=lead)
    with pytest.raises(FindingError, match="bestaat niet"):
        services.update_board_question(finding, -1, "Vraag?", expected_version=finding.version, actor=lead)
    for number in range(services.MAX_QUESTIONS - 1):
        services.add_board_question(finding, f"Vraag {number}?", expected_version=finding.version, actor=lead)
    with pytest.raises(FindingError, match="hoogstens 20"):
        services.add_board_question(finding, "Eén te veel?", expected_version=finding.version, actor=lead)


# --- conflicts -------------------------------------------------------------------------------


def test_a_stale_edit_overwrites_nothing_and_shows_both(finding, lead, make_lesson):
    seen = finding.version
    lesson = finding.lessons[0]
    services.update_finding(finding, finding_input([lesson], title="Versie van de ander"), expected_version=seen,
                            actor=lead)
    db.session.commit()
    with pytest.raises(FindingConflict) as clash:
        services.update_finding(finding, finding_input([lesson], title="Mijn versie"), expected_version=seen,
                                actor=lead)
    assert clash.value.current["title"] == "Versie van de ander" and clash.value.submitted["title"] == "Mijn versie"
    assert lesson.text in clash.value.current["lessons"]
    db.session.rollback()
    assert reload(finding).title == "Versie van de ander"


def test_stale_question_changes_change_nothing(finding, lead):
    seen = finding.version
    services.add_board_question(finding, "Tweede vraag?", expected_version=seen, actor=lead)
    db.session.commit()
    for operation, args in ((services.move_board_question, (1, "up")), (services.remove_board_question, (0,))):
        with pytest.raises(ChangedMeanwhile):
            operation(finding, *args, expected_version=seen, actor=lead)
    with pytest.raises(ChangedMeanwhile):
        services.change_status(finding, "agreed", actor=lead, expected_version=seen)
    with pytest.raises(FindingConflict) as clash:
        services.update_board_question(finding, 0, "Mijn herschreven vraag?", expected_version=seen, actor=lead)
    assert clash.value.current["board_questions"] == "1. Welke afspraak maakt u?\n2. Tweede vraag?"
    assert clash.value.submitted["board_questions"] == "Mijn herschreven vraag?"
    db.session.rollback()
    assert questions(finding) == ["Welke afspraak maakt u?", "Tweede vraag?"] and finding.status == "concept"


def test_two_saves_racing_on_one_version(finding, lead, app):
    """Both passed the version check; the later UPDATE finds the row already moved on and changes nothing."""
    lesson = finding.lessons[0]
    seen = finding.version
    with db.engine.begin() as other_request:  # another request saved meanwhile, after ours had loaded the finding
        other_request.execute(sa.update(Finding).where(Finding.id == finding.id)
                              .values(title="Gewonnen", version=seen + 1))
    with pytest.raises(FindingConflict) as clash:
        services.update_finding(finding, finding_input([lesson], title="Verloren"), expected_version=seen, actor=lead)
    assert clash.value.current["title"] == "Gewonnen" and clash.value.submitted["title"] == "Verloren"
    assert reload(finding).title == "Gewonnen"


def test_a_lesson_a_finding_rests_on_cannot_be_deleted(make_review, make_lesson, make_finding, lead):
    from learning.lessons import services as lessons
    from learning.lessons.models import Lesson
    from tests.review_fixtures import access_for

    review = make_review()
    lesson = make_lesson(review, "keten", status="concept")
    finding = make_finding(lead, [lesson])
    with pytest.raises(lessons.LessonError, match="bevinding"):
        lessons.delete_lesson(access_for(lead, review), lesson)
    db.session.commit()
    assert db.session.get(Lesson, lesson.id) is not None
    assert [link.lesson_id for link in db.session.get(Finding, finding.id).lesson_links] == [lesson.id]
