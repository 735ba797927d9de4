//! [`CopyLink`]: the link to this demo with its knobs, to copy and share.
//!
//! The button puts the link on the clipboard when the browser offers one
//! (`navigator.clipboard.writeText`, which needs a secure context and the page's focus).
//! The link is also always on the page, in a read-only box the learner can select and
//! copy by hand, and in the button's `data-link`, so a browser without clipboard access
//! (and a test) still gets it. The status line says which happened.
//!
//! DOM contract: `#copy-link` (button, `data-link`), `#share-link` (read-only input),
//! `#copy-link-status` (`data-copied="true"` once the clipboard took it).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyLinkProps {
    /// The absolute link: `http://host/demos/echo?clients=8&messages=200`.
    pub url: AttrValue,
}

/// What the last click did.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Not,
    Yes,
    /// No clipboard, or it refused: the box is selected for a manual copy.
    ByHand,
}

/// Write `text` to the clipboard, if the browser has one and lets the page use it.
async fn write_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = Reflect::get(&window.navigator(), &JsValue::from_str("clipboard"))
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null());
    let Some(clipboard) = clipboard else {
        return false;
    };
    let write = Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    let Some(write) = write else {
        return false;
    };
    match write.call1(&clipboard, &JsValue::from_str(text)) {
        Ok(promise) => match promise.dyn_into::<Promise>() {
            Ok(promise) => JsFuture::from(promise).await.is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

#[component]
pub fn CopyLink(props: &CopyLinkProps) -> Html {
    let copied = use_state(|| Copied::Not);
    let field = use_node_ref();
    // A new link (a knob moved) has not been copied yet.
    {
        let copied = copied.clone();
        use_effect_with(props.url.clone(), move |_| copied.set(Copied::Not));
    }
    let onclick = {
        let (copied, field, url) = (copied.clone(), field.clone(), props.url.clone());
        Callback::from(move |_: MouseEvent| {
            let (copied, field, url) = (copied.clone(), field.clone(), url.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if write_clipboard(&url).await {
                    copied.set(Copied::Yes);
                } else {
                    if let Some(input) = field.cast::<HtmlInputElement>() {
                        let _ = input.focus();
                        input.select();
                    }
                    copied.set(Copied::ByHand);
                }
            });
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    let status = match *copied {
        Copied::Not => "",
        Copied::Yes => "Copied.",
        Copied::ByHand => {
            "The browser gave no clipboard: the link is selected, copy it from the box."
        }
    };
    html! {
        <div class="copy-link">
            <button id="copy-link" type="button" data-link={props.url.clone()} {onclick}>
                { "Copy link" }
            </button>
            <input id="share-link" type="text" readonly=true value={props.url.clone()}
                ref={field} aria-label="Link to this demo with its knobs" onfocus={select_all} />
            <span id="copy-link-status" role="status"
                data-copied={(*copied == Copied::Yes).to_string()}>{ status }</span>
        </div>
    }
}
