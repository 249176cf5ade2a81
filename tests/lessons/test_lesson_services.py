"""Lessons as services (no HTTP): writing, themes, agreeing, conflicts, and who reads what."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.lessons import services, themes
from learning.lessons.models import Lesson, LessonStatus, Theme
from learning.lessons.services import LessonConflict, LessonError, LessonInput
from learning.reviews.privacy import PersonalDataFound
from tests.lessons.conftest import agreed_lesson, level, principle, write_lesson
from tests.review_fixtures import access_for

BSN = "111222333"  # passes the elfproef


def audit_actions(review) -> list[str]:  # noqa: ANN001
    return list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "review", AuditEvent.object_id == review.id,
        AuditEvent.action.like("lesson.%")).order_by(AuditEvent.id)))


# --- writing ------------------------------------------------------------------------------------


def test_a_concept_may_be_written_without_a_level(editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, "  Wie belt de ouders? Spreek dat vooraf af.  ", polarity="improve")
    assert (lesson.text, lesson.status, lesson.level, lesson.review_id) == (
        "Wie belt de ouders? Spreek dat vooraf af.", LessonStatus.CONCEPT.value, None, review.id)
    assert audit_actions(review) == ["lesson.created"]


def test_a_lesson_keeps_its_level_principles_and_polarity(editor):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level("stelsel"), polarity="works",
                          principle_ids=[principle("lerend"), principle("gezinsgericht")])
    assert lesson.level.code == "stelsel" and lesson.is_system_level
    assert lesson.polarity_label == "Wat werkt"
    assert [term.code for term in lesson.principles] == ["gezinsgericht", "lerend"]


@pytest.mark.parametrize("fields, field", [
    ({"text": "   "}, "text"),
    ({"text": "x" * (services.TEXT_LIMIT + 1)}, "text"),
    ({"polarity": "maybe"}, "polarity"),
    ({"level_id": 999_999}, "level_id"),
    ({"themes": ["x" * (themes.NAME_LIMIT + 1)]}, "themes"),
    ({"themes": ["ß" * (themes.NAME_LIMIT // 2 + 1)]}, "themes"),  # short, but its folded key is too long
    ({"themes": [f"thema {n}" for n in range(themes.THEMES_PER_LESSON + 1)]}, "themes"),
    ({"principle_ids": [999_999]}, "principle_ids"),
])
def test_bad_input_is_refused_with_the_field_named(editor, review, fields, field):  # noqa: ANN001
    with pytest.raises(LessonError) as refused:
        services.create_lesson(editor, LessonInput(**{"text": "Een leerpunt.", **fields}))
    assert refused.value.field == field and str(refused.value)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Lesson.id))) == 0


def test_a_level_must_come_from_the_level_vocabulary(editor):  # noqa: ANN001
    with pytest.raises(LessonError, match="niveau"):
        services.create_lesson(editor, LessonInput(text="Een leerpunt.", level_id=principle()))
    with pytest.raises(LessonError, match="principes"):
        services.create_lesson(editor, LessonInput(text="Een leerpunt.", principle_ids=[level()]))


def test_a_switched_off_level_is_refused_for_a_new_lesson_but_kept_on_an_old_one(editor):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level("team"))
    lesson.level.active = False
    db.session.commit()
    with pytest.raises(LessonError, match="niveau"):
        services.create_lesson(editor, LessonInput(text="Nog een leerpunt.", level_id=level("team")))
    db.session.rollback()
    services.update_lesson(editor, lesson, LessonInput(text="Aangescherpt.", level_id=level("team")),
                           expected_version=lesson.version)
    assert lesson.level.code == "team"


def test_only_reviewers_write_lessons(pim, co_reviewer, review):  # noqa: ANN001
    with pytest.raises(LessonError):
        services.create_lesson(access_for(pim, review), LessonInput(text="Een leerpunt."))
    assert write_lesson(access_for(co_reviewer, review)).id


def test_text_with_personal_data_needs_confirmation(editor, review):  # noqa: ANN001
    data = LessonInput(text=f"Het gezin met BSN {BSN} werd niet gebeld.")
    with pytest.raises(PersonalDataFound) as found:
        services.create_lesson(editor, data)
    db.session.rollback()
    token = found.value.fields[0].tokens[0]
    lesson = services.create_lesson(editor, data, confirming=[token])
    assert lesson.id and "privacy.pseudonym_confirmed" in db.session.scalars(sa.select(AuditEvent.action))


# --- themes -------------------------------------------------------------------------------------


def test_themes_are_folded_to_one_row_however_they_are_typed(editor):  # noqa: ANN001
    first = write_lesson(editor, themes=["Crisis  in het weekend", "bereikbaarheid, Overdracht"])
    second = write_lesson(editor, "Tweede leerpunt.", themes=["crisis IN het  weekend", " overdracht "])
    assert [theme.name for theme in first.themes] == ["bereikbaarheid", "Crisis in het weekend", "Overdracht"]
    assert {theme.id for theme in second.themes} < {theme.id for theme in first.themes}
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 3
    assert db.session.scalar(sa.select(Theme.key).where(Theme.name == "Crisis in het weekend")) == "crisis in het weekend"


def test_the_same_theme_twice_in_one_lesson_counts_once(editor):  # noqa: ANN001
    lesson = write_lesson(editor, themes=["Crisis", "crisis", "CRISIS,crisis"])
    assert [theme.name for theme in lesson.themes] == ["Crisis"]


def test_suggestions_are_earlier_themes_most_used_first_then_alphabetical(editor):  # noqa: ANN001
    write_lesson(editor, themes=["overdracht", "crisis"])
    write_lesson(editor, "Tweede.", themes=["Crisis", "zorgaanbod"])
    assert themes.suggestions(editor.user) == ["crisis", "overdracht", "zorgaanbod"]
    assert themes.suggestions(editor.user, limit=1) == ["crisis"]


def test_suggestions_are_themes_of_agreed_lessons_and_of_reviews_one_edits(  # noqa: ANN201
        editor, review, other_review, co_reviewer, pim):  # noqa: ANN001
    write_lesson(editor, themes=["Eigen concept"])
    theirs = access_for(other_review.members[0].user, other_review)
    write_lesson(theirs, "Hun concept.", themes=["Familie Verborgen"])
    agreed_lesson(theirs, "Hun vastgestelde leerpunt.", themes=["Gedeeld thema"])
    assert themes.suggestions(editor.user) == ["Eigen concept", "Gedeeld thema"]
    assert themes.suggestions(co_reviewer) == ["Eigen concept", "Gedeeld thema"]
    assert themes.suggestions(theirs.user) == ["Familie Verborgen", "Gedeeld thema"]
    assert themes.suggestions(pim) == ["Gedeeld thema"]  # a participant edits no review


def test_themes_no_lesson_uses_any_more_are_not_suggested(editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, themes=["Weggehaald", "blijft"])
    gone = write_lesson(editor, "Weg.", themes=["Verwijderd"])
    services.update_lesson(editor, lesson, LessonInput(text=lesson.text, themes=["blijft"]),
                           expected_version=lesson.version)
    services.delete_lesson(editor, gone)
    db.session.commit()
    assert themes.suggestions(editor.user) == ["blijft"]


@pytest.mark.parametrize("typed", ["mevrouw Jansen", "gezin van Sanne"])
def test_a_theme_with_personal_data_needs_confirmation(editor, review, typed):  # noqa: ANN001
    data = LessonInput(text="Een leerpunt.", themes=["crisis", typed])
    with pytest.raises(PersonalDataFound) as found:
        services.create_lesson(editor, data)
    db.session.rollback()
    assert [field.name for field in found.value.fields] == ["themes"]
    lesson = write_lesson(editor, themes=["crisis"])
    with pytest.raises(PersonalDataFound):
        services.update_lesson(editor, lesson, data, expected_version=lesson.version)
    db.session.rollback()
    assert services.create_lesson(editor, data, confirming=found.value.fields[0].tokens).id


def test_editing_the_themes_reuses_rows_and_drops_the_link_only(editor):  # noqa: ANN001
    lesson = write_lesson(editor, themes=["crisis", "overdracht"])
    services.update_lesson(editor, lesson, LessonInput(text=lesson.text, themes=["Crisis"]),
                           expected_version=lesson.version)
    db.session.commit()
    assert [theme.name for theme in lesson.themes] == ["crisis"]
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 2


# --- status -------------------------------------------------------------------------------------


def test_agreeing_needs_a_level(editor, review):  # noqa: ANN001
    lesson = write_lesson(editor)
    with pytest.raises(LessonError, match="niveau") as refused:
        services.agree_lesson(editor, lesson)
    assert refused.value.field == "level_id" and lesson.status == LessonStatus.CONCEPT.value
    services.update_lesson(editor, lesson, LessonInput(text=lesson.text, level_id=level("keten")),
                           expected_version=lesson.version)
    services.agree_lesson(editor, lesson)
    db.session.commit()
    assert lesson.status == LessonStatus.AGREED.value and lesson.agreed_at is not None
    assert audit_actions(review) == ["lesson.created", "lesson.updated", "lesson.agreed"]


def test_an_agreed_lesson_keeps_a_level(editor):  # noqa: ANN001
    lesson = agreed_lesson(editor)
    with pytest.raises(LessonError, match="niveau") as refused:
        services.update_lesson(editor, lesson, LessonInput(text=lesson.text, level_id=None),
                               expected_version=lesson.version)
    assert refused.value.field == "level_id"


def test_agreeing_refuses_text_the_guard_flags_until_it_is_confirmed(editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level())
    lesson.text = f"Het kind met BSN {BSN} bleef in beeld."  # as copied in one click, unchecked
    db.session.commit()
    with pytest.raises(LessonError, match="persoonsgegevens"):
        services.agree_lesson(editor, lesson)
    assert lesson.status == LessonStatus.CONCEPT.value


def test_agreeing_needs_text(editor):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level())
    lesson.text = ""  # as made in one click from a source for reviewers only
    db.session.commit()
    with pytest.raises(LessonError, match="tekst") as refused:
        services.agree_lesson(editor, lesson)
    assert refused.value.field == "text" and lesson.status == LessonStatus.CONCEPT.value


def test_agreeing_a_lesson_that_changed_meanwhile_is_refused(editor):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level())
    seen = lesson.version
    services.update_lesson(editor, lesson, LessonInput(text="Anders geformuleerd.", level_id=level()),
                           expected_version=seen)
    db.session.commit()
    with pytest.raises(LessonError, match="intussen gewijzigd"):
        services.agree_lesson(editor, lesson, expected_version=seen)
    assert lesson.status == LessonStatus.CONCEPT.value


def test_editors_set_an_agreed_lesson_back_to_concept(editor, review, pim):  # noqa: ANN001
    lesson = agreed_lesson(editor)
    assert services.lesson_in(access_for(pim, review), lesson.id) is lesson
    services.reopen_lesson(editor, lesson)
    db.session.commit()
    assert (lesson.status, lesson.agreed_at) == (LessonStatus.CONCEPT.value, None)
    assert services.lesson_in(access_for(pim, review), lesson.id) is None
    with pytest.raises(LessonError):
        services.reopen_lesson(access_for(pim, review), lesson)


def test_only_a_concept_is_deleted(editor, review):  # noqa: ANN001
    lesson = agreed_lesson(editor)
    with pytest.raises(LessonError, match="terug naar concept"):
        services.delete_lesson(editor, lesson)
    services.reopen_lesson(editor, lesson)
    services.delete_lesson(editor, lesson)
    db.session.commit()
    assert db.session.get(Lesson, lesson.id) is None
    assert audit_actions(review)[-1] == "lesson.deleted"


def test_deleting_a_lesson_that_changed_meanwhile_is_refused(editor):  # noqa: ANN001
    lesson = write_lesson(editor)
    seen = lesson.version
    services.update_lesson(editor, lesson, LessonInput(text="Anders geformuleerd."), expected_version=seen)
    db.session.commit()
    with pytest.raises(LessonError, match="intussen gewijzigd"):
        services.delete_lesson(editor, lesson, expected_version=seen)
    db.session.rollback()
    assert db.session.get(Lesson, lesson.id) is not None


def test_a_delete_racing_an_agree_is_refused_not_a_crash(editor):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level())
    seen = lesson.version
    # Another request agrees the lesson between this one's read and its delete.
    with db.engine.begin() as other:
        other.execute(sa.update(Lesson).where(Lesson.id == lesson.id).values(status="agreed", version=seen + 1))
    with pytest.raises(LessonError, match="intussen gewijzigd"):
        services.delete_lesson(editor, lesson, expected_version=seen)
    db.session.rollback()
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.AGREED.value


def test_members_read_only_agreed_lessons_reviewers_read_all(editor, review, pim, co_reviewer):  # noqa: ANN001
    concept = write_lesson(editor, "Concept.")
    agreed = agreed_lesson(editor, "Vastgesteld.")
    assert [item.lesson for item in services.lessons_of(access_for(pim, review))] == [agreed]
    assert [item.lesson for item in services.lessons_of(access_for(co_reviewer, review))] == [concept, agreed]
    assert [item.lesson for item in services.lessons_of(editor, "agreed")] == [agreed]
    assert services.lesson_in(access_for(pim, review), concept.id) is None


def test_a_lesson_of_another_review_is_not_found_through_this_one(editor, other_review, lead):  # noqa: ANN001
    theirs = write_lesson(access_for(other_review.members[0].user, other_review))
    assert services.lesson_in(editor, theirs.id) is None


# --- conflicts ----------------------------------------------------------------------------------


def test_a_stale_save_is_a_conflict_with_both_versions_and_overwrites_nothing(editor, review, co_reviewer):  # noqa: ANN001
    lesson = write_lesson(editor, "Eerste tekst.", themes=["crisis"])
    opened = lesson.version
    services.update_lesson(access_for(co_reviewer, review), lesson,
                           LessonInput(text="Tekst van de co-reviewer.", level_id=level("keten"), themes=["crisis"]),
                           expected_version=opened)
    db.session.commit()
    with pytest.raises(LessonConflict) as clash:
        services.update_lesson(editor, lesson, LessonInput(text="Mijn tekst.", level_id=level("team")),
                               expected_version=opened)
    assert clash.value.current["text"] == "Tekst van de co-reviewer."
    assert clash.value.current["level"] == "keten" and clash.value.current["themes"] == "crisis"
    assert clash.value.submitted["text"] == "Mijn tekst." and clash.value.submitted["level"] == "team"
    db.session.rollback()
    assert db.session.get(Lesson, lesson.id).text == "Tekst van de co-reviewer."


def test_a_save_racing_another_request_is_caught_at_the_update(app, editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, "Eerste tekst.")
    seen = lesson.version
    # Another request commits between this one's read and its write.
    with db.engine.begin() as other:
        other.execute(sa.update(Lesson).where(Lesson.id == lesson.id).values(text="Van een ander.", version=seen + 1))
    with pytest.raises(LessonConflict) as clash:
        services.update_lesson(editor, lesson, LessonInput(text="Mijn tekst."), expected_version=seen)
    assert clash.value.current["text"] == "Van een ander."
    assert db.session.get(Lesson, lesson.id).text == "Van een ander."


def test_a_conflict_with_ids_beyond_an_integer_names_no_term(editor):  # noqa: ANN001
    lesson = write_lesson(editor, "Eerste tekst.")
    with pytest.raises(LessonConflict) as clash:
        services.update_lesson(editor, lesson, LessonInput(text="Mijn tekst.", level_id=2**64,
                                                           principle_ids=[2**64, 2**31, 0, -5, principle()]),
                               expected_version=lesson.version - 1)
    assert clash.value.submitted["level"] == "" and clash.value.submitted["principles"] == "gezinsgericht"


def test_changing_only_the_principles_raises_the_version(editor):  # noqa: ANN001
    lesson = write_lesson(editor)
    before = lesson.version
    changed = services.update_lesson(editor, lesson, LessonInput(text=lesson.text, principle_ids=[principle()]),
                                     expected_version=before)
    db.session.commit()
    assert changed == ["principles"] and lesson.version == before + 1


def test_saving_without_changes_keeps_the_version_and_audits_nothing(editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, themes=["crisis"])
    before = lesson.version
    assert services.update_lesson(editor, lesson, LessonInput(text=lesson.text, themes=["Crisis"]),
                                  expected_version=before) == []
    db.session.commit()
    assert lesson.version == before and audit_actions(review) == ["lesson.created"]
