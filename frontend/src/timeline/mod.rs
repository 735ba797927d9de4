//! The timeline: what every task and every worker thread did, over time, drawn on a
//! canvas from the recorded events — and a cursor to step through them.
//!
//! One lane per worker and blocking thread (park periods shaded), one row per task (poll
//! bars coloured by outcome, await spans stacked underneath), wake arrows from whoever
//! called the waker (another task's row, or the reactor / timer / driver / thread rows) to
//! the woken task, a time axis, a legend, a tooltip, and a details panel. The learner can
//! zoom, pan, step one event back or forward, scrub, and replay.
//!
//! Layers, each pure Rust and unit-tested natively except the last two:
//! - [`model`]: the events folded into sorted tracks with prefix sums;
//! - [`buckets`]: level of detail — narrow items merge into count-carrying buckets, found
//!   by binary search, so a frame costs what is visible, not what was recorded;
//! - [`layout`]: the viewport (time ↔ pixels, zoom, pan) and the rows;
//! - [`gesture`]: pointer and touch input (drag, pinch, tap, double tap) as view changes;
//! - [`playback`]: the cursor (live-follow, step, scrub, play at a speed);
//! - [`scene`]: one frame as data (shapes grouped by paint) and its counts;
//! - [`palette`]: the colours of each theme (Okabe–Ito for outcomes and wakes) and the
//!   contrast checks;
//! - [`legend`]: the legend, with each paint's colour and second cue;
//! - [`details`]: sentences for events, tooltips, and a task's details;
//! - [`focus`]: the await point and task the current event is about, for the code panel;
//! - [`engine`]: all of the above for one timeline, and what each input does;
//! - [`draw`]: painting a scene on a canvas (thin);
//! - [`warnings`]: the part's diagnostics listed above the canvas, each a button that
//!   moves the playhead to its event;
//! - [`component`]: the Yew component `<Timeline recording_part=… />`, its frame loop and
//!   its DOM contract.

pub mod buckets;
pub mod component;
pub mod details;
pub mod draw;
pub mod engine;
pub mod focus;
pub mod gesture;
pub mod layout;
pub mod legend;
pub mod model;
pub mod palette;
pub mod playback;
pub mod scene;
pub mod warnings;

pub use component::{PartRef, Timeline, TimelineProps};
pub use focus::{CodeFocus, CodeFocusSink};
pub use warnings::FixOffers;
