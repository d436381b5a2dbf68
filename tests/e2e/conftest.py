"""End-to-end tests: the real `gridcase` processes over HTTP, and a real browser (Debian's Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import serve_city, unused_port

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def free_port() -> int:
    return unused_port()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gridcase.db'}"


@pytest.fixture(scope="module")
def city_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`gridcase serve` and the scheduler over a fresh database with the demo city and the lifecycle deployed; its
    base URL."""
    for base, _ in serve_city(tmp_path_factory, "city_server"):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "browser tests need Debian's chromium (.ci/run installs it with apt)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()
