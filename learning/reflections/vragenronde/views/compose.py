"""Views: the facilitator composes the bloemlezing (introduction) and publishes, withdraws or re-renders it."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user

from learning.i18n import _
from learning.mail import external_url
from learning.permissions import require
from learning.reflections import bp
from learning.reflections import vragenronde as service
from learning.reflections.models import AnthologyVisibility
from learning.reflections.vragenronde import VragenrondeError, bloemlezing
from learning.reflections.vragenronde.forms import IntroductionForm, PublishForm
from learning.reflections.vragenronde.views.common import VRAGENRONDE_EDIT, current_review, language, show_error
from learning.reflections.vragenronde.views.reading import member_pdf_links
from learning.reviews.access import current_access

COMPOSE_PAGE = "vragenronde/compose.html"


def _compose_page(*, intro_form: IntroductionForm | None = None, publish_form: PublishForm | None = None):
    review = current_review()
    anthology = service.anthology_of(review)
    if intro_form is None:
        intro_form = IntroductionForm(formdata=None, prefix="anthology",
                                      data={"introduction": anthology.introduction if anthology else ""})
    if publish_form is None:
        current = anthology.visibility if service.is_published(anthology) else AnthologyVisibility.MEMBERS
        publish_form = PublishForm(formdata=None, data={"visibility": current})
    public_url = (external_url("vragenronde.public_bloemlezing", token=anthology.public_token)
                  if anthology is not None and anthology.visibility == AnthologyVisibility.PUBLIC and anthology.public_token else None)
    return render_template(
        COMPOSE_PAGE, access=current_access(), review=review, anthology=anthology,
        published=service.is_published(anthology), sections=bloemlezing.sections(review), intro_form=intro_form,
        publish_form=publish_form, public_url=public_url, pdf=member_pdf_links(review, anthology),
    )


def _back_to_compose() -> Response:
    return redirect(url_for("reflections.vragenronde_compose", review_id=current_review().id))


@bp.route("/vragenronde/bloemlezing")
@require(VRAGENRONDE_EDIT)
def vragenronde_compose(review_id: int):
    return _compose_page()


@bp.route("/vragenronde/bloemlezing/introduction", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_anthology_introduction(review_id: int):
    form = IntroductionForm(prefix="anthology")
    if form.validate_on_submit():
        try:
            service.set_anthology_introduction(current_review(), form.introduction.data, actor=current_user)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            flash(_("De inleiding is opgeslagen."), "success")
            return _back_to_compose()
    return _compose_page(intro_form=form)


@bp.route("/vragenronde/bloemlezing/publish", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_publish(review_id: int):
    form = PublishForm()
    if form.validate_on_submit():
        try:
            anthology = service.publish_anthology(current_review(), form.visibility.data, actor=current_user,
                                                  language=language())
        except VragenrondeError as error:
            show_error(form, error)
        else:
            flash(_("De bloemlezing is openbaar gepubliceerd; deel de link.") if anthology.visibility == AnthologyVisibility.PUBLIC
                  else _("De bloemlezing is gepubliceerd voor de leden."), "success")
            return _back_to_compose()
    return _compose_page(publish_form=form)


@bp.route("/vragenronde/bloemlezing/unpublish", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_unpublish(review_id: int):
    service.unpublish_anthology(current_review(), actor=current_user)
    flash(_("De bloemlezing is niet meer gepubliceerd; de openbare link werkt niet meer."), "success")
    return _back_to_compose()


@bp.route("/vragenronde/bloemlezing/pdf", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_render_pdf(review_id: int):
    try:
        service.rerender_pdf(current_review(), actor=current_user, language=language())
    except VragenrondeError as error:
        flash(str(error), "error")
    else:
        flash(_("De PDF wordt opnieuw gemaakt."), "success")
    return _back_to_compose()
