"""A member of the public's secrets in a notification's data: the confirmation code and the tracking link (its
token shows the citizen's status page and rates the case). The sender needs them; staff must never read them, so the
delivery log leaves them out and they are dropped from the stored data once the delivery is final (sent or failed)."""

from __future__ import annotations

from typing import Any

from engine.domain.notifications import PUBLIC_CODE, PUBLIC_UPDATE

PUBLIC_KINDS = (PUBLIC_CODE, PUBLIC_UPDATE)
SECRETS = ("code", "link")


def without_secrets(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as staff may read it: a public kind's code and tracking link left out (other kinds unchanged)."""
    if kind not in PUBLIC_KINDS:
        return data
    return {key: value for key, value in data.items() if key not in SECRETS}
