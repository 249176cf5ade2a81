"""What every benchmark scenario shares: a throw-away database, a migrated and seeded app, gunicorn on loopback."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
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


# wrk cycles through several URLs with this script (one connection's requests go round the list).
MIX_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(name: str, port: int, paths: list[str], *, cookie: str | None, seconds: int, connections: int,
        work: Path | None = None, warm_up: int = 2, timeout: str | None = None) -> Result:
    """Load ``paths`` on the loopback port with wrk (one path, or a mix through a Lua script) after a warm-up.

    Non-2xx answers and socket errors (timeouts included) count as errors.
    """
    target = [f"http://127.0.0.1:{port}{paths[0]}"]
    if len(paths) > 1:
        script = (work or Path(tempfile.mkdtemp(prefix="lmi-wrk-"))) / "mix.lua"
        script.write_text(MIX_SCRIPT % ", ".join(f'"{path}"' for path in paths))
        target = ["-s", str(script), f"http://127.0.0.1:{port}"]
    options = ["-t2", f"-c{connections}", "--latency", *(["--timeout", timeout] if timeout else []),
               *(["-H", f"Cookie: {cookie}"] if cookie else []), *target]
    subprocess.run(["wrk", f"-d{warm_up}s", *options], capture_output=True, check=True)
    output = subprocess.run(["wrk", f"-d{seconds}s", *options], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    dropped = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(failed.group(1)) if failed else 0) + (sum(map(int, dropped.groups())) if dropped else 0)
    return Result(name, paths[0] if len(paths) == 1 else f"{len(paths)} URLs", rate, p50, p99, errors)

