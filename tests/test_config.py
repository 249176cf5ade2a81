"""Settings from the environment, and clear one-line errors when the app cannot start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from learning.config import ConfigError, load_settings, normalise_database_url

PROJECT = Path(__file__).resolve().parent.parent


def test_development_defaults_are_embedded(tmp_path):
    settings = load_settings({}, tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'leren-met-impact.db'}"
    assert settings["MAIL_BACKEND"] == "outbox" and settings["REDIS_URL"] is None
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["SECRET_KEY"] == load_settings({}, tmp_path)["SECRET_KEY"]  # kept in the instance folder
    assert not settings["SESSION_COOKIE_SECURE"] and not settings["DEBUG"]


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_settings({"LMI_ENV": "production"}, tmp_path)
    with pytest.raises(ConfigError, match="too short"):
        load_settings({"LMI_ENV": "production", "SECRET_KEY": "kort"}, tmp_path)


def test_redis_url_moves_rate_limits_to_redis(tmp_path):
    settings = load_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"}, tmp_path)
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("name, value", [("LMI_ENV", "staging"), ("MAIL_BACKEND", "pigeon"), ("MAIL_PORT", "abc"),
                                         ("MAIL_USE_TLS", "misschien")])
def test_wrong_values_are_named(tmp_path, name, value):
    with pytest.raises(ConfigError):
        load_settings({name: value}, tmp_path)


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_get_the_psycopg_driver(url):
    assert normalise_database_url(url) == "postgresql+psycopg://u@h/db"


def run_app_import(tmp_path, **env):  # noqa: ANN001, ANN003, ANN201
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(INSTANCE_PATH=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", "import app"], cwd=PROJECT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_missing_secret_key_in_production_is_one_clear_line(tmp_path):
    result = run_app_import(tmp_path, LMI_ENV="production", SECRET_KEY="")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Leren met Impact cannot start: SECRET_KEY is not set. Production needs a long random value, for example "
        "the output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
    ]


def test_unreachable_database_is_one_clear_line(tmp_path):
    result = run_app_import(tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:1/nothing")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Leren met Impact cannot start: cannot reach the database at "
                           "postgresql+psycopg://postgres@127.0.0.1:1/nothing")
