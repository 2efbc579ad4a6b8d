"""Start pages: the processes a user may start, each with its start form."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..db import get_session
from ..errors import Invalid
from ..operations import closed_case, starting
from ..operations import instances as instance_ops
from .common import lang, pick, request_now
from .formdata import defaults, error_paths, labels_by_path, parse_post
from .nav import STAFF
from .session import forbidden, page_user, signin_required
from .tasks import FormContext


def _defaults() -> dict[str, tuple[str, ...]]:
    return dict(current_app.config.get("STARTER_ROLES", {}))


@signin_required(*STAFF)
def start_list() -> ResponseReturnValue:
    """List the processes the user may start."""
    options = starting.start_options(get_session(), page_user(), _defaults())
    return render_template("web/start_list.html", options=options)


def _page(option: starting.StartOption, values: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    specs = option.form.field_specs(lang()) if option.form else []
    return render_template(
        "web/start.html",
        option=option,
        form_title=option.form.title(lang()) if option.form else option.name,
        specs=specs,
        values=values,
        errors=errors,
        labels=labels_by_path(specs, values),
        ctx=FormContext(upload_note=_("Files can be added to the case's first task once it is started.")),
    ), status


@signin_required(*STAFF)
def start(process_key: str) -> ResponseReturnValue:
    """Show a start form; on POST start the case with it (errors next to the fields, input kept)."""
    session, user = get_session(), page_user()
    option = starting.start_option(session, process_key, _defaults())
    if not starting.may_start(option, user):
        return forbidden()
    specs = option.form.field_specs(lang()) if option.form else []
    if request.method == "GET":  # 结案后事项 from a closed case's page: prefilled from its final data
        try:
            found = closed_case.prefill(session, user, process_key, request.args)
        except Invalid as exc:  # the case is still open, or not one handled after closure
            return _page(option, defaults(specs), {"_form": [pick(exc.message)]}, 422)
        return _page(option, defaults(specs) | found, {})
    data = parse_post(specs, request.form)
    try:
        live = instance_ops.start_instance(session, process_key, data, user, now=request_now(), locale=lang())
    except Invalid as exc:
        session.rollback()
        details = exc.details.get("data") if isinstance(exc.details, dict) else None
        return _page(
            option, data, error_paths(details, specs) if details else {"_form": [pick(exc.message)]}, 422
        )
    session.commit()
    flash(_("Started: %(name)s.", name=option.name), "success")
    return redirect(url_for("web.case_next", instance_id=live.row.id))
