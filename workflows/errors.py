"""Errors raised by the engine layer, carrying BPMN diagnostics (file, line, element)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .messages_zh import chinese


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram, located as precisely as we can."""

    message: str
    file_name: str | None = None
    line_number: int | None = None
    element_id: str | None = None
    element_name: str | None = None
    message_zh: str | None = None  # the Chinese message; derived from `message` when the check gave none

    def __post_init__(self) -> None:
        if self.message_zh is None:
            object.__setattr__(self, "message_zh", chinese(self.message))

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-safe dict (`message` is English, `message_zh` Chinese)."""
        return {
            "message": self.message,
            "message_zh": self.message_zh or self.message,
            "file": self.file_name,
            "line": self.line_number,
            "element_id": self.element_id,
            "element_name": self.element_name,
        }

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file_name, self.line_number) if p)
        element = f" [{self.element_id}]" if self.element_id else ""
        return f"{where}{element}: {self.message}" if where or element else self.message


class WorkflowError(Exception):
    """Base of every error the engine layer raises."""

    code = "workflow_error"


class BpmnValidationError(WorkflowError):
    """The diagrams (or DMN tables) are invalid; `problems` lists every finding."""

    code = "bpmn_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class SandboxViolation(WorkflowError):
    """An expression or script uses something the restricted environment forbids."""

    code = "forbidden_expression"

    def __init__(self, message: str, line_number: int | None = None) -> None:
        self.line_number = line_number
        super().__init__(message)


@dataclass
class ScriptError(WorkflowError):
    """A script, condition, timer or DMN expression failed while the instance ran."""

    message: str
    element_id: str | None = None
    element_name: str | None = None
    line_number: int | None = None
    error_line: str | None = None
    trace: list[str] = field(default_factory=list)
    code = "script_error"

    def __post_init__(self) -> None:
        super().__init__(self.message)


class TaskNotReady(WorkflowError):
    """The task does not exist in this instance or is no longer open."""

    code = "task_not_ready"


class UnknownProcess(WorkflowError):
    """No executable process with that id is in the loaded definitions."""

    code = "unknown_process"


class CalendarCoverageError(WorkflowError):
    """A working-day computation reached a date the calendar has no data for."""

    code = "calendar_not_covered"
