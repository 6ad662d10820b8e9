"""Demo actions: a board per demo client that follows from its leavers' story, with
actions in every state, some overdue, some done with an outcome and a published summary,
owners among the demo people and a history over the past months.

Het Anker answers its kitchen's summer departures (split shifts, workload), Maison Lumière
its Liège store's sales staff, Codeway its developers (career path, pay). Dates count from
``today``; a client that has actions is left alone (idempotent).
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from service.accounts.models import User
from service.actions.models import (
    Action,
    ActionDepartment,
    ActionEvent,
    ActionJobFunction,
    ActionPriority,
    ActionStatus,
    ActionTheme,
    EventKind,
)
from service.extensions import db
from service.model_types import new_id
from service.tenancy import of_current_tenant, tenant_scope
from service.tenants.models import Department, JobFunction, Membership

OPEN, IN_PROGRESS, BLOCKED, DONE, CANCELLED = (
    ActionStatus.OPEN,
    ActionStatus.IN_PROGRESS,
    ActionStatus.BLOCKED,
    ActionStatus.DONE,
    ActionStatus.CANCELLED,
)
LOW, NORMAL, HIGH = ActionPriority.LOW, ActionPriority.NORMAL, ActionPriority.HIGH


@dataclass(frozen=True)
class Step:
    """A progress update ``days_ago``: a note and how far along."""

    days_ago: int
    note: str
    percent: int | None = None


@dataclass(frozen=True)
class DemoAction:
    title: str
    description: str
    owner: str  # the demo person's address (before the @)
    status: ActionStatus
    created_days_ago: int
    due_in_days: int  # negative: the due date has passed
    themes: tuple[str, ...]
    priority: ActionPriority = NORMAL
    departments: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    ended_days_ago: int | None = None  # done or cancelled
    end_note: str | None = None  # the outcome, the reason for cancelling, what blocks it
    public_summary: str | None = None  # done and published on "You said, we did"
    evidence: dict | None = None
    hr: str = "hr.admin"  # who created it


def _evidence(themes, filters, months_ago, respondents, counts, quotes, today) -> dict:
    start = today.replace(day=1) - dt.timedelta(days=30 * months_ago)
    return {
        "themes": list(themes),
        "filters": filters,
        "period_from": start.isoformat(),
        "period_to": (start + dt.timedelta(days=90)).isoformat(),
        "respondents": respondents,
        "counts": counts,
        "quotes": list(quotes),
        "source": "insights",
    }


def _het_anker(today: dt.date) -> list[DemoAction]:
    kitchen = _evidence(
        ("workload", "flexibility"),
        {"Afdeling": "Keuken", "Type vertrek": "Vrijwillig"},
        6,
        11,
        {"noemden werkdruk": 8, "noemden gebroken diensten": 7, "antwoordden": 11},
        (
            "Door de gebroken diensten zat ik van tien tot middernacht vast aan de zaak.",
            "In juli stonden we met drie in de keuken voor een vol terras.",
        ),
        today,
    )
    return [
        DemoAction(
            "Zomerrooster van de keuken herbekijken",
            "Acht van de elf koks die vorige zomer vertrokken, noemden de werkdruk en de "
            "gebroken diensten. Nieuw basisrooster voor juni tot augustus: minder gebroken "
            "diensten, minstens vier mensen in de keuken bij terrasweer, rooster twee weken "
            "vooraf bekend.",
            "hr",
            IN_PROGRESS,
            45,
            12,
            ("workload", "flexibility"),
            HIGH,
            ("Keuken",),
            ("Kok",),
            (
                Step(38, "Drukte per uur van vorige zomer uit de kassa gehaald.", 20),
                Step(20, "Eerste voorstel besproken met de chef-koks van Gent en Brugge.", 45),
                Step(6, "Proefrooster loopt twee weken in Gent: nog één gebroken dienst.", 60),
            ),
            evidence=kitchen,
        ),
        DemoAction(
            "Jobstudenten inplannen voor het terrasseizoen",
            "Zes extra jobstudenten of flexi-jobbers voor de zaal en de afwas in juli en "
            "augustus, ingewerkt vóór 15 juni.",
            "marc.goossens",
            BLOCKED,
            60,
            -5,
            ("workload",),
            HIGH,
            ("Zaal", "Keuken"),
            steps=(Step(40, "Vacature bij de hogeschool en op de flexi-jobsite geplaatst.", 30),),
            end_note="Wacht op het personeelsbudget van de directie voor de zomer.",
            hr="hr",
        ),
        DemoAction(
            "Lonen van de koks vergelijken met de barema's van PC 302",
            "Per functie het brutoloon naast het barema van PC 302 en naast twee brasserieën "
            "in Gent leggen, fooien en maaltijden meegerekend.",
            "hr.admin",
            OPEN,
            10,
            2,
            ("compensation",),
            NORMAL,
            ("Keuken",),
            ("Kok",),
        ),
        DemoAction(
            "Teamafspraken tussen keuken en zaal",
            "Een uur samen met keuken en zaal: overdracht bij de dienstwissel, wie wat doet "
            "in de rush en hoe we elkaar aanspreken.",
            "member",
            IN_PROGRESS,
            30,
            -3,
            ("team",),
            NORMAL,
            ("Keuken", "Zaal"),
            steps=(Step(12, "Datum gekozen; de chef en de zaalverantwoordelijke zijn erbij.", 30),),
            hr="hr",
        ),
        DemoAction(
            "Exitfeedback elk kwartaal met de directie bespreken",
            "Vast agendapunt op het kwartaaloverleg: thema's, afdelingen met het meeste "
            "vertrek en de stand van de acties.",
            "interviewer",
            OPEN,
            8,
            21,
            ("other",),
            LOW,
        ),
        DemoAction(
            "Het onthaalmateriaal voor keuken en zaal vernieuwen",
            "Onthaalbrochure, checklist voor de eerste dag en de fiches van de keuken "
            "nalopen met twee nieuwe collega's.",
            "ilse.wouters",
            DONE,
            150,
            -100,
            ("training",),
            NORMAL,
            ("Keuken", "Zaal"),
            steps=(Step(130, "Brochure nagelezen met Jana en Wout.", 50),),
            ended_days_ago=105,
            end_note="Nieuwe onthaalbrochure en checklist in gebruik sinds de laatste "
            "aanwervingen; de drie nieuwe koks vonden de eerste week duidelijker.",
            public_summary="Nieuwe collega's krijgen een vernieuwde onthaalbrochure, een "
            "checklist voor de eerste dag en een vast aanspreekpunt in de keuken of de zaal.",
        ),
        DemoAction(
            "Een pluimenbord in de personeelsruimte",
            "Een bord waar collega's elkaar een pluim geven; de zaalverantwoordelijke leest "
            "er elke week een paar voor.",
            "emma.mertens",
            DONE,
            120,
            -60,
            ("recognition",),
            LOW,
            steps=(Step(95, "Bord hangt in Gent; Brugge volgt.", 60),),
            ended_days_ago=70,
            end_note="Het bord hangt in beide zaken en wordt elke week gebruikt.",
            public_summary="In beide zaken hangt een pluimenbord: collega's bedanken elkaar "
            "voor goed werk en we lezen de pluimen elke week voor.",
        ),
        DemoAction(
            "Meeloopmoment voor kandidaat-koks",
            "Kandidaten een halve dienst laten meelopen in de keuken voor ze beslissen.",
            "wout.peeters",
            CANCELLED,
            90,
            -30,
            ("role_fit",),
            LOW,
            ("Keuken",),
            ended_days_ago=50,
            end_note="Vervangen door een rondleiding en een gesprek met een kok: meelopen "
            "tijdens de dienst bleek te druk.",
            hr="hr",
        ),
    ]


def _maison_lumiere(today: dt.date) -> list[DemoAction]:
    liege = _evidence(
        ("workload", "management"),
        {"Lieu": "Liège Vinâve", "Fonction": "Vendeur·euse"},
        5,
        9,
        {"ont cité la charge de travail": 6, "ont cité le manager": 5, "ont répondu": 9},
        (
            "Le samedi, on était deux pour tout le magasin et la caisse.",
            "Les horaires changeaient d'une semaine à l'autre, sans prévenir.",
        ),
        today,
    )
    return [
        DemoAction(
            "Revoir les horaires du magasin de Liège",
            "Six des neuf vendeurs partis de Liège citent la charge de travail et des "
            "horaires imprévisibles. Nouvel horaire de base, affiché deux semaines à "
            "l'avance, au moins trois vendeurs le samedi.",
            "olivier.renard",
            IN_PROGRESS,
            50,
            -4,
            ("workload", "flexibility"),
            HIGH,
            ("Ventes",),
            ("Vendeur·euse",),
            (
                Step(35, "Fréquentation par heure analysée avec la gérante de Liège.", 30),
                Step(14, "Projet d'horaire présenté à l'équipe, remarques intégrées.", 55),
            ),
            evidence=liege,
            hr="hr",
        ),
        DemoAction(
            "Former les gérants de magasin aux entretiens individuels",
            "Une demi-journée de formation pour les trois gérants, puis un entretien "
            "individuel mensuel avec chaque vendeur.",
            "sarah.lejeune",
            BLOCKED,
            70,
            -12,
            ("management",),
            NORMAL,
            ("Ventes",),
            ("Gérant·e de magasin",),
            steps=(Step(45, "Formateur choisi, programme validé.", 25),),
            end_note="Le formateur a annulé la session de novembre : nouvelle date à trouver.",
        ),
        DemoAction(
            "Mettre à jour le matériel d'accueil des vendeurs",
            "Brochure d'accueil, fiche caisse et check-list du premier jour, relues avec "
            "deux vendeurs arrivés cette année.",
            "hr",
            OPEN,
            6,
            3,
            ("training",),
            NORMAL,
            ("Ventes",),
        ),
        DemoAction(
            "Un tableau de remerciements dans la réserve",
            "Un tableau où l'équipe remercie un collègue pour un coup de main concret.",
            "member",
            OPEN,
            4,
            14,
            ("recognition",),
            LOW,
        ),
        DemoAction(
            "Lancer un parrainage au magasin d'Anvers",
            "Chaque nouveau vendeur d'Antwerpen Meir a un parrain ou une marraine pendant "
            "trois mois.",
            "jens.willems",
            IN_PROGRESS,
            25,
            30,
            ("training", "team"),
            NORMAL,
            ("Ventes",),
            steps=(Step(10, "Trois parrains volontaires, premier binôme lancé.", 40),),
        ),
        DemoAction(
            "Comparer les salaires des vendeurs aux barèmes de la CP 311",
            "Salaire brut par fonction face au barème de la CP 311 et aux enseignes "
            "voisines, suppléments du dimanche compris.",
            "hr.admin",
            DONE,
            160,
            -110,
            ("compensation",),
            HIGH,
            ("Ventes",),
            ("Vendeur·euse",),
            steps=(Step(140, "Comparaison faite pour les trois magasins.", 70),),
            ended_days_ago=115,
            end_note="Salaires des vendeurs relevés de 4 % au-dessus du barème ; supplément "
            "du dimanche porté à 50 %.",
            public_summary="Nous avons comparé nos salaires au barème du secteur : les "
            "vendeurs sont augmentés et le travail du dimanche est mieux payé.",
        ),
        DemoAction(
            "Réécrire l'offre d'emploi de vendeur",
            "Offre et description de fonction réécrites avec deux vendeurs : horaires "
            "réels, samedis, tâches en réserve.",
            "manon.simon",
            DONE,
            100,
            -50,
            ("role_fit",),
            NORMAL,
            ("Ventes",),
            ("Vendeur·euse",),
            ended_days_ago=55,
            end_note="Nouvelle offre en ligne ; les candidats savent d'emblée qu'un samedi "
            "sur deux est travaillé.",
            public_summary="Nos offres d'emploi décrivent maintenant le métier tel qu'il "
            "est : les vrais horaires, les samedis et le travail en réserve.",
            hr="hr",
        ),
        DemoAction(
            "Proposer des vélos en leasing",
            "Vélos en leasing pour les équipes de Bruxelles et de Liège.",
            "ines.bertrand",
            CANCELLED,
            80,
            -20,
            ("conditions",),
            LOW,
            ended_days_ago=40,
            end_note="Remplacé par le remboursement complet des transports en commun, "
            "davantage demandé.",
        ),
    ]


def _codeway(today: dt.date) -> list[DemoAction]:
    developers = _evidence(
        ("growth", "compensation"),
        {"Department": "Engineering", "Function": "Software developer"},
        6,
        12,
        {"mentioned career growth": 9, "mentioned pay": 6, "answered": 12},
        (
            "I could not see what a senior role here would look like.",
            "Recruiters offered me more and a clear title within a week.",
        ),
        today,
    )
    return [
        DemoAction(
            "Publish an engineering career ladder",
            "Nine of twelve developers who left mentioned career growth. Write the levels "
            "from junior to staff engineer, what each one takes and how promotion works.",
            "tim.lemmens",
            IN_PROGRESS,
            55,
            20,
            ("growth",),
            HIGH,
            ("Engineering",),
            ("Software developer", "Team lead"),
            (
                Step(40, "Draft levels shared with the team leads.", 30),
                Step(15, "Feedback from two engineering guild sessions folded in.", 50),
            ),
            evidence=developers,
        ),
        DemoAction(
            "Hold stay interviews with every developer",
            "Each team lead holds a short stay interview with every developer this quarter; "
            "People groups the answers per team.",
            "leadership",
            OPEN,
            9,
            2,
            ("culture", "management"),
            NORMAL,
            ("Engineering",),
            hr="hr",
        ),
        DemoAction(
            "Fix the top five tooling complaints",
            "Slow CI, old laptops, flaky staging: pick the five most named, give each an "
            "owner and a date.",
            "lucas.wuyts",
            BLOCKED,
            40,
            -6,
            ("conditions",),
            NORMAL,
            ("Engineering", "Support"),
            steps=(Step(25, "CI build time down from 22 to 9 minutes.", 40),),
            end_note="New laptops wait for the procurement round in January.",
        ),
        DemoAction(
            "Start a buddy programme for new developers",
            "Every new developer gets a buddy outside their team for three months.",
            "member",
            IN_PROGRESS,
            35,
            -2,
            ("training", "team"),
            NORMAL,
            ("Engineering",),
            steps=(Step(18, "Eight volunteers signed up as buddies.", 50),),
            hr="hr",
        ),
        DemoAction(
            "Train team leads in one-to-ones",
            "A half-day course for the six team leads, then a monthly one-to-one with "
            "every developer.",
            "nele.vandamme",
            OPEN,
            3,
            40,
            ("management",),
            LOW,
            ("Engineering",),
            ("Team lead",),
        ),
        DemoAction(
            "Benchmark developer pay against PC 200 and the market",
            "Pay per level against the PC 200 scales and a recent Belgian salary survey "
            "for software developers.",
            "hr.admin",
            DONE,
            170,
            -120,
            ("compensation",),
            HIGH,
            ("Engineering",),
            ("Software developer",),
            steps=(Step(150, "Survey data bought; comparison per level done.", 60),),
            ended_days_ago=125,
            end_note="Medior and senior developers raised 6 % to market median; yearly "
            "benchmark planned every September.",
            public_summary="We compared our developers' pay with the market and raised it "
            "where it fell behind; we now check it every year.",
            evidence=developers,
        ),
        DemoAction(
            "Agree a clear remote-work policy",
            "Two office days a team chooses together, a home-working allowance and a "
            "second screen for everyone.",
            "priya.raman",
            DONE,
            130,
            -75,
            ("flexibility",),
            NORMAL,
            ended_days_ago=80,
            end_note="Policy signed off and in the work rules; allowance paid since October.",
            public_summary="Every team now agrees its own two office days, and everyone "
            "gets a home-working allowance and a second screen.",
            hr="hr",
        ),
        DemoAction(
            "Internal hackathon on developer experience",
            "A two-day hackathon on internal tooling.",
            "tim.lemmens",
            CANCELLED,
            60,
            -15,
            ("culture",),
            LOW,
            ended_days_ago=30,
            end_note="Folded into the tooling action: the same problems, one owner.",
        ),
    ]


STORIES = {"het-anker": _het_anker, "maison-lumiere": _maison_lumiere, "codeway": _codeway}


def _at(today: dt.date, days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour), dt.UTC)


def seed_tenant_actions(tenant, today: dt.date) -> None:
    story = STORIES.get(tenant.slug)
    if story is None:
        return
    with tenant_scope(tenant.id):
        if db.session.scalar(sa.select(Action.id).where(of_current_tenant(Action)).limit(1)):
            return
        people = {
            user.email.split("@")[0]: (membership_id, user)
            for membership_id, user in db.session.execute(
                sa.select(Membership.id, User)
                .join(User, User.id == Membership.user_id)
                .where(of_current_tenant(Membership), Membership.assigned_by_agency.is_(False))
            )
        }
        departments = _ids(Department)
        functions = _ids(JobFunction)
        for spec in story(today):
            _seed_action(spec, today, people, departments, functions)
        db.session.commit()


def _ids(model) -> dict[str, object]:
    rows = db.session.execute(sa.select(model.name, model.id).where(of_current_tenant(model)))
    return {row.name: row.id for row in rows}


def _seed_action(spec: DemoAction, today, people, departments, functions) -> None:
    owner_id, owner = people[spec.owner]
    creator = people[spec.hr][1]
    created = _at(today, spec.created_days_ago, 9)
    ended = _at(today, spec.ended_days_ago, 16) if spec.ended_days_ago is not None else None
    percent = spec.steps[-1].percent if spec.steps else None
    action = Action(
        id=new_id(),
        title=spec.title,
        description=spec.description,
        owner_membership_id=owner_id,
        due_on=today + dt.timedelta(days=spec.due_in_days),
        status=spec.status,
        priority=spec.priority,
        evidence=spec.evidence,
        progress_percent=100 if spec.status == DONE else percent,
        outcome=spec.end_note if spec.status == DONE else None,
        published=spec.public_summary is not None,
        public_summary=spec.public_summary,
        created_by=creator.id,
        created_at=created,
        updated_at=ended or _at(today, spec.steps[-1].days_ago if spec.steps else 0, 11),
        done_at=ended if spec.status == DONE else None,
    )
    action.theme_rows = [ActionTheme(theme=theme) for theme in spec.themes]
    action.department_rows = [
        ActionDepartment(department_id=departments[n]) for n in spec.departments
    ]
    action.job_function_rows = [
        ActionJobFunction(job_function_id=functions[name]) for name in spec.functions
    ]
    db.session.add(action)
    db.session.flush()
    events = [
        ActionEvent(action_id=action.id, actor_id=creator.id, at=created, kind=EventKind.CREATED)
    ]
    if spec.status != OPEN and spec.steps:
        started = _at(today, spec.steps[0].days_ago + 1, 9)
        events.append(_moved(action, owner, started, OPEN, IN_PROGRESS))
    for step in spec.steps:
        events.append(
            ActionEvent(
                action_id=action.id,
                actor_id=owner.id,
                at=_at(today, step.days_ago, 14),
                kind=EventKind.PROGRESS,
                note=step.note,
                percent=step.percent,
            )
        )
    before = IN_PROGRESS if spec.steps else OPEN
    if spec.status == BLOCKED:
        last = spec.steps[-1].days_ago if spec.steps else spec.created_days_ago
        event = _moved(action, owner, _at(today, max(last - 5, 1), 15), before, BLOCKED)
        event.note = spec.end_note
        events.append(event)
    elif spec.status in (DONE, CANCELLED):
        kind = EventKind.DONE if spec.status == DONE else EventKind.CANCELLED
        events.append(
            ActionEvent(
                action_id=action.id,
                actor_id=owner.id,
                at=ended,
                kind=kind,
                changes={"status": [before.value, spec.status.value]},
                note=spec.end_note,
            )
        )
    if spec.public_summary is not None:
        events.append(
            ActionEvent(
                action_id=action.id,
                actor_id=creator.id,
                at=ended + dt.timedelta(days=2),
                kind=EventKind.PUBLISHED,
                changes={"published": [False, True], "public_summary": [None, spec.public_summary]},
            )
        )
    db.session.add_all(events)


def _moved(action, owner, at, before, after) -> ActionEvent:
    return ActionEvent(
        action_id=action.id,
        actor_id=owner.id,
        at=at,
        kind=EventKind.MOVED,
        changes={"status": [before.value, after.value]},
    )
