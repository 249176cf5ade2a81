"""The library: search and read (reviewers, policy owners, administrators), publish and withdraw (lead reviewers).

Publishing is three requests: the draft form, the preview (after the anonymisation check) and
the confirmation, which checks everything again: the preview's hidden fields are only a copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from learning.admin.models import Vocabulary
from learning.admin.services import region_choices
from learning.findings.library import bp, search_cache, services
from learning.findings.library.access import (
    ITEM,
    PUBLISH,
    READERS,
    WITHDRAW,
    PublishSource,
    can_withdraw,
    current_item,
    current_source,
    publish_source,
)
from learning.findings.library.forms import PublishForm, SearchForm, WithdrawForm
from learning.findings.library.models import LibraryItem, SourceKind
from learning.findings.library.search import LibraryFilters, parse_query
from learning.findings.library.search import search as find_items
from learning.findings.library.search_cache import RenderedResults
from learning.findings.library.services import Draft, PublishError
from learning.i18n import _, get_locale
from learning.permissions import require, role
from learning.reviews.privacy import PersonalDataFound

LEAD_REVIEWER = role("reviewer")
PUBLISH_URL = "/publish/<any(lesson, finding):kind>/<int:source_id>"


# --- reading ---------------------------------------------------------------------------------


FilterChoices = dict[str, tuple[tuple[int, str], ...]]


def _filter_choices() -> FilterChoices:
    """(value, label) per filter, in the current language: the same for every reader, so kept per generation."""
    locale = get_locale()

    def compute() -> FilterChoices:
        terms = services.term_options(Vocabulary.LEVEL.value, Vocabulary.PRINCIPLE.value,
                                      Vocabulary.FINDING_TYPE.value, language=locale.language if locale else "nl")
        return {
            "theme_id": ((0, _("Alle thema's")), *services.themes_in_library()),
            "level_id": ((0, _("Alle niveaus")), *terms[Vocabulary.LEVEL.value]),
            "principle_id": ((0, _("Alle principes")), *terms[Vocabulary.PRINCIPLE.value]),
            "finding_type_id": ((0, _("Alle soorten")), *terms[Vocabulary.FINDING_TYPE.value]),
            "region_id": ((0, _("Alle regio's")), *((choice.value, choice.label) for choice in region_choices())),
        }

    return search_cache.cached(("choices", str(locale)), compute)


def _fill_filter_choices(form: SearchForm) -> None:
    for name, options in _filter_choices().items():
        getattr(form, name).choices = [SelectChoice(value, label) for value, label in options]


def _filters(form: SearchForm) -> LibraryFilters:
    return LibraryFilters(
        theme_id=form.theme_id.data or None, level_id=form.level_id.data or None,
        principle_id=form.principle_id.data or None, region_id=form.region_id.data or None,
        finding_type_id=form.finding_type_id.data or None, source_kind=form.kind.data or None,
    )


def _results(form: SearchForm) -> RenderedResults:
    """The rendered results of a valid search, from this process's cache when the library has not changed since."""
    parsed, filters, sort = parse_query(form.q.data), _filters(form), form.sort.data
    page = search_cache.clamp_page(request.args.get("page", 1, type=int) or 1)

    def render() -> RenderedResults:
        found = find_items(parsed, filters, sort=sort, page=page)
        return RenderedResults(Markup(render_template("library/_results.html", results=found)), found.pager)

    return search_cache.results(parsed, filters, sort, page, str(get_locale()), render)


@bp.route("")
@require(READERS)
def search():
    form = SearchForm(request.args)
    _fill_filter_choices(form)
    results = _results(form) if form.validate() else None  # a page of error messages is never kept
    return render_template("library/search.html", form=form, results=results)


@bp.route("/<int:item_id>")
@require(READERS, ITEM)
def item(item_id: int):
    shown = current_item()
    return render_template("library/item.html", item=shown, may_withdraw=can_withdraw(current_user, shown))


@bp.route("/<int:item_id>/withdraw", methods=["GET", "POST"])
@require(READERS, WITHDRAW)
def withdraw(item_id: int):
    shown = current_item()
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(shown, actor=current_user, reason=form.reason.data)
        except PublishError as error:
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            flash(_("“%(title)s” is uit de bibliotheek teruggetrokken.", title=shown.title), "success")
            return redirect(url_for("library.search"))
    return render_template("library/withdraw.html", item=shown, form=form)


# --- publishing ------------------------------------------------------------------------------


def _form_for(source: PublishSource) -> PublishForm:
    form = PublishForm()
    form.theme_ids.choices = [SelectChoice(theme.id, theme.name) for theme in services.source_themes(source)]
    return form


def _draft(form: PublishForm) -> Draft:
    def text(value: str | None) -> str:
        return (value or "").replace("\r\n", "\n")

    return Draft(title=text(form.title.data), body=text(form.body.data), theme_ids=list(form.theme_ids.data or []))


def _problem(source: PublishSource) -> str | None:
    try:
        services.check_publishable(source)
    except PublishError as error:
        return str(error)
    return None


def _show_error(form: PublishForm, error: PublishError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def _edit_page(source: PublishSource, form: PublishForm, *, found: PersonalDataFound | None = None):  # noqa: ANN202
    return render_template("library/publish.html", source=source, form=form, found=found, problem=_problem(source))


@bp.route(PUBLISH_URL, methods=["GET", "POST"])
@require(LEAD_REVIEWER, PUBLISH)
def publish_form(kind: str, source_id: int):
    """The draft: prefilled from the source on GET; a POST (back from the preview) keeps what was typed."""
    source = current_source()
    form = _form_for(source)
    if request.method == "GET":
        draft = services.draft_from(source)
        form.title.data, form.body.data, form.theme_ids.data = draft.title, draft.body, draft.theme_ids
    return _edit_page(source, form)


@bp.route(PUBLISH_URL + "/preview", methods=["POST"])
@require(LEAD_REVIEWER, PUBLISH)
def preview(kind: str, source_id: int):
    source = current_source()
    form = _form_for(source)
    if _problem(source) is None and form.validate_on_submit():
        draft, confirming = _draft(form), request.form.getlist("confirm_pseudonym")
        try:
            services.check_text(source, draft, actor=current_user, confirming=confirming)
        except PersonalDataFound as found:
            return _edit_page(source, form, found=found)
        except PublishError as error:
            _show_error(form, error)
        else:
            return render_template("library/preview.html", source=source, form=form, confirming=confirming,
                                   item=services.projection(source, draft, actor=current_user))
    return _edit_page(source, form)


@bp.route(PUBLISH_URL + "/confirm", methods=["POST"])
@require(LEAD_REVIEWER, PUBLISH)
def confirm(kind: str, source_id: int):
    source = current_source()
    form = _form_for(source)
    if _problem(source) is None and form.validate_on_submit():
        try:
            published = services.publish(source, _draft(form), actor=current_user,
                                         confirming=request.form.getlist("confirm_pseudonym"))
        except PersonalDataFound as found:
            return _edit_page(source, form, found=found)
        except PublishError as error:
            _show_error(form, error)
        else:
            flash(_("Gepubliceerd in de bibliotheek. Reviewers en beleidseigenaren in alle regio's kunnen het nu "
                    "vinden."), "success")
            return redirect(url_for("library.item", item_id=published.id))
    return _edit_page(source, form)


# --- on the source's own page ----------------------------------------------------------------


@dataclass(frozen=True)
class LibraryStatus:
    item: LibraryItem | None
    item_url: str | None = None  # set when this person may read the library
    publish_url: str | None = None  # set when this person may publish it now


@bp.app_template_global("library_status")
def library_status(*, lesson=None, finding=None) -> LibraryStatus:  # noqa: ANN001
    """For the lesson or finding page: is it in the library, and may this person publish it?

    Composed here, not in lessons or findings, which come earlier in the loop. A few queries:
    for one lesson or finding page, not for lists.
    """
    kind, source_id = (SourceKind.LESSON, lesson.id) if lesson is not None else (SourceKind.FINDING, finding.id)
    published = services.published_item_for(**{f"{kind.value}_id": source_id})
    if published is not None:
        readable = any(current_user.has_role(name) for name in READERS.roles)
        return LibraryStatus(item=published, item_url=url_for("library.item", item_id=published.id) if readable else None)
    if not current_user.has_role("reviewer"):
        return LibraryStatus(item=None)
    source = publish_source(current_user, kind.value, source_id)
    if source is None or not source.is_lead or _problem(source) is not None:
        return LibraryStatus(item=None)
    return LibraryStatus(item=None, publish_url=url_for("library.publish_form", kind=kind.value, source_id=source_id))
