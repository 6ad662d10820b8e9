"""Demo departures: about a year of leavers per demo client, spread unevenly so that the
patterns later reports look for are there to find.

Het Anker loses kitchen staff in summer (voluntary: the split shifts), Maison Lumière loses
sales staff at its Liège store, Codeway loses software developers (some of them regretted).
Deterministic (a random generator seeded with the client's slug, dates counted from
``today``) and idempotent: a client that has departures is left alone.

Before these recent leavers, the closed cases of fifteen months (`seed_tenant_past_departures`):
as many as the departments' headcounts and attrition make, so that the dashboard's turnover
is the sector's and its response rate (responses ÷ departures) a believable 55–80%.
"""

import datetime as dt
import random
from dataclasses import dataclass

import sqlalchemy as sa

from service.departures.models import Channel, Departure, DepartureStatus, ExitType
from service.departures.services import identity_key
from service.extensions import db
from service.surveys.models import QuestionTemplate
from service.tenancy import of_current_tenant, tenant_scope
from service.tenants.models import Department, DepartmentHeadcount, JobFunction, Location

VOL, INV, EOC, RET = (
    ExitType.VOLUNTARY,
    ExitType.INVOLUNTARY,
    ExitType.END_OF_CONTRACT,
    ExitType.RETIREMENT,
)
SUMMER = {6: 5, 7: 6, 8: 5}
SPRING_AND_AUTUMN = {3: 3, 4: 3, 5: 2, 9: 3, 10: 2}
EVERY_MONTH = dict.fromkeys(range(1, 13), 1)


@dataclass(frozen=True)
class Group:
    """``count`` leavers of one kind: where they worked, how they left, in which months."""

    count: int
    department: str
    function: str | None
    locations: dict[str, int]  # location name: weight
    exits: dict[ExitType, int]
    months: dict[int, int]  # calendar month: weight (absent: 0)
    tenure_days: tuple[int, int]
    regretted: float = 0.1


PROFILES = {
    "het-anker": [
        Group(
            14,
            "Keuken",
            "Kok",
            {"Gent Korenmarkt": 3, "Brugge Markt": 1},
            {VOL: 6, EOC: 1},
            SUMMER,
            (60, 900),
            0.3,
        ),
        Group(
            10,
            "Zaal",
            "Kelner",
            {"Gent Korenmarkt": 1, "Brugge Markt": 1},
            {VOL: 5, EOC: 4, INV: 1},
            EVERY_MONTH,
            (30, 700),
        ),
        Group(
            5,
            "Bar",
            "Barman",
            {"Gent Korenmarkt": 2, "Brugge Markt": 1},
            {VOL: 3, INV: 1},
            {9: 2, 10: 1, 11: 1, 12: 1, 1: 2},
            (90, 1200),
        ),
        Group(
            3,
            "Zaal",
            "Zaalverantwoordelijke",
            {"Gent Korenmarkt": 1, "Brugge Markt": 1},
            {VOL: 1},
            EVERY_MONTH,
            (1100, 3000),
            0.9,
        ),
        Group(
            2,
            "Administratie",
            None,
            {"Gent Korenmarkt": 1},
            {RET: 1, VOL: 1},
            EVERY_MONTH,
            (3650, 9000),
        ),
    ],
    "maison-lumiere": [
        Group(
            16,
            "Ventes",
            "Vendeur·euse",
            {"Liège Vinâve": 1},
            {VOL: 5, EOC: 1},
            {1: 3, 2: 1, 9: 3, 10: 2, 4: 1, 6: 1},
            (90, 800),
            0.15,
        ),
        Group(
            6,
            "Ventes",
            "Vendeur·euse",
            {"Bruxelles Louise": 1, "Antwerpen Meir": 1},
            {VOL: 2, EOC: 1},
            EVERY_MONTH,
            (120, 1500),
        ),
        Group(
            5,
            "Logistique",
            "Magasinier·ère",
            {"Bruxelles Louise": 2, "Liège Vinâve": 1},
            {EOC: 2, INV: 1, VOL: 1},
            {11: 2, 12: 3, 1: 2, 3: 1},
            (30, 600),
        ),
        Group(
            2,
            "Ventes",
            "Gérant·e de magasin",
            {"Liège Vinâve": 1},
            {VOL: 1},
            EVERY_MONTH,
            (1500, 4000),
            1.0,
        ),
        Group(
            2,
            "Ventes",
            "Chef de rayon",
            {"Antwerpen Meir": 1, "Liège Vinâve": 1},
            {VOL: 1},
            EVERY_MONTH,
            (700, 2500),
            0.5,
        ),
        Group(1, "Marketing", None, {"Bruxelles Louise": 1}, {VOL: 1}, EVERY_MONTH, (400, 1500)),
        Group(1, "RH", None, {"Bruxelles Louise": 1}, {RET: 1}, EVERY_MONTH, (7000, 12000)),
    ],
    "codeway": [
        Group(
            15,
            "Engineering",
            "Software developer",
            {"Leuven": 2, "Remote": 1},
            {VOL: 9, INV: 1},
            SPRING_AND_AUTUMN,
            (365, 1500),
            0.5,
        ),
        Group(
            3,
            "Engineering",
            "Team lead",
            {"Leuven": 1, "Remote": 1},
            {VOL: 1},
            SPRING_AND_AUTUMN,
            (1500, 3500),
            0.9,
        ),
        Group(
            6,
            "Support",
            "Support engineer",
            {"Leuven": 1},
            {VOL: 2, INV: 1},
            EVERY_MONTH,
            (180, 1100),
        ),
        Group(
            4,
            "Sales",
            "Account manager",
            {"Leuven": 1, "Remote": 1},
            {INV: 1, VOL: 1},
            {12: 1, 1: 1, 6: 1},
            (200, 1400),
        ),
        Group(1, "People", None, {"Leuven": 1}, {VOL: 1}, EVERY_MONTH, (800, 2000)),
    ],
    # Het Anker's sector peers (service/demo.py): closed cases only, for the benchmark.
    "de-zwaan": [
        Group(6, "Keuken", "Kok", {"Antwerpen Groenplaats": 1}, {VOL: 4, EOC: 1}, SUMMER,
              (60, 1200), 0.3),
        Group(10, "Zaal", "Kelner", {"Antwerpen Groenplaats": 1}, {VOL: 3, EOC: 2},
              EVERY_MONTH, (30, 800)),
        Group(3, "Bar", "Barman", {"Antwerpen Groenplaats": 1}, {VOL: 2, INV: 1},
              EVERY_MONTH, (90, 1000)),
    ],
    "bistro-margot": [
        Group(5, "Keuken", "Kok", {"Mechelen Grote Markt": 1}, {VOL: 3, EOC: 1}, EVERY_MONTH,
              (90, 1500), 0.2),
        Group(10, "Zaal", "Kelner", {"Mechelen Grote Markt": 1}, {VOL: 3, EOC: 3}, SUMMER,
              (30, 700)),
    ],
    "scheldezicht": [
        Group(2, "Receptie", "Receptionist", {"Antwerpen Sint-Andries": 1}, {VOL: 1},
              EVERY_MONTH, (200, 2000), 0.4),
        Group(8, "Housekeeping", "Kamermedewerker", {"Antwerpen Sint-Andries": 1},
              {VOL: 3, EOC: 2, INV: 1}, EVERY_MONTH, (30, 900)),
        Group(4, "Keuken", "Kok", {"Antwerpen Sint-Andries": 1}, {VOL: 3, EOC: 1}, SUMMER,
              (90, 1200), 0.3),
        Group(5, "Restaurant", "Kelner", {"Antwerpen Sint-Andries": 1}, {VOL: 2, EOC: 2},
              SUMMER, (30, 700)),
    ],
}  # fmt: skip

FIRST = {
    "nl": [
        "Lotte",
        "Jens",
        "Lien",
        "Thomas",
        "Femke",
        "Wouter",
        "Sien",
        "Ruben",
        "Elke",
        "Kobe",
        "Ine",
        "Jonas",
        "Marie",
        "Stijn",
        "Fien",
        "Bert",
        "Eline",
        "Niels",
        "Hannah",
        "Senne",
        "Joke",
        "Dieter",
        "Amber",
        "Lars",
        "Nina",
        "Robbe",
    ],
    "fr": [
        "Camille",
        "Lucas",
        "Léa",
        "Hugo",
        "Chloé",
        "Nathan",
        "Manon",
        "Théo",
        "Zoé",
        "Maxime",
        "Inès",
        "Antoine",
        "Sarah",
        "Romain",
        "Clara",
        "Louis",
        "Lina",
        "Arthur",
        "Justine",
        "Quentin",
        "Émilie",
        "Florian",
        "Océane",
        "Mehdi",
        "Amandine",
        "Yassine",
    ],
    "en": [
        "Priya",
        "Daniel",
        "Anna",
        "Mohamed",
        "Laura",
        "Tom",
        "Sophie",
        "David",
        "Elena",
        "Adam",
        "Nora",
        "Victor",
        "Julia",
        "Samuel",
        "Maya",
        "Oliver",
    ],
}
LAST = {
    "nl": [
        "Peeters",
        "Janssens",
        "Maes",
        "Jacobs",
        "Mertens",
        "Willems",
        "Claes",
        "Goossens",
        "Wouters",
        "De Smet",
        "Dubois",
        "Hermans",
        "Aerts",
        "Van Damme",
        "Verstraete",
        "De Clercq",
        "Lambrecht",
        "Coppens",
        "Vermeersch",
        "Declercq",
        "Desmet",
        "Pauwels",
        "Van de Velde",
        "Martens",
        "Cools",
        "Segers",
    ],
    "fr": [
        "Dubois",
        "Lambert",
        "Dupont",
        "Martin",
        "Simon",
        "Laurent",
        "Leclercq",
        "Lejeune",
        "Renard",
        "Leroy",
        "Collard",
        "François",
        "Denis",
        "Mathieu",
        "Gilson",
        "Lemaire",
        "Henrard",
        "Rousseau",
        "Fontaine",
        "Michaux",
        "Charlier",
        "Dethier",
        "Bastin",
        "Lecomte",
        "Hubert",
        "El Amrani",
    ],
    "en": [
        "Raman",
        "Kowalski",
        "Novak",
        "Haddad",
        "Schmidt",
        "Rossi",
        "Okafor",
        "Garcia",
        "Nguyen",
        "Popescu",
        "Jansen",
        "Silva",
    ],
}
MAIL_HOSTS = ["gmail.com", "telenet.be", "hotmail.com", "skynet.be", "proximus.be"]
# Who the leavers reported to (free text: not every manager has an Exitloop login).
MANAGERS = {
    "het-anker": {"Keuken": "Geert Vermeulen", "Zaal": "Koen De Smet", "Bar": "Koen De Smet",
                  "Administratie": "Marc Goossens"},
    "maison-lumiere": {"Ventes": "Nathalie Dupont", "Logistique": "Olivier Renard",
                       "Marketing": "Olivier Renard", "RH": "Nathalie Dupont"},
    "codeway": {"Engineering": "Tim Lemmens", "Support": "Dries Vandenberghe",
                "Sales": "Dries Vandenberghe", "People": "Tim Lemmens"},
    "de-zwaan": {"Keuken": "Bart Willaert", "Zaal": "Griet Van Hoof", "Bar": "Griet Van Hoof"},
    "bistro-margot": {"Keuken": "Stefaan Cools", "Zaal": "Annelies Bogaert"},
    "scheldezicht": {"Receptie": "Dirk Van Rompaey", "Housekeeping": "Rita Mertens",
                     "Keuken": "Yannick Peeters", "Restaurant": "Dirk Van Rompaey"},
}  # fmt: skip
NOTES = {
    "nl": ["Vertrekt naar een zaak dichter bij huis.", "Wil geen gebroken diensten meer."],
    "fr": ["Part pour une enseigne concurrente.", "Souhaite des horaires plus stables."],
    "en": ["Accepted an offer from a scale-up.", "Moving abroad."],
}


def _person(rng: random.Random, slug: str, language: str, used: set[str]) -> dict:
    """A leaver's name and addresses, in their language (a name not used yet when one is
    left: past leavers outnumber the name lists' pairs at Codeway)."""
    names = "en" if language == "en" and rng.random() < 0.6 else language
    for attempt in range(30):
        first, last = rng.choice(FIRST[names]), rng.choice(LAST[names])
        full_name = f"{first} {last}"
        if full_name not in used or attempt == 29:
            break
    handle = _ascii(f"{first}.{last}").replace(" ", "")
    while handle in used:  # a namesake (or a De Smet beside a Desmet): another address
        handle = f"{handle.rstrip('0123456789')}{rng.randrange(2, 99)}"
    used.update((full_name, handle))
    work_email = f"{handle}@{slug}.example" if rng.random() < 0.85 else None
    personal = None
    if rng.random() < 0.8:
        personal = f"{handle}{rng.randrange(1, 99)}@{rng.choice(MAIL_HOSTS)}"
    return {
        "full_name": full_name,
        "work_email": work_email,
        "personal_email": personal,
        "identity_key": identity_key(work_email, personal, full_name),
    }


def _phone(rng: random.Random) -> str | None:
    if rng.random() < 0.5:
        return (
            f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
        )
    return None


def _ascii(text: str) -> str:
    table = str.maketrans("éèëêàâçïîôöüÉ·", "eeeeaaciioouEx")
    return "".join(ch for ch in text.lower().translate(table) if ch.isalnum() or ch == " ")


def _language(slug: str, location: str, rng: random.Random) -> str:
    if slug == "maison-lumiere":
        return "nl" if location == "Antwerpen Meir" or rng.random() < 0.1 else "fr"
    if slug == "codeway":
        return rng.choices(["en", "nl", "fr"], [5, 3, 2])[0]
    return "nl"  # the Flemish restaurants and hotel


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _last_day(rng: random.Random, months: dict[int, int], today: dt.date) -> dt.date:
    """A day in the year before ``today`` (or the month after it), in a weighted month."""
    candidates = []
    for back in range(-1, 12):  # next month (leavers who have given notice) … a year ago
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        candidates.append((year, month + 1))
    weights = [months.get(month, 0) for _year, month in candidates]
    year, month = rng.choices(candidates, weights)[0]
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    day = first + dt.timedelta(days=rng.randrange((following - first).days))
    return min(day, today + dt.timedelta(days=30))


def _ids(model) -> dict[str, object]:
    rows = db.session.execute(sa.select(model.name, model.id).where(of_current_tenant(model)))
    return dict(list(rows.tuples()))  # a Result has keys(): dict() would read it as a mapping


def seed_tenant_departures(tenant, today: dt.date) -> None:
    profile = PROFILES.get(tenant.slug)
    if profile is None:
        return
    with tenant_scope(tenant.id):
        if db.session.scalar(
            sa.select(sa.func.count()).select_from(Departure).where(of_current_tenant(Departure))
        ):
            return
        rng = random.Random(f"departures:{tenant.slug}")
        departments, functions, locations = _ids(Department), _ids(JobFunction), _ids(Location)
        template_id = db.session.scalar(
            sa.select(QuestionTemplate.id).where(
                of_current_tenant(QuestionTemplate), QuestionTemplate.is_default
            )
        )
        used: set[str] = set()
        rows = []
        for group in profile:
            for _ in range(group.count):
                location = _weighted(rng, group.locations)
                language = _language(tenant.slug, location, rng)
                person = _person(rng, tenant.slug, language, used)
                last_day = _last_day(rng, group.months, today)
                hired_on = None
                if rng.random() < 0.88:  # a few come from an old system without hire dates
                    hired_on = last_day - dt.timedelta(days=rng.randint(*group.tenure_days))
                recorded = dt.datetime.combine(
                    min(last_day - dt.timedelta(days=rng.randint(7, 40)), today),
                    dt.time(9 + rng.randrange(8), rng.randrange(60)),
                    tzinfo=dt.UTC,
                )
                rows.append(
                    Departure(
                        **person,
                        phone=_phone(rng),
                        language=language,
                        department_id=departments.get(group.department),
                        job_function_id=functions.get(group.function) if group.function else None,
                        location_id=locations.get(location),
                        manager_name=MANAGERS[tenant.slug].get(group.department),
                        hired_on=hired_on,
                        last_day=last_day,
                        exit_type=_weighted(rng, group.exits),
                        regretted=rng.random() < group.regretted,
                        channel=Channel(tenant.default_channel),
                        template_id=template_id,
                        note=rng.choice(NOTES[language]) if rng.random() < 0.25 else None,
                        created_at=recorded,
                    )
                )
        # A few were recorded by mistake (the person stayed after all): cancelled, kept.
        for departure in rng.sample(rows, 2):
            departure.status = DepartureStatus.CANCELLED
            departure.cancelled_at = departure.created_at + dt.timedelta(days=2)
        db.session.add_all(rows)
        db.session.commit()


# --- the leavers before: fifteen months of closed cases ----------------------------------

PAST_MONTHS = 15  # and this month's days gone by
# Each department's yearly attrition over and above the recent leavers (departures ÷
# headcount; the headcounts are in service/demo.py): Het Anker's kitchen loses people
# nearly twice as fast as the company, Maison Lumière its sales staff (most of them at the
# Liège store, as its profile says), Codeway its developers.
ATTRITION = {
    "het-anker": {"Keuken": 0.75, "Zaal": 0.42, "Bar": 0.45, "Administratie": 0.1},
    "maison-lumiere": {"Ventes": 0.32, "Logistique": 0.25, "Marketing": 0.12, "RH": 0.08},
    "codeway": {"Engineering": 0.17, "Support": 0.13, "Sales": 0.1, "People": 0.05},
    "de-zwaan": {"Keuken": 0.6, "Zaal": 0.75, "Bar": 0.55},
    "bistro-margot": {"Keuken": 0.55, "Zaal": 0.8},
    "scheldezicht": {"Receptie": 0.3, "Housekeeping": 0.7, "Keuken": 0.55, "Restaurant": 0.65},
}
# A wave of leavers in the last months (department: factor), as after Codeway's
# reorganisation of its engineering teams (the developers' answers say the new roles were
# not what they signed up for: service/surveys/demo_writing.py SHIFTS): this month and the
# three before, the dashboard's last three (ended) months.
WAVES = {"codeway": {"Engineering": 1.7}}
WAVE_MONTHS = 3
# Of each month's leavers, this share answered (drawn per month).
RESPONSE_RATE = (0.58, 0.8)


def _month(today: dt.date, back: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return dt.date(year, month + 1, 1)


def _days(month: dt.date, today: dt.date) -> int:
    """The days of `month` gone by before `today` (all of them for a past month)."""
    return (min(_month(month, -1), today) - month).days


def _season(groups: list[Group]) -> dict[int, float]:
    """Calendar month → how many of a department's leavers leave then (mean 1): its
    groups' busy months stand out over a steady trickle."""
    weights = dict.fromkeys(range(1, 13), 0.0)
    for group in groups:
        top = max(group.months.values())
        for month in weights:
            weights[month] += group.count * (1 + 0.6 * group.months.get(month, 0) / top)
    mean = sum(weights.values()) / 12
    return {month: weight / mean for month, weight in weights.items()}


def _headcount(department_id, on: dt.date) -> int:
    return (
        db.session.scalar(
            sa.select(DepartmentHeadcount.headcount)
            .where(
                of_current_tenant(DepartmentHeadcount),
                DepartmentHeadcount.department_id == department_id,
                DepartmentHeadcount.effective_from <= on,
            )
            .order_by(DepartmentHeadcount.effective_from.desc())
            .limit(1)
        )
        or 0
    )


def _recorded(month: dt.date) -> dict[dt.date, tuple[int, int]]:
    """Month → (departures, answered) already recorded for leavers of that month."""
    rows = db.session.execute(
        sa.select(Departure.last_day, Departure.status).where(
            of_current_tenant(Departure), Departure.status != DepartureStatus.CANCELLED
        )
    )
    found: dict[dt.date, list[int]] = {}
    for last_day, status in rows:
        counts = found.setdefault(last_day.replace(day=1), [0, 0])
        counts[0] += 1
        counts[1] += status == DepartureStatus.ANSWERED
    return {key: tuple(value) for key, value in found.items() if key >= month}


def seed_tenant_past_departures(tenant, today: dt.date) -> None:
    """The leavers of the fifteen months before this one and of this one so far, beside
    the recent ones:
    as many as each department's headcount and attrition make, in its busy months, each
    case closed — answered (the response_demo writes their answers) or not, at the
    month's response rate. Run after the recent leavers' surveys and interviews, which
    pick among the latest departures; idempotent (a client with closed cases is left
    alone). Inserted in one statement."""
    profile, rates = PROFILES.get(tenant.slug), ATTRITION.get(tenant.slug)
    if profile is None or rates is None:
        return
    with tenant_scope(tenant.id):
        if db.session.scalar(
            sa.select(Departure.id)
            .where(of_current_tenant(Departure), Departure.status == DepartureStatus.CLOSED)
            .limit(1)
        ):
            return
        rng = random.Random(f"past-departures:{tenant.slug}")
        departments, functions, locations = _ids(Department), _ids(JobFunction), _ids(Location)
        template_id = db.session.scalar(
            sa.select(QuestionTemplate.id).where(
                of_current_tenant(QuestionTemplate), QuestionTemplate.is_default
            )
        )
        months = [_month(today, back) for back in range(PAST_MONTHS, -1, -1)]
        recorded = _recorded(months[0])
        used: set[str] = set()
        for name, email in db.session.execute(
            sa.select(Departure.full_name, Departure.work_email).where(of_current_tenant(Departure))
        ):
            used.update((name, (email or "").partition("@")[0]))
        leavers: dict[dt.date, list[dict]] = {month: [] for month in months}
        for department, rate in rates.items():
            groups = [group for group in profile if group.department == department]
            season = _season(groups)
            wave = WAVES.get(tenant.slug, {}).get(department, 1)
            for back, month in enumerate(reversed(months)):
                expected = _headcount(departments[department], month) * rate / 12
                expected *= season[month.month] * (wave if back <= WAVE_MONTHS else 1)
                expected *= _days(month, today) / (_month(month, -1) - month).days
                count = int(expected) + (rng.random() < expected % 1)
                for _ in range(count):
                    group = rng.choices(groups, [g.count for g in groups])[0]
                    leavers[month].append(
                        _past_leaver(rng, tenant, group, month, today, used)
                        | {
                            "department_id": departments[group.department],
                            "job_function_id": functions.get(group.function),
                            "template_id": template_id,
                        }
                    )
        rows = []
        for month, found in leavers.items():
            before, answered_before = recorded.get(month, (0, 0))
            answered = round(rng.uniform(*RESPONSE_RATE) * (len(found) + before))
            more = max(0, min(len(found), answered - answered_before))
            for index in rng.sample(range(len(found)), more):
                found[index]["status"] = DepartureStatus.ANSWERED
            rows += found
        for row in rows:
            row["location_id"] = locations.get(row.pop("location"))
        if rows:
            db.session.execute(sa.insert(Departure), rows)
        db.session.commit()


def _past_leaver(rng, tenant, group: Group, month: dt.date, today: dt.date, used) -> dict:
    location = _weighted(rng, group.locations)
    language = _language(tenant.slug, location, rng)
    last_day = month + dt.timedelta(days=rng.randrange(_days(month, today)))
    hired_on = None
    if rng.random() < 0.88:
        hired_on = last_day - dt.timedelta(days=rng.randint(*group.tenure_days))
    recorded = dt.datetime.combine(
        last_day - dt.timedelta(days=rng.randint(7, 40)),
        dt.time(9 + rng.randrange(8), rng.randrange(60)),
        tzinfo=dt.UTC,
    )
    return {
        "tenant_id": tenant.id,
        **_person(rng, tenant.slug, language, used),
        "phone": _phone(rng),
        "language": language,
        "location": location,
        "manager_name": MANAGERS[tenant.slug].get(group.department),
        "hired_on": hired_on,
        "last_day": last_day,
        "exit_type": _weighted(rng, group.exits),
        "regretted": rng.random() < group.regretted,
        "channel": Channel(tenant.default_channel),
        "note": None,
        "status": DepartureStatus.CLOSED,
        "created_at": recorded,
        # Closed a few weeks after the last day, once the survey had run its course.
        "updated_at": dt.datetime.combine(
            min(last_day + dt.timedelta(days=rng.randint(14, 35)), today),
            dt.time(8 + rng.randrange(9), rng.randrange(60)),
            tzinfo=dt.UTC,
        ),
    }
