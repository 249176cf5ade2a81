"""Entry point for `flask` and gunicorn (`gunicorn app:app`)."""

import sys

from learning import ConfigError, DatabaseUnavailable, create_app

try:
    app = create_app()
except (ConfigError, DatabaseUnavailable) as error:
    sys.exit(f"Leren met Impact cannot start: {error}")
