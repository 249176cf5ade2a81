"""The loop at a glance: a finding's stage from vastgesteld to afgesloten, in a constant number of queries."""

from __future__ import annotations

import re

from learning.briefs.models import BriefFinding
from learning.db import db
from learning.responses.loop import Stage, loop_state, loop_states
from learning.responses.models import Response
from tests.followup.conftest import DAY0, add_action, at, issue, make_brief, respond


def stage(finding):  # noqa: ANN001, ANN201
    db.session.expire_all()
    return loop_state(finding).stage


def test_every_stage_in_turn(world, make_lesson, make_finding):
    people = world.people
    finding = make_finding(people["ria"], [make_lesson(world.review_a, "keten")], title="Nieuwe bevinding",
                           organisation_ids=[world.gemeente.id, world.ggz.id], questions=("Vraag?",))
    assert stage(finding) is None and loop_state(finding).label == "Concept"
    finding.status = "agreed"
    db.session.commit()
    assert stage(finding) is Stage.AGREED
    brief = make_brief("Notitie", people["ria"], [finding], [(people["greet"], world.gemeente),
                                                              (people["gijs"], world.ggz)])
    assert stage(finding) is Stage.IN_BRIEF
    finding.status = "in_brief"
    issue(brief, people["ria"])
    assert stage(finding) is Stage.SENT
    respond(brief, finding, world.gemeente, people["greet"], submitted_at=at(DAY0))
    respond(brief, finding, world.ggz, people["gijs"])  # a draft does not count
    state = loop_states([finding])[finding.id]
    assert (state.stage, state.addressed, state.answered) == (Stage.SENT, 2, 1)
    draft = db.session.scalar(db.select(Response).where(Response.organisation_id == world.ggz.id))
    draft.status, draft.first_submitted_at = "submitted", at(DAY0)
    db.session.commit()
    assert stage(finding) is Stage.ANSWERED
    action = add_action(draft)
    assert stage(finding) is Stage.ACTIONS
    action.status = "done"
    db.session.commit()
    assert stage(finding) is Stage.ANSWERED
    finding.status = "closed"
    db.session.commit()
    assert stage(finding) is Stage.CLOSED


def test_a_finding_added_to_the_draft_of_a_next_version_is_in_notitie_until_issued(issued, make_lesson,
                                                                                  make_finding):
    people = issued.people
    extra = make_finding(people["ria"], [make_lesson(issued.review_a, "keten")], title="Later toegevoegd",
                         organisation_ids=[issued.gemeente.id], questions=("Vraag?",))
    extra.status = "agreed"
    db.session.add(BriefFinding(brief_id=issued.brief.id, finding_id=extra.id, position=3))
    db.session.commit()
    assert stage(extra) is Stage.IN_BRIEF
    assert stage(issued.f2) is Stage.SENT
    extra.status = "in_brief"
    issue(issued.brief, people["ria"])
    assert stage(extra) is Stage.SENT


def test_the_steps_mark_the_current_one(issued):
    steps = loop_state(issued.f1).steps
    assert [step.state for step in steps] == ["done", "done", "current", "todo", "todo", "todo"]
    assert [step.label for step in steps] == ["Vastgesteld", "In notitie", "Verzonden", "Beantwoord", "Acties lopen",
                                              "Afgesloten"]


def test_the_finding_page_shows_the_diagram(issued, login):
    page = login(issued.people["ria"]).get(f"/findings/{issued.f1.id}").get_data(as_text=True)
    current = re.search(r'<li class="lmi-loop__step lmi-loop__step--current" aria-current="step">(.*?)</li>', page,
                        re.S)
    assert current is not None and "Verzonden" in current.group(1) and "(nu)" in current.group(1)
    assert "0 van 2 besturen hebben gereageerd" in page
    assert page.count('aria-current="step"') == 1


def test_the_finding_page_renders_without_the_global(app, issued, login):
    del app.jinja_env.globals["finding_loop"]
    try:
        response = login(issued.people["ria"]).get(f"/findings/{issued.f1.id}")
    finally:
        from learning.responses.followup_views import finding_loop

        app.jinja_env.globals["finding_loop"] = finding_loop
    assert response.status_code == 200 and "lmi-loop" not in response.get_data(as_text=True)


def test_a_list_costs_the_same_queries_whatever_its_length(issued, count_queries, make_lesson, make_finding):
    people = issued.people
    issued.f1.status  # noqa: B018 (loaded before counting)
    with count_queries() as one:
        loop_states([issued.f1])
    more = [make_finding(people["ria"], [make_lesson(issued.review_a, "keten")], title=f"Nog {n}") for n in range(5)]
    respond(issued.brief, issued.f1, issued.gemeente, people["greet"], submitted_at=at(DAY0))
    findings = [*issued.findings, *more]
    [finding.status for finding in findings]  # loaded before counting
    with count_queries() as many:
        states = loop_states(findings)
    assert len(states) == 8 and many.count == one.count == 3
