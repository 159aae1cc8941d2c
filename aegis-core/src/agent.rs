//! What an agent did: the tool calls in a trace's [`AgentStep`]s, each once, with where it is.

use crate::trace::{AgentStep, StepKind, ToolCall, Trace};

/// A tool call of a trace, with its place in [`Trace::steps`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToolCallAt<'t> {
    /// The index of the step that holds it in `trace.steps`.
    pub step: usize,
    /// Its index in that step's `tool_calls`.
    pub index: usize,
    /// The call.
    pub call: &'t ToolCall,
    /// Whether a tool step executed it (else a model requested it and no step of the trace
    /// shows it run).
    pub executed: bool,
}

impl ToolCallAt<'_> {
    /// Its path in the trace, as evidence names it: `steps[3].tool_calls[0]`.
    pub fn path(&self) -> String {
        format!("steps[{}].tool_calls[{}]", self.step, self.index)
    }
}

impl Trace {
    /// The tool calls the agent made, in step order, each once: every call a tool step
    /// executed, and every call a model requested that no tool step of the trace executed (a
    /// request and its execution are the same call when their ids agree or, without ids, when
    /// the name and arguments do).
    pub fn tool_calls(&self) -> Vec<ToolCallAt<'_>> {
        let executed = |step: &AgentStep| step.kind == StepKind::Tool;
        let ran: Vec<&ToolCall> = self
            .steps
            .iter()
            .filter(|s| executed(s))
            .flat_map(|s| s.tool_calls.iter())
            .collect();
        let same = |requested: &ToolCall, run: &ToolCall| match (&requested.id, &run.id) {
            (Some(a), Some(b)) => a == b,
            _ => requested.name == run.name && requested.arguments == run.arguments,
        };
        let mut out = Vec::new();
        for (step_index, step) in self.steps.iter().enumerate() {
            let is_tool = executed(step);
            for (index, call) in step.tool_calls.iter().enumerate() {
                if !is_tool && ran.iter().any(|r| same(call, r)) {
                    continue;
                }
                out.push(ToolCallAt {
                    step: step_index,
                    index,
                    call,
                    executed: is_tool,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(name: &str, id: Option<&str>, arguments: serde_json::Value) -> ToolCall {
        ToolCall {
            name: name.into(),
            arguments,
            id: id.map(String::from),
            ..ToolCall::default()
        }
    }

    fn step(kind: StepKind, calls: Vec<ToolCall>) -> AgentStep {
        AgentStep {
            kind,
            tool_calls: calls,
            ..AgentStep::default()
        }
    }

    #[test]
    fn a_request_and_its_execution_are_one_call() {
        let trace = Trace {
            steps: vec![
                step(
                    StepKind::Llm,
                    vec![
                        call("place_order", Some("c1"), json!({"quantity": 5})),
                        call("lookup", None, json!({"q": "x"})),
                        call("place_order", Some("c2"), json!({"quantity": 9})),
                    ],
                ),
                step(
                    StepKind::Tool,
                    vec![call("place_order", Some("c1"), json!({"quantity": 5}))],
                ),
                step(
                    StepKind::Tool,
                    vec![call("lookup", None, json!({"q": "x"}))],
                ),
            ],
            ..Trace::default()
        };
        let calls: Vec<(usize, usize, bool)> = trace
            .tool_calls()
            .iter()
            .map(|c| (c.step, c.index, c.executed))
            .collect();
        // c2 was requested and never run; c1 and lookup count once, as executed.
        assert_eq!(calls, vec![(0, 2, false), (1, 0, true), (2, 0, true)]);
        assert_eq!(trace.tool_calls()[0].path(), "steps[0].tool_calls[2]");
    }
}
