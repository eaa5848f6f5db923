"""Export and import of all templates as one JSON file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from sms_gateway.catalog.defaults import shipped
from sms_gateway.models import Template

pytestmark = pytest.mark.django_db


def export(tmp_path):
    path = tmp_path / "templates.json"
    call_command("export_templates", str(path), stderr=io.StringIO())
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_export_writes_every_template(tmp_path):
    _, document = export(tmp_path)
    assert document["format"] == 1
    assert len(document["templates"]) == len(shipped()) == 189
    assert {"type": "SignIn", "locale": "ja", "text": shipped()[("SignIn", "ja")]} in document[
        "templates"
    ]


def test_export_to_stdout(capsys):
    call_command("export_templates")
    assert json.loads(capsys.readouterr().out)["format"] == 1


def test_round_trip_moves_edits_between_environments(tmp_path):
    Template.objects.filter(type="SignIn", locale="de").update(text="Code: {{code}}")
    Template.objects.create(type="SignIn", locale="nl", text="Uw code is {{code}}.")
    path, _ = export(tmp_path)

    Template.objects.all().delete()  # another, empty environment
    call_command("load_templates", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_templates", str(path), stdout=out)

    assert out.getvalue().strip() == "1 created, 1 updated, 188 unchanged."
    german = Template.objects.get(type="SignIn", locale="de")
    assert german.text == "Code: {{code}}" and german.is_customized
    assert Template.objects.get(type="SignIn", locale="nl").is_customized
    assert not Template.objects.get(type="SignIn", locale="fr").is_customized


def test_import_checks_everything_first_and_writes_nothing_on_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "format": 1,
                "templates": [
                    {"type": "SignIn", "locale": "en", "text": "Fine {{code}}"},
                    {"type": "SignIn", "locale": "fr", "text": "Pas de code"},
                    {"type": "Nope", "locale": "fr", "text": "x"},
                    {"type": "Generic", "locale": "not a tag", "text": "{{code}}"},
                ],
            }
        )
    )
    with pytest.raises(CommandError) as err:
        call_command("import_templates", str(path))
    message = str(err.value)
    assert "#2 (SignIn / fr): A SignIn message must contain {{code}}." in message
    assert "#3 (Nope / fr): unknown type." in message
    assert "#4 (Generic / not a tag): not a BCP-47 locale." in message
    assert Template.objects.get(type="SignIn", locale="en").text == shipped()[("SignIn", "en")]


def test_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(
        json.dumps({"templates": [{"type": "SignIn", "locale": "en", "text": "X {{code}}"}]})
    )
    out = io.StringIO()
    call_command("import_templates", str(path), "--dry-run", stdout=out)
    assert out.getvalue().strip() == (
        "0 created, 1 updated, 0 unchanged. Dry run: nothing was written."
    )
    assert Template.objects.get(type="SignIn", locale="en").text == shipped()[("SignIn", "en")]


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_templates", str(path))
