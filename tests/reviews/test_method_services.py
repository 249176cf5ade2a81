"""The method library without HTTP: built-ins in two languages, copies and phase editing."""

import pytest
import sqlalchemy as sa

from learning.db import db
from learning.reviews import methods
from learning.reviews.methods import MethodError, PhaseInput
from learning.reviews.models import Method
from tests.reviews.conftest import builtin_method

BUILTINS = ["leren_met_impact", "incidentmethode", "after_action_review", "reflectiecyclus_gibbs", "vragenronde"]


def test_five_builtins_in_dutch_and_english(app):
    rows = db.session.execute(sa.select(Method.builtin_key, Method.language).where(Method.builtin_key.is_not(None)))
    assert sorted(rows) == sorted((key, language) for key in BUILTINS for language in ("nl", "en"))
    dutch, english = builtin_method("incidentmethode", "nl"), builtin_method("incidentmethode", "en")
    assert dutch.name == "Incidentmethode" and english.name == "Incident method"
    assert [p.minutes for p in dutch.phases] == [p.minutes for p in english.phases]
    assert all(phase.prompts for phase in dutch.phases)


def test_library_shows_builtins_in_my_language_and_my_copies(app, lead, create_user):
    mine = methods.copy_method(builtin_method("after_action_review"), actor=lead)
    stranger = create_user("ander@example.org", roles=("reviewer",))
    theirs = methods.copy_method(builtin_method("after_action_review"), actor=stranger)
    nl = list(db.session.scalars(methods.visible_methods(lead, language="nl")))
    assert mine in nl and theirs not in nl
    assert {m.builtin_key for m in nl if m.built_in} == set(BUILTINS)
    assert all(m.language == "en" for m in db.session.scalars(methods.visible_methods(lead, language="en"))
               if m.built_in)
    assert methods.load_method(lead, theirs.id) is None


def test_colleagues_in_the_same_organisation_share_copies(app, lead, create_user, organisation):
    colleague = create_user("collega@example.org", roles=("reviewer",), organisation_id=organisation.id)
    copy = methods.copy_method(builtin_method(), actor=lead)
    assert copy.can_edit(colleague) and methods.load_method(colleague, copy.id) is copy


def test_builtins_are_read_only(app, lead):
    builtin = builtin_method()
    assert not builtin.can_edit(lead)
    with pytest.raises(MethodError):
        methods.update_method(builtin, name="Anders", description="", suitable_kinds=[], actor=lead)


def test_copy_keeps_phases_and_marks_its_origin(app, lead):
    source = builtin_method("reflectiecyclus_gibbs")
    copy = methods.copy_method(source, actor=lead)
    assert copy.copied_from_id == source.id and copy.name.endswith("(kopie)")
    assert [p.phase_data() for p in copy.phases] == [p.phase_data() for p in source.phases]
    assert copy.organisation_id == lead.organisation_id


def test_phases_can_be_added_edited_moved_and_removed(app, lead):
    copy = methods.copy_method(builtin_method("after_action_review"), actor=lead)
    names = [phase.name for phase in copy.phases]
    methods.move_phase(copy, copy.phases[0], "down", actor=lead)
    assert [phase.name for phase in copy.phases][:2] == [names[1], names[0]]
    methods.move_phase(copy, copy.phases[0], "up", actor=lead)  # already first: nothing happens
    assert copy.phases[0].name == names[1]
    phase = methods.add_phase(copy, PhaseInput.from_text(name="Check-out", purpose="", prompts_text="Hoe ga je weg?\n\n",
                                                         minutes=5, contributor="everyone"), actor=lead)
    assert phase.prompts == ["Hoe ga je weg?"] and copy.phases[-1] is phase
    methods.remove_phase(copy, copy.phases[0], actor=lead)
    assert [p.position for p in copy.phases] == list(range(len(copy.phases)))


def test_last_phase_cannot_be_removed(app, lead):
    copy = methods.copy_method(builtin_method("vragenronde"), actor=lead)
    while len(copy.phases) > 1:
        methods.remove_phase(copy, copy.phases[0], actor=lead)
    with pytest.raises(MethodError, match="minstens één fase"):
        methods.remove_phase(copy, copy.phases[0], actor=lead)


@pytest.mark.parametrize("data, message", [
    (PhaseInput(name=""), "naam"), (PhaseInput(name="X", minutes=0), "minuten"),
    (PhaseInput(name="X", contributor="de buurman"), "bijdraagt"),
])
def test_bad_phases_are_refused(app, lead, data, message):
    copy = methods.copy_method(builtin_method("vragenronde"), actor=lead)
    with pytest.raises(MethodError, match=message):
        methods.add_phase(copy, data, actor=lead)


def test_phase_of_another_method_is_not_found(app, lead):
    one = methods.copy_method(builtin_method("vragenronde"), actor=lead)
    other = methods.copy_method(builtin_method("after_action_review"), actor=lead)
    assert methods.phase_of(one, other.phases[0].id) is None
