"""docs/connectors.md's worked HMAC example is what ``city.connectors.signing.signature`` computes."""

from __future__ import annotations

from pathlib import Path

from city.connectors.signing import signature

DOC = Path(__file__).resolve().parents[2] / "docs" / "connectors.md"
EXPECTED = "sha256=65921f09840cfd9b0eff44e725193bf3f53b910e51795426145b4d52f79d0c5a"


def test_worked_example_matches_the_signature() -> None:
    assert signature(b"example-secret", "1765094400", b'{"order_id":"A1"}') == EXPECTED
    assert f"X-Gridcase-Signature: {EXPECTED}" in DOC.read_text(encoding="utf-8")
