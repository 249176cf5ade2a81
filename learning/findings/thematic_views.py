"""The thematic view: counts of agreed lessons and findings across reviews and regions, with a chart and CSV.

Open to reviewers, policy owners and administrators: it shows only counts, never a lesson's text
or a review's title, so it may cross the reviews a person is a member of. The page's main content
depends only on the query string, the language and the data, not on who asks, so it is kept as
rendered HTML for ``THEMATIC_CACHE_SECONDS`` like the numbers themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import get_group_symbol
from flask import Response, current_app, render_template, request
from flask_babel import format_date
from markupsafe import Markup

from learning.db import utcnow
from learning.findings import thematic_bp
from learning.findings.charts import FINDINGS, LESSONS, BarChart, bar_chart
from learning.findings.thematic import (
    Dimension,
    Overview,
    ThematicFilters,
    filter_choices,
    result_cache,
    table_csv,
    table_headers,
    thematic_overview,
)
from learning.findings.thematic_forms import ThematicFilterForm
from learning.i18n import _, get_locale, utc_to_local
from learning.permissions import require, role

THEMATIC_READERS = role("reviewer", "policy_owner", "admin")
CHART_ROWS = 25  # more bars than this stop being readable; the table below always has every row


def _cache_seconds() -> int:
    return current_app.config["THEMATIC_CACHE_SECONDS"]


def _filtered() -> tuple[ThematicFilterForm, Overview | None]:
    """The form as typed (errors included) and, when it is valid, the numbers."""
    choices = filter_choices(cache_seconds=_cache_seconds())
    form = ThematicFilterForm(request.args).offer(choices)
    form.fill_period(ThematicFilters.default(utc_to_local(utcnow()).date()))
    if not form.validate():
        return form, None
    dimension = Dimension(form.dimension.data)
    overview = thematic_overview(dimension, form.filters(), choices.labels(dimension),
                                 cache_seconds=_cache_seconds())
    return form, overview


def _period(overview: Overview) -> str:
    return _("%(start)s tot en met %(end)s", start=format_date(overview.filters.date_from, "long"),
             end=format_date(overview.filters.date_to, "long"))


def _chart(overview: Overview) -> BarChart:
    rows = overview.rows[:CHART_ROWS]
    shown = (_("de eerste %(shown)d van %(total)d", shown=len(rows), total=len(overview.rows))
             if len(rows) < len(overview.rows) else "")
    title = _("Leerpunten en bevindingen per %(dimension)s", dimension=overview.dimension.label.lower())
    description = _("Horizontale staven per %(dimension)s%(shown)s, %(period)s: donkerblauw de vastgestelde "
                    "leerpunten, lichtpaars omlijnd de bevindingen. De tabel hieronder geeft dezelfde getallen.",
                    dimension=overview.dimension.label.lower(), shown=f" ({shown})" if shown else "",
                    period=_period(overview))
    return bar_chart(title=title, description=description,
                     categories=[(row.label, (row.lessons, row.findings)) for row in rows],
                     series=[(LESSONS, _("Leerpunten")), (FINDINGS, _("Bevindingen"))])


def _number_format() -> Callable[[int], str]:
    """Whole numbers with the language's digit grouping (12.345 in Dutch); Babel's own is slow for hundreds of cells."""
    group = get_group_symbol(get_locale())
    return lambda value: f"{value:,}".replace(",", group)


def _content(form: ThematicFilterForm, overview: Overview | None) -> Markup:
    return Markup(render_template(
        "thematic/_content.html", form=form, overview=overview, chart=_chart(overview) if overview else None,
        headers=table_headers(overview.dimension) if overview else [], period=_period(overview) if overview else "",
        chart_rows=CHART_ROWS, number=_number_format(),
    ))


@thematic_bp.route("/")
@require(THEMATIC_READERS)
def overview():
    # Only the form's own parameters make the key, so made-up ones cannot crowd the cache out;
    # today is in it because the default period moves with the day.
    arguments = tuple((name, tuple(request.args.getlist(name))) for name in ThematicFilterForm.PARAMETERS)
    key = ("page", str(get_locale()), utc_to_local(utcnow()).date(), arguments)
    pages = result_cache()
    content = pages.get(key) if _cache_seconds() > 0 else None
    if content is None:
        form, overview = _filtered()
        content = _content(form, overview)
        if overview is not None and _cache_seconds() > 0:  # a page of error messages is cheap to make again
            pages.put(key, content, _cache_seconds())
    return render_template("thematic/overview.html", content=content)


@thematic_bp.route("/export.csv")
@require(THEMATIC_READERS)
def export_csv():
    form, overview = _filtered()
    if overview is None:
        return render_template("thematic/overview.html", content=_content(form, None)), 400
    filters = overview.filters
    filename = f"themas-{overview.dimension.value}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    return Response(table_csv(overview), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
