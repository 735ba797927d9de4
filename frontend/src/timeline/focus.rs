//! What the timeline's current event points at in the code: the await point it is at
//! and the task it is about, by the names the recorder gave them. The code panel looks
//! those names up in the snippet's line maps (see `pollscope_shared::code_lines`) and
//! lights the lines.
//!
//! A page that shows code provides a [`CodeFocusSink`] context; each timeline emits its
//! focus there when its current event changes, so with several timelines on one page the
//! one moved last wins. Pure: [`focus_of`] reads the timeline's model and one event.

use pollscope_shared::instrument::{Event, EventKind, PollEvent, TaskId};
use yew::Callback;

use super::model::TimelineModel;

/// The names the current event yields: its await point and its task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeFocus {
    /// The await point the event is at: for a poll, the one it left the task waiting on,
    /// else the one it resumed past; for a span's start or end, that span.
    pub await_point: Option<String>,
    /// The name of the task the event is about (for a spawn, the spawned task).
    pub task: Option<String>,
}

/// Where the timelines of a page publish their [`CodeFocus`] (a context; the demo frame
/// provides it around everything that can hold a timeline).
#[derive(Clone, PartialEq)]
pub struct CodeFocusSink(pub Callback<CodeFocus>);

/// The await point and the task `event` is about, by name.
pub fn focus_of(model: &TimelineModel, event: &Event) -> CodeFocus {
    let t = event.t_ns;
    let await_point = match &event.kind {
        EventKind::Poll(PollEvent {
            waiting_on: Some(wait),
            ..
        }) => Some(wait.name.to_string()),
        EventKind::Poll(PollEvent {
            task,
            busy_ns,
            resumed: Some(_),
            ..
        }) => span_ending(model, *task, t.saturating_sub(*busy_ns)),
        EventKind::SpanEnter { name, .. } => Some(name.to_string()),
        EventKind::SpanExit { task, .. } => span_ending(model, *task, t),
        _ => None,
    };
    let task = event.kind.task().and_then(|id| {
        let row = model.task_row(id)?;
        Some(model.tasks[row as usize].name.clone())
    });
    CodeFocus { await_point, task }
}

/// The name of the await point of `task` whose wait ended at `t` (a poll that resumed
/// past it started then; a span's exit is at its end).
fn span_ending(model: &TimelineModel, task: TaskId, t: u64) -> Option<String> {
    let row = model.task_row(task)?;
    let span = model
        .spans
        .iter()
        .rev()
        .find(|span| span.task == row && span.end == t)?;
    Some(model.name(span.name).to_owned())
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::{LaneId, PollOutcome, SpanId};

    use super::*;
    use crate::timeline::model::tests::{ev, sample};

    fn folded() -> (TimelineModel, Vec<Event>) {
        let events = sample();
        let mut model = TimelineModel::new(1);
        model.sync(&events);
        (model, events)
    }

    fn focus(await_point: Option<&str>, task: Option<&str>) -> CodeFocus {
        CodeFocus {
            await_point: await_point.map(str::to_owned),
            task: task.map(str::to_owned),
        }
    }

    fn poll_outcome(event: &Event) -> Option<PollOutcome> {
        match &event.kind {
            EventKind::Poll(p) => Some(p.outcome),
            _ => None,
        }
    }

    #[test]
    fn a_poll_yields_the_await_it_waited_on_else_the_one_it_resumed_past() {
        let (model, events) = folded();
        let pending = events
            .iter()
            .find(|e| poll_outcome(e) == Some(PollOutcome::Pending))
            .unwrap();
        assert_eq!(
            focus_of(&model, pending),
            focus(Some("read"), Some("task 1"))
        );
        // The second poll waited on nothing: it resumed past `read`.
        let ready = events
            .iter()
            .find(|e| poll_outcome(e) == Some(PollOutcome::Ready))
            .unwrap();
        assert_eq!(focus_of(&model, ready), focus(Some("read"), Some("task 1")));
    }

    #[test]
    fn other_events_yield_their_task_and_spans_their_await_point() {
        let (model, events) = folded();
        let spawn_2 = &events[4];
        assert!(matches!(spawn_2.kind, EventKind::Spawn(_)));
        assert_eq!(focus_of(&model, spawn_2), focus(None, Some("task 2")));
        let park = ev(25, EventKind::Park { lane: LaneId(0) });
        assert_eq!(focus_of(&model, &park), CodeFocus::default());
        let enter = ev(
            40,
            EventKind::SpanEnter {
                task: TaskId(2),
                span: SpanId(3),
                name: "outer".into(),
            },
        );
        assert_eq!(
            focus_of(&model, &enter),
            focus(Some("outer"), Some("task 2"))
        );
        // The span `read` of task 1 ended at 110, when the poll that resumed began.
        let exit = ev(
            110,
            EventKind::SpanExit {
                task: TaskId(1),
                span: SpanId(9),
            },
        );
        assert_eq!(focus_of(&model, &exit), focus(Some("read"), Some("task 1")));
        // A task this model never saw has no name.
        let stranger = ev(
            110,
            EventKind::SpanExit {
                task: TaskId(7),
                span: SpanId(9),
            },
        );
        assert_eq!(focus_of(&model, &stranger), CodeFocus::default());
    }
}
