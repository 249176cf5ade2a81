"""PDF rendering with WeasyPrint: bundled fonts, no network, reproducible bytes, tagged output.

The URL fetcher serves files from ``static/`` only and refuses everything else (no network,
no ``file://`` outside static, no ``data:`` URLs that user text could smuggle in), so a PDF
can never be made to fetch something on a reader's behalf.
"""

from __future__ import annotations

import mimetypes
import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


def render_pdf(html: str, *, identifier: str) -> bytes:
    """Render ``html`` (which sets its language, title, author and dates in ``<head>``) to a tagged PDF.

    ``identifier`` becomes the PDF's file identifier; with fixed dates in the HTML, the same
    content renders to the same bytes.
    """
    os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_TIMESTAMP)
    fetcher = StaticOnlyFetcher(Path(current_app.static_folder))
    document = HTML(string=html, base_url=f"{STATIC_SCHEME}:///", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier.encode())
