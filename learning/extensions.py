"""Flask extensions, created once here and bound to the app in the factory."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect


def _client_address() -> str:
    # ProxyFix (configured in the factory) has already put the real client in remote_addr.
    return request.remote_addr or "unknown"


babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=_client_address, default_limits=[])
login_manager = LoginManager()
migrate = Migrate(compare_type=True, render_as_batch=True)
