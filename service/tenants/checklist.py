"""The getting-started checklist on a client's home: what is set up and what comes next."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from service.permissions import can


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    # The step's page when the person's role may open it; None: plain text.
    endpoint: str | None = None
    coming_soon: bool = False


def getting_started(counts: dict[str, int], role: str) -> list[Step]:
    """The steps, or none once every step that can be taken today is done."""

    def page(endpoint: str, action: str) -> str | None:
        return endpoint if can(role, action) else None

    structure = "tenant.structure.view"
    steps = [
        Step(
            _l("Add your departments"),
            counts["departments"] > 0,
            page("tenants.departments", structure),
        ),
        Step(
            _l("Add your functions"),
            counts["job_functions"] > 0,
            page("tenants.job_functions", structure),
        ),
        Step(
            _l("Add your locations"), counts["locations"] > 0, page("tenants.locations", structure)
        ),
        # The first HR admin is one member: the team starts with the second.
        Step(
            _l("Invite your HR team"),
            counts["members"] > 1,
            page("members.index", "tenant.members.manage"),
        ),
        Step(
            _l("Prepare your question templates"),
            counts["published_templates"] > 0,
            page("surveys.index", "tenant.templates.view"),
        ),
        Step(
            _l("Record your first departure"),
            counts["departures"] > 0,
            page("departures.index", "tenant.departures.view"),
        ),
    ]
    if all(step.done for step in steps if not step.coming_soon):
        return []
    return steps
