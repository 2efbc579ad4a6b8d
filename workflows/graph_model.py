"""The small, immutable drawing model of a deployment: containers, nodes, flows, lanes, pools, bounds.

SpiffWorkflow's specs drop what a diagram needs (sequence-flow ids and names, lanes of embedded
sub-processes, DI bounds), so graph_reader.py reads the XML itself into these types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

CONTAINER_KINDS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
FLOW_NODE_KINDS = CONTAINER_KINDS | {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
}
EVENT_KINDS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAY_KINDS = frozenset(
    {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
)


@dataclass(frozen=True)
class Bounds:
    """A DI rectangle (BPMN coordinates: origin top left, y grows downwards)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        """Return the centre point."""
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class Shape:
    """Where DI draws an element, and on which plane (diagram page)."""

    bounds: Bounds
    plane: str


@dataclass(frozen=True)
class FlowNode:
    """One drawable BPMN flow node."""

    id: str
    kind: str
    name: str
    scope: str
    event: str | None = None
    attached_to: str | None = None
    interrupting: bool = True
    called_element: str | None = None
    role: str | None = None
    loop: str | None = None
    shape: Shape | None = None


@dataclass(frozen=True)
class Flow:
    """One sequence flow, labelled by its name or else its condition."""

    id: str
    source: str
    target: str
    label: str
    scope: str
    is_default: bool = False
    waypoints: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Lane:
    """A lane with the flow nodes it references and its nested lanes."""

    id: str
    name: str
    node_ids: tuple[str, ...]
    children: tuple[Lane, ...]
    shape: Shape | None = None


@dataclass(frozen=True)
class Pool:
    """An external party drawn as a collapsed (black-box) pool of the process's collaboration."""

    id: str
    name: str
    shape: Shape | None = None


@dataclass(frozen=True)
class Container:
    """A process or embedded sub-process: its own nodes, flows, lanes and nested sub-processes.

    A process also holds the black-box pools and message flows of its collaboration.
    """

    id: str
    name: str
    nodes: tuple[FlowNode, ...]
    flows: tuple[Flow, ...]
    lanes: tuple[Lane, ...]
    children: Mapping[str, Container]
    pools: tuple[Pool, ...] = ()
    message_flows: tuple[Flow, ...] = ()


@dataclass(frozen=True)
class Deployment:
    """Every process of a set of BPMN files, plus role key -> lane name (lane ids `lane_<role>`)."""

    processes: Mapping[str, Container]
    role_names: Mapping[str, str]


def iter_containers(container: Container) -> Iterator[Container]:
    """Yield the container and all sub-process containers inside it, outermost first."""
    yield container
    for child in container.children.values():
        yield from iter_containers(child)
