"""What every connector provides, and what a call comes to (complete, fail, throw a BPMN error)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.domain.jobs import RESERVED_PREFIX

Evaluate = Callable[[str], Any]  # a model expression evaluated in the sandbox against the task's data


@dataclass(frozen=True)
class ConnectorSettings:
    """The process's settings the connectors read: the hosts the http connector may call (``host`` or
    ``host:port``, lower case; empty: it refuses every call)."""

    http_hosts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Completed:
    """The call worked: complete the job with these variables."""

    variables: dict[str, Any]


@dataclass(frozen=True)
class Failed:
    """The call failed: retried with the model's back-off while retries are left (``retry``), else an incident at
    once (the model or the settings need a fix, trying again cannot help)."""

    message: str
    retry: bool = True


@dataclass(frozen=True)
class Thrown:
    """The call's answer is a BPMN error the model may catch (an error boundary event with ``code``)."""

    code: str
    message: str
    variables: dict[str, Any] = field(default_factory=dict)


Outcome = Completed | Failed | Thrown


class Connector(Protocol):
    """One built-in connector (``registry.CONNECTORS``)."""

    name: str  # the value of the ``connector`` property
    topic: str  # its reserved topic, ``gridcase:<name>``
    lock_ms: int  # how long the loop locks a job: longer than the longest call
    expressions: tuple[str, ...]  # properties holding sandboxed Python expressions (compiled at deploy and lint)

    def check(self, properties: Mapping[str, str]) -> None:
        """ValueError naming the property when the model's properties are not a valid call (deploy, lint)."""

    def prepare(self, properties: Mapping[str, str], data: Mapping[str, Any], evaluate: Evaluate) -> dict[str, Any]:
        """The call, as JSON-ready data, from the properties and the task's data (ValueError: the step fails)."""

    def call(self, call: Mapping[str, Any], settings: ConnectorSettings) -> Outcome:
        """Make the call (network I/O: never inside a transaction)."""


def reserved_topic(name: str) -> str:
    """The topic of connector ``name``'s jobs."""
    return f"{RESERVED_PREFIX}{name}"
