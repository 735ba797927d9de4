//! The application state and every way it can change.
//!
//! [`AppState`] is a plain value and [`AppState::reduce`] a pure function of it and an
//! [`Action`]: no browser APIs, no sockets, no timers. The socket code in
//! [`crate::connection`] only *reports* what happened (opened, closed, a frame arrived,
//! a message was sent) and the UI only *reads* the state. That split is what lets every
//! transition below be unit-tested natively with `cargo test -p pollscope-frontend`.
//!
//! Truth rule: the only numbers stored here are the ones the server sent (descriptors,
//! limits, progress events, results) and the knob values the learner typed or a link set.

use std::collections::BTreeMap;
use std::rc::Rc;

use pollscope_shared::load::RunLoad;
use pollscope_shared::protocol::SessionLimits;
use pollscope_shared::results::{ProgressEvent, ScenarioResult};
use pollscope_shared::scenario::{ParamValues, ScenarioDescriptor};
use pollscope_shared::{ClientMessage, ErrorCode, PROTOCOL_VERSION, ServerMessage};
use yew::Reducible;

use crate::links;
use crate::links::query::Problem;

/// The state of the one WebSocket to the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// The first connection attempt is under way.
    Connecting,
    /// The socket is open.
    Connected,
    /// The socket closed (or never opened); attempt number `attempt` starts in
    /// `retry_in_ms` (0 once it is under way).
    Reconnecting { attempt: u32, retry_in_ms: u32 },
}

impl ConnectionStatus {
    /// The value of the `data-state` attribute of `#connection-status`.
    pub fn data_state(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Reconnecting { .. } => "reconnecting",
        }
    }

    /// Readable text for the connection indicator.
    pub fn label(self) -> String {
        match self {
            Self::Connecting => "connecting…".to_owned(),
            Self::Connected => "connected".to_owned(),
            Self::Reconnecting {
                attempt,
                retry_in_ms: 0,
            } => format!("reconnecting (attempt {attempt})…"),
            Self::Reconnecting {
                attempt,
                retry_in_ms,
            } => format!(
                "disconnected — attempt {attempt} in {:.1} s",
                f64::from(retry_in_ms) / 1000.0
            ),
        }
    }
}

/// Why a run failed: a server error code, or the connection dropping under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCode {
    Server(ErrorCode),
    /// The socket closed while the run was requested or running; its outcome is unknown.
    ConnectionLost,
}

impl FailureCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Server(code) => code.as_str(),
            Self::ConnectionLost => "connection_lost",
        }
    }
}

/// A running run's turn for one of the server's run slots (see `run_queued`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Slot {
    /// It got a slot at once (or the server did not say otherwise).
    #[default]
    Running,
    /// Waiting, with `ahead` runs before it in the server's queue.
    Queued { ahead: u32 },
    /// It waited `waited_ms` for its slot and is running now.
    Admitted { waited_ms: u64 },
}

/// The latest run of one scenario, as far as this page knows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RunState {
    #[default]
    Idle,
    /// `run` was sent; the server has not answered yet.
    Requested,
    /// The server accepted the run; its progress events arrive here as they stream in.
    Running {
        run_id: u64,
        /// The knob values the server runs it with.
        params: ParamValues,
        /// The run this one reruns with a fix applied (see [`Action::FixRequested`]).
        fixing: Option<u64>,
        events: Vec<ProgressEvent>,
        /// Where the run stands for one of the server's run slots.
        slot: Slot,
        /// `cancel` was sent; waiting for `run_cancelled` (or the result, if it won the race).
        cancelling: bool,
        /// The server's run time limit (the hello's `max_run_seconds`), in µs, when known:
        /// the length the progress bar measures the run against.
        limit_us: Option<u64>,
    },
    Finished {
        run_id: u64,
        result: ScenarioResult,
        /// What the server saw of the machine during the run (`None` from older servers).
        load: Option<RunLoad>,
    },
    Failed {
        code: FailureCode,
        message: String,
    },
    Cancelled {
        run_id: u64,
    },
}

impl RunState {
    /// Requested or running: the Run button stays disabled.
    pub fn is_busy(&self) -> bool {
        matches!(self, Self::Requested | Self::Running { .. })
    }

    /// The run id while the server is running it.
    pub fn running_id(&self) -> Option<u64> {
        match self {
            Self::Running { run_id, .. } => Some(*run_id),
            _ => None,
        }
    }
}

/// Finished runs of one scenario the page keeps: the same bound as the recordings'.
pub const HISTORY_RUNS: usize = crate::recording::HISTORY_RUNS;

/// One finished run, as the page's history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastRun {
    pub run_id: u64,
    pub params: ParamValues,
    pub result: ScenarioResult,
    /// The run it reran with a fix applied.
    pub fixing: Option<u64>,
    /// What the learner guessed before it ran: headline key → value in the headline's
    /// unit (see `pollscope_shared::results::Headline`).
    pub guesses: Guesses,
}

/// Guesses of headline numbers, by headline key.
pub type Guesses = BTreeMap<String, u64>;

/// At most this many guesses per scenario (a result has a handful of headlines).
pub const MAX_GUESSES: usize = 16;

/// The client message the server has not answered yet. An `error` without `run_id`
/// answers the client's last message, so this says whom such an error is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Run { scenario: String },
    Cancel { run_id: u64 },
}

/// Everything the UI shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppState {
    pub status: ConnectionStatus,
    /// False until the first socket opened: tells "backend unreachable" apart from a drop.
    pub ever_connected: bool,
    /// From the latest hello; empty before the first one.
    pub scenarios: Vec<ScenarioDescriptor>,
    pub limits: Option<SessionLimits>,
    pub server_version: Option<String>,
    /// Set when the server's hello announces a protocol version this page does not speak.
    pub protocol_mismatch: Option<u32>,
    /// Per scenario id: the current knob values, always within the descriptor's bounds.
    pub params: BTreeMap<String, ParamValues>,
    /// Per scenario id: the latest run.
    pub runs: BTreeMap<String, RunState>,
    pub pending: Option<Pending>,
    /// Server errors that concern no scenario (e.g. `unknown_run` after a late cancel),
    /// and frames that could not be parsed.
    pub notice: Option<String>,
    /// How many times the recorded events changed. The events themselves live outside
    /// this (cloned) state, in [`crate::recording::Recordings`]; bumping this number is
    /// what makes the pages that draw them re-render.
    pub recording_version: u64,
    /// Per scenario id: its last [`HISTORY_RUNS`] finished runs, oldest first.
    pub history: BTreeMap<String, Vec<PastRun>>,
    /// Per scenario id: the two runs shown side by side (older first).
    pub compare: BTreeMap<String, (u64, u64)>,
    /// Per scenario id: the run the next run started fixes.
    fix_of: BTreeMap<String, u64>,
    /// Per scenario id: the learner's guesses for its next run.
    pub guesses: BTreeMap<String, Guesses>,
    /// Per scenario id: the guesses the run under way was started with.
    guessed: BTreeMap<String, Guesses>,
    /// The descriptors of scenarios whose runs were opened from files (see
    /// [`crate::keep`]): their pages show without a server.
    pub opened: Vec<ScenarioDescriptor>,
    /// Why the last file could not be opened.
    pub open_error: Option<String>,
    /// What the last link opened could not use as it stood (see [`crate::links::query`]).
    pub link_notice: Option<LinkNotice>,
    /// How many links were read into the knobs (see [`crate::links::sync`]).
    pub links_opened: u64,
}

/// The parts of a link's query that were not used as given: the notice names each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkNotice {
    pub scenario: String,
    pub problems: Vec<Problem>,
    /// How many more there were than are listed.
    pub more: usize,
}

/// Runs opened from files get ids from here up, so that they never meet the ids of the
/// server's runs (which count from 1 in each session).
pub const OPENED_RUN_IDS: u64 = 1 << 40;

/// At most this many scenarios' descriptors are kept from opened files.
pub const MAX_OPENED_SCENARIOS: usize = 64;

impl Default for AppState {
    fn default() -> Self {
        Self {
            status: ConnectionStatus::Connecting,
            ever_connected: false,
            scenarios: Vec::new(),
            limits: None,
            server_version: None,
            protocol_mismatch: None,
            params: BTreeMap::new(),
            runs: BTreeMap::new(),
            pending: None,
            notice: None,
            recording_version: 0,
            history: BTreeMap::new(),
            compare: BTreeMap::new(),
            fix_of: BTreeMap::new(),
            guesses: BTreeMap::new(),
            guessed: BTreeMap::new(),
            opened: Vec::new(),
            open_error: None,
            link_notice: None,
            links_opened: 0,
        }
    }
}

/// The close frame the server sent: its code (RFC 6455: 1000 normal, 1001 going away,
/// 1008 policy, 1009 too big, 1013 try again later) and its reason, which the server
/// always fills in when it closes on purpose (see docs/protocol.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerClose {
    pub code: u16,
    pub reason: String,
}

impl ServerClose {
    /// The close a `close` event describes, if the server gave a reason. A connection that
    /// failed or dropped (code 1006) has none: the page then says only that it was lost.
    pub fn from_event(code: u16, reason: &str) -> Option<Self> {
        let reason = reason.trim();
        (!reason.is_empty()).then(|| Self {
            code,
            reason: reason.to_owned(),
        })
    }

    /// "The server closed the connection (code 1013: try again later): …".
    pub fn sentence(&self) -> String {
        let meaning = match self.code {
            1000 => "normal closure",
            1001 => "going away",
            1008 => "policy",
            1009 => "message too big",
            1011 => "server error",
            1013 => "try again later",
            _ => "closed",
        };
        format!(
            "The server closed the connection (code {}: {meaning}): {}",
            self.code, self.reason
        )
    }
}

/// Everything that can happen to the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The socket opened.
    Opened,
    /// The socket closed or failed to open; attempt `attempt` is scheduled in `retry_in_ms`.
    /// `closed_by_server` is the server's close frame, when it sent one with a reason.
    Disconnected {
        attempt: u32,
        retry_in_ms: u32,
        closed_by_server: Option<ServerClose>,
    },
    /// The reconnect countdown ticked.
    RetryCountdown {
        retry_in_ms: u32,
    },
    /// A text frame parsed as a server message.
    Server(ServerMessage),
    /// A text frame that is not a server message this page understands.
    BadFrame(String),
    /// A client message went out on the socket.
    Sent(ClientMessage),
    /// The learner moved a knob. The value is clamped to the parameter's bounds.
    SetParam {
        scenario: String,
        name: String,
        value: i64,
    },
    DismissNotice,
    /// A link to `scenario`'s page was opened (or reached with back / forward): its query
    /// sets the knobs it names, within their bounds. What it names wrongly — a value out
    /// of bounds or malformed (the knob gets its default), a name that is no knob — goes
    /// into [`AppState::link_notice`]. Knobs it does not name keep their values.
    OpenLink {
        scenario: String,
        query: String,
    },
    DismissLinkNotice,
    /// Queued event batches were applied to the recordings (at most once per frame).
    RecordingUpdated,
    /// The next run of `scenario` reruns `from_run` with a fix applied: when it finishes,
    /// the two are shown side by side.
    FixRequested {
        scenario: String,
        from_run: u64,
    },
    /// Show two finished runs of `scenario` side by side, or (`None`) stop.
    Compare {
        scenario: String,
        runs: Option<(u64, u64)>,
    },
    /// The learner's guess of headline `key` for the next run of `scenario` (`None`
    /// clears it). The run started next takes the guesses with it.
    Guess {
        scenario: String,
        key: String,
        value: Option<u64>,
    },
    /// A finished run was opened from a file (its events already in the recordings under
    /// its new id): it becomes its scenario's latest run.
    RunOpened(Box<OpenedRun>),
    /// A file could not be opened: why. Nothing else changes.
    OpenFailed(String),
    DismissOpenError,
}

/// A finished run read from a file (see [`crate::keep`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedRun {
    pub descriptor: ScenarioDescriptor,
    /// The id given to it on this page (see [`OPENED_RUN_IDS`]).
    pub run_id: u64,
    pub params: ParamValues,
    pub result: ScenarioResult,
    pub load: Option<RunLoad>,
}

impl AppState {
    pub fn scenario(&self, id: &str) -> Option<&ScenarioDescriptor> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    pub fn run(&self, scenario: &str) -> &RunState {
        static IDLE: RunState = RunState::Idle;
        self.runs.get(scenario).unwrap_or(&IDLE)
    }

    /// The knob values to send with a `run` request (defaults if none were set).
    pub fn params_for(&self, scenario: &str) -> ParamValues {
        self.params
            .get(scenario)
            .cloned()
            .or_else(|| self.scenario(scenario).map(ScenarioDescriptor::defaults))
            .unwrap_or_default()
    }

    /// The finished runs of `scenario` the page keeps, oldest first.
    pub fn history(&self, scenario: &str) -> &[PastRun] {
        self.history.get(scenario).map_or(&[], Vec::as_slice)
    }

    /// The two runs of `scenario` shown side by side, if both are still kept.
    pub fn compared(&self, scenario: &str) -> Option<(&PastRun, &PastRun)> {
        let (a, b) = *self.compare.get(scenario)?;
        let find = |id| self.history(scenario).iter().find(|r| r.run_id == id);
        Some((find(a)?, find(b)?))
    }

    /// The descriptors of the scenarios a page can be shown for: the server's, then
    /// those of opened runs the server does not announce.
    pub fn known_scenarios(&self) -> Vec<ScenarioDescriptor> {
        let mut known = self.scenarios.clone();
        for d in &self.opened {
            if !known.iter().any(|k| k.id == d.id) {
                known.push(d.clone());
            }
        }
        known
    }

    pub fn is_connected(&self) -> bool {
        self.status == ConnectionStatus::Connected
    }

    /// The scenario whose run currently has this id.
    fn scenario_of_run(&self, run_id: u64) -> Option<String> {
        self.runs
            .iter()
            .find(|(_, run)| run.running_id() == Some(run_id))
            .map(|(id, _)| id.clone())
    }

    /// Record where run `run_id` stands for a run slot (a run we don't know is ignored).
    fn set_slot(&mut self, run_id: u64, to: Slot) {
        if let Some(id) = self.scenario_of_run(run_id)
            && let Some(RunState::Running { slot, .. }) = self.runs.get_mut(&id)
        {
            *slot = to;
        }
    }

    /// Apply one action. Pure: the same state and action always give the same result.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Opened => {
                self.status = ConnectionStatus::Connected;
                self.ever_connected = true;
            }
            Action::Disconnected {
                attempt,
                retry_in_ms,
                closed_by_server,
            } => {
                self.status = ConnectionStatus::Reconnecting {
                    attempt,
                    retry_in_ms,
                };
                // Why the server closed it outlives the reconnect (which can take only
                // half a second): the notice stays until dismissed.
                let why = closed_by_server.as_ref().map(ServerClose::sentence);
                if let Some(why) = &why {
                    self.notice = Some(why.clone());
                }
                // A run lives in the server's session; when the socket goes, so does the
                // session and the run with it. Its result will never arrive.
                for run in self.runs.values_mut() {
                    if run.is_busy() {
                        let lost = why.as_deref().unwrap_or("Connection lost");
                        *run = RunState::Failed {
                            code: FailureCode::ConnectionLost,
                            message: format!(
                                "{lost}. The run was in progress: its result will not \
                                 arrive. Run it again once reconnected."
                            ),
                        };
                    }
                }
                self.pending = None;
            }
            Action::RetryCountdown { retry_in_ms } => {
                if let ConnectionStatus::Reconnecting { attempt, .. } = self.status {
                    self.status = ConnectionStatus::Reconnecting {
                        attempt,
                        retry_in_ms,
                    };
                }
            }
            Action::Server(message) => self.apply_server(message),
            Action::BadFrame(why) => {
                self.notice = Some(format!("could not read a server message: {why}"));
            }
            Action::Sent(ClientMessage::Run { scenario, .. }) => {
                self.runs.insert(scenario.clone(), RunState::Requested);
                self.pending = Some(Pending::Run { scenario });
            }
            Action::Sent(ClientMessage::Cancel { run_id }) => {
                if let Some(id) = self.scenario_of_run(run_id)
                    && let Some(RunState::Running { cancelling, .. }) = self.runs.get_mut(&id)
                {
                    *cancelling = true;
                }
                self.pending = Some(Pending::Cancel { run_id });
            }
            Action::SetParam {
                scenario,
                name,
                value,
            } => {
                let Some(spec) = self
                    .scenario(&scenario)
                    .and_then(|d| d.params.iter().find(|p| p.name == name))
                else {
                    return;
                };
                let value = spec.clamp(value);
                self.params.entry(scenario).or_default().insert(name, value);
            }
            Action::DismissNotice => self.notice = None,
            Action::OpenLink { scenario, query } => self.open_link(scenario, &query),
            Action::DismissLinkNotice => self.link_notice = None,
            Action::RecordingUpdated => self.recording_version += 1,
            Action::FixRequested { scenario, from_run } => {
                self.fix_of.insert(scenario, from_run);
            }
            Action::Compare {
                scenario,
                runs: Some((a, b)),
            } if a != b => {
                let kept = |id| self.history(&scenario).iter().any(|r| r.run_id == id);
                if kept(a) && kept(b) {
                    self.compare.insert(scenario, (a.min(b), a.max(b)));
                }
            }
            Action::Compare { scenario, .. } => {
                self.compare.remove(&scenario);
            }
            Action::Guess {
                scenario,
                key,
                value: Some(value),
            } => {
                let guesses = self.guesses.entry(scenario).or_default();
                if guesses.len() < MAX_GUESSES || guesses.contains_key(&key) {
                    guesses.insert(key, value);
                }
            }
            Action::RunOpened(opened) => self.open_run(*opened),
            Action::OpenFailed(why) => self.open_error = Some(why),
            Action::DismissOpenError => self.open_error = None,
            Action::Guess {
                scenario,
                key,
                value: None,
            } => {
                if let Some(guesses) = self.guesses.get_mut(&scenario) {
                    guesses.remove(&key);
                }
            }
        }
    }

    fn open_link(&mut self, scenario: String, query: &str) {
        let Some(descriptor) = self.scenario(&scenario) else {
            return;
        };
        let checked = links::query::check(&descriptor.params, query);
        let defaults = descriptor.defaults();
        self.params
            .entry(scenario.clone())
            .or_insert(defaults)
            .extend(checked.values);
        self.link_notice = (!checked.problems.is_empty()).then_some(LinkNotice {
            scenario,
            problems: checked.problems,
            more: checked.more,
        });
        self.links_opened += 1;
    }

    fn apply_server(&mut self, message: ServerMessage) {
        match message {
            ServerMessage::Hello {
                protocol_version,
                server_version,
                limits,
                scenarios,
            } => {
                self.status = ConnectionStatus::Connected;
                self.ever_connected = true;
                self.protocol_mismatch =
                    (protocol_version != PROTOCOL_VERSION).then_some(protocol_version);
                // Keep the learner's knob values across reconnects, re-clamped to the
                // (possibly changed) bounds; new parameters start at their default.
                let mut params = BTreeMap::new();
                for d in &scenarios {
                    let old = self.params.get(&d.id);
                    let values: ParamValues = d
                        .params
                        .iter()
                        .map(|p| {
                            let v = old.and_then(|o| o.get(&p.name)).copied();
                            (p.name.clone(), p.clamp(v.unwrap_or(p.default)))
                        })
                        .collect();
                    params.insert(d.id.clone(), values);
                }
                self.params = params;
                // Runs of scenarios opened from files stay, announced or not.
                let opened = &self.opened;
                let kept = |id: &String| scenarios.iter().chain(opened).any(|d| &d.id == id);
                self.runs.retain(|id, _| kept(id));
                self.history.retain(|id, _| kept(id));
                self.scenarios = scenarios;
                self.limits = Some(limits);
                self.server_version = Some(server_version);
            }
            ServerMessage::RunStarted {
                run_id,
                scenario,
                params,
            } => {
                if self.pending
                    == (Some(Pending::Run {
                        scenario: scenario.clone(),
                    }))
                {
                    self.pending = None;
                }
                let fixing = self.fix_of.remove(&scenario);
                // The guesses go with the run; the next run starts with none.
                match self.guesses.remove(&scenario) {
                    Some(guesses) if !guesses.is_empty() => {
                        self.guessed.insert(scenario.clone(), guesses);
                    }
                    _ => {
                        self.guessed.remove(&scenario);
                    }
                }
                self.runs.insert(
                    scenario,
                    RunState::Running {
                        run_id,
                        params,
                        fixing,
                        events: Vec::new(),
                        slot: Slot::Running,
                        cancelling: false,
                        limit_us: self.limits.as_ref().map(|l| l.max_run_seconds * 1_000_000),
                    },
                );
            }
            ServerMessage::RunQueued { run_id, ahead } => {
                self.set_slot(run_id, Slot::Queued { ahead });
            }
            ServerMessage::RunAdmitted { run_id, waited_ms } => {
                self.set_slot(run_id, Slot::Admitted { waited_ms });
            }
            ServerMessage::Progress { run_id, event } => {
                if let Some(id) = self.scenario_of_run(run_id)
                    && let Some(RunState::Running { events, .. }) = self.runs.get_mut(&id)
                {
                    events.push(event);
                }
            }
            // Recorded-event batches never reach the reducer: the connection moves them
            // into the recordings store (see `crate::recording`), whatever their encoding.
            ServerMessage::Events { .. } => {}
            ServerMessage::Result {
                run_id,
                result,
                load,
            } => {
                self.keep_finished(run_id, &result);
                self.end_run(
                    run_id,
                    RunState::Finished {
                        run_id,
                        result,
                        load,
                    },
                );
            }
            ServerMessage::RunCancelled { run_id } => {
                self.end_run(run_id, RunState::Cancelled { run_id });
            }
            ServerMessage::Error {
                run_id: Some(run_id),
                code,
                message,
            } => {
                let failed = RunState::Failed {
                    code: FailureCode::Server(code),
                    message,
                };
                self.end_run(run_id, failed);
            }
            ServerMessage::Error {
                run_id: None,
                code,
                message,
            } => match self.pending.take() {
                // The request to start this scenario was refused; nothing was started.
                Some(Pending::Run { scenario }) => {
                    self.fix_of.remove(&scenario);
                    self.runs.insert(
                        scenario,
                        RunState::Failed {
                            code: FailureCode::Server(code),
                            message,
                        },
                    );
                }
                // A refused cancel (typically `unknown_run`: the run had just ended) or an
                // error about nothing we sent: say so, but no run changes.
                Some(Pending::Cancel { run_id }) => {
                    if let Some(id) = self.scenario_of_run(run_id)
                        && let Some(RunState::Running { cancelling, .. }) = self.runs.get_mut(&id)
                    {
                        *cancelling = false;
                    }
                    self.notice = Some(format!("{code}: {message}"));
                }
                None => self.notice = Some(format!("{code}: {message}")),
            },
        }
    }

    /// Keep run `run_id`'s result in its scenario's history; a fixed run is shown side by
    /// side with the run it fixed.
    fn keep_finished(&mut self, run_id: u64, result: &ScenarioResult) {
        let Some(scenario) = self.scenario_of_run(run_id) else {
            return;
        };
        let Some(RunState::Running { params, fixing, .. }) = self.runs.get(&scenario) else {
            return;
        };
        let past = PastRun {
            run_id,
            params: params.clone(),
            result: result.clone(),
            fixing: *fixing,
            guesses: self.guessed.remove(&scenario).unwrap_or_default(),
        };
        let history = self.history.entry(scenario.clone()).or_default();
        history.push(past);
        if history.len() > HISTORY_RUNS {
            history.remove(0);
        }
        if let Some(from) = *fixing {
            self.apply(Action::Compare {
                scenario,
                runs: Some((from, run_id)),
            });
        }
    }

    /// Show a run opened from a file as its scenario's latest finished run, kept in its
    /// history like any other. A run under way keeps going: the opened run waits in the
    /// history until then.
    fn open_run(&mut self, opened: OpenedRun) {
        let OpenedRun {
            descriptor,
            run_id,
            params,
            result,
            load,
        } = opened;
        let id = descriptor.id.clone();
        self.opened.retain(|d| d.id != id);
        self.opened.push(descriptor);
        if self.opened.len() > MAX_OPENED_SCENARIOS {
            self.opened.remove(0);
        }
        let history = self.history.entry(id.clone()).or_default();
        history.push(PastRun {
            run_id,
            params,
            result: result.clone(),
            fixing: None,
            guesses: Guesses::new(),
        });
        if history.len() > HISTORY_RUNS {
            history.remove(0);
        }
        if !self.run(&id).is_busy() {
            self.runs.insert(
                id,
                RunState::Finished {
                    run_id,
                    result,
                    load,
                },
            );
        }
        self.open_error = None;
    }

    /// A run ended with `outcome`; only the scenario currently running `run_id` changes.
    fn end_run(&mut self, run_id: u64, outcome: RunState) {
        if self.pending == Some(Pending::Cancel { run_id }) {
            self.pending = None;
        }
        if let Some(id) = self.scenario_of_run(run_id) {
            // A run that did not finish measured nothing to check a guess against: the
            // guesses wait for the next run.
            if !matches!(outcome, RunState::Finished { .. })
                && let Some(guesses) = self.guessed.remove(&id)
            {
                self.guesses.entry(id.clone()).or_insert(guesses);
            }
            self.runs.insert(id, outcome);
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::protocol::{EventEncoding, SessionLimits};
    use pollscope_shared::scenario::ParamSpec;

    use super::*;

    const ID: &str = "seq_vs_concurrent";

    fn descriptor() -> ScenarioDescriptor {
        ScenarioDescriptor {
            id: ID.into(),
            title: "Sequential vs concurrent".into(),
            section: 1,
            summary: "s".into(),
            params: vec![
                ParamSpec::integer("delay_a_ms", "Server A delay", "ms", 300, 10, 3000),
                ParamSpec::integer("delay_b_ms", "Server B delay", "ms", 500, 10, 3000),
            ],
            code: Default::default(),
            fixes: Vec::new(),
        }
    }

    fn hello(scenarios: Vec<ScenarioDescriptor>) -> Action {
        Action::Server(ServerMessage::Hello {
            protocol_version: PROTOCOL_VERSION,
            server_version: "0.1.0".into(),
            limits: SessionLimits {
                max_message_bytes: 65536,
                max_concurrent_runs: 1,
                max_run_seconds: 30,
                idle_timeout_seconds: 600,
                max_session_seconds: 3600,
                server_max_running: 2,
                server_max_queued: 64,
            },
            scenarios,
        })
    }

    fn connected() -> AppState {
        let mut s = AppState::default();
        s.apply(Action::Opened);
        s.apply(hello(vec![descriptor()]));
        s
    }

    fn run_sent() -> Action {
        Action::Sent(ClientMessage::Run {
            scenario: ID.into(),
            params: descriptor().defaults(),
            events: EventEncoding::Binary,
        })
    }

    fn started(run_id: u64) -> Action {
        Action::Server(ServerMessage::RunStarted {
            run_id,
            scenario: ID.into(),
            params: descriptor().defaults(),
        })
    }

    fn running(run_id: u64) -> AppState {
        let mut s = connected();
        s.apply(run_sent());
        s.apply(started(run_id));
        s
    }

    fn result() -> ScenarioResult {
        pollscope_shared::testkit::seq_vs_concurrent_result().into()
    }

    #[test]
    fn starts_connecting_and_opens() {
        let mut s = AppState::default();
        assert_eq!(s.status, ConnectionStatus::Connecting);
        assert_eq!(s.status.data_state(), "connecting");
        assert!(!s.is_connected());
        s.apply(Action::Opened);
        assert_eq!(s.status.data_state(), "connected");
        assert!(s.ever_connected);
    }

    #[test]
    fn hello_sets_scenarios_limits_and_default_params() {
        let s = connected();
        assert_eq!(s.scenarios, vec![descriptor()]);
        assert_eq!(s.limits.as_ref().unwrap().max_concurrent_runs, 1);
        assert_eq!(s.server_version.as_deref(), Some("0.1.0"));
        assert_eq!(s.params[ID], descriptor().defaults());
        assert_eq!(s.params_for(ID), descriptor().defaults());
        assert_eq!(s.run(ID), &RunState::Idle);
        assert_eq!(s.protocol_mismatch, None);
    }

    #[test]
    fn hello_with_other_protocol_version_is_flagged() {
        let mut s = AppState::default();
        let Action::Server(ServerMessage::Hello {
            server_version,
            limits,
            scenarios,
            ..
        }) = hello(vec![])
        else {
            unreachable!()
        };
        s.apply(Action::Server(ServerMessage::Hello {
            protocol_version: PROTOCOL_VERSION + 1,
            server_version,
            limits,
            scenarios,
        }));
        assert_eq!(s.protocol_mismatch, Some(PROTOCOL_VERSION + 1));
    }

    #[test]
    fn set_param_clamps_and_ignores_unknown() {
        let mut s = connected();
        let set = |name: &str, value| Action::SetParam {
            scenario: ID.into(),
            name: name.into(),
            value,
        };
        s.apply(set("delay_a_ms", 1234));
        assert_eq!(s.params[ID]["delay_a_ms"], 1234);
        s.apply(set("delay_a_ms", 999_999));
        assert_eq!(s.params[ID]["delay_a_ms"], 3000);
        s.apply(set("delay_b_ms", -5));
        assert_eq!(s.params[ID]["delay_b_ms"], 10);
        let before = s.clone();
        s.apply(set("bogus", 1));
        s.apply(Action::SetParam {
            scenario: "nope".into(),
            name: "delay_a_ms".into(),
            value: 1,
        });
        assert_eq!(s, before);
    }

    #[test]
    fn knob_values_survive_a_new_hello_reclamped() {
        let mut s = connected();
        s.apply(Action::SetParam {
            scenario: ID.into(),
            name: "delay_a_ms".into(),
            value: 2500,
        });
        let mut narrower = descriptor();
        narrower.params[0].max = 2000;
        s.apply(hello(vec![narrower]));
        assert_eq!(s.params[ID]["delay_a_ms"], 2000);
        assert_eq!(s.params[ID]["delay_b_ms"], 500);
    }

    fn open_link(query: &str) -> Action {
        Action::OpenLink {
            scenario: ID.into(),
            query: query.into(),
        }
    }

    #[test]
    fn a_link_sets_the_knobs_it_names_and_keeps_the_rest() {
        let mut s = connected();
        s.apply(Action::SetParam {
            scenario: ID.into(),
            name: "delay_b_ms".into(),
            value: 700,
        });
        s.apply(open_link("?delay_a_ms=1234"));
        assert_eq!(s.params[ID]["delay_a_ms"], 1234);
        assert_eq!(s.params[ID]["delay_b_ms"], 700);
        assert_eq!(s.link_notice, None);
        assert_eq!(s.links_opened, 1);
        // No query (a click on the navigation): the knobs stay, the count moves.
        s.apply(open_link(""));
        assert_eq!(s.params[ID]["delay_a_ms"], 1234);
        assert_eq!(s.links_opened, 2);
    }

    #[test]
    fn a_bad_link_is_named_in_the_notice_and_its_knobs_get_defaults() {
        let mut s = connected();
        s.apply(Action::SetParam {
            scenario: ID.into(),
            name: "delay_a_ms".into(),
            value: 2000,
        });
        s.apply(open_link("delay_a_ms=9999&delay_b_ms=abc&bogus=1"));
        assert_eq!(s.params[ID], descriptor().defaults());
        let notice = s.link_notice.clone().expect("a notice");
        assert_eq!(notice.scenario, ID);
        let named: Vec<&str> = notice.problems.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(named, ["delay_a_ms", "delay_b_ms", "bogus"]);
        assert!(
            notice.problems[0]
                .text
                .contains("above its maximum 3000; using the default 300"),
            "{notice:?}"
        );
        // The next clean link clears it; so does dismissing it.
        s.apply(open_link("delay_a_ms=20"));
        assert_eq!(s.link_notice, None);
        s.apply(open_link("bogus=2"));
        assert!(s.link_notice.is_some());
        s.apply(Action::DismissLinkNotice);
        assert_eq!(s.link_notice, None);
    }

    #[test]
    fn a_link_to_a_scenario_not_announced_changes_nothing() {
        let mut s = AppState::default();
        s.apply(open_link("delay_a_ms=20"));
        assert_eq!(s, AppState::default());
    }

    #[test]
    fn hello_drops_runs_of_scenarios_no_longer_announced() {
        let mut s = running(1);
        s.apply(Action::Server(ServerMessage::Result {
            run_id: 1,
            result: result(),
            load: None,
        }));
        s.apply(hello(vec![]));
        assert!(s.runs.is_empty());
        assert!(s.params.is_empty());
    }

    #[test]
    fn run_request_then_started_then_progress_then_result() {
        let mut s = connected();
        s.apply(run_sent());
        assert_eq!(s.run(ID), &RunState::Requested);
        assert!(s.run(ID).is_busy());
        assert_eq!(
            s.pending,
            Some(Pending::Run {
                scenario: ID.into()
            })
        );

        s.apply(started(7));
        assert_eq!(s.pending, None);
        assert_eq!(s.run(ID).running_id(), Some(7));

        let event = ProgressEvent::Phase {
            at_us: 210,
            name: "sequential".into(),
        };
        s.apply(Action::Server(ServerMessage::Progress {
            run_id: 7,
            event: event.clone(),
        }));
        // Progress of a run we don't know is ignored.
        s.apply(Action::Server(ServerMessage::Progress {
            run_id: 8,
            event: event.clone(),
        }));
        assert_eq!(
            s.run(ID),
            &RunState::Running {
                run_id: 7,
                params: descriptor().defaults(),
                fixing: None,
                events: vec![event],
                slot: Slot::Running,
                cancelling: false,
                limit_us: Some(30_000_000),
            }
        );

        s.apply(Action::Server(ServerMessage::Result {
            run_id: 7,
            result: result(),
            load: None,
        }));
        assert_eq!(
            s.run(ID),
            &RunState::Finished {
                run_id: 7,
                result: result(),
                load: None,
            }
        );
        assert!(!s.run(ID).is_busy());
    }

    fn finish(s: &mut AppState, run_id: u64) {
        s.apply(run_sent());
        s.apply(started(run_id));
        s.apply(Action::Server(ServerMessage::Result {
            run_id,
            result: result(),
            load: None,
        }));
    }

    #[test]
    fn finished_runs_are_kept_with_their_knobs_up_to_the_bound() {
        let mut s = connected();
        for run_id in 1..=(HISTORY_RUNS as u64 + 3) {
            finish(&mut s, run_id);
        }
        let ids: Vec<u64> = s.history(ID).iter().map(|r| r.run_id).collect();
        assert_eq!(ids, (4..=(HISTORY_RUNS as u64 + 3)).collect::<Vec<_>>());
        assert_eq!(s.history(ID)[0].params, descriptor().defaults());
        assert_eq!(s.history(ID)[0].result, result());
        // A cancelled or failed run is not a finished one.
        s.apply(run_sent());
        s.apply(started(50));
        s.apply(Action::Server(ServerMessage::RunCancelled { run_id: 50 }));
        assert!(s.history(ID).iter().all(|r| r.run_id != 50));
    }

    #[test]
    fn a_fixed_run_is_compared_with_the_run_it_fixes_when_it_finishes() {
        let mut s = connected();
        finish(&mut s, 1);
        s.apply(Action::FixRequested {
            scenario: ID.into(),
            from_run: 1,
        });
        s.apply(run_sent());
        s.apply(started(2));
        assert_eq!(s.compared(ID), None, "not before it finished");
        s.apply(Action::Server(ServerMessage::Result {
            run_id: 2,
            result: result(),
            load: None,
        }));
        let (a, b) = s.compared(ID).unwrap();
        assert_eq!((a.run_id, b.run_id, b.fixing), (1, 2, Some(1)));
        // The next plain run fixes nothing.
        finish(&mut s, 3);
        assert_eq!(s.history(ID)[2].fixing, None);
        s.apply(Action::Compare {
            scenario: ID.into(),
            runs: None,
        });
        assert_eq!(s.compared(ID), None);
    }

    fn guess(s: &mut AppState, key: &str, value: Option<u64>) {
        s.apply(Action::Guess {
            scenario: ID.into(),
            key: key.into(),
            value,
        });
    }

    #[test]
    fn guesses_go_with_the_run_started_next_and_wait_out_a_failed_one() {
        let mut s = connected();
        guess(&mut s, "sequential", Some(800_000));
        guess(&mut s, "concurrent", Some(1));
        guess(&mut s, "concurrent", None);
        finish(&mut s, 1);
        assert_eq!(
            s.history(ID)[0].guesses,
            Guesses::from([("sequential".to_owned(), 800_000)])
        );
        assert!(s.guesses.get(ID).is_none_or(BTreeMap::is_empty), "used up");
        // The next run without guesses carries none.
        finish(&mut s, 2);
        assert!(s.history(ID)[1].guesses.is_empty());
        // A cancelled run hands its guesses back to the next one.
        guess(&mut s, "sequential", Some(5));
        s.apply(run_sent());
        s.apply(started(3));
        s.apply(Action::Server(ServerMessage::RunCancelled { run_id: 3 }));
        assert_eq!(s.guesses[ID]["sequential"], 5);
        // Bounded: keys past the limit are refused, existing ones still change.
        for i in 0..2 * MAX_GUESSES {
            guess(&mut s, &format!("k{i}"), Some(1));
        }
        assert_eq!(s.guesses[ID].len(), MAX_GUESSES);
        guess(&mut s, "sequential", Some(6));
        assert_eq!(s.guesses[ID]["sequential"], 6);
    }

    #[test]
    fn only_two_different_kept_runs_can_be_compared() {
        let mut s = connected();
        finish(&mut s, 1);
        finish(&mut s, 2);
        let compare = |s: &mut AppState, runs| {
            s.apply(Action::Compare {
                scenario: ID.into(),
                runs: Some(runs),
            })
        };
        compare(&mut s, (2, 1));
        assert_eq!(s.compare[ID], (1, 2), "older first");
        compare(&mut s, (2, 2));
        assert!(
            !s.compare.contains_key(ID),
            "a run with itself is no comparison"
        );
        compare(&mut s, (1, 99));
        assert!(!s.compare.contains_key(ID), "a run not kept");
    }

    #[test]
    fn result_for_unknown_run_is_ignored() {
        let mut s = running(1);
        let before = s.clone();
        s.apply(Action::Server(ServerMessage::Result {
            run_id: 2,
            result: result(),
            load: None,
        }));
        assert_eq!(s, before);
    }

    #[test]
    fn a_queued_run_follows_its_place_then_its_admission() {
        let mut s = running(3);
        let slot = |s: &AppState| match s.run(ID) {
            RunState::Running { slot, .. } => *slot,
            other => panic!("{other:?}"),
        };
        assert_eq!(slot(&s), Slot::Running);
        s.apply(Action::Server(ServerMessage::RunQueued {
            run_id: 3,
            ahead: 2,
        }));
        assert_eq!(slot(&s), Slot::Queued { ahead: 2 });
        // Another run's place changes nothing here.
        s.apply(Action::Server(ServerMessage::RunQueued {
            run_id: 9,
            ahead: 0,
        }));
        assert_eq!(slot(&s), Slot::Queued { ahead: 2 });
        s.apply(Action::Server(ServerMessage::RunAdmitted {
            run_id: 3,
            waited_ms: 840,
        }));
        assert_eq!(slot(&s), Slot::Admitted { waited_ms: 840 });
        assert!(s.run(ID).is_busy());
    }

    #[test]
    fn cancel_then_cancelled() {
        let mut s = running(3);
        s.apply(Action::Sent(ClientMessage::Cancel { run_id: 3 }));
        assert!(matches!(
            s.run(ID),
            RunState::Running {
                cancelling: true,
                ..
            }
        ));
        assert_eq!(s.pending, Some(Pending::Cancel { run_id: 3 }));
        s.apply(Action::Server(ServerMessage::RunCancelled { run_id: 3 }));
        assert_eq!(s.run(ID), &RunState::Cancelled { run_id: 3 });
        assert_eq!(s.pending, None);
    }

    #[test]
    fn run_error_with_run_id_fails_that_run() {
        let mut s = running(1);
        s.apply(Action::Server(ServerMessage::Error {
            run_id: Some(1),
            code: ErrorCode::RunTimedOut,
            message: "run 1 exceeded the 30 s run limit".into(),
        }));
        assert_eq!(
            s.run(ID),
            &RunState::Failed {
                code: FailureCode::Server(ErrorCode::RunTimedOut),
                message: "run 1 exceeded the 30 s run limit".into()
            }
        );
    }

    #[test]
    fn request_error_without_run_id_fails_the_pending_scenario() {
        let mut s = connected();
        s.apply(run_sent());
        s.apply(Action::Server(ServerMessage::Error {
            run_id: None,
            code: ErrorCode::ParameterOutOfRange,
            message: "parameter `delay_a_ms` = 999999 is outside 10..=3000 ms".into(),
        }));
        assert_eq!(
            s.run(ID),
            &RunState::Failed {
                code: FailureCode::Server(ErrorCode::ParameterOutOfRange),
                message: "parameter `delay_a_ms` = 999999 is outside 10..=3000 ms".into()
            }
        );
        assert_eq!(s.pending, None);
        assert_eq!(s.notice, None);
    }

    #[test]
    fn refused_cancel_is_a_notice_and_the_run_keeps_going() {
        let mut s = running(4);
        s.apply(Action::Sent(ClientMessage::Cancel { run_id: 4 }));
        s.apply(Action::Server(ServerMessage::Error {
            run_id: None,
            code: ErrorCode::UnknownRun,
            message: "no run 4".into(),
        }));
        assert!(matches!(
            s.run(ID),
            RunState::Running {
                run_id: 4,
                cancelling: false,
                ..
            }
        ));
        assert_eq!(s.notice.as_deref(), Some("unknown_run: no run 4"));
        s.apply(Action::DismissNotice);
        assert_eq!(s.notice, None);
    }

    #[test]
    fn unsolicited_error_is_a_notice() {
        let mut s = connected();
        s.apply(Action::Server(ServerMessage::Error {
            run_id: None,
            code: ErrorCode::ShuttingDown,
            message: "bye".into(),
        }));
        assert_eq!(s.notice.as_deref(), Some("shutting_down: bye"));
        assert_eq!(s.run(ID), &RunState::Idle);
    }

    #[test]
    fn a_server_close_with_a_reason_is_named_in_the_notice_and_the_failed_run() {
        let mut s = running(1);
        let close = ServerClose::from_event(1013, "outbound budget exceeded: 70 KiB unread");
        s.apply(Action::Disconnected {
            attempt: 1,
            retry_in_ms: 500,
            closed_by_server: close,
        });
        let expected = "The server closed the connection (code 1013: try again later): \
                        outbound budget exceeded: 70 KiB unread";
        assert_eq!(s.notice.as_deref(), Some(expected));
        let RunState::Failed { message, .. } = s.run(ID) else {
            panic!("{:?}", s.run(ID));
        };
        assert!(message.starts_with(expected), "{message}");
        // Reconnecting keeps the notice: the reason outlives a half-second reconnect.
        s.apply(Action::Opened);
        assert_eq!(s.notice.as_deref(), Some(expected));
        // A close without a reason (a dropped connection) is not the server's doing.
        assert_eq!(ServerClose::from_event(1006, " "), None);
    }

    #[test]
    fn disconnect_while_running_fails_the_run() {
        let mut s = running(1);
        s.apply(Action::Disconnected {
            attempt: 1,
            retry_in_ms: 500,
            closed_by_server: None,
        });
        assert_eq!(
            s.status,
            ConnectionStatus::Reconnecting {
                attempt: 1,
                retry_in_ms: 500
            }
        );
        assert_eq!(s.status.data_state(), "reconnecting");
        let RunState::Failed { code, message } = s.run(ID) else {
            panic!("expected failed, got {:?}", s.run(ID));
        };
        assert_eq!(*code, FailureCode::ConnectionLost);
        assert!(message.starts_with("Connection lost. The run was in progress"));
        assert_eq!(s.pending, None);
    }

    #[test]
    fn disconnect_while_requested_fails_and_keeps_finished_results() {
        let mut s = connected();
        s.apply(run_sent());
        s.apply(Action::Disconnected {
            attempt: 1,
            retry_in_ms: 500,
            closed_by_server: None,
        });
        assert!(matches!(
            s.run(ID),
            RunState::Failed {
                code: FailureCode::ConnectionLost,
                ..
            }
        ));

        let mut s = running(1);
        s.apply(Action::Server(ServerMessage::Result {
            run_id: 1,
            result: result(),
            load: None,
        }));
        s.apply(Action::Disconnected {
            attempt: 1,
            retry_in_ms: 500,
            closed_by_server: None,
        });
        assert!(matches!(s.run(ID), RunState::Finished { .. }));
    }

    #[test]
    fn countdown_only_while_reconnecting() {
        let mut s = AppState::default();
        s.apply(Action::RetryCountdown { retry_in_ms: 100 });
        assert_eq!(s.status, ConnectionStatus::Connecting);
        s.apply(Action::Disconnected {
            attempt: 2,
            retry_in_ms: 1000,
            closed_by_server: None,
        });
        s.apply(Action::RetryCountdown { retry_in_ms: 0 });
        assert_eq!(
            s.status,
            ConnectionStatus::Reconnecting {
                attempt: 2,
                retry_in_ms: 0
            }
        );
        assert_eq!(s.status.label(), "reconnecting (attempt 2)…");
        assert!(!s.ever_connected);
        s.apply(Action::Opened);
        assert_eq!(s.status, ConnectionStatus::Connected);
    }

    #[test]
    fn recording_updates_only_bump_the_version() {
        let mut s = running(1);
        let before = s.clone();
        s.apply(Action::RecordingUpdated);
        s.apply(Action::RecordingUpdated);
        assert_eq!(s.recording_version, 2);
        s.recording_version = 0;
        assert_eq!(s, before);
    }

    #[test]
    fn event_batches_change_nothing_in_the_state() {
        let mut s = running(1);
        let before = s.clone();
        s.apply(Action::Server(ServerMessage::Events {
            run_id: 1,
            part: 0,
            seq: 0,
            dropped_total: 0,
            events: vec![],
        }));
        assert_eq!(s, before);
    }

    #[test]
    fn bad_frame_is_a_notice() {
        let mut s = connected();
        s.apply(Action::BadFrame("expected value".into()));
        assert!(s.notice.unwrap().contains("expected value"));
    }

    #[test]
    fn reducer_matches_apply() {
        let state = Rc::new(connected());
        let next = state.clone().reduce(run_sent());
        assert_eq!(next.run(ID), &RunState::Requested);
        assert_eq!(state.run(ID), &RunState::Idle, "the old state is untouched");
    }

    #[test]
    fn golden_messages_parse_and_drive_the_state() {
        let golden = |name: &str| {
            let path = format!(
                "{}/../shared/tests/golden/{name}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            ServerMessage::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
        };
        let mut s = AppState::default();
        s.apply(Action::Opened);
        s.apply(Action::Server(golden("server_hello")));
        s.apply(run_sent());
        for name in [
            "server_run_started",
            "server_progress_phase",
            "server_progress_fetch_started",
            "server_progress_fetch_finished",
        ] {
            s.apply(Action::Server(golden(name)));
        }
        let RunState::Running { events, .. } = s.run(ID) else {
            panic!("{:?}", s.run(ID))
        };
        assert_eq!(events.len(), 3);
        s.apply(Action::Server(golden("server_result")));
        assert!(matches!(s.run(ID), RunState::Finished { run_id: 1, .. }));
    }
}
