"""Pages cost the same number of queries whether there are 10 reviews or 1,000."""

from datetime import timedelta

import sqlalchemy as sa

from learning.db import db, utcnow
from learning.reviews.models import Episode, Review, ReviewMember, ReviewPhase
from tests.reviews.conftest import TODAY


def bulk_reviews(region, members, count: int, start: int = 0) -> list[int]:  # noqa: ANN001
    """``count`` reviews with every given user as a member, inserted in a few statements."""
    now = utcnow()
    rows = [{"kind": ("casusreview", "intervisie")[n % 2], "title": f"Review {n}", "learning_question": "?",
             "region_id": region.id, "status": ("concept", "voorbereiding", "bijeenkomst")[n % 3],
             "planned_start": TODAY + timedelta(days=n % 30), "case_summary": "", "family_perspective": "",
             "method_name": "Test", "created_at": now, "updated_at": now, "version": 1,
             "admin_support_access": False}
            for n in range(start, start + count)]
    ids = list(db.session.scalars(sa.insert(Review).returning(Review.id), rows))
    db.session.execute(sa.insert(ReviewMember), [
        {"review_id": review_id, "user_id": user.id, "role": role, "is_case_holder": False, "joined_at": now}
        for review_id in ids for user, role in members])
    db.session.execute(sa.insert(ReviewPhase), [
        {"review_id": review_id, "position": p, "name": f"Fase {p}", "purpose": "", "prompts": [], "minutes": 10,
         "contributor": "everyone"} for review_id in ids for p in range(8)])
    db.session.commit()
    return ids


def test_dashboard_queries_do_not_grow_with_reviews(login, region, lead, create_user, count_queries):
    participant = create_user("wendy@example.org")
    members = [(lead, "lead_reviewer"), (participant, "participant")]
    bulk_reviews(region, members, 10)
    for person in (participant, lead):
        client = login(person)
        with count_queries() as few:
            assert client.get("/dashboard").status_code == 200
        bulk_reviews(region, members, 990, start=10) if person is participant else None
        with count_queries() as many:
            page = client.get("/dashboard?page=3")
        assert page.status_code == 200 and many.count == few.count, (few.statements, many.statements)


def test_review_pages_do_not_grow_with_members_or_episodes(login, region, lead, create_user, count_queries):
    people = [create_user(f"p{n}@example.org", organisation_id=lead.organisation_id) for n in range(20)]
    [small] = bulk_reviews(region, [(lead, "lead_reviewer"), (people[0], "participant")], 1)
    [large] = bulk_reviews(region, [(lead, "lead_reviewer")] + [(p, "participant") for p in people], 1, start=1)
    for review_id, episodes in ((small, 1), (large, 30)):
        db.session.add_all(Episode(review_id=review_id, title=f"Moment {n}", period="2025", position=n)
                           for n in range(episodes))
        db.session.add_all(Episode(review_id=review_id, title=f"Eigen {n}", period="2025", position=n,
                                   timeline_owner_id=people[n % 20].id) for n in range(episodes))
    db.session.commit()
    client = login(lead)
    counts = {}
    for review_id in (small, large):
        for path in ("", "/timeline", "/members"):
            with count_queries() as counter:
                assert client.get(f"/reviews/{review_id}{path}").status_code == 200
            counts[(review_id, path)] = counter.count
    for path in ("", "/timeline", "/members"):
        assert counts[(small, path)] == counts[(large, path)], path
