"""Build small one-lane diagrams in tests: a start event, a chain of elements, gateways and conditions."""

from __future__ import annotations

from dataclasses import dataclass, field

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="{pid}_definitions" targetNamespace="http://zhifa.example/bpmn">\n'
)


def props(**values: str) -> str:
    """Return a Spiff properties block."""
    items = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in values.items())
    block = f"<spiffworkflow:properties>{items}</spiffworkflow:properties>"
    return f"<bpmn:extensionElements>{block}</bpmn:extensionElements>"


@dataclass
class Diagram:
    """A process in one lane (`lane_officer`): nodes as XML, flows as (id, source, target, condition)."""

    pid: str
    nodes: list[tuple[str, str]] = field(default_factory=list)  # (id, xml)
    flows: list[tuple[str, str, str, str | None]] = field(default_factory=list)

    def add(self, node_id: str, xml: str) -> Diagram:
        """Add a flow node."""
        self.nodes.append((node_id, xml))
        return self

    def flow(self, source: str, target: str, condition: str | None = None) -> Diagram:
        """Connect two nodes (optionally with a condition)."""
        self.flows.append((f"flow_{source}_{target}", source, target, condition))
        return self

    def xml(self) -> str:
        """Return the BPMN document text, with a DI shape per node."""
        refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i, _ in self.nodes)
        lane = f'<bpmn:lane id="lane_officer" name="执法队员">{refs}</bpmn:lane>'
        lanes = f'<bpmn:laneSet id="lanes">{lane}</bpmn:laneSet>'
        body = "\n".join(x for _, x in self.nodes)
        flows = "\n".join(
            f'<bpmn:sequenceFlow id="{fid}" sourceRef="{s}" targetRef="{t}">'
            + (f"<bpmn:conditionExpression>{c}</bpmn:conditionExpression>" if c else "")
            + "</bpmn:sequenceFlow>"
            for fid, s, t, c in self.flows
        )
        shapes = "".join(
            f'<bpmndi:BPMNShape id="{i}_di" bpmnElement="{i}"><dc:Bounds x="{100 + 150 * n}" y="100" '
            'width="100" height="80" /></bpmndi:BPMNShape>'
            for n, (i, _) in enumerate(self.nodes)
        )
        return (
            HEAD.format(pid=self.pid)
            + f'<bpmn:process id="{self.pid}" name="测试" isExecutable="true">{lanes}\n{body}\n{flows}\n'
            + "</bpmn:process>\n"
            + f'<bpmndi:BPMNDiagram id="{self.pid}_diagram"><bpmndi:BPMNPlane id="{self.pid}_plane" '
            + f'bpmnElement="{self.pid}">{shapes}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n'
            + "</bpmn:definitions>\n"
        )


def start(node_id: str = "start", form: str | None = None) -> str:
    """A none start event, with a start form if given."""
    return (
        f'<bpmn:startEvent id="{node_id}" name="开始">{props(formKey=form) if form else ""}</bpmn:startEvent>'
    )


def user_task(node_id: str, form: str, **extra: str) -> str:
    """A user task with a form key."""
    return (
        f'<bpmn:userTask id="{node_id}" name="任务{node_id}">{props(formKey=form, **extra)}</bpmn:userTask>'
    )


def script_task(node_id: str, script: str) -> str:
    """A script task."""
    body = f"<bpmn:script>{script}</bpmn:script>"
    return f'<bpmn:scriptTask id="{node_id}" name="脚本{node_id}">{body}</bpmn:scriptTask>'


def gateway(node_id: str, default: str | None = None) -> str:
    """An exclusive gateway (default flow id optional)."""
    attr = f' default="{default}"' if default else ""
    return f'<bpmn:exclusiveGateway id="{node_id}" name="判断"{attr} />'


def end(node_id: str = "end") -> str:
    """A none end event."""
    return f'<bpmn:endEvent id="{node_id}" name="结束" />'
