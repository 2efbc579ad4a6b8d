"""The engine layer: the only package that imports SpiffWorkflow. Everything else uses these names."""

from . import branch_data as _branch_data  # noqa: F401  (three-way merge of parallel branches)
from . import deep_workflow as _deep_workflow  # noqa: F401  (lifts SpiffWorkflow's depth limit first)
from . import shared_data as _shared_data  # noqa: F401  (shareData: branch data joins the case at once)
from .clock import CHINA_TZ, frozen_at
from .dataflow import helper_names
from .diff import DefinitionDiff, diff_files
from .engine import WorkflowEngine
from .errors import (
    BpmnValidationError,
    CalendarCoverageError,
    Problem,
    SandboxViolation,
    ScriptError,
    TaskNotReady,
    UnknownProcess,
    WorkflowError,
)
from .external_messages import ExternalMessage
from .external_messages import is_internal as is_internal_message
from .failures import TimeBudgetExceeded
from .graph import build_graph
from .graph_template import DiagramTemplate, diagram_template, template_cache_stats
from .instance import WorkflowInstance
from .loader import ProcessDefinition, UserTaskMeta, bundle_hash, load_definitions
from .migration import Blocker, MigrationPlan, plan_migration
from .migration import migrate as migrate_instance
from .trace import NodeState, Trace
from .views import IncidentView, InstanceStatus, ThrownMessage, TimerView, UserTaskView
from .workcalendar import WorkCalendar

__all__ = [
    "CHINA_TZ",
    "Blocker",
    "BpmnValidationError",
    "CalendarCoverageError",
    "DefinitionDiff",
    "DiagramTemplate",
    "ExternalMessage",
    "IncidentView",
    "InstanceStatus",
    "MigrationPlan",
    "NodeState",
    "Problem",
    "ProcessDefinition",
    "SandboxViolation",
    "ScriptError",
    "TaskNotReady",
    "ThrownMessage",
    "TimeBudgetExceeded",
    "TimerView",
    "Trace",
    "UnknownProcess",
    "UserTaskMeta",
    "UserTaskView",
    "WorkCalendar",
    "WorkflowEngine",
    "WorkflowError",
    "WorkflowInstance",
    "build_graph",
    "bundle_hash",
    "diff_files",
    "diagram_template",
    "frozen_at",
    "helper_names",
    "is_internal_message",
    "load_definitions",
    "migrate_instance",
    "plan_migration",
    "template_cache_stats",
]
