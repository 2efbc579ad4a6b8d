"""Helpers shared by the page views: language, the request clock, bilingual messages, error pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge

from workflows import WorkflowError

from ..errors import ServiceError


def lang() -> str:
    """Return "zh" or "en": the language of form labels and service messages on this page."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


def pick(message: str) -> str:
    """Return the current language's half of a bilingual "中文 / English" service message."""
    zh, sep, en = message.partition(" / ")
    if not sep:
        return message
    return en if lang() == "en" else zh


def request_now() -> datetime:
    """Return the instant this request acts at (tests may pin it with FIXED_NOW, an ISO instant)."""
    fixed = current_app.config.get("FIXED_NOW") if current_app.testing else None
    return datetime.fromisoformat(fixed) if fixed else datetime.now(UTC)


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a same-site path, else None (never an absolute URL: open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def is_htmx() -> bool:
    """Tell whether htmx sent this request (it then wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def render_error(status: int, message: str, **context: Any) -> ResponseReturnValue:
    """Render an error page (or fragment for htmx) with a plain message."""
    titles = {
        400: _("Bad request"),
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("Changed meanwhile"),
        413: _("File too large"),
        422: _("Check your input"),
        429: _("Too many attempts"),
    }
    title = titles.get(status, _("Error"))
    template = "web/_error_fragment.html" if is_htmx() else "web/error.html"
    return render_template(template, status=status, title=title, message=message, **context), status


def _service_error(exc: ServiceError) -> ResponseReturnValue:
    return render_error(exc.http_status, pick(exc.message))


def _csrf_error(_exc: CSRFError) -> ResponseReturnValue:
    message = _("The form expired or was not sent from this site. Reload the page and try again.")
    return render_error(400, message)


def _workflow_error(exc: WorkflowError) -> ResponseReturnValue:
    return render_error(422, pick(str(exc)))


def _stale(_exc: StaleDataError) -> ResponseReturnValue:
    return render_error(409, _("Someone else changed this case meanwhile. Reload the page and try again."))


def _too_large(_exc: RequestEntityTooLarge) -> ResponseReturnValue:
    return render_error(413, _("The file is larger than the service accepts."))


PAGE_ERROR_HANDLERS: list[tuple[type[Exception], Any]] = [
    (CSRFError, _csrf_error),
    (ServiceError, _service_error),
    (WorkflowError, _workflow_error),
    (StaleDataError, _stale),
    (RequestEntityTooLarge, _too_large),
]
