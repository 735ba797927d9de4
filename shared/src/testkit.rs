//! Checks every test of a recording needs, written once (behind the `testkit` feature,
//! for this crate's tests and the other crates' dev-dependencies).
//!
//! [`check_recording`] asserts the rules every recording follows, whoever made it:
//! events in time order; each task's story starts with its spawn and ends, if it ended,
//! with its one completion; a task's polls never overlap. A test that recorded a whole
//! run (its runtime shut down) asks for every task to have completed.
//!
//! [`seq_vs_concurrent_result`] is the section 1 fixture, read from its golden file.
//!
//! Uses only [`crate::instrument`]'s event types and [`crate::results`]. Panics (it is for tests) with a message
//! naming the task and the rule.

use std::collections::BTreeMap;

use crate::instrument::{Event, EventKind, PollEvent, SpawnEvent, TaskId};

/// The section 1 result of the golden file, as the server sends it: the one fixture of
/// a sequential-vs-concurrent run every crate's tests share.
pub fn seq_vs_concurrent_result() -> crate::results::SeqVsConcurrentResult {
    let json = include_str!("../tests/golden/results/seq_vs_concurrent.json");
    match serde_json::from_str(json) {
        Ok(crate::results::ScenarioResult::SeqVsConcurrent(result)) => result,
        other => panic!("the golden seq_vs_concurrent result: {other:?}"),
    }
}

/// How far a poll may seem to overlap the one before it. Events of different threads are
/// merged into one time order, and a time that would run backwards is held at the
/// latest one seen; when that moves a poll's end later (by the threads' clock skew, a
/// few microseconds), the next poll can seem to start before it ended.
pub const MERGE_SKEW_NS: u64 = 20_000;

/// What the recording covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// A whole run: its runtime was shut down, so every task completed.
    WholeRun,
    /// A run still going, or a window of one: tasks may still be alive.
    SoFar,
}

/// Assert the recording rules on `events`, and return each task's events in order.
pub fn check_recording(events: &[Event], coverage: Coverage) -> BTreeMap<TaskId, Vec<EventKind>> {
    for window in events.windows(2) {
        assert!(
            window[0].t_ns <= window[1].t_ns,
            "events out of time order: {window:?}"
        );
    }
    let mut per_task: BTreeMap<TaskId, Vec<EventKind>> = BTreeMap::new();
    for event in events {
        if let Some(task) = event.kind.task() {
            per_task.entry(task).or_default().push(event.kind.clone());
        }
    }
    for (task, kinds) in &per_task {
        assert!(
            matches!(kinds[0], EventKind::Spawn(SpawnEvent { .. })),
            "{task:?} starts with its spawn, not {:?}",
            kinds[0]
        );
        let completions = kinds
            .iter()
            .filter(|k| matches!(k, EventKind::Complete { .. }))
            .count();
        match coverage {
            Coverage::WholeRun => {
                assert_eq!(completions, 1, "{task:?} has exactly one completion")
            }
            Coverage::SoFar => assert!(completions <= 1, "{task:?} completed {completions} times"),
        }
        if completions == 1 {
            assert!(
                matches!(kinds.last(), Some(EventKind::Complete { .. })),
                "{task:?}: an event after its completion"
            );
        }
    }
    // A task's polls never overlap: each starts after the previous one ended, and after
    // the run's clock started.
    let mut last_end: BTreeMap<TaskId, u64> = BTreeMap::new();
    for event in events {
        if let EventKind::Poll(PollEvent { task, busy_ns, .. }) = &event.kind {
            let started = event
                .t_ns
                .checked_sub(*busy_ns)
                .unwrap_or_else(|| panic!("{task:?}: a poll started before the run's clock"));
            let previous = last_end.insert(*task, event.t_ns).unwrap_or(0);
            assert!(
                started + MERGE_SKEW_NS >= previous,
                "{task:?}: a poll started {} ns before the previous one ended",
                previous - started
            );
        }
    }
    per_task
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{TaskKind, TaskOutcome};

    fn at(t_ns: u64, kind: EventKind) -> Event {
        Event { t_ns, kind }
    }

    fn spawn(task: u32) -> EventKind {
        EventKind::Spawn(SpawnEvent {
            task: TaskId(task),
            name: "t".into(),
            parent: None,
            task_kind: TaskKind::Async,
        })
    }

    #[test]
    fn a_task_alive_at_the_end_passes_so_far_and_fails_a_whole_run() {
        let events = [at(1, spawn(1))];
        assert_eq!(check_recording(&events, Coverage::SoFar).len(), 1);
        let whole = std::panic::catch_unwind(|| check_recording(&events, Coverage::WholeRun));
        assert!(whole.is_err());
    }

    #[test]
    fn an_event_after_completion_fails() {
        let task = TaskId(1);
        let events = [
            at(1, spawn(1)),
            at(
                2,
                EventKind::Complete {
                    task,
                    outcome: TaskOutcome::Ok,
                },
            ),
            at(3, EventKind::WakerDrop { task }),
        ];
        assert!(std::panic::catch_unwind(|| check_recording(&events, Coverage::SoFar)).is_err());
    }
}
