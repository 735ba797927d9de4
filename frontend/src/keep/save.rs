//! [`SaveRun`]: the Save and Export buttons under a finished run. Save gathers the run
//! (see [`super::kept_run`]) and encodes it; Export writes it as a Perfetto trace (see
//! [`super::perfetto`]). Either is downloaded through a `blob:` URL on an `<a download>`
//! ([`DownloadLink`]) that is clicked once and stays on the page (download again).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};
use yew::prelude::*;

use super::perfetto::{TraceCounts, trace_json};
use crate::recording::RecordingStore;
use crate::state::{PastRun, RunState};

use pollscope_shared::scenario::ScenarioDescriptor;

/// A file made for download.
#[derive(Clone, PartialEq)]
pub struct Download {
    pub run_id: u64,
    pub url: String,
    pub name: String,
    pub bytes: usize,
    /// Events of the recording it holds.
    pub events: u64,
    /// For a trace: what it holds.
    pub trace: Option<TraceCounts>,
}

/// The file name a run is saved under.
pub fn file_name(scenario: &str, run_id: u64) -> String {
    format!("pollscope-{scenario}-run-{run_id}.pollscope")
}

/// The file name a run's trace is exported under.
pub fn trace_name(scenario: &str, run_id: u64) -> String {
    format!("pollscope-{scenario}-run-{run_id}.trace.json")
}

fn blob_url(bytes: &[u8], mime: &str) -> Result<String, JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    Url::create_object_url_with_blob(&blob)
}

/// A download of `bytes`: a `blob:` URL, revoked by the [`DownloadLink`] that shows it.
pub fn download_url(bytes: &[u8], mime: &str) -> Result<String, String> {
    blob_url(bytes, mime).map_err(|e| format!("the browser refused the download: {e:?}"))
}

#[derive(Properties, PartialEq)]
pub struct DownloadLinkProps {
    pub id: AttrValue,
    pub download: Download,
}

/// The link of a file made for download: clicked once when it appears, its URL revoked
/// when it is replaced or leaves the page.
#[component]
pub fn DownloadLink(props: &DownloadLinkProps) -> Html {
    let link = use_node_ref();
    {
        let link = link.clone();
        use_effect_with(props.download.url.clone(), move |url| {
            if let Some(a) = link.cast::<HtmlAnchorElement>() {
                a.click();
            }
            let url = url.clone();
            move || {
                let _ = Url::revoke_object_url(&url);
            }
        });
    }
    let d = &props.download;
    let trace = d.trace.clone().unwrap_or_default();
    html! {
        <a id={props.id.clone()} ref={link} href={d.url.clone()} download={d.name.clone()}
            data-bytes={d.bytes.to_string()} data-events={d.events.to_string()}
            data-task-polls={trace.task_polls.to_string()} data-lane-polls={trace.lane_polls.to_string()}
            data-wakes={trace.wakes.to_string()} data-wake-flows={trace.wake_flows.to_string()}
            data-parks={trace.parks.to_string()} data-awaits={trace.awaits.to_string()}>
            { format!("{} ({} bytes, {} events)", d.name, d.bytes, d.events) }
        </a>
    }
}

#[derive(Properties, PartialEq)]
pub struct SaveRunProps {
    pub descriptor: ScenarioDescriptor,
    pub run: RunState,
    pub history: Vec<PastRun>,
}

#[component]
pub fn SaveRun(props: &SaveRunProps) -> Html {
    let store = use_context::<RecordingStore>();
    let saved = use_state(|| None::<Download>);
    let exported = use_state(|| None::<Download>);
    let error = use_state(|| None::<String>);
    // Without the recordings (a panel rendered on its own) there is nothing to save.
    let Some(store) = store else {
        return html! {};
    };
    let RunState::Finished { run_id, load, .. } = &props.run else {
        return html! {};
    };
    let Some(past) = props.history.iter().find(|p| p.run_id == *run_id).cloned() else {
        return html! {};
    };
    let on_save = {
        let (store, saved, error) = (store.clone(), saved.clone(), error.clone());
        let (descriptor, load, past) = (props.descriptor.clone(), load.clone(), past.clone());
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
                    saved.set(Some(Download {
                        run_id: past.run_id,
                        url,
                        name: file_name(&descriptor.id, past.run_id),
                        bytes: bytes.len(),
                        events: kept.events(),
                        trace: None,
                    }));
                }
                Err(why) => error.set(Some(why)),
            }
        })
    };
    let on_export = {
        let (store, exported, error) = (store.clone(), exported.clone(), error.clone());
        let (scenario, run_id) = (props.descriptor.id.clone(), past.run_id);
        Callback::from(move |_: MouseEvent| {
            let trace = {
                let recordings = store.borrow();
                match recordings.run(run_id) {
                    Some(run) => trace_json(run)
                        .map(|(json, counts)| (json, counts, run.events_received()))
                        .map_err(|why| why.to_string()),
                    None => Err("its recorded events are no longer kept on this page".to_owned()),
                }
            };
            let (json, counts, events) = match trace {
                Ok(trace) => trace,
                Err(why) => {
                    return error.set(Some(format!("This run cannot be exported: {why}.")));
                }
            };
            match download_url(json.as_bytes(), "application/json") {
                Ok(url) => {
                    error.set(None);
                    exported.set(Some(Download {
                        run_id,
                        url,
                        name: trace_name(&scenario, run_id),
                        bytes: json.len(),
                        events,
                        trace: Some(counts),
                    }));
                }
                Err(why) => error.set(Some(why)),
            }
        })
    };
    let saved = (*saved).clone().filter(|s| s.run_id == *run_id);
    let exported = (*exported).clone().filter(|s| s.run_id == *run_id);
    html! {
        <div class="keep">
            <button id="save-run" onclick={on_save}
                title="Download this run — result, knobs and every recorded event — to open it again later, without a server">
                { "Save run" }
            </button>
            <button id="export-perfetto" onclick={on_export}
                title="Download this run as a Chrome trace, to open in ui.perfetto.dev or chrome://tracing">
                { "Export to Perfetto" }
            </button>
            if let Some(download) = saved {
                <DownloadLink id="saved-run" {download} />
            }
            if let Some(download) = exported {
                <DownloadLink id="exported-trace" {download} />
            }
            if let Some(why) = &*error {
                <p id="save-error" class="error" role="alert">{ why }</p>
            }
        </div>
    }
}
