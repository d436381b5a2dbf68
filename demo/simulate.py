"""``gridcase demo simulate``: a realistic stream of reports through the real lifecycle, in simulated time.

Reports arrive through the ten channels at the city's grids; simulated collectors, shift leads,
dispatchers, departments and supervisors act on their tasks after human delays, counted in working
time; some dispose late, return, ask for extensions or suspensions, or fail the on-site check. Timers
fire when the simulated clock reaches them. Every action is a real command on the bus (reports are
``ReportProblem``, completions ``CompleteHumanTask``: forms are checked as for people), so the
database ends up exactly as if people had worked the cases.

The simulator works only the cases it reported in this run (external ids ``sim-<run>-<n>``): its clock is
its own, and the engine refuses a step dated before a case's last one.
"""

from __future__ import annotations

import heapq
import random
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from city.commands import ReportProblem
from city.intake.report import detection_message
from demo.people import CHANNELS, Action, Behaviour, decide, disposal_moment
from demo.world import World, load_world
from engine.connectors.base import ConnectorSettings
from engine.domain import commands as c
from engine.domain.city_zone import city_zone
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict, GridcaseError
from engine.domain.working_time import WorkingTime
from engine.persistence.read import simulation as reads
from engine.scheduling.connectors import ConnectorLoop
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

PROCESS = "case_lifecycle"
# Working hours each role takes to act on a task: (fastest, slowest).
DELAYS = {"verify_report": (0.2, 2.0), "review_detection": (0.05, 0.5), "file_or_void": (0.1, 1.0),
          "confirm_dispatch": (0.05, 0.5),
          "check_on_site": (0.3, 4.0), "close_case": (0.1, 1.5), "review_extension": (0.2, 2.0),
          "review_suspension": (0.2, 2.0), "resume_disposal": (8.0, 40.0), "acknowledge_warning": (0.1, 1.0),
          "supervise_overdue": (0.2, 3.0), "supervise_escalation": (0.5, 4.0)}
STAGES = {"verify_report": "核实 verifying", "review_detection": "视频审核 reviewing", "file_or_void": "立案 filing",
          "confirm_dispatch": "派遣 dispatching",
          "dispose_problem": "处置 disposing", "review_extension": "延期审批 extension review",
          "review_suspension": "挂账审批 suspension review", "resume_disposal": "挂账 suspended",
          "check_on_site": "核查 checking", "close_case": "结案 closing"}


@dataclass
class Summary:
    """What a simulation did."""

    days: int
    reports: int = 0
    commands: int = 0
    rejected: int = 0
    timers_fired: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    closed_on_time: int = 0
    voided: int = 0

    @property
    def on_time_share(self) -> float | None:
        return round(self.closed_on_time / self.closed, 3) if self.closed else None

    def to_dict(self) -> dict[str, Any]:
        return {"days": self.days, "reports": self.reports, "commands": self.commands, "rejected": self.rejected,
                "timers_fired": self.timers_fired, "cases_by_state": self.by_state, "closed": self.closed,
                "closed_on_time": self.closed_on_time, "on_time_share": self.on_time_share, "voided": self.voided}


class Simulation:
    """A discrete-event simulation over the bus: arrivals and task actions in a heap, timers from the table."""

    def __init__(self, bus: MessageBus, clock: FakeClock, working_time: WorkingTime, *, seed: int, per_day: float,
                 behaviour: Behaviour | None = None) -> None:
        self.bus, self.clock, self.working_time = bus, clock, working_time
        self.rng = random.Random(seed)
        self.per_day = per_day
        self.behaviour = behaviour or Behaviour()
        self.world: World = load_world(bus.deps, self.rng)
        self.timers = TimerScheduler(bus)
        # The lifecycle's notify steps (回退, 返工, the result) wait for the scheduler's connector loop: run it too.
        self.connectors = ConnectorLoop(bus, ConnectorSettings())
        self._heap: list[tuple[datetime, int, Any]] = []
        self._seq = 0
        self._scheduled: set[str] = set()
        self.prefix = f"sim-{secrets.token_hex(4)}-"  # marks this run's cases; not drawn from rng: same seed, same run
        self._last_case_no: str | None = None  # what a report the world marks as a repeat is a duplicate of

    def run(self, start: datetime, days: int, progress: Callable[[datetime], None] = lambda _: None) -> Summary:
        """Simulate ``days`` days from ``start``; returns the summary."""
        summary = Summary(days=days)
        end = start + timedelta(days=days)
        self._schedule_arrivals(start, days)
        while True:
            due = self._next_timer()
            moment = min(t for t in (due, self._heap[0][0] if self._heap else None, end) if t is not None)
            if moment >= end:
                break
            self.clock.set(max(moment, self.clock.now()))
            if due is not None and due <= moment:
                self._fire_due(summary)
            else:
                _, _, item = heapq.heappop(self._heap)
                self._perform(item, summary)
            progress(self.clock.now())
        self.clock.set(end)
        self._summarise(summary)
        return summary

    def _push(self, when: datetime, item: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, item))

    def _schedule_arrivals(self, start: datetime, days: int) -> None:
        channels, weights = list(CHANNELS), list(CHANNELS.values())
        for day in range(days):
            local = (start + timedelta(days=day)).astimezone(city_zone())  # the city's day starts at 07:00 there
            base = local.replace(hour=7, minute=0, second=0, microsecond=0)
            count = self._poisson(self.per_day)
            for _ in range(count):
                when = base + timedelta(hours=self.rng.uniform(0, 14))  # reports come in between 07:00 and 21:00
                if when >= start:
                    self._push(when, ("report", self.rng.choices(channels, weights)[0]))

    def _poisson(self, mean: float) -> int:
        # Knuth's method is fine for the tens of reports a day a demo uses.
        limit, count, product = pow(2.718281828459045, -mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def _next_timer(self) -> datetime | None:
        with self.bus.deps.uow(read_only=True) as uow:
            return reads.next_timer_due(uow.store, self.prefix)

    def _fire_due(self, summary: Summary) -> None:
        now = self.clock.now()
        with self.bus.deps.uow(read_only=True) as uow:
            due = reads.due_timers(uow.store, self.prefix, now)
        for timer_id, _ in due:
            if self.timers.fire(timer_id) == "fired":
                summary.timers_fired += 1
                summary.commands += 1
        for case_id in self._cases_with_unscheduled_tasks():
            self._schedule_tasks(case_id)

    def _perform(self, item: Any, summary: Summary) -> None:
        if item[0] == "report":
            case_ids = self._report(item[1])
            summary.reports += 1
            summary.commands += 1
        else:
            case_ids = self._act(item[1], summary)
        for case_id in case_ids:
            self._schedule_tasks(case_id)

    def _report(self, channel: str) -> list[int]:
        reported = self.world.report(channel)
        external_id = f"{self.prefix}{self.world.seq}"
        if channel == "video":
            refs = self.bus.handle(detection_message(reported, "vision", external_id))
            return [ref.case_id for ref in refs]
        seat = self.world.actor("seat_operator")
        location = reported["location"]
        # The simulated people's photos were never uploaded: a report cites none.
        report = ReportProblem(reported["subtype"], reported["description"], location["lon"], location["lat"],
                                 channel, seat, external_id=external_id, reporter=reported["reporter"],
                                 urgency=reported["urgency"],
                                 duplicate_of=self._last_case_no if reported["duplicate_of"] else None)
        ref = self.bus.handle(report)  # ReportProblem refuses a duplicate_of that names no case: cite the last one
        self._last_case_no = ref.case_no or self._last_case_no
        return [ref.case_id]

    def _act(self, action: Action, summary: Summary) -> list[int]:
        with self.bus.deps.uow(read_only=True) as uow:
            data = reads.ready_task_data(uow.store, action.case_id, action.task_id)
        if data is None:
            return []
        form = decide(action.bpmn_id, data, self.rng, self.behaviour, self.world.departments)
        try:
            self.bus.handle(c.CompleteHumanTask(action.task_id, form, action.actor, claim_if_free=action.claim))
            summary.commands += 1 + self.connectors.run_once()
        except ConcurrencyConflict:
            return []  # the task was cancelled meanwhile (disposal reported, say)
        except GridcaseError:
            summary.rejected += 1
            return []
        return [action.case_id]

    def _cases_with_unscheduled_tasks(self) -> list[int]:
        with self.bus.deps.uow(read_only=True) as uow:
            rows = reads.ready_task_ids(uow.store, self.prefix)
        return sorted({case_id for case_id, task_id in rows if task_id not in self._scheduled})

    def _schedule_tasks(self, case_id: int) -> None:
        with self.bus.deps.uow(read_only=True) as uow:
            tasks = reads.case_ready_tasks(uow.store, case_id)
            due = reads.pending_timer_due(uow.store, case_id, "disposal_overdue")
        now = self.clock.now()
        for task_id, bpmn_id, group in tasks:
            if task_id in self._scheduled:
                continue
            self._scheduled.add(task_id)
            if bpmn_id == "dispose_problem":
                when = disposal_moment(self.rng, now, due, self.behaviour)
            else:
                low, high = DELAYS.get(bpmn_id, (0.2, 2.0))
                when = self.working_time.deadline(now, self.rng.uniform(low, high), "working_hours")
            actor, claim = self.world.person_for(group)
            self._push(when, ("task", Action(task_id, case_id, bpmn_id, actor, claim)))

    def _summarise(self, summary: Summary) -> None:
        states: Counter[str] = Counter()
        with self.bus.deps.uow(read_only=True) as uow:
            outcomes = reads.case_outcomes(uow.store, self.prefix)
        for _, status, data, ready in outcomes:
            if status == "completed":
                evaluation = data.get("evaluation") or {}
                closed = evaluation.get("result") == "closed"
                states["结案 closed" if closed else "作废 voided"] += 1
                summary.closed += closed
                summary.closed_on_time += bool(closed and evaluation.get("on_time"))
                summary.voided += not closed
                continue
            stage = next((STAGES[b] for b in STAGES if b in ready), None)
            states[stage or f"{status}"] += 1
        summary.by_state = dict(sorted(states.items()))
