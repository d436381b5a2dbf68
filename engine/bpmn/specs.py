"""Parse BPMN/DMN into process bundles, serialize specs once per version, restore them cached."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from engine.bpmn.catching import start_names
from engine.bpmn.event_parsers import event_parser_classes
from engine.bpmn.event_subprocesses import connect_event_subprocesses
from engine.bpmn.external import external_parser_classes, external_serializer_config
from engine.bpmn.feel_engine import FeelBusinessRuleTaskConverter, FeelDecisionEngine, FeelDecisions
from engine.bpmn.feel_expressions import spec_feel_problems
from engine.bpmn.foreign import MAP_DECISION_RESULT, RESULT_VARIABLE, is_bpmn_file, translate_expressions
from engine.bpmn.milestones import spec_milestones
from engine.bpmn.parse_errors import explain
from engine.bpmn.step_limits import SERIALIZED_KEY, StepLimitSource, bundle_step_limits, restore_step_limits
from engine.bpmn.support import unsupported
from engine.bpmn.timers import clocked_parser_classes, clocked_serializer_config
from engine.domain.errors import ProcessInvalid


class GridcaseParser(SpiffBpmnParser):
    """SpiffWorkflow's parser with gridcase's timers (ISO literals and an injectable clock) and FEEL
    decision tables in business rule tasks."""

    OVERRIDE_PARSER_CLASSES = event_parser_classes(clocked_parser_classes({  # error/escalation start events
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES, **external_parser_classes()}))  # service tasks: worker jobs

    def __init__(self) -> None:
        super().__init__()
        self.feel = FeelDecisions()

    def add_dmn_str(self, dmn_str: bytes, filename: str | None = None) -> None:
        """Register the DMN file with gridcase's FEEL evaluator (SpiffWorkflow's cells are Python)."""
        self.feel.add(dmn_str.decode("utf-8"), filename or "decision.dmn")

    def get_engine(self, decision_ref: str, node: Any) -> FeelDecisionEngine:
        """The decision engine of a business rule task; one rewritten from Camunda's ``camunda:decisionRef``
        (engine.bpmn.foreign) maps its result as ``camunda:mapDecisionResult`` says."""
        mapping = node.get(MAP_DECISION_RESULT)
        camunda = None if mapping is None else {"map": mapping, "variable": node.get(RESULT_VARIABLE) or ""}
        return self.feel.engine(decision_ref, node, camunda)

    def add_bpmn_xml(self, bpmn: Any, filename: str | None = None) -> None:
        """Parse with Camunda/Flowable JUEL expressions translated to Python (engine.bpmn.foreign); what cannot
        be translated is left as it is, and lint refuses it naming the element."""
        translate_expressions(bpmn)
        super().add_bpmn_xml(bpmn, filename)


def _make_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config.update(clocked_serializer_config())
    config[BusinessRuleTask] = FeelBusinessRuleTaskConverter
    config.update(external_serializer_config())
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _make_serializer()


@dataclass(frozen=True)
class ProcessBundle:
    """Everything one process version needs, ready to store: sources, hash and serialized spec."""

    process_id: str
    sources: dict[str, str]
    spec_json: str
    sha256: str
    message_starts: list[str] = field(default_factory=list)


@dataclass
class LoadedSpec:
    """A restored (immutable) spec, shared by every case of one process version."""

    version_id: int
    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    # BPMN id → milestone declared by the version's tasks (engine.domain.milestones); read once with the spec.
    milestones: dict[str, str] = field(default_factory=dict)
    step_limits: StepLimitSource | None = None  # the decision ruling its tasks' step limits (engine.bpmn.step_limits)


def parse_bundles(files: Mapping[str, str]) -> list[ProcessBundle]:
    """Parse BPMN and DMN texts (file name → text); one bundle per executable process.

    Raises ProcessInvalid with the parser's message when anything fails to parse.
    """
    parser = GridcaseParser()
    bpmn = {name: text for name, text in files.items() if is_bpmn_file(name)}
    dmn = {name: text for name, text in files.items() if name.endswith(".dmn")}
    for name, text in [*dmn.items(), *bpmn.items()]:
        add = parser.add_dmn_str if name.endswith(".dmn") else parser.add_bpmn_str
        try:
            add(text.encode("utf-8"), filename=name)
        except Exception as exc:  # lxml and Spiff raise many kinds; all mean "this file is not deployable"
            raise ProcessInvalid(_explained(exc, name), field="files") from exc
    try:
        process_ids = parser.get_process_ids()
        return [_bundle(parser, pid, files) for pid in sorted(process_ids)]
    except ProcessInvalid:
        raise
    except ValidationException as exc:
        raise ProcessInvalid(_explained(exc, exc.file_name or "process"), field="files") from exc
    except Exception as exc:  # the spec build fails in many ways; all mean "not deployable"
        raise ProcessInvalid(_explained(exc, "the model"), field="files") from exc


def _explained(exc: BaseException, file_name: str) -> str:
    """``file: element: what to do`` in the designer's words (engine.bpmn.parse_errors), never a repr."""
    element_id, message = explain(exc, file_name)
    return ": ".join(part for part in (file_name, element_id, message) if part)


def _bundle(parser: GridcaseParser, process_id: str, files: Mapping[str, str]) -> ProcessBundle:
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    problems = unsupported(spec, subprocess_specs)
    problems += [problem for process in [spec, *subprocess_specs.values()]
                 for task_spec in process.task_specs.values() for problem in spec_feel_problems(task_spec)]
    if problems:
        file_name = parser.process_parsers[process_id].filename
        raise ProcessInvalid(f"{file_name}: process {process_id} cannot run: " + "; ".join(problems), field="files")
    for process in [spec, *subprocess_specs.values()]:
        connect_event_subprocesses(process)  # each waits at its start event from the start (engine.bpmn)
    serialized = {
        "spec": SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: SERIALIZER.to_dict(sp) for name, sp in subprocess_specs.items()},
    }
    step_limits = bundle_step_limits(parser.process_parsers[process_id].node, parser.feel.sources)
    if step_limits is not None:  # only then: versions without a step-limit decision keep their hash
        serialized[SERIALIZED_KEY] = step_limits[1]
    spec_json = json.dumps(serialized, sort_keys=True, separators=(",", ":"))
    used = {parser.process_parsers[process_id].filename, *([step_limits[0]] if step_limits else [])}
    used |= {parser.process_parsers[name].filename for name in subprocess_specs if name in parser.process_parsers}
    used |= {parser.feel.sources[engine.decision_id][0]
             for process in [spec, *subprocess_specs.values()] for task_spec in process.task_specs.values()
             if (engine := getattr(task_spec, "dmnEngine", None)) is not None}
    sources = {name: files[name] for name in sorted(used) if name in files}
    return ProcessBundle(
        process_id=process_id,
        sources=sources,
        spec_json=spec_json,
        sha256=hashlib.sha256(spec_json.encode("utf-8")).hexdigest(),
        message_starts=sorted(_message_start_names(spec)),
    )


def _message_start_names(spec: Any) -> set[str]:
    """Delivery names (engine.bpmn.catching) that start the process: messages, ``signal:NAME``, ``timer:ID``."""
    names = set()
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(task_spec, StartEvent) and isinstance(definition, MessageEventDefinition):
            names.add(definition.name)
        elif isinstance(task_spec, StartEvent):
            names |= start_names(task_spec)
    return names


def restore_spec(version_id: int, process_id: str, spec_json: str) -> LoadedSpec:
    """Turn a stored spec back into objects (done once per version and cached by the caller)."""
    serialized = json.loads(spec_json)
    spec = SERIALIZER.from_dict(serialized["spec"])
    subs = {name: SERIALIZER.from_dict(sp) for name, sp in serialized["subprocess_specs"].items()}
    return LoadedSpec(version_id=version_id, process_id=process_id, spec=spec, subprocess_specs=subs,
                      milestones=spec_milestones(spec, subs), step_limits=restore_step_limits(serialized))
