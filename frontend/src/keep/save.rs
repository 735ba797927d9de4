//! [`SaveRun`]: the Save button under a finished run. A click gathers the run (see
//! [`super::kept_run`]), encodes it, and downloads it: a `blob:` URL on an
//! `<a download>` that is clicked once and stays on the page ("save again").

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};
use yew::prelude::*;

use crate::recording::RecordingStore;
use crate::state::{PastRun, RunState};

use pollscope_shared::scenario::ScenarioDescriptor;

#[derive(Properties, PartialEq)]
pub struct SaveRunProps {
    pub descriptor: ScenarioDescriptor,
    pub run: RunState,
    pub history: Vec<PastRun>,
}

/// A saved file, as a download link.
#[derive(Clone, PartialEq)]
struct Saved {
    run_id: u64,
    url: String,
    name: String,
    bytes: usize,
    events: u64,
}

/// The file name a run is saved under.
pub fn file_name(scenario: &str, run_id: u64) -> String {
    format!("pollscope-{scenario}-run-{run_id}.pollscope")
}

fn blob_url(bytes: &[u8], mime: &str) -> Result<String, JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    Url::create_object_url_with_blob(&blob)
}

/// A download of `bytes`: a `blob:` URL the caller revokes when it is replaced.
pub fn download_url(bytes: &[u8], mime: &str) -> Result<String, String> {
    blob_url(bytes, mime).map_err(|e| format!("the browser refused the download: {e:?}"))
}

#[component]
pub fn SaveRun(props: &SaveRunProps) -> Html {
    let store = use_context::<RecordingStore>().expect("inside the recordings provider");
    let saved = use_state(|| None::<Saved>);
    let error = use_state(|| None::<String>);
    let link = use_node_ref();
    // A new file is downloaded once, as soon as its link is on the page.
    {
        let link = link.clone();
        use_effect_with((*saved).clone(), move |saved| {
            if saved.is_some()
                && let Some(a) = link.cast::<HtmlAnchorElement>()
            {
                a.click();
            }
            let url = saved.as_ref().map(|s| s.url.clone());
            move || {
                if let Some(url) = url {
                    let _ = Url::revoke_object_url(&url);
                }
            }
        });
    }
    let RunState::Finished { run_id, load, .. } = &props.run else {
        return html! {};
    };
    let Some(past) = props.history.iter().find(|p| p.run_id == *run_id).cloned() else {
        return html! {};
    };
    let onclick = {
        let (store, saved, error) = (store.clone(), saved.clone(), error.clone());
        let (descriptor, load) = (props.descriptor.clone(), load.clone());
        Callback::from(move |_: MouseEvent| {
            let kept = {
                let recordings = store.borrow();
                super::kept_run(
                    &descriptor,
                    &past,
                    load.as_ref(),
                    recordings.run(past.run_id),
                )
            };
            let kept = match kept {
                Ok(kept) => kept,
                Err(why) => return error.set(Some(format!("This run cannot be saved: {why}."))),
            };
            let bytes = kept.encode();
            match download_url(&bytes, "application/octet-stream") {
                Ok(url) => {
                    error.set(None);
                    saved.set(Some(Saved {
                        run_id: past.run_id,
                        url,
                        name: file_name(&descriptor.id, past.run_id),
                        bytes: bytes.len(),
                        events: kept.events(),
                    }));
                }
                Err(why) => error.set(Some(why)),
            }
        })
    };
    let saved = (*saved).clone().filter(|s| s.run_id == *run_id);
    html! {
        <div class="keep">
            <button id="save-run" {onclick}
                title="Download this run — result, knobs and every recorded event — to open it again later, without a server">
                { "Save run" }
            </button>
            if let Some(saved) = saved {
                <a id="saved-run" ref={link} href={saved.url.clone()} download={saved.name.clone()}
                    data-bytes={saved.bytes.to_string()} data-events={saved.events.to_string()}>
                    { format!("{} ({} bytes, {} events)", saved.name, saved.bytes, saved.events) }
                </a>
            }
            if let Some(why) = &*error {
                <p id="save-error" class="error" role="alert">{ why }</p>
            }
        </div>
    }
}
