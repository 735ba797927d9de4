//! The run's own `tracing` log lines, kept without touching the global subscriber.
//!
//! [`LogCapture`] is a `tracing_subscriber` layer that keeps each event's time, level and
//! message (its other fields after it, as `name=value`) in a bounded list, counting the
//! lines it had no room for. [`LogCapture::dispatch`] makes a dispatcher of it; the
//! workload's futures are wrapped with `WithSubscriber::with_subscriber(dispatch)`, which
//! makes it the default dispatcher only while they are polled. The server's own log, and
//! every other run, never see these lines, and this run never sees theirs.
//!
//! Times are on the part's recorder clock, so they line up with the timeline.
//!
//! Uses `tracing`, `tracing-subscriber` and the recorder's clock.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use pollscope_shared::instrument::Recorder;
use pollscope_shared::results::{LogLevel, LogLine};
use tracing::field::{Field, Visit};
use tracing::{Dispatch, Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The lines kept so far, shared by the layer and the scenario.
#[derive(Clone)]
pub struct LogCapture {
    inner: Arc<Inner>,
}

struct Inner {
    capacity: usize,
    clock: OnceLock<Recorder>,
    lines: Mutex<Lines>,
}

#[derive(Default)]
struct Lines {
    kept: Vec<LogLine>,
    dropped: u64,
}

impl LogCapture {
    /// Keep at most `capacity` lines.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                capacity,
                clock: OnceLock::new(),
                lines: Mutex::default(),
            }),
        }
    }

    /// Time lines on `recorder`'s clock from now on (lines before it read 0).
    pub fn set_clock(&self, recorder: &Recorder) {
        let _ = self.inner.clock.set(recorder.clone());
    }

    /// A dispatcher that sends every event to this capture and nowhere else.
    pub fn dispatch(&self) -> Dispatch {
        Dispatch::new(tracing_subscriber::registry().with(self.clone()))
    }

    /// The lines kept, and how many were dropped.
    pub fn take(&self) -> (Vec<LogLine>, u64) {
        let mut lines = self.lock();
        (std::mem::take(&mut lines.kept), lines.dropped)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lines> {
        self.inner.lines.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: Subscriber> Layer<S> for LogCapture {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let t_us = self.inner.clock.get().map_or(0, |r| r.now_ns() / 1000);
        let mut lines = self.lock();
        if lines.kept.len() >= self.inner.capacity {
            lines.dropped += 1;
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        lines.kept.push(LogLine {
            t_us,
            level: level(*event.metadata().level()),
            message: text.finish(),
        });
    }
}

fn level(level: Level) -> LogLevel {
    match level {
        Level::TRACE => LogLevel::Trace,
        Level::DEBUG => LogLevel::Debug,
        Level::INFO => LogLevel::Info,
        Level::WARN => LogLevel::Warn,
        Level::ERROR => LogLevel::Error,
    }
}

/// An event's fields as one line: the message, then `name=value` for the others.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Text {
    fn finish(self) -> String {
        match (self.message.is_empty(), self.fields.is_empty()) {
            (_, true) => self.message,
            (true, false) => self.fields,
            (false, false) => format!("{} {}", self.message, self.fields),
        }
    }
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            if !self.fields.is_empty() {
                self.fields.push(' ');
            }
            let _ = write!(self.fields, "{}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing::instrument::WithSubscriber;

    use super::*;

    #[test]
    fn keeps_its_own_futures_lines_up_to_its_capacity_and_counts_the_rest() {
        let capture = LogCapture::new(2);
        let logged = async {
            tracing::info!(task = 3, "started");
            tracing::debug!("round done");
            tracing::warn!("one too many");
        }
        .with_subscriber(capture.dispatch());
        futures_util::FutureExt::now_or_never(logged).unwrap();
        // Outside the wrapped future, nothing reaches the capture.
        tracing::error!("not this one");
        let (lines, dropped) = capture.take();
        let got: Vec<(LogLevel, &str)> =
            lines.iter().map(|l| (l.level, l.message.as_str())).collect();
        assert_eq!(
            got,
            [(LogLevel::Info, "started task=3"), (LogLevel::Debug, "round done")]
        );
        assert_eq!(dropped, 1);
    }
}
