"""bench/profile.py's grouping: each py-spy sample is charged to the part of the send
path that spends it, the same way for the project and for the floors."""

from __future__ import annotations

import pytest

from bench.profile import OTHER, group_of

# Frames as py-spy writes them, root first.
GUNICORN = [
    "Thread.run (threading.py:982)",
    "ThreadWorker.handle_request (gunicorn/workers/gthread.py:771)",
]
PROJECT = [
    *GUNICORN,
    "Application.__call__ (sms_gateway/api/handler.py:70)",
    "WSGIHandler.__call__ (django/core/handlers/wsgi.py:124)",
    "convert_exception_to_response.<locals>.inner (django/core/handlers/exception.py:55)",
    "ContentSecurityPolicyMiddleware.__call__ (sms_gateway/ops/csp.py:26)",
    "convert_exception_to_response.<locals>.inner (django/core/handlers/exception.py:55)",
    "ProbeHostMiddleware.__call__ (sms_gateway/ops/health.py:160)",
    "MiddlewareMixin.__call__ (django/utils/deprecation.py:120)",
    "convert_exception_to_response.<locals>.inner (django/core/handlers/exception.py:55)",
    "BaseHandler._get_response (django/core/handlers/base.py:197)",
    "View.as_view.<locals>.view (django/views/generic/base.py:105)",
]
FLOOR = [
    *GUNICORN,
    "WSGIHandler.__call__ (django/core/handlers/wsgi.py:124)",
    "BaseHandler._get_response (django/core/handlers/base.py:197)",
    "View.as_view.<locals>.view (django/views/generic/base.py:105)",
]
NEGOTIATION = [
    "APIView.dispatch (rest_framework/views.py:514)",
    "APIView.initial (rest_framework/views.py:411)",
    "DefaultContentNegotiation.select_renderer (rest_framework/negotiation.py:55)",
]
PIPELINE = [
    "APIView.dispatch (rest_framework/views.py:523)",
    "SendMessageView.post (sms_gateway/api/views.py:49)",
    "send (sms_gateway/sending/pipeline.py:82)",
]


def stack(*frames: str) -> str:
    return ";".join(frames)


@pytest.mark.parametrize("root", [PROJECT, FLOOR], ids=["project", "floor"])
def test_drf_dispatch_is_the_frameworks_under_a_middleware_as_in_a_floor(root):
    assert group_of(stack(*root, *NEGOTIATION)) == OTHER


def test_a_middlewares_own_code_is_middleware():
    frames = PROJECT[
        : PROJECT.index("ProbeHostMiddleware.__call__ (sms_gateway/ops/health.py:160)")
    ]
    assert (
        group_of(stack(*frames, "RequestIdMiddleware.__call__ (sms_gateway/ops/request_id.py:22)"))
        == "middleware"
    )
    security = "SecurityMiddleware.process_request (django/middleware/security.py:27)"
    assert group_of(stack(*PROJECT[:-3], security)) == "middleware"


def test_djangos_handler_around_the_project_is_the_frameworks():
    leaf = "WSGIRequest.__init__ (django/core/handlers/wsgi.py:78)"
    assert group_of(stack(*PROJECT[:4], leaf)) == OTHER


def test_the_pipelines_own_code_and_its_stages():
    assert group_of(stack(*PROJECT, *PIPELINE)) == "pipeline glue, deadline watchdog"
    guard = "check (sms_gateway/sending/guard.py:56)"
    assert (
        group_of(
            stack(
                *PROJECT, *PIPELINE, guard, "HiredisRespSerializer.pack (redis/connection.py:139)"
            )
        )
        == "the guard"
    )
    assert group_of(
        stack(*PROJECT, *PIPELINE, "deliver (sms_gateway/sending/deliver.py:55)",
              "PreparedRequest.prepare_body (requests/models.py:639)")
    ) == "provider call (SDK, HTTP)"  # fmt: skip


def test_a_serializer_under_drf_stays_the_serializers():
    leaf = [
        "APIView.dispatch (rest_framework/views.py:523)",
        "SendView.post (bench/floors/stack_views.py:80)",
        "Serializer.is_valid (rest_framework/serializers.py:225)",
        "Field.run_validation (rest_framework/fields.py:550)",
    ]
    assert group_of(stack(*FLOOR, *leaf)) == "serializer and validation (phonenumbers included)"


def test_a_floors_view_code_is_other():
    leaf = [
        "APIView.dispatch (rest_framework/views.py:523)",
        "SendView.post (bench/floors/stack_views.py:80)",
    ]
    assert group_of(stack(*FLOOR, *leaf)) == OTHER
