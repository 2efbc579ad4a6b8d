"""Request and response schemas of the studio's version diff and case migration endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .schemas import StrictSchema

MAX_VERSION = 1_000_000
MAX_CASES = 1000
_VERSION = validate.Range(min=1, max=MAX_VERSION)


class DiffArgs(StrictSchema):
    """The two versions to compare (query string)."""

    from_version = fields.Integer(required=True, data_key="from", validate=_VERSION)
    to_version = fields.Integer(required=True, data_key="to", validate=_VERSION)


class MigrateArgs(StrictSchema):
    """Move running cases from one version to another; `dry_run` only reports."""

    from_version = fields.Integer(required=True, data_key="from", validate=_VERSION)
    to_version = fields.Integer(required=True, data_key="to", validate=_VERSION)
    dry_run = fields.Boolean(load_default=True)
    instance_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**63 - 1)),
        validate=validate.Length(min=1, max=MAX_CASES),
        load_default=None,
    )


class PropertyChangeSchema(Schema):
    """One property of an element, before and after."""

    name = fields.String()
    old = fields.String(allow_none=True)
    new = fields.String(allow_none=True)


class ElementChangeSchema(Schema):
    """An element added, removed or changed."""

    element_id = fields.String()
    scope = fields.String()
    type = fields.String()
    name = fields.String(allow_none=True)
    change = fields.String(validate=validate.OneOf(("added", "removed", "changed")))
    properties = fields.List(fields.Nested(PropertyChangeSchema))


class FlowRewiredSchema(Schema):
    """A sequence flow whose source or target changed: [source, target] before and after."""

    flow_id = fields.String()
    scope = fields.String()
    old = fields.List(fields.String())
    new = fields.List(fields.String())


class FormChangeSchema(Schema):
    """A pinned form added, removed or changed."""

    key = fields.String()
    change = fields.String()
    changed_fields = fields.List(fields.Nested(PropertyChangeSchema), attribute="fields", data_key="fields")


class VersionDiffSchema(Schema):
    """What differs between two versions of a process."""

    key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    elements = fields.List(fields.Nested(ElementChangeSchema))
    flows_rewired = fields.List(fields.Nested(FlowRewiredSchema))
    forms = fields.List(fields.Nested(FormChangeSchema))
    files_added = fields.List(fields.String())
    files_removed = fields.List(fields.String())


class CasePlanSchema(Schema):
    """One case in a migration: where it is, whether it can move, why not, whether it moved."""

    instance_id = fields.Integer()
    title = fields.String()
    at = fields.List(fields.String())
    can_move = fields.Boolean()
    moved = fields.Boolean()
    reasons = fields.List(fields.String())
    codes = fields.List(fields.String())


class MigrationResultSchema(Schema):
    """The outcome of a dry run or a migration."""

    key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    dry_run = fields.Boolean()
    cases = fields.List(fields.Nested(CasePlanSchema))
    movable = fields.Integer()
    moved = fields.Integer()
    blocked = fields.Integer()


diff_args = DiffArgs()
migrate_args = MigrateArgs()
version_diff_schema = VersionDiffSchema()
migration_result_schema = MigrationResultSchema()
