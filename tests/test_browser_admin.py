"""The admin in a real browser (headless Chromium through Selenium and Debian's
chromedriver), as an operator uses it: log in; watch the live preview name UCS-2 and
count segments; see it say it is out of date when its update is refused; fail to save
``{{ code``; block a destination and see an SMS to it refused; re-save a route
unchanged; send a test SMS. Screenshots at 1280 and 390 px go to docs/screenshots/.
Every page runs under the Content-Security-Policy: a test fails on any violation
Chromium reports in its console.

Skipped when Chromium, chromedriver or Selenium is missing, unless REQUIRE_SERVICES
is set (CI installs them: ``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

from sms_gateway.models import Message, Route, Template

from .conftest import TOKEN, logto_body
from .services import ROOT, _missing

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "docs" / "screenshots")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "browser-test-password-1"
WAIT = 10


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("Selenium", "pip install -e '.[test]'")
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        _missing("Chromium and chromedriver", "apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-proxy-server",
        "--window-size=1280,900",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


class Operator:
    """The browser, logged in to the admin of the live server."""

    def __init__(self, driver, base_url: str) -> None:
        self.driver, self.base = driver, base_url

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, condition, message: str = ""):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, WAIT).until(lambda _: condition(), message)

    def text(self, css: str) -> str:
        return self.find(css).text

    def type_into(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def submit(self, css: str = "input[name=_save]") -> None:
        self.find(css).click()

    def shoot(self, name: str, widths=(1280, 390)) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in widths:
            self.driver.set_window_size(width, 900)
            height = self.driver.execute_script(
                "return Math.min(document.documentElement.scrollHeight, 2400)"
            )
            self.driver.set_window_size(width, max(int(height), 600))
            self.driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
        self.driver.set_window_size(1280, 900)

    def login(self) -> None:
        self.driver.delete_all_cookies()
        self.open("/admin/login/")
        self.type_into("#id_username", "ops")
        self.type_into("#id_password", PASSWORD)
        self.find("input[type=submit]").click()
        self.wait_for(lambda: "Log out" in self.driver.page_source, "not logged in")


def csp_violations(driver) -> list[str]:
    """What Chromium's console said about the Content-Security-Policy since the last call."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
        or "Content-Security-Policy" in entry["message"]
    ]


@pytest.fixture
def operator(browser, live_server, django_user_model):
    from sms_gateway.admin import login_throttle
    from sms_gateway.catalog.defaults import load_shipped

    load_shipped()  # a transactional test starts from an empty database
    django_user_model.objects.create_superuser("ops", "", PASSWORD)
    login_throttle.clear("ops")
    operator = Operator(browser, live_server.url)
    operator.driver.set_window_size(1280, 900)
    csp_violations(browser)  # forget what earlier tests logged
    operator.login()
    yield operator
    assert csp_violations(browser) == []  # every page worked under the policy


def sms(live_server, to: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False
        return session.post(
            f"{live_server.url}/sms/send",
            json=logto_body(to=to),
            headers={"Authorization": TOKEN},
            timeout=30,
        )


def test_template_editor_preview_names_ucs2_counts_segments_and_says_when_stale(operator):
    template = Template.objects.get(type="SignIn", locale="fr")
    operator.open(f"/admin/sms_gateway/template/{template.pk}/change/")
    operator.wait_for(lambda: "GSM-7" in operator.text("#sms-preview-cost"))
    assert "1 segment" in operator.text("#sms-preview-cost")
    operator.shoot("template-editor")

    operator.type_into("#id_text", "Votre code reçu : {{code}}. " + "Ne le donnez à personne. " * 3)
    operator.wait_for(lambda: "UCS-2" in operator.text("#sms-preview-cost"), "UCS-2 not shown")
    assert "'ç' (latin small letter c with cedilla)" in operator.text("#sms-preview-warnings")
    assert "2 segments" in operator.text("#sms-preview-cost")
    assert "Votre code reçu : 123456." in operator.text("#sms-preview-text")
    operator.shoot("template-editor-ucs2", widths=(1280,))

    # The session expires (cookies gone): the next update is refused with a 403.
    operator.driver.delete_all_cookies()
    operator.find("#id_text").send_keys(" ç")
    operator.wait_for(
        lambda: operator.find("#sms-preview-stale").is_displayed(), "stale preview not flagged"
    )
    stale = operator.text("#sms-preview-stale")
    assert stale.startswith("Out of date: this preview shows an earlier text.")
    assert "HTTP 403" in stale and "session may have expired" in stale
    operator.shoot("template-editor-stale", widths=(1280,))

    operator.login()
    operator.open(f"/admin/sms_gateway/template/{template.pk}/change/")
    operator.type_into("#id_text", "Code {{ code")
    operator.submit()
    operator.wait_for(lambda: operator.finds(".errornote"), "no error shown")
    page = operator.driver.page_source
    assert page.count("Malformed placeholder at “{{ code”") == 1  # said once
    operator.wait_for(lambda: operator.text("#sms-preview-text") == "Code {{ code")
    assert page.count("Malformed placeholder") == 1
    assert not operator.find("#sms-preview-stale").is_displayed()
    operator.shoot("template-editor-refused", widths=(1280,))
    template.refresh_from_db()
    assert "{{ code" not in template.text and "{{code}}" in template.text


def test_lists_show_what_operators_scan_for(operator, live_server):
    assert sms(live_server, "33612345678").status_code == 200
    assert sms(live_server, "4915123456789").status_code == 200
    operator.open("/admin/sms_gateway/message/")
    headers = [th.text for th in operator.finds("#result_list thead th")]
    for wanted in ("TIME", "TO", "STATUS", "PROVIDER", "SEGMENTS"):
        assert any(wanted in h.upper() for h in headers), headers
    # At 1280 px every column is on screen, no horizontal scrolling.
    scroll = "return [arguments[0].scrollWidth, arguments[0].clientWidth]"
    inner, visible = operator.driver.execute_script(scroll, operator.find(".results"))
    assert inner <= visible, (inner, visible)  # no column hidden behind a scroll bar
    for css in ("td.field-state", "td.field-provider", "td.field-segments"):
        cell = operator.find(css)
        right = operator.driver.execute_script(
            "return arguments[0].getBoundingClientRect().right", cell
        )
        assert right <= 1280, (css, right)
    assert operator.find("span.sms-status-sent").value_of_css_property("color") in (
        "rgba(30, 107, 48, 1)",
        "rgb(30, 107, 48)",
    )
    operator.shoot("messages")
    message = Message.objects.get(to="+33612345678")
    operator.open(f"/admin/sms_gateway/message/{message.pk}/change/")
    operator.shoot("message")
    operator.open("/admin/sms_gateway/template/?locale=fr")
    width = operator.driver.execute_script(
        "return document.querySelector('td.field-text').getBoundingClientRect().width"
    )
    operator.shoot("templates")
    assert width >= 300, width  # the text has room
    inner, visible = operator.driver.execute_script(scroll, operator.find(".results"))
    assert inner <= visible, (inner, visible)


def test_block_a_destination_then_resave_a_route_unchanged(operator, live_server):
    operator.open("/admin/sms_gateway/route/add/")
    operator.type_into("#id_prefix", "+7")
    operator.submit()
    assert "No provider chosen" in operator.text(".inline-group .errorlist.nonform")
    operator.find("#id_blocked").click()
    operator.submit()
    operator.wait_for(lambda: "was added successfully" in operator.driver.page_source)
    blocked = operator.find(".sms-blocked")
    assert blocked.text == "BLOCKED: no providers, every SMS refused"
    assert Route.objects.get(prefix="7").hops.count() == 0
    operator.shoot("routes")
    refused = sms(live_server, "79161234567")
    assert refused.status_code == 400 and "not enabled" in refused.json()["message"]

    route = Route.objects.create(prefix="44", description="+44 via locmem")
    route.hops.create(provider="locmem", position=0, sender="Acme")
    before = Route.objects.get(pk=route.pk).updated_at
    operator.open(f"/admin/sms_gateway/route/{route.pk}/change/")
    operator.shoot("route-editor")
    operator.submit()
    operator.wait_for(lambda: "was changed successfully" in operator.driver.page_source)
    assert [(h.provider, h.sender) for h in route.hops.all()] == [("locmem", "Acme")]
    assert Route.objects.get(pk=route.pk).updated_at == before
    assert sms(live_server, "447911123456").json()["provider"] == "locmem"


def test_send_a_test_sms(operator, outbox):
    operator.open("/admin/sms_gateway/message/")
    operator.find("a[href$='/test-sms/']").click()
    operator.type_into("#id_to", "+33 6 12 34 56 78")
    operator.type_into("#id_locale", "fr")
    operator.find("#sms-test-form input[type=submit]").click()
    operator.wait_for(lambda: operator.finds("#sms-test-result"), "no outcome shown")
    outcome = operator.text(".sms-outcome")
    assert outcome.startswith("sent by locmem")
    assert [td.text for td in operator.finds("#sms-test-attempts tbody td")][:3] == [
        "locmem",
        "",
        "sent",
    ]
    operator.shoot("test-sms")
    [(_, sent)] = outbox
    assert sent.to == "+33612345678"
