"""Bearer tokens."""

from __future__ import annotations

from flask import current_app, request
from flask.typing import ResponseReturnValue

from ..db import get_session
from ..operations import users
from ..schemas import token_args
from .common import json_body


def create_token() -> ResponseReturnValue:
    """Exchange a username and password for a bearer token."""
    args = json_body(token_args)
    session = get_session()
    user = users.authenticate(session, args["username"], args["password"], address=request.remote_addr)
    token = users.issue_token(current_app.config["SECRET_KEY"], user)
    session.commit()
    return {
        "token": token,
        "token_type": "Bearer",
        "expires_in": current_app.config["TOKEN_MAX_AGE_SECONDS"],
        "user": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "roles": user.roles,
        },
    }, 201
