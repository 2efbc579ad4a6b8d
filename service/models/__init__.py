"""Database models: definitions, instances and their projections, audit chain, users, attachments."""

from .attachments import Attachment
from .audit import AuditEvent
from .definitions import FormDefinitionRow, ProcessDefinitionRow
from .incidents import Incident, WorkerHeartbeat
from .instances import HumanTask, InstanceLink, InstanceTimer, ProcessInstance
from .numbering import NumberCounter
from .users import User

__all__ = [
    "Attachment",
    "AuditEvent",
    "FormDefinitionRow",
    "HumanTask",
    "Incident",
    "InstanceLink",
    "InstanceTimer",
    "NumberCounter",
    "ProcessDefinitionRow",
    "ProcessInstance",
    "User",
    "WorkerHeartbeat",
]
