"""Every vragenronde route × every kind of person, inside and outside the review, and a respondent with a code.

Non-members get 404 for the review and everything under it, members whose role does not allow
the action get 403, and reviews of another kind have no vragenronde at all (404). The routes for
respondents and the public bloemlezing are open to everyone. ``VRAGENRONDE_EXPECTED`` feeds the
route inventory in tests/test_route_access.py.
"""

from __future__ import annotations

import pytest

from learning.db import db, utcnow
from learning.reflections import vragenronde
from learning.reflections.models import Answer, Anthology
from tests.test_route_access import FORBIDDEN, LOGIN, VIEW, _url_for, assert_route_outcome

PEOPLE = ("anonymous", "respondent", "lead", "co_reviewer", "participant", "expert", "observer",
          "outsider_reviewer", "policy_owner", "admin")
MEMBERS = ("lead", "co_reviewer", "participant", "expert", "observer")
NOT_FOUND = "404"


def rule(allowed: tuple[str, ...]) -> dict[str, str]:
    outcome = {"anonymous": LOGIN, "respondent": LOGIN}
    for person in PEOPLE[2:]:
        outcome[person] = VIEW if person in allowed else FORBIDDEN if person in MEMBERS else NOT_FOUND
    return outcome


READ = rule(MEMBERS)
CONTRIBUTE = rule(("lead", "co_reviewer", "participant", "expert"))
EDIT = rule(("lead", "co_reviewer"))
PUBLIC = dict.fromkeys(PEOPLE, VIEW)

VRAGENRONDE_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "reflections.vragenronde_questions": {"GET": EDIT},
    "reflections.vragenronde_add_question": {"POST": EDIT},
    "reflections.vragenronde_update_question": {"POST": EDIT},
    "reflections.vragenronde_remove_question": {"POST": EDIT},
    "reflections.vragenronde_move_question": {"POST": EDIT},
    "reflections.vragenronde_copy_questions": {"POST": EDIT},
    "reflections.vragenronde_codes": {"GET": EDIT},
    "reflections.vragenronde_create_code": {"POST": EDIT},
    "reflections.vragenronde_deactivate_code": {"POST": EDIT},
    "reflections.vragenronde_answer": {"GET": CONTRIBUTE, "POST": CONTRIBUTE},
    "reflections.vragenronde_import": {"GET": EDIT, "POST": EDIT},
    "reflections.vragenronde_import_confirm": {"POST": EDIT},
    "reflections.vragenronde_answers": {"GET": EDIT},
    "reflections.vragenronde_highlight": {"POST": EDIT},
    "reflections.vragenronde_move_highlight": {"POST": EDIT},
    "reflections.vragenronde_edit_answer": {"POST": EDIT},
    "reflections.vragenronde_question_introduction": {"POST": EDIT},
    "reflections.vragenronde_compose": {"GET": EDIT},
    "reflections.vragenronde_anthology_introduction": {"POST": EDIT},
    "reflections.vragenronde_publish": {"POST": EDIT},
    "reflections.vragenronde_unpublish": {"POST": EDIT},
    "reflections.vragenronde_render_pdf": {"POST": EDIT},
    "reflections.bloemlezing_page": {"GET": READ},
    "reflections.bloemlezing_pdf": {"GET": READ},
    "reflections.bloemlezing_pdf_status": {"GET": READ},
    "vragenronde.enter_code": {"GET": PUBLIC, "POST": PUBLIC},
    "vragenronde.answer": {"GET": PUBLIC, "POST": PUBLIC},
    "vragenronde.thanks": {"GET": PUBLIC},
    "vragenronde.public_bloemlezing": {"GET": PUBLIC},
    "vragenronde.public_pdf": {"GET": PUBLIC},
    "vragenronde.public_pdf_status": {"GET": PUBLIC},
}

CASES = [(endpoint, method, person) for endpoint, methods_ in VRAGENRONDE_EXPECTED.items()
         for method in methods_ for person in PEOPLE]
REVIEW_ROUTES = [(endpoint, method) for endpoint, methods_ in VRAGENRONDE_EXPECTED.items()
                 for method in methods_ if endpoint.startswith("reflections.")]


@pytest.fixture
def world(people_in_every_role, make_vragenronde, lead):  # noqa: ANN001, ANN201
    """A published vragenronde with a member in every role, people outside it, and what its routes need."""
    review = make_vragenronde()
    people = people_in_every_role(review)
    questions = vragenronde.questions(review)
    answer = Answer(review_id=review.id, question_id=questions[1].id, text="Tijd om te leren", source="csv",
                    highlighted=True, highlight_position=0)
    event_code = vragenronde.create_event_code(review, hours=8, actor=lead)
    anthology = Anthology(review_id=review.id, visibility="public", public_token="t" * 43, published_at=utcnow(),
                          pdf=b"%PDF-1.7 test", pdf_sha256="0" * 64, pdf_status="ready", pdf_error="")
    db.session.add_all([answer, anthology])
    db.session.commit()
    arguments = {"review_id": review.id, "question_id": questions[1].id, "direction": "up", "code_id": event_code.id,
                 "answer_id": answer.id, "code": event_code.code, "token": anthology.public_token}
    return people, arguments


def _client(app, login, people, person: str, arguments):  # noqa: ANN001, ANN202
    if person == "anonymous":
        return app.test_client()
    if person == "respondent":  # someone who opened the answer form with the event code: device cookie, session
        client = app.test_client()
        client.get(f"/v/{arguments['code']}").close()
        return client
    return login(people[person])


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_vragenronde_route_access(app, login, world, endpoint, method, person):
    people, arguments = world
    client = _client(app, login, people, person, arguments)
    assert_route_outcome(app, client, endpoint, method, arguments, VRAGENRONDE_EXPECTED[endpoint][method][person],
                         person)


@pytest.mark.parametrize("endpoint, method", REVIEW_ROUTES)
def test_a_review_of_another_kind_has_no_vragenronde(app, login, world, make_review, endpoint, method):
    people, arguments = world
    casus = make_review(title="Casus")
    url = _url_for(app, endpoint, {**arguments, "review_id": casus.id})
    response = login(people["lead"]).open(url, method=method, data={} if method == "POST" else None)
    response.close()
    assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_an_admin_with_support_access_reads_but_does_not_edit(app, login, world):
    people, arguments = world
    from learning.reviews.models import Review

    db.session.get(Review, arguments["review_id"]).admin_support_access = True
    db.session.commit()
    admin = login(people["admin"])
    assert admin.get(f"/reviews/{arguments['review_id']}/bloemlezing").status_code == 200
    assert admin.get(f"/reviews/{arguments['review_id']}/vragenronde/answers").status_code == 403
