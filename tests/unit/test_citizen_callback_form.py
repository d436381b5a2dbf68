"""The 回访 form warns the seat operator that an 已解释说明 note goes to the citizen (B-L7)."""

from __future__ import annotations

import json
from pathlib import Path

FORM = Path(__file__).resolve().parents[2] / "workflows" / "forms" / "call_back_citizen.json"


def _note(node: object) -> dict[str, object] | None:
    if isinstance(node, dict):
        note = node.get("note")
        if isinstance(note, dict) and "description" in note:
            return {str(key): value for key, value in note.items()}
        for value in node.values():
            found = _note(value)
            if found is not None:
                return found
    return None


def test_citizen_callback_note_says_it_is_sent_to_the_citizen() -> None:
    note = _note(json.loads(FORM.read_text(encoding="utf-8")))
    assert note is not None
    assert "选择已解释说明时，此内容将以短信/邮件发给市民" in str(note["description"])
