"""Steps at the branch kiosk shared by the browser tests: the branch head's login and the opening."""

from __future__ import annotations

from tests.browser import conftest as browser_conftest


def login_as_branch_head(page, url) -> None:
    """K's operator login, when the kiosk has one (tests/browser/conftest.py: ``kiosk_login``)."""
    login = getattr(browser_conftest, "kiosk_login", None)
    if login is not None:
        login(page, url, "branch_head")


def open_branch(page, url, *, mock_votes: int = 2, artifacts=None) -> None:
    """Drive the opening page through its four steps (also used by test_polling)."""
    page.goto(f"{url}/opening")
    page.wait_for_selector("body[data-next]")  # the page has painted the state it read
    page.click("[data-testid=zero]")
    page.wait_for_selector("[data-testid=zero-pdf]:visible")
    page.click("[data-testid=mock-start]")
    page.wait_for_selector("[data-testid=mock-vote]:enabled")
    for n in range(1, mock_votes + 1):
        page.click("[data-testid=mock-vote]")
        digit = "۰۱۲۳۴۵۶۷۸۹"[n]
        page.wait_for_function(f"document.querySelector('[data-testid=mock-count]').textContent === '{digit}'")
    page.wait_for_function("document.querySelector('[data-testid=mock-card]').naturalWidth > 0")
    if artifacts is not None:
        page.screenshot(path=str(artifacts / "kiosk-opening-mock.png"), full_page=True)
    assert page.is_hidden("[data-testid=mock-pdf]") and page.is_disabled("[data-testid=zero2]")
    page.click("[data-testid=mock-end]")
    page.wait_for_selector("[data-testid=mock-pdf]:visible")
    assert page.is_hidden("[data-testid=zero2-pdf]") and page.is_disabled("[data-testid=open-polls]")
    page.click("[data-testid=zero2]")
    page.wait_for_selector("[data-testid=zero2-pdf]:visible")
    page.click("[data-testid=open-polls]")
    page.wait_for_selector("[data-testid=msg] >> text=شعبه باز شد")
