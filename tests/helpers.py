"""Small helpers shared by tests."""

from __future__ import annotations

import re

import pyotp

from learning.auth.models import User


def totp_now(user: User) -> str:
    assert user.totp_secret
    return pyotp.TOTP(user.totp_secret).now()


def text_of(response) -> str:  # noqa: ANN001
    """The visible text of an HTML response, tags stripped and white space folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def link_in(text: str, prefix: str) -> str:
    match = re.search(re.escape(prefix) + r"\S+", text)
    assert match, f"no link starting with {prefix} in {text!r}"
    return match.group(0)


def table_text(response) -> str:  # noqa: ANN001
    """The visible text of the page's tables only (not of filters or menus)."""
    html = response.get_data(as_text=True)
    tables = re.findall(r"<table\b.*?</table>", html, flags=re.S)
    return " ".join(" ".join(re.sub(r"<[^>]+>", " ", table).split()) for table in tables)
