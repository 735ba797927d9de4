//! Words for what the timeline shows: one line per recorded event (the playback panel),
//! the hover tooltip, the details of one task (the details panel), and what the live
//! region says to a screen reader when the cursor moves (both in one sentence).
//!
//! Every figure comes from the recorded events: the model's tracks, and the [`RunStats`]
//! the recording folded from the same events.

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::stats::{RunStats, WakeCounts};
use pollscope_shared::instrument::{
    Event, EventKind, PollEvent, PollOutcome, SpawnEvent, TaskKind, TaskOutcome,
};
use pollscope_shared::instrument::{LaneId, TaskId, WakeSource};

use super::layout::format_duration;
use super::model::TimelineModel;

fn task_name(model: &TimelineModel, id: TaskId) -> String {
    match model.task_row(id) {
        Some(row) => format!("task #{} {}", id.0, model.tasks[row as usize].name),
        None => format!("task #{}", id.0),
    }
}

fn lane_name(model: &TimelineModel, id: LaneId) -> String {
    match model.lane_row(id) {
        Some(row) => format!("{} #{}", model.lanes[row as usize].name, id.0),
        None => format!("lane #{}", id.0),
    }
}

pub fn outcome_label(outcome: PollOutcome) -> &'static str {
    match outcome {
        PollOutcome::Pending => "Pending",
        PollOutcome::Ready => "Ready",
        PollOutcome::Panicked => "panicked",
    }
}

/// The `data-kind` of an event.
pub fn event_kind(event: &Event) -> &'static str {
    event.kind.label()
}

/// One sentence for one event (the model must have ingested it).
pub fn describe(model: &TimelineModel, event: &Event) -> String {
    let t = event.t_ns;
    match &event.kind {
        EventKind::Lane {
            lane,
            name,
            lane_kind,
        } => {
            let kind = match lane_kind {
                LaneKind::Worker => "a worker",
                LaneKind::Blocking => "a blocking-pool thread",
                LaneKind::Main => "the main thread",
            };
            format!("thread {name} #{} started as {kind}", lane.0)
        }
        EventKind::Park { lane } => format!(
            "{} parked: no task was ready, so it sleeps in the driver",
            lane_name(model, *lane)
        ),
        EventKind::Unpark { lane } => format!("{} unparked", lane_name(model, *lane)),
        EventKind::Spawn(SpawnEvent {
            task,
            parent,
            task_kind,
            ..
        }) => {
            let kind = match task_kind {
                TaskKind::Async => "",
                TaskKind::Blocking => " (blocking)",
            };
            let by = parent.map_or_else(String::new, |p| format!(" by {}", task_name(model, p)));
            format!("{}{kind} spawned{by}", task_name(model, *task))
        }
        EventKind::Poll(PollEvent {
            task,
            lane,
            busy_ns,
            outcome,
            resumed,
            waiting_on,
            waker_clones,
        }) => {
            let start = t.saturating_sub(*busy_ns);
            let on = lane.map_or_else(String::new, |l| format!(" on {}", lane_name(model, l)));
            let mut s = format!(
                "poll {} of {}{on} returned {} after {}",
                poll_number(model, *task, start),
                task_name(model, *task),
                outcome_label(*outcome),
                format_duration(*busy_ns)
            );
            if resumed.is_some() {
                // The span it resumed at ended when this poll started.
                let span = model.task_row(*task).and_then(|row| {
                    model
                        .spans
                        .iter()
                        .rev()
                        .find(|span| span.task == row && span.end == start)
                });
                match span {
                    Some(span) => {
                        s.push_str(&format!("; it resumed past `{}`", model.name(span.name)))
                    }
                    None => s.push_str("; it resumed past the await point it waited on"),
                }
            }
            if let Some(wait) = waiting_on {
                s.push_str(&format!("; it waits at `{}`", wait.name));
            }
            match waker_clones {
                0 => {}
                1 => s.push_str("; it cloned its waker once (something kept it to wake the task)"),
                n => s.push_str(&format!("; it cloned its waker {n} times")),
            }
            s
        }
        EventKind::Wake { task, by, by_ref } => {
            let who = match by {
                WakeSource::Task(w) if w == task => "itself".to_owned(),
                WakeSource::Task(w) => task_name(model, *w),
                WakeSource::Reactor => "the reactor (a socket became ready)".to_owned(),
                WakeSource::Timer => "the timer (a deadline passed)".to_owned(),
                WakeSource::Driver => "the runtime's driver".to_owned(),
                WakeSource::Thread => "a thread outside the runtime".to_owned(),
            };
            let how = if *by_ref { "wake_by_ref" } else { "wake" };
            format!("{} woken by {who} ({how})", task_name(model, *task))
        }
        EventKind::WakerClone { task } => {
            format!("the waker of {} was cloned", task_name(model, *task))
        }
        EventKind::WakerDrop { task } => {
            format!("a waker of {} was dropped", task_name(model, *task))
        }
        EventKind::SpanEnter { task, name, .. } => format!(
            "{} waits at `{name}` (it returned Pending)",
            task_name(model, *task)
        ),
        EventKind::SpanExit { task, .. } => {
            let name = model
                .task_row(*task)
                .and_then(|r| {
                    model.tasks[r as usize]
                        .spans
                        .iter()
                        .flat_map(|s| s.items.iter())
                        .find(|i| i.end == t)
                })
                .map(|i| model.name(model.spans[i.id as usize].name).to_owned());
            match name {
                Some(name) => format!("{} is done waiting at `{name}`", task_name(model, *task)),
                None => format!("{} is done waiting", task_name(model, *task)),
            }
        }
        EventKind::Complete { task, outcome } => {
            let how = match outcome {
                TaskOutcome::Ok => "finished",
                TaskOutcome::Error => "finished with an Err",
                TaskOutcome::Panicked => "panicked",
                TaskOutcome::Cancelled => "was cancelled (dropped before it finished)",
            };
            format!("{} {how}", task_name(model, *task))
        }
    }
}

/// The number of the poll of `task` that started at or before `t`.
fn poll_number(model: &TimelineModel, task: TaskId, t: u64) -> usize {
    model
        .task_row(task)
        .map_or(0, |r| model.tasks[r as usize].polls.started_by(t))
}

/// Everything the details panel shows about one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDetails {
    pub row: u32,
    pub id: u32,
    pub name: String,
    pub kind: &'static str,
    pub parent: Option<String>,
    pub state: &'static str,
    pub polls: u32,
    /// Polls started up to the current event.
    pub polls_so_far: usize,
    pub busy_ns: u64,
    pub scheduled_ns: u64,
    pub idle_ns: u64,
    pub wakes: WakeCounts,
    pub migrations: u32,
    /// From spawn to the first poll.
    pub first_poll_delay_ns: Option<u64>,
    /// The await point where a single wait was longest: name, longest, total, count.
    pub longest_await: Option<(String, u64, u64, u32)>,
    /// Lanes its polls ran on.
    pub lanes: Vec<String>,
}

pub fn task_details(
    model: &TimelineModel,
    stats: &RunStats,
    row: u32,
    current_t: Option<u64>,
) -> Option<TaskDetails> {
    let track = model.tasks.get(row as usize)?;
    let s = stats.tasks.get(&track.id)?;
    let (busy_ns, scheduled_ns, idle_ns) = s.times_at(stats.last_t_ns);
    let mut lanes: Vec<u32> = track
        .polls
        .items
        .iter()
        .filter_map(|i| model.polls[i.id as usize].lane)
        .collect();
    lanes.sort_unstable();
    lanes.dedup();
    Some(TaskDetails {
        row,
        id: track.id.0,
        name: track.name.clone(),
        kind: match track.kind {
            TaskKind::Async => "async",
            TaskKind::Blocking => "blocking",
        },
        parent: track.parent.map(|p| task_name(model, p)),
        state: s.state.label(),
        polls: s.polls,
        polls_so_far: current_t.map_or(track.polls.len(), |t| track.polls.started_by(t)),
        busy_ns,
        scheduled_ns,
        idle_ns,
        wakes: s.wakes,
        migrations: s.migrations,
        first_poll_delay_ns: s.first_poll_ns.map(|f| f.saturating_sub(s.spawned_ns)),
        longest_await: track.longest_wait().map(|w| {
            (
                model.name(w.name).to_owned(),
                w.longest_ns,
                w.total_ns,
                w.count,
            )
        }),
        lanes: lanes
            .into_iter()
            .map(|l| {
                let lane = &model.lanes[l as usize];
                format!("{} #{}", lane.name, lane.id.0)
            })
            .collect(),
    })
}

/// What the live region says when the cursor lands on event `index` of `total`: the
/// event (as the playback panel says it), then the task the details panel shows (the
/// selected one, else the event's own).
pub fn announcement(
    model: &TimelineModel,
    event: &Event,
    index: usize,
    total: usize,
    task: Option<&TaskDetails>,
    selected: bool,
) -> String {
    let mut s = format!(
        "Event {} of {total} at {}: {}.",
        index + 1,
        format_duration(event.t_ns),
        describe(model, event)
    );
    if let Some(d) = task {
        s.push_str(&format!(
            " {} task #{} {}: {}, {}; {} polls in the run, {} started so far.",
            if selected { "Selected" } else { "Its" },
            d.id,
            d.name,
            d.kind,
            d.state,
            d.polls,
            d.polls_so_far
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::model::tests::sample;

    fn model_and_stats() -> (TimelineModel, RunStats, Vec<Event>) {
        let events = sample();
        let mut m = TimelineModel::new(1);
        m.sync(&events);
        let mut stats = RunStats::default();
        stats.apply_all(&events);
        (m, stats, events)
    }

    #[test]
    fn every_event_has_a_sentence() {
        let (m, _, events) = model_and_stats();
        let lines: Vec<String> = events.iter().map(|e| describe(&m, e)).collect();
        assert!(lines.contains(
            &"poll 1 of task #1 task 1 on worker 0 #0 returned Pending after 10 ns; it waits at `read`"
                .to_owned()
        ));
        assert!(lines.contains(
            &"poll 2 of task #1 task 1 on worker 1 #1 returned Ready after 20 ns; it resumed past `read`"
                .to_owned()
        ));
        assert!(lines.contains(
            &"task #1 task 1 woken by the reactor (a socket became ready) (wake)".to_owned()
        ));
        assert!(lines.contains(&"task #2 task 2 woken by task #1 task 1 (wake)".to_owned()));
        assert!(lines.contains(
            &"worker 0 #0 parked: no task was ready, so it sleeps in the driver".to_owned()
        ));
        assert_eq!(event_kind(&events[0]), "lane");
    }

    #[test]
    fn task_details_come_from_the_events() {
        let (m, stats, _) = model_and_stats();
        let d = task_details(&m, &stats, 0, Some(50)).unwrap();
        assert_eq!((d.id, d.name.as_str(), d.state), (1, "task 1", "done"));
        assert_eq!((d.polls, d.polls_so_far), (2, 1));
        assert_eq!(d.busy_ns, 30);
        assert_eq!(d.wakes.by_reactor, 1);
        assert_eq!(d.migrations, 1);
        assert_eq!(d.first_poll_delay_ns, Some(9));
        assert_eq!(d.longest_await, Some(("read".to_owned(), 80, 80, 1)));
        assert_eq!(d.lanes, vec!["worker 0 #0", "worker 1 #1"]);
        assert_eq!(task_details(&m, &stats, 0, None).unwrap().polls_so_far, 2);
        assert!(task_details(&m, &stats, 9, None).is_none());
    }

    #[test]
    fn the_announcement_names_the_event_and_its_task() {
        let (m, stats, events) = model_and_stats();
        // The first poll of task 1, which returned Pending at 20 ns.
        let i = events
            .iter()
            .position(|e| matches!(e.kind, EventKind::Poll(_)))
            .unwrap();
        let d = task_details(&m, &stats, 0, Some(events[i].t_ns)).unwrap();
        let said = announcement(&m, &events[i], i, events.len(), Some(&d), false);
        assert_eq!(
            said,
            format!(
                "Event {} of {} at 20 ns: poll 1 of task #1 task 1 on worker 0 #0 returned \
                 Pending after 10 ns; it waits at `read`. Its task #1 task 1: async, done; \
                 2 polls in the run, 1 started so far.",
                i + 1,
                events.len()
            )
        );
        let said = announcement(&m, &events[0], 0, events.len(), None, true);
        assert!(said.starts_with("Event 1 of"), "{said}");
        assert!(!said.contains("task #"), "{said}");
    }
}
