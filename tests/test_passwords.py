"""Password hashing and the password policy, without HTTP."""

import pytest

from learning.auth import passwords


def test_hash_is_argon2id_and_verifies(app):
    hashed = passwords.hash_password("een lange zin als wachtwoord")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "een lange zin als wachtwoord")
    assert not passwords.verify_password(hashed, "een lange zin als wachtwoorD")


def test_missing_or_broken_hash_never_verifies(app):
    assert not passwords.verify_password(None, "wat dan ook")
    assert not passwords.verify_password("not-a-hash", "wat dan ook")


def test_hash_made_with_other_parameters_needs_rehash(app):
    cheap = passwords.hash_password("een lange zin als wachtwoord")
    assert not passwords.needs_rehash(cheap)
    app.config["PASSWORD_HASH_PROFILE"] = "rfc9106-low-memory"
    assert passwords.needs_rehash(cheap)


@pytest.mark.parametrize(
    "password, problem",
    [
        ("kort", "minstens 12"),
        ("elf tekens!", "minstens 12"),
        ("aaaaaaaaaaaaaaaa", "te voorspelbaar"),
        ("qwertyuiop123", "veel voor"),
        ("1q2w3e4r5t6y", "veel voor"),
        ("Wachtwoord2026!", "veel voor"),  # a listed word padded with digits and symbols
        ("!!welkomwelkom", "veel voor"),
        ("jeugdzorg12345", "veel voor"),
    ],
)
def test_policy_refuses_short_and_common_passwords(app, password, problem):
    problems = passwords.password_problems(password)
    assert problems and problem in problems[0]


def test_policy_refuses_password_containing_the_email_name(app):
    problems = passwords.password_problems("sanne.devries-geheim-tuinhek", "sanne.devries@example.org")
    assert any("e-mailadres" in problem for problem in problems)


@pytest.mark.parametrize(
    "password",
    ["een lange zin als wachtwoord", "Kaas-fiets-regen-2026", "mijn hond heet Bobbie en is 7"],
)
def test_policy_accepts_long_uncommon_passwords(app, password):
    assert passwords.password_problems(password, "iemand@example.org") == []


def test_common_list_is_bundled_with_a_named_source():
    header = (passwords.Path(passwords.__file__).parent / "data" / "common_passwords.txt").read_text()[:400]
    assert "zxcvbn" in header and "MIT" in header
    assert len(passwords.common_passwords()) > 30_000
