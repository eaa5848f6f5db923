"""Screenshots of the delivery dashboard into docs/screenshots/, at 1280 and 390 px.

    .venv/bin/pip install selenium
    apt-get install -y chromium chromium-driver
    .venv/bin/python docs/screenshots/take.py

A scratch SQLite database with 20,000 generated records (tests/dashboard_data.py,
30 days ending now), ``runserver`` on a free port, headless Chromium through
Selenium and Debian's chromedriver: log in to the admin, open the dashboard
for the last 30 days, save the page at each width. Twice: ``dashboard-*.png``
with receipts from both providers; ``dashboard-mixed-*.png`` with the Vonage
alias's signature secret unset and its records without receipts (what the page
says then). The console-only state is ``dashboard-no-receipts-*.png``, taken by
tests/test_browser_admin.py. Re-runnable; leaves nothing but the PNGs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
WIDTHS = (1280, 390)
PROVIDERS = {  # credentials that are never used: nothing is sent
    "console": {"BACKEND": "sms_gateway.providers.console.ConsoleProvider"},
    "twilio": {
        "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
        "OPTIONS": {"ACCOUNT_SID": "AC" + "0" * 32, "AUTH_TOKEN": "x", "FROM": "+15005550006"},
    },
    "vonage": {
        "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
        "OPTIONS": {"API_KEY": "key", "API_SECRET": "secret"},
    },
}
# The Vonage alias without its secret: its records keep no receipt.
STRIP_VONAGE = (
    "import django; django.setup()\n"
    "from sms_gateway.models import DeliveryStatsDay, Message\n"
    "from django.core.management import call_command\n"
    "Message.objects.filter(provider='vonage').update(delivery_status='', provider_status='',"
    " delivery_error_code='', delivery_updated_at=None, delivered_at=None, delivery_ms=None)\n"
    "DeliveryStatsDay.objects.all().delete()\n"
    "call_command('rollup_deliveries', verbosity=0)\n"
)
sys.path.insert(0, str(ROOT))


def main() -> None:
    import json

    from tests.throwaway import free_port

    with tempfile.TemporaryDirectory(prefix="dashboard-shot-") as scratch:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3",
            "CACHE_URL": "locmemcache://",
            "SMS_LOGTO_WEBHOOK_KEYS": "screenshot",  # conversions are tracked
            "SMS_PUBLIC_BASE_URL": "https://sms.example.com",  # receipts come back
            "SMS_PROVIDERS": json.dumps(PROVIDERS),
            "SMS_VONAGE_SIGNATURES": json.dumps({"vonage": {"SECRET": "s"}}),
            "DJANGO_SETTINGS_MODULE": "sms_gateway.settings",
            "ADMIN_PASSWORD": "screenshot-password",
        }
        seed = (
            "import django; django.setup()\n"
            "from django.core.management import call_command\n"
            "from django.utils import timezone\n"
            "from django.contrib.auth.models import User\n"
            "from tests.dashboard_data import insert_orm\n"
            "call_command('migrate', verbosity=0)\n"
            "insert_orm(20000, days=30, now=timezone.now())\n"
            "call_command('rollup_deliveries', verbosity=0)\n"
            "User.objects.create_superuser('admin', password='screenshot-password')\n"
        )
        subprocess.run([sys.executable, "-c", seed], cwd=ROOT, env=env, check=True)  # noqa: S603
        shoot(env, "dashboard", free_port())
        subprocess.run([sys.executable, "-c", STRIP_VONAGE], cwd=ROOT, env=env, check=True)  # noqa: S603
        shoot({**env, "SMS_VONAGE_SIGNATURES": "{}"}, "dashboard-mixed", free_port())


def shoot(env: dict[str, str], name: str, port: int) -> None:
    """Run the server with ``env``, log in, save the dashboard as ``name``-<width>.png."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    browser = webdriver.Chrome(options=options, service=service)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                browser.get(f"{base}/admin/login/")
                browser.find_element(By.NAME, "username")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        browser.find_element(By.NAME, "username").send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys("screenshot-password")
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        # Logged in before going on: a navigation started now would race the login's.
        WebDriverWait(browser, 30).until(lambda b: "Log out" in b.page_source)
        for width in WIDTHS:
            browser.set_window_size(width, 900)
            browser.get(f"{base}/admin/sms_gateway/deliverydashboard/?days=30")
            height = browser.execute_script("return document.documentElement.scrollHeight")
            # The window's height includes its frame: leave room so the page fits whole.
            browser.set_window_size(width, min(max(height + 200, 900), 8000))
            browser.save_screenshot(str(OUT / f"{name}-{width}.png"))
            print(f"saved {OUT / f'{name}-{width}.png'}")
    finally:
        browser.quit()
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
