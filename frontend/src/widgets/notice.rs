//! [`WhatToNotice`]: a page's "what to notice", one paragraph per [`Note`], and what it
//! does when the machine was shared while the run ran.
//!
//! A page builds its notes from the run's numbers; each note is either a [`Note::Fact`]
//! (what the run measured or did: a count, a delay it quotes, an outcome) or a
//! [`Note::Conclusion`] (a comparison or a cause read from timings: "concurrent was as
//! long as the slower fetch", "the longer the queue, the longer the wait"). A conclusion
//! is only as sound as the timings under it. When the run's [`RunLoad`] says the machine
//! was shared, the timings include waiting for a CPU, so the notice keeps the facts,
//! leaves the conclusions out, and says so ([`WITHHELD`]) — the Truth rule: where the
//! machine was shared, the page says so instead of drawing a conclusion.
//!
//! Whether the machine was shared comes from [`MachineShared`], which
//! [`DemoFrame`](super::DemoFrame) provides from the run the page shows; pages pass only
//! their notes. Renders its props and that context; no I/O.
//!
//! [`RunLoad`]: pollscope_shared::load::RunLoad

use pollscope_shared::load::RunLoad;
use yew::prelude::*;

/// One sentence (or a few) of a page's notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// What the run measured or did: true however busy the machine was.
    Fact(String),
    /// A conclusion drawn from the run's timings: left out when the machine was shared.
    Conclusion(String),
}

impl Note {
    /// The sentence as the page prints it.
    pub fn text(&self) -> &str {
        match self {
            Note::Fact(s) | Note::Conclusion(s) => s,
        }
    }

    pub fn is_conclusion(&self) -> bool {
        matches!(self, Note::Conclusion(_))
    }

    /// `data-kind` of its paragraph.
    fn kind(&self) -> &'static str {
        match self {
            Note::Fact(_) => "fact",
            Note::Conclusion(_) => "conclusion",
        }
    }
}

/// Said in place of the conclusions a shared machine's run cannot support.
pub const WITHHELD: &str = "The machine was shared while this run ran (see the figures \
     below the run), so its timings include time spent waiting for a CPU: this notice \
     gives what was measured and draws no conclusion from it. Run it again when the \
     machine is quiet to see what the timings show.";

/// The sentences a notice shows: every note when the machine was not shared; the facts
/// and then [`WITHHELD`] (if any conclusion was left out) when it was.
pub fn shown(notes: &[Note], shared: bool) -> Vec<String> {
    let mut out: Vec<String> = notes
        .iter()
        .filter(|n| !(shared && n.is_conclusion()))
        .map(|n| n.text().to_owned())
        .collect();
    if shared && notes.iter().any(Note::is_conclusion) {
        out.push(WITHHELD.to_owned());
    }
    out
}

/// Was the machine shared during the run the page shows? Provided by `DemoFrame`;
/// absent (not shared) outside one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MachineShared(pub bool);

impl MachineShared {
    /// From the load the server reported with a finished run (`None`: not reported).
    pub fn of(load: Option<&RunLoad>) -> Self {
        Self(load.is_some_and(RunLoad::shared_machine))
    }
}

#[derive(Properties, PartialEq)]
pub struct WhatToNoticeProps {
    pub notes: Vec<Note>,
}

/// `<div id="what-to-notice">`: a `<p class="note" data-kind="fact|conclusion">` per note
/// shown, and `<p class="note withheld" data-kind="withheld">` in place of the
/// conclusions left out. `data-shared` and `data-withheld` (how many were left out) let a
/// test know which notice it is reading. Nothing when there are no notes.
#[component]
pub fn WhatToNotice(props: &WhatToNoticeProps) -> Html {
    let MachineShared(shared) = use_context::<MachineShared>().unwrap_or_default();
    if props.notes.is_empty() {
        return html! {};
    }
    let withheld = props
        .notes
        .iter()
        .filter(|n| shared && n.is_conclusion())
        .count();
    let kept = props
        .notes
        .iter()
        .filter(|n| !(shared && n.is_conclusion()))
        .map(|n| html! { <p class="note" data-kind={n.kind()}>{ n.text() }</p> });
    html! {
        <div id="what-to-notice" class="notice" data-shared={shared.to_string()}
            data-withheld={withheld.to_string()}>
            { for kept }
            if withheld > 0 {
                <p class="note withheld" data-kind="withheld">{ WITHHELD }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::load::ThreadLoad;

    use super::*;

    fn notes() -> Vec<Note> {
        vec![
            Note::Fact("a took 3.0 ms.".into()),
            Note::Conclusion("So a was faster.".into()),
            Note::Fact("b took 4.0 ms.".into()),
        ]
    }

    #[test]
    fn a_quiet_machine_shows_every_note_in_order() {
        assert_eq!(
            shown(&notes(), false),
            ["a took 3.0 ms.", "So a was faster.", "b took 4.0 ms."]
        );
    }

    #[test]
    fn a_shared_machine_keeps_the_facts_and_says_why_the_rest_is_missing() {
        assert_eq!(
            shown(&notes(), true),
            ["a took 3.0 ms.", "b took 4.0 ms.", WITHHELD]
        );
        let facts = [Note::Fact("only this".into())];
        assert_eq!(shown(&facts, true), ["only this"]);
    }

    #[test]
    fn shared_follows_the_run_load() {
        assert_eq!(MachineShared::of(None), MachineShared(false));
        let quiet = RunLoad::default();
        assert_eq!(MachineShared::of(Some(&quiet)), MachineShared(false));
        let crowded = RunLoad {
            other_runs: 1,
            threads: None,
        };
        assert_eq!(MachineShared::of(Some(&crowded)), MachineShared(true));
        let descheduled = RunLoad {
            other_runs: 0,
            threads: Some(ThreadLoad {
                threads: 2,
                cpu_us: 10_000,
                run_queue_wait_us: 5_000,
                wall_us: 20_000,
            }),
        };
        assert_eq!(MachineShared::of(Some(&descheduled)), MachineShared(true));
    }
}
