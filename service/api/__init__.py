"""The JSON API under /api/v1: the full URL table in one screen."""

from __future__ import annotations

from flask import Blueprint, Flask

from . import audit, audit_cases, auth, definitions, diagrams, incidents, instances, openapi, tasks, versions

PREFIX = "/api/v1"


def register_blueprints(app: Flask) -> None:
    """Mount every API blueprint under /api/v1."""
    api = Blueprint("api", __name__, url_prefix=PREFIX)
    rules = [
        ("/auth/token", auth.create_token, ["POST"]),
        ("/process-definitions", definitions.list_definitions, ["GET"]),
        ("/process-definitions", definitions.deploy, ["POST"]),
        ("/process-definitions/validate", definitions.validate, ["POST"]),
        ("/process-definitions/<key>", definitions.show, ["GET"]),
        ("/process-definitions/<key>/diagram.svg", diagrams.definition_diagram, ["GET"]),
        ("/process-definitions/<key>/diff", versions.diff, ["GET"]),
        ("/process-definitions/<key>/migrations", versions.migrate, ["POST"]),
        ("/process-definitions/<key>/versions", versions.list_versions, ["GET"]),
        ("/process-definitions/<key>/versions/<int:version>/activate", versions.activate, ["POST"]),
        ("/process-instances", instances.start, ["POST"]),
        ("/process-instances", instances.list_all, ["GET"]),
        ("/process-instances/<int:instance_id>", instances.show, ["GET"]),
        ("/process-instances/<int:instance_id>/cancel", instances.cancel, ["POST"]),
        ("/process-instances/<int:instance_id>/messages", instances.message, ["POST"]),
        ("/process-instances/<int:instance_id>/diagram.svg", diagrams.instance_diagram, ["GET"]),
        ("/process-instances/<int:instance_id>/events", instances.events, ["GET"]),
        ("/tasks", tasks.list_all, ["GET"]),
        ("/tasks/<task_id>", tasks.show, ["GET"]),
        ("/tasks/<task_id>/claim", tasks.claim, ["POST"]),
        ("/tasks/<task_id>/unclaim", tasks.unclaim, ["POST"]),
        ("/tasks/<task_id>/assign", tasks.assign, ["POST"]),
        ("/tasks/<task_id>/complete", tasks.complete, ["POST"]),
        ("/tasks/<task_id>/attachments", tasks.upload_attachment, ["POST"]),
        ("/incidents", incidents.list_all, ["GET"]),
        ("/incidents/<int:incident_id>", incidents.show, ["GET"]),
        ("/incidents/<int:incident_id>/retry", incidents.retry, ["POST"]),
        ("/health", incidents.health, ["GET"]),
        ("/audit/verify", audit.verify, ["GET"]),
        ("/audit/cases", audit_cases.search, ["GET"]),
        ("/audit/cases.csv", audit_cases.search_csv, ["GET"]),
        ("/attachments/<attachment_id>", audit_cases.attachment, ["GET"]),
        ("/openapi.json", openapi.spec, ["GET"]),
    ]
    for path, view, methods in rules:
        api.add_url_rule(
            path,
            endpoint=f"{view.__module__.rsplit('.', 1)[-1]}_{view.__name__}",
            view_func=view,
            methods=methods,
        )
    app.register_blueprint(api)
