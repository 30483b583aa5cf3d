"""Real headless Chromium (Debian's package) driven by Playwright; screenshots go to artifacts/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by
# fixtures in that thread are still synchronous, so the async-safety guard is lifted here only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _own_pdf_cache(settings, tmp_path_factory):
    """The live server keeps rendered PDFs on disk: in the test's own folder, never the real data's."""
    settings.PDF_CACHE_DIR = tmp_path_factory.mktemp("pdf-cache")


def kiosk_login(page, base_url: str, role: str = "branch_head", pin: str | None = None) -> None:
    """Log in on the kiosk's own login form (part K) as ``role`` and wait until the page shows who is in.

    ``pin`` defaults to the documented demo PIN of the role (``operators.demo_pins()``); the kiosk's
    devices need PINs first (``tests.device.conftest.give_pins``).
    """
    from entekhab.device.kiosk.operators import demo_pins

    page.goto(f"{base_url.rstrip('/')}/")
    page.wait_for_selector("[data-testid=login-form]:visible, [data-testid=logout]:visible")
    if page.is_visible("[data-testid=logout]"):
        page.click("[data-testid=logout]")
    page.select_option("[data-testid=login-role]", role)
    page.fill("[data-testid=login-pin]", pin or demo_pins()[role])
    page.click("[data-testid=login]")
    page.wait_for_selector(f"body[data-operator={role}]")
