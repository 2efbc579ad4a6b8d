"""Tiny JSON clients (real HTTP over http.client, and Flask's in-process test client) with one interface.

`request(method, user, path, body) -> (status, json)`, `get(user, path)`, `upload(user, task_id)`;
users sign in with password = username. The HTTP client uses no client library, so the benchmark
measures our server, not a client.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from typing import Any

EVIDENCE = b"\xff\xd8\xff bench evidence"


class _Tokens:
    tokens: dict[str, str]

    def _raw(self, method: str, path: str, body: Any, token: str | None) -> tuple[int, Any]:
        raise NotImplementedError

    def token(self, user: str) -> str:
        """Return a bearer token for a user whose password is their name."""
        if user not in self.tokens:
            status, body = self._raw("POST", "/api/v1/auth/token", {"username": user, "password": user}, None)
            assert status == 201, body
            self.tokens[user] = body["token"]
        return self.tokens[user]

    def request(self, method: str, user: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send JSON as a user under /api/v1; return status and decoded answer."""
        return self._raw(method, f"/api/v1{path}", body, self.token(user))

    def get(self, user: str, path: str) -> Any:
        """GET as a user; fail on anything but 200."""
        status, body = self.request("GET", user, path)
        assert status == 200, (path, status, body)
        return body

    def post(self, user: str, path: str, body: Any) -> Any:
        """POST JSON as a user; fail on any non-2xx answer."""
        status, answer = self.request("POST", user, path, body)
        assert status in {200, 201}, (path, status, answer)
        return answer


class HttpApi(_Tokens):
    """Talk to a server on localhost over real HTTP, one connection per request."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.tokens = {}

    def _send(
        self, method: str, path: str, payload: bytes | None, headers: dict[str, str]
    ) -> tuple[int, Any]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def _raw(self, method: str, path: str, body: Any, token: str | None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self._send(method, path, json.dumps(body).encode() if body is not None else None, headers)

    def upload(self, user: str, task_id: str) -> str:
        """Upload a small evidence photo for a task; return its attachment id."""
        boundary = uuid.uuid4().hex
        payload = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + EVIDENCE
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Authorization": f"Bearer {self.token(user)}",
        }
        status, body = self._send("POST", f"/api/v1/tasks/{task_id}/attachments", payload, headers)
        assert status == 201, body
        return str(body["id"])

    def wait_ready(self, timeout: float) -> None:
        """Wait until the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._raw("GET", "/api/v1/openapi.json", None, None)[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start")
            time.sleep(0.2)


class InProcessApi(_Tokens):
    """The Flask app called in-process through its test client (no network)."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()
        self.tokens = {}

    def _raw(self, method: str, path: str, body: Any, token: str | None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.open(path, method=method, json=body, headers=headers)
        return response.status_code, response.get_json(silent=True)

    def upload(self, user: str, task_id: str) -> str:
        """Upload a small evidence photo for a task; return its attachment id."""
        import io

        response = self.client.post(
            f"/api/v1/tasks/{task_id}/attachments",
            data={"file": (io.BytesIO(EVIDENCE), "photo.jpg", "image/jpeg")},
            content_type="multipart/form-data",
            headers={"Authorization": f"Bearer {self.token(user)}"},
        )
        assert response.status_code == 201, response.json
        return str(response.json["id"])
