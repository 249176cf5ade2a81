"""The vragenronde's views, one module per part; importing this package registers their routes.

Review-owned routes hang under ``/reviews/<id>`` (``reflections`` blueprint) and exist only for
reviews of kind vragenronde: any other review gives a 404. The routes for respondents with an
event code and for the public bloemlezing link have no prefix (``vragenronde`` blueprint).
"""

from learning.reflections.vragenronde.views import (  # noqa: F401
    answers,
    codes,
    compose,
    csv_import,
    questions,
    reading,
    respond,
)
