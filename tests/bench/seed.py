"""Bulk seeding for the benchmarks: many reviews, members and episodes in few statements."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from learning.admin.models import Organisation, Region, TaxonomyTerm
from learning.auth.models import User, UserRole
from learning.db import db, utcnow
from learning.reviews.models import Episode, Review, ReviewMember, ReviewPhase

ROLES = ("participant", "participant", "participant", "expert_by_experience", "observer", "co_reviewer")


def seed_reviews(*, reviews: int, members_per_review: int, episodes_per_review: int, people: int = 200) -> dict[str, Any]:
    """A reviewer who leads every review, ``people`` others spread over them. Returns ids for the load."""
    now = utcnow()
    kind = db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.code == "lokaal_team"))
    region = Region(name="Regio Bench")
    organisation = Organisation(name="Wijkteam Bench", agency_kind=kind, region=region)
    db.session.add_all([region, organisation])
    db.session.flush()
    user_rows = [{"email": f"bench{n}@example.org", "display_name": f"Bench Persoon {n}", "preferred_language": "nl",
                  "active": True, "created_at": now, "session_token": f"bench-token-{n}",
                  "organisation_id": organisation.id, "password_hash": None} for n in range(people + 1)]
    user_ids = list(db.session.scalars(sa.insert(User).returning(User.id), user_rows))
    lead_id, others = user_ids[0], user_ids[1:]
    db.session.execute(sa.insert(UserRole), [{"user_id": lead_id, "role": "reviewer"}])
    db.session.execute(sa.update(User).where(User.id == lead_id).values(mfa_enabled_at=now, totp_secret="B" * 32))
    review_rows = [{"kind": "casusreview", "title": f"Bench review {n}", "learning_question": "Wat leren we?",
                    "region_id": region.id, "status": ("concept", "voorbereiding", "bijeenkomst", "afronding")[n % 4],
                    "planned_start": date.today() + timedelta(days=n % 60), "case_summary": "Moeder en kind A. " * 40,
                    "family_perspective": "Het gezin voelde zich gehoord. " * 20, "method_name": "Leren met impact",
                    "created_at": now, "updated_at": now, "version": 1, "admin_support_access": False}
                   for n in range(reviews)]
    review_ids = list(db.session.scalars(sa.insert(Review).returning(Review.id), review_rows))
    member_rows, episode_rows, phase_rows = [], [], []
    for index, review_id in enumerate(review_ids):
        member_rows.append({"review_id": review_id, "user_id": lead_id, "role": "lead_reviewer",
                            "is_case_holder": False, "joined_at": now})
        chosen = [others[(index * 7 + k) % len(others)] for k in range(members_per_review - 1)]
        member_rows += [{"review_id": review_id, "user_id": user_id, "role": ROLES[k % len(ROLES)],
                         "is_case_holder": k == 0, "joined_at": now} for k, user_id in enumerate(chosen)]
        phase_rows += [{"review_id": review_id, "position": p, "name": f"Fase {p}", "purpose": "Doel",
                        "prompts": ["Wat gebeurde er?", "Wat hielp?"], "minutes": 20, "contributor": "everyone"}
                       for p in range(8)]
        episode_rows += [{"review_id": review_id, "position": e, "title": f"Sleutelmoment {e}",
                          "description": "Wat er gebeurde. " * 10, "period": "", "source": "dossier",
                          "occurred_on": date(2025, 1, 1) + timedelta(days=e * 5),
                          "timeline_owner_id": None if e % 2 == 0 else chosen[e % len(chosen)],
                          "created_at": now, "updated_at": now, "version": 1}
                         for e in range(episodes_per_review)]
    for table, rows in ((ReviewMember, member_rows), (ReviewPhase, phase_rows), (Episode, episode_rows)):
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(table), rows[start:start + 5000])
    db.session.commit()
    return {"lead_id": lead_id, "lead_token": "bench-token-0", "review_id": review_ids[len(review_ids) // 2]}
