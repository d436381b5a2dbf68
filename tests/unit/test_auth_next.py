"""After signing in, only a same-site path is followed: judged as the browser will read it (backslashes as
slashes; tabs and newlines, which it drops, never followed) and after percent-decoding; anything else goes to the
person's home page."""

from __future__ import annotations

import pytest

from web.pages.auth import safe_next

HOSTILE = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\/evil.example",
    "\\\\evil.example", "/\t/evil.example/phish", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
    "/\\\t/evil.example", "https://evil.example", "http:/evil.example", "http:evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "evil.example",
    "evil.example/phish", "", " //evil.example", "/%09/evil.example/phish", "/%2F/evil.example",
    "/%2f%2fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%5C%5Cevil.example",
    "/%252F%252Fevil.example", "/%25252F%25252Fevil.example", "/%0d%0aSet-Cookie:%20x=1",
    "/\r\nSet-Cookie: x=1", "/inbox\r\nLocation: //evil.example", "/\x00/evil.example", "/\x7f",
    "/%00", "/" + "a" * 2000, "／／evil.example", "\u3000//evil.example", "/in\tbox", "/inbox\n",
]
SAME_SITE = ["/inbox", "/cases?status=open&page=2", "/tasks/abc#form", "/cases?q=%E5%9E%83%E5%9C%BE",
             "/case/2026/a%20b", "/kpi?from=%2F%2Fnot-a-host", "/"]


@pytest.mark.parametrize("target", HOSTILE)
def test_anything_but_a_same_site_path_is_not_followed(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", SAME_SITE)
def test_a_same_site_path_is_followed(target: str) -> None:
    assert safe_next(target) == target


def test_no_target_is_none() -> None:
    assert safe_next(None) is None
