"""Password hashing (argon2id) and the password policy.

The policy follows NIST SP 800-63B: a minimum length and a check against common
passwords, no composition rules. A password counts as common when it is in the
bundled list (``data/common_passwords.txt``, its source named in its header), or
when it is a listed password padded with digits or symbols ("welkom2026!").
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from learning.i18n import _

MAX_LENGTH = 256
_PROFILES = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    "rfc9106-high-memory": profiles.RFC_9106_HIGH_MEMORY,
    # Only for the test suite: hashing thousands of passwords with real costs takes minutes.
    "cheapest": profiles.CHEAPEST,
}
_PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(_PROFILES[profile])


def hasher() -> PasswordHasher:
    return _hasher(current_app.config["PASSWORD_HASH_PROFILE"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account has a password, so timing reveals nothing."""
    if password_hash is None:
        hasher().hash(password)
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    lowered = password.lower()
    listed = common_passwords()
    if lowered in listed:
        return True
    core = _PADDING.sub("", lowered)
    return len(core) >= 4 and core in listed


def password_problems(password: str, email: str | None = None) -> list[str]:
    """Everything wrong with a proposed password, as translated sentences (empty when fine)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems: list[str] = []
    if len(password) < minimum:
        problems.append(_("Gebruik minstens %(count)d tekens.", count=minimum))
    elif len(password) > MAX_LENGTH:
        problems.append(_("Gebruik hoogstens %(count)d tekens.", count=MAX_LENGTH))
    elif len(set(password)) < 5:
        problems.append(_("Dit wachtwoord is te voorspelbaar: gebruik meer verschillende tekens."))
    elif is_common(password):
        problems.append(_("Dit wachtwoord komt veel voor en is makkelijk te raden. Kies een ander."))
    if email:
        local_part = email.split("@", 1)[0].lower()
        if len(local_part) >= 4 and local_part in password.lower():
            problems.append(_("Gebruik je e-mailadres niet in je wachtwoord."))
    return problems
