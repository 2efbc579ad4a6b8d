"""Database models: definitions, instances and their projections, audit chain, users, attachments."""

from .attachments import Attachment
from .audit import AuditEvent
from .calendar import CalendarYear
from .definitions import FormDefinitionRow, ProcessDefinitionRow
from .drafts import TaskDraft
from .incidents import Incident, WorkerHeartbeat
from .instances import HumanTask, InstanceLink, InstanceTimer, ProcessInstance
from .numbering import NumberCounter
from .participants import CaseParticipant
from .users import LoginAttempt, User

__all__ = [
    "Attachment",
    "AuditEvent",
    "CalendarYear",
    "CaseParticipant",
    "FormDefinitionRow",
    "HumanTask",
    "Incident",
    "InstanceLink",
    "InstanceTimer",
    "LoginAttempt",
    "NumberCounter",
    "ProcessDefinitionRow",
    "ProcessInstance",
    "TaskDraft",
    "User",
    "WorkerHeartbeat",
]
