"""Database models: definitions, instances and their projections, audit chain, users, attachments."""

from .attachments import Attachment
from .audit import AuditEvent, AuditStateTrace, AuditVerifyJob
from .calendar import CalendarYear
from .definitions import FormDefinitionRow, ProcessDefinitionRow
from .drafts import TaskDraft
from .incidents import Incident, WorkerHeartbeat
from .instances import HumanTask, InstanceLink, InstanceTimer, ProcessInstance
from .numbering import NumberCounter
from .participants import CaseParticipant
from .publicity import PublicNotice
from .users import LoginAttempt, User

__all__ = [
    "Attachment",
    "AuditEvent",
    "AuditStateTrace",
    "AuditVerifyJob",
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
    "PublicNotice",
    "TaskDraft",
    "User",
    "WorkerHeartbeat",
]
