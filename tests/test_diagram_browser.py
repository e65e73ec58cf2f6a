"""The live diagram in a real browser (Debian's chromium driven by Playwright).

A demo project waits on its first strategic task; its page draws the BPMN export
with bpmn-js, highlights that task, greys what is done, and a click on the task
opens it for a member of the strategic team. The screenshot is kept for review.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from .conftest import UserFactory, start_project

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(settings.BASE_DIR) / "tests/artifacts/diagram.png"


@pytest.fixture
def demo_project(transactional_db, decision_makers):
    strategist = UserFactory(username="strategist")
    strategist.groups.add(decision_makers)
    operator = UserFactory(username="operator")
    project = start_project(
        strategist,
        "Support assistant",
        strategic_members=[strategist],
        operational_members=[operator],
    )
    client = Client()
    client.force_login(strategist)
    return project, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_active_task_is_highlighted_and_opens_on_click(live_server, demo_project):
    project, session = demo_project
    assert Path(CHROMIUM).exists(), "apt-get install chromium (Debian's package)"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/projects/{project.pk}/")
        diagram = page.locator("llmops-bpmn-diagram[data-state=ready]")
        diagram.wait_for(timeout=15000)

        active = page.locator('.djs-element[data-element-id="define_scope"]')
        done = page.locator('.djs-element[data-element-id="launch_project"]')
        classes = active.get_attribute("class")
        done_classes = done.get_attribute("class")
        lanes = page.locator('.djs-element[data-element-id^="lane_"]').count()
        warnings = diagram.get_attribute("data-warnings")
        diagram.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        active.click()
        page.wait_for_url("**/define_scope/**", timeout=15000)
        opened = page.url
        browser.close()

    print(f"screenshot: {SCREENSHOT}")
    assert "notation-active" in classes
    assert "notation-clickable" in classes
    assert "notation-done" in done_classes
    assert lanes == 2
    assert warnings == "0"
    assert f"/{project.process.pk}/define_scope/" in opened
