"""Small helpers shared by the API views: JSON bodies, query args, locale, the request clock, and the
input and output guards every request passes (text the database can store, bounded ids, headers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, request
from marshmallow import Schema
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from ..errors import Invalid

MAX_JSON_DEPTH = 64
# Both databases store 64-bit signed integers; a larger id in a URL would only fail inside the driver.
MAX_ID = 2**63 - 1


def json_body(schema: Schema) -> dict[str, Any]:
    """Parse and validate the JSON body (422 on anything else)."""
    payload = parse_json_body()
    if not isinstance(payload, dict):
        raise Invalid(
            "请求体必须是 JSON 对象 / body must be a JSON object", {"body": ["expected a JSON object"]}
        )
    loaded: dict[str, Any] = schema.load(payload)
    return loaded


def parse_json_body() -> Any:
    """Return the request's JSON body, refusing what JSON or the database cannot hold (422)."""
    if not request.is_json:
        raise Invalid("请求体必须是 JSON / body must be JSON", {"body": ["expected application/json"]})
    try:
        text = request.get_data(cache=True).decode("utf-8")
        payload = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise Invalid("请求体不是有效的 JSON / body is not valid JSON", {"body": [_reason(exc)]}) from None
    problem = _text_problem(payload)
    if problem:
        raise Invalid("请求体含有无法保存的内容 / body holds values that cannot be stored", problem)
    return payload


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).splitlines()[0][:200]


def _text_problem(value: Any, path: str = "body") -> dict[str, list[str]] | None:
    """Find text with NUL or lone surrogates, or nesting deeper than MAX_JSON_DEPTH (iteratively)."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return {where: [f"nested deeper than {MAX_JSON_DEPTH} levels"]}
        if isinstance(item, str):
            reason = text_defect(item)
            if reason:
                return {where: [reason]}
        elif isinstance(item, dict):
            for key, child in item.items():
                reason = text_defect(key)
                if reason:
                    return {where: [f"a key {reason}"]}
                stack.append((child, f"{where}.{key}", depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{index}]", depth + 1) for index, child in enumerate(item))
    return None


def text_defect(text: str) -> str | None:
    """Say why `text` cannot be stored (NUL, a lone surrogate), or return None."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (not valid Unicode text)"
    return None


def refuse_unstorable_input() -> None:
    """Before any view: 422 for NUL or lone surrogates in the path, query or form fields and file names."""
    sources = [
        ("path", request.view_args or {}),
        ("query", request.args),
    ]
    if request.mimetype in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        sources.append(("form", request.form))
        sources.append(("file", {key: f.filename or "" for key, f in request.files.items(multi=True)}))
    for source, values in sources:
        pairs = values.items(multi=True) if isinstance(values, MultiDict) else values.items()
        for key, value in pairs:
            for text in (key, value):
                reason = text_defect(text) if isinstance(text, str) else None
                if reason:
                    raise Invalid(f"输入含有无法保存的字符 / {source} {reason}", {str(key)[:100]: [reason]})


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in URLs, not matching ids beyond what the database can store (so: 404, not 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(*args, **kwargs)


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
