"""A small known dataset for the thematic view: three reviews in two regions, nine lessons, four findings.

| lesson | review (region)  | status  | level       | themes                | principles               |
|--------|------------------|---------|-------------|-----------------------|--------------------------|
| L1     | A (Noord)        | agreed  | keten       | crisis, overdracht    | gezinsgericht            |
| L2     | A (Noord)        | agreed  | stelsel     | crisis                | eenvoudig, lerend        |
| L3     | B (Noord)        | agreed  | keten       | crisis                |                          |
| L4     | C (Zuid)         | agreed  | team        | crisis, wachtlijst    | gezinsgericht            |
| L5     | C (Zuid)         | concept | keten       | overdracht            | lerend                   |
| L6     | B (Noord)        | agreed  | keten       | wachtlijst            | (400 days old)           |
| L7     | B (Noord)        | agreed  | organisatie | overdracht            |                          |
| L8, L9 | C (Zuid)         | agreed  | persoon     | wachtlijst            | L9: gezinsgericht        |

Agency kinds: A Veilig Thuis + GGZ, B lokaal team, C GGZ + politie.
Findings: F1 keten_crisis agreed on L1+L4; F2 wetgeving concept on L2; F3 keten_crisis in_brief on L3 but
400 days old; F4 instrumenten answered on L2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning.admin.models import Region, TaxonomyTerm
from learning.db import db, utcnow
from learning.findings.models import Finding, FindingLesson
from learning.lessons.models import Lesson, Theme


def term(vocabulary: str, code: str) -> TaxonomyTerm:
    return db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary,
                                                           TaxonomyTerm.code == code))


@dataclass
class Dataset:
    noord: Region
    zuid: Region
    reviews: dict[str, object]
    themes: dict[str, Theme]
    lessons: dict[str, Lesson]
    findings: dict[str, Finding]


@pytest.fixture
def dataset(make_review, region) -> Dataset:  # noqa: ANN001
    region.name = "Regio Noord"
    zuid = Region(name="Regio Zuid")
    db.session.add(zuid)
    db.session.flush()
    reviews = {name: make_review(title=f"Gezin {name}, geheime casus") for name in "ABC"}
    reviews["C"].region_id = zuid.id
    reviews["A"].agency_kinds = [term("agency_kind", "veilig_thuis"), term("agency_kind", "ggz")]
    reviews["B"].agency_kinds = [term("agency_kind", "lokaal_team")]
    reviews["C"].agency_kinds = [term("agency_kind", "ggz"), term("agency_kind", "politie")]
    themes = {name: Theme(name=name.capitalize(), key=name) for name in ("crisis", "overdracht", "wachtlijst")}
    db.session.add_all(themes.values())
    now = utcnow()
    recent, old = now - timedelta(days=10), now - timedelta(days=400)
    principle = {code: term("principle", code) for code in ("gezinsgericht", "eenvoudig", "lerend")}

    def lesson(review: str, status: str, level: str, theme_names: list[str], principles: list[str] = (),  # noqa: B006
               created=recent) -> Lesson:  # noqa: ANN001
        return Lesson(review_id=reviews[review].id, text=f"Geheime leerpunttekst uit review {review}",
                      level=term("level", level), status=status, created_at=created,
                      themes=[themes[name] for name in theme_names],
                      principles=[principle[code] for code in principles])

    lessons = {
        "L1": lesson("A", "agreed", "keten", ["crisis", "overdracht"], ["gezinsgericht"]),
        "L2": lesson("A", "agreed", "stelsel", ["crisis"], ["eenvoudig", "lerend"]),
        "L3": lesson("B", "agreed", "keten", ["crisis"]),
        "L4": lesson("C", "agreed", "team", ["crisis", "wachtlijst"], ["gezinsgericht"]),
        "L5": lesson("C", "concept", "keten", ["overdracht"], ["lerend"]),
        "L6": lesson("B", "agreed", "keten", ["wachtlijst"], created=old),
        "L7": lesson("B", "agreed", "organisatie", ["overdracht"]),
        "L8": lesson("C", "agreed", "persoon", ["wachtlijst"]),
        "L9": lesson("C", "agreed", "persoon", ["wachtlijst"], ["gezinsgericht"]),
    }
    db.session.add_all(lessons.values())
    db.session.flush()

    def finding(kind: str, status: str, on: list[str], created=recent) -> Finding:  # noqa: ANN001
        return Finding(title=f"Geheime bevinding {kind}", finding_type_id=term("finding_type", kind).id,
                       status=status, created_at=created,
                       lesson_links=[FindingLesson(lesson_id=lessons[name].id, position=index)
                                     for index, name in enumerate(on)])

    findings = {
        "F1": finding("keten_crisis", "agreed", ["L1", "L4"]),
        "F2": finding("wetgeving_financiering", "concept", ["L2"]),
        "F3": finding("keten_crisis", "in_brief", ["L3"], created=old),
        "F4": finding("instrumenten_werkprocessen", "answered", ["L2"]),
    }
    db.session.add_all(findings.values())
    db.session.commit()
    return Dataset(noord=region, zuid=zuid, reviews=reviews, themes=themes, lessons=lessons, findings=findings)
