"""What every benchmark scenario shares: a throw-away database, a migrated and seeded app, gunicorn on loopback."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass
class Result:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int, chdir: Path):  # noqa: ANN201
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=chdir, env=env,
    )
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextmanager
def database(kind: str, work: Path):  # noqa: ANN201
    if kind == "sqlite":
        yield f"sqlite:///{work / 'bench.db'}"
        return
    name = f"lmi_bench_{os.getpid()}"
    admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    subprocess.run([*admin, f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def prepare(url: str, work: Path, seed) -> tuple[dict[str, str], object, dict]:  # noqa: ANN001
    """Migrate a fresh database, run ``seed()`` in an app context; returns env, the app and what seed returned."""
    env = {**os.environ, "LMI_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": url,
           "MAIL_OUTBOX_DIR": str(work / "outbox"), "INSTANCE_PATH": str(work), "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    os.environ.update({key: env[key] for key in ("LMI_ENV", "SECRET_KEY", "DATABASE_URL", "INSTANCE_PATH")})
    from flask_migrate import upgrade

    from learning import create_app

    app = create_app()
    with app.app_context():
        upgrade()
        started = time.monotonic()
        seeded = seed()
        print(f"seeded in {time.monotonic() - started:.1f}s", flush=True)
    return env, app, seeded


def session_cookie(app, user_id: int, token: str) -> str:  # noqa: ANN001
    value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": f"{user_id}:{token}", "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"
