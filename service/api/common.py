"""Small helpers shared by the API views: JSON bodies, query args, locale, the request clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, request
from marshmallow import Schema

from ..errors import Invalid


def json_body(schema: Schema) -> dict[str, Any]:
    """Parse and validate the JSON body (422 on anything else)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Invalid(
            "请求体必须是 JSON 对象 / body must be a JSON object", {"body": ["expected a JSON object"]}
        )
    loaded: dict[str, Any] = schema.load(payload)
    return loaded


def query_args(schema: Schema) -> dict[str, Any]:
    """Parse and validate query-string arguments."""
    loaded: dict[str, Any] = schema.load(request.args.to_dict())
    return loaded


def locale() -> str:
    """Pick the response language: Chinese first, English when the client prefers it."""
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"], default="zh")
    return "en" if best and best.startswith("en") else "zh"


def request_now() -> datetime:
    """Return the instant this request acts at (tests may pin it with FIXED_NOW, an ISO instant)."""
    fixed = current_app.config.get("FIXED_NOW") if current_app.testing else None
    return datetime.fromisoformat(fixed) if fixed else datetime.now(UTC)


def security_headers(response: Response) -> Response:
    """Forbid MIME sniffing on every response and caching of API answers (they carry case data)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    return response
