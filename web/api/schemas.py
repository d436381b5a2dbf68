"""marshmallow schemas of the API's requests and responses (they also make the OpenAPI document)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

CHANNELS = ("patrol", "census", "video", "hotline", "wechat", "public_opinion", "petition", "media", "leadership",
            "transfer")
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="must be a sha256 (64 hex digits) of an uploaded attachment")


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
    subtype_code = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$", error="a 4-digit subtype code"))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    external_id = fields.String(validate=validate.Length(min=1, max=200))
    reporter = fields.String(validate=validate.Length(max=200))
    urgency = fields.String(validate=validate.OneOf(("normal", "urgent")))
    duplicate_of = fields.String(validate=validate.Length(max=30))
    evidence = fields.List(fields.String(validate=SHA256), validate=validate.Length(max=20))


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
    prev_hash = fields.String()
    hash = fields.String()


class TaskQuery(Strict):
    state = fields.String(load_default="ready", validate=validate.OneOf(("ready", "completed", "cancelled")))
    group = fields.String(validate=validate.Length(max=100))
    mine = fields.Boolean(load_default=False)
    case_no = fields.String(validate=validate.Length(max=30))
    subtype = fields.String(validate=validate.Length(max=10))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    district = fields.String(validate=validate.Length(max=20))
    resp_grid = fields.String(validate=validate.Length(max=30))
    unit_grid = fields.String(validate=validate.Length(max=40))
    light = fields.String(validate=validate.OneOf(("green", "yellow", "red")))
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


class TaskList(Schema):
    tasks = fields.List(fields.Nested(TaskView))
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class TaskComplete(Strict):
    data = fields.Dict(keys=fields.String(), required=True)
    expected_version = fields.Integer(validate=validate.Range(0, None))


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
