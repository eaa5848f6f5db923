"""The built wheel carries what an installed gateway reads: the admin's templates and
the 189 shipped SMS texts (issue 16). The wheel is built from a clean copy of the
checkout and installed (its own files only) into a scratch directory, which is first
on the path of the processes below and holds no checkout: they run from another one.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from sms_gateway.catalog.completeness import SHIPPED_LOCALES, describe, missing_pairs
from sms_gateway.catalog.defaults import shipped
from sms_gateway.core.message_types import KNOWN_TYPES
from sms_gateway.models import Template

from .services import ROOT

IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "db.sqlite3", "staticfiles"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, work / "src", ignore=IGNORED)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"),
         str(work / "src")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [built] = (work / "dist").glob("*.whl")
    return built


@pytest.fixture
def installed(wheel, tmp_path) -> Path:
    """The wheel's files under site/, as pip puts them in site-packages."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def in_installed(site: Path, tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    """Python with the installed package first on the path, from outside any checkout."""
    run_dir = tmp_path / "run"
    run_dir.mkdir(exist_ok=True)
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "SMS_", "PYTHON"))
    }
    clean.update(
        PYTHONPATH=str(site),
        DJANGO_SETTINGS_MODULE="sms_gateway.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=run_dir,
        env=clean,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_wheel_carries_every_template_and_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        "sms_gateway/templates/" + str(p.relative_to(ROOT / "templates"))
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    package = {  # modules, the admin's static files: everything but bytecode
        str(p.relative_to(ROOT))
        for p in (ROOT / "sms_gateway").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert len([t for t in templates if t.endswith(".json")]) == len(SHIPPED_LOCALES)
    assert "sms_gateway/templates/admin/base_site.html" in templates
    assert templates - names == set()
    assert package - names == set()
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert (
        "sms-gateway = sms_gateway.__main__:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


def test_an_installed_gateway_reads_its_templates_from_the_package(installed, tmp_path):
    code = """
import django, sms_gateway
django.setup()
from django.template.loader import get_template
from sms_gateway.catalog.defaults import shipped
print(sms_gateway.__file__)
print(len(shipped()))
print(get_template("admin/base_site.html").origin.name)
print(get_template("admin/sms_gateway/dashboard/dashboard.html").origin.name)
"""
    done = in_installed(installed, tmp_path, code)
    assert done.returncode == 0, done.stderr
    package, texts, base_site, dashboard = done.stdout.split()
    assert package == str(installed / "sms_gateway" / "__init__.py")
    assert int(texts) == len(KNOWN_TYPES) * len(SHIPPED_LOCALES) == 189
    assert base_site == str(installed / "sms_gateway/templates/admin/base_site.html")
    assert dashboard.startswith(str(installed / "sms_gateway/templates/"))


def test_setup_of_an_installed_gateway_loads_189_and_refuses_a_missing_language(
    installed, tmp_path
):
    setup = "from sms_gateway.__main__ import main; import sys; sys.argv[1:] = ['setup']; main()"
    done = in_installed(installed, tmp_path, setup)
    assert done.returncode == 0, done.stderr
    assert "Templates: 189 in the database" in done.stdout

    # A package that lost a language: setup says which pairs, and fails.
    (installed / "sms_gateway/templates/sms/ja.json").unlink()
    (tmp_path / "gateway.sqlite3").unlink()
    done = in_installed(installed, tmp_path, setup)
    assert done.returncode != 0
    assert "9 shipped templates are missing: ja (all 9 types)" in done.stderr


def test_an_installed_gateway_without_texts_refuses_to_start(installed, tmp_path):
    shutil.rmtree(installed / "sms_gateway/templates/sms")
    check = "from sms_gateway.__main__ import main; import sys; sys.argv[1:] = ['check']; main()"
    production = in_installed(
        installed,
        tmp_path,
        check,
        DEBUG="0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="sms.example.com",
        SMS_GATEWAY_TOKENS="Bearer t",
    )
    assert production.returncode != 0
    assert "sms_gateway.E040" in production.stderr
    assert "No shipped SMS texts in " + str(installed) in production.stderr
    development = in_installed(installed, tmp_path, check)
    assert development.returncode == 0 and "sms_gateway.W040" in development.stderr


# --- setup names what is missing, in the checkout's own process -----------------------


@pytest.fixture
def partial_texts(tmp_path):
    """A shipped folder with en without BindMfa and no other language."""
    import json

    folder = tmp_path / "sms"
    folder.mkdir()
    en = json.loads((ROOT / "templates/sms/en.json").read_text())
    del en["BindMfa"]
    (folder / "en.json").write_text(json.dumps(en))
    shipped.cache_clear()
    with override_settings(SHIPPED_SMS_DIR=folder):
        yield folder
    shipped.cache_clear()


@pytest.mark.django_db
def test_setup_fails_naming_the_missing_pairs(partial_texts):
    Template.objects.exclude(locale="en").delete()
    Template.objects.filter(type="BindMfa").delete()
    with pytest.raises(CommandError) as raised:
        call_command("setup", stdout=io.StringIO())
    message = str(raised.value)
    assert message.startswith("181 shipped templates are missing: ar (all 9 types);")
    assert "; en: BindMfa; es (all 9 types);" in message
    assert str(partial_texts) in message


@pytest.mark.django_db
def test_setup_succeeds_with_every_pair():
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert "Templates: 189 in the database" in out.getvalue()


# --- the pure part ----------------------------------------------------------------------


def test_missing_pairs():
    every = {(kind, locale) for kind in KNOWN_TYPES for locale in SHIPPED_LOCALES}
    assert len(every) == 189
    assert missing_pairs(every) == []
    assert len(missing_pairs([])) == 189
    assert missing_pairs(every - {("SignIn", "fr")}) == [("SignIn", "fr")]
    # A language added later is held to all nine types too.
    assert missing_pairs(every | {("SignIn", "nl")}) == sorted(
        ((kind, "nl") for kind in KNOWN_TYPES - {"SignIn"}), key=lambda p: p[0]
    )


def test_describe_groups_by_language():
    missing = [(kind, "ja") for kind in KNOWN_TYPES] + [("SignIn", "fr"), ("BindMfa", "fr")]
    assert describe(missing) == "fr: BindMfa, SignIn; ja (all 9 types)"


def test_pyproject_names_every_package_on_disk():
    """The package list is explicit (templates/ is mapped in): a new package must be named."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "sms_gateway").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert on_disk - listed == set()
    assert listed - on_disk == {"sms_gateway.templates"}
