"""The OpenAPI document covers every API route, generated from the marshmallow schemas."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.api.openapi import undocumented_endpoints


def test_every_api_route_has_a_documentation_entry(app: Flask) -> None:
    with app.app_context():
        assert undocumented_endpoints() == []


def test_the_document_keeps_every_path_and_names_its_answers(app: Flask) -> None:
    document: dict[str, Any] = app.test_client().get("/api/v1/openapi.json").json
    paths = document["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/process-definitions",
        "/api/v1/process-instances/{instance_id}",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/audit/verify",
    ):
        assert path in paths
    start = paths["/api/v1/process-instances"]["post"]
    assert set(start["responses"]) >= {"201", "401", "403", "422", "503"}
    assert start["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StartInstanceArgs"
    }
    token = paths["/api/v1/auth/token"]["post"]
    assert "429" in token["responses"]
    assert "security" not in token
    instance_id = paths["/api/v1/process-instances/{instance_id}"]["get"]["parameters"][0]
    assert instance_id["schema"]["maximum"] == 2**63 - 1
    listed = paths["/api/v1/process-instances"]["get"]
    page = next(p for p in listed["parameters"] if p["name"] == "page")
    assert page["schema"]["maximum"] == 1_000_000
