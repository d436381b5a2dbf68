"""The connectors' admin page (both databases): an admin uploads the configuration file and sees each connector's
version and configuration; a refused file lists every problem by path; a failed push shows its attempts and a retry
button, which queues it again; others get 403."""

from __future__ import annotations

import io
import json

import pytest
from api_support import Api, rows
from hotline_support import SECRET, SECRET_ENV, hotline, order, post_order
from notify_support import free_port
from pages_support import Browser

from city.connectors.push_loop import send_due
from engine.domain.clock import FakeClock


def _upload(browser: Browser, content: dict) -> object:
    data = {"csrf_token": browser.token,
            "file": (io.BytesIO(json.dumps(content, ensure_ascii=False).encode()), "connectors.json")}
    return browser.client.post("/admin/connectors", data=data, content_type="multipart/form-data")


def test_upload_list_and_retry(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    api.deps.clock = FakeClock(api.deps.clock.now())
    admin = Browser(api, "admin")
    admin.get("/admin/connectors")
    config = hotline("page", free_port(), max_attempts=1)
    assert _upload(admin, {"connectors": [config]}).status_code == 302
    page = admin.get("/admin/connectors")
    assert page.status_code == 200 and 'id="connector-page"' in page.text and "v1" in page.text
    refused = _upload(admin, {"connectors": [{**config, "kind": "fax"}]})
    assert refused.status_code == 422 and "connectors[0].kind" in refused.text
    post_order(api, "page", order("GD-PAGE"))
    assert send_due(api.bus)["failed"] == 1
    delivery_id = rows(api, "SELECT id FROM connector_deliveries WHERE connector = 'page'")[0][0]
    page = admin.get("/admin/connectors")
    assert f'id="delivery-{delivery_id}"' in page.text and "Connection refused" in page.text
    retried = admin.client.post(f"/admin/connectors/deliveries/{delivery_id}/retry",
                                data={"csrf_token": admin.token})
    assert retried.status_code == 302
    assert rows(api, "SELECT status FROM connector_deliveries WHERE id = :d", d=delivery_id)[0][0] == "queued"
    assert Browser(api, "shiftlead01").get("/admin/connectors").status_code == 403
