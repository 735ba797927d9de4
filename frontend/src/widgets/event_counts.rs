//! [`EventCountsView`]: how much of a run's event stream arrived — events and batches
//! received, batches lost in transit, events the server's recorder dropped, events the
//! page counted but did not keep — so a page never shows undercounted numbers silently.
//!
//! [`EventCounts::of`] reads them from a [`PartRecording`]; the component only renders.

use yew::prelude::*;

use crate::recording::PartRecording;

/// How much of the run's event stream arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventCounts {
    pub run_id: u64,
    pub received: u64,
    pub batches: u64,
    /// Batches missing from the sequence (sent but never received).
    pub lost_batches: u64,
    /// Events the server's recorder had to drop (its buffer was full).
    pub dropped: u64,
    /// Events that broke the rules of a task's life: should stay 0.
    pub anomalies: u64,
    /// Events counted in the table but not kept for the timeline (the store is bounded).
    pub not_kept: u64,
}

impl EventCounts {
    pub fn of(recording: &PartRecording) -> Self {
        Self {
            run_id: recording.run_id,
            received: recording.events_received(),
            batches: recording.batches,
            lost_batches: recording.lost_batches(),
            dropped: recording.dropped_total,
            anomalies: recording.stats.anomalies,
            not_kept: recording.events_not_kept,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct EventCountsProps {
    pub counts: EventCounts,
}

/// How much of the event stream arrived, and what is missing from it.
#[component]
pub fn EventCountsView(props: &EventCountsProps) -> Html {
    let c = props.counts;
    html! {
        <div class="event-counts">
            <p id="event-count" data-events={c.received.to_string()}
                data-batches={c.batches.to_string()} data-lost-batches={c.lost_batches.to_string()}>
                { format!("{} events received in {} batches", c.received, c.batches) }
            </p>
            if c.lost_batches > 0 {
                <p id="event-gaps" class="warn" role="alert">
                    { format!("{} batch(es) lost in transit (gaps in their sequence numbers): \
                               the table misses the events they carried.", c.lost_batches) }
                </p>
            }
            <p id="events-dropped" data-dropped={c.dropped.to_string()}
                class={classes!((c.dropped > 0).then_some("warn"))}>
                { format!("{} events dropped by the recorder", c.dropped) }
                if c.dropped > 0 {
                    { " (its buffer was full; the numbers below undercount)" }
                }
            </p>
            if c.anomalies > 0 {
                <p class="warn">{ format!("{} events did not fit a task's life (anomalies)", c.anomalies) }</p>
            }
            if c.not_kept > 0 {
                <p id="events-not-kept" class="warn" data-not-kept={c.not_kept.to_string()}>
                    { format!("The page keeps the first {} events of a run for replay; {} more \
                               were counted in the table but not kept.",
                        crate::recording::MAX_KEPT_EVENTS, c.not_kept) }
                </p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{one_conn_events, recording_of};

    #[test]
    fn counts_what_arrived() {
        let r = recording_of(one_conn_events());
        assert_eq!(
            EventCounts::of(&r),
            EventCounts {
                run_id: 3,
                received: one_conn_events().len() as u64,
                batches: 1,
                lost_batches: 0,
                dropped: 0,
                anomalies: 0,
                not_kept: 0,
            }
        );
    }
}
