"""PDF rendering with WeasyPrint: bundled fonts, no network, reproducible bytes, tagged output.

The URL fetcher serves files from ``static/`` only and refuses everything else (no network,
no ``file://`` outside static, no ``data:`` URLs that user text could smuggle in), so a PDF
can never be made to fetch something on a reader's behalf.
"""

from __future__ import annotations

import mimetypes
import os
import re
from datetime import datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import pydyf
from flask import current_app
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from learning.i18n import _

STATIC_SCHEME = "static"
# fontTools stamps every embedded font subset with "now" unless SOURCE_DATE_EPOCH is set
# (reproducible-builds.org); a fixed stamp keeps the same content rendering to the same bytes.
FONT_TIMESTAMP = "0"


class FetchRefused(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serves ``static:///path`` from the app's static folder; anything else is refused."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=(STATIC_SCHEME,), allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # noqa: ANN001
        parts = urlsplit(url)
        if parts.scheme != STATIC_SCHEME:
            raise FetchRefused(f"refused {url!r}: PDFs only use files under static/")
        target = (self.root / parts.path.lstrip("/")).resolve()
        if self.root not in target.parents or not target.is_file():
            raise FetchRefused(f"refused {url!r}: not a file under static/")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": content_type})


def pdf_date(moment: datetime) -> str:
    """The form WeasyPrint reads from ``<meta name="dcterms.created">``: fixed dates, reproducible bytes."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def paragraphs(text: str | None) -> list[str]:
    """Plain text split into paragraphs at blank lines (line breaks inside stay, shown with pre-wrap)."""
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def page_counter_css() -> Markup:
    """The CSS ``content`` value for "pagina X van Y" in the reader's language (escaped here, for a <style>)."""
    marker_page, marker_pages = "\x00PAGE\x00", "\x00PAGES\x00"
    sentence = _("pagina %(page)s van %(pages)s", page=marker_page, pages=marker_pages)
    parts: list[str] = []
    for piece in re.split(f"({re.escape(marker_page)}|{re.escape(marker_pages)})", sentence):
        if piece == marker_page:
            parts.append("counter(page)")
        elif piece == marker_pages:
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return Markup(" ".join(parts))  # noqa: S704 - built from CSS-escaped strings and fixed counters


_SERIALISED_ONCE: dict[type, type] = {}


def _serialised_once(object_class: type) -> type:
    """``object_class`` (a pydyf stream, dictionary, array…) with its bytes computed once per object.

    With a file identifier, pydyf serialises every object twice: once to write it and once more for the
    identifier's hash, compressing each stream (the embedded fonts above all) again and walking the whole
    structure tree of a tagged PDF again. Computing each once gives the same bytes and saves about a sixth of
    the time spent writing a tagged PDF (some 50 ms for a 7-page brief: ``python -m tests.bench --scenario briefs``).
    """
    if object_class not in _SERIALISED_ONCE:
        def data(self) -> bytes:  # noqa: ANN001
            return super(_SERIALISED_ONCE[object_class], self).data

        _SERIALISED_ONCE[object_class] = type(f"{object_class.__name__}SerialisedOnce", (object_class,),
                                              {"data": cached_property(data), "__module__": __name__})
    return _SERIALISED_ONCE[object_class]


def _serialise_objects_once(_document, pdf: pydyf.PDF) -> None:  # noqa: ANN001
    """WeasyPrint's ``finisher``: called once the PDF is complete, right before pydyf writes it."""
    for pdf_object in pdf.objects:
        if pdf_object.free != "f" and type(pdf_object) not in _SERIALISED_ONCE.values():
            pdf_object.__class__ = _serialised_once(type(pdf_object))


def render_pdf(html: str, *, identifier: str) -> bytes:
    """Render ``html`` (which sets its language, title, author and dates in ``<head>``) to a tagged PDF.

    ``identifier`` becomes the PDF's file identifier; with fixed dates in the HTML, the same
    content renders to the same bytes.
    """
    os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_TIMESTAMP)
    fetcher = StaticOnlyFetcher(Path(current_app.static_folder))
    document = HTML(string=html, base_url=f"{STATIC_SCHEME}:///", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier.encode(),
                              finisher=_serialise_objects_once)
