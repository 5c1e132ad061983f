"""End to end in a real browser: a clerk signs in, registers a visit, finds it by a Chinese keyword
and sees it in the work queue. Drives Debian's /usr/bin/chromium through Playwright; no browser
is ever downloaded."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.db import connections

from xinfang.petitions.models import Petition
from xinfang.testing import PASSWORD, make_id_number

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]
KEYWORD = "垃圾焚烧厂"
CONTENT = f"村旁新建的{KEYWORD}夜间排放刺鼻异味，影响三百余户村民生活，请求责令整改。"

pytestmark = [
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture
def browser_page(settings, tmp_path):
    from playwright.sync_api import sync_playwright

    settings.MEDIA_ROOT = tmp_path
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # Under Playwright's greenlet the test's ORM calls get their own connection; close it,
            # or PostgreSQL refuses to drop the test database at the end of the session.
            connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_registers_a_visit_finds_it_by_keyword_and_sees_it_in_the_queue(
    live_server, world, browser_page
):
    page = browser_page
    base = live_server.url

    # Sign in through the login form.
    page.goto(f"{base}/login/")
    page.fill("#id_username", world.clerk.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "工作队列" in page.locator("nav.mainnav").inner_text()
    assert world.bureau.name in page.locator(".userbox").inner_text()

    # Register a visit of three persons from the navigation menu.
    page.click("nav.mainnav details.navmenu > summary")
    page.click("nav.mainnav a[href='/petitions/new/visit/']")
    page.wait_for_url(f"{base}/petitions/new/visit/")
    page.fill("#f-persons", "3")
    page.select_option("#f-visit_level", "local")
    page.select_option("#f-request_class", "claim")
    page.select_option("#f-category", "0901")
    page.fill("#f-title", f"反映村旁{KEYWORD}排放异味")
    page.fill("#f-content", CONTENT)
    page.check("#f-is_oral")
    page.select_option("#f-complained_unit", world.township.code)
    people = [("赵一", "43042119800101100"), ("钱二", "43042119810202200"), ("孙三", "43042119820303300")]
    for i, (name, id17) in enumerate(people):
        page.fill(f"#f-p-{i}-name", name)
        page.fill(f"#f-p-{i}-id_number", make_id_number(id17))
    page.click("#add-petitioner")  # a fourth row appears and stays blank
    assert page.locator("fieldset.petitioner").count() == 4
    page.fill("#f-p-0-phone", "13812345678")
    page.click("#submit-registration")
    page.wait_for_url(re.compile(r"/petitions/\d+/$"))

    petition = Petition.objects.get()
    assert (petition.channel, petition.persons, petition.is_oral) == ("visit", 3, True)
    assert petition.links.count() == 3
    assert petition.case_number in page.locator(".messages").inner_text()
    assert "赵一" in page.locator("main").inner_text()

    # Search for it by the keyword, through the search box in the top bar.
    page.fill(".topsearch input[name=q]", KEYWORD)
    page.press(".topsearch input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/petitions/\?q="))
    assert page.locator("table.cases tbody tr").filter(has_text=petition.case_number).count() == 1
    assert KEYWORD in page.locator(".searchbar input[name=q]").input_value()

    # And in the work queue.
    page.click("nav.mainnav a[href='/']")
    page.wait_for_url(f"{base}/")
    row = page.locator("table.cases tbody tr").filter(has_text=petition.case_number)
    assert row.count() == 1
    assert "赵一" in row.inner_text()
    assert "来访" in row.inner_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pages_work_under_the_content_security_policy(live_server, world, browser_page):
    """No inline script runs (docs/security.md): the charts, the copy button and the API docs,
    all from static files, still work, and the browser reports no blocked script."""
    page = browser_page
    base = live_server.url
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{base}/login/")
    page.fill("#id_username", world.clerk.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    response = page.goto(f"{base}/stats/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#chart-trend canvas")  # ECharts drew, from /static/xinfang/dashboard.js

    page.goto(f"{base}/stats/paragraph/")
    page.click("#copy-paragraph")
    page.wait_for_selector("#copy-done:not([hidden])")

    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")  # Swagger UI from ninja's vendored files
    assert blocked == []
