"""The OpenAPI 3 document of the JSON API, built from the URL table and the marshmallow schemas."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from flask.typing import ResponseReturnValue

from .. import schemas

ERROR = {"$ref": "#/components/schemas/Error"}
_BODIES = {
    "auth_create_token": "TokenArgs",
    "instances_start": "StartInstanceArgs",
    "instances_cancel": "CancelArgs",
    "instances_message": "SendMessageArgs",
    "tasks_complete": "CompleteTaskArgs",
    "tasks_assign": "AssignArgs",
}
_QUERIES = {
    "instances_list_all": schemas.ListInstancesArgs,
    "tasks_list_all": schemas.ListTasksArgs,
    "incidents_list_all": schemas.ListIncidentsArgs,
    "diagrams_definition_diagram": schemas.DiagramArgs,
    "diagrams_instance_diagram": schemas.DiagramArgs,
}
_RESPONSES = {
    "definitions_list_definitions": "DefinitionSchema",
    "instances_start": "InstanceSchema",
    "instances_show": "InstanceSchema",
    "instances_cancel": "InstanceSchema",
    "instances_message": "InstanceSchema",
    "tasks_claim": "TaskSchema",
    "tasks_unclaim": "TaskSchema",
    "tasks_assign": "TaskSchema",
    "tasks_complete": "InstanceSchema",
    "tasks_upload_attachment": "AttachmentSchema",
    "incidents_show": "IncidentSchema",
    "incidents_retry": "IncidentSchema",
}
# Nested schemas come before the schemas that nest them, so each is registered exactly once.
_SCHEMAS = [
    schemas.TokenArgs,
    schemas.StartInstanceArgs,
    schemas.CancelArgs,
    schemas.SendMessageArgs,
    schemas.CompleteTaskArgs,
    schemas.AssignArgs,
    schemas.DefinitionSchema,
    schemas.TaskSchema,
    schemas.TimerSchema,
    schemas.InstanceSchema,
    schemas.EventSchema,
    schemas.AttachmentSchema,
    schemas.ListIncidentsArgs,
    schemas.IncidentSchema,
]


def spec() -> ResponseReturnValue:
    """Serve the OpenAPI document (public: it describes, it reveals no data)."""
    return _document(
        tuple(sorted((r.rule, r.endpoint, tuple(sorted(r.methods or ()))) for r in _api_rules()))
    )


def _api_rules() -> list[Any]:
    return [r for r in current_app.url_map.iter_rules() if r.endpoint.startswith("api.")]


@cache
def _document(rules: tuple[tuple[str, str, tuple[str, ...]], ...]) -> dict[str, Any]:
    api = APISpec(
        title="Zhifa 执法 case workflow API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
    )
    for schema in _SCHEMAS:
        api.components.schema(schema.__name__, schema=schema)
    api.components.schema("Error", _error_schema())
    api.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict[str, Any]] = {}
    for rule, endpoint, methods in rules:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
        name = endpoint.split(".", 1)[1]
        for method in methods:
            if method in {"GET", "POST"}:
                paths.setdefault(path, {})[method.lower()] = _operation(name, rule)
    for path, operations in paths.items():
        api.path(path=path, operations=operations)
    return api.to_dict()


def _operation(name: str, rule: str) -> dict[str, Any]:
    view = current_app.view_functions[f"api.{name}"]
    operation: dict[str, Any] = {
        "operationId": name,
        "summary": (view.__doc__ or name).strip().splitlines()[0],
        "parameters": [
            {
                "name": p,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if t == "int" else "string"},
            }
            for t, p in re.findall(r"<(?:(\w+):)?(\w+)>", rule)
        ],
        "responses": _responses(name),
    }
    if name in _QUERIES:
        operation["parameters"].append({"in": "query", "schema": _QUERIES[name]})
    if name in _BODIES:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _BODIES[name]}},
        }
    if name in {"definitions_deploy", "definitions_validate"}:
        operation["requestBody"] = _multipart("files", many=True)
    if name == "tasks_upload_attachment":
        operation["requestBody"] = _multipart("file", many=False)
    if name not in {"auth_create_token", "openapi_spec", "incidents_health"}:
        operation["security"] = [{"bearer": []}]
    return operation


def _responses(name: str) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "OK"}
    if name in _RESPONSES:
        ok["content"] = {"application/json": {"schema": _RESPONSES[name]}}
    if name.startswith("diagrams_"):
        ok["content"] = {"image/svg+xml": {"schema": {"type": "string"}}}
    responses = {"200": ok}
    for status, text in (
        ("401", "not authenticated"),
        ("403", "role not allowed"),
        ("404", "not found"),
        ("409", "changed meanwhile"),
        ("422", "invalid input"),
    ):
        responses[status] = {"description": text, "content": {"application/json": {"schema": ERROR}}}
    return responses


def _multipart(field: str, *, many: bool) -> dict[str, Any]:
    binary = {"type": "string", "format": "binary"}
    prop = {"type": "array", "items": binary} if many else binary
    schema = {"type": "object", "properties": {field: prop}, "required": [field]}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
    }
