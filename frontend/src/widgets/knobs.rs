//! [`Knobs`]: one labelled slider and number box per parameter of a scenario, generated
//! from the parameter specs its descriptor carries. The component only renders and emits
//! `(name, value)`; the reducer clamps and stores the value.

use pollscope_shared::scenario::{ParamSpec, ParamValues};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KnobsProps {
    pub specs: Vec<ParamSpec>,
    pub values: ParamValues,
    #[prop_or_default]
    pub disabled: bool,
    pub on_change: Callback<(String, i64)>,
}

/// One labelled slider + number input per parameter. The number input has the id
/// `param-{name}`; its bounds and unit come from the descriptor.
#[component]
pub fn Knobs(props: &KnobsProps) -> Html {
    let knobs = props.specs.iter().map(|spec| {
        let value = props
            .values
            .get(&spec.name)
            .copied()
            .unwrap_or(spec.default);
        // The slider can only produce values inside its bounds: send each one live.
        let on_slide = {
            let (name, cb) = (spec.name.clone(), props.on_change.clone());
            Callback::from(move |e: InputEvent| {
                let input: HtmlInputElement = e.target_unchecked_into();
                if let Ok(v) = input.value().parse::<i64>() {
                    cb.emit((name.clone(), v));
                }
            })
        };
        // While typing, only in-range numbers are sent, so typing "50" is not clamped at
        // "5"; on Enter or blur the box commits, clamping whatever is there.
        let on_type = {
            let (spec, cb) = (spec.clone(), props.on_change.clone());
            Callback::from(move |e: InputEvent| {
                let input: HtmlInputElement = e.target_unchecked_into();
                if let Ok(v) = input.value().trim().parse::<i64>()
                    && spec.clamp(v) == v
                {
                    cb.emit((spec.name.clone(), v));
                }
            })
        };
        let on_commit = {
            let (spec, cb) = (spec.clone(), props.on_change.clone());
            Callback::from(move |e: Event| {
                let input: HtmlInputElement = e.target_unchecked_into();
                // An empty box is left alone (the slider still shows the value in use).
                let Ok(v) = input.value().trim().parse::<i64>() else {
                    return;
                };
                let clamped = spec.clamp(v);
                if clamped != v {
                    // Write the clamped value back: if it equals the current state there
                    // is no re-render that would replace the out-of-range entry.
                    input.set_value(&clamped.to_string());
                }
                cb.emit((spec.name.clone(), clamped));
            })
        };
        let id = format!("param-{}", spec.name);
        html! {
            <div class="knob" key={spec.name.clone()}>
                <label for={id.clone()}>{ &spec.label }</label>
                <input type="range" id={format!("{id}-slider")} aria-label={spec.label.clone()}
                    min={spec.min.to_string()} max={spec.max.to_string()} step="1"
                    value={value.to_string()} disabled={props.disabled} oninput={on_slide} />
                <input type="number" id={id.clone()} name={spec.name.clone()}
                    min={spec.min.to_string()} max={spec.max.to_string()} step="1"
                    value={value.to_string()} disabled={props.disabled}
                    oninput={on_type} onchange={on_commit} />
                // A knob that picks a variant names the one picked.
                if spec.choices.is_empty() {
                    <span class="unit">{ &spec.unit }</span>
                } else {
                    <span class="unit choice" id={format!("{id}-choice")}>
                        { spec.value_text(value) }
                    </span>
                }
                <span class="bounds">{ format!("{}–{} {}", spec.min, spec.max, spec.unit) }</span>
            </div>
        }
    });
    html! { <div class="knobs">{ for knobs }</div> }
}
