"""The worker's spool: every alert is written to disk before it is sent, and removed once the API took it.

So no detection is lost when the API is down or the worker stops, and none is sent twice: the
external id is derived from the camera, zone, rule and the moment the object came to rest, and the
server deduplicates cases on it. ``state.json`` remembers the case opened for each (subtype, zone), so
a later alert on the same problem adds evidence to that case while it is still open.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vision.client import ApiClient, ApiRefused, ApiUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    """One rule hit on one camera, ready to become a case or evidence for an open one."""

    external_id: str
    camera_id: str
    zone_id: str
    subtype: str
    rule_id: str
    detection: dict[str, Any]  # the video_detection payload the lifecycle reads

    @property
    def key(self) -> str:
        """What counts as the same problem: camera (one spool per camera), subtype and zone."""
        return f"{self.subtype}|{self.zone_id}"


@dataclass(frozen=True)
class Delivery:
    """What the API did with an alert: a new case, or evidence added to an open one."""

    external_id: str
    case_no: str
    kind: str  # case | evidence


def _write_atomically(path: Path, content: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


class Spool:
    """A directory of pending alerts (JSON + annotated JPEG) and the open-case state of one camera."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pending = root / "pending"
        self.failed = root / "failed"
        self.pending.mkdir(parents=True, exist_ok=True)
        self.failed.mkdir(parents=True, exist_ok=True)
        self.state_path = root / "state.json"

    def add(self, alert: Alert, jpeg: bytes) -> None:
        """Keep an alert until it is delivered (the image first: a JSON file means a complete alert)."""
        _write_atomically(self.pending / f"{_safe(alert.external_id)}.jpg", jpeg)
        _write_atomically(self.pending / f"{_safe(alert.external_id)}.json",
                          json.dumps(asdict(alert), ensure_ascii=False).encode("utf-8"))

    def waiting(self) -> list[Path]:
        """Pending alerts, oldest first."""
        return sorted(self.pending.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name))

    def _state(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return {"open_cases": {}}
        state: dict[str, Any] = json.loads(self.state_path.read_text("utf-8"))
        return state

    def _save_state(self, state: dict[str, Any]) -> None:
        _write_atomically(self.state_path, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))

    def deliver(self, client: ApiClient) -> list[Delivery]:
        """Send what is pending; stops at the first outage (kept for the next round)."""
        done = []
        for path in self.waiting():
            alert = Alert(**json.loads(path.read_text("utf-8")))
            jpeg = path.with_suffix(".jpg").read_bytes()
            try:
                done.append(self._deliver_one(client, alert, jpeg))
            except ApiUnavailable as exc:
                log.warning("API unavailable, %s alerts kept in %s: %s", len(self.waiting()), self.pending, exc)
                break
            except ApiRefused as exc:  # a request the API will never take: set aside with the reason
                log.error("alert %s refused: %s", alert.external_id, exc)
                (self.failed / path.name).write_text(json.dumps({**asdict(alert), "error": str(exc)},
                                                                ensure_ascii=False), "utf-8")
                os.replace(path.with_suffix(".jpg"), self.failed / path.with_suffix(".jpg").name)
            path.unlink(missing_ok=True)
            path.with_suffix(".jpg").unlink(missing_ok=True)
        return done

    def _deliver_one(self, client: ApiClient, alert: Alert, jpeg: bytes) -> Delivery:
        state = self._state()
        open_case = state["open_cases"].get(alert.key)
        if open_case is not None and _is_open(client.case(open_case)):
            client.upload(open_case, alert.detection["image"], jpeg)
            return Delivery(alert.external_id, open_case, "evidence")
        case_no = client.start_case(alert.detection, alert.external_id)[0]
        client.upload(case_no, alert.detection["image"], jpeg)
        state["open_cases"][alert.key] = case_no
        self._save_state(state)
        return Delivery(alert.external_id, case_no, "case")


def _is_open(case: dict[str, Any] | None) -> bool:
    return case is not None and case.get("status") == "running" and not case.get("evaluation")


def _safe(external_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in external_id)
