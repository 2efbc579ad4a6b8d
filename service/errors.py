"""Service errors with stable codes, and the one handler that renders every error as JSON."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workflows import BpmnValidationError, CalendarCoverageError, ScriptError, TaskNotReady


class ServiceError(Exception):
    """Base of errors a request can end with; subclasses fix the code and HTTP status."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotAuthenticated(ServiceError):
    """No valid credentials."""

    code, http_status = "not_authenticated", 401


class Forbidden(ServiceError):
    """Authenticated, but the role does not allow this."""

    code, http_status = "forbidden", 403


class NotFound(ServiceError):
    """No such resource (or not visible to the caller)."""

    code, http_status = "not_found", 404


class Conflict(ServiceError):
    """Someone else changed or completed it meanwhile."""

    code, http_status = "conflict", 409


class Invalid(ServiceError):
    """Input that fails validation, with per-field details."""

    code, http_status = "validation_error", 422


class PayloadTooLarge(ServiceError):
    """Upload over the configured limit."""

    code, http_status = "payload_too_large", 413


class TooManyAttempts(ServiceError):
    """Too many failed sign-ins for the account or the address: wait `retry_after` seconds."""

    code, http_status = "too_many_attempts", 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """The database cannot be reached right now; the client should retry later."""

    code, http_status = "unavailable", 503
    retry_after = 5


def _body(
    code: str, message: str, details: Any, status: int, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    return jsonify({"code": code, "message": message, "details": details}), status, headers or {}


def _service(exc: ServiceError) -> ResponseReturnValue:
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return _body(exc.code, exc.message, exc.details, exc.http_status, headers)


def _validation(exc: ValidationError) -> ResponseReturnValue:
    return _body("validation_error", "输入有误 / invalid input", exc.messages, 422)


def _bpmn(exc: BpmnValidationError) -> ResponseReturnValue:
    details = [p.as_dict() for p in exc.problems]
    return _body("bpmn_invalid", "流程图校验未通过 / diagram validation failed", details, 422)


def _script(exc: ScriptError) -> ResponseReturnValue:
    details = {"element_id": exc.element_id, "element_name": exc.element_name, "line": exc.line_number}
    return _body("script_error", f"流程脚本出错 / script failed: {exc.message}", details, 422)


def _calendar(exc: CalendarCoverageError) -> ResponseReturnValue:
    return _body("calendar_not_covered", str(exc), None, 422)


def _not_ready(exc: TaskNotReady) -> ResponseReturnValue:
    return _body("conflict", f"任务已被处理或已变更 / {exc}", None, 409)


def _stale(_exc: StaleDataError) -> ResponseReturnValue:
    return _body("conflict", "案件已被他人更新，请刷新后重试 / changed by someone else meanwhile", None, 409)


def _integrity(_exc: IntegrityError) -> ResponseReturnValue:
    return _body("conflict", "数据冲突，请重试 / conflicting concurrent change", None, 409)


def _operational(exc: OperationalError) -> ResponseReturnValue:
    if "locked" in str(exc).lower() or "could not serialize" in str(exc).lower():
        return _body("conflict", "数据正忙，请重试 / busy, retry", None, 409)
    return _unavailable(exc)


def _unavailable(exc: Exception) -> ResponseReturnValue:
    """The database is down, restarting or out of connections: tell the client when to come back."""
    current_app.logger.warning("database unavailable: %s", str(exc).splitlines()[0][:200])
    return _body(
        Unavailable.code,
        "数据库暂时不可用，请稍后重试 / the database is unavailable, retry shortly",
        None,
        503,
        {"Retry-After": str(Unavailable.retry_after)},
    )


def _data(exc: DataError) -> ResponseReturnValue:
    # Input checks refuse what the database cannot store; this catches what they do not foresee.
    current_app.logger.warning("database refused a value: %s", str(exc).splitlines()[0][:200])
    return _body("validation_error", "数据库无法保存此值 / the database cannot store a value", None, 422)


def _http(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code = "payload_too_large" if status == 413 else (exc.name or "error").lower().replace(" ", "_")
    if request.path.startswith("/api/"):
        return _body(code, exc.description or exc.name, None, status)
    return exc


def _unexpected(exc: Exception) -> ResponseReturnValue:
    if current_app.testing:
        raise exc
    current_app.logger.exception("unhandled error")
    return _body("internal_error", "服务器内部错误 / internal error", None, 500)


_HANDLERS: list[tuple[type[Exception], Any]] = [
    (ServiceError, _service),
    (ValidationError, _validation),
    (BpmnValidationError, _bpmn),
    (ScriptError, _script),
    (CalendarCoverageError, _calendar),
    (TaskNotReady, _not_ready),
    (StaleDataError, _stale),
    (IntegrityError, _integrity),
    (OperationalError, _operational),
    (InterfaceError, _unavailable),
    (PoolTimeout, _unavailable),
    (DataError, _data),
    (HTTPException, _http),
    (Exception, _unexpected),
]


def register_error_handlers(app: Flask) -> None:
    """Map every error family to the `{code, message, details}` JSON shape."""
    for exception, handler in _HANDLERS:
        app.register_error_handler(exception, handler)
