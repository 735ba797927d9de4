//! What demo pages share: the props every page takes, the frame of a server demo, its
//! knobs and run panel, the live progress list, the views of a recorded run (task table,
//! lanes, event counts), and the number formatting they all print with.
//!
//! Widgets render their props and `emit` callbacks; none of them knows which demo it is
//! on. They may use [`crate::state`] (the run's state) and [`crate::recording`] (the
//! recorded events), never a page in [`crate::demos`].
//!
//! Layout:
//! - [`props`]: [`DemoProps`], what the registry hands every page.
//! - [`demo_frame`]: [`DemoFrame`], the shape of a server demo page (explanation, the
//!   code that ran, the run panel, then the page's own results).
//! - [`run_panel`]: [`RunPanel`], the knobs, Run/Cancel, status and errors of a run.
//! - [`code_panel`]: [`CodePanel`], the code that ran, numbered and highlighted, the
//!   current event's lines lit.
//! - [`highlight`]: the Rust tokenizer the code panel colours with.
//! - [`run_load`]: [`RunLoadView`], under a finished run: was the machine shared.
//! - [`notice`]: [`WhatToNotice`], a page's notes; conclusions left out on a shared
//!   machine.
//! - [`knobs`]: [`Knobs`], one slider and number box per scenario parameter.
//! - [`copy_link`]: [`CopyLink`], the link to a demo with its knobs, to copy.
//! - [`progress`]: [`ProgressView`], the server's progress events of a running run.
//! - [`part_timelines`]: [`part_timelines`], a titled timeline per recorded part.
//! - [`progress`]: [`ProgressView`], the server's progress events of a running run and a
//!   bar of its elapsed time against the run time limit.
//! - [`task_table`]: [`TaskTable`], one row per task of a recorded run.
//! - [`lanes`]: [`LanesView`], the runtime's threads and their parks.
//! - [`event_counts`]: [`EventCountsView`], how much of a run's event stream arrived.
//! - [`figure_table`]: the rows of a table that compares a run's parts, figure by figure.
//! - [`numbers`]: durations, percentages and counts as the pages print them.
//! - [`plot`]: inline SVG plots of a run's numbers (latency histogram and CDF, a figure
//!   against a count).
//! - [`retries`]: how the retry pages word a retry's attempts.

pub mod code_panel;
pub mod copy_link;
pub mod demo_frame;
pub mod event_counts;
pub mod figure_table;
pub mod highlight;
pub mod knobs;
pub mod lanes;
pub mod notice;
pub mod numbers;
pub mod part_timelines;
pub mod plot;
pub mod progress;
pub mod props;
pub mod retries;
pub mod run_load;
pub mod run_panel;
pub mod task_table;

pub use code_panel::{CodePanel, CodePanelProps};
pub use copy_link::{CopyLink, CopyLinkProps};
pub use demo_frame::{DemoFrame, DemoFrameProps};
pub use event_counts::{EventCounts, EventCountsProps, EventCountsView};
pub use figure_table::{Figure, figure_rows, scaled_bars};
pub use knobs::{Knobs, KnobsProps};
pub use lanes::{LaneRow, LanesProps, LanesView, lane_rows};
pub use notice::{MachineShared, Note, WhatToNotice, WhatToNoticeProps};
pub use numbers::{format_ms, format_ns_ms, percent, times};
pub use part_timelines::part_timelines;
pub use plot::{FirstPollPlots, LatencyPlots, LinePlot, Series};
pub use progress::{ProgressProps, ProgressView, describe_event};
pub use props::{DemoProps, FixRequest};
pub use run_load::{RunLoadProps, RunLoadView};
pub use run_panel::RunPanel;
pub use task_table::{TaskRow, TaskTable, TaskTableProps, state_attr, task_rows};
