"""Evidence files through the API: checked by their bytes, stored once by sha256, served with their real content
type, refused when empty, of another kind or too large, and invisible to whoever cannot see the case.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, error_of, png_bytes
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart


@pytest.fixture
def small_api(city: str, tmp_path: Path) -> Iterator[Api]:
    """An app that accepts uploads of at most 0.001 MB (1048 bytes)."""
    api = Api(city, tmp_path, GRIDCASE_MAX_UPLOAD_MB="0.001")
    yield api
    api.close()


def _upload(api: Api, case_no: str, user: str, data: bytes, filename: str = "photo.png") -> TestResponse:
    return api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers(user),
                           data={"file": (io.BytesIO(data), filename)})


def test_a_png_is_stored_once_and_served_back_as_image_png(api: Api) -> None:
    case_no = api.new_case()
    photo = png_bytes(3, 2)
    stored = _upload(api, case_no, "seat01", photo, "现场.png")
    assert stored.status_code == 201, stored.json
    digest = hashlib.sha256(photo).hexdigest()
    assert stored.json == {"sha256": digest, "filename": "现场.png", "content_type": "image/png", "size": len(photo),
                           "url": f"/api/v1/cases/{case_no}/attachments/{digest}"}
    again = _upload(api, case_no, "collector001", photo, "again.png")
    assert again.status_code == 201 and again.json["sha256"] == digest
    listed = api.get(f"/cases/{case_no}", "seat01").json["attachments"]
    assert [(a["sha256"], a["content_type"], a["size"]) for a in listed] == [(digest, "image/png", len(photo))]
    for user in ("seat01", "auditor01", "collector001"):
        served = api.client.get(stored.json["url"], headers=api.headers(user))
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert served.data == photo
        assert not served.headers.get("Content-Disposition", "").startswith("attachment")  # shown inline
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        served.close()


def test_the_content_type_comes_from_the_bytes_not_the_name(api: Api) -> None:
    case_no = api.new_case()
    pdf = _upload(api, case_no, "seat01", b"%PDF-1.4\n%report\n", "../../etc/notes.png")
    assert pdf.status_code == 201 and pdf.json["content_type"] == "application/pdf"
    assert pdf.json["filename"] == "notes.png"  # no folders from the client's name
    served = api.client.get(pdf.json["url"], headers=api.headers("seat01"))
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment")  # not rendered in the page
    served.close()


def test_an_attachment_served_to_its_readers_is_not_stored_by_shared_caches(api: Api) -> None:
    """Only those who may see the case may read its evidence: a proxy must not keep it (``public`` did)."""
    case_no = api.new_case()
    url = _upload(api, case_no, "seat01", png_bytes()).json["url"]
    served = api.client.get(url, headers=api.headers("seat01"))
    assert served.status_code == 200
    cache_control = served.headers.get("Cache-Control", "")
    served.close()
    assert "public" not in cache_control and ("private" in cache_control or "no-store" in cache_control), \
        cache_control


def test_files_that_are_not_evidence_are_422_naming_file(api: Api) -> None:
    case_no = api.new_case()
    for data, name in ((b"just some text\n", "photo.png"), (b"GIF89a\x01\x00\x01\x00", "a.gif"), (b"", "empty.png"),
                       (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg")):
        assert set(error_of(_upload(api, case_no, "seat01", data, name), 422)["fields"]) == {"file"}, name
    missing = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers("seat01"), data={})
    assert error_of(missing, 422)["fields"] == {"file": "missing"}
    assert api.get(f"/cases/{case_no}", "seat01").json["attachments"] == []


def test_a_file_over_the_upload_limit_is_refused(small_api: Api) -> None:
    case_no = small_api.new_case()
    assert _upload(small_api, case_no, "seat01", png_bytes()).status_code == 201  # under the limit
    padded = png_bytes() + b"\0" * 2000  # a valid PNG signature, 2 KB: over 1048 bytes
    refused = _upload(small_api, case_no, "seat01", padded)
    assert refused.status_code in (413, 422)
    if refused.status_code == 422:
        assert set(error_of(refused, 422)["fields"]) == {"file"}
    # over the request limit; encoded here so the test client does not spool it to a temporary file
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(png_bytes() + b"\0" * 2**21), "huge.png")})
    huge = small_api.client.post(f"/api/v1/cases/{case_no}/attachments", data=body,
                                 content_type=f"multipart/form-data; boundary={boundary}",
                                 headers=small_api.headers("seat01"))
    assert error_of(huge, 413)["code"] == "too_large"
    assert len(small_api.get(f"/cases/{case_no}", "seat01").json["attachments"]) == 1


def test_who_cannot_see_the_case_cannot_upload_or_download(api: Api) -> None:
    case_no = api.new_case()
    url = _upload(api, case_no, "seat01", png_bytes()).json["url"]
    for user in ("dept_c01_01", "collector002", "dept_350602s07_01"):  # not dispatched yet: no department's case
        error_of(_upload(api, case_no, user, png_bytes(4, 4)), 404)
        error_of(api.client.get(url, headers=api.headers(user)), 404)
    error_of(_upload(api, "20990101000001", "seat01", png_bytes()), 404)
    error_of(api.client.get(url), 401)
    for digest in ("0" * 64, "abc", "..%2F..%2Fsecret_key", "." * 64):
        error_of(api.get(f"/cases/{case_no}/attachments/{digest}", "seat01"), 404)
    assert len(api.get(f"/cases/{case_no}", "seat01").json["attachments"]) == 1
