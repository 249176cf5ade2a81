"""Markdown for case text: markdown-it-py renders, nh3 sanitises.

Raw HTML in the source is not rendered at all (``html=False``) and the output is
cleaned again by nh3 with a short allow-list, so user text can never carry
scripts, styles, event handlers or foreign images into a page.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6", "code", "pre", "hr", "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@cache
def _parser() -> MarkdownIt:
    # Headings of level 1 and 2 belong to the page, not to case text: they are shifted down.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable("image")
    return parser


def _shift_headings(html: str) -> str:
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = _shift_headings(_parser().render(text))
    cleaned = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    # Safe to mark: markdown-it escaped all raw HTML and nh3 removed anything not on the allow-list.
    return Markup(cleaned)  # noqa: S704
