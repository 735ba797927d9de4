//! A recorded run as a Chrome Trace Event Format file, for Perfetto (ui.perfetto.dev →
//! Open trace file) or `chrome://tracing`.
//!
//! Each part of the run is a process (`pid` = part + 1). In it, one track (a `tid`) per
//! lane and one per task, and one per wake source outside any task (reactor, timer,
//! driver, other thread):
//! - a poll is a complete (`"X"`) event on its lane's track, named after its task, and
//!   another on its task's track, named `poll`; both have the outcome in `args`;
//! - a lane's park is an `"X"` event named `parked` on its track (category `park`);
//! - an await point's wait is an async slice (`"b"` … `"e"`, category `await`) on its
//!   task's track, from the poll it returned Pending in to the poll that found it done;
//! - a wake is an instant (`"i"`) on the waker's track and a flow (`"s"` → `"f"`,
//!   category `wake`) from it to the woken task's next poll.
//!
//! Times are microseconds, as the format wants, from the recorded nanoseconds. A pure
//! function of the recording: no browser API, tested natively.

use std::collections::BTreeMap;
use std::fmt::Write;

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::{
    Event, EventKind, PollEvent, PollOutcome, SpanId, TaskId, Wait, WakeSource,
};

use crate::recording::{PartRecording, RunRecording};

/// Tracks of tasks are `TASK_TIDS + task id`; of lanes, `lane id + 1`.
pub const TASK_TIDS: u64 = 1 << 20;
/// Tracks of wake sources outside any task.
pub const SOURCE_TIDS: u64 = 1 << 30;

/// The most recorded events exported from one run (the file is about 300 bytes per
/// event): past it the export is refused rather than a page made to build gigabytes.
pub const MAX_EXPORTED_EVENTS: u64 = 1_000_000;

/// How many of each kind of trace event an export wrote: what its tests check against
/// the recording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceCounts {
    /// `"X"` events on lane tracks for polls (polls that ran on a known lane).
    pub lane_polls: u64,
    /// `"X"` events on task tracks for polls (every poll).
    pub task_polls: u64,
    pub parks: u64,
    /// Await slices begun (each also ends).
    pub awaits: u64,
    pub wakes: u64,
    /// Flows from a wake to the woken task's next poll.
    pub wake_flows: u64,
}

/// Why a run cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportRefusal {
    #[error("it has {0} recorded events; at most {MAX_EXPORTED_EVENTS} are exported")]
    TooLarge(u64),
}

/// Microseconds, as the format's `ts` and `dur` are, from nanoseconds.
fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

fn source_track(by: WakeSource) -> Option<(u64, &'static str)> {
    match by {
        WakeSource::Task(_) => None,
        WakeSource::Reactor => Some((SOURCE_TIDS, "reactor (I/O driver)")),
        WakeSource::Timer => Some((SOURCE_TIDS + 1, "timer")),
        WakeSource::Driver => Some((SOURCE_TIDS + 2, "runtime driver")),
        WakeSource::Thread => Some((SOURCE_TIDS + 3, "other thread")),
    }
}

fn outcome(o: PollOutcome) -> &'static str {
    match o {
        PollOutcome::Pending => "pending",
        PollOutcome::Ready => "ready",
        PollOutcome::Panicked => "panicked",
    }
}

/// Writes one part's trace events into `out` (each followed by a comma).
struct PartWriter<'a> {
    out: &'a mut String,
    pid: u64,
    counts: &'a mut TraceCounts,
    /// Per task, the flow ids of wakes waiting for its next poll.
    woken: BTreeMap<TaskId, Vec<u64>>,
    /// Open await slices: span → (task, name).
    open: BTreeMap<SpanId, TaskId>,
    /// Lanes parked since this time.
    parked: BTreeMap<u32, u64>,
    task_names: BTreeMap<TaskId, String>,
    lane_names: BTreeMap<u32, (String, LaneKind)>,
    sources: BTreeMap<u64, &'static str>,
    next_flow: &'a mut u64,
}

impl PartWriter<'_> {
    fn push(&mut self, event: std::fmt::Arguments<'_>) {
        let _ = self.out.write_fmt(event);
        self.out.push_str(",\n");
    }

    fn task_name(&self, task: TaskId) -> String {
        self.task_names
            .get(&task)
            .cloned()
            .unwrap_or_else(|| format!("task {}", task.0))
    }

    fn begin_await(&mut self, t_ns: u64, task: TaskId, span: SpanId, name: &str) {
        if self.open.insert(span, task).is_none() {
            self.counts.awaits += 1;
            let (pid, tid) = (self.pid, TASK_TIDS + u64::from(task.0));
            self.push(format_args!(
                r#"{{"ph":"b","cat":"await","id2":{{"local":"{pid}:{}"}},"name":{},"ts":{},"pid":{pid},"tid":{tid}}}"#,
                span.0,
                quoted(name),
                us(t_ns)
            ));
        }
    }

    fn end_await(&mut self, t_ns: u64, span: SpanId) {
        if let Some(task) = self.open.remove(&span) {
            let (pid, tid) = (self.pid, TASK_TIDS + u64::from(task.0));
            self.push(format_args!(
                r#"{{"ph":"e","cat":"await","id2":{{"local":"{pid}:{}"}},"ts":{},"pid":{pid},"tid":{tid}}}"#,
                span.0,
                us(t_ns)
            ));
        }
    }

    fn park_end(&mut self, lane: u32, t_ns: u64) {
        if let Some(from) = self.parked.remove(&lane) {
            self.counts.parks += 1;
            let (pid, tid) = (self.pid, u64::from(lane) + 1);
            self.push(format_args!(
                r#"{{"ph":"X","cat":"park","name":"parked","ts":{},"dur":{},"pid":{pid},"tid":{tid}}}"#,
                us(from),
                us(t_ns.saturating_sub(from))
            ));
        }
    }

    fn poll(&mut self, t_ns: u64, poll: &PollEvent) {
        let start = t_ns.saturating_sub(poll.busy_ns);
        let name = self.task_name(poll.task);
        let (pid, task_tid) = (self.pid, TASK_TIDS + u64::from(poll.task.0));
        let waiting = poll
            .waiting_on
            .as_ref()
            .map_or("null".to_owned(), |w| quoted(&w.name));
        let args = format!(
            r#"{{"task":{},"outcome":"{}","busy_ns":{},"waiting_on":{waiting},"waker_clones":{}}}"#,
            poll.task.0,
            outcome(poll.outcome),
            poll.busy_ns,
            poll.waker_clones
        );
        if let Some(resumed) = poll.resumed {
            self.end_await(start, resumed);
        }
        if let Some(lane) = poll.lane {
            self.counts.lane_polls += 1;
            self.push(format_args!(
                r#"{{"ph":"X","cat":"poll","name":{},"ts":{},"dur":{},"pid":{pid},"tid":{},"args":{args}}}"#,
                quoted(&name),
                us(start),
                us(poll.busy_ns),
                u64::from(lane.0) + 1
            ));
        }
        self.counts.task_polls += 1;
        self.push(format_args!(
            r#"{{"ph":"X","cat":"poll","name":"poll","ts":{},"dur":{},"pid":{pid},"tid":{task_tid},"args":{args}}}"#,
            us(start),
            us(poll.busy_ns)
        ));
        // Every wake since the last poll ends here, at this poll's start.
        for id in self.woken.remove(&poll.task).unwrap_or_default() {
            self.counts.wake_flows += 1;
            self.push(format_args!(
                r#"{{"ph":"f","bp":"e","cat":"wake","name":"wake","id":{id},"ts":{},"pid":{pid},"tid":{task_tid}}}"#,
                us(start)
            ));
        }
        if let Some(Wait { span, name }) = &poll.waiting_on {
            self.begin_await(t_ns, poll.task, *span, name);
        }
    }

    fn wake(&mut self, t_ns: u64, task: TaskId, by: WakeSource) {
        self.counts.wakes += 1;
        let tid = match (by, source_track(by)) {
            (WakeSource::Task(waker), _) => TASK_TIDS + u64::from(waker.0),
            (_, Some((tid, name))) => {
                self.sources.insert(tid, name);
                tid
            }
            (_, None) => unreachable!("every source but a task has a track"),
        };
        let id = *self.next_flow;
        *self.next_flow += 1;
        let pid = self.pid;
        let woken = self.task_name(task);
        self.push(format_args!(
            r#"{{"ph":"i","s":"t","cat":"wake","name":{},"ts":{},"pid":{pid},"tid":{tid},"args":{{"woken":{}}}}}"#,
            quoted(&format!("wake {woken}")),
            us(t_ns),
            task.0
        ));
        self.push(format_args!(
            r#"{{"ph":"s","cat":"wake","name":"wake","id":{id},"ts":{},"pid":{pid},"tid":{tid}}}"#,
            us(t_ns)
        ));
        self.woken.entry(task).or_default().push(id);
    }

    fn event(&mut self, event: &Event) {
        let t = event.t_ns;
        match &event.kind {
            EventKind::Lane {
                lane,
                name,
                lane_kind,
            } => {
                self.lane_names
                    .insert(lane.0, (name.to_string(), *lane_kind));
            }
            EventKind::Park { lane } => {
                self.parked.entry(lane.0).or_insert(t);
            }
            EventKind::Unpark { lane } => self.park_end(lane.0, t),
            EventKind::Spawn(spawn) => {
                self.task_names.insert(spawn.task, spawn.name.to_string());
            }
            EventKind::Poll(poll) => self.poll(t, poll),
            EventKind::Wake { task, by, .. } => self.wake(t, *task, *by),
            EventKind::SpanEnter { task, span, name } => self.begin_await(t, *task, *span, name),
            EventKind::SpanExit { span, .. } => self.end_await(t, *span),
            EventKind::WakerClone { .. }
            | EventKind::WakerDrop { .. }
            | EventKind::Complete { .. } => {}
        }
    }

    /// Close what is still open at the part's last event, then name the tracks.
    fn finish(mut self, last_t_ns: u64, part: u32, scenario: &str) {
        for lane in self.parked.keys().copied().collect::<Vec<_>>() {
            self.park_end(lane, last_t_ns);
        }
        for span in self.open.keys().copied().collect::<Vec<_>>() {
            self.end_await(last_t_ns, span);
        }
        let pid = self.pid;
        let mut meta = |tid: u64, name: &str, sort: u64| {
            self.out.push_str(&format!(
                r#"{{"ph":"M","name":"thread_name","pid":{pid},"tid":{tid},"args":{{"name":{}}}}},
{{"ph":"M","name":"thread_sort_index","pid":{pid},"tid":{tid},"args":{{"sort_index":{sort}}}}},
"#,
                quoted(name)
            ));
        };
        for (lane, (name, kind)) in &self.lane_names {
            let kind = match kind {
                LaneKind::Worker => "worker",
                LaneKind::Blocking => "blocking pool",
                LaneKind::Main => "main thread",
            };
            meta(
                u64::from(*lane) + 1,
                &format!("lane {lane}: {name} ({kind})"),
                u64::from(*lane),
            );
        }
        for (task, name) in &self.task_names {
            let tid = TASK_TIDS + u64::from(task.0);
            meta(tid, &format!("task {}: {name}", task.0), tid);
        }
        for (tid, name) in &self.sources {
            meta(*tid, name, *tid);
        }
        self.out.push_str(&format!(
            r#"{{"ph":"M","name":"process_name","pid":{pid},"tid":0,"args":{{"name":{}}}}},
"#,
            quoted(&format!("{scenario}, part {part}"))
        ));
    }
}

/// The run as a trace file, and how many of each trace event it holds.
pub fn trace_json(run: &RunRecording) -> Result<(String, TraceCounts), ExportRefusal> {
    let events: u64 = run.parts.values().map(|p| p.events.len() as u64).sum();
    if events > MAX_EXPORTED_EVENTS {
        return Err(ExportRefusal::TooLarge(events));
    }
    let mut out = String::from("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    let mut counts = TraceCounts::default();
    let mut next_flow = 1;
    for part in run.parts.values() {
        write_part(&mut out, part, &run.scenario, &mut counts, &mut next_flow);
    }
    // The format allows no trailing comma: end with one more (empty) metadata event.
    out.push_str(&format!(
        r#"{{"ph":"M","name":"process_labels","pid":0,"tid":0,"args":{{"labels":{}}}}}
],"metadata":{{"pollscope_run":{},"scenario":{}}}}}"#,
        quoted("pollscope"),
        run.run_id,
        quoted(&run.scenario)
    ));
    Ok((out, counts))
}

fn write_part(
    out: &mut String,
    part: &PartRecording,
    scenario: &str,
    counts: &mut TraceCounts,
    next_flow: &mut u64,
) {
    let mut writer = PartWriter {
        out,
        pid: u64::from(part.part) + 1,
        counts,
        woken: BTreeMap::new(),
        open: BTreeMap::new(),
        parked: BTreeMap::new(),
        task_names: BTreeMap::new(),
        lane_names: BTreeMap::new(),
        sources: BTreeMap::new(),
        next_flow,
    };
    for event in &part.events {
        writer.event(event);
    }
    let last = part.events.last().map_or(0, |e| e.t_ns);
    writer.finish(last, part.part, scenario);
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::LaneId;
    use pollscope_shared::instrument::batch::EventBatch;
    use serde_json::Value;

    use super::*;
    use crate::fixtures::one_conn_events;

    fn run() -> RunRecording {
        let mut events = one_conn_events();
        // A park left open at the end, closed at the last event.
        let last = events.last().unwrap().t_ns;
        events.push(Event {
            t_ns: last,
            kind: EventKind::Park { lane: LaneId(0) },
        });
        let mut run = RunRecording::new(4, "echo");
        for part in 0..2 {
            run.apply_batch(EventBatch {
                run_id: 4,
                part,
                seq: 0,
                dropped_total: 0,
                events: events.clone(),
            });
        }
        run
    }

    fn count(trace: &[Value], ph: &str, cat: Option<&str>) -> u64 {
        trace
            .iter()
            .filter(|e| e["ph"] == ph && cat.is_none_or(|c| e["cat"] == c))
            .count() as u64
    }

    #[test]
    fn the_trace_holds_every_poll_wake_park_and_await_of_the_recording() {
        let run = run();
        let (json, counts) = trace_json(&run).expect("small");
        let trace: Value = serde_json::from_str(&json).expect("valid JSON");
        let events = trace["traceEvents"].as_array().expect("traceEvents");
        let parts: Vec<&PartRecording> = run.parts.values().collect();
        let polls: u64 = parts.iter().map(|p| p.stats.polls).sum();
        let wakes: u64 = parts.iter().map(|p| u64::from(p.stats.wakes.total())).sum();
        let parks: u64 = parts
            .iter()
            .flat_map(|p| &p.events)
            .filter(|e| matches!(e.kind, EventKind::Park { .. }))
            .count() as u64;
        assert!(polls > 0 && wakes > 0 && parks > 0);
        // Every poll ran on a lane in the fixture: once on the lane, once on the task.
        assert_eq!(counts.task_polls, polls);
        assert_eq!(counts.lane_polls, polls);
        assert_eq!(count(events, "X", Some("poll")), 2 * polls);
        assert_eq!(
            (counts.wakes, count(events, "i", Some("wake"))),
            (wakes, wakes)
        );
        assert_eq!(counts.parks, parks);
        assert_eq!(count(events, "X", Some("park")), parks);
        // Each await slice begins and ends; each flow that starts at a wake finishes.
        assert!(counts.awaits > 0);
        assert_eq!(count(events, "b", Some("await")), counts.awaits);
        assert_eq!(count(events, "e", Some("await")), counts.awaits);
        assert_eq!(count(events, "s", Some("wake")), wakes);
        assert_eq!(count(events, "f", Some("wake")), counts.wake_flows);
        assert!(counts.wake_flows > 0 && counts.wake_flows <= wakes);
        // Two processes (parts), each naming its lane and task tracks.
        let names: Vec<&str> = events
            .iter()
            .filter(|e| e["name"] == "thread_name")
            .filter_map(|e| e["args"]["name"].as_str())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("lane 0: worker 0")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.starts_with("task 1: conn")),
            "{names:?}"
        );
        assert_eq!(count(events, "M", None) as usize, names.len() * 2 + 2 + 1);
        // A poll's outcome is in its args, and a poll on the lane is named after its task.
        let lane_poll = events
            .iter()
            .find(|e| e["cat"] == "poll" && e["tid"] == 1)
            .expect("a poll on lane 0");
        assert_eq!(lane_poll["name"], "conn");
        assert!(lane_poll["args"]["outcome"].is_string());
        assert!(lane_poll["dur"].as_f64().unwrap() >= 0.0);
    }

    #[test]
    fn a_run_past_the_bound_is_refused() {
        let mut run = RunRecording::new(1, "echo");
        run.apply_batch(EventBatch {
            run_id: 1,
            part: 0,
            seq: 0,
            dropped_total: 0,
            events: vec![one_conn_events()[0].clone(); MAX_EXPORTED_EVENTS as usize + 1],
        });
        assert_eq!(
            trace_json(&run).unwrap_err(),
            ExportRefusal::TooLarge(MAX_EXPORTED_EVENTS + 1)
        );
    }
}
