"""The PDF of a brief: cover, contents with page numbers, every finding of this board in order, tagged and described.

Read back with pypdf, as a board would receive it; rendered from the version's snapshot only.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from learning import pdf as pdf_module
from learning.briefs import rendering
from learning.briefs.models import BriefDocument, BriefVersion
from learning.db import db
from learning.pdf import FetchRefused, StaticOnlyFetcher
from tests.briefs.conftest import ISSUED_AT, issue_version

FONT_URLS = {f"static:///fonts/NotoSans-{style}.woff" for style in ("Regular", "Bold", "Italic")}


def folded(text: str) -> str:
    return " ".join(text.split())


def page_texts(data: bytes) -> list[str]:
    return [folded(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return " ".join(page_texts(data))


def in_order(text: str, parts: list[str]) -> bool:
    """Each part occurs after the previous one."""
    position = 0
    for part in parts:
        position = text.find(part, position)
        if position == -1:
            return False
        position += len(part)
    return True


def document_of(version: BriefVersion, organisation_id: int) -> BriefDocument:
    db.session.rollback()
    return db.session.scalar(sa.select(BriefDocument).where(BriefDocument.version_id == version.id,
                                                            BriefDocument.organisation_id == organisation_id))


@pytest.fixture
def issued(make_brief_setting):  # noqa: ANN001, ANN201
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    return setting, version


def test_the_pdf_has_a_cover_contents_and_each_finding_in_order(issued):
    setting, version = issued
    document = document_of(version, setting.gemeente.id)
    assert (document.status, document.error) == ("ready", "")
    pages = page_texts(document.pdf)
    text = " ".join(pages)

    cover = pages[0]
    assert "Regie bij crisis in de keten" in cover
    assert "Aan: Bea Bestuurder, Ben Board, Gemeente Midden" in cover
    assert "Versie v1, uitgegeven op 24 november 2026" in cover
    deadline = setting.brief.response_deadline
    assert f"Graag uw reactie vóór {deadline.day} " in cover and str(deadline.year) in cover
    assert "Uitgegeven door Ria Reviewer; goedgekeurd door Tom Tweede" in cover
    assert "pagina 1 van" in cover and f"pagina 1 van {len(pages)}" in cover
    assert all(f"pagina {number} van {len(pages)}" in page for number, page in enumerate(pages, start=1))

    # The contents: each entry with the page its section starts on.
    f1, f2, _f3 = setting.findings
    for number, finding in enumerate((f1, f2), start=1):
        heading = f"Bevinding {number}: {finding.title}"
        match = re.search(re.escape(heading) + r"[ .]*(\d+)", cover)
        assert match, cover
        target = int(match.group(1))
        assert target > 1 and heading in pages[target - 1]

    assert in_order(" ".join(pages[1:]), ["Inleiding", "In drie reviews kwam hetzelfde patroon terug.",
                                          "We vragen u erop te reageren.", "Deze notitie legt u 2 bevindingen voor",
                                          "Geef uw reactie per bevinding in het portaal", "Context",
                                          "De reviews vonden plaats"])
    expected = []
    for number, finding in enumerate((f1, f2), start=1):
        expected += [f"Bevinding {number}: {finding.title}", "Soort bevinding: samenwerking in de keten bij crisis",
                     "Het patroon in het systeem", finding.pattern, "Onderbouwing",
                     "Deze bevinding rust op 2 leerpunten uit 1 review.", "Regio's: 1 (Regio Midden)",
                     "Soorten organisaties: 2 (Veilig Thuis, GGZ)", "Betrokken organisaties: 0",
                     "Sleutelmomenten: 0",
                     "Waarom dit ertoe doet voor kinderen en gezinnen", finding.why_it_matters,
                     "Vragen aan het bestuur", *finding.board_questions, "Reactie van de organisatie",
                     "overgenomen", "deels overgenomen", "niet overgenomen"]
    # Everything after the contents page: the sections in order, each finding's questions in their order.
    assert in_order(" ".join(pages[1:]), expected), text


def test_the_pdf_is_tagged_in_its_language_and_described_with_the_issue_time(issued):
    setting, version = issued
    reader = PdfReader(io.BytesIO(document_of(version, setting.gemeente.id).pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Regie bij crisis in de keten · v1 · Gemeente Midden"
    assert reader.metadata.author == "Leren met Impact"
    assert reader.metadata.creation_date == ISSUED_AT
    assert reader.metadata.modification_date == ISSUED_AT
    assert reader.outline, "headings become bookmarks"
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("+Noto-Sans" in font for font in fonts), fonts  # bundled, no system fallback


def test_an_english_brief_is_english_throughout_its_metadata(make_brief_setting):
    setting = make_brief_setting(language="en")
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    data = document_of(version, setting.ggz.id).pdf
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = pdf_text(data)
    assert "24 November 2026" in text  # the date as English readers write it
    assert "page 1 of" in text


def test_each_board_gets_only_its_own_findings(issued):
    setting, version = issued
    f1, f2, f3 = setting.findings
    gemeente = pdf_text(document_of(version, setting.gemeente.id).pdf)
    ggz = pdf_text(document_of(version, setting.ggz.id).pdf)
    for finding in (f1, f2):
        assert finding.title in gemeente and finding.pattern in gemeente
    for secret in (f3.title, f3.pattern, f3.why_it_matters, *f3.board_questions):
        assert secret not in gemeente
    for finding in (f1, f3):
        assert finding.title in ggz and all(question in ggz for question in finding.board_questions)
    for secret in (f2.title, f2.pattern, f2.why_it_matters, *f2.board_questions, "Bea Bestuurder", "Ben Board"):
        assert secret not in ggz
    assert "Aan: Gijs GGZ, GGZ Midden" in ggz
    assert "Bevinding 2: " + f3.title in ggz  # numbered within this board's document


def test_the_same_snapshot_renders_to_the_same_bytes(issued, app):
    setting, version = issued
    document = document_of(version, setting.gemeente.id)
    stored = document.pdf
    assert document.sha256 == hashlib.sha256(stored).hexdigest() and document.size == len(stored)
    again = rendering.render_document_pdf(version.snapshot, setting.gemeente.id)
    once_more = rendering.render_document_pdf(dict(version.snapshot), setting.gemeente.id)
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(once_more).hexdigest() == document.sha256


def test_the_pdf_comes_from_the_snapshot_not_the_live_findings(issued):
    setting, version = issued
    f1 = setting.findings[0]
    before = document_of(version, setting.gemeente.id).sha256
    f1.pattern = "Later herschreven patroon."
    f1.board_questions = ["Een nieuwe vraag?"]
    db.session.commit()
    again = rendering.render_document_pdf(db.session.get(BriefVersion, version.id).snapshot, setting.gemeente.id)
    assert hashlib.sha256(again).hexdigest() == before
    assert "Later herschreven patroon." not in pdf_text(again)


HOSTILE = ('<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://example.com/x.css"> '
           '<style>body { background: url(http://example.com/bg.png) }</style> url(static:///../../etc/passwd) '
           '<script>alert(1)</script> <a href="javascript:alert(1)">klik</a>')


def test_user_text_is_escaped_and_nothing_is_fetched_for_it(make_brief_setting, monkeypatch):
    fetched: list[str] = []
    original = StaticOnlyFetcher.fetch

    def spying(self, url, headers=None):  # noqa: ANN001, ANN202
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spying)
    setting = make_brief_setting(
        title='Notitie <b>vet</b> & "zo"', introduction=HOSTILE, context="<iframe src=http://example.com>",
        findings=[(f"Titel {HOSTILE}"[:200], f"Patroon {HOSTILE}", f"Waarom {HOSTILE}", (f"Vraag {HOSTILE}?",),
                   ("gemeente", "ggz"))])
    html = rendering.document_html(
        issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver, start=False).snapshot,
        setting.gemeente.id)
    assert "<img" not in html and "<script" not in html and "<iframe" not in html
    assert '<link rel="stylesheet" href="http' not in html and "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html

    data = pdf_module.render_pdf(html, identifier="hostile")
    assert set(fetched) <= FONT_URLS, fetched  # only the bundled fonts, never anything named in user text
    text = pdf_text(data)
    assert '<img src="file:///etc/passwd">' in text and "url(http://example.com/bg.png)" in text
    assert "root:x:0:0" not in text
    assert PdfReader(io.BytesIO(data)).metadata.title.startswith('Notitie <b>vet</b> & "zo"')


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/x.css", "https://example.com/font.woff",
                                 "data:text/css,body{}", "static:///../../etc/passwd", "static:///missing.css",
                                 "static:///fonts"])
def test_the_fetcher_refuses_everything_but_files_under_static(app, url):
    fetcher = StaticOnlyFetcher(Path(app.static_folder))
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.fetch("static:///fonts/NotoSans-Regular.woff").status == 200


def test_the_preview_fragment_shows_what_the_pdf_holds(issued, app):
    setting, version = issued
    doc = rendering.organisation_view(version.snapshot, setting.gemeente.id)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        fragment = str(rendering.document_fragment(doc))
    text = folded(re.sub(r"<[^>]+>", " ", fragment))
    f1, f2, f3 = setting.findings
    assert "<h2" in fragment and "<h1" not in fragment  # under the page's own h1
    assert "Aan: Bea Bestuurder, Ben Board, Gemeente Midden" in text  # in the document's language, not the reader's
    assert in_order(text, [f1.title, f1.pattern, *f1.board_questions, f2.title, *f2.board_questions])
    assert f3.title not in text
    assert f'href="#brief-{setting.gemeente.id}-finding-{f1.id}"' in fragment
    assert "lmi-brief-line" not in fragment and "lmi-brief-box" not in fragment  # ruled space: for paper only
    assert "Reactie van de organisatie overgenomen · deels overgenomen · niet overgenomen" in text


def test_serialising_each_pdf_object_once_writes_the_same_bytes_as_weasyprint(issued, app):
    """render_pdf saves pydyf's second serialisation (for the file identifier's hash); the bytes stay WeasyPrint's."""
    from weasyprint import HTML

    setting, version = issued
    html = rendering.document_html(version.snapshot, setting.ggz.id)
    plain = HTML(string=html, base_url="static:///", url_fetcher=StaticOnlyFetcher(Path(app.static_folder))).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=b"brief-test")
    assert pdf_module.render_pdf(html, identifier="brief-test") == plain
    assert b"/ID [" in plain or b"/ID[" in plain
