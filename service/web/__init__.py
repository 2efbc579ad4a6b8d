"""The officers' and leaders' web pages: server-rendered Jinja on the same operations as the JSON API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from ..db import session_scope
from ..operations import deploy as deploy_ops
from ..runtime import get_runtime
from . import (
    audit_export,
    audit_record,
    audit_search,
    audit_verify,
    auth,
    calendar_page,
    cases,
    extensions,
    inbox,
    incidents,
    kpi,
    public,
    security,
    start,
    studio,
    studio_modeler,
    tasks,
    versions_diff,
)
from .common import PAGE_ERROR_HANDLERS, lang
from .nav import visible_nav
from .session import expire_stale_session, page_user

Rule = tuple[str, Callable[..., Any], list[str]]

RULES: list[Rule] = [
    ("/", auth.home, ["GET"]),
    ("/login", auth.login, ["GET", "POST"]),
    ("/logout", auth.logout, ["POST"]),
    ("/lang", auth.set_language, ["POST"]),
    ("/inbox", inbox.inbox, ["GET"]),
    ("/tasks/<task_id>", tasks.task, ["GET"]),
    ("/tasks/<task_id>", tasks.submit, ["POST"]),
    ("/tasks/<task_id>/draft", tasks.save_draft, ["POST"]),
    ("/tasks/<task_id>/evidence", tasks.upload_evidence, ["POST"]),
    ("/tasks/<task_id>/claim", inbox.claim, ["POST"]),
    ("/tasks/<task_id>/release", inbox.release, ["POST"]),
    ("/tasks/<task_id>/assign", inbox.assign, ["POST"]),
    ("/attachments/<attachment_id>", tasks.attachment_file, ["GET"]),
    ("/start", start.start_list, ["GET"]),
    ("/start/<process_key>", start.start, ["GET", "POST"]),
    ("/cases", cases.cases, ["GET"]),
    ("/cases.csv", cases.cases_csv, ["GET"]),
    ("/cases/<int:instance_id>", cases.case, ["GET"]),
    ("/cases/<int:instance_id>/next", cases.case_next, ["GET"]),
    ("/cases/<int:instance_id>/panels", cases.case_panels, ["GET"]),
    ("/cases/<int:instance_id>/diagram", cases.case_diagram, ["GET"]),
    ("/studio/processes/<key>/diff", versions_diff.version_diff, ["GET"]),
    ("/studio/processes/<key>/migrate", versions_diff.migrate, ["POST"]),
    ("/studio/calendar", calendar_page.calendar_page, ["GET"]),
    ("/studio/calendar", calendar_page.calendar_enter, ["POST"]),
    ("/incidents/<int:incident_id>/retry", incidents.retry_incident, ["POST"]),
    ("/gongshi", public.gongshi, ["GET"]),
    ("/gongshi.json", public.gongshi_json, ["GET"]),
    ("/audit", audit_search.audit_search, ["GET"]),
    ("/kpi", kpi.kpi_page, ["GET"]),
    ("/audit/search.csv", audit_search.audit_search_csv, ["GET"]),
    ("/audit/search.json", audit_search.audit_search_json, ["GET"]),
    ("/audit/cases/<int:instance_id>", audit_record.audit_record, ["GET"]),
    ("/audit/cases/<int:instance_id>/events/<int:seq>/diagram", audit_record.audit_record_diagram, ["GET"]),
    ("/audit/cases/<int:instance_id>/case-file.pdf", audit_export.audit_case_file, ["GET"]),
    ("/audit/cases/<int:instance_id>/bundle.zip", audit_export.audit_bundle, ["GET"]),
    ("/audit/verify", audit_verify.audit_verify_page, ["GET"]),
    ("/audit/verify", audit_verify.audit_verify_start, ["POST"]),
    ("/audit/verify/<job_id>", audit_verify.audit_verify_job, ["GET"]),
    *studio.RULES,
    *studio_modeler.RULES,
]


def _template_globals() -> dict[str, Any]:
    return {"nav_items": visible_nav, "page_user": page_user, "lang": lang, "csrf_token": generate_csrf}


def _before_page() -> None:
    if not request.path.startswith(("/api/", "/static/")):
        expire_stale_session()


def _warm(app: Flask) -> None:
    """Parse the newest definitions and compile their expressions, so first requests stay fast."""
    with app.app_context(), session_scope(app) as session:
        try:
            runtime = get_runtime()
            for row in deploy_ops.latest_definitions(session):
                runtime.engine.precompile(runtime.loaded(row).process)
        except SQLAlchemyError:
            app.logger.warning("definitions not warmed: database not ready")


def init_app(app: Flask, extra_rules: list[Rule] | None = None) -> None:
    """Bind sessions, CSRF, translations and headers, and mount the pages at the site root."""
    extensions.init_app(app)
    security.init_app(app)
    web = Blueprint("web", __name__)
    for path, view, methods in [*RULES, *(extra_rules or [])]:
        web.add_url_rule(path, endpoint=view.__name__, view_func=view, methods=methods)
    for exception, handler in PAGE_ERROR_HANDLERS:
        web.register_error_handler(exception, handler)
    web.before_request(_before_page)
    app.register_blueprint(web)
    app.context_processor(_template_globals)
    if app.config.get("WARM_CACHES"):
        threading.Thread(target=_warm, args=(app,), name="zhifa-warm", daemon=True).start()
