"""Catalogue maintenance for `make translations` and the completeness test.

Dutch is the source language: its catalogue repeats each message id as its
translation, which this tool fills in. English must be translated by a person.

    python -m learning.i18n_tools fill-source-language learning/translations/nl/LC_MESSAGES/messages.po
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHOD_MAP = [("learning/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]


def read_catalog(language: str) -> Catalog:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def source_message_ids() -> set[str]:
    """Every message id in the code and templates, extracted the way `make translations` does."""
    ids: set[str] = set()
    jinja_options = {"extensions": "jinja2.ext.do"}
    extracted = extract_from_dir(
        str(PROJECT_ROOT), METHOD_MAP, keywords=KEYWORDS,
        options_map={"templates/**.html": jinja_options, "templates/**.txt": jinja_options},
    )
    for _filename, _lineno, message, _comments, _context in extracted:
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def untranslated(catalog: Catalog) -> list[str]:
    """Message ids that are missing, empty or fuzzy in ``catalog``."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id if isinstance(message.id, str) else message.id[0])
    return problems


def fill_source_language(path: Path) -> int:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0],) + (message.id[1],) * (len(message.string) - 1)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        if message.fuzzy:
            message.flags.discard("fuzzy")
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True)
    path.write_bytes(buffer.getvalue())
    return filled


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "fill-source-language":
        sys.exit(__doc__)
    print(f"{fill_source_language(Path(sys.argv[2]))} Dutch entries filled from their message ids")
