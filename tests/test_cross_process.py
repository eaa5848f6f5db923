"""A template edited in one process reaches every gunicorn worker without a restart."""

import time

import pytest
from django.conf import settings
from django.db import connection

from sms_gateway.models import Template

from .conftest import distinct_user, logto_body
from .services import PROD_TOKEN, Gunicorn, production_env, require_postgres, require_redis

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(server: Gunicorn, text: str, count: int) -> None:
    deadline = time.monotonic() + 15
    while server.stdout.count(text) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.stdout.count(text) == count, server.stdout[-2000:]


def test_admin_edit_reaches_all_workers_through_redis(tmp_path):
    require_postgres()
    require_redis()
    db = connection.settings_dict
    env = production_env(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CACHE_URL=settings.CACHES["default"]["LOCATION"],
        STATIC_ROOT=str(tmp_path / "static"),
    )
    server = Gunicorn(env, tmp_path, workers=2)
    try:
        server.wait_ready()
        headers = {"Authorization": PROD_TOKEN, "X-Forwarded-Proto": "https"}
        url = f"{server.url}/sms/send"
        for n in range(6):  # warm both workers' template snapshots; six users
            body = logto_body(**distinct_user(n))
            assert server.session.post(url, json=body, headers=headers, timeout=30).ok
        wait_for(server, "Your sign-in code is ******", 6)

        template = Template.objects.get(type="SignIn", locale="en")
        template.text = "Edited: {{code}}"
        template.save()  # what the admin does; the commit publishes a new version
        # Workers look at the shared version at most once per SMS_CATALOG_CHECK_INTERVAL.
        time.sleep(settings.SMS_CATALOG_CHECK_INTERVAL + 0.5)

        for n in range(6, 12):
            body = logto_body(**distinct_user(n))
            assert server.session.post(url, json=body, headers=headers, timeout=30).ok
        wait_for(server, "Edited: ******", 6)
    finally:
        server.stop()
