"""Types of the workflow suite's helper fixtures (see conftest.py), shared by its test modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

Sql = Callable[..., list[sa.Row]]
Rows = Callable[[int], list[sa.Row]]
Snapshot = Callable[[int], dict[str, list[tuple[Any, ...]]]]
HumanTask = Callable[[str], sa.Row]
TaskData = Callable[[int, str], list[dict[str, Any]]]
Problems = Callable[[int], list[str]]
