"""``flask --app wsgi themes detect``: theme detection for batch use, JSON lines in and out.

Each line in is ``{"id", "lang", "text"}``; each line out is ``{"id", "themes": [keys],
"sentiment"}``, or ``{"id", "error"}`` for a line that cannot be read (bad JSON, a missing
text, a language other than nl, fr, en). One line out per line in, in order, and the run goes
on after an error, so that a batch of a hundred thousand answers is not lost to one bad line.
"""

import json
import sys

import click

from service.insights.detection import detect


@click.group("themes")
def themes_group() -> None:
    """Themes in free-text answers."""


@themes_group.command("detect")
def detect_command() -> None:
    """Read JSON lines {"id", "lang", "text"} on stdin; write {"id", "themes", "sentiment"}."""
    for line in sys.stdin:
        click.echo(json.dumps(answer(line), ensure_ascii=False))


def answer(line: str) -> dict:
    try:
        item = json.loads(line)
    except ValueError as exc:
        return {"id": None, "error": f"not JSON: {exc}"}
    if not isinstance(item, dict):
        return {"id": None, "error": "expected a JSON object with id, lang and text"}
    key = item.get("id")
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": key, "error": "text is missing or not a string"}
    try:
        found = detect(text, item.get("lang"))
    except ValueError as exc:
        return {"id": key, "error": str(exc)}
    return {"id": key, "themes": found.keys, "sentiment": found.sentiment}
