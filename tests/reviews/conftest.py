"""The review factories live in tests/review_fixtures.py (shared by every folder); imported here for old imports."""

from tests.review_fixtures import TODAY, access_for, builtin_method  # noqa: F401
