"""Replay verification checks the evidence files (issue 16), on SQLite and PostgreSQL: every file an
``attachment_added`` event records must be in the attachment store and hash to the recorded sha256. A file whose
bytes were altered on disk, or that was deleted, is a divergence naming the event, the file and expected/found —
in the verify API the replay page shows, and in ``gridcase replay verify`` (exit 1), one case or ``--all``."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from api_support import Api, png_bytes

GRIDCASE = Path(sys.executable).with_name("gridcase")


def cli_verify(api: Api, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``gridcase replay verify ARGS`` on the app's database, with the app's attachment store."""
    env = {k: v for k, v in os.environ.items() if k != "GRIDCASE_DATABASE_URL"} | {
        "GRIDCASE_LOG_LEVEL": "WARNING", "GRIDCASE_ATTACHMENTS_DIR": str(folder)}
    return subprocess.run([str(GRIDCASE), "--database-url", api.url, "replay", "verify", *args], capture_output=True,
                          text=True, timeout=300, env=env, check=False)


def api_verify(api: Api, case_no: str) -> dict[str, Any]:
    response = api.post(f"/cases/{case_no}/replay/verify", "auditor01")
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_verify_reports_an_altered_or_missing_evidence_file(api: Api, tmp_path: Path) -> None:
    folder = tmp_path / "att"  # the app's GRIDCASE_ATTACHMENTS_DIR (api_support.Api)
    case_no = api.new_case()
    photo = png_bytes(3, 3)
    stored = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers("seat01"),
                             data={"file": (io.BytesIO(photo), "现场.png")})
    assert stored.status_code == 201, stored.json
    digest = stored.json["sha256"]
    events = api.get(f"/cases/{case_no}/events", "auditor01").json["events"]
    (seq,) = [e["seq"] for e in events if e["event_type"] == "attachment_added"]
    path = folder / digest[:2] / digest
    assert path.read_bytes() == photo

    assert api_verify(api, case_no)["verified"] is True
    intact = cli_verify(api, folder, case_no)
    assert intact.returncode == 0 and intact.stdout.startswith(f"verified: {case_no}"), intact.stdout + intact.stderr

    altered = photo[:-1] + bytes([photo[-1] ^ 0xFF])  # one byte flipped on disk
    path.write_bytes(altered)
    found = api_verify(api, case_no)
    assert found["verified"] is False
    assert found["divergence"] == {"seq": seq, "event_type": "attachment_added", "field": "file 现场.png",
                                   "expected": digest, "found": hashlib.sha256(altered).hexdigest(),
                                   "reason": "the evidence file's bytes differ from those recorded: it was altered"
                                             " or replaced"}
    done = cli_verify(api, folder, case_no)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"NOT VERIFIED: {case_no}" in done.stdout and f"event {seq} (attachment_added)" in done.stdout
    assert digest in done.stdout and hashlib.sha256(altered).hexdigest() in done.stdout

    path.unlink()
    found = api_verify(api, case_no)
    assert found["verified"] is False
    assert (found["divergence"]["seq"], found["divergence"]["field"], found["divergence"]["expected"],
            found["divergence"]["found"]) == (seq, "file 现场.png", digest, None)
    assert "missing from the attachment store" in found["divergence"]["reason"]
    as_json = cli_verify(api, folder, case_no, "--json")
    assert as_json.returncode == 1, as_json.stdout + as_json.stderr
    divergence = json.loads(as_json.stdout)["divergence"]
    assert (divergence["seq"], divergence["expected"], divergence["found"]) == (seq, digest, None)
    every = cli_verify(api, folder, "--all", "--json")
    assert every.returncode == 1, every.stdout + every.stderr
    failures = {f["case_no"]: f["divergence"] for f in json.loads(every.stdout)["failures"]}
    assert failures[case_no]["seq"] == seq and failures[case_no]["found"] is None

    path.write_bytes(photo)  # the evidence restored: verified again
    assert api_verify(api, case_no)["verified"] is True
    assert cli_verify(api, folder, case_no).returncode == 0
