"""Shared steps of the browser tests (Debian's Chromium through Playwright): signing in as a demo person."""

from __future__ import annotations

from typing import Any

PASSWORD = "gridcase-demo"


def sign_in(browser: Any, base: str, username: str, **context: Any) -> Any:
    """A fresh browser context (its own cookies; ``context``: Playwright's context options, e.g. a phone's
    viewport) signed in as ``username``; returns its page."""
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, page.content()[:500]
    return page
