"""Request (`*Args`) and response (`*Schema`) schemas of the JSON API."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from .db import as_utc
from .jsonsafe import to_json_value

STATUSES = ("running", "completed", "cancelled", "error")
MAX_PAGE = 1_000_000  # beyond any real list, and (page - 1) * per_page stays far inside 64 bits


class StrictSchema(Schema):
    """Input schema that refuses unknown fields."""

    class Meta:
        unknown = RAISE


class TokenArgs(StrictSchema):
    """Credentials for a bearer token."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class StartInstanceArgs(StrictSchema):
    """Start a process instance."""

    process_key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class ListInstancesArgs(StrictSchema):
    """Filter and page instances."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    process = fields.String(validate=validate.Length(max=100))
    text = fields.String(validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class CancelArgs(StrictSchema):
    """Cancel an instance."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class SendMessageArgs(StrictSchema):
    """Record a message from outside (a court ruling, a registry receipt) into a waiting instance."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class ListTasksArgs(StrictSchema):
    """Filter and page the inbox (`team`: leaders see every open task)."""

    mine = fields.Boolean(load_default=False)
    overdue = fields.Boolean(load_default=False)
    due_soon = fields.Boolean(load_default=False)
    unassigned = fields.Boolean(load_default=False)
    team = fields.Boolean(load_default=False)
    process = fields.String(validate=validate.Length(max=100))
    stage = fields.String(validate=validate.Length(max=200))
    text = fields.String(validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=200))


class CompleteTaskArgs(StrictSchema):
    """Complete a task with form data."""

    data = fields.Dict(keys=fields.String(), load_default=dict)


class AssignArgs(StrictSchema):
    """Assign a task to a user."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))


class DiagramArgs(StrictSchema):
    """Choose the diagram layout."""

    layout = fields.String(load_default="auto", validate=validate.OneOf(("auto", "bpmn")))


class UtcDateTime(fields.DateTime):
    """ISO datetime that reads naive values (SQLite) as UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(as_utc(value) if value is not None else None, attr, obj, **kwargs)


class JsonData(fields.Field):
    """Dump arbitrary task data as plain JSON (dates and Decimals as text)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return to_json_value(value)


class DefinitionSchema(Schema):
    """A deployed definition version."""

    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    version = fields.Integer()
    content_hash = fields.String(data_key="hash")
    deployed_at = UtcDateTime()
    files = fields.Method("_file_names")
    forms = fields.Method("_form_keys")

    def _file_names(self, row: Any) -> list[str]:
        return sorted(row.files)

    def _form_keys(self, row: Any) -> list[str]:
        return sorted(row.forms)


class VersionSchema(Schema):
    """One version of a process in its history: current or not, who deployed it, cases on it."""

    version = fields.Integer(attribute="row.version")
    current = fields.Boolean()
    deployed_by = fields.String(allow_none=True)
    running_cases = fields.Integer(attribute="running")
    finished_cases = fields.Integer(attribute="finished")
    definition = fields.Nested(DefinitionSchema, attribute="row")


class TaskSchema(Schema):
    """An open human task."""

    id = fields.String()
    instance_id = fields.Integer()
    bpmn_id = fields.String()
    name = fields.String()
    process_id = fields.String()
    role = fields.String(allow_none=True)
    form_key = fields.String(allow_none=True)
    due_at = UtcDateTime(allow_none=True)
    warn_at = UtcDateTime(allow_none=True)
    # True: due_at counts over a year whose holiday schedule is not entered yet; it may still move.
    due_provisional = fields.Boolean()
    # True: entering that schedule moved due_at to before the moment it was entered (tell the holder).
    deadline_moved_earlier = fields.Boolean()
    legal_basis = fields.String(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    claimed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()


class TimerSchema(Schema):
    """A timer an instance waits on."""

    bpmn_id = fields.String()
    name = fields.String()
    due_at = UtcDateTime()
    provisional = fields.Boolean()
    legal_basis = fields.String(allow_none=True)


class IncidentSchema(Schema):
    """A failed step or timer run, open until a retry succeeds."""

    id = fields.Integer()
    instance_id = fields.Integer()
    task_id = fields.String(allow_none=True)
    element_id = fields.String()
    element_name = fields.String()
    kind = fields.String()
    message = fields.String()
    details = JsonData(allow_none=True)
    attempts = fields.Integer()
    opened_at = UtcDateTime()
    last_failed_at = UtcDateTime()
    next_retry_at = UtcDateTime(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class InstanceSummarySchema(Schema):
    """An instance in a list."""

    id = fields.Integer()
    process_key = fields.String()
    definition_id = fields.Integer()
    title = fields.String()
    status = fields.Function(lambda row: row.status.value)
    stage = fields.String(allow_none=True)
    summary = JsonData()
    next_timer_due_at = UtcDateTime(allow_none=True)
    provisional_deadlines = fields.Boolean()
    started_at = UtcDateTime()
    updated_at = UtcDateTime()
    completed_at = UtcDateTime(allow_none=True)
    version = fields.Integer(attribute="version_id")
    open_incidents = fields.Integer()


class InstanceSchema(InstanceSummarySchema):
    """An instance with its data, open tasks and deadlines."""

    tasks = fields.List(fields.Nested(TaskSchema))
    timers = fields.List(fields.Nested(TimerSchema))
    error = JsonData(allow_none=True)
    # Filled in by the view from the engine (not row attributes); declared so the document shows them.
    data = JsonData()
    definition = fields.Dict()
    incidents = fields.List(fields.Nested(IncidentSchema))
    # Set when a completion was accepted but a following automatic step failed (an incident opened).
    notice = fields.Dict()


class TaskDetailSchema(TaskSchema):
    """A task with its form (JSON Schema and field specs) and the data it sees (filled in by the view)."""

    form = fields.Dict(allow_none=True)
    data = JsonData()


class InboxCaseSchema(Schema):
    """The case fields an inbox row shows beside its task."""

    id = fields.Integer()
    number = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    process_key = fields.String()
    stage = fields.String(allow_none=True)
    party_name = JsonData(allow_none=True)
    address = JsonData(allow_none=True)


class HolderSchema(Schema):
    """Who holds a claimed task."""

    username = fields.String()
    display_name = fields.String(allow_none=True)


class InboxTaskSchema(TaskSchema):
    """An inbox row: the task, its case and who holds it (filled in by the view)."""

    case = fields.Nested(InboxCaseSchema)
    assignee = fields.Nested(HolderSchema, allow_none=True)


class InboxPageSchema(Schema):
    """One page of the inbox with its total and the count behind each filter."""

    items = fields.List(fields.Nested(InboxTaskSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class StartFormSchema(Schema):
    """A process's start form as JSON Schema and field specs."""

    key = fields.String()
    title = fields.String()
    json_schema = fields.Dict()
    fields_ = fields.List(fields.Dict(), data_key="fields")


class DefinitionDetailSchema(DefinitionSchema):
    """The newest version of a process, who may start it and its start form (filled in by the view)."""

    starter_roles = fields.List(fields.String())
    may_start = fields.Boolean()
    start_form = fields.Nested(StartFormSchema, allow_none=True)


class ListIncidentsArgs(StrictSchema):
    """Filter and page incidents."""

    state = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved", "all")))
    instance_id = fields.Integer(validate=validate.Range(min=1, max=2**53))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AttachmentSchema(Schema):
    """A stored attachment."""

    id = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    filename = fields.String()


token_args = TokenArgs()
start_instance_args = StartInstanceArgs()
list_instances_args = ListInstancesArgs()
cancel_args = CancelArgs()
list_tasks_args = ListTasksArgs()
send_message_args = SendMessageArgs()
complete_task_args = CompleteTaskArgs()
assign_args = AssignArgs()
diagram_args = DiagramArgs()
definition_schema = DefinitionSchema()
version_schema = VersionSchema()
task_schema = TaskSchema()
instance_schema = InstanceSchema()
instance_summary_schema = InstanceSummarySchema()
attachment_schema = AttachmentSchema()
list_incidents_args = ListIncidentsArgs()
incident_schema = IncidentSchema()
