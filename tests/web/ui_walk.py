"""Walk the bureau's processes through the pages, as the demo user of each task's role.

A generic form filler: the values come from `forms.sample_input` (driven by the form definition,
with a scenario's answers on top); the filler finds each input by the name the field specs give
it (`field`, `group.field`, `rows[0].field`), adds rows of repeatable groups with the page's own
button, and uploads evidence files through the page's file input. Nothing in it knows one form.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from forms import FieldType, default_registry, sample_input
from forms.model import FieldDefinition
from service.jsonsafe import to_json_value
from tests.service.bureau_walk import UPLOAD, BureauWalk, _take
from tests.service.walk import USER_OF_ROLE
from tests.web.conftest import sign_in
from workflows import CHINA_TZ


def _png(width: int = 32, height: int = 24) -> bytes:
    """A small real PNG (a two-colour picture the browser shows as a thumbnail)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(
        b"\x00"
        + b"".join(b"\xc0\x60\x30" if (x // 8 + y // 8) % 2 else b"\xe8\xe0\xd0" for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PHOTO = _png()


def photo_file(name: str = "现场照片.png") -> dict[str, Any]:
    """A file payload for Playwright's set_input_files."""
    return {"name": name, "mimeType": "image/png", "buffer": PHOTO}


def _local(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _css(name: str) -> str:
    return f'[name="{name}"]'


class FormFiller:
    """Fills a rendered form from values shaped like its definition (uploads files for attachments)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.uploads = 0

    def fill(self, fields: tuple[FieldDefinition, ...], values: Mapping[str, Any], prefix: str = "") -> None:
        """Put every value into its input."""
        for field in fields:
            if field.name in values and values[field.name] is not None:
                self.field(field, prefix + field.name, values[field.name])

    def field(self, field: FieldDefinition, path: str, value: Any) -> None:
        """Fill one field (a group recursively)."""
        page, kind = self.page, field.type
        if kind is FieldType.GROUP:
            self._group(field, path, value)
        elif kind is FieldType.BOOLEAN:
            page.locator(_css(path)).set_checked(bool(value))
        elif kind is FieldType.CHOICE:
            page.locator(_css(path)).select_option(str(value))
        elif kind is FieldType.MULTICHOICE:
            for box in page.locator(_css(path)).all():
                box.set_checked(box.get_attribute("value") in {str(v) for v in value})
        elif kind is FieldType.ATTACHMENT:
            self.attach(path, len(value))
        elif kind is FieldType.DATETIME:
            page.locator(_css(path)).fill(_local(value))
        else:
            page.locator(_css(path)).fill(str(to_json_value(value)))

    def _group(self, field: FieldDefinition, path: str, value: Any) -> None:
        if field.repeat is None:
            self.fill(field.fields, value, path + ".")
            return
        rows = self.page.locator(f'[data-zf-rows="{path}"] > [data-zf-row]')
        while rows.count() < len(value):
            self.page.locator(f'[data-zf-add-row="{path}"]').click()
        while rows.count() > len(value):
            rows.last.locator("[data-zf-remove-row]").click()
        markers = rows.locator('input[name$="._row"]')
        for index, row in enumerate(value):
            name = markers.nth(index).get_attribute("name") or ""
            self.fill(field.fields, row, name.removesuffix("._row") + ".")

    def attach(self, path: str, count: int) -> None:
        """Upload `count` photos through the field's file input and wait for their list items."""
        files = self.page.locator(f'[data-zf-list][data-zf-field="{path}"]')
        listing = self.page.locator(f"#{files.get_attribute('data-zf-list')} li")
        before = listing.count()
        for _ in range(count):
            self.uploads += 1
            files.set_input_files(photo_file(f"现场照片{self.uploads}.png"))
            before += 1
            listing.nth(before - 1).wait_for()


def form_values(form_key: str, answer: Mapping[str, Any], today: date) -> tuple[Any, dict[str, Any]]:
    """Return the form definition and generated values (answers on top; files as UPLOAD markers)."""
    definition = default_registry().get(form_key).definition
    values = sample_input(definition, today=today, overrides=answer, attachment=lambda _field: UPLOAD)
    return definition, values


class BrowserWalk(BureauWalk):
    """A BureauWalk whose tasks are done in the browser, each by the demo user of its role.

    It reads state through the API (as an auditor) and fires timers as the worker would; it only
    looks at instances numbered from `first_id` on (the live server also holds the demo cases).
    """

    def __init__(
        self, app: Any, login: Any, open_page: Any, answers: Mapping[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(app, login, answers, **kwargs)
        self.open_page = open_page
        self.first_id = 0
        self.pages: dict[str, Any] = {}
        self.shots: Path | None = None
        self.fillers: list[FormFiller] = []
        # Checks run once on the open task page before it is filled: by BPMN id, or by "role:<key>".
        self.checks: dict[str, Callable[[Any, dict[str, Any]], None]] = {}
        self.checked: list[str] = []

    def page_of(self, username: str) -> Any:
        """The signed-in page of a demo user (one browser context each)."""
        if username not in self.pages:
            self.pages[username] = self.open_page(username)
        return self.pages[username]

    def _running(self) -> list[dict[str, Any]]:
        return [i for i in super()._running() if i["id"] >= self.first_id]

    def complete(self, task: dict[str, Any]) -> None:
        """Complete one task through its page (at its pinned instant, if it has one)."""
        if instant := _take(self.clock, task["bpmn_id"]):
            self.app.config["FIXED_NOW"] = instant
        username = USER_OF_ROLE[task["role"]]
        page = self.page_of(username)
        page.goto(f"/tasks/{task['id']}")
        for key in (task["bpmn_id"], f"role:{task['role']}"):
            if key in self.checks:
                self.checks.pop(key)(page, task)
        answer = dict(_take(self.answers, task["bpmn_id"], {}))
        if task["form_key"]:
            definition, values = form_values(task["form_key"], answer, self.today())
            filler = FormFiller(page)
            filler.fill(definition.fields, values)
            self.fillers.append(filler)
        submit(page)
        self.steps.append((task["process_id"], task["bpmn_id"], username))
        self.completed.append(task)


def submit(page: Any) -> None:
    """Submit the task form and insist it was accepted (the next-steps page shows)."""
    page.locator("#task-form button[type=submit]").click()
    page.wait_for_load_state()
    if not re.search(r"/cases/\d+/next$", page.url):
        summary = page.locator("#error-summary, [data-testid=error-message], .alert-danger").all_inner_texts()
        raise AssertionError(f"submission refused at {page.url}: {summary}")


def open_signed_in(open_page: Any, username: str) -> Any:
    """Open a page signed in as a demo user."""
    page = open_page()
    sign_in(page, username)
    return page
