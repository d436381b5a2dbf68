"""The budget of one evaluation (``ScriptLimits``) and what exceeding it raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Mode = Literal["eval", "exec"]
Kind = Literal["cpu", "memory", "wall", "size"]
Route = Literal["auto", "inline", "worker"]

MIB = 1 << 20


@dataclass(frozen=True)
class ScriptLimits:
    """The budget of one evaluation; ``cpu_seconds`` and ``memory_bytes`` come from settings."""

    cpu_seconds: float = 1.0
    memory_bytes: int = 256 * MIB
    wall_seconds: float | None = None  # None: 10 x cpu_seconds + 5 (a backstop: the CPU timer stops a script;
    # on a loaded machine the worker may wait long for a core, and a busy machine must not fail a good script)
    max_result_bytes: int = 4 * MIB  # JSON the worker may send back (the parent copies and decodes it)
    inline_bytes: int = MIB  # guarded allocations an inline evaluation may make before moving to the worker; also
    # the most data (elements and characters) it may read: larger data runs in the worker
    inline_int_bits: int = 1 << 16  # largest integer an inline evaluation computes (bigger: the worker)
    inline_max_nodes: int = 300  # larger code always runs in the worker (the lifecycle's two longest: ~450 nodes);
    # a statement costs at most its nodes x the data it reads (bounded, see inline_bytes), so fewer is safer
    inline_seconds: float = 0.1  # wall-clock time an inline evaluation may take, checked at each loop step, after
    # each statement and before each metered call (more: the worker runs it, under the kernel's limits)
    max_int_bits: int = 1 << 16  # no integer may be larger, inline or in the worker: 10**10**7 fails at once
    max_case_data_chars: int = 16 * MIB  # a step may leave the case's data at most this long (canonical JSON)

    def __post_init__(self) -> None:
        if not 0 < self.cpu_seconds <= 3600:  # also refuses NaN
            raise ValueError(f"cpu_seconds must be above 0 and at most 3600 seconds, not {self.cpu_seconds!r}")
        if not 16 * MIB <= self.memory_bytes <= 1 << 40:
            raise ValueError(f"memory must be at least 16 MB (and at most 1 TB), not {self.memory_bytes // MIB} MB")
        if self.wall_seconds is not None and not self.wall_seconds > 0:
            raise ValueError(f"wall_seconds must be above 0, not {self.wall_seconds!r}")

    @classmethod
    def from_settings(cls, cpu_seconds: float, memory_mb: int) -> ScriptLimits:
        """The limits the settings give; ValueError naming the variable (``GRIDCASE_SCRIPT_CPU_SECONDS``,
        ``GRIDCASE_SCRIPT_MEMORY_MB``) when one is out of range."""
        if not 0 < cpu_seconds <= 3600:
            raise ValueError(f"GRIDCASE_SCRIPT_CPU_SECONDS must be above 0 and at most 3600, not {cpu_seconds!r}")
        if not 16 <= memory_mb <= 1 << 20:
            raise ValueError(f"GRIDCASE_SCRIPT_MEMORY_MB must be 16-1048576 (megabytes), not {memory_mb!r}")
        return cls(cpu_seconds=cpu_seconds, memory_bytes=memory_mb * MIB)

    def wall(self) -> float:
        """Wall-clock seconds after which the parent kills the worker."""
        return self.wall_seconds if self.wall_seconds is not None else 10 * self.cpu_seconds + 5


class BudgetExceeded(Exception):
    """A script or expression exceeded its CPU-time, memory or wall-clock budget; nothing was written."""

    def __init__(self, kind: Kind, limit: float, detail: str = "", lineno: int | None = None) -> None:
        unit = {"cpu": "s of CPU time", "memory": " bytes of memory", "wall": "s of wall-clock time",
                "size": " bits in one integer"}[kind]
        shown = f"{limit:,}" if isinstance(limit, int) else f"{limit:g}"
        message = f"script budget exceeded: more than {shown}{unit}" + (f" ({detail})" if detail else "")
        super().__init__(message)
        self.kind: Kind = kind
        self.limit = limit
        self.detail = detail
        self.lineno = lineno

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the keyword fields (the worker sends these to the parent)."""
        return (type(self), (self.kind, self.limit, self.detail, self.lineno))


class ScriptWorkerError(RuntimeError):
    """The budget worker failed for a reason other than a budget (crashed, could not start, bad reply)."""


class Opaque:
    """Stands for a worker value that is not plain data (a function, a module...): never stored as data."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} from the script worker>"


class Escalate(BaseException):
    """Inline evaluation outgrew the inline allowance: re-run in the worker (never seen by callers)."""
