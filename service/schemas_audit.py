"""Request and response schemas of the audit endpoints: a case's event stream and the auditors' search."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .schemas import MAX_PAGE, STATUSES, JsonData, StrictSchema, UtcDateTime


class EventSchema(Schema):
    """One audit event."""

    id = fields.Integer()
    seq = fields.Integer()
    occurred_at = UtcDateTime()
    actor = fields.String()
    role = fields.String(allow_none=True)
    kind = fields.String()
    task_id = fields.String(allow_none=True)
    task_bpmn_id = fields.String(allow_none=True)
    task_name = fields.String(allow_none=True)
    data = JsonData(allow_none=True)
    diff = JsonData(allow_none=True)
    attachments = JsonData(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()
    display_name = fields.String(allow_none=True)  # the actor's name (filled in by the view)


class ListEventsArgs(StrictSchema):
    """Page a case's audit events, optionally of some kinds (comma-separated)."""

    kind = fields.String(validate=validate.Length(max=500))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=500, validate=validate.Range(min=1, max=1000))


class AuditSearchArgs(StrictSchema):
    """Search cases as an auditor; every given field narrows the result."""

    number = fields.String(validate=validate.Length(max=100))
    party = fields.String(validate=validate.Length(max=100))
    address = fields.String(validate=validate.Length(max=100))
    text = fields.String(validate=validate.Length(max=100))
    officer = fields.String(validate=validate.Length(max=64))
    role = fields.String(validate=validate.Length(max=50))
    kind = fields.String(validate=validate.Length(max=50))
    process = fields.String(validate=validate.Length(max=100))
    status = fields.String(validate=validate.OneOf(STATUSES))
    started_from = fields.Date()
    started_to = fields.Date()
    overdue = fields.Boolean(load_default=False)
    missed = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class AuditCaseSchema(Schema):
    """One case found by an auditors' search."""

    id = fields.Integer()
    case_no = fields.String()
    title = fields.String()
    party = fields.String()
    address = fields.String()
    process_key = fields.String()
    stage = fields.String()
    status = fields.String()
    started_at = UtcDateTime()
    completed_at = UtcDateTime(allow_none=True)
    overdue_tasks = fields.Integer()
    missed_deadlines = fields.Integer()


list_events_args = ListEventsArgs()
event_schema = EventSchema()
audit_search_args = AuditSearchArgs()
audit_case_schema = AuditCaseSchema()
