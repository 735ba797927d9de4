//! The runs a demo page keeps and what the learner can do with them: list them, put two
//! side by side on one time scale, and read what changed between them.
//!
//! - [`compare`]: pure — knob changes and headline changes between two runs, in words;
//! - [`view`]: the Yew components `RunHistory` and `CompareView`.
//!
//! Uses [`crate::state`] (the kept runs), [`crate::recording`] and [`crate::timeline`];
//! no demo page.

pub mod compare;
pub mod view;

pub use view::{CompareView, RunHistory};
