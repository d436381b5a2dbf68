"""The http connector against a local HTTP server: allow-listed hosts only, JSON in and out, 4xx as a BPMN error,
5xx and refused hosts as failures, redirects not followed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from workers.client import BpmnError, Job
from workers.http_connector import HostNotAllowed, http_handler


class Answers(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = {"/ok": 200, "/missing": 404, "/broken": 503, "/moved": 302}[self.path]
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "http://169.254.169.254/")
        self.end_headers()
        self.wfile.write(json.dumps({"path": self.path}).encode())

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(json.dumps({"echo": body}).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def job(**variables: Any) -> Job:
    return Job(1, 1, "t", "call", "http", variables, None, "")


def test_an_allowed_call_returns_the_answer(server: str) -> None:
    call = http_handler({"127.0.0.1"})
    assert call(job(http_url=f"http://{server}/ok")) == {"http_response": {"status": 200, "body": {"path": "/ok"}}}
    posted = call(job(http_url=f"http://{server}/x", http_method="post", http_body={"a": 1}))
    assert posted == {"http_response": {"status": 201, "body": {"echo": {"a": 1}}}}


def test_other_hosts_schemes_and_methods_are_refused(server: str) -> None:
    call = http_handler({"example.org"})
    for url in (f"http://{server}/ok", "file:///etc/passwd", "ftp://example.org/x", "http://example.org.evil/x"):
        with pytest.raises(HostNotAllowed):
            call(job(http_url=url))
    with pytest.raises(ValueError, match="http_method"):
        http_handler({"127.0.0.1"})(job(http_url=f"http://{server}/ok", http_method="TRACE"))


def test_a_4xx_is_a_bpmn_error_a_5xx_and_a_redirect_are_failures(server: str) -> None:
    call = http_handler({server})  # host:port on the list
    with pytest.raises(BpmnError) as error:
        call(job(http_url=f"http://{server}/missing"))
    assert error.value.code == "HTTP_404" and error.value.variables["http_response"]["status"] == 404
    with pytest.raises(Exception, match="503"):
        call(job(http_url=f"http://{server}/broken"))
    with pytest.raises(Exception, match="302"):  # not followed off the allow-list
        call(job(http_url=f"http://{server}/moved"))
