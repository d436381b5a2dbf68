"""``whole_arg`` and ``page_arg``: the query-string numbers every list reads the same way."""

from __future__ import annotations

import pytest
from flask import Flask

from web.api.errors import ApiError
from web.api.query_args import whole_arg
from web.pages.common import page_arg

APP = Flask(__name__)


def test_a_whole_number_within_bounds_is_read_and_an_absent_or_empty_one_is_the_default() -> None:
    with APP.test_request_context("/?page=7&empty="):
        assert whole_arg("page", 1, 1, 10) == 7
        assert whole_arg("empty", 3, 1, 10) == 3
        assert whole_arg("absent", None, 1, 10) is None


@pytest.mark.parametrize("raw", ["0", "11", "x", "-1", "²", "1.5", "9" * 5000])
def test_anything_else_is_refused_naming_the_argument(raw: str) -> None:
    with APP.test_request_context("/", query_string={"per_page": raw}), pytest.raises(ApiError) as refused:
        whole_arg("per_page", 1, 1, 10)
    assert (refused.value.status, set(refused.value.fields or {})) == (422, {"per_page"})


@pytest.mark.parametrize(("raw", "page"), [("3", 3), ("0", 1), ("x", 1), ("1000000", 1), ("٣", 1), ("120", 1)])
def test_a_pages_page_number_reads_anything_else_as_the_first(raw: str, page: int) -> None:
    with APP.test_request_context("/", query_string={"page": raw}):
        assert page_arg(most=100) == page
