"""What each of a leaver's requests costs the app in CPU, in-process: a figure that holds
on a busy machine, where the wall-clock figures of bench/survey_submit.py do not.

Seeds the same survey and leavers as bench/survey_submit.py on a PostgreSQL database of its
own, then plays each leaver through Flask's test client against the app configured as that
bench serves it (Redis for the limiter and the jobs): open the link, the page, the submit,
the thank-you page. Prints, per request of each step, the process's CPU time (the median and
the lowest of several rounds: other load only ever adds to it), the CPU time of the
PostgreSQL backend that served it (read from /proc when the server runs on this machine),
the SQL statements sent (the tenant's row-level-security settings and the pool's ping not
counted) and the Redis commands and pipelines. The test client's own work is counted too, a
few tenths of a millisecond per request.

    .venv/bin/python bench/leaver_cpu.py [leavers_per_round [rounds]]
"""

import argparse
import os
import random
import statistics
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.survey_submit import (  # noqa: E402
    CSRF_FIELD,
    LEAVER_STEPS,
    app_env,
    bench_database,
    sample_answers,
    seed_leavers,
)

WARM_UP = 20


class Counts:
    """CPU seconds, statements and Redis round trips, per step."""

    def __init__(self):
        self.cpu, self.database_cpu = Counter(), Counter()
        self.sql, self.redis = Counter(), Counter()
        self.step = None
        self.backends = set()  # the process ids of the PostgreSQL backends the app used

    def count_sql(self, cursor) -> None:
        self.sql[self.step] += 1
        self.backends.add(cursor.connection.info.backend_pid)

    def backend_cpu(self) -> float | None:
        """Seconds of CPU the backends have used so far (Linux's scheduler statistics, to
        the nanosecond); None when the server does not run on this machine."""
        try:
            nanoseconds = sum(
                int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) for pid in self.backends
            )
        except (OSError, ValueError, IndexError):
            return None
        return nanoseconds / 1e9

    def count_redis(self, method):
        def counted(client, *args, **kwargs):
            self.redis[self.step] += 1
            return method(client, *args, **kwargs)

        return counted


def play(app, counts: Counts, token: str, answers: dict) -> None:
    client = app.test_client()

    def timed(step, send):
        counts.step = step
        start, database_start = time.process_time(), counts.backend_cpu()
        response = send()
        counts.cpu[step] += time.process_time() - start
        database_end = counts.backend_cpu()
        if database_start is not None and database_end is not None:
            counts.database_cpu[step] += database_end - database_start
        counts.step = None
        return response

    opened = timed("open", lambda: client.get(f"/s/{token}"))
    assert opened.status_code == 303, opened.status_code
    page = timed("page", lambda: client.get(urllib.parse.urlsplit(opened.location).path))
    assert page.status_code == 200, page.status_code
    form = {"csrf_token": CSRF_FIELD.search(page.get_data(as_text=True)).group(1)}
    form |= {"language": "nl"} | {f"answer_{key}": value for key, value in answers.items()}
    sent = timed("submit", lambda: client.post("/s/submit", data=form))
    assert sent.status_code == 303, sent.status_code
    thanks = timed("thanks", lambda: client.get(sent.location))
    assert thanks.status_code == 200, thanks.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("leavers_per_round", nargs="?", type=int, default=50)
    parser.add_argument("rounds", nargs="?", type=int, default=5)
    args = parser.parse_args()
    with bench_database() as database_url:
        tokens = seed_leavers(database_url, WARM_UP + args.leavers_per_round * args.rounds)
        os.environ.update(app_env(database_url))
        from service import create_app
        from service.extensions import db

        app = create_app()
        counts = Counts()
        with app.app_context():
            sa.event.listen(
                db.engine,
                "before_cursor_execute",
                lambda _connection, cursor, *_: counts.count_sql(cursor),
            )
        redis.Redis.execute_command = counts.count_redis(redis.Redis.execute_command)
        redis.client.Pipeline.execute = counts.count_redis(redis.client.Pipeline.execute)
        rng = random.Random(1)
        for token in tokens[:WARM_UP]:
            play(app, counts, token, sample_answers(rng))
        rounds, database_rounds, n = [], [], args.leavers_per_round
        for first in range(WARM_UP, len(tokens), n):
            counts.cpu, counts.database_cpu = Counter(), Counter()
            counts.sql, counts.redis = Counter(), Counter()
            for token in tokens[first : first + n]:
                play(app, counts, token, sample_answers(rng))
            rounds.append(counts.cpu)
            database_rounds.append(counts.database_cpu)
        with app.app_context():
            db.engine.dispose()
    print(f"{n} leavers x {args.rounds} rounds, in-process; per request:")
    for label, steps in [(step, (step,)) for step in LEAVER_STEPS] + [("survey", LEAVER_STEPS)]:
        cpu = sorted(sum(r[step] for step in steps) / n * 1000 for r in rounds)
        database = sorted(sum(r[step] for step in steps) / n * 1000 for r in database_rounds)
        sql = sum(counts.sql[step] for step in steps) / n
        calls = sum(counts.redis[step] for step in steps) / n
        print(
            f"  {label:<7} CPU median {statistics.median(cpu):6.2f} ms  lowest {cpu[0]:6.2f} ms"
            f"   PostgreSQL median {statistics.median(database):5.2f} ms"
            f"   SQL {sql:.0f}  Redis {calls:.0f}"
        )


if __name__ == "__main__":
    main()
