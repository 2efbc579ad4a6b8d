"""Walk a deployed process through the HTTP API, each task done by a demo user of its role."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from forms import FormRegistry, sample_input
from tests.conftest import ROLE_USERS, Api

USER_OF_ROLE = {roles[0]: name for name, roles in reversed(ROLE_USERS.items())}


def upload(api: Api, task_id: str, name: str = "现场照片.jpg") -> str:
    """Upload a small evidence file for a task; return its attachment id."""
    response = api.post(
        f"/tasks/{task_id}/attachments",
        data={"file": (io.BytesIO(b"\xff\xd8\xff evidence " + name.encode()), name, "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    attachment_id: str = response.json["id"]
    return attachment_id


def task_input(
    api: Api, task_id: str, forms: FormRegistry, overrides: Mapping[str, Any], today: date
) -> dict[str, Any]:
    """Generate valid form input for a task from the form the API names for it."""
    detail = api.get(f"/tasks/{task_id}").json
    assert detail["form"]["json_schema"]["type"] == "object"
    definition = forms.get(detail["form"]["key"]).definition
    return sample_input(
        definition, today=today, overrides=overrides, attachment=lambda _field: upload(api, task_id)
    )


def walk(
    login: Callable[[str], Api],
    instance_id: int,
    answers: Mapping[str, Mapping[str, Any]],
    *,
    forms: FormRegistry,
    today: date,
    max_steps: int = 50,
    until_done: bool = True,
) -> list[tuple[str, str]]:
    """Complete open tasks until none is left (or `max_steps` when not `until_done`); return who did what."""
    done: list[tuple[str, str]] = []
    viewer = login("auditor")
    for _ in range(max_steps):
        tasks = viewer.get(f"/process-instances/{instance_id}").json["tasks"]
        if not tasks:
            return done
        task = tasks[0]
        username = USER_OF_ROLE[task["role"]]
        api = login(username)
        data = task_input(api, task["id"], forms, answers.get(task["bpmn_id"], {}), today)
        response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, (task["bpmn_id"], response.json)
        done.append((task["bpmn_id"], username))
    assert not until_done, "process did not finish within max_steps"
    return done
