from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated))
    assert generated.read_text() == COMMITTED.read_text(), (
        "docs/openapi.yaml is stale: run "
        "DEBUG=1 .venv/bin/python manage.py spectacular --file docs/openapi.yaml"
    )


def test_schema_is_served(client):
    response = client.get("/api/schema")
    assert response.status_code == 200
    assert b"/sms/send" in response.content
