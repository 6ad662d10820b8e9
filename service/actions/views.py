"""The accountability board (/t/<slug>/actions/): the board and the table, "My actions",
an action's page, the forms that create, edit, move, follow up, close and cancel one.

HR creates and edits every action; an owner moves and follows up their own; leadership
reads everything; interviewers and members see only what they own (service/permissions.py
OWNER_RULES). A move names the revision it was made on: a stale one changes nothing and
shows the action as it is now."""

import datetime as dt
import uuid
from urllib.parse import parse_qsl

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from service.actions import action_form, board, services
from service.actions.action_form import form_data, form_page, posted
from service.actions.evidence import Evidence
from service.actions.labels import LABELS as ACTION_LABELS
from service.actions.labels import card_labels
from service.actions.models import Action, ActionPriority, ActionStatus
from service.actions.schemas import (
    DoneSchema,
    EditSchema,
    MoveSchema,
    ProgressSchema,
)
from service.confirmation import Confirmation, ask, asking
from service.departures.services import structure_choices
from service.i18n import day
from service.insights import outcome
from service.insights.taxonomy import theme_choices, theme_keys, theme_label
from service.insights.thresholds import Thresholds
from service.permissions import can, may, require, require_owner_or_role
from service.refusals import validate_and_apply
from service.rendering import render, to_page
from service.scopes import tenant_blueprint, tenant_today

# The board names a tenant's own themes like the default ones.
LABELS = {**ACTION_LABELS, "theme_label": theme_label}

bp = tenant_blueprint("actions", __name__, "/actions")

# The statuses a card can be moved to from the board; cancelling asks first (its own page).
BOARD_MOVES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED, ActionStatus.DONE)


# --- who sees and moves what -----------------------------------------------------------------


def _owns(action: Action) -> bool:
    return action.owner_membership_id == services.my_membership_id(current_user.id)


def _visible(action_id) -> Action:
    """The action of the URL, if this person may read it (another tenant's: 404)."""
    action = services.action_or_404(action_id)
    require_owner_or_role("tenant.actions.view", _owns(action))
    return action


def _movable(action_id) -> Action:
    action = services.action_or_404(action_id)
    require_owner_or_role("tenant.actions.edit", _owns(action))
    return action


def _may_move(action: Action, me: uuid.UUID | None) -> bool:
    return may(g.role, "tenant.actions.edit", action.owner_membership_id == me)


# --- the board, the table, "My actions" ------------------------------------------------------


def _listing_context(filters: board.BoardFilters) -> dict:
    choices = structure_choices()
    owners = services.owner_choices()
    return {
        "filters": filters,
        "owners": owners,
        "departments": [(row.id, row.name) for row in choices["departments"]],
        "themes": theme_choices(),
        "today": tenant_today(),
        **LABELS,
    }


def _board_page(
    mine: bool, args: MultiDict, board_url: str, notices: dict | None = None, status: int = 200
):
    filters = board.filters_from(args, theme_keys())
    me = services.my_membership_id(current_user.id)
    # Whose actions are shown: everyone's, or only this person's (an agency admin owns none).
    everyone = not mine and can(g.role, "tenant.actions.view_all")
    owner_only = None if everyone else (me or uuid.UUID(int=0))
    table = args.get("view") == "table"
    context = _listing_context(filters)
    if table:
        rows = board.table_page(filters, owner_only, context["today"])
        actions = rows.items
        context["pagination"] = rows
    else:
        columns = board.board_columns(filters, owner_only, context["today"])
        actions = [action for column in columns for action in column.actions]
        context.update(
            columns=columns,
            card_text={**card_labels(), "themes": dict(theme_choices())},
            card_urls=CardUrls(),
        )
    return render(
        "actions/board.html",
        block="table" if table else "board",
        status=status,
        mine=mine,
        table=table,
        endpoint="actions.mine" if mine else "actions.board_view",
        names=board.owner_names(actions),
        movable={action.id for action in actions if _may_move(action, me)},
        notices=notices or {},
        board_url=board_url,
        moves=BOARD_MOVES,
        **context,
    )


_ANY_ID = uuid.UUID(int=0)


class CardUrls:
    """A card's links, built by url_for once per page rather than three times per card."""

    def __init__(self) -> None:
        self._show = self._pattern("actions.show")
        self._move = self._pattern("actions.move")

    @staticmethod
    def _pattern(endpoint: str) -> str:
        return url_for(endpoint, action_id=_ANY_ID).replace(str(_ANY_ID), "{}")

    def show(self, action_id: uuid.UUID) -> str:
        return self._show.format(action_id)

    def move(self, action_id: uuid.UUID) -> str:
        return self._move.format(action_id)


def _here() -> str:
    return request.full_path if request.query_string else request.path


@bp.get("/")
@require("tenant.actions.view")
def board_view():
    return _board_page(mine=False, args=request.args, board_url=_here())


@bp.get("/mine")
@require("tenant.actions.view")
def mine():
    return _board_page(mine=True, args=request.args, board_url=_here())


# --- creating and editing --------------------------------------------------------------------


def _in_one_line(errors: dict) -> str:
    """A form's messages as one sentence, for a flash or a card."""
    return " ".join(message for messages in errors.values() for message in messages)


@bp.get("/new")
@require("tenant.actions.manage")
def new():
    """The form; ``title``, ``description`` and ``themes`` (repeated) may prefill it, so a
    suggestion elsewhere (the good-practice catalogue, an insight) can start an action."""
    form = {
        "title": request.args.get("title", "")[:200],
        "description": request.args.get("description", "")[:6000],
        "themes": [key for key in request.args.getlist("themes") if key in theme_keys()],
        "priority": "normal",
    }
    return form_page(form, {})


@bp.post("/new")
@require("tenant.actions.manage")
def create():
    return action_form.create()


def _form_of(action: Action) -> dict:
    return {
        "title": action.title,
        "description": action.description or "",
        "owner_membership_id": str(action.owner_membership_id),
        "due_on": action.due_on.isoformat(),
        "priority": action.priority.value,
        "themes": action.themes,
        "department_ids": [str(value) for value in action.department_ids],
        "job_function_ids": [str(value) for value in action.job_function_ids],
        "revision": str(action.revision),
    }


@bp.route("/<uuid:action_id>/edit", methods=["GET", "POST"])
@require("tenant.actions.manage")
def edit(action_id: uuid.UUID):
    action = services.action_or_404(action_id)
    if request.method == "GET":
        return form_page(_form_of(action), {}, action=action)
    form = form_data()

    def change(data):
        revision = data.pop("revision")
        return services.edit_action(
            action, revision, actor=current_user, theme_keys=theme_keys(), **data
        )

    _data, changed, errors = validate_and_apply(EditSchema(), form, change)
    if errors:
        if form.get("revision") != str(action.revision):
            # Stale: the form shows the action as it is now, with the message on top.
            return form_page(_form_of(action), errors, 409, action=action)
        return form_page(form, errors, 422, action=action)
    flash(
        _("Action saved.") if changed else _("No changes to save."),
        "success" if changed else "info",
    )
    return to_page(url_for("actions.show", action_id=action.id))


# --- one action ------------------------------------------------------------------------------


def _show_page(action: Action, errors=None, form=None, status=200):
    services.load_links([action])
    choices = structure_choices()
    names = {
        **{row.id: row.name for row in choices["departments"]},
        **{row.id: row.name for row in choices["job_functions"]},
    }
    events = services.history(action)
    me = services.my_membership_id(current_user.id)
    evidence = Evidence.from_json(action.evidence) if action.evidence else None
    owners = board.owner_names_of({action.owner_membership_id, *_owner_ids_in(events)})
    today = tenant_today()
    return render(
        "actions/show.html",
        block="progress_form" if errors is not None else None,
        status=status,
        action=action,
        evidence=evidence,
        events=events,
        actors=services.actor_names(events),
        owner_name=owners.get(action.owner_membership_id, ""),
        names=names,
        change_text=_change_text(names, owners),
        pending_statuses=BOARD_MOVES[:3],
        may_move=_may_move(action, me),
        errors=errors or {},
        form=form or {},
        today=today,
        outcomes=_outcomes(action, today),
        **LABELS,
    )


def _outcomes(action: Action, today: dt.date) -> list | None:
    """Did it work: for a done action on themes, to those who read the insights."""
    if action.status != ActionStatus.DONE or not action.themes or action.done_at is None:
        return None
    if not can(g.role, "tenant.insights.view"):
        return None
    return outcome.outcomes(
        action.themes,
        action.department_ids,
        action.created_at.date(),
        action.done_at.date(),
        today,
        Thresholds.of(g.tenant),
    )


def _owner_ids_in(events) -> set[uuid.UUID]:
    ids = set()
    for event in events:
        for value in event.changes.get("owner_membership_id", []):
            if value:
                ids.add(uuid.UUID(value))
    return ids


def _change_text(names: dict, owners: dict):
    """How the history shows a value it kept as JSON: labels and names, not codes."""

    def text(key: str, value) -> str:
        if value is None or value == []:
            return "–"
        if key == "status":
            return str(ACTION_LABELS["statuses"].get(ActionStatus(value), value))
        if key == "priority":
            return str(ACTION_LABELS["priorities"].get(ActionPriority(value), value))
        if key == "owner_membership_id":
            return owners.get(uuid.UUID(value), "–")
        if key == "due_on":
            return day(dt.date.fromisoformat(value))
        if key == "themes":
            return ", ".join(theme_label(item) for item in value)
        if key in ("department_ids", "job_function_ids"):
            return ", ".join(names.get(uuid.UUID(item), "–") for item in value)
        if key == "published":
            return _("yes") if value else _("no")
        return str(value)

    return text


@bp.get("/<uuid:action_id>")
@require("tenant.actions.view")
def show(action_id: uuid.UUID):
    return _show_page(_visible(action_id))


@bp.post("/<uuid:action_id>/progress")
@require("tenant.actions.edit")
def progress(action_id: uuid.UUID):
    action = _movable(action_id)
    form = posted()
    _data, _done, errors = validate_and_apply(
        ProgressSchema(),
        form,
        lambda data: services.add_progress(
            action, data["note"], data["percent"], actor=current_user
        ),
    )
    if errors:
        return _show_page(action, errors=errors, form=form, status=422)
    flash(_("Progress added."), "success")
    return to_page(url_for("actions.show", action_id=action.id))


def _back() -> str:
    """The board a move was made on, with its filters ("" when it came from elsewhere):
    only a path of this tenant's board is followed back."""
    back = request.values.get("back", "")
    prefix = url_for("actions.board_view")
    if back.startswith(prefix) and not back.startswith("//"):
        return back
    return ""


@bp.post("/<uuid:action_id>/move")
@require("tenant.actions.edit")
def move(action_id: uuid.UUID):
    action = _movable(action_id)
    form = posted()
    back = _back() or url_for("actions.show", action_id=action.id)
    on_board = request.htmx and request.form.get("from") == "board"
    status = form.get("status")
    if status == ActionStatus.DONE.value:
        # Closing needs an outcome note: its own form, on its own page.
        return to_page(url_for("actions.done", action_id=action.id, back=_back() or None))
    if status == ActionStatus.CANCELLED.value:
        return to_page(url_for("actions.cancel", action_id=action.id))
    if action.status == ActionStatus.CANCELLED and not can(g.role, "tenant.actions.manage"):
        return _refused_move(action, on_board, back)
    title = action.title  # read now: the commit expires it, and reading it back costs a query
    data, changed, errors = validate_and_apply(
        MoveSchema(),
        form,
        lambda data: services.move_action(
            action, data["revision"], data["status"], actor=current_user
        ),
    )
    if errors:
        message = _in_one_line(errors)
        if on_board:
            return _board_after_move(action, message, 409)
        flash(message, "error")
        return redirect(back)
    if on_board:
        return _board_after_move(action, None, 200)
    if changed:
        flash(
            _(
                "“%(title)s” is now: %(status)s.",
                title=title,
                status=ACTION_LABELS["statuses"][ActionStatus(data["status"])],
            ),
            "success",
        )
    return redirect(back)


def _refused_move(action: Action, on_board: bool, back: str):
    message = _("Only HR can re-open a cancelled action.")
    if on_board:
        return _board_after_move(action, message, 409)
    flash(message, "error")
    return redirect(back)


def _board_after_move(action: Action, message: str | None, status: int):
    """The board as it is now, the moved card carrying the message (or the news)."""
    board_url = _back()
    args = MultiDict(parse_qsl(board_url.partition("?")[2]))
    if message is None:
        message = _("Moved to %(status)s.", status=ACTION_LABELS["statuses"][action.status])
    mine = board_url.startswith(url_for("actions.mine"))
    return _board_page(mine, args, board_url, notices={action.id: message}, status=status)


@bp.route("/<uuid:action_id>/done", methods=["GET", "POST"])
@require("tenant.actions.edit")
def done(action_id: uuid.UUID):
    action = _movable(action_id)
    back = _back() or url_for("actions.show", action_id=action.id)
    if request.method == "GET":
        form = {"outcome": action.outcome or "", "revision": str(action.revision)}
        return _done_page(action, form, {}, back)
    form = posted()
    _data, _changed, errors = validate_and_apply(
        DoneSchema(),
        form,
        lambda data: services.move_action(
            action,
            data["revision"],
            ActionStatus.DONE,
            actor=current_user,
            outcome=data["outcome"],
        ),
    )
    if errors:
        status = 409 if form.get("revision") != str(action.revision) else 422
        return _done_page(action, form, errors, back, status)
    flash(_("“%(title)s” is done.", title=action.title), "success")
    return to_page(back)


def _done_page(action, form, errors, back, status=200):
    return render(
        "actions/done.html",
        block="done_form",
        status=status,
        action=action,
        form=form,
        errors=errors,
        back=back,
        **LABELS,
    )


@bp.post("/<uuid:action_id>/reopen")
@require("tenant.actions.edit")
def reopen(action_id: uuid.UUID):
    action = _movable(action_id)
    back = url_for("actions.show", action_id=action.id)
    if action.status == ActionStatus.CANCELLED and not can(g.role, "tenant.actions.manage"):
        flash(_("Only HR can re-open a cancelled action."), "error")
        return redirect(back)
    _data, changed, errors = validate_and_apply(
        MoveSchema(only=("revision",)),
        posted(),
        lambda data: services.reopen_action(action, data["revision"], actor=current_user),
    )
    if errors:
        flash(_in_one_line(errors), "error")
    elif changed:
        flash(_("“%(title)s” is open again.", title=action.title), "success")
    return redirect(back)


@bp.route("/<uuid:action_id>/cancel", methods=["GET", "POST"])
@require("tenant.actions.manage")
def cancel(action_id: uuid.UUID):
    action = services.action_or_404(action_id)
    back = url_for("actions.show", action_id=action.id)
    if asking():
        return ask(
            Confirmation(
                question=_("Cancel the action “%(title)s”?", title=action.title),
                consequences=[
                    _("It leaves the board's open columns; its history and progress are kept."),
                    _("Its owner no longer has to do it."),
                ],
                confirm=_("Cancel the action"),
                back=back,
                back_label=_("Keep it"),
                undo=_("HR can re-open it from its page."),
                refusal=_("This action is already cancelled.")
                if action.status == ActionStatus.CANCELLED
                else None,
                fields=[("revision", str(action.revision))],
            )
        )
    _data, changed, errors = validate_and_apply(
        MoveSchema(only=("revision",)),
        posted(),
        lambda data: services.move_action(
            action, data["revision"], ActionStatus.CANCELLED, actor=current_user
        ),
    )
    if errors:
        flash(_in_one_line(errors), "error")
    elif changed:
        flash(_("“%(title)s” is cancelled.", title=action.title), "success")
    return redirect(back)
