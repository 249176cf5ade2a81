"""Ids from forms and URLs: an id beyond what an integer column holds names no row.

Refusing such ids before they reach a query keeps crafted input a 404 or a form error, where the
database would otherwise fail on the parameter (PostgreSQL: integer out of range).
"""

MAX_ID = 2**31 - 1


def known_id(value: int | None) -> bool:
    return value is not None and 0 < value <= MAX_ID
