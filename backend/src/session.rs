//! One WebSocket session.
//!
//! The loop has one `select!` that turns whatever happened first into an [`Event`], and
//! one `match` ([`Session::handle`]) that decides what to do about it, so every way a
//! session can end is visible in one place:
//! - the client closes or vanishes → runs are cancelled, the socket is dropped;
//! - no answer to the handshake ping (see below) within the handshake timeout → 1008;
//! - a message over the size limit → close code 1009;
//! - no message and no run for the idle timeout, or the session's lifetime is over → 1000;
//! - the server's outbound budget is exceeded and this client reads the slowest → 1013
//!   (see [`crate::outbound`]);
//! - the server shuts down → 1001.
//!
//! Whenever the server sends a close frame, the client may still be sending (the rest of
//! an oversized message, a pong, a message written before it read the close): the caller
//! is told so ([`Ending::CloseSent`]), and drains the socket briefly before closing it, so
//! the client reads the close frame instead of a reset.
//!
//! The handshake: the server speaks first, with `hello`, and the protocol has no client
//! greeting, so the session follows the hello with a WebSocket ping. A browser answers a
//! ping by itself (a pong), so any live client has sent something within a round trip,
//! the pong or a message; one that has not within the handshake timeout is not a working
//! WebSocket client and is closed, instead of holding a session slot until the idle
//! timeout.
//!
//! The session is generic over `Sink` and `Stream` of axum messages, so it does not care
//! whether the socket is axum's or something else.
//!
//! Uses [`crate::run`], the catalog, the harness's frame type, the config and the gauges;
//! the HTTP layer builds its [`SessionContext`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, close_code};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::{ClientMessage, ErrorCode, PROTOCOL_VERSION, ProtocolError, ServerMessage};
use tokio::task::{AbortHandle, JoinError, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::harness::{Outbound, RunContext};
use crate::metrics::Gauges;
use crate::outbound::{self, Charge, Charged, OutboundBudget, OutboundRx, OutboundTx};
use crate::run::{self, RunOutcome};
use crate::scenarios::Catalog;
use crate::slots::RunSlots;

/// Frames (progress, event batches) waiting to be written to the socket, across all runs
/// of a session.
const OUTBOUND_QUEUE: usize = 1024;
/// A client that does not take a message within this time is treated as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// The payload of the ping that follows the hello.
const HANDSHAKE_PING: &[u8] = b"pollscope";

/// How a session ended, for the transport underneath.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Nothing is left to read, or nothing matters: close the socket.
    Done,
    /// The server sent a close frame while the client's input may still be arriving:
    /// drain the socket before closing it, or the client sees a reset.
    CloseSent,
}

/// What a session needs from the server.
#[derive(Clone)]
pub struct SessionContext {
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub shutdown: CancellationToken,
    pub gauges: Arc<Gauges>,
    /// The server's run slots, shared by every session.
    pub slots: Arc<RunSlots>,
    /// The byte budget every session's outbound queue is charged against.
    pub outbound: Arc<OutboundBudget>,
}

/// Everything that can happen to a session, whichever source it came from.
enum Event {
    Client(Option<Result<Message, axum::Error>>),
    Outbound(Charged),
    /// The server's outbound budget is exceeded and this session reads the slowest.
    Evicted,
    RunEnded(Result<(tokio::task::Id, RunOutcome), JoinError>),
    IdleTimeout,
    HandshakeTimeout,
    SessionExpired,
    Shutdown,
}

/// What the loop should do after handling an event.
#[derive(Default)]
struct Step {
    replies: Vec<Outbound>,
    /// Queued frames' bytes stay charged until they are written.
    _charges: Vec<Charge>,
    close: Option<CloseFrame>,
    /// The peer is gone: stop without writing anything.
    gone: bool,
}

impl Step {
    fn reply(message: ServerMessage) -> Self {
        Self::frame(Outbound::Message(message))
    }

    fn frame(frame: Outbound) -> Self {
        Self {
            replies: vec![frame],
            ..Self::default()
        }
    }

    fn close(code: u16, reason: &str) -> Self {
        Self {
            close: Some(CloseFrame {
                code,
                reason: reason.into(),
            }),
            ..Self::default()
        }
    }

    fn gone() -> Self {
        Self {
            gone: true,
            ..Self::default()
        }
    }
}

struct Session {
    ctx: SessionContext,
    runs: JoinSet<RunOutcome>,
    /// Run id → the handle that aborts it. At most `max_concurrent_runs` entries.
    active: HashMap<u64, AbortHandle>,
    next_run_id: u64,
    outbound_tx: OutboundTx,
    outbound_rx: OutboundRx,
    last_client_activity: Instant,
    /// The client has sent something since the hello (the pong, or a message).
    answered: bool,
}

/// Drive one session to its end. Returns once every run it started has stopped.
pub async fn run<S, R>(mut sink: S, mut stream: R, ctx: SessionContext) -> Ending
where
    S: Sink<Message, Error = axum::Error> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let deadline = Instant::now() + ctx.config.max_session();
    let idle = ctx.config.idle_timeout();
    let shutdown = ctx.shutdown.clone();
    let mut session = Session::new(ctx);

    if send(&mut sink, Outbound::Message(session.hello()))
        .await
        .is_err()
    {
        return Ending::Done;
    }
    let ping = Message::Ping(Bytes::from_static(HANDSHAKE_PING));
    if !matches!(
        tokio::time::timeout(SEND_TIMEOUT, sink.send(ping)).await,
        Ok(Ok(()))
    ) {
        return Ending::Done;
    }
    let evicted = session.outbound_rx.eviction();
    let handshake_deadline = Instant::now() + session.ctx.config.handshake_timeout();
    let mut ending = Ending::Done;
    loop {
        let idle_deadline = session.last_client_activity + idle;
        let event = tokio::select! {
            message = stream.next() => Event::Client(message),
            Some(frame) = session.outbound_rx.recv() => Event::Outbound(frame),
            () = evicted.cancelled() => Event::Evicted,
            Some(ended) = session.runs.join_next_with_id() => Event::RunEnded(ended),
            () = tokio::time::sleep_until(idle_deadline), if session.runs.is_empty() => Event::IdleTimeout,
            () = tokio::time::sleep_until(handshake_deadline), if !session.answered => Event::HandshakeTimeout,
            () = tokio::time::sleep_until(deadline) => Event::SessionExpired,
            () = shutdown.cancelled() => Event::Shutdown,
        };
        let step = session.handle(event);
        if step.gone {
            break;
        }
        let mut close = step.close;
        let mut failed = false;
        for reply in step.replies {
            // A write can wait for a slow reader for up to the send timeout; the budget
            // must be able to close this session meanwhile, or its queue would go on
            // holding its bytes. An interrupted write is still whole in the socket's
            // buffer, so the close frame goes out after it.
            let sent = tokio::select! {
                sent = send(&mut sink, reply) => sent,
                () = evicted.cancelled() => {
                    close = session.handle(Event::Evicted).close;
                    break;
                }
            };
            if sent.is_err() {
                failed = true;
                break;
            }
        }
        if failed {
            break;
        }
        if let Some(frame) = close {
            // What was still queued will not be read now: free it before waiting on the
            // close frame's delivery.
            session.outbound_rx.discard();
            ending = Ending::CloseSent;
            let _ =
                tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
            break;
        }
    }
    // Abort every run still going and wait until they have actually stopped, so their
    // loopback servers and sockets are closed before the session is counted as gone.
    session.runs.shutdown().await;
    ending
}

async fn send<S>(sink: &mut S, frame: Outbound) -> Result<(), ()>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    let message = match frame {
        Outbound::Message(message) => Message::text(message.to_json()),
        Outbound::Binary(bytes) => Message::binary(bytes),
    };
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            tracing::debug!("client gone while sending: {e}");
            Err(())
        }
        Err(_) => {
            tracing::info!("client did not read for {SEND_TIMEOUT:?}; dropping the session");
            Err(())
        }
    }
}

/// Did the socket refuse a frame for being larger than `max_message_size`?
fn is_too_big(error: &axum::Error) -> bool {
    use std::error::Error as _;
    matches!(
        error
            .source()
            .and_then(|s| s.downcast_ref::<tungstenite::Error>()),
        Some(tungstenite::Error::Capacity(_))
    )
}

impl Session {
    fn new(ctx: SessionContext) -> Self {
        let (outbound_tx, outbound_rx) = outbound::channel(&ctx.outbound, OUTBOUND_QUEUE);
        Self {
            ctx,
            runs: JoinSet::new(),
            active: HashMap::new(),
            next_run_id: 1,
            outbound_tx,
            outbound_rx,
            last_client_activity: Instant::now(),
            answered: false,
        }
    }

    fn hello(&self) -> ServerMessage {
        ServerMessage::Hello {
            protocol_version: PROTOCOL_VERSION,
            server_version: env!("CARGO_PKG_VERSION").to_owned(),
            limits: self.ctx.config.session_limits(),
            scenarios: self.ctx.catalog.descriptors(),
        }
    }

    fn handle(&mut self, event: Event) -> Step {
        match event {
            Event::Client(None) => Step::gone(),
            Event::Client(Some(Err(e))) if is_too_big(&e) => {
                let reason = format!(
                    "message too big (limit {} bytes)",
                    self.ctx.config.max_message_bytes
                );
                Step::close(close_code::SIZE, &reason)
            }
            Event::Client(Some(Err(e))) => {
                tracing::debug!("client socket error: {e}");
                Step::gone()
            }
            Event::Client(Some(Ok(message))) => {
                self.last_client_activity = Instant::now();
                self.answered = true;
                self.on_client_message(message)
            }
            Event::Outbound(Charged { frame, charge }) => Step {
                _charges: vec![charge],
                ..Step::frame(frame)
            },
            Event::Evicted => {
                let reason = format!(
                    "the server's outbound memory is full and this connection reads the \
                     slowest ({} KiB unread); reconnect to go on",
                    self.outbound_rx.queued_at_eviction().div_ceil(1024)
                );
                Step::close(close_code::AGAIN, &reason)
            }
            Event::RunEnded(ended) => self.on_run_ended(ended),
            Event::IdleTimeout => Step::close(close_code::NORMAL, "idle timeout"),
            Event::HandshakeTimeout => {
                let reason = format!(
                    "no answer to the server's ping within {} s",
                    self.ctx.config.handshake_timeout_seconds
                );
                Step::close(close_code::POLICY, &reason)
            }
            Event::SessionExpired => Step::close(close_code::NORMAL, "session time limit reached"),
            Event::Shutdown => Step::close(close_code::AWAY, "server shutting down"),
        }
    }

    fn on_client_message(&mut self, message: Message) -> Step {
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                return Step::reply(ServerMessage::error(
                    None,
                    ProtocolError::new(
                        ErrorCode::BinaryNotSupported,
                        "send control messages as JSON text frames",
                    ),
                ));
            }
            // axum answers pings itself; a close is answered by the socket and ends the stream.
            Message::Ping(_) | Message::Pong(_) => return Step::default(),
            Message::Close(_) => return Step::gone(),
        };
        let result = ClientMessage::parse(&text).and_then(|message| match message {
            ClientMessage::Run {
                scenario,
                params,
                events,
            } => self.start_run(&scenario, params, events),
            ClientMessage::Cancel { run_id } => self.cancel_run(run_id).map(|()| None),
        });
        match result {
            Ok(Some(reply)) => Step::reply(reply),
            Ok(None) => Step::default(),
            Err(e) => Step::reply(ServerMessage::error(None, e)),
        }
    }

    fn start_run(
        &mut self,
        scenario: &str,
        params: pollscope_shared::scenario::ParamValues,
        encoding: EventEncoding,
    ) -> Result<Option<ServerMessage>, ProtocolError> {
        let Some((found, descriptor)) = self.ctx.catalog.get(scenario) else {
            return Err(ProtocolError::new(
                ErrorCode::UnknownScenario,
                format!("no scenario `{scenario}`"),
            ));
        };
        descriptor.validate(&params)?;
        let limit = self.ctx.config.max_concurrent_runs as usize;
        if self.active.len() >= limit {
            return Err(ProtocolError::new(
                ErrorCode::TooManyRuns,
                format!("a session runs at most {limit} scenario(s) at once; cancel or wait"),
            ));
        }
        let ticket = self.ctx.slots.join().map_err(|full| {
            ProtocolError::new(
                ErrorCode::ServerBusy,
                format!(
                    "the server is busy: {} runs are running and {} are waiting for a slot, \
                     as many as it queues; try again in a moment",
                    full.running, full.queued
                ),
            )
        })?;
        let run_id = self.next_run_id;
        self.next_run_id += 1;
        let run = RunContext::new(
            run_id,
            encoding,
            self.ctx.config.recorder_capacity as usize,
            self.outbound_tx.clone(),
        );
        let started = found.start(&params, run.clone())?;
        let task = run::run_scenario(
            started,
            run,
            self.ctx.gauges.clone(),
            self.ctx.config.max_run(),
            ticket,
        );
        let handle = self.runs.spawn(task);
        self.active.insert(run_id, handle);
        tracing::info!(run_id, scenario, "run started");
        Ok(Some(ServerMessage::RunStarted {
            run_id,
            scenario: scenario.to_owned(),
            params,
        }))
    }

    fn cancel_run(&mut self, run_id: u64) -> Result<(), ProtocolError> {
        match self.active.get(&run_id) {
            // The run's end (as cancelled) arrives as `Event::RunEnded`.
            Some(handle) => {
                handle.abort();
                Ok(())
            }
            None => Err(ProtocolError::new(
                ErrorCode::UnknownRun,
                format!("this session has no run {run_id} in progress"),
            )),
        }
    }

    fn on_run_ended(&mut self, ended: Result<(tokio::task::Id, RunOutcome), JoinError>) -> Step {
        let task_id = match &ended {
            Ok((id, _)) => *id,
            Err(e) => e.id(),
        };
        let Some(run_id) = self
            .active
            .iter()
            .find(|(_, handle)| handle.id() == task_id)
            .map(|(run_id, _)| *run_id)
        else {
            return Step::default();
        };
        self.active.remove(&run_id);
        // The run's task has finished, so every frame it sent is already queued: flush them
        // first so the result is the last word about the run.
        let (mut replies, mut charges) = (Vec::new(), Vec::new());
        while let Some(Charged { frame, charge }) = self.outbound_rx.try_recv() {
            replies.push(frame);
            charges.push(charge);
        }
        replies.push(Outbound::Message(match ended {
            Ok((_, RunOutcome::Finished(result, load))) => {
                tracing::info!(run_id, other_runs = load.other_runs, "run finished");
                ServerMessage::Result {
                    run_id,
                    result,
                    load: Some(load),
                }
            }
            Ok((_, RunOutcome::Failed(e))) => {
                tracing::info!(run_id, "run failed: {e}");
                ServerMessage::error(Some(run_id), e)
            }
            Err(e) if e.is_cancelled() => ServerMessage::RunCancelled { run_id },
            Err(e) => {
                tracing::error!(run_id, "run panicked: {e}");
                ServerMessage::error(
                    Some(run_id),
                    ProtocolError::new(ErrorCode::RunFailed, format!("run {run_id} panicked")),
                )
            }
        }));
        Step {
            replies,
            _charges: charges,
            ..Step::default()
        }
    }
}
