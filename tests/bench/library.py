"""Load benchmark for the library search: 100,000 published items, searched with a mix of queries and filters.

Seeds in bulk with SQLAlchemy core: Dutch sentences built from a small vocabulary, stemmed as
publishing stems them; the database fills its own index (FTS5 triggers on SQLite, the generated
tsvector column on PostgreSQL). Serves the app with gunicorn as the other scenarios do and drives
it with wrk and a Lua script that cycles through the mix. Before the load, each URL is timed
alone (median of a few sequential requests), which shows which query the tail comes from.

    python -m tests.bench --scenario library [--database postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from tests.bench.server import PROJECT, Result, database, gunicorn, prepare, session_cookie, wait_until_up, wrk

ITEMS = 100_000
REGIONS = 12
THEMES = 60
FINDING_SHARE = 0.2
SPREAD_DAYS = 3 * 365
CHUNK = 10_000
# Besides the scenario's usual 16 connections: a lighter load, where latency is service time rather
# than waiting in line (with a closed loop of N clients, latency is about N / throughput).
LIGHT_LOAD = 4

TOPICS = ("Regie bij crisis", "Samenwerking in de keten", "Eén gezin, één plan", "Signalen delen",
          "Veiligheid van het kind", "Het perspectief van het gezin", "Overdracht tussen organisaties",
          "Wachtlijsten en crisis", "Informatie delen", "Betrokkenheid van vaders", "Ouders als partner",
          "Het netwerk van het gezin", "Escalatie bij zorgen", "Afspraken nakomen", "Een veiligheidsplan maken",
          "Huiselijk geweld herkennen", "Onderwijs en jeugdhulp", "Zorg na de uithuisplaatsing")
ACTORS = ("het wijkteam", "Veilig Thuis", "de gezinsvoogd", "de school", "de huisarts", "de politie",
          "de Raad voor de Kinderbescherming", "de gecertificeerde instelling", "de GGZ-behandelaar",
          "de jeugdarts", "de gemeente", "het regionale veiligheidsteam", "de verslavingszorg",
          "de pleegzorgbegeleider", "de leerplichtambtenaar")
VERBS = ("deelde", "miste", "besprak", "onderschatte", "herkende", "signaleerde", "coördineerde", "legde vast",
         "vroeg naar", "wachtte op", "zocht", "regelde", "evalueerde", "vergat", "bewaakte", "verduidelijkte")
OBJECTS = ("de zorgen over de veiligheid", "het veiligheidsplan", "de signalen van huiselijk geweld", "de regie",
           "de afspraken", "het perspectief van het kind", "de informatie", "een gezamenlijk plan",
           "de overdracht", "de crisisinterventie", "de wachtlijst", "de hulpvraag van het gezin",
           "de rol van de vader", "de zorgmelding", "de risicotaxatie", "de stem van de jongere")
WHEN = ("na de verhuizing", "tijdens de crisis", "bij de overdracht", "in het multidisciplinair overleg",
        "te laat", "zonder overleg", "in de eerste week", "op verzoek van de ouders", "na de melding",
        "bij de uithuisplaatsing", "in de zomervakantie", "voor de zitting", "na de scheiding")
LESSONS = ("Spreek bij de start af wie de regie heeft.", "Betrek het gezin bij elk besluit over het plan.",
           "Deel zorgen direct met de andere organisaties.", "Leg afspraken vast en controleer of ze werken.",
           "Gezinnen willen één aanspreekpunt en één plan.", "Wat werkte: de organisaties hebben goed samengewerkt.",
           "Samenwerken lukt beter met korte lijnen tussen de professionals.",
           "Vraag expliciet naar het perspectief van kinderen en jongeren.")


def sentence(rng: random.Random) -> str:
    actor, other = rng.sample(ACTORS, 2)
    shape = rng.randrange(4)
    if shape == 0:
        text = f"{actor} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}."
    elif shape == 1:
        text = f"de samenwerking tussen {actor} en {other} stokte {rng.choice(WHEN)}."
    elif shape == 2:
        text = f"{actor} en {other} {rng.choice(VERBS)} {rng.choice(OBJECTS)}."
    else:
        text = rng.choice(LESSONS)
    return text[0].upper() + text[1:]


def _insert_returning_ids(table: Any, rows: list[dict[str, Any]]) -> list[int]:
    import sqlalchemy as sa

    from learning.db import db

    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        ids += db.session.scalars(sa.insert(table).returning(table.id), rows[start:start + CHUNK]).all()
    return ids


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    import sqlalchemy as sa

    from learning.db import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[start:start + CHUNK])


def seed_library(*, items: int = ITEMS, seed: int = 6) -> dict[str, Any]:
    """A reader (a reviewer, MFA done) and ``items`` published items; returns what the URL mix needs."""
    import sqlalchemy as sa

    from learning.admin.models import Region, TaxonomyTerm
    from learning.auth.models import User, UserRole
    from learning.db import db, utcnow
    from learning.findings.library.models import LibraryItem, library_item_principles, library_item_themes
    from learning.findings.library.search import index_terms
    from learning.lessons.models import Theme

    rng = random.Random(seed)
    now = utcnow()
    terms: dict[str, list[int]] = {}
    for term in db.session.scalars(sa.select(TaxonomyTerm).order_by(TaxonomyTerm.position)):
        terms.setdefault(term.vocabulary, []).append(term.id)
    region_ids = _insert_returning_ids(Region, [{"name": f"Regio Bibliotheek {n}", "created_at": now}
                                                for n in range(REGIONS)])
    theme_ids = _insert_returning_ids(Theme, [{"name": f"Thema {n}", "key": f"thema {n}", "created_at": now}
                                              for n in range(THEMES)])
    [reader_id] = _insert_returning_ids(User, [{
        "email": "bench-bibliotheek@example.org", "display_name": "Bench Lezer", "preferred_language": "nl",
        "active": True, "created_at": now, "session_token": "bench-token-bibliotheek", "password_hash": None,
        "mfa_enabled_at": now, "totp_secret": "B" * 32}])
    db.session.execute(sa.insert(UserRole), [{"user_id": reader_id, "role": "reviewer"}])

    rows = []
    # Oldest first: ids are handed out as items are published, so id order is publication order.
    for published in sorted(now - timedelta(days=rng.uniform(0, SPREAD_DAYS)) for _ in range(items)):
        finding = rng.random() < FINDING_SHARE
        title = f"{rng.choice(TOPICS)} {rng.choice(WHEN)}"
        body = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
        rows.append({
            "source_kind": "finding" if finding else "lesson", "title": title, "body": body,
            "review_kind": rng.choice(("casusreview", "casusreview", "intervisie")),
            "region_id": None if finding and rng.random() < 0.3 else rng.choice(region_ids),
            "year": published.year, "level_id": rng.choice(terms["level"]),
            "finding_type_id": rng.choice(terms["finding_type"]) if finding else None,
            "polarity": None if finding else rng.choice(("works", "improve")),
            "search_title": index_terms(title), "search_body": index_terms(body),
            "published_at": published, "withdrawal_reason": ""})
    item_ids = _insert_returning_ids(LibraryItem, rows)
    # Themes are free tags: a few recur everywhere, most are rare.
    weights = [1 / (rank + 1) for rank in range(THEMES)]
    _insert(library_item_themes, [{"item_id": item_id, "theme_id": theme_id} for item_id in item_ids
                                  for theme_id in set(rng.choices(theme_ids, weights=weights, k=rng.randint(1, 3)))])
    _insert(library_item_principles, [{"item_id": item_id, "term_id": term_id} for item_id in item_ids
                                      for term_id in rng.sample(terms["principle"], rng.randint(1, 2))])
    withdrawn = item_ids[::100]  # one in a hundred withdrawn: excluded, and must not slow the rest
    db.session.execute(sa.update(LibraryItem).where(LibraryItem.id.in_(withdrawn)).values(
        withdrawn_at=now, search_title="", search_body="", withdrawal_reason="bench"))
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # What autovacuum would have done by the time 100,000 items were published: GIN pending list
        # merged, statistics for the planner.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE library_items"))
            connection.execute(sa.text("ANALYZE"))
    return {"reader_id": reader_id, "token": "bench-token-bibliotheek", "regions": region_ids, "themes": theme_ids,
            "terms": terms, "items": len(item_ids), "item_id": item_ids[len(item_ids) // 2 + 1]}


def url_mix(seeded: dict[str, Any]) -> list[str]:
    """Searches people would run: browsing, one word in any inflection, several words, filters, rare and odd input."""
    terms, regions, themes = seeded["terms"], seeded["regions"], seeded["themes"]
    return [
        "/library",
        "/library?q=samenwerking",
        "/library?q=gezin",
        "/library?q=regie+crisis",
        "/library?q=veiligheidsplan&sort=date",
        "/library?q=signalen+huiselijk+geweld",
        f"/library?q=school&region_id={regions[0]}",
        f"/library?theme_id={themes[0]}",
        f"/library?q=gezinnen&level_id={terms['level'][3]}&principle_id={terms['principle'][0]}",
        f"/library?q=overdracht&kind=finding&finding_type_id={terms['finding_type'][0]}",
        f"/library?q=samengewerkt&page=5&theme_id={themes[2]}",
        "/library?q=huisarts+politie+wijkteam+jeugdarts",
        "/library?q=zzonbekendwoord",
        "/library?q=" + quote_plus('"NEAR( AND * -gezin'),
        f"/library/{seeded['item_id']}",
    ]





def alone(port: int, paths: list[str], cookie: str, repeat: int = 7) -> list[tuple[str, float]]:
    """Each URL on its own, sequentially: the median milliseconds of ``repeat`` requests."""
    timings = []
    for path in paths:
        samples = []
        for _ in range(repeat):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
                response.read()
                if response.status != 200:
                    raise SystemExit(f"{path} answered {response.status}")
            samples.append((time.perf_counter() - started) * 1000)
        timings.append((path, statistics.median(samples)))
    return timings


# Each search as it was before the cache (LIBRARY_CACHE_SIZE=0: every request a miss, plus nothing) and as
# deployed. wrk's warm-up lets every worker see every URL once, so the cached lines are the steady state
# between two changes to the library; after a publication or withdrawal each process misses once per
# search, at the cost of the uncached line.
CACHE_SETTINGS = (("no cache", "0"), ("cache", "256"))
# A last line with the library changing every CHANGE_EVERY seconds during the load (far more often than people
# publish): after each change every process misses once per URL of the mix.
CHANGE_EVERY = 1.0


@contextmanager
def changing_library(url: str, item_id: int, every: float):  # noqa: ANN201
    """Touch one item every ``every`` seconds from another connection (the triggers raise the generation)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    stop, changes = threading.Event(), []

    def change() -> None:
        while not stop.wait(every):
            with engine.begin() as connection:
                connection.execute(sa.text("UPDATE library_items SET year = year WHERE id = :id"), {"id": item_id})
            changes.append(time.monotonic())

    worker = threading.Thread(target=change, daemon=True)
    worker.start()
    try:
        yield changes
    finally:
        stop.set()
        worker.join()
        engine.dispose()


def run_library(args: argparse.Namespace) -> tuple[list[Result], dict[str, list[tuple[str, float]]], tuple[float, ...]]:
    """The figures, and the machine's load average before we started (others' work skews them)."""
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="lmi-bench-library-"))
    try:
        with database(args.database, work) as url:
            env, app, seeded = prepare(url, work, lambda: seed_library(items=getattr(args, "items", ITEMS)))
            print(f"{seeded['items']} library items", flush=True)
            cookie = session_cookie(app, seeded["reader_id"], seeded["token"])
            paths = url_mix(seeded)
            results, timings = [], {}
            for setting, size in CACHE_SETTINGS:
                with gunicorn("app:app", {**env, "LIBRARY_CACHE_SIZE": size}, args.workers, PROJECT) as port:
                    wait_until_up(f"http://127.0.0.1:{port}/healthz")
                    alone(port, paths, cookie, repeat=2)  # every worker has run every query once
                    timings[setting] = alone(port, paths, cookie)
                    results += [wrk(f"{setting}, {connections} clients", port, paths, cookie=cookie,
                                    seconds=args.seconds, connections=connections, work=work)
                                for connections in sorted({LIGHT_LOAD, args.connections})]
                    if size != "0":
                        with changing_library(url, seeded["item_id"], CHANGE_EVERY) as changes:
                            result = wrk(f"{setting}, {args.connections} clients, changes", port, paths, cookie=cookie,
                                         seconds=args.seconds, connections=args.connections, work=work)
                        results.append(result)
                        print(f"{len(changes)} changes to the library during the last load", flush=True)
            return results, timings, load_before
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_library(outcome: tuple[list[Result], dict[str, list[tuple[str, float]]], tuple[float, ...]],
                   args: argparse.Namespace) -> None:
    results, timings, load_before = outcome
    print(f"\nLibrary search: {args.database}, gunicorn -w {args.workers} (sync), wrk -d{args.seconds}s, "
          f"{os.cpu_count()} CPUs (load average before the run {load_before[0]:.1f}), "
          f"{getattr(args, 'items', ITEMS)} published items\n")
    settings = list(timings)
    print(f"{'each URL alone (median of 7), ms':64}" + "".join(f" {setting:>9}" for setting in settings))
    for index, (path, _) in enumerate(timings[settings[0]]):
        print(f"{path[:64]:64}" + "".join(f" {timings[setting][index][1]:9.1f}" for setting in settings))
    print(f"\n{'load':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in results:
        print(f"{result.name:34} {result.requests_per_second:9.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
              f"{result.errors:7d}")
    print(f"(changes: the library changed every {CHANGE_EVERY:.0f} s during that load, from another connection)\n")
    for result in results:
        if result.name.startswith(CACHE_SETTINGS[-1][0]):
            print(f"goal: p99 <= 100 ms with {result.name}: {result.p99_ms:.1f} ms "
                  f"{'met' if result.p99_ms <= 100 and result.errors == 0 else 'NOT met'}")
