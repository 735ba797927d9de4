//! The "predict, then run" panel: before a run, a box per headline number of the demo to
//! type a guess in; after it, the guesses beside what was measured, with the error.
//!
//! The figures offered are the headlines of the page's latest finished run (the first run
//! shows what a demo measures; guesses are for the runs after it, typically with a knob
//! changed). DOM contract (for tests): `#guess-panel` with `input.guess[data-key]` per
//! headline; `#guess-result[data-run-id]` with `tr.guess-row[data-key][data-guess]
//! [data-measured]` (values in the headline's unit) and a `.guess-notice` sentence each.
//!
//! Uses [`super::predict`] and the kept runs; knows no demo.

use pollscope_shared::results::Headline;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::predict::{check, input_unit, parse_guess};
use crate::state::{Guesses, PastRun};

#[derive(Properties, PartialEq)]
pub struct GuessPanelProps {
    /// The figures to guess: the latest run's headlines.
    pub headlines: Vec<Headline>,
    /// The latest finished run: a new one empties the boxes.
    pub after_run: u64,
    pub guesses: Guesses,
    pub disabled: bool,
    /// (headline key, guess or none).
    pub on_guess: Callback<(String, Option<u64>)>,
}

#[component]
pub fn GuessPanel(props: &GuessPanelProps) -> Html {
    if props.headlines.is_empty() {
        return Html::default();
    }
    let boxes = props.headlines.iter().map(|h| {
        let oninput = {
            let (on_guess, key, unit) = (props.on_guess.clone(), h.key.clone(), h.unit);
            Callback::from(move |e: InputEvent| {
                let input: HtmlInputElement = e.target_unchecked_into();
                on_guess.emit((key.clone(), parse_guess(unit, &input.value())));
            })
        };
        let guessed = props.guesses.contains_key(&h.key);
        html! {
            <label class="guess-box" key={format!("{}-{}", props.after_run, h.key)}>
                <span class="guess-label">{ &h.label }</span>
                <input type="number" class="guess" data-key={h.key.clone()} min="0" step="any"
                    data-guessed={guessed.to_string()} disabled={props.disabled} {oninput} />
                <span class="unit">{ input_unit(h.unit) }</span>
            </label>
        }
    });
    html! {
        <details id="guess-panel" class="guess-panel">
            <summary>{ "Predict, then run (optional): guess the next run's numbers" }</summary>
            <div class="guess-boxes">{ for boxes }</div>
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct GuessResultProps {
    pub run: PastRun,
}

#[component]
pub fn GuessResult(props: &GuessResultProps) -> Html {
    let checked = check(&props.run.guesses, &props.run.result.headlines());
    if checked.is_empty() {
        return Html::default();
    }
    let rows = checked.iter().map(|c| {
        html! {
            <tr class="guess-row" data-key={c.key.clone()} data-guess={c.guess.to_string()}
                data-measured={c.measured.to_string()}>
                <th scope="row">{ &c.label }</th><td>{ c.guess_text() }</td>
                <td>{ c.measured_text() }</td><td>{ c.error_text() }</td>
            </tr>
        }
    });
    html! {
        <section id="guess-result" class="guess-result" data-run-id={props.run.run_id.to_string()}>
            <table class="mode-table">
                <thead><tr>
                    <th></th><th>{ "your guess" }</th><th>{ "measured" }</th><th>{ "error" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <div class="guess-notice notice">
                { for checked.iter().map(|c| html! { <p>{ c.sentence() }</p> }) }
            </div>
        </section>
    }
}
