"""Reference runs for the benchmarks: SpiffWorkflow alone, and naive whole-blob persistence.

These deliberately bypass gridcase (plain parser, default script engine, the stock serializer) so
the benchmark compares gridcase against the engine it wraps, in the same process and run.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


class PlainProcess:
    """A process parsed by SpiffWorkflow's own parser, run with its default script engine."""

    def __init__(self, bpmn_text: str, process_id: str) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_str(bpmn_text.encode("utf-8"))
        self.spec = parser.get_spec(process_id)
        self.subprocess_specs = parser.get_subprocess_specs(process_id)

    def start(self, data: dict[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        workflow.do_engine_steps()
        return workflow

    @staticmethod
    def complete_next(workflow: BpmnWorkflow, data: dict[str, Any]) -> bool:
        """Complete the first ready human task with ``data``; False when none is ready."""
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        if task is None:
            return False
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        return True

    def naive_start(self, data: dict[str, Any]) -> str:
        """Start a workflow and return it serialized whole (spec included), as naive storage does."""
        blob: str = _SERIALIZER.serialize_json(self.start(data))
        return blob

    @staticmethod
    def naive_step(blob: str, data: dict[str, Any]) -> str:
        """Deserialize the whole workflow, complete one task, serialize it whole again."""
        workflow = _SERIALIZER.deserialize_json(blob)
        PlainProcess.complete_next(workflow, data)
        stepped: str = _SERIALIZER.serialize_json(workflow)
        return stepped
