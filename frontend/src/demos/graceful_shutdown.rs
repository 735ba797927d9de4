//! Outline section 8 — patterns: graceful shutdown.
//!
//! The server ran a loopback request/reply server with clients sending it requests
//! without a break, cancelled its shutdown token mid-run, and counted what became of the
//! connections and requests: refused, drained before the deadline, aborted at it. The
//! page shows those counts (whose they are: the server's or the clients'), the time from
//! the signal to the last task's end, the run's timeline, and a notice computed from them.

use pollscope_shared::results::{GracefulShutdownResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::{part_timelines, DemoFrame, DemoProps, Note, WhatToNotice, format_ms};

impl DemoPage for GracefulShutdownPage {
    const ID: &'static str = id::GRACEFUL_SHUTDOWN;
}

/// What this run's numbers show, sentence by sentence. The counts are facts (exact
/// however busy the machine was); what set the shutdown's length is read from a timing,
/// so it is a conclusion, and "the deadline set it" is said only when the shutdown ended
/// within one request time after the deadline.
pub fn what_to_notice(r: &GracefulShutdownResult) -> Vec<Note> {
    let mut notes = vec![Note::Fact(format!(
        "{} clients sent requests of {}–{} ms without a break; {} were answered before the \
         signal, which fired {} after they started (asked: {} ms). At the signal {} \
         connection(s) were open and {} request(s) in flight.",
        r.clients,
        r.request_ms,
        r.request_ms * 4,
        r.requests_before_signal,
        format_ms(r.signal_at_us),
        r.signal_after_ms,
        r.connections_at_signal,
        r.in_flight_at_signal,
    ))];
    notes.push(Note::Fact(format!(
        "The server dropped its listener at once: the clients' {} connection attempt(s) \
         after the signal were refused, and {} request(s) they had sent were cut off by a \
         closed or reset connection.",
        r.connects_refused, r.requests_cut,
    )));
    let ended = if r.drained_in_time {
        "every connection task had ended before the deadline".to_owned()
    } else {
        format!(
            "{} connection task(s) were still running at the deadline and were aborted",
            r.connections_aborted
        )
    };
    notes.push(Note::Fact(format!(
        "Of the {} in flight, {} finished within the {} ms drain deadline and {} were \
         aborted; {ended}. From the signal to the last task's end: {}.",
        r.in_flight_at_signal,
        r.requests_drained,
        r.drain_deadline_ms,
        r.requests_aborted,
        format_ms(r.signal_to_last_task_us),
    )));
    notes.push(Note::Conclusion(verdict(r)));
    notes
}

/// What set how long the shutdown took: the deadline (requests were aborted at it), the
/// slowest request in flight (all drained), or nothing (none in flight).
fn verdict(r: &GracefulShutdownResult) -> String {
    let took = format_ms(r.signal_to_last_task_us);
    let deadline_us = u64::from(r.drain_deadline_ms) * 1000;
    let request_us = u64::from(r.request_ms) * 1000;
    if r.requests_aborted > 0 {
        if r.signal_to_last_task_us < deadline_us + request_us {
            format!(
                "The deadline, not the requests, set how long shutdown took: {took} for a {} \
                 ms deadline. The {} request(s) still running then would have needed longer; \
                 they were dropped at their .await, and their clients got no reply.",
                r.drain_deadline_ms, r.requests_aborted
            )
        } else {
            format!(
                "Shutdown took {took}, more than one {} ms request past the {} ms deadline: \
                 the abort itself was slow to run, so this run does not show what the \
                 deadline bounds. Run it again.",
                r.request_ms, r.drain_deadline_ms
            )
        }
    } else if r.in_flight_at_signal == 0 {
        format!(
            "No request was in flight at the signal, so there was nothing to drain: the \
             server's tasks ended {took} after it."
        )
    } else if r.drained_in_time {
        format!(
            "Every request in flight finished before the deadline, so shutdown lasted as \
             long as the slowest of them: {took}, within the {} ms deadline, and nothing \
             was aborted.",
            r.drain_deadline_ms
        )
    } else {
        format!(
            "Every request in flight finished, but {} connection task(s) between requests \
             had not yet ended when the {} ms deadline passed; aborting them cut no request.",
            r.connections_aborted, r.drain_deadline_ms
        )
    }
}

#[component]
pub fn GracefulShutdownPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::GracefulShutdown(r),
            ..
        } => html! { <GracefulShutdownResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "A server told to stop (ctrl-c, a deploy, an orchestrator's SIGTERM) should \
                   stop taking new work, let the work it has finish, and not wait forever. \
                   Here the signal is a " }<code>{ "CancellationToken" }</code>
                { " — the one a " }<code>{ "tokio::signal::ctrl_c()" }</code>
                { " handler would cancel — and the server watches it in its accept loop and \
                   in every connection between requests." }
            </p>
            <p>
                { "When it fires, the server drops its listener (new connects are refused), \
                   gives the requests in flight until a drain deadline, then calls " }
                <code>{ "JoinSet::abort_all" }</code>
                { " on the connection tasks still running, which drops each at the " }
                <code>{ ".await" }</code>
                { " it was parked on. Clients keep sending the whole time and count what they \
                   see: replies, requests cut off, refused connects." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::GRACEFUL_SHUTDOWN, &[
                "The server and its clients",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct GracefulShutdownResultProps {
    pub result: GracefulShutdownResult,
}

#[component]
pub fn GracefulShutdownResultView(props: &GracefulShutdownResultProps) -> Html {
    let r = &props.result;
    // (what, counted by, value)
    let rows: [(&str, &str, String); 13] = [
        ("signal fired after", "main task", format_ms(r.signal_at_us)),
        ("connections accepted", "server", r.connections_accepted.to_string()),
        ("requests answered before the signal", "server", r.requests_before_signal.to_string()),
        ("connections open at the signal", "server", r.connections_at_signal.to_string()),
        ("requests in flight at the signal", "server", r.in_flight_at_signal.to_string()),
        ("… drained before the deadline", "server", r.requests_drained.to_string()),
        ("… aborted at the deadline", "server", r.requests_aborted.to_string()),
        ("connection tasks aborted", "server", r.connections_aborted.to_string()),
        ("signal → last task finished", "server", format_ms(r.signal_to_last_task_us)),
        ("replies received", "clients", r.replies_received.to_string()),
        ("requests cut off (closed or reset)", "clients", r.requests_cut.to_string()),
        ("connects refused after the signal", "clients", r.connects_refused.to_string()),
        ("events dropped", "recorder", r.events_dropped.to_string()),
    ];
    let rows = rows.iter().map(|(what, by, value)| {
        html! {
            <tr>
                <th scope="row">{ *what }</th>
                <td>{ value.clone() }</td>
                <td class="counted-by">{ *by }</td>
            </tr>
        }
    });
    let notes = what_to_notice(r);
    html! {
        <section id="graceful-shutdown-result" class="result"
            data-clients={r.clients.to_string()}
            data-request-ms={r.request_ms.to_string()}
            data-signal-after-ms={r.signal_after_ms.to_string()}
            data-signal-at-us={r.signal_at_us.to_string()}
            data-drain-ms={r.drain_deadline_ms.to_string()}
            data-accepted={r.connections_accepted.to_string()}
            data-open-at-signal={r.connections_at_signal.to_string()}
            data-before={r.requests_before_signal.to_string()}
            data-in-flight={r.in_flight_at_signal.to_string()}
            data-drained={r.requests_drained.to_string()}
            data-aborted={r.requests_aborted.to_string()}
            data-connections-aborted={r.connections_aborted.to_string()}
            data-drained-in-time={r.drained_in_time.to_string()}
            data-signal-to-last-us={r.signal_to_last_task_us.to_string()}
            data-replies={r.replies_received.to_string()}
            data-cut={r.requests_cut.to_string()}
            data-refused={r.connects_refused.to_string()}>
            <table class="mode-table">
                <thead><tr><th></th><th scope="col">{ "measured" }</th><th scope="col">{ "counted by" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    /// The run the golden file pins: 8 clients, 20 ms requests, the signal at 250 ms, a
    /// 40 ms deadline.
    fn aborted() -> GracefulShutdownResult {
        GracefulShutdownResult {
            clients: 8,
            request_ms: 20,
            signal_after_ms: 250,
            signal_at_us: 250_412,
            drain_deadline_ms: 40,
            connections_accepted: 8,
            connections_at_signal: 8,
            requests_before_signal: 48,
            in_flight_at_signal: 8,
            requests_drained: 4,
            requests_aborted: 4,
            connections_aborted: 4,
            drained_in_time: false,
            signal_to_last_task_us: 41_629,
            replies_received: 52,
            requests_cut: 8,
            connects_refused: 24,
            events_dropped: 0,
        }
    }

    fn drained() -> GracefulShutdownResult {
        GracefulShutdownResult {
            drain_deadline_ms: 200,
            requests_drained: 8,
            requests_aborted: 0,
            connections_aborted: 0,
            drained_in_time: true,
            signal_to_last_task_us: 61_200,
            replies_received: 56,
            ..aborted()
        }
    }

    fn text(r: &GracefulShutdownResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    #[test]
    fn the_notice_quotes_the_counts_as_the_table_shows_them() {
        let notes = text(&aborted());
        for figure in [
            "8 clients sent requests of 20–80 ms without a break; 48 were answered before the signal, which fired 250.4 ms after they started (asked: 250 ms)",
            "8 connection(s) were open and 8 request(s) in flight",
            "24 connection attempt(s) after the signal were refused, and 8 request(s)",
            "4 finished within the 40 ms drain deadline and 4 were aborted",
            "4 connection task(s) were still running at the deadline",
            "From the signal to the last task's end: 41.6 ms.",
            "The deadline, not the requests, set how long shutdown took: 41.6 ms for a 40 ms deadline",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
    }

    #[test]
    fn a_long_enough_deadline_drains_everything_and_the_slowest_request_sets_the_time() {
        let notes = text(&drained());
        assert!(notes.contains("8 finished within the 200 ms drain deadline and 0 were aborted; every connection task had ended before the deadline"), "{notes}");
        assert!(notes.contains("as long as the slowest of them: 61.2 ms, within the 200 ms deadline"), "{notes}");
        assert!(!notes.contains("The deadline, not the requests"), "{notes}");
    }

    #[test]
    fn a_slow_abort_or_nothing_in_flight_is_said_as_such() {
        let mut slow = aborted();
        slow.signal_to_last_task_us = 75_000;
        let notes = text(&slow);
        assert!(notes.contains("Shutdown took 75.0 ms, more than one 20 ms request past the 40 ms deadline"), "{notes}");
        assert!(!notes.contains("set how long"), "{notes}");

        let mut idle = drained();
        idle.in_flight_at_signal = 0;
        idle.requests_drained = 0;
        assert!(text(&idle).contains("No request was in flight at the signal"));

        let mut idle_aborted = drained();
        idle_aborted.drained_in_time = false;
        idle_aborted.connections_aborted = 2;
        assert!(text(&idle_aborted).contains("2 connection task(s) between requests had not yet ended"));
    }

    #[test]
    fn a_shared_machine_keeps_the_counts_and_withholds_the_reading() {
        let shared = shown(&what_to_notice(&aborted()), true);
        assert_eq!(shared.len(), 4, "{shared:?}");
        assert!(shared[0].starts_with("8 clients sent requests"));
        assert!(shared[2].starts_with("Of the 8 in flight"));
        assert_eq!(shared[3], WITHHELD);
    }
}
