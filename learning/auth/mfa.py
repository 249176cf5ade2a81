"""TOTP (RFC 6238) with replay protection, its QR code, and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import segno

from learning.db import utcnow

# One step either side tolerates a phone clock that is up to 30 seconds off.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, title=title, xmldecl=False)
    return buffer.getvalue()


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def matching_timestep(secret: str, code: str, at: datetime | None = None) -> int | None:
    """The time step whose code equals ``code`` within the valid window, or None."""
    code = normalise_code(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    at = at or utcnow()
    current = totp.timecode(at)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            return current + offset
    return None


def accept_totp(secret: str, code: str, last_timestep: int | None, at: datetime | None = None) -> int | None:
    """The time step to remember if ``code`` is valid and newer than the last one used, else None.

    Refusing any step at or before the last accepted one means a code seen over
    someone's shoulder cannot be used again, not even within its own window.
    """
    timestep = matching_timestep(secret, code, at)
    if timestep is None or (last_timestep is not None and timestep <= last_timestep):
        return None
    return timestep


def new_recovery_codes() -> list[str]:
    def one() -> str:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        return f"{raw[:5]}-{raw[5:]}"

    return [one() for _ in range(RECOVERY_CODE_COUNT)]


def hash_recovery_code(code: str) -> str:
    # Ten random characters from 31 symbols carry ~50 bits; a salted slow hash adds nothing here.
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()
