"""Database models: definitions, instances and their projections, audit chain, users, attachments."""

from .attachments import Attachment
from .audit import AuditEvent
from .definitions import FormDefinitionRow, ProcessDefinitionRow
from .instances import HumanTask, InstanceLink, InstanceTimer, ProcessInstance
from .numbering import NumberCounter
from .users import LoginAttempt, User

__all__ = [
    "Attachment",
    "AuditEvent",
    "FormDefinitionRow",
    "HumanTask",
    "InstanceLink",
    "InstanceTimer",
    "LoginAttempt",
    "NumberCounter",
    "ProcessDefinitionRow",
    "ProcessInstance",
    "User",
]
