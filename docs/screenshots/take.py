"""Screenshot of the delivery dashboard into docs/screenshots/dashboard.png.

    .venv/bin/pip install selenium
    apt-get install -y chromium chromium-driver
    .venv/bin/python docs/screenshots/take.py

A scratch SQLite database with 20,000 generated records (tests/dashboard_data.py,
30 days ending now), ``runserver`` on a free port, headless Chromium through
Selenium and Debian's chromedriver: log in to the admin, open the dashboard
for the last 30 days, save the page. Re-runnable; leaves nothing but the PNG.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "dashboard.png"
sys.path.insert(0, str(ROOT))


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.throwaway import free_port

    with tempfile.TemporaryDirectory(prefix="dashboard-shot-") as scratch:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3",
            "CACHE_URL": "locmemcache://",
            "SMS_LOGTO_WEBHOOK_KEYS": "screenshot",  # conversions are tracked
            "DJANGO_SETTINGS_MODULE": "sms_gateway.settings",
            "ADMIN_PASSWORD": "screenshot-password",
        }
        env.pop("SMS_PROVIDERS", None)
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
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,2200"):
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
            browser.get(f"{base}/admin/sms_gateway/deliverydashboard/?days=30")
            height = browser.execute_script("return document.documentElement.scrollHeight")
            # The window's height includes its frame: leave room so the page fits whole.
            browser.set_window_size(1440, min(max(height + 200, 900), 6000))
            browser.save_screenshot(str(OUT))
        finally:
            browser.quit()
            server.terminate()
            server.wait(timeout=20)
    print(f"saved {OUT}")


if __name__ == "__main__":
    main()
