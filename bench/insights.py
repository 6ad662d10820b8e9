"""How fast insights answer with many responses (issue 13, "Proof", last bullet).

On a PostgreSQL database of its own (created and dropped like the tests do;
TEST_DATABASE_URL names the server), beside the demo tenants and two other companies of
20,000 responses each, it generates a company ("bench-big") with 100,000 confidential
responses over the last 24 ended months and one ("bench-small") with 10,000: departments,
functions and locations of uneven sizes, seasonal months, coarse attributes, 10 answers
each (four ratings, eNPS, would come back, a yes/no, the main reason, free texts from the
labelled comments of tests/insights/labelled/ with their sentiment), 2–3 themes per
response weighted by department (a theme often raised twice in one response, by a low
rating and by the text), and departures (a response rate of about 60 %) and department
headcounts in proportion. Rows go straight into survey_responses, insight_feedback,
insight_answers and insight_tags with COPY: the reading itself (theme detection) is timed
on its own, as bench/theme_detection.py does, on one core (``detect_per_s``).

It then times, median of several runs after a warm-up:

- ``dashboard_ms``: every panel of the dashboard for the last 24 months (all 100,000
  responses; the period before, also queried, is empty), through
  ``service.insights.dashboard.build`` - server time. When the dashboard view exists
  (endpoint ``insights.index``, /t/<slug>/insights/) it is timed through the real app
  instead: a signed-in test client, routing, tenant resolver, permissions, template
  (``measured`` in the JSON says which);
- ``filtered_ms``: the same for the largest department only;
- ``dashboard_ms_small``: the full dashboard of the 10,000-response company, and
  ``linear_factor`` = dashboard_ms / dashboard_ms_small (10 would be linear growth);
- ``raw_sql_ms``: the same aggregates as one hand-written SQL per panel on the same
  tables, sent with psycopg; ``ratio`` = dashboard_ms / raw_sql_ms.

It asserts that the big company's figures count its own rows only (responses, theme
counts, departures and answers against per-tenant SQL, while the tables hold four other
tenants' rows). Goals: the full dashboard under 300 ms at 100,000 responses, growing no
faster than linearly, within 1.5x of the hand-written SQL; detection at 500 answers/s.
The last line is one JSON object.

Rows go in with COPY, around the application: the companies' monthly cells
(service/insights/rollup.py) are then counted once, as the application counts them when it
commits feedback.

Last run (3 December 2026, under load 2.4 from other work), through GET
/t/bench-big/insights/ with the patterns on the page, figures read off the monthly cells (19
statements): dashboard 138 ms, filtered 105 ms, 105 ms at 10,000 (linear_factor 1.3), raw
SQL over the rows 622 ms (ratio 0.22), detect_per_s 9,658: the goals are met. Before the
cells (quiet machine, load 1.2, the same day): dashboard 430 ms, filtered 374 ms, 167 ms at
10,000, raw SQL 1,110 ms.

    .venv/bin/python bench/insights.py [responses [small_responses]]

BENCH_KEEP=1 keeps the database afterwards (its URL is printed) for EXPLAIN ANALYZE.

(From a worktree other than the one the virtualenv was installed from: PYTHONPATH=. first.)
"""

import contextvars
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

# The labelled comments and the detection timing live beside this file and with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.theme_detection import detect_per_s  # noqa: E402
from service import create_app  # noqa: E402
from service.accounts.models import User  # noqa: E402
from service.accounts.passwords import hash_password  # noqa: E402
from service.config import TestConfig  # noqa: E402
from service.demo import seed_demo  # noqa: E402
from service.extensions import db  # noqa: E402
from service.insights import dashboard, filters, rollup  # noqa: E402
from service.insights.figures import Filter, add_months, month_start  # noqa: E402
from service.insights.models import theme_columns  # noqa: E402
from service.insights.thresholds import Thresholds  # noqa: E402
from service.surveys.demo import seed_tenant_templates  # noqa: E402
from service.surveys.document import QuestionRole, QuestionType, from_json  # noqa: E402
from service.surveys.models import TemplateVersion  # noqa: E402
from service.surveys.themes import THEME_KEYS  # noqa: E402
from service.tenancy import tenant_scope  # noqa: E402
from service.tenants.models import (  # noqa: E402
    Department,
    JobFunction,
    Location,
    Membership,
    Sector,
    Tenant,
    TenantRole,
)
from tests.insights.labelled_set import comments  # noqa: E402

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password"  # noqa: S105
GOAL_MS, GOAL_RATIO, GOAL_DETECT = 300, 1.5, 500
ROUNDS, WARM = 9, 2
DASHBOARD_ENDPOINT = "insights.index"  # /t/<slug>/insights/
MONTHS = 24
ANSWERS = 10
RESPONSE_RATE = 0.6

DEPARTMENTS = {  # name → relative size, and the themes it raises most (uneven on purpose)
    "Engineering": (30, {"growth": 5, "compensation": 4, "management": 2}),
    "Customer support": (18, {"workload": 6, "recognition": 3, "management": 2}),
    "Sales": (14, {"compensation": 6, "management": 3, "culture": 2}),
    "Operations": (10, {"workload": 4, "conditions": 3, "flexibility": 2}),
    "Marketing": (6, {"growth": 3, "communication": 3, "culture": 2}),
    "Finance": (5, {"compensation": 3, "communication": 2}),
    "Product": (5, {"management": 3, "growth": 3, "communication": 2}),
    "People": (3, {"recognition": 3, "workload": 2}),
    "Legal": (2, {"training": 3, "culture": 2}),
    "Data": (4, {"growth": 4, "training": 2}),
    "Facilities": (2, {"conditions": 4, "team": 2}),
    "Security": (1, {"role_fit": 3, "training": 2}),
}
FUNCTIONS = {"Individual contributor": 60, "Senior": 20, "Team lead": 10, "Manager": 6, "Intern": 4}
LOCATIONS = {"Antwerpen": 35, "Brussel": 30, "Gent": 15, "Liège": 12, "Remote": 8}
EXIT_TYPES = {"voluntary": 70, "involuntary": 15, "end_of_contract": 12, "retirement": 3}
TENURES = {"under_1": 30, "1_2": 25, "2_5": 28, "5_10": 12, "10_plus": 5}
LANGUAGES = {"en": 5, "nl": 4, "fr": 2}
SEASON = [8, 7, 9, 9, 8, 10, 12, 13, 11, 9, 8, 6]  # by calendar month: summer peaks
TURNOVER = 0.18  # a year's departures ÷ headcount, about


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- Companies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    id: uuid.UUID
    slug: str


def company(slug: str, name: str) -> Company:
    """A company with its departments, functions, locations, template and an HR admin."""
    tenant = Tenant(
        slug=slug,
        name=name,
        sector=Sector.IT,
        languages=list(LANGUAGES),
        default_language="en",
    )
    db.session.add(tenant)
    db.session.flush()
    user = User(
        email=f"hr@{slug}.example",
        display_name=f"HR {name}",
        preferred_language="en",
        password_hash=hash_password(PASSWORD),
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    with tenant_scope(tenant.id):
        db.session.add(Membership(user_id=user.id, role=TenantRole.HR_ADMIN))
        for model, names in ((Department, DEPARTMENTS), (JobFunction, FUNCTIONS)):
            db.session.add_all(model(name=name) for name in names)
        db.session.add_all(Location(name=name) for name in LOCATIONS)
        db.session.flush()
    db.session.commit()
    seed_tenant_templates(tenant, dt.date.today())
    found = Company(tenant.id, slug)
    db.session.commit()
    return found


class Corpus:
    """The labelled comments by language and theme: realistic free text with its themes."""

    def __init__(self) -> None:
        self.by_theme: dict = {}
        self.plain: dict = {}
        for language in LANGUAGES:
            found = comments(language)
            self.plain[language] = [c for c in found if not c["themes"]] or found
            for comment in found:
                for theme in comment["themes"]:
                    self.by_theme.setdefault((language, theme), []).append(comment)

    def about(self, language: str, theme: str | None, rng: random.Random) -> dict:
        pool = self.by_theme.get((language, theme)) or self.plain[language]
        return rng.choice(pool)


class Generator:
    """Rows for one company, written with COPY on a psycopg connection."""

    def __init__(self, tenant_id, rng: random.Random, corpus: Corpus) -> None:
        self.tenant_id, self.rng, self.corpus = tenant_id, rng, corpus
        with tenant_scope(tenant_id):
            self.departments = {
                d.name: d.id for d in db.session.scalars(sa.select(Department)).all()
            }
            self.functions = {f.name: f.id for f in db.session.scalars(sa.select(JobFunction))}
            self.locations = {loc.name: loc.id for loc in db.session.scalars(sa.select(Location))}
            version = db.session.scalars(
                sa.select(TemplateVersion)
                .where(TemplateVersion.published_at.is_not(None))
                .order_by(TemplateVersion.published_at.desc())
            ).first()
            self.version_id = version.id
            self.questions = from_json(version.document).questions
            db.session.rollback()
        # The last MONTHS ended months: the dashboard never shows the month in progress.
        last = add_months(month_start(dt.date.today()), -1)
        self.months = [add_months(last, -back) for back in range(MONTHS)]
        self.month_weights = [SEASON[m.month - 1] for m in self.months]
        self.rows: dict[str, list] = {
            name: [] for name in ("survey_responses", "feedback", "answers", "tags")
        }
        self.departures: list = []
        self.per_department: Counter = Counter()

    def coarse(self) -> tuple:
        rng = self.rng
        department = rng.choices(
            list(DEPARTMENTS), [size for size, _themes in DEPARTMENTS.values()]
        )[0]
        exit_type = _weighted(rng, EXIT_TYPES)
        return (
            "survey",
            rng.choices(self.months, self.month_weights)[0],
            department,
            self.functions[_weighted(rng, FUNCTIONS)],
            self.locations[_weighted(rng, LOCATIONS)],
            _weighted(rng, TENURES),
            exit_type,
            exit_type == "voluntary" and rng.random() < 0.35,
        )

    def response(self) -> None:
        rng = self.rng
        source, month, department, *rest = self.coarse()
        coarse = (source, month, self.departments[department], *rest)
        language = _weighted(rng, LANGUAGES)
        weights = dict.fromkeys(THEME_KEYS, 1) | DEPARTMENTS[department][1]
        themes: list[str] = []
        while len(themes) < rng.choice((2, 2, 3)):
            theme = _weighted(rng, weights)
            if theme not in themes:
                themes.append(theme)
        feedback_id = _id(rng)
        answered = rng.sample(self.questions, min(ANSWERS, len(self.questions)))
        answers, enps, come_back, raised = {}, None, None, set()
        unhappy = len(themes)
        for question in self.questions:
            if question not in answered:
                continue
            number = choices = text = sentiment = None
            tags: list[tuple[str, str, str]] = []  # theme, origin, why
            if question.type == QuestionType.FREE_TEXT:
                pending = [theme for theme in themes if theme not in raised]
                comment = self.corpus.about(language, pending[0] if pending else None, rng)
                text, sentiment = comment["text"], comment["sentiment"]
                value = text
                tags = [(theme, "detected", theme) for theme in comment["themes"]]
            elif question.type == QuestionType.RATING:
                low = question.theme in themes
                number = rng.choice((1, 2)) if low else rng.choice((2, 3, 3, 4, 4, 5))
                value = number
                if number <= 2 and question.theme:
                    tags = [(question.theme, "hint", f"{number}/5")]
            elif question.type == QuestionType.ENPS:
                number = max(0, min(10, round(rng.gauss(8.5 - unhappy, 2.2))))
                value = number
            elif question.type == QuestionType.YES_NO:
                yes = question.theme in themes or rng.random() < 0.15
                number, value = int(yes), "yes" if yes else "no"
                if yes and question.theme:
                    tags = [(question.theme, "hint", "yes")]
            else:
                keys = [choice.key for choice in question.choices]
                if question.role == QuestionRole.COME_BACK:
                    key = rng.choices(keys, [4, 3, 3][: len(keys)] + [1] * (len(keys) - 3))[0]
                else:
                    key = themes[0] if themes[0] in keys else rng.choice(keys)
                choices, value = [key], key
                if key in THEME_KEYS:
                    tags = [(key, "hint", key)]
            if question.role == QuestionRole.ENPS:
                enps = number
            elif question.role == QuestionRole.COME_BACK:
                come_back = value == "yes"
            answers[question.key] = value
            answer_id = _id(rng)
            self.rows["answers"].append(
                (
                    self.tenant_id,
                    answer_id,
                    feedback_id,
                    question.key,
                    number,
                    None if choices is None else json.dumps(choices),
                    text,
                    sentiment,
                    *coarse,
                )
            )
            seen = set()
            for theme, origin, why in tags:
                if theme in seen:
                    continue
                seen.add(theme)
                raised.add(theme)
                self.rows["tags"].append(
                    (
                        self.tenant_id,
                        _id(rng),
                        answer_id,
                        feedback_id,
                        question.key,
                        theme,
                        origin,
                        why,
                        False,
                        *coarse,
                    )
                )
        columns = theme_columns(raised).values()  # themes, default_themes
        self.rows["feedback"].append(
            (self.tenant_id, feedback_id, language, enps, come_back, *columns, *coarse)
        )
        self.rows["survey_responses"].append(
            (
                self.tenant_id,
                feedback_id,
                month,
                coarse[2],
                coarse[3],
                coarse[4],
                coarse[5],
                f"{month.year}-Q{(month.month - 1) // 3 + 1}",
                coarse[6],
                coarse[7],
                language,
                self.version_id,
                json.dumps(answers),
            )
        )
        self.departure(coarse, language)

    def departure(self, coarse, language, status: str = "answered") -> None:
        rng = self.rng
        _source, month, department_id, function_id, location_id, _band, exit_type, regret = coarse
        n = len(self.departures)
        last_day = month + dt.timedelta(days=rng.randint(0, 27))
        if rng.random() < 0.03:
            status = "cancelled"
        self.departures.append(
            (
                self.tenant_id,
                _id(rng),
                f"Leaver {n}",
                f"leaver{n}@example.com",
                language,
                department_id,
                function_id,
                location_id,
                last_day - dt.timedelta(days=rng.randint(60, 4000)),
                last_day,
                exit_type,
                regret,
                "survey",
                status,
            )
        )
        self.per_department[department_id] += 1

    def generate(self, responses: int) -> None:
        for _ in range(responses):
            self.response()
        # Those who did not answer: the same population, about 40 % of the departures.
        for _ in range(round(responses * (1 / RESPONSE_RATE - 1))):
            _source, month, department, *rest = self.coarse()
            coarse = ("survey", month, self.departments[department], *rest)
            self.departure(
                coarse,
                _weighted(self.rng, LANGUAGES),
                self.rng.choice(("invited", "closed", "new")),
            )

    def headcounts(self) -> list:
        """Two headcounts per department (three years ago, and a year ago after growth),
        sized so that the company turns over about TURNOVER a year, unevenly."""
        rows, today = [], dt.date.today()
        for name, department_id in self.departments.items():
            yearly = self.per_department[department_id] * 12 / MONTHS
            rate = TURNOVER * (0.6 + self.rng.random() * 0.9)
            headcount = max(1, round(yearly / rate)) if yearly else 10
            for years, factor in ((3, 0.9), (1, 1.0)):
                rows.append(
                    (
                        self.tenant_id,
                        _id(self.rng),
                        department_id,
                        month_start(today.replace(year=today.year - years)),
                        round(headcount * factor),
                    )
                )
            assert name
        return rows

    def write(self, url: str) -> None:
        now = dt.datetime.now(dt.UTC)
        coarse = (
            "source, month, department_id, job_function_id, location_id, tenure_band, "
            "exit_type, regretted"
        )
        statements = {
            "survey_responses": (
                "COPY survey_responses (tenant_id, id, month, department_id, job_function_id,"
                " location_id, tenure_band, exit_quarter, exit_type, regretted, language,"
                " template_version_id, answers) FROM STDIN"
            ),
            "feedback": (
                "COPY insight_feedback (tenant_id, id, language, enps, come_back, themes,"
                f" default_themes, {coarse}) FROM STDIN"
            ),
            "answers": (
                "COPY insight_answers (tenant_id, id, feedback_id, question_key, number,"
                f" choices, text, sentiment, {coarse}) FROM STDIN"
            ),
            "tags": (
                "COPY insight_tags (tenant_id, id, answer_id, feedback_id, question_key, theme,"
                f" origin, why, confirmed, {coarse}) FROM STDIN"
            ),
        }
        with psycopg.connect(url) as connection, connection.cursor() as cursor:
            for name, statement in statements.items():
                with cursor.copy(statement) as copy:
                    for row in self.rows[name]:
                        copy.write_row(row)
            with cursor.copy(
                "COPY departures (tenant_id, id, full_name, identity_key, language,"
                " department_id, job_function_id, location_id, hired_on, last_day, exit_type,"
                " regretted, channel, status, created_at, updated_at) FROM STDIN"
            ) as copy:
                for row in self.departures:
                    copy.write_row((*row, now, now))
            with cursor.copy(
                "COPY department_headcounts (tenant_id, id, department_id, effective_from,"
                " headcount) FROM STDIN"
            ) as copy:
                for row in self.headcounts():
                    copy.write_row(row)
            connection.commit()


def load(url: str, tenant: Company, responses: int, corpus: Corpus) -> Generator:
    generator = Generator(tenant.id, random.Random(f"insights-bench:{tenant.slug}"), corpus)
    generator.generate(responses)
    generator.write(url)
    # COPY went around the application: the triggers marked every month, and the cells
    # are counted here, as the application would as it commits.
    with tenant_scope(tenant.id):
        rollup.rebuild()
        db.session.commit()
    return generator


# --- Timing -------------------------------------------------------------------------------


class RequestClient(FlaskClient):
    """Each request in a fresh context, as on a server (its own app context and session)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(app, email: str):
    client = app.test_client()
    client.set_cookie("exitloop_lang", "en")
    token = _CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return client


def median_ms(run, rounds: int = ROUNDS) -> float:
    for _ in range(WARM):
        run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


class Timer:
    """Times the dashboard of one company: over HTTP when the view exists, else its build."""

    def __init__(self, app, tenant: Company) -> None:
        self.app, self.tenant = app, tenant
        self.http = DASHBOARD_ENDPOINT in app.view_functions
        if self.http:
            self.client = signed_in(app, f"hr@{tenant.slug}.example")

    def build(self, filter_: Filter):
        """The dashboard as the view gets it (a request's context and a fresh session)."""
        with self.app.test_request_context(), tenant_scope(self.tenant.id):
            tenant = db.session.get(Tenant, self.tenant.id)
            board = dashboard.build(filter_, Thresholds.of(tenant), "department_id", "en")
            db.session.remove()
        return board

    def get(self, filter_: Filter) -> None:
        with self.app.test_request_context():
            query = filters.arguments(filter_)
        response = self.client.get(f"/t/{self.tenant.slug}/insights/", query_string=query)
        assert response.status_code == 200, response.status_code

    def time(self, filter_: Filter) -> float:
        if self.http:
            return median_ms(lambda: self.get(filter_))
        return median_ms(lambda: self.build(filter_))


# --- The same aggregates, hand-written --------------------------------------------------

RAW_SQL = {
    "responses": """
        SELECT count(*) FROM insight_feedback
        WHERE tenant_id = %(t)s AND month BETWEEN %(first)s AND %(last)s""",
    "volume": """
        SELECT month, sum(departures), sum(responses) FROM (
          SELECT date_trunc('month', last_day)::date AS month, count(*) AS departures,
                 0 AS responses
          FROM departures
          WHERE tenant_id = %(t)s AND last_day >= %(first)s AND last_day < %(end)s
            AND status <> 'cancelled'
          GROUP BY 1
          UNION ALL
          SELECT month, 0, count(*) FROM insight_feedback
          WHERE tenant_id = %(t)s AND month BETWEEN %(first)s AND %(last)s
          GROUP BY 1) AS both_
        GROUP BY month""",
    # A piece of feedback's themes are listed on its row (",culture,pay,"): one row per
    # (feedback, theme) by splitting the list, as anyone would write it by hand.
    "themes": """
        SELECT theme, count(*) FILTER (WHERE month >= %(first)s),
               count(*) FILTER (WHERE month < %(first)s),
               (SELECT count(*) FROM insight_feedback WHERE tenant_id = %(t)s
                  AND month BETWEEN %(first)s AND %(last)s),
               (SELECT count(*) FROM insight_feedback WHERE tenant_id = %(t)s
                  AND month BETWEEN %(before)s AND %(first)s - 1)
        FROM insight_feedback, unnest(string_to_array(trim(',' FROM themes), ',')) AS theme
        WHERE tenant_id = %(t)s AND month BETWEEN %(before)s AND %(last)s
        GROUP BY theme""",
    "trend": """
        SELECT to_char(month, 'YYYY-"Q"Q'), theme, count(*)
        FROM insight_feedback
        LEFT JOIN LATERAL unnest(string_to_array(trim(',' FROM themes), ',')) AS theme ON true
        WHERE tenant_id = %(t)s AND month BETWEEN %(first)s AND %(last)s
        GROUP BY GROUPING SETS ((1, 2), (1))""",
    "heatmap": """
        SELECT department_id, theme, count(*)
        FROM insight_feedback
        LEFT JOIN LATERAL unnest(string_to_array(trim(',' FROM themes), ',')) AS theme ON true
        WHERE tenant_id = %(t)s AND month BETWEEN %(first)s AND %(last)s
        GROUP BY GROUPING SETS ((1, 2), (1))""",
    "turnover": """
        SELECT d.department_id, d.departures, h.headcount FROM (
          SELECT department_id, count(*) AS departures FROM departures
          WHERE tenant_id = %(t)s AND last_day >= %(first)s AND last_day < %(end)s
            AND status <> 'cancelled'
          GROUP BY 1) AS d
        FULL JOIN (
          SELECT DISTINCT ON (department_id) department_id, headcount
          FROM department_headcounts
          WHERE tenant_id = %(t)s AND effective_from < %(end)s
          ORDER BY department_id, effective_from DESC) AS h USING (department_id)""",
    "scores": """
        SELECT count(enps), count(*) FILTER (WHERE enps >= 9), count(*) FILTER (WHERE enps < 7),
               count(come_back), count(*) FILTER (WHERE come_back),
               (SELECT count(*) FILTER (WHERE regretted) FROM departures
                WHERE tenant_id = %(t)s AND last_day >= %(first)s AND last_day < %(end)s
                  AND status <> 'cancelled')
        FROM insight_feedback
        WHERE tenant_id = %(t)s AND month BETWEEN %(first)s AND %(last)s""",
    "ratings": """
        SELECT question_key, number, count(*) FROM insight_answers
        WHERE tenant_id = %(t)s AND month BETWEEN %(first)s AND %(last)s
          AND question_key = ANY(%(keys)s) AND number IS NOT NULL
        GROUP BY 1, 2""",
}


def raw_parameters(tenant_id, filter_: Filter, keys: list[str]) -> dict:
    return {
        "t": tenant_id,
        "first": filter_.first,
        "last": filter_.last,
        "end": add_months(filter_.last, 1),
        "before": filter_.previous().first,
        "keys": keys,
    }


def raw_sql(url: str, parameters: dict) -> dict:
    with psycopg.connect(url) as connection:
        return {
            name: connection.execute(sql, parameters).fetchall() for name, sql in RAW_SQL.items()
        }


def raw_sql_ms(url: str, parameters: dict) -> float:
    with psycopg.connect(url) as connection:

        def run():
            for sql in RAW_SQL.values():
                connection.execute(sql, parameters).fetchall()

        return median_ms(run)


# --- The big company's figures count its own rows only -----------------------------------


def check(board, raw: dict, generator: Generator, totals: dict) -> None:
    mine = len(generator.rows["feedback"])
    assert board.allowed
    assert board.responses == mine, (board.responses, mine)
    assert totals["insight_feedback"] > mine, totals  # other tenants' rows are there
    assert raw["responses"][0][0] == mine
    counts = {theme: current for theme, current, *_rest in raw["themes"]}
    shown = {figure.theme: figure.share.count for figure in board.themes}
    assert shown == counts, (shown, counts)
    tagged = Counter()
    seen = set()
    for row in generator.rows["tags"]:
        if (row[3], row[5]) not in seen:
            seen.add((row[3], row[5]))
            tagged[row[5]] += 1
    assert shown == dict(tagged), "the dashboard counts themes the company did not raise"
    left = sum(1 for row in generator.departures if row[13] != "cancelled")
    company, _departments = board.turnover
    assert company.departures == left == sum(row.departures for row in board.volume)
    assert board.scores.enps_answers == raw["scores"][0][0]
    rated = {rating.question_key: rating.answers for rating in board.ratings}
    expected = Counter()
    for key, _number, count in raw["ratings"]:
        expected[key] += count
    assert all(rated[key] == expected.get(key, 0) for key in rated), (rated, expected)


# --- Main ---------------------------------------------------------------------------------


def main() -> None:
    big = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    small = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    detect_rate = detect_per_s(3.0)
    admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"exitloop_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        config = TestConfig(url.replace("postgresql://", "postgresql+psycopg://", 1))
        config.REDIS_URL = None
        config.RATELIMIT_STORAGE_URI = "memory://"
        app = create_app(config)
        app.test_client_class = RequestClient
        with app.app_context():
            upgrade()
            seed_demo(PASSWORD)
            corpus = Corpus()
            start = time.perf_counter()
            companies = {}
            for slug, label, count in (
                ("bench-other-1", "Other One", big // 5),
                ("bench-big", "Bench Big", big),
                ("bench-small", "Bench Small", small),
                ("bench-other-2", "Other Two", big // 5),
            ):
                tenant = company(slug, label)
                companies[slug] = (tenant, load(url, tenant, count, corpus))
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE")
                totals = {
                    table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                    for table in (
                        "insight_feedback",
                        "insight_answers",
                        "insight_tags",
                        "departures",
                    )
                }
            load_s = time.perf_counter() - start

            today = dt.date.today()
            whole = Filter.last_months(MONTHS, today)
            tenant, generator = companies["bench-big"]
            largest = generator.departments["Engineering"]
            narrowed = Filter.last_months(MONTHS, today, department_id=largest)
            timer = Timer(app, tenant)
            board = timer.build(whole)
            keys = [rating.question_key for rating in board.ratings]
            parameters = raw_parameters(tenant.id, whole, keys)
            check(board, raw_sql(url, parameters), generator, totals)
            mine = len(generator.rows["answers"])

            dashboard_ms = timer.time(whole)
            filtered_ms = timer.time(narrowed)
            raw_ms = raw_sql_ms(url, parameters)
            small_tenant, _small_generator = companies["bench-small"]
            dashboard_ms_small = Timer(app, small_tenant).time(whole)
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept the database {url}")
        else:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    ratio = dashboard_ms / raw_ms
    linear = dashboard_ms / dashboard_ms_small
    measured = "http" if timer.http else "build"
    load_avg = os.getloadavg()[0]
    print(
        f"PostgreSQL; bench-big: {big:,} responses, {mine:,} answers; bench-small: {small:,};"
        f" all tenants: {totals['insight_feedback']:,} responses, {totals['insight_answers']:,}"
        f" answers, {totals['insight_tags']:,} tags, {totals['departures']:,} departures"
    )
    print(f"loaded in {load_s:.1f} s; load average {load_avg:.2f} (2 cores)")
    print(
        "measured:", "GET /t/bench-big/insights/" if timer.http else "dashboard.build (server time)"
    )
    print(
        f"dashboard ({MONTHS} months, every panel): {dashboard_ms:7.1f} ms"
        f"  (goal < {GOAL_MS} ms: {'met' if dashboard_ms < GOAL_MS else 'MISSED'})"
    )
    print(f"filtered (one department):      {filtered_ms:7.1f} ms")
    print(
        f"dashboard at {small:,} responses:  {dashboard_ms_small:7.1f} ms"
        f"  ({linear:.1f}x for {big / small:.0f}x the responses:"
        f" {'no faster than linear' if linear <= big / small else 'FASTER THAN LINEAR'})"
    )
    print(
        f"hand-written SQL, one per panel: {raw_ms:7.1f} ms  (ratio {ratio:.2f}x, goal"
        f" <= {GOAL_RATIO}: {'met' if ratio <= GOAL_RATIO else 'MISSED'})"
    )
    print(
        f"theme detection: {detect_rate:,.0f} answers/s on one core"
        f" (goal {GOAL_DETECT}: {'met' if detect_rate >= GOAL_DETECT else 'MISSED'})"
    )
    print(
        json.dumps(
            {
                "bench": "insights",
                "database": "postgresql",
                "measured": measured,
                "responses": big,
                "answers": mine,
                "responses_all_tenants": totals["insight_feedback"],
                "dashboard_ms": round(dashboard_ms, 1),
                "filtered_ms": round(filtered_ms, 1),
                "dashboard_ms_small": round(dashboard_ms_small, 1),
                "responses_small": small,
                "linear_factor": round(linear, 2),
                "raw_sql_ms": round(raw_ms, 1),
                "ratio": round(ratio, 2),
                "detect_per_s": round(detect_rate),
                "load_average": round(load_avg, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
