//! The runs a demo page keeps and what the learner can do with them: list them, put two
//! side by side on one time scale, and read what changed between them.
//!
//! - [`compare`]: pure — knob changes and headline changes between two runs, in words;
//! - [`label`]: pure — a run's name as the page shows it (opened runs by their order);
//! - [`predict`]: pure — a typed guess of a headline number, and the guess checked
//!   against what was measured;
//! - [`view`]: the Yew components `RunHistory` and `CompareView`;
//! - [`guess_view`]: the Yew components `GuessPanel` and `GuessResult`.
//!
//! Uses [`crate::state`] (the kept runs), [`crate::recording`] and [`crate::timeline`];
//! no demo page.

pub mod compare;
pub mod guess_view;
pub mod label;
pub mod predict;
pub mod view;

pub use guess_view::{GuessPanel, GuessResult};
pub use label::{run_name, run_title};
pub use view::{CompareView, RunHistory};
