//! The one WebSocket to the backend, and the context that lets components use it.
//!
//! [`ConnectionProvider`] opens `ws(s)://{host}/ws`, turns what happens on the socket into
//! [`Action`]s for the app's reducer, and reconnects with exponential backoff when the
//! socket closes. Components get a [`Connection`] from the context and call
//! [`Connection::send`]; they never touch the socket.
//!
//! Two kinds of frames arrive. Text frames are JSON control messages and go to the
//! reducer. Binary frames (and `events` text messages, their JSON form) are batches of
//! recorded events: they are decoded here and queued in the [`RecordingStore`], which is
//! flushed once per animation frame — so a stream of 60 batches a second costs at most one
//! re-render per frame — and before every control message, so the order the server sent
//! things in is kept (a run's last events are applied before its result is shown).
//!
//! The pure parts (URL, backoff) are plain functions with native tests; everything that
//! calls browser APIs only runs in the browser.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::future::TimeoutFuture;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::{ClientMessage, ServerMessage};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};
use yew::prelude::*;

use crate::recording::RecordingStore;
use crate::state::{Action, AppState, ServerClose};

/// First reconnect delay; each further attempt waits twice as long, up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: u32 = 500;
pub const MAX_BACKOFF_MS: u32 = 8_000;
/// How often the reconnect countdown on screen is updated.
const COUNTDOWN_STEP_MS: u32 = 100;

/// Delay before reconnect attempt `attempt` (1-based): 500 ms, 1 s, 2 s, 4 s, 8 s, 8 s, …
pub fn backoff_ms(attempt: u32) -> u32 {
    let doublings = attempt.saturating_sub(1).min(16);
    FIRST_BACKOFF_MS
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF_MS)
}

/// The socket URL for a page served at `protocol` (`"http:"`/`"https:"`) and `host`
/// (`"example.org:8080"`). The backend serves the page and the socket from one origin,
/// and `trunk serve` proxies `/ws` to it in the dev loop.
pub fn ws_url(protocol: &str, host: &str) -> String {
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}/ws")
}

/// What components get from the context: a way to send to the server.
#[derive(Clone)]
pub struct Connection {
    socket: Rc<Socket>,
}

impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.socket, &other.socket)
    }
}

impl Connection {
    /// Send a message if the socket is open. On success the reducer hears about it
    /// ([`Action::Sent`]) so it can track what awaits an answer. Returns whether it went out.
    pub fn send(&self, message: ClientMessage) -> bool {
        let sent = self
            .socket
            .ws
            .borrow()
            .as_ref()
            .filter(|ws| ws.ready_state() == WebSocket::OPEN)
            .is_some_and(|ws| ws.send_with_str(&message.to_json()).is_ok());
        if sent {
            self.socket.dispatch.dispatch(Action::Sent(message));
        }
        sent
    }
}

/// A JS event callback owned by Rust.
type Handler = Closure<dyn FnMut(Event)>;
/// A `requestAnimationFrame` callback (it receives the frame's timestamp).
type FrameHandler = Closure<dyn FnMut(f64)>;

/// Owns the `WebSocket` and the JS callbacks attached to it.
struct Socket {
    dispatch: UseReducerDispatcher<AppState>,
    /// Where decoded event batches go.
    recordings: RecordingStore,
    /// The id of the requested animation frame that will flush the queued batches, if any.
    frame_request: Cell<Option<i32>>,
    /// Created once, reused for every frame.
    on_frame: RefCell<Option<FrameHandler>>,
    ws: RefCell<Option<WebSocket>>,
    /// Failed attempts since the last successful open.
    attempt: Cell<u32>,
    /// False once the provider is unmounted: stop reconnecting.
    alive: Cell<bool>,
    /// The closures must live as long as the socket may call them.
    handlers: RefCell<Vec<Handler>>,
}

impl Socket {
    fn new(dispatch: UseReducerDispatcher<AppState>, recordings: RecordingStore) -> Self {
        Self {
            dispatch,
            recordings,
            frame_request: Cell::new(None),
            on_frame: RefCell::new(None),
            ws: RefCell::new(None),
            attempt: Cell::new(0),
            alive: Cell::new(true),
            handlers: RefCell::new(Vec::new()),
        }
    }

    fn open(self: &Rc<Self>) {
        if !self.alive.get() {
            return;
        }
        let location = web_sys::window().expect("a window").location();
        let url = ws_url(
            &location.protocol().unwrap_or_default(),
            &location.host().unwrap_or_default(),
        );
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(_) => return self.schedule_reconnect(None),
        };
        // Binary frames carry event batches; ask for them as ArrayBuffers (the default,
        // Blob, could only be read asynchronously and might reorder them).
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);

        // The callbacks hold a weak reference: the socket owns them, not the other way round.
        let weak = Rc::downgrade(self);
        let on_open = handler(&weak, |this, _| {
            this.attempt.set(0);
            this.dispatch.dispatch(Action::Opened);
        });
        let on_message = handler(&weak, |this, event| {
            if let Some(event) = event.dyn_ref::<MessageEvent>() {
                this.on_frame_data(&event.data());
            }
        });
        let on_close = handler(&weak, |this, event| {
            // `close` follows every failure (including "could not connect"), so it alone
            // drives reconnection; `error` carries no extra information. The server's
            // reason, if it gave one, is shown (an idle timeout, a full memory budget).
            let closed_by_server = event
                .dyn_ref::<CloseEvent>()
                .and_then(|close| ServerClose::from_event(close.code(), &close.reason()));
            this.ws.replace(None);
            this.schedule_reconnect(closed_by_server);
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.handlers.borrow_mut() = vec![on_open, on_message, on_close];
        self.ws.replace(Some(ws));
    }

    /// One frame's payload: a binary event batch, or a JSON text message.
    fn on_frame_data(self: &Rc<Self>, data: &wasm_bindgen::JsValue) {
        if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
            // Copy the bytes out of the JS heap into wasm memory, then decode.
            let bytes = js_sys::Uint8Array::new(buffer).to_vec();
            match EventBatch::decode_binary(&bytes) {
                Ok(batch) => self.queue_batch(batch),
                Err(e) => self
                    .dispatch
                    .dispatch(Action::BadFrame(format!("binary event batch: {e}"))),
            }
            return;
        }
        let Some(text) = data.as_string() else {
            self.dispatch.dispatch(Action::BadFrame(
                "a frame that is neither text nor an ArrayBuffer".to_owned(),
            ));
            return;
        };
        match ServerMessage::from_server_json(&text) {
            // The JSON form of a batch takes the same path as the binary one.
            Ok(ServerMessage::Events {
                run_id,
                part,
                seq,
                dropped_total,
                events,
            }) => self.queue_batch(EventBatch {
                run_id,
                part,
                seq,
                dropped_total,
                events,
            }),
            Ok(message) => {
                // Everything queued was sent before this message: apply it first.
                self.flush_recordings();
                if let ServerMessage::RunStarted {
                    run_id, scenario, ..
                } = &message
                {
                    self.recordings.borrow_mut().begin(*run_id, scenario);
                }
                self.dispatch.dispatch(Action::Server(message));
            }
            Err(e) => self.dispatch.dispatch(Action::BadFrame(e.to_string())),
        }
    }

    /// Queue a batch and make sure a frame will apply it.
    fn queue_batch(self: &Rc<Self>, batch: EventBatch) {
        self.recordings.borrow_mut().enqueue(batch);
        if self.frame_request.get().is_some() {
            return; // this frame will take the new batch too
        }
        let mut slot = self.on_frame.borrow_mut();
        let on_frame = slot.get_or_insert_with(|| {
            let weak = Rc::downgrade(self);
            Closure::new(move |_timestamp: f64| {
                if let Some(this) = weak.upgrade() {
                    this.frame_request.set(None);
                    this.flush_recordings();
                }
            })
        });
        // The browser calls this right before it paints the next frame (and not at all
        // while the tab is hidden: the batches then wait, and a control message or the
        // next visible frame applies them).
        let id = web_sys::window().and_then(|w| {
            w.request_animation_frame(on_frame.as_ref().unchecked_ref())
                .ok()
        });
        drop(slot);
        match id {
            Some(id) => self.frame_request.set(Some(id)),
            None => self.flush_recordings(),
        }
    }

    /// Apply the queued batches; re-render only if a recording changed.
    fn flush_recordings(&self) {
        let changed = self.recordings.borrow_mut().flush();
        if changed {
            self.dispatch.dispatch(Action::RecordingUpdated);
        }
    }

    /// Wait out the backoff (showing a countdown), then try again.
    fn schedule_reconnect(self: &Rc<Self>, closed_by_server: Option<ServerClose>) {
        if !self.alive.get() {
            return;
        }
        let attempt = self.attempt.get() + 1;
        self.attempt.set(attempt);
        let delay = backoff_ms(attempt);
        self.dispatch.dispatch(Action::Disconnected {
            attempt,
            retry_in_ms: delay,
            closed_by_server,
        });
        let weak = Rc::downgrade(self);
        yew::platform::spawn_local(async move {
            let mut remaining = delay;
            while remaining > 0 {
                let step = remaining.min(COUNTDOWN_STEP_MS);
                TimeoutFuture::new(step).await;
                remaining -= step;
                let Some(this) = weak.upgrade().filter(|t| t.alive.get()) else {
                    return;
                };
                this.dispatch.dispatch(Action::RetryCountdown {
                    retry_in_ms: remaining,
                });
            }
            if let Some(this) = weak.upgrade() {
                this.open();
            }
        });
    }

    fn shutdown(&self) {
        self.alive.set(false);
        // A frame callback must not run after its closure is gone.
        if let (Some(id), Some(window)) = (self.frame_request.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
        if let Some(ws) = self.ws.take() {
            ws.set_onclose(None);
            let _ = ws.close();
        }
        self.handlers.borrow_mut().clear();
    }
}

/// A JS event callback that calls `f` if the socket still exists.
fn handler(weak: &Weak<Socket>, f: impl Fn(&Rc<Socket>, &Event) + 'static) -> Handler {
    let weak = weak.clone();
    Closure::new(move |event: Event| {
        if let Some(this) = weak.upgrade() {
            f(&this, &event);
        }
    })
}

#[derive(Properties, PartialEq)]
pub struct ConnectionProviderProps {
    /// Where socket events go: the app's reducer.
    pub dispatch: UseReducerDispatcher<AppState>,
    /// Where decoded event batches go.
    pub recordings: RecordingStore,
    #[prop_or_default]
    pub children: Html,
}

/// Opens the socket when mounted, closes it when unmounted, and provides a [`Connection`].
#[component]
pub fn ConnectionProvider(props: &ConnectionProviderProps) -> Html {
    let socket = use_memo((), {
        let (dispatch, recordings) = (props.dispatch.clone(), props.recordings.clone());
        move |_| Socket::new(dispatch, recordings)
    });
    {
        let socket = socket.clone();
        use_effect_with((), move |_| {
            socket.open();
            move || socket.shutdown()
        });
    }
    let connection = Connection {
        socket: socket.clone(),
    };
    html! {
        <ContextProvider<Connection> context={connection}>
            { props.children.clone() }
        </ContextProvider<Connection>>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_500ms_to_8s() {
        let delays: Vec<u32> = (1..=7).map(backoff_ms).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(backoff_ms(0), 500);
        assert_eq!(backoff_ms(u32::MAX), 8000);
    }

    #[test]
    fn ws_url_follows_the_page_scheme() {
        assert_eq!(ws_url("http:", "127.0.0.1:8080"), "ws://127.0.0.1:8080/ws");
        assert_eq!(ws_url("https:", "example.org"), "wss://example.org/ws");
    }
}
