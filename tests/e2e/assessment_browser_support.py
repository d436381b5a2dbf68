"""The assessment browser tests' shared settings: the phone's viewport (their server: ``browser_support.serve_city``,
whose database URL lets the tests write rounds and scores straight into it with ``tests/assessment_views_support.py``
or read what the pages did)."""

from __future__ import annotations

PHONE = {"width": 390, "height": 844}
