"""Open311's two formats, chosen by the path's extension: JSON (lists and objects as the spec shows them) and XML
(the spec's roots and elements in order, UTF-8 with its declaration); errors as ``<errors><error><code/>
<description/></error></errors>`` or ``[{"code", "description"}]``."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response, request

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# a list's element name → each item's (the spec's plural → singular)
ITEMS = {"services": "service", "service_requests": "request", "endpoints": "endpoint", "formats": "format",
         "attributes": "attribute", "errors": "error", "values": "value"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # no XML 1.0 document holds these
DESCRIPTION_CHARS = 300  # an error's description repeats at most this much of what it was sent


def format_of_path(path: str | None = None) -> str:
    """The format a path's extension asks for: ``json`` for ``.json``, else ``xml`` (the spec's required one)."""
    return "json" if (path if path is not None else request.path).lower().endswith(".json") else "xml"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def element(tag: str, value: Any) -> ET.Element:
    """``value`` as the element ``tag``: a dict's items as children in order, a list's items as the singular."""
    node = ET.Element(tag)
    if isinstance(value, dict):
        for name, item in value.items():
            node.append(element(name, item))
    elif isinstance(value, list):
        for item in value:
            node.append(element(ITEMS.get(tag, "item"), item))
    else:
        node.text = _text(value)
    return node


def xml_document(root: str, value: Any) -> str:
    """The XML document: declaration, then ``value`` under ``root``."""
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element(root, value), encoding="unicode")


def render(fmt: str, root: str, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """The answer in ``fmt``: JSON as it is, XML under ``root`` (``services``, ``service_requests``, …)."""
    body = json.dumps(value, ensure_ascii=False) if fmt == "json" else xml_document(root, value)
    response = Response(body, status=status, content_type=FORMATS[fmt])
    for name, text in (headers or {}).items():
        response.headers[name] = text
    return response


def error_response(status: int, descriptions: list[str], headers: dict[str, str] | None = None,
                   fmt: str | None = None) -> Response:
    """The spec's error document in the requested path's format, one error per description."""
    errors = [{"code": status, "description": text[:DESCRIPTION_CHARS]} for text in descriptions]
    return render(fmt or format_of_path(), "errors", errors, status, headers)
