"""Process instances and the projections rebuilt on every save: open human tasks and timers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, created_at, intpk, utcnow


class InstanceStatusColumn(enum.StrEnum):
    """Persisted instance status (mirrors workflows.InstanceStatus)."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"


class ProcessInstance(Base):
    """One case: the serialised engine state, pinned definition, status and optimistic-lock version."""

    __tablename__ = "process_instances"

    id: Mapped[intpk]
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[InstanceStatusColumn] = mapped_column(
        Enum(
            InstanceStatusColumn, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        index=True,
    )
    stage: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(10))
    search_text: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    next_timer_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # Some pending deadline (or a value one will read) rests on a year whose schedule is not entered.
    provisional_deadlines: Mapped[bool] = mapped_column(default=False, index=True)
    # When a timer worker should next look at it: the next due timer, a lease while a worker fires
    # it, or a back-off after a failed run. Workers claim by this column alone.
    timer_wake_at: Mapped[datetime | None] = mapped_column(index=True)
    timer_leases: Mapped[int] = mapped_column(default=0)  # claims not (yet) ended by a saved run
    open_incidents: Mapped[int] = mapped_column(default=0)
    audit_seq: Mapped[int] = mapped_column(default=0)
    audit_head: Mapped[str] = mapped_column(String(64), default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    tasks: Mapped[list[HumanTask]] = relationship(
        back_populates="instance", cascade="all, delete-orphan", order_by="HumanTask.created_at"
    )
    timers: Mapped[list[InstanceTimer]] = relationship(
        back_populates="instance", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}
    # Text search (LIKE '%...%') on PostgreSQL uses trigram GIN indexes. SQLite gets plain indexes of
    # the same names (the schema matches the models everywhere); they do not serve such a search.
    __table_args__ = tuple(
        Index(
            f"ix_process_instances_{column}_trgm",
            column,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
        for column in ("search_text", "title")
    ) + (
        # Two-character terms (no trigram): a GIN index of the text's bigrams (migration perfc_01,
        # PostgreSQL only; service/operations/search.py writes the same expression).
        Index(
            "ix_process_instances_search_bigrams",
            text("zhifa_bigrams((search_text || ' ') || title)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        # One-character terms: a GIN index of the text's characters (migration perfd_01, PostgreSQL only).
        Index(
            "ix_process_instances_search_chars",
            text("string_to_array((search_text || ' ') || title, NULL)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )


class HumanTask(Base):
    """An open user task, projected from the engine state on every save (the inbox)."""

    __tablename__ = "human_tasks"
    # The inbox pages a role's tasks in due order; the case id is included for the visibility rule's
    # "an open task of my role" probe, read from the index alone (migration perfd_01).
    __table_args__ = (Index("ix_human_tasks_role_due", "role", "due_at", postgresql_include=["instance_id"]),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    process_id: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(50))
    form_key: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # the inbox pages in due order
    warn_at: Mapped[datetime | None]
    due_provisional: Mapped[bool] = mapped_column(default=False)
    deadline_moved_earlier: Mapped[bool] = mapped_column(default=False)
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    instance: Mapped[ProcessInstance] = relationship(back_populates="tasks")


class InstanceTimer(Base):
    """A timer an instance waits on, projected for display and the timer worker."""

    __tablename__ = "instance_timers"

    id: Mapped[intpk]
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(index=True)
    provisional: Mapped[bool] = mapped_column(default=False)
    legal_basis: Mapped[str | None] = mapped_column(String(300))

    instance: Mapped[ProcessInstance] = relationship(back_populates="timers")


class InstanceLink(Base):
    """A link between instances, e.g. a complaint and the case it turned into (诉转案)."""

    __tablename__ = "instance_links"

    id: Mapped[intpk]
    from_instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    to_instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[created_at]
