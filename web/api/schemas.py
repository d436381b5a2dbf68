"""marshmallow schemas of the API's requests and responses (they also make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from city.intake import report as intake
from engine.domain.input_limits import moment_problem

CHANNELS = intake.CHANNELS
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="must be a sha256 (64 hex digits) of an uploaded attachment")


class Moment(fields.AwareDateTime):
    """An ISO moment with its time zone, in 1900–2999 (0001-01-01T00:00+14:00 has no UTC time at all)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment: datetime = super()._deserialize(value, attr, data, **kwargs)
        problem = moment_problem(moment)
        if problem is not None:
            raise ValidationError(problem)
        return moment


class Strict(Schema):
    """Unknown fields are an error, named in the response."""

    class Meta:
        unknown = RAISE


class TokenRequest(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class TokenResponse(Schema):
    token = fields.String(required=True)


class CaseCreate(Strict):
    """A report's shape (which fields, of which types). What their values may be is ``ReportProblem``'s one
    check (``city.intake.report.report_problems``), which the page, the API and the simulator all rely on;
    the metadata only documents it in the OpenAPI document, from the same constants."""

    subtype_code = fields.String(required=True, metadata={"pattern": intake.SUBTYPE_PATTERN})
    description = fields.String(required=True, metadata={"minLength": 1, "maxLength": intake.DESCRIPTION_CHARS})
    lat = fields.Float(required=True, metadata={"minimum": -90, "maximum": 90})
    lon = fields.Float(required=True, metadata={"minimum": -180, "maximum": 180})
    channel = fields.String(required=True, metadata={"enum": list(CHANNELS)})
    external_id = fields.String(metadata={"minLength": 1, "maxLength": intake.EXTERNAL_ID_CHARS})
    reporter = fields.String(metadata={"maxLength": intake.REPORTER_CHARS})
    urgency = fields.String(metadata={"enum": list(intake.URGENCIES)})
    duplicate_of = fields.String(metadata={"description": "the number of an existing case"})
    evidence = fields.List(fields.String(metadata={"pattern": intake.SHA256_PATTERN}),
                           metadata={"maxItems": intake.MAX_EVIDENCE,
                                     "description": "sha256 of attachments already uploaded"})


class CaseView(Schema):
    id = fields.Integer()
    case_no = fields.String()
    status = fields.String()
    process_id = fields.String()
    channel = fields.String(allow_none=True)
    subtype = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    resp_grid = fields.String(allow_none=True)
    unit_grid = fields.String(allow_none=True)
    lon = fields.Float(allow_none=True)
    lat = fields.Float(allow_none=True)
    urgency = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    warn_at = fields.String(allow_none=True)
    light = fields.String(allow_none=True)
    counters = fields.Dict(allow_none=True)
    evaluation = fields.Dict(allow_none=True)
    started_at = fields.String(allow_none=True)
    completed_at = fields.String(allow_none=True)
    tasks = fields.List(fields.Dict())


class EventView(Schema):
    seq = fields.Integer()
    occurred_at = fields.String()
    actor = fields.String()
    actor_kind = fields.String(allow_none=True, metadata={"description": "person, scheduler, api_client, "
                                                                          "vision_worker or system"})
    event_type = fields.String()
    command = fields.String(allow_none=True, metadata={"description": "on the first event of each step: the "
                                                                       "command that began it"})
    task_id = fields.String(allow_none=True)
    bpmn_id = fields.String(allow_none=True)
    data = fields.Dict()
    request_id = fields.String(allow_none=True, metadata={"description": "the HTTP request (X-Request-ID), timer "
                                                                          "firing or CLI run that wrote the event; "
                                                                          "the JSON logs carry the same id"})
    prev_hash = fields.String()
    hash = fields.String()


class TaskQuery(Strict):
    state = fields.String(load_default="ready", validate=validate.OneOf(("ready", "completed", "cancelled")))
    group = fields.String(validate=validate.Length(max=100))
    mine = fields.Boolean(load_default=False)
    case_no = fields.String(validate=validate.Length(max=30))
    subtype = fields.String(validate=validate.Length(max=10))
    channel = fields.String(validate=validate.Length(min=1, max=30))  # a code of the city's channels
    district = fields.String(validate=validate.Length(max=20))
    resp_grid = fields.String(validate=validate.Length(max=30))
    unit_grid = fields.String(validate=validate.Length(max=40))
    light = fields.String(validate=validate.OneOf(("green", "yellow", "red", "grey")))  # grey: 挂账
    escalated = fields.Boolean(load_default=False, metadata={
        "description": "超期督办: only overdue tasks escalated to the caller's groups"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


class TaskView(Schema):
    id = fields.String()
    case_id = fields.Integer()
    case_no = fields.String(allow_none=True)
    bpmn_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    candidate_group = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    state = fields.String()
    assignee = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)
    claimed_at = fields.String(allow_none=True)
    completed_at = fields.String(allow_none=True)
    completed_by = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    subtype = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    light = fields.String(allow_none=True)
    # the step clock (docs/step-limits.md): the step the task declares, its warning time, the group it escalates to
    step = fields.String(allow_none=True)
    warn_at = fields.String(allow_none=True)
    escalate_to = fields.String(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "超期: the step clock recorded it overdue"})
    escalated = fields.Boolean(metadata={"description": "listed because it was escalated to the caller's group"})


class TaskList(Schema):
    tasks = fields.List(fields.Nested(TaskView))
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class TaskComplete(Strict):
    data = fields.Dict(keys=fields.String(), required=True)
    expected_version = fields.Integer(validate=validate.Range(0, 2**31 - 1))


class MessageRequest(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    payload = fields.Dict(keys=fields.String(), load_default=dict)
    correlation = fields.Dict(keys=fields.String(), load_default=dict)
    external_id = fields.String(validate=validate.Length(min=1, max=200))


class AttachmentView(Schema):
    sha256 = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    url = fields.String()


class ErrorBody(Schema):
    code = fields.String()
    message = fields.String()
    # `fields` itself would shadow Schema.fields (the bound fields): the JSON name comes from data_key.
    field_errors = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")


class ErrorView(Schema):
    error = fields.Nested(ErrorBody)
