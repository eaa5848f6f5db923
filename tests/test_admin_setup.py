"""`setup --admin` on a fresh database says what it did: every template created, the admin."""

import re

from .services import manage, production_env


def test_setup_admin_on_a_fresh_database_reports_what_it_created(tmp_path):
    env = production_env(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        ADMIN_PASSWORD="fresh-admin-password",
    )
    first = manage(env, "setup", "--admin")
    assert first.returncode == 0, first.stderr
    created = int(re.search(r"this run: (\d+) created", first.stdout).group(1))
    total = int(re.search(r"Templates: (\d+) in the database", first.stdout).group(1))
    assert created == total >= 21 * 9
    assert "Admin user 'admin' created." in first.stdout
    assert "user: admin  password: (the one in ADMIN_PASSWORD)" in first.stdout
    assert "fresh-admin-password" not in first.stdout + first.stderr

    again = manage(env, "setup", "--admin")
    assert "this run: 0 created" in again.stdout
    assert "An admin user exists already" in again.stdout
    assert "created." not in again.stdout.replace("0 created", "")
