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

    def page(self) -> str:
        return self.driver.page_source

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
    # The refused page, whole (on a loaded machine the old page may still be showing).
    operator.wait_for(
        lambda: operator.finds(".errornote") and "Malformed placeholder" in operator.page(),
        "no error shown",
    )
    page = operator.page()
    assert page.count("Malformed placeholder at “{{ code”") == 1, page  # said once
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


# --- issue 19: the screens an operator met in the first week ---------------------------


def page_width(operator) -> int:
    return operator.driver.execute_script("return document.documentElement.scrollWidth")


def test_template_editor_after_an_edit_then_history_and_restore(operator):
    template = Template.objects.get(type="SignIn", locale="fr")
    change = f"/admin/sms_gateway/template/{template.pk}/change/"
    for text in ("Code Acme : {{code}}.", "Votre code Acme : {{code}}. Valable {{validity}}."):
        operator.open(change)
        operator.type_into("#id_text", text)
        operator.submit()
        operator.wait_for(lambda: "was changed successfully" in operator.driver.page_source)

    operator.open(change)
    assert not operator.finds("#shipped-news")  # a deliberate edit is not news
    assert operator.text("#reset-shipped") == "Reset to the shipped text"
    assert not operator.finds("#id_type") and not operator.finds("#id_locale")  # fixed
    assert not operator.finds(".deletelink")  # shipped: reset, never deleted
    hint = operator.text("#id_text_helptext")
    assert "{{validity}}" in hint and "{{code}}" in hint and "SMS_" not in hint
    assert "SMS_" not in operator.text("#sms-preview")
    operator.driver.set_window_size(390, 900)
    inside = (  # right edge within the page's content box, not clipped by its padding
        "const content = document.getElementById('content');"
        "const edge = content.getBoundingClientRect().right"
        " - parseFloat(getComputedStyle(content).paddingRight);"
        "return [arguments[0].getBoundingClientRect().right, edge];"
    )
    for css in ("#id_text", "#id_text_helptext", "#sms-preview"):
        right, edge = operator.driver.execute_script(inside, operator.find(css))
        assert right <= edge + 1, (css, right, edge)
    operator.shoot("template-editor-customized")

    operator.open(f"/admin/sms_gateway/template/{template.pk}/history/")
    assert len(operator.finds("#content table")) == 1
    rows = operator.finds("#sms-text-history tbody tr")
    assert [r.find_element("css selector", "td.sms-what").text for r in rows] == [
        "Edited the text",
        "Edited the text",
    ]
    operator.driver.set_window_size(390, 900)
    assert page_width(operator) <= 390
    operator.shoot("template-history")
    operator.find("#sms-text-history tbody tr:nth-child(2) button").click()
    operator.wait_for(lambda: "Restored the version of" in operator.driver.page_source)
    template.refresh_from_db()
    assert template.text == "Code Acme : {{code}}."
    first = operator.find("#sms-text-history tbody tr:first-child")
    assert first.find_element("css selector", "td.sms-what").text.startswith(
        "Restored the version of "
    )
    assert first.find_element("css selector", "td.sms-who").text == "ops"


def test_lists_fit_a_phone_with_their_filters_above(operator):
    from datetime import timedelta

    from django.utils import timezone

    from sms_gateway.models import BlockedPrefix, RateLimit

    for scope, limit in (("recipient", 5), ("global", 3000)):  # a flushed database has none
        RateLimit.objects.get_or_create(
            scope=scope, window_seconds=600, defaults={"limit": limit, "note": "shipped"}
        )
    BlockedPrefix.objects.create(
        prefix="2250700", reason="pumping", until=timezone.now() + timedelta(hours=6)
    )
    Route.objects.create(prefix="44", description="+44 via locmem").hops.create(
        provider="locmem", position=0, sender="Acme"
    )
    screens = {
        "templates": "/admin/sms_gateway/template/?locale=fr",
        "routes": "/admin/sms_gateway/route/",
        "rate-limits": "/admin/sms_gateway/ratelimit/",
        "blocked-prefixes": "/admin/sms_gateway/blockedprefix/",
    }
    for name, path in screens.items():
        operator.driver.set_window_size(390, 900)
        operator.open(path)
        assert page_width(operator) <= 390, name  # nothing clipped, no sideways scroll
        rows = operator.finds("#result_list tbody tr")
        assert rows, name
        right = operator.driver.execute_script(
            "return Math.max(...[...arguments[0].children].map("
            "c => c.getBoundingClientRect().right))",
            rows[0],
        )
        assert right <= 390, (name, right)
        filters = operator.finds("#changelist-filter")
        if filters:
            top = operator.driver.execute_script(
                "return [arguments[0].getBoundingClientRect().top,"
                " arguments[1].getBoundingClientRect().top]",
                filters[0],
                operator.find("#result_list"),
            )
            assert top[0] < top[1], name  # the filters above the list
        operator.shoot(f"list-{name}")


def test_a_rate_limit_of_zero_is_refused_and_a_tight_one_warned(operator):
    from selenium.webdriver.support.ui import Select

    operator.open("/admin/sms_gateway/ratelimit/add/")
    Select(operator.find("#id_scope")).select_by_value("country")
    operator.type_into("#id_limit", "0")
    operator.type_into("#id_window_seconds", "600")
    operator.submit()
    operator.wait_for(lambda: operator.finds(".errornote"), "no error shown")
    assert "a limit of 0 refuses every SMS" in operator.text(".field-limit .errorlist")
    operator.shoot("rate-limit-refused")
    operator.type_into("#id_limit", "2")
    operator.submit()
    operator.wait_for(lambda: "was added successfully" in operator.driver.page_source)
    assert "refuses ordinary use" in operator.text(".messagelist .warning")
    assert "10 min" in operator.text("#result_list")
    operator.shoot("rate-limit-warned", widths=(1280,))


def test_the_admin_opens_on_todays_status_and_view_site_is_the_dashboard(operator, live_server):
    assert sms(live_server, "33612345678").status_code == 200
    operator.open("/admin/")
    assert operator.text("#sms-today-sent .value") == "1"
    assert operator.text("#sms-today-failed .value") == "0"
    states = {
        row.find_element("css selector", "th").text: row.find_element("css selector", "td").text
        for row in operator.finds("#sms-today-providers tbody tr")
    }
    assert states["locmem"] == "OK" or states["locmem"].lower() == "ok"
    captions = [c.text for c in operator.finds("#sms-screens caption")]
    assert captions[:3] == ["TRAFFIC", "TEXTS AND ROUTING", "FRAUD GUARD"] or captions[:3] == [
        "Traffic",
        "Texts and routing",
        "Fraud guard",
    ]
    operator.driver.set_window_size(390, 900)
    assert page_width(operator) <= 390
    operator.shoot("admin-index")
    operator.open("/admin/")
    operator.find("#user-tools a[href='/admin/sms_gateway/deliverydashboard/']").click()
    operator.wait_for(lambda: "Delivery dashboard" in operator.driver.title)


def test_guard_an_operator_steers_unblock_refusals_overview_country(operator, live_server):
    """Issue 19: unblock on the block's own page (trusted for N hours), refusals with
    their reason and filter in Messages, the guard overview, the country policy's two
    places; each at 1280 and 390 px."""
    from datetime import timedelta

    from django.utils import timezone

    from sms_gateway.models import BlockedPrefix, CountryPolicy

    CountryPolicy.objects.create(country="DE", action="block", note="not served")
    assert sms(live_server, "33612345678").status_code == 200
    assert sms(live_server, "4915123456789").status_code == 403
    block = BlockedPrefix.objects.create(
        prefix="33655500",
        reason="resends: 10 SMS to 3 numbers in 10 min, 100x its baseline of 0.0 per 10 min",
        evidence={"recent": 10, "distinct_numbers": 3},
        until=timezone.now() + timedelta(hours=12),
    )

    operator.open(f"/admin/sms_gateway/blockedprefix/{block.pk}/change/")
    operator.find("#sms-unblock").click()
    operator.wait_for(lambda: operator.finds("#sms-unblock-form"), "no unblock form")
    assert operator.find("#id_hours").get_attribute("value") == "24"
    operator.shoot("blocked-prefix-unblock")
    operator.type_into("#id_hours", "6")
    operator.find("#sms-unblock-form input[type=submit]").click()
    operator.wait_for(lambda: "+33655500 unblocked" in operator.driver.page_source)
    block.refresh_from_db()
    assert (
        block.unblocked_at and (block.trusted_until - timezone.now()).total_seconds() / 3600 > 5.9
    )
    operator.open("/admin/sms_gateway/blockedprefix/")
    assert "unblocked, trusted until" in operator.text("#result_list")

    operator.open("/admin/sms_gateway/message/?refusal=country")
    assert operator.text("td.field-reason") == "country:DE"
    assert len(operator.finds("#result_list tbody tr")) == 1
    scroll = "return [arguments[0].scrollWidth, arguments[0].clientWidth]"
    inner, visible = operator.driver.execute_script(scroll, operator.find(".results"))
    assert inner <= visible, (inner, visible)  # the reason column fits 1280 px
    operator.shoot("messages-refusals", widths=(1280,))

    operator.open("/admin/sms_gateway/blockedprefix/")
    operator.find("#sms-guard-overview").click()
    operator.wait_for(lambda: operator.finds("#sms-guard-reasons"), "no overview")
    assert "country policy" in operator.text("#sms-guard-reasons")
    assert "DE" in operator.text("#sms-guard-countries")
    assert "+33655500" in operator.text("#sms-guard-blocks")
    operator.driver.set_window_size(390, 900)
    assert page_width(operator) <= 390
    operator.shoot("guard-overview")

    operator.open("/admin/sms_gateway/countrypolicy/")
    assert "400" in operator.text("#sms-two-places") and "403" in operator.text("#sms-two-places")
    operator.find("#sms-two-places a").click()
    operator.wait_for(lambda: "/admin/sms_gateway/route/" in operator.driver.current_url)
    operator.open(f"/admin/sms_gateway/countrypolicy/{CountryPolicy.objects.get().pk}/change/")
    operator.shoot("country-policy")


def test_dashboard_without_receipts_says_so_with_whole_ticks_and_fits_a_phone(
    operator, live_server
):
    # locmem, the tests' provider, sends no receipts: no rate can be measured.
    for to in ("33612345678", "33612345679", "4915123456789"):
        assert sms(live_server, to).status_code == 200
    operator.open("/admin/sms_gateway/deliverydashboard/?days=7")
    notice = operator.text("#sms-receipts-missing")
    assert "No delivery receipts in this range." in notice
    assert "locmem (3 SMS sent): this provider sends no receipts" in notice
    assert operator.text("#sms-tile-rate .value").lower() == "no receipts"
    assert "%" not in operator.text("#sms-tile-rate")
    rate_cells = [td.text for td in operator.finds("#sms-per-provider td.sms-rate")]
    assert rate_cells == ["no receipts: this provider sends no receipts"]
    assert "%" not in operator.text("#sms-per-day") and "%" not in operator.text("#sms-per-country")
    # The count axis of 3 SMS: 0 1 2 3 (it read 0.0 1.2 2.5 3.8 5.0).
    ticks = [t.text for t in operator.finds("#sms-volume-chart text[text-anchor=end]") if t.text]
    assert ticks == ["0", "1", "2", "3"], ticks
    operator.shoot("dashboard-no-receipts")
    operator.driver.set_window_size(390, 900)
    operator.open("/admin/sms_gateway/deliverydashboard/?days=30")
    assert page_width(operator) <= 390  # nothing makes the page wider than the phone
    for css in ("#sms-receipts-missing", "#sms-tile-rate", "#sms-volume-chart", ".sms-table"):
        right = operator.driver.execute_script(
            "return arguments[0].getBoundingClientRect().right", operator.find(css)
        )
        assert right <= 390, (css, right)
    # A table wider than the phone scrolls in its own box, its first column kept in view.
    box = operator.find(".sms-table")
    assert box.value_of_css_property("overflow-x") == "auto"
    assert operator.find("#sms-per-day td").value_of_css_property("position") == "sticky"


def test_blocked_prefixes_read_their_times_as_every_admin_screen_in_utc(operator):
    import re
    from datetime import UTC, datetime

    from sms_gateway.models import BlockedPrefix

    block = BlockedPrefix.objects.create(
        prefix="2250700", reason="pumping", until=datetime(2026, 12, 2, 3, 27, 1, tzinfo=UTC)
    )
    BlockedPrefix.objects.filter(pk=block.pk).update(
        blocked_at=datetime(2026, 12, 1, 15, 27, 1, tzinfo=UTC),
        unblocked_at=datetime(2026, 12, 1, 16, 0, 0, tzinfo=UTC),
    )
    operator.open("/admin/sms_gateway/blockedprefix/")
    row = operator.text("#result_list tbody tr")
    assert "2026-12-01 15:27:01 UTC" in row and "2026-12-02 03:27:01 UTC" in row, row
    assert not re.search(r"[ap]\.m\.|Dec\.", row), row  # Django's default format
    operator.open(f"/admin/sms_gateway/blockedprefix/{block.pk}/change/")
    page = operator.text("#content-main")
    assert "2026-12-01 15:27:01 UTC" in page and "2026-12-01 16:00:00 UTC" in page, page
    assert not re.search(r"[ap]\.m\.|Dec\.", page), page
    # The date and time boxes of "until" say their zone too.
    assert operator.find("#id_until_0").get_attribute("value") == "2026-12-02"
    assert operator.find("#id_until_1").get_attribute("value") == "03:27:01"
    assert operator.text(".field-until .help").startswith("UTC")
