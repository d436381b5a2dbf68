"""Settings every public-facing area shares, read from the environment (city code may not import ``web``)."""

from __future__ import annotations

import os
from collections.abc import Mapping

PUBLIC_BASE_URL = "GRIDCASE_PUBLIC_BASE_URL"


def public_base_url(env: Mapping[str, str] | None = None) -> str:
    """The site's public address (``https://city.example``, no trailing slash) from ``GRIDCASE_PUBLIC_BASE_URL``;
    empty when unset. Links the public is given (a citizen's tracking link, Open311's discovery) start with it,
    never with the request's Host header (anyone may send one; behind a TLS proxy it also says http)."""
    env = os.environ if env is None else env
    return env.get(PUBLIC_BASE_URL, "").strip().rstrip("/")
