//! [`TaskTable`]: one row per task of a recorded run, like tokio-console's task list —
//! its state, polls, busy / scheduled / idle time, wakes by source, wakers, last lane.
//!
//! The rows ([`TaskRow`], from [`task_rows`]) are folded from a run's [`RunStats`] by a
//! pure function, unit-tested natively; the component only renders them.

use pollscope_shared::instrument::stats::{RunStats, TaskState, WakeCounts};
use pollscope_shared::instrument::{LaneId, TaskOutcome};
use yew::prelude::*;

use super::numbers::format_ns_ms;

/// The `data-state` of a task row.
pub fn state_attr(state: TaskState) -> &'static str {
    match state {
        TaskState::Scheduled => "scheduled",
        TaskState::Idle => "idle",
        TaskState::Done(TaskOutcome::Ok) => "done-ok",
        TaskState::Done(TaskOutcome::Error) => "done-error",
        TaskState::Done(TaskOutcome::Panicked) => "done-panicked",
        TaskState::Done(TaskOutcome::Cancelled) => "done-cancelled",
    }
}

/// One row of the task table.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub id: u32,
    pub name: String,
    pub state: TaskState,
    pub polls: u32,
    /// Busy / scheduled / idle time up to the run's latest event.
    pub busy_ns: u64,
    pub scheduled_ns: u64,
    pub idle_ns: u64,
    pub wakes: WakeCounts,
    pub waker_clones: u32,
    pub waker_drops: u32,
    /// The lane (id, thread name) that ran the task's latest poll.
    pub last_lane: Option<(u32, String)>,
}

/// One row per task, in spawn order. A task's open state (e.g. idle since its last poll)
/// is counted up to the latest event received, the "now" of the recording.
pub fn task_rows(stats: &RunStats) -> Vec<TaskRow> {
    let now = stats.last_t_ns;
    // Lanes of one runtime often share a thread name: the id tells them apart.
    let lane = |lane: LaneId| {
        let name = stats
            .lanes
            .get(&lane)
            .map_or_else(|| format!("lane {}", lane.0), |l| l.name.to_string());
        (lane.0, name)
    };
    stats
        .tasks
        .values()
        .map(|t| {
            let (busy_ns, scheduled_ns, idle_ns) = t.times_at(now);
            TaskRow {
                id: t.id.0,
                name: t.name.to_string(),
                state: t.state,
                polls: t.polls,
                busy_ns,
                scheduled_ns,
                idle_ns,
                wakes: t.wakes,
                waker_clones: t.waker_clones,
                waker_drops: t.waker_drops,
                last_lane: t.last_lane.map(lane),
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct TaskTableProps {
    pub rows: Vec<TaskRow>,
}

/// One row per task, like tokio-console's task list. Times are in milliseconds.
#[component]
pub fn TaskTable(props: &TaskTableProps) -> Html {
    let rows = props.rows.iter().map(|r| {
        let w = &r.wakes;
        let other = w.by_driver + w.by_thread;
        let wakes_title = format!(
            "reactor {}, task {}, timer {}, self {}, driver {}, thread {}",
            w.by_reactor, w.by_task, w.by_timer, w.self_wakes, w.by_driver, w.by_thread
        );
        html! {
            <tr class="task-row" key={r.id} data-task-id={r.id.to_string()}
                data-name={r.name.clone()} data-state={state_attr(r.state)}
                data-polls={r.polls.to_string()} data-wakes={w.total().to_string()}>
                <td class="num">{ r.id }</td>
                <td class="name" title={r.name.clone()}>{ &r.name }</td>
                <td class="state">{ r.state.label() }</td>
                <td class="num">{ r.polls }</td>
                <td class="num">{ format_ns_ms(r.busy_ns) }</td>
                <td class="num">{ format_ns_ms(r.scheduled_ns) }</td>
                <td class="num">{ format_ns_ms(r.idle_ns) }</td>
                <td class="num" title={wakes_title}>{ w.total() }</td>
                <td class="num">{ w.by_reactor }</td>
                <td class="num">{ w.by_task }</td>
                <td class="num">{ w.by_timer }</td>
                <td class="num">{ w.self_wakes }</td>
                <td class="num">{ other }</td>
                <td class="num">{ r.waker_clones }</td>
                <td class="num">{ r.waker_drops }</td>
                {
                    match &r.last_lane {
                        Some((id, name)) => html! {
                            <td class="lane" title={name.clone()}>{ format!("#{id}") }</td>
                        },
                        None => html! { <td class="lane">{ "—" }</td> },
                    }
                }
            </tr>
        }
    });
    html! {
        <div class="task-table-wrap">
            <table id="task-table" class="task-table" data-tasks={props.rows.len().to_string()}>
                <thead>
                    <tr>
                        <th rowspan="2">{ "id" }</th>
                        <th rowspan="2">{ "task" }</th>
                        <th rowspan="2">{ "state" }</th>
                        <th rowspan="2">{ "polls" }</th>
                        <th colspan="3">{ "time (ms)" }</th>
                        <th colspan="6">{ "wakes, by" }</th>
                        <th colspan="2">{ "wakers" }</th>
                        <th rowspan="2">{ "last lane" }</th>
                    </tr>
                    <tr>
                        <th>{ "busy" }</th>
                        <th>{ "scheduled" }</th>
                        <th>{ "idle" }</th>
                        <th>{ "total" }</th>
                        <th>{ "reactor" }</th>
                        <th>{ "task" }</th>
                        <th>{ "timer" }</th>
                        <th>{ "self" }</th>
                        <th>{ "other" }</th>
                        <th>{ "clones" }</th>
                        <th>{ "drops" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{one_conn_events, recording_of};

    #[test]
    fn rows_follow_the_stats() {
        let r = recording_of(one_conn_events());
        let rows = task_rows(&r.stats);
        assert_eq!(rows.len(), 2);
        let conn = &rows[0];
        assert_eq!((conn.id, conn.name.as_str()), (1, "conn"));
        assert_eq!(state_attr(conn.state), "done-ok");
        assert_eq!(conn.polls, 2);
        // busy 1 µs + 1 µs; scheduled 2 µs + 2 µs; idle from 3 µs to 1004 µs.
        assert_eq!(
            (conn.busy_ns, conn.scheduled_ns, conn.idle_ns),
            (2_000, 4_000, 1_001_000)
        );
        assert_eq!(conn.wakes.by_reactor, 1);
        assert_eq!(conn.last_lane, Some((0, "worker 0".to_owned())));
        let client = &rows[1];
        assert_eq!(state_attr(client.state), "done-cancelled");
        assert_eq!(client.polls, 0);
        // Scheduled from its spawn until it was cancelled.
        assert_eq!(client.scheduled_ns, 1_999_000);
        assert_eq!(client.last_lane, None);
    }

    #[test]
    fn open_states_count_up_to_the_latest_event() {
        // Up to (and including) the park: task 1 idle since 3 µs, now is 4 µs.
        let r = recording_of(one_conn_events()[..5].to_vec());
        let rows = task_rows(&r.stats);
        assert_eq!(state_attr(rows[0].state), "idle");
        assert_eq!(rows[0].idle_ns, 1_000);
        assert_eq!(state_attr(rows[1].state), "scheduled");
        assert_eq!(rows[1].scheduled_ns, 3_000);
    }

    #[test]
    fn states_have_attributes_and_labels() {
        assert_eq!(state_attr(TaskState::Scheduled), "scheduled");
        assert_eq!(
            state_attr(TaskState::Done(TaskOutcome::Panicked)),
            "done-panicked"
        );
        assert_eq!(
            state_attr(TaskState::Done(TaskOutcome::Error)),
            "done-error"
        );
        assert_eq!(TaskState::Done(TaskOutcome::Cancelled).label(), "cancelled");
    }
}
