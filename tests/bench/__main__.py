"""Load benchmarks: ``make bench`` (or ``python -m tests.bench --help``).

Seeds a throw-away database, serves the app with gunicorn on loopback exactly as in production
(LMI_ENV=production, sync workers), serves a bare Flask app beside it with the same settings,
and drives both with wrk. Figures come from one run on one machine, so they compare within the
run; absolute numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
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


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(name: str, url: str, *, cookie: str | None, seconds: int, connections: int) -> Result:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    base = ["wrk", "-t2", f"-c{connections}", "--latency", *headers, url]
    subprocess.run([*base[:1], "-d2s", *base[1:]], capture_output=True, check=True)  # warm up
    output = subprocess.run([*base[:1], f"-d{seconds}s", *base[1:]], capture_output=True, text=True,
                            check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return Result(name, url.split("/", 3)[-1], rate, p50, p99, int(errors.group(1)) if errors else 0)


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


def prepare(url: str, work: Path, scale: dict[str, int]) -> tuple[dict[str, str], str, dict]:
    env = {**os.environ, "LMI_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": url,
           "MAIL_OUTBOX_DIR": str(work / "outbox"), "INSTANCE_PATH": str(work), "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    os.environ.update({key: env[key] for key in ("LMI_ENV", "SECRET_KEY", "DATABASE_URL", "INSTANCE_PATH")})
    from flask_migrate import upgrade

    from learning import create_app
    from tests.bench.seed import seed_reviews

    app = create_app()
    with app.app_context():
        upgrade()
        started = time.monotonic()
        ids = seed_reviews(**scale)
        print(f"seeded {scale} in {time.monotonic() - started:.1f}s", flush=True)
    cookie_value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": f"{ids['lead_id']}:{ids['lead_token']}", "_fresh": True})
    return env, f"{app.config['SESSION_COOKIE_NAME']}={cookie_value}", ids


def run_reviews(args: argparse.Namespace) -> list[Result]:
    scale = {"reviews": args.reviews, "members_per_review": 20, "episodes_per_review": 30}
    work = Path(tempfile.mkdtemp(prefix="lmi-bench-"))
    try:
        with database(args.database, work) as url:
            env, cookie, ids = prepare(url, work, scale)
            results = []
            with gunicorn("tests.bench.bare_app:app", env, args.workers, PROJECT) as port:
                wait_until_up(f"http://127.0.0.1:{port}/bare")
                results.append(wrk("bare Flask, 50-row Jinja page", f"http://127.0.0.1:{port}/bare", cookie=None,
                                   seconds=args.seconds, connections=args.connections))
            with gunicorn("app:app", env, args.workers, PROJECT) as port:
                wait_until_up(f"http://127.0.0.1:{port}/healthz")
                for name, path in (("dashboard (page 1 of 50)", "/dashboard"),
                                   ("review page", f"/reviews/{ids['review_id']}"),
                                   ("timeline page", f"/reviews/{ids['review_id']}/timeline")):
                    results.append(wrk(name, f"http://127.0.0.1:{port}{path}", cookie=cookie, seconds=args.seconds,
                                       connections=args.connections))
            return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(results: list[Result], args: argparse.Namespace) -> None:
    bare = results[0]
    print(f"\nLeren met Impact benchmark: {args.database}, gunicorn -w {args.workers} (sync), "
          f"wrk -c{args.connections} -d{args.seconds}s, {os.cpu_count()} CPUs, {args.reviews} reviews × 20 members "
          f"× 30 episodes\n")
    print(f"{'page':34} {'req/s':>9} {'× bare':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in results:
        print(f"{result.name:34} {result.requests_per_second:9.1f} {result.requests_per_second / bare.requests_per_second:7.2f}"
              f" {result.p50_ms:8.1f} {result.p99_ms:8.1f} {result.errors:7d}")
    review = next(result for result in results if result.name == "review page")
    ratio = review.requests_per_second / bare.requests_per_second
    print(f"\ngoal: review page >= 0.5 × bare throughput: {ratio:.2f} {'met' if ratio >= 0.5 else 'NOT met'}; "
          f"p99 <= 50 ms: {review.p99_ms:.1f} ms {'met' if review.p99_ms <= 50 else 'NOT met'}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(result) for result in results], indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs Debian's wrk package")
    report(run_reviews(args), args)


if __name__ == "__main__":
    main()
