"""End-to-end tests: the real `gridcase` processes over HTTP (a browser joins with the web issue)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

GRIDCASE = [sys.executable, "-m", "web.cli"]


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gridcase.db'}"
