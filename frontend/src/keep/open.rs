//! [`OpenRun`]: open a saved run — with the file picker in the header, or by dropping the
//! file anywhere on the page. The file is read (at most
//! [`MAX_FILE_BYTES`](pollscope_shared::keep::MAX_FILE_BYTES)), decoded, and its run shown
//! on its scenario's page, which the file's descriptor draws even with no server. A file
//! that cannot be opened only sets the page's open error: nothing on the page changes.

use std::cell::Cell;
use std::rc::Rc;

use pollscope_shared::keep::MAX_FILE_BYTES;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;
use yew_router::prelude::{Navigator, Routable, use_navigator};

use crate::links::Route;
use crate::recording::RecordingStore;
use crate::state::{Action, AppState, OPENED_RUN_IDS};

#[derive(Properties, PartialEq)]
pub struct OpenRunProps {
    pub dispatch: UseReducerDispatcher<AppState>,
    /// Why the last file could not be opened.
    pub error: Option<String>,
}

/// Read `file` and open the run it holds; run ids count up from `next_id`.
fn open_file(
    file: File,
    store: RecordingStore,
    dispatch: UseReducerDispatcher<AppState>,
    next_id: Rc<Cell<u64>>,
    navigator: Option<Navigator>,
) {
    let name = file.name();
    if file.size() > MAX_FILE_BYTES as f64 {
        dispatch.dispatch(Action::OpenFailed(format!(
            "Could not open {name}: it is {} bytes; files over {MAX_FILE_BYTES} bytes are not opened.",
            file.size()
        )));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let bytes = match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
            Err(e) => {
                dispatch.dispatch(Action::OpenFailed(format!("Could not read {name}: {e:?}")));
                return;
            }
        };
        let run_id = next_id.get();
        let opened = super::open_into(&bytes, run_id, &mut store.borrow_mut());
        match opened {
            Ok(opened) => {
                next_id.set(run_id + 1);
                let route = Route::Demo {
                    id: opened.descriptor.id.clone(),
                };
                dispatch.dispatch(Action::RunOpened(Box::new(opened)));
                dispatch.dispatch(Action::RecordingUpdated);
                // Its page, as a new history entry unless it is the page shown already.
                let here = web_sys::window().and_then(|w| w.location().pathname().ok());
                if let Some(navigator) = navigator
                    && here.as_deref() != Some(route.to_path().as_str())
                {
                    navigator.push(&route);
                }
            }
            Err(e) => dispatch.dispatch(Action::OpenFailed(format!("Could not open {name}: {e}."))),
        }
    });
}

#[component]
pub fn OpenRun(props: &OpenRunProps) -> Html {
    // The app always provides the recordings; without them a new store is opened into.
    let store = use_context::<RecordingStore>().unwrap_or_default();
    let next_id = use_memo((), |_| Rc::new(Cell::new(OPENED_RUN_IDS)));
    let navigator = use_navigator();
    // A file dropped anywhere on the page is opened (and not navigated to).
    {
        let (store, dispatch, next_id, navigator) = (
            store.clone(),
            props.dispatch.clone(),
            (*next_id).clone(),
            navigator.clone(),
        );
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("a window");
            let over = Closure::<dyn FnMut(DragEvent)>::new(|e: DragEvent| e.prevent_default());
            let drop = Closure::<dyn FnMut(DragEvent)>::new(move |e: DragEvent| {
                e.prevent_default();
                let file = e
                    .data_transfer()
                    .and_then(|d| d.files())
                    .and_then(|f| f.get(0));
                if let Some(file) = file {
                    let (store, dispatch) = (store.clone(), dispatch.clone());
                    open_file(file, store, dispatch, next_id.clone(), navigator.clone());
                }
            });
            let _ =
                window.add_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
            let _ = window.add_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
            move || {
                let _ = window
                    .remove_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
                let _ = window
                    .remove_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
            }
        });
    }
    let onchange = {
        let (dispatch, next_id) = (props.dispatch.clone(), (*next_id).clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                let (store, dispatch) = (store.clone(), dispatch.clone());
                open_file(file, store, dispatch, next_id.clone(), navigator.clone());
            }
            // The same file can be picked again.
            input.set_value("");
        })
    };
    let dismiss = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::DismissOpenError))
    };
    html! {
        <>
            <label class="open-run" title="Open a saved run (or drop its file on the page)">
                { "Open run…" }
                <input id="open-run-file" type="file" accept=".pollscope" {onchange} />
            </label>
            if let Some(why) = &props.error {
                <div id="open-error" class="banner error" role="alert">
                    { why }
                    <button class="dismiss" onclick={dismiss}>{ "Dismiss" }</button>
                </div>
            }
        </>
    }
}
