"""The errors of ``dmn``: a file that cannot be read, an element that cannot be evaluated."""

from __future__ import annotations


class DmnError(ValueError):
    """A DMN file or element gridcase cannot use; names the file, the element id and the reason."""

    def __init__(self, reason: str, *, file: str | None = None, element_id: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.element_id = element_id
        where = ", ".join(part for part in (file, f"element {element_id!r}" if element_id else None) if part)
        super().__init__(f"{where}: {reason}" if where else reason)
