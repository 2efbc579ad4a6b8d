"""Gunicorn settings of the web workers: `gunicorn --config python:service.gunicorn_conf ...`.

The garbage collector's full passes run after a response has been sent (service/gc_policy.py).
"""

from __future__ import annotations

from typing import Any

from service.gc_policy import collect_after_request, tune_for_requests


def post_worker_init(worker: Any) -> None:
    """The app is loaded in this worker: freeze it and move full collections between requests."""
    tune_for_requests()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """The response is out: collect if a full pass is due."""
    collect_after_request()
