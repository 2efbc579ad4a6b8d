"""Instance traces: node states, completion counts and taken flows read from the task tree."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

from tests.workflows.graph_cases import complete, fire_timer, run_to_end, run_to_first_return, start_workflow
from workflows.trace import NodeState, Trace, trace_workflow

DEMO = "graph_demo"
SUB = "decide"


def state(trace: Trace, bpmn_id: str, scope: str = DEMO) -> NodeState:
    return trace.states[(scope, bpmn_id)]


def test_fresh_instance_opens_first_task_and_leaves_the_rest_not_reached() -> None:
    trace = trace_workflow(start_workflow())

    assert state(trace, "start") is NodeState.DONE
    assert state(trace, "register") is NodeState.OPEN
    for later in ("gw_check", "split", "investigate", "join", "decide", "end_ok"):
        assert state(trace, later) is NodeState.NOT_REACHED
    assert state(trace, "draft", SUB) is NodeState.NOT_REACHED  # known from the spec, no task yet
    assert trace.taken_edges == {(DEMO, "start", "register")}


def test_boundary_timer_waits_while_its_activity_is_open() -> None:
    wf = start_workflow()
    complete(wf, "register", accept=True)
    trace = trace_workflow(wf)

    assert state(trace, "investigate") is NodeState.OPEN
    assert state(trace, "remind_timer") is NodeState.WAITING
    assert state(trace, "call_review") is NodeState.OPEN  # the called process is running
    assert state(trace, "legal_review", "graph_review") is NodeState.OPEN
    assert state(trace, "escalate") is NodeState.NOT_REACHED
    assert {(DEMO, "split", "investigate"), (DEMO, "split", "call_review")} <= trace.taken_edges
    assert (DEMO, "split", "remind_timer") not in trace.taken_edges  # attached, not entered by a flow
    assert (DEMO, "investigate", "merge_inv") not in trace.taken_edges


def test_interrupting_timer_cancels_the_activity_and_marks_only_its_own_path() -> None:
    wf = start_workflow()
    complete(wf, "register", accept=True)
    fire_timer(wf, "remind_timer")
    trace = trace_workflow(wf)

    assert state(trace, "investigate") is NodeState.CANCELLED
    assert state(trace, "remind_timer") is NodeState.DONE
    assert state(trace, "escalate") is NodeState.OPEN
    assert (DEMO, "remind_timer", "escalate") in trace.taken_edges
    assert (DEMO, "split", "investigate") in trace.taken_edges  # the token did reach it
    assert (DEMO, "investigate", "merge_inv") not in trace.taken_edges


def test_timer_of_an_activity_finished_in_time_reads_not_reached() -> None:
    wf = start_workflow()
    complete(wf, "register", accept=True)
    complete(wf, "investigate")
    trace = trace_workflow(wf)

    assert state(trace, "investigate") is NodeState.DONE
    assert state(trace, "remind_timer") is NodeState.NOT_REACHED  # Spiff says CANCELLED: armed, never fired
    assert (DEMO, "investigate", "merge_inv") in trace.taken_edges
    assert (DEMO, "remind_timer", "escalate") not in trace.taken_edges


def test_parallel_join_waiting_for_a_branch_is_open_and_marks_the_branch_that_arrived() -> None:
    wf = start_workflow()
    complete(wf, "register", accept=True)
    complete(wf, "investigate")
    trace = trace_workflow(wf)

    assert state(trace, "join") is NodeState.OPEN
    assert (DEMO, "merge_inv", "join") in trace.taken_edges
    assert (DEMO, "call_review", "join") not in trace.taken_edges


def test_parallel_join_marks_every_incoming_branch_once_both_arrived() -> None:
    wf = start_workflow()
    complete(wf, "register", accept=True)
    complete(wf, "investigate")
    complete(wf, "legal_review")
    trace = trace_workflow(wf)

    assert state(trace, "join") is NodeState.DONE  # the superseded join copy is CANCELLED, done wins
    assert trace.counts[(DEMO, "join")] == 1
    assert {(DEMO, "merge_inv", "join"), (DEMO, "call_review", "join")} <= trace.taken_edges
    assert (DEMO, "join", "decide") in trace.taken_edges
    assert state(trace, "decide") is NodeState.OPEN
    assert state(trace, "draft", SUB) is NodeState.OPEN


def test_loop_counts_completions_and_the_open_iteration_wins() -> None:
    wf = start_workflow()
    run_to_first_return(wf)
    trace = trace_workflow(wf)

    assert state(trace, "draft", SUB) is NodeState.OPEN
    assert trace.count(SUB, "draft") == 1
    assert state(trace, "approve", SUB) is NodeState.DONE
    assert (SUB, "gw_approved", "draft") in trace.taken_edges
    assert (SUB, "gw_approved", "sp_end") not in trace.taken_edges

    run_to_end(wf)
    trace = trace_workflow(wf)

    assert wf.is_completed()
    assert trace.count(SUB, "draft") == 2
    assert trace.count(SUB, "approve") == 2
    assert trace.count(SUB, "gw_approved") == 2
    assert state(trace, "sp_end", SUB) is NodeState.DONE
    assert state(trace, "end_ok") is NodeState.DONE
    assert state(trace, "end_rejected") is NodeState.NOT_REACHED
    assert {(SUB, "gw_approved", "draft"), (SUB, "gw_approved", "sp_end"), (DEMO, "decide", "end_ok")} <= (
        trace.taken_edges
    )


def test_rejected_case_takes_only_the_reject_flow() -> None:
    wf = start_workflow()
    complete(wf, "register", accept=False)
    trace = trace_workflow(wf)

    assert wf.is_completed()
    assert state(trace, "end_rejected") is NodeState.DONE
    assert state(trace, "split") is NodeState.NOT_REACHED
    assert (DEMO, "gw_check", "end_rejected") in trace.taken_edges
    assert (DEMO, "gw_check", "split") not in trace.taken_edges
    assert trace.count(DEMO, "split") == 0


def test_cancelled_instance_shows_the_open_task_cancelled() -> None:
    wf = start_workflow()
    wf.cancel()
    trace = trace_workflow(wf)

    assert state(trace, "register") is NodeState.CANCELLED
    assert (DEMO, "start", "register") in trace.taken_edges


SCRIPT_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="broken" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute" name="计算"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>x = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="compute" />
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_failed_script_task_shows_error() -> None:
    with pytest.raises(WorkflowTaskException) as raised:
        start_workflow("broken", {"broken.bpmn": SCRIPT_ERROR})
    trace = trace_workflow(raised.value.task.workflow)

    assert trace.state("broken", "compute") is NodeState.ERROR
    assert trace.state("broken", "e") is NodeState.NOT_REACHED


EVENTS_AND_MULTI = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:message id="msg_paid" name="paid" />
  <bpmn:process id="pay" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="sign" name="多人会签">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopCardinality>2</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:eventBasedGateway id="wait"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="paid" name="已缴款"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing><bpmn:messageEventDefinition id="md" messageRef="msg_paid" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="late" name="逾期"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:timerEventDefinition id="td">
        <bpmn:timeDuration>"P15D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e1"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sign" />
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="paid" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="late" />
    <bpmn:sequenceFlow id="f5" sourceRef="paid" targetRef="e1" />
    <bpmn:sequenceFlow id="f6" sourceRef="late" targetRef="e2" />
  </bpmn:process>
</bpmn:definitions>"""


def test_event_based_gateway_waits_and_only_the_fired_event_path_is_taken() -> None:
    wf = start_workflow("pay", {"pay.bpmn": EVENTS_AND_MULTI})
    complete(wf, "sign")
    complete(wf, "sign")
    waiting = trace_workflow(wf)

    assert waiting.state("pay", "wait") is NodeState.WAITING
    assert waiting.state("pay", "paid") is NodeState.NOT_REACHED
    assert waiting.count("pay", "sign") == 1  # two instances, one completion of the activity
    assert ("pay", "sign", "sign") not in waiting.taken_edges

    wf.send_event(BpmnEvent(MessageEventDefinition("paid"), payload={}))
    wf.do_engine_steps()
    done = trace_workflow(wf)

    assert done.state("pay", "paid") is NodeState.DONE
    assert done.state("pay", "late") is NodeState.NOT_REACHED
    assert ("pay", "wait", "paid") in done.taken_edges
    assert ("pay", "wait", "late") not in done.taken_edges


LONG_LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="spin" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="init" name="清零"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:script>n = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="step" name="计数"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again" default="f4"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="init" />
    <bpmn:sequenceFlow id="f1" sourceRef="init" targetRef="step" />
    <bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="again" />
    <bpmn:sequenceFlow id="f3" sourceRef="again" targetRef="step">
      <bpmn:conditionExpression>n &lt; 520</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="again" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_trace_sees_tasks_deeper_than_the_default_iterator_limit() -> None:
    wf = start_workflow("spin", {"spin.bpmn": LONG_LOOP})
    assert wf.is_completed()
    assert len(wf.get_tasks(max_depth=1000)) < len(wf.get_tasks(max_depth=10**9))  # the tree is deep

    trace = trace_workflow(wf)

    assert trace.count("spin", "step") == 520
    assert trace.state("spin", "e") is NodeState.DONE
    assert ("spin", "again", "e") in trace.taken_edges
