//! [`part_timelines`]: one [`Timeline`] per recorded part of a run, titled, shown once the
//! page has a run (requested, running or finished) and not before.
//!
//! A plain function, not a component: it only arranges timelines, which are the components.
//! May use [`crate::timeline`] and [`crate::state`].

use yew::prelude::*;

use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};

/// The timelines of `scenario`'s parts, part `i` titled `titles[i]`; nothing while `run`
/// is idle (there is nothing recorded to draw yet).
pub fn part_timelines(scenario: &'static str, titles: &[&'static str], run: &RunState) -> Html {
    if matches!(run, RunState::Idle) {
        return Html::default();
    }
    let parts = (0u32..).zip(titles).map(|(part, title)| {
        html! { <Timeline recording_part={PartRef::new(scenario, part)} title={*title} /> }
    });
    html! { <div class="timelines">{ for parts }</div> }
}
