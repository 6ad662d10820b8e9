"""`flask --app wsgi themes detect`: JSON lines in, one JSON line out for each, ids kept."""

import json


def run(app, lines: list[str]) -> list[dict]:
    result = app.test_cli_runner().invoke(
        args=["themes", "detect"], input="".join(f"{line}\n" for line in lines)
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_one_line_out_per_line_in_with_the_ids_kept(migrated_app):
    lines = [
        json.dumps({"id": "a1", "lang": "nl", "text": "Te veel werkdruk en te weinig loon."}),
        json.dumps({"id": 2, "lang": "fr", "text": "Le chef me tirait dessus pour un rien."}),
        json.dumps({"id": "a3", "lang": "en", "text": "Great team, thanks for everything!"}),
    ]
    out = run(migrated_app, lines)
    assert out == [
        {"id": "a1", "themes": ["compensation", "workload"], "sentiment": "negative"},
        {"id": 2, "themes": ["management"], "sentiment": "negative"},
        {"id": "a3", "themes": [], "sentiment": "positive"},
    ]


def test_a_bad_line_is_answered_with_an_error_and_the_run_goes_on(migrated_app):
    lines = [
        json.dumps({"id": "de", "lang": "de", "text": "Das Gehalt war zu niedrig."}),
        "{not json",
        json.dumps({"id": "no-text", "lang": "en"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": "ok", "lang": "en", "text": "My manager never listened."}),
    ]
    out = run(migrated_app, lines)
    assert len(out) == len(lines)
    assert out[0]["id"] == "de"
    assert "unsupported language" in out[0]["error"]
    assert out[1]["id"] is None
    assert "not JSON" in out[1]["error"]
    assert out[2] == {"id": "no-text", "error": "text is missing or not a string"}
    assert out[3]["id"] is None
    assert "error" in out[3]
    assert out[4]["id"] is None
    assert "error" in out[4]
    assert out[5] == {"id": "ok", "themes": ["management"], "sentiment": "negative"}


def test_non_ascii_text_is_written_as_it_is(migrated_app):
    line = json.dumps({"id": "é", "lang": "fr", "text": "Salaire trop bas, ça va pas."})
    (out,) = run(migrated_app, [line])
    assert out["id"] == "é"
    assert out["themes"] == ["compensation"]
