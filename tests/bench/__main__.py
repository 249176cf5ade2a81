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
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from tests.bench.server import PROJECT, Result, database, gunicorn, prepare, session_cookie, wait_until_up, wrk


def run_reviews(args: argparse.Namespace) -> list[Result]:
    from tests.bench.seed import seed_reviews

    scale = {"reviews": args.reviews, "members_per_review": 20, "episodes_per_review": 30}
    work = Path(tempfile.mkdtemp(prefix="lmi-bench-"))
    try:
        with database(args.database, work) as url:
            env, app, ids = prepare(url, work, lambda: seed_reviews(**scale))
            cookie = session_cookie(app, ids["lead_id"], ids["lead_token"])
            results = []
            with gunicorn("tests.bench.bare_app:app", env, args.workers, PROJECT) as port:
                wait_until_up(f"http://127.0.0.1:{port}/bare")
                results.append(wrk("bare Flask, 50-row Jinja page", port, ["/bare"], cookie=None,
                                   seconds=args.seconds, connections=args.connections))
            with gunicorn("app:app", env, args.workers, PROJECT) as port:
                wait_until_up(f"http://127.0.0.1:{port}/healthz")
                for name, path in (("dashboard (page 1 of 50)", "/dashboard"),
                                   ("review page", f"/reviews/{ids['review_id']}"),
                                   ("timeline page", f"/reviews/{ids['review_id']}/timeline")):
                    results.append(wrk(name, port, [path], cookie=cookie, seconds=args.seconds,
                                       connections=args.connections))
            return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


PHASE_EVERY = 3.0  # about a dozen phase changes per run, so the p95 means something


def run_live(args: argparse.Namespace) -> list:
    from tests.bench import live

    results = []
    for participants in args.participants:
        work = Path(tempfile.mkdtemp(prefix="lmi-bench-live-"))
        try:
            with database(args.database, work) as url:
                env, app, seeded = prepare(url, work, lambda: live.seed(participants))  # noqa: B023
                participant_cookies, lead_cookie, csrf = live.cookies(app, seeded)
                with gunicorn("app:app", env, args.workers, PROJECT) as port:
                    wait_until_up(f"http://127.0.0.1:{port}/healthz")
                    results.append(live.measure(
                        port, review_id=seeded["review_id"], meeting_id=seeded["meeting_id"],
                        participant_cookies=participant_cookies, lead_cookie=lead_cookie, csrf=csrf,
                        seconds=max(args.seconds, 40), every=PHASE_EVERY,
                        agenda_items=seeded["agenda_items"]))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return results


def report_live(results: list, args: argparse.Namespace) -> None:
    from learning.reflections.live_views import POLL_SECONDS

    print(f"\nLive meeting: {args.database}, gunicorn -w {args.workers} (sync), a poll per participant every "
          f"{POLL_SECONDS} s, a phase change every {PHASE_EVERY:.0f} s for 40 s\n")
    print(f"{'participants':>12} {'polls':>7} {'304s':>6} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'changes':>8} {'seen by all p95 ms':>19} {'max ms':>8}")
    for result in results:
        print(f"{result.participants:12d} {result.polls:7d} {result.not_modified / max(result.polls, 1):6.0%} "
              f"{result.errors:7d} {result.p50_ms:8.1f} {result.p99_ms:8.1f} {result.changes:8d} "
              f"{result.propagation_p95_ms:19.0f} "
              f"{result.propagation_max_ms:8.0f}")
    largest = max(results, key=lambda result: result.participants, default=None)
    if largest is not None:
        met = largest.participants >= 200 and largest.propagation_p95_ms <= 1000 and largest.errors == 0
        print(f"\ngoal: 200 participants, phase changes seen by all within 1 s (p95), idle polls answered with 304: "
              f"{largest.participants} participants, {largest.propagation_p95_ms:.0f} ms, "
              f"{largest.not_modified / max(largest.polls, 1):.0%} 304s: {'met' if met else 'NOT met'}")


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
    parser.add_argument("--scenario", choices=("all", "reviews", "live", "answers", "library", "thematic", "briefs",
                                               "brief-load"), default="all")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--participants", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--json", help="also write the review figures to this file")
    parser.add_argument("--renders", type=int, default=20, help="warm PDF renders per variant (briefs)")
    args = parser.parse_args()
    if args.scenario != "briefs" and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs Debian's wrk package")
    if args.scenario in ("all", "reviews"):
        report(run_reviews(args), args)
    if args.scenario in ("all", "live"):
        report_live(run_live(args), args)
    if args.scenario in ("all", "answers"):
        from tests.bench.answers import report_answers, run_answers

        report_answers(run_answers(args), args)
    if args.scenario in ("all", "library"):
        from tests.bench.library import report_library, run_library

        report_library(run_library(args), args)
    if args.scenario in ("all", "thematic"):
        from tests.bench.thematic import report_thematic, run_thematic

        report_thematic(run_thematic(args), args)
    if args.scenario in ("all", "briefs"):
        from tests.bench.briefs import report_briefs, run_briefs

        report_briefs(run_briefs(args), args)
    if args.scenario in ("all", "brief-load"):
        from tests.bench.brief_load import report_brief_load, run_brief_load

        report_brief_load(run_brief_load(args), args)


if __name__ == "__main__":
    main()
