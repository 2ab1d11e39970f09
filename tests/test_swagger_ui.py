"""Swagger UI in a real browser: Debian's headless chromium driven by selenium.

It lists every operation of the served document; "Try it out" with the trigger's example
body answers 200 on a fresh server; on a password server a request before Authorize gets a
401 without the browser's own login dialog, and after Authorize ``GET /pools`` answers 200.
Screenshots are kept in ``test-artifacts/swagger-ui/`` at the repository root.
No tool downloads a browser: the test uses ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from databases import IN_CI
from expapi.app import load_spec
from live_server import EXPAPI, LiveServer, clean_environment

pytestmark = pytest.mark.live

REPOSITORY = Path(__file__).resolve().parents[1]
ARTIFACTS = REPOSITORY / "test-artifacts" / "swagger-ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 30

OPERATION_IDS = sorted(
    operation["operationId"] for item in load_spec()["paths"].values() for operation in item.values()
    if isinstance(operation, dict) and "operationId" in operation
)


@pytest.fixture
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        if IN_CI:
            pytest.fail("selenium is not installed (it is in the test extra)")
        pytest.skip("selenium is not installed")
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        message = "Debian's chromium and chromium-driver are not installed (.ci/run installs them)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2400"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, css: str, timeout: int = WAIT):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, css)))


def open_ui(driver, server: LiveServer) -> None:
    driver.get(f"{server.url}/api/experimental/ui/")
    wait_for(driver, ".opblock")


def operation(driver, operation_id: str):
    """The operation's block, expanded (Swagger UI ids end with the operationId)."""
    block = wait_for(driver, f"[id$='-{operation_id}']")
    if "is-open" not in block.get_attribute("class"):
        block.find_element("css selector", ".opblock-summary").click()
    return block


def execute(driver, operation_id: str) -> str:
    """Try it out with the document's examples, execute, and return the status Swagger UI shows."""
    from selenium.webdriver.support.ui import WebDriverWait

    block = operation(driver, operation_id)
    prefix = f"[id$='-{operation_id}']"
    wait_for(driver, f"{prefix} .try-out__btn").click()
    wait_for(driver, f"{prefix} .execute").click()
    status_cell = f"{prefix} .live-responses-table .response .response-col_status"
    WebDriverWait(driver, WAIT).until(lambda d: block.find_elements("css selector", status_cell.replace(prefix + " ", "")))
    return block.find_element("css selector", ".live-responses-table .response .response-col_status").text.strip()


def screenshot(driver, name: str, operation_id: str) -> None:
    """The page, scrolled to the operation's answer, as ``test-artifacts/swagger-ui/<name>.png``."""
    answer = driver.find_elements("css selector", f"[id$='-{operation_id}'] .live-responses-table")
    if answer:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", answer[0])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_swagger_ui_lists_every_operation_and_triggers_with_the_example(browser, tmp_path: Path) -> None:
    with LiveServer(tmp_path, workers=1) as server:
        open_ui(browser, server)
        listed = sorted(
            block.get_attribute("id").rsplit("-", 1)[-1] for block in browser.find_elements("css selector", ".opblock")
        )
        assert listed == OPERATION_IDS
        # The open backend declares no scheme: no Authorize button, no padlocks.
        assert not browser.find_elements("css selector", ".btn.authorize")
        status = execute(browser, "trigger_dag_run")
        screenshot(browser, "open-trigger", "trigger_dag_run")
        assert status == "200"


def test_password_server_answers_after_authorize_without_a_native_dialog(browser, tmp_path: Path) -> None:
    env = clean_environment(tmp_path, EXPAPI__API__AUTH_BACKEND="password")
    subprocess.run([EXPAPI, "users", "create", "--username", "hello", "--password", "world"], env=env, cwd=tmp_path, check=True)
    with LiveServer(tmp_path, workers=1, env=env) as server:
        open_ui(browser, server)
        # Before Authorize: Swagger UI shows the 401, with a challenge no browser prompts for.
        assert execute(browser, "list_pools") == "401"
        assert "expapibasic" in operation(browser, "list_pools").text.lower()
        screenshot(browser, "password-before-authorize", "list_pools")
        browser.refresh()
        open_ui(browser, server)
        wait_for(browser, ".btn.authorize").click()
        wait_for(browser, ".modal-ux input[type='text']").send_keys("hello")
        wait_for(browser, ".modal-ux input[type='password']").send_keys("world")
        wait_for(browser, ".modal-ux .auth-btn-wrapper .authorize").click()
        wait_for(browser, ".modal-ux .btn-done").click()
        status = execute(browser, "list_pools")
        screenshot(browser, "password-after-authorize", "list_pools")
        assert status == "200"
