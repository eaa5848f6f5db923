"""Probes answer whatever the Host (kubelets send a pod IP); a refused host is one log
line, never a stack trace; the schema is exempt from the https redirect."""

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

POD = "10.42.7.19:8000"


@pytest.fixture
def production(settings):
    settings.ALLOWED_HOSTS = ["sms.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_TOKEN = "scrape-me"
    return Client()  # built after the settings: the middleware reads them once


@pytest.mark.parametrize("host", [POD, "127.0.0.1", "[fd00::7]:8000", "sms.example.com"])
def test_liveness_and_readiness_answer_whatever_the_host(production, host, caplog):
    with caplog.at_level(logging.INFO):
        assert production.get("/healthz", HTTP_HOST=host).json() == {"status": "ok"}
        ready = production.get("/readyz", HTTP_HOST=host)
    assert ready.status_code == 200, ready.content
    assert ready.json()["status"] == "ok"
    assert not [r for r in caplog.records if r.exc_info or r.name.startswith("django.security")]


def test_metrics_answers_whatever_the_host_and_keeps_its_access_control(production):
    assert production.get("/metrics", HTTP_HOST=POD).status_code == 403
    scraped = production.get("/metrics", HTTP_HOST=POD, HTTP_AUTHORIZATION="Bearer scrape-me")
    assert scraped.status_code == 200
    assert b"sms_gateway_http_requests_total" in scraped.content


def test_a_refused_host_is_one_line_without_a_stack_trace(production, caplog):
    with caplog.at_level(logging.INFO):
        admin = production.get("/admin/login/", HTTP_HOST=POD)
        api = production.post("/sms/send", {}, content_type="application/json", HTTP_HOST=POD)
    assert admin.status_code == 400
    assert (api.status_code, api.json()) == (400, {"message": "Bad request."})
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in lines] == [
        f"refused request for host '{POD}' (not in ALLOWED_HOSTS)"
    ] * 2
    assert not [r for r in caplog.records if r.exc_info]


def test_probes_and_schema_are_not_redirected_to_https(production):
    host = {"HTTP_HOST": "sms.example.com"}
    assert production.get("/admin/login/", **host).status_code == 301
    assert production.post("/sms/send", {}, **host).status_code == 301
    for path in ("/healthz", "/readyz", "/api/schema"):
        assert production.get(path, **host).status_code == 200, path
