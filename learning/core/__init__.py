"""Pages that belong to no single step of the loop: home, dashboard, language, health."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from learning.core import views  # noqa: E402,F401  (registers the routes)
