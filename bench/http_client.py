"""A tiny JSON client over http.client, so the benchmark measures our server, not a client library."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any


class HttpApi:
    """Log in demo users and POST JSON to a server on localhost."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.tokens: dict[str, str] = {}

    def _request(self, method: str, path: str, body: Any, token: str | None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request(
                method, path, body=json.dumps(body) if body is not None else None, headers=headers
            )
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def wait_ready(self, timeout: float) -> None:
        """Wait until the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, _ = self._request("GET", "/api/v1/openapi.json", None, None)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start")
            time.sleep(0.2)

    def token(self, user: str) -> str:
        """Return a bearer token for a demo user."""
        if user not in self.tokens:
            status, body = self._request(
                "POST", "/api/v1/auth/token", {"username": user, "password": user}, None
            )
            assert status == 201, body
            self.tokens[user] = body["token"]
        return self.tokens[user]

    def post(self, user: str, path: str, body: Any) -> Any:
        """POST JSON as a user under /api/v1; fail on any non-2xx answer."""
        status, answer = self._request("POST", f"/api/v1{path}", body, self.token(user))
        assert status in {200, 201}, (status, answer)
        return answer
