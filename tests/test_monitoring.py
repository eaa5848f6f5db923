"""The shipped alert rules and Grafana dashboard: valid, tested, and about metrics that exist."""

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from sms_gateway.ops import metrics

from .services import ROOT

MONITORING = ROOT / "docs" / "monitoring"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"),
    reason="promtool not installed (Debian: apt-get install prometheus; CI installs it)",
)


def exported_names() -> set[str]:
    names = set()
    for value in vars(metrics).values():
        if not isinstance(value, MetricWrapperBase):
            continue
        for family in value.describe():
            names.add(family.name)
            if family.type == "counter":
                names.add(family.name + "_total")
            if family.type == "histogram":
                names.update(family.name + s for s in ("_bucket", "_count", "_sum"))
    return names


def metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\b(sms_gateway_[a-z_]+)\b", expr))


@needs_promtool
def test_promtool_checks_the_rules():
    result = subprocess.run(
        [PROMTOOL or "promtool", "check", "rules", "alerts.yml"],
        cwd=MONITORING, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_unit_tests_of_the_rules_pass():
    result = subprocess.run(
        [PROMTOOL or "promtool", "test", "rules", "alerts.test.yml"],
        cwd=MONITORING, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alerts_asked_for_are_there_and_tested():
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert {
        "SmsDeliveryRateLow",  # per country and provider
        "SmsDeliveryRateLowForProvider",
        "SmsRouteAllProvidersFailing",
        "SmsFraudGuardBurst",
        "SmsGateway5xx",
    } <= alerts
    tests = yaml.safe_load((MONITORING / "alerts.test.yml").read_text())
    tested = {t["alertname"] for case in tests["tests"] for t in case["alert_rule_test"]}
    assert alerts <= tested


def test_rules_and_dashboard_use_only_metrics_the_gateway_exports():
    exported = exported_names()
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    used = {n for g in rules["groups"] for r in g["rules"] for n in metric_names(r["expr"])}
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used |= {n for e in exprs for n in metric_names(e)}
    assert used and used <= exported, sorted(used - exported)


def test_dashboard_is_importable_json():
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${DS_PROMETHEUS}"
