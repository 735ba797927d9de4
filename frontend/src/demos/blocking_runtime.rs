//! Outline section 7 — blocking the runtime: one slow handler in the echo server.
//!
//! The server ran the echo workload once per way its `way` knob asks for (one, or all
//! three), the slow request's work done with `std::thread::sleep`, `tokio::time::sleep`
//! or `spawn_blocking`. The page shows, per way, a table of the other clients' round trips, the slow request's, and the longest
//! poll on a worker (its task and lane, as the timeline labels them) beside that part's
//! timeline, and a notice computed from those numbers.

use pollscope_shared::results::{BlockingRuntimeResult, BlockingWay, ScenarioResult, WayRun};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, LatencyPlots, Note, WhatToNotice, format_ms};

impl DemoPage for BlockingRuntimePage {
    const ID: &'static str = id::BLOCKING_RUNTIME;
}

/// The ways in the order the server runs them, one part each.
const WAYS: [BlockingWay; 3] = [
    BlockingWay::ThreadSleep,
    BlockingWay::TokioSleep,
    BlockingWay::SpawnBlocking,
];

/// The ways a run with `way` knob value `way` does: one of them, or (3) all three.
fn ways_of(way: Option<i64>) -> Vec<BlockingWay> {
    match way.and_then(|w| usize::try_from(w).ok()) {
        Some(i) if i < WAYS.len() => vec![WAYS[i]],
        _ => WAYS.to_vec(),
    }
}

/// Below this, a difference between two p99s is not called a difference: a loopback round
/// trip on a busy machine varies by about that much.
const CLEAR_US: u64 = 1000;

/// A poll that lasted at least half the work held its thread for about the work.
fn held_the_thread(way: &WayRun, work_us: u64) -> bool {
    way.longest_poll.busy_us * 2 >= work_us
}

/// "client 1", "clients 1 and 2", "clients 1, 2 and 3".
pub fn clients_list(clients: &[u32]) -> String {
    match clients {
        [] => "no client".to_owned(),
        [one] => format!("client {one}"),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(u32::to_string).collect();
            format!("clients {} and {last}", rest.join(", "))
        }
    }
}

/// How the page names the longest poll's task: its timeline label, and whose connection.
pub fn poll_task(way: &WayRun) -> String {
    let poll = &way.longest_poll;
    match poll.client {
        Some(0) => format!("{} (client 0's connection, the slow request's)", poll.task_label()),
        Some(c) => format!("{} (client {c}'s connection)", poll.task_label()),
        None => poll.task_label(),
    }
}

/// The held-up clients and their longest round trip: "clients 1, 2 and 3 (up to 30.4 ms)".
pub fn held_up_text(way: &WayRun) -> String {
    let clients: Vec<u32> = way.held_up.iter().map(|h| h.client).collect();
    match way.held_up.iter().map(|h| h.round_trip_us).max() {
        Some(longest) => format!("{} (up to {})", clients_list(&clients), format_ms(longest)),
        None => "none".to_owned(),
    }
}

/// What the blocking way's part shows: the long poll, its task and lane, whom it held up.
fn blocked_note(blocked: &WayRun, work_us: u64) -> String {
    let work = format_ms(work_us);
    let poll = &blocked.longest_poll;
    if !held_the_thread(blocked, work_us) {
        return format!(
            "With std::thread::sleep the longest poll on a worker lasted only {} ({} on {}), \
             under half the {work} of work: this recording does not show the blocking poll.",
            format_ms(poll.busy_us),
            poll_task(blocked),
            poll.lane_label(),
        );
    }
    let mut note = format!(
        "With std::thread::sleep the longest poll was {} on {}: {}, for {work} of work. \
         The handler never reached an .await while it slept, so that thread polled \
         nothing else meanwhile.",
        poll_task(blocked),
        poll.lane_label(),
        format_ms(poll.busy_us),
    );
    if blocked.held_up.is_empty() {
        note.push_str(
            " No other client's round trip waited through it: the other connections \
             were served elsewhere or were between requests.",
        );
    } else {
        note.push_str(&format!(
            " It held up {}: their round trips were in flight while it ran and ended \
             only after it.",
            held_up_text(blocked)
        ));
    }
    note
}

/// What a yielding way's part shows: the slow request took its time in Pending.
fn yielding_note(way: &WayRun, work_us: u64) -> String {
    let poll = &way.longest_poll;
    let mut note = format!(
        "With {} the slow request still took {}, but its handler's task waited in \
         Pending; the longest poll on a worker was {} ({} on {}).",
        way.way.label(),
        format_ms(way.slow_request_us),
        format_ms(poll.busy_us),
        poll_task(way),
        poll.lane_label(),
    );
    if let Some(closure) = &way.blocking_work {
        note.push_str(&format!(
            " The sleep itself ran for {} on {}, a blocking-pool thread.",
            format_ms(closure.busy_us),
            closure.lane_label()
        ));
    }
    if held_the_thread(way, work_us) {
        note.push_str(
            " A poll that long where nothing blocks means its thread was kept from \
             running (this machine is busy), not that the code blocked.",
        );
    }
    note
}

/// What this run's numbers show, sentence by sentence: one note per way it ran, then,
/// when all three ran, how the other clients' p99 compares across them (the figures, and
/// a verdict drawn from them that a shared machine's run leaves out).
pub fn what_to_notice(result: &BlockingRuntimeResult) -> Vec<Note> {
    let work_us = u64::from(result.work_ms) * 1000;
    let mut notes: Vec<Note> = result
        .ways
        .iter()
        .map(|w| {
            Note::Fact(match w.way {
                BlockingWay::ThreadSleep => blocked_note(w, work_us),
                _ => yielding_note(w, work_us),
            })
        })
        .collect();
    let all_three = result.ways.iter().map(|w| w.way).eq(WAYS);
    if let ([one], false) = (&result.ways[..], all_three) {
        notes.push(Note::Fact(format!(
            "The other clients' p99 round trip was {} with {}. This run tried one way: \
             rerun it another way (a warning's fix, or the knob) to compare the two side \
             by side.",
            format_ms(one.others_p99_us),
            one.way.label()
        )));
    }
    if let ([blocked, slept, moved], true) = (&result.ways[..], all_three) {
        let (figures, verdict) = p99_note(result, blocked, slept, moved);
        notes.push(Note::Fact(figures));
        notes.push(Note::Conclusion(verdict));
    }
    if let Some(short) = result
        .ways
        .iter()
        .find(|w| w.events_searched < w.events_recorded)
    {
        notes.push(Note::Fact(format!(
            "With {} the search read only the first {} of {} events: a longer poll may \
             have come later.",
            short.way.label(),
            short.events_searched,
            short.events_recorded
        )));
    }
    notes
}

/// The three ways' p99s, and a verdict only where the numbers support one.
fn p99_note(
    result: &BlockingRuntimeResult,
    blocked: &WayRun,
    slept: &WayRun,
    moved: &WayRun,
) -> (String, String) {
    let work_us = u64::from(result.work_ms) * 1000;
    let work = format_ms(work_us);
    let yielding_p99 = slept.others_p99_us.max(moved.others_p99_us);
    let compare = format!(
        "The other clients' p99 round trip: {} with std::thread::sleep, {} with \
         tokio::time::sleep, {} with spawn_blocking.",
        format_ms(blocked.others_p99_us),
        format_ms(slept.others_p99_us),
        format_ms(moved.others_p99_us),
    );
    let (p99, yielding) = (blocked.others_p99_us, yielding_p99);
    let higher = p99 >= 2 * yielding && p99 - yielding >= CLEAR_US;
    let verdict = if higher && p99 - yielding >= work_us / 2 {
        "The blocking call alone raised it by about the work: requests that had nothing \
         to do with the slow one paid for it."
            .to_owned()
    } else if higher {
        format!(
            "The blocking call raised it by {}, less than the {work} of work: only some \
             requests were queued behind the blocked poll.",
            format_ms(p99 - yielding)
        )
    } else {
        let why = if result.workers > 1 {
            format!(
                " With {} workers the others kept serving; only what was queued on the \
                 blocked worker waited.",
                result.workers
            )
        } else {
            String::new()
        };
        format!(
            "The difference is within this run's noise, so it supports no conclusion \
             about the others' p99.{why}"
        )
    };
    (compare, verdict)
}

fn way_title(index: usize, way: BlockingWay) -> String {
    let code = match way {
        BlockingWay::ThreadSleep => "std::thread::sleep(D) in the handler",
        BlockingWay::TokioSleep => "tokio::time::sleep(D).await",
        BlockingWay::SpawnBlocking => "spawn_blocking(move || std::thread::sleep(D)).await",
    };
    format!("Part {index}: {code}")
}

#[component]
pub fn BlockingRuntimePage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::BlockingRuntime(r),
            ..
        } => Some(r.clone()),
        _ => None,
    };
    let explain = html! {
        <>
            <p>
                { "The echo server of section 4: an accept loop, a task per connection, C \
                   clients each sending M requests one after the other. One request, client \
                   0's middle one, is slow: its handler does D ms of work before it echoes. \
                   A worker thread runs one task's poll at a time, and a poll only ends at an " }
                <code>{ ".await" }</code>{ " that returns Pending." }
            </p>
            <p>
                <code>{ "std::thread::sleep" }</code>
                { " (or any blocking call, or long CPU work) inside an async handler has no \
                   such .await: the poll lasts D and its thread polls nothing else — other \
                   connections, timers, and on current_thread the reactor itself wait. " }
                <code>{ "tokio::time::sleep(D).await" }</code>
                { " returns Pending and lets the thread serve the others; " }
                <code>{ "spawn_blocking" }</code>
                { " moves blocking work to a separate pool of threads. With several workers, \
                   the others can steal queued tasks from a blocked worker, but not the one it \
                   was about to run next (its LIFO slot), so some requests still wait." }
            </p>
        </>
    };
    // The parts the run has (or, before its result, the ones its `way` knob asks for).
    let ways: Vec<BlockingWay> = match (&result, &props.run) {
        (Some(r), _) => r.ways.iter().map(|w| w.way).collect(),
        (None, RunState::Running { params, .. }) => ways_of(params.get("way").copied()),
        (None, _) => ways_of(props.values.get("way").copied()),
    };
    let parts = ways.iter().enumerate().map(|(i, way)| {
        let run = result.as_ref().and_then(|r| r.ways.get(i));
        html! {
            <section class="way-part" key={i} data-part={i.to_string()}>
                <h3>{ way_title(i, *way) }</h3>
                if let (Some(run), Some(r)) = (run, result.as_ref()) {
                    <WayTable way={run.clone()} work_ms={r.work_ms} part={i as u32} />
                    <LatencyPlots title="Other clients' round trips" sample="round trip" histogram={run.others_histogram.clone()} p50_us={run.others_p50_us} p99_us={run.others_p99_us} />
                }
                <Timeline recording_part={PartRef::new(id::BLOCKING_RUNTIME, i as u32)}
                    title={format!("Timeline of part {i}")} />
            </section>
        }
    });
    let notes = result.as_ref().map(what_to_notice).unwrap_or_default();
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            if !matches!(props.run, RunState::Idle) {
                <div id="blocking-runtime-result" class="result"
                    data-finished={result.is_some().to_string()}
                    data-work-ms={result.as_ref().map(|r| r.work_ms.to_string())}
                    data-clients={result.as_ref().map(|r| r.clients.to_string())}
                    data-workers={result.as_ref().map(|r| r.workers.to_string())}>
                    { for parts }
                    <WhatToNotice {notes} />
                </div>
            }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct WayTableProps {
    pub way: WayRun,
    pub work_ms: u32,
    pub part: u32,
}

/// One way's figures, with `data-*` attributes for the tests.
#[component]
pub fn WayTable(props: &WayTableProps) -> Html {
    let w = &props.way;
    let poll = &w.longest_poll;
    let held: Vec<String> = w.held_up.iter().map(|h| h.client.to_string()).collect();
    let held_max = w.held_up.iter().map(|h| h.round_trip_us).max().unwrap_or(0);
    let closure = w.blocking_work.as_ref();
    let rows: Vec<(&str, String)> = vec![
        ("the other clients' round trips", w.others_round_trips.to_string()),
        (
            "their p50 / p99 / max",
            format!(
                "{} / {} / {}",
                format_ms(w.others_p50_us),
                format_ms(w.others_p99_us),
                format_ms(w.others_max_us)
            ),
        ),
        ("the slow request's round trip", format_ms(w.slow_request_us)),
        ("longest poll on a worker", format_ms(poll.busy_us)),
        ("its task", poll_task(w)),
        ("its lane", poll.lane_label()),
        (
            "the blocking-pool closure",
            closure.map_or_else(
                || "—".to_owned(),
                |c| format!("{} on {}", format_ms(c.busy_us), c.lane_label()),
            ),
        ),
        (
            "round trips held up by the longest poll",
            // Any poll overlaps some round trips; only one that held its thread for about
            // the work held them up.
            if held_the_thread(w, u64::from(props.work_ms) * 1000) {
                held_up_text(w)
            } else {
                "none: the longest poll was under half the work".to_owned()
            },
        ),
        (
            "events recorded / searched / dropped",
            format!(
                "{} / {} / {}",
                w.events_recorded, w.events_searched, w.events_dropped
            ),
        ),
    ];
    html! {
        <table class="mode-table way-run" data-part={props.part.to_string()}
            data-way={serde_json::to_value(w.way).ok().and_then(|v| v.as_str().map(str::to_owned))}
            data-p50-us={w.others_p50_us.to_string()} data-p99-us={w.others_p99_us.to_string()}
            data-max-us={w.others_max_us.to_string()} data-slow-us={w.slow_request_us.to_string()}
            data-poll-us={poll.busy_us.to_string()} data-poll-task={poll.task.to_string()}
            data-poll-task-label={poll.task_label()} data-poll-lane={poll.lane_label()}
            data-poll-client={poll.client.map(|c| c.to_string())}
            data-held-up={held.join(",")} data-held-up-max-us={held_max.to_string()}
            data-blocking-us={closure.map(|c| c.busy_us.to_string())}
            data-blocking-lane={closure.map(|c| c.lane_label())}
            data-work-ms={props.work_ms.to_string()}>
            <tbody>
                { for rows.into_iter().map(|(label, value)| html! {
                    <tr><th scope="row">{ label }</th><td>{ value }</td></tr>
                }) }
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::results::{BlockingWork, HeldUp, LongPoll};

    use super::*;
    use crate::widgets::notice::shown;

    /// The notes as a quiet machine's page prints them.
    fn text(notes: &[Note]) -> String {
        shown(notes, false).join(" ")
    }

    fn way(way: BlockingWay, p99_us: u64, poll_us: u64, client: Option<u32>) -> WayRun {
        WayRun {
            way,
            others_round_trips: 60,
            others_p50_us: 60,
            others_p99_us: p99_us,
            others_max_us: p99_us,
            others_histogram: Default::default(),
            slow_request_us: 50_190,
            longest_poll: LongPoll {
                task: 7,
                task_name: "conn 127.0.0.1:41822".to_owned(),
                client,
                lane: 0,
                lane_name: "scenario-host".to_owned(),
                started_at_us: 4_000,
                busy_us: poll_us,
            },
            blocking_work: (way == BlockingWay::SpawnBlocking).then(|| BlockingWork {
                lane: 1,
                lane_name: "scenario-runtime".to_owned(),
                busy_us: 50_081,
            }),
            held_up: Vec::new(),
            events_recorded: 500,
            events_searched: 500,
            events_dropped: 0,
        }
    }

    fn held(client: u32, round_trip_us: u64) -> HeldUp {
        HeldUp {
            client,
            round_trip_us,
            during_us: 50_000,
        }
    }

    fn result(workers: u32, ways: Vec<WayRun>) -> BlockingRuntimeResult {
        BlockingRuntimeResult {
            workers,
            clients: 4,
            messages: 20,
            work_ms: 50,
            slow_message: 10,
            ways,
        }
    }

    #[test]
    fn the_notice_names_the_long_poll_the_clients_it_held_up_and_compares_the_p99s() {
        let mut blocked = way(BlockingWay::ThreadSleep, 50_170, 50_112, Some(0));
        blocked.held_up = vec![held(1, 50_170), held(2, 50_166), held(3, 50_161)];
        let r = result(
            0,
            vec![
                blocked,
                way(BlockingWay::TokioSleep, 310, 48, None),
                way(BlockingWay::SpawnBlocking, 295, 52, None),
            ],
        );
        let notes = text(&what_to_notice(&r));
        for figure in [
            "the longest poll was #7 conn 127.0.0.1:41822 (client 0's connection, the slow \
             request's) on scenario-host #0: 50.1 ms, for 50.0 ms of work",
            "It held up clients 1, 2 and 3 (up to 50.2 ms)",
            "The sleep itself ran for 50.1 ms on scenario-runtime #1",
            "50.2 ms with std::thread::sleep, 0.3 ms with tokio::time::sleep, 0.3 ms with \
             spawn_blocking",
            "The blocking call alone raised it",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("noise"), "{notes}");
        assert!(!notes.contains("kept from running"), "{notes}");
        // On a shared machine the p99s are still quoted; the verdict is not drawn.
        let shared = shown(&what_to_notice(&r), true).join(" ");
        assert!(shared.contains("50.2 ms with std::thread::sleep"), "{shared}");
        assert!(!shared.contains("raised it"), "{shared}");
    }

    #[test]
    fn close_p99s_are_called_noise_and_a_long_poll_in_a_yielding_way_is_explained() {
        let blocked = way(BlockingWay::ThreadSleep, 900, 50_112, Some(0));
        let r = result(
            2,
            vec![
                blocked,
                way(BlockingWay::TokioSleep, 700, 30_000, Some(2)),
                way(BlockingWay::SpawnBlocking, 650, 52, None),
            ],
        );
        let notes = text(&what_to_notice(&r));
        assert!(notes.contains("within this run's noise"), "{notes}");
        assert!(notes.contains("With 2 workers the others kept serving"), "{notes}");
        assert!(notes.contains("No other client's round trip waited through it"), "{notes}");
        assert!(notes.contains("(client 2's connection)"), "{notes}");
        assert!(notes.contains("kept from running"), "{notes}");
        assert!(!notes.contains("raised it"), "{notes}");
        assert!(what_to_notice(&result(0, vec![])).is_empty());
    }

    #[test]
    fn a_rise_smaller_than_the_work_is_said_as_such() {
        let r = result(
            2,
            vec![
                way(BlockingWay::ThreadSleep, 8_000, 50_112, Some(0)),
                way(BlockingWay::TokioSleep, 700, 30, None),
                way(BlockingWay::SpawnBlocking, 650, 52, None),
            ],
        );
        let notes = text(&what_to_notice(&r));
        assert!(notes.contains("raised it by 7.3 ms, less than the 50.0 ms"), "{notes}");
        assert!(!notes.contains("noise"), "{notes}");
    }

    #[test]
    fn a_missing_blocking_poll_or_a_partial_search_is_said() {
        let mut blocked = way(BlockingWay::ThreadSleep, 900, 1_200, None);
        blocked.events_searched = 400;
        let r = result(
            0,
            vec![
                blocked,
                way(BlockingWay::TokioSleep, 700, 30, None),
                way(BlockingWay::SpawnBlocking, 650, 52, None),
            ],
        );
        let notes = text(&what_to_notice(&r));
        assert!(notes.contains("does not show the blocking poll"), "{notes}");
        assert!(notes.contains("read only the first 400 of 500 events"), "{notes}");
    }

    #[test]
    fn a_run_of_one_way_gets_that_way_s_note_and_no_comparison() {
        let mut blocked = way(BlockingWay::ThreadSleep, 50_170, 50_112, Some(0));
        blocked.held_up = vec![held(2, 50_166)];
        let notes = text(&what_to_notice(&result(0, vec![blocked])));
        assert!(notes.contains("the longest poll was #7"), "{notes}");
        assert!(notes.contains("It held up client 2 (up to 50.2 ms)"), "{notes}");
        assert!(
            notes.contains("The other clients' p99 round trip was 50.2 ms with std::thread::sleep"),
            "{notes}"
        );
        assert!(!notes.contains("raised it") && !notes.contains("noise"), "{notes}");
        let slept = what_to_notice(&result(0, vec![way(BlockingWay::TokioSleep, 310, 48, None)]));
        assert!(slept[0].text().starts_with("With tokio::time::sleep the slow request still took"));
        assert!(slept[1].text().contains("0.3 ms with tokio::time::sleep"), "{slept:?}");
        assert!(!slept.iter().any(Note::is_conclusion), "{slept:?}");
        assert_eq!(ways_of(Some(1)), vec![BlockingWay::TokioSleep]);
        assert_eq!(ways_of(Some(3)), WAYS.to_vec());
    }

    #[test]
    fn client_lists_read_as_english() {
        assert_eq!(clients_list(&[]), "no client");
        assert_eq!(clients_list(&[2]), "client 2");
        assert_eq!(clients_list(&[1, 2]), "clients 1 and 2");
        assert_eq!(clients_list(&[1, 2, 3]), "clients 1, 2 and 3");
    }
}
