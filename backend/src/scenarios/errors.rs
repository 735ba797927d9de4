//! Outline section 6 — errors: `?` through awaits, and what a `JoinHandle` returns.
//!
//! Part 0: a client connects to a loopback port nothing listens on (a listener bound to
//! port 0, its port read, the listener dropped), so the operating system refuses the
//! connection. The connect is the innermost of `nesting` + 1 nested async functions;
//! each awaits the next one inward at an await point named after itself, and when the
//! `Err` comes back it wraps it with its own name and returns it with `?`. The result
//! reads the chain back from the error value's `source()` links, down to the
//! `io::Error`, and the recording shows every function's await point ending in the same
//! poll, innermost first, as the error travels out.
//!
//! Part 1: three tasks; one returns `Ok`, one `Err`, one panics. `handle.await` is a
//! `Result<Result<T, E>, JoinError>`: a task's own `Err` is `Ok(Err(..))`, a panic is
//! `Err(join_error)` with `is_panic()` and the panic's payload. Tokio catches the panic
//! in the task (its default hook prints it to stderr), so the run goes on.
//!
//! Uses the harness and the recorder; nothing outside loopback.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::num::ParseIntError;
use std::pin::Pin;
use std::time::{Duration, Instant};

use pollscope_shared::instrument::{Recorder, TaskOutcome};
use pollscope_shared::instrument::stats::{RunStats, TaskState};
use pollscope_shared::results::{ErrorsResult, Joined, JoinedTask, Propagation};
use tokio::net::TcpStream;

use super::Scenario;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};

/// The functions a request goes through, outermost first; a run uses the last `nesting`
/// of them, above `connect`.
const CALLERS: [&str; 5] = [
    "serve",
    "handle_request",
    "render_page",
    "load_profile",
    "fetch_json",
];

/// The tasks of part 1.
const TASKS: u32 = 3;

crate::params! {
    /// The error's way out, and the three tasks.
    pub struct ErrorsParams {
        /// Functions the error passes through
        nesting: u32 [default 3, min 1, max 5],
        /// Which task panics (0, 1 or 2)
        panic_task: u32 [default 1, min 0, max 2],
        /// Each task's work before it ends
        work_ms: u32 [default 10, min 0, max 50, unit "ms"],
    }
}

pub struct Errors;

impl Scenario for Errors {
    type Params = ErrorsParams;
    type Output = ErrorsResult;
    const SECTION: u8 = 6;
    const TITLE: &'static str = "Errors: ? through awaits, and what a JoinHandle returns";
    const SUMMARY: &'static str = "A refused connect carried out of nested async functions by ?, and the three things awaiting a JoinHandle can give: Ok(Ok), Ok(Err), Err(JoinError).";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("errors.rs"));

    async fn run(params: ErrorsParams, run: RunContext) -> Result<ErrorsResult, ScenarioError> {
        let server = closed_port()?;
        let callers = &CALLERS[CALLERS.len() - params.nesting as usize..];
        let current_thread = RuntimeSpec { workers: 0 };

        run.phase(format!(
            "part 0: connect to {server} through {} function(s)",
            callers.len()
        ));
        let part = Part::single(current_thread);
        let measured = run_part(&run, part, move |recorder| async move {
            let started = Instant::now();
            let outcome = call(recorder, server, callers).await;
            (outcome, started.elapsed())
        })
        .await?;
        let (outcome, elapsed) = measured.output;
        let Err(error) = outcome else {
            return Err(ScenarioError::new(format!(
                "something accepted the connection to {server}: the port was taken again"
            )));
        };
        let propagation = trace(server.port(), &error, elapsed)?;

        let work = Duration::from_millis(params.work_ms.into());
        run.phase(format!(
            "part 1: {TASKS} tasks, task {} panics",
            params.panic_task
        ));
        let part = Part {
            index: 1,
            runtime: current_thread,
            keep: Keep::TaskStats,
        };
        let panic_task = params.panic_task;
        let measured = run_part(&run, part, move |recorder| {
            join_three(recorder, panic_task, work)
        })
        .await?;
        let stats = measured.folded.stats.unwrap_or_default();
        let tasks = (0..)
            .zip(measured.output)
            .map(|(task, joined)| {
                let (recorded, busy_us) = recorded_end(&stats, task);
                JoinedTask {
                    task,
                    joined,
                    recorded,
                    busy_us,
                }
            })
            .collect();
        Ok(ErrorsResult {
            nesting: params.nesting,
            panic_task: params.panic_task,
            work_ms: params.work_ms,
            propagation,
            tasks,
        })
    }
}

// [demo:start]
/// An error and the function it came out of: what `anyhow`'s `.context(..)` does, by
/// hand. Its `source()` is the error from one call deeper, so the chain can be walked.
#[derive(Debug)]
pub struct InFunction {
    function: &'static str,
    source: Box<dyn Error + Send + Sync>,
}

impl fmt::Display for InFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "in {}", self.function)
    }
}

impl Error for InFunction {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

/// `result.context("fetch_json")?`: name the function an error passes through.
trait Context<T> {
    fn context(self, function: &'static str) -> Result<T, InFunction>;
}

impl<T, E: Into<Box<dyn Error + Send + Sync>>> Context<T> for Result<T, E> {
    fn context(self, function: &'static str) -> Result<T, InFunction> {
        self.map_err(|e| InFunction {
            function,
            source: e.into(),
        })
    }
}

/// Where the error arises: nothing listens on the port, so the OS refuses the connect.
async fn connect(rec: &Recorder, server: SocketAddr) -> Result<TcpStream, InFunction> {
    let stream = rec.io("connect", TcpStream::connect(server)).await.context("connect")?;
    Ok(stream)
}

/// One function of the chain (`fetch_json`, `load_profile`, ...): it awaits the next one
/// inward at an await point named after itself; an `Err` gets its name and leaves by `?`.
/// Boxed because it calls itself: a future that contains itself has no size.
fn call(
    rec: Recorder,
    server: SocketAddr,
    callers: &'static [&'static str],
) -> Pin<Box<dyn Future<Output = Result<TcpStream, InFunction>> + Send>> {
    Box::pin(async move {
        let Some((&function, inner)) = callers.split_first() else {
            return connect(&rec, server).await;
        };
        let next = call(rec.clone(), server, inner);
        let stream = rec.point(function, next).await.context(function)?;
        Ok(stream)
    })
}

/// What a task of part 1 is told to do.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Ok,
    Err,
    Panic,
}

/// One task: it works (waits) a while, then parses a number, or panics.
async fn task_body(rec: Recorder, task: u32, fate: Fate, work: Duration) -> Result<u32, ParseIntError> {
    rec.timer("work", tokio::time::sleep(work)).await;
    match fate {
        Fate::Ok => "42".parse(),
        Fate::Err => "4two".parse(),
        Fate::Panic => panic!("task {task} panicked after {} ms of work", work.as_millis()),
    }
}

/// Spawn three tasks and tell apart the three things `handle.await` can give.
async fn join_three(rec: Recorder, panic_task: u32, work: Duration) -> Vec<Joined> {
    let mut fates = [Fate::Ok, Fate::Err].into_iter();
    let handles: Vec<_> = (0..TASKS)
        .map(|task| {
            let fate = if task == panic_task {
                Fate::Panic
            } else {
                fates.next().unwrap_or(Fate::Ok)
            };
            let body = task_body(rec.clone(), task, fate, work);
            tokio::spawn(rec.fallible_task(format!("task {task}"), body))
        })
        .collect();
    let mut joined = Vec::new();
    for handle in handles {
        joined.push(match rec.point("join", handle).await {
            Ok(Ok(value)) => Joined::Ok { value },
            Ok(Err(e)) => Joined::Err { error: e.to_string() },
            Err(join_error) if join_error.is_panic() => Joined::Panic {
                message: panic_message(join_error.into_panic()),
            },
            Err(_cancelled) => Joined::Cancelled,
        });
    }
    joined
}

/// A panic's payload is `Box<dyn Any>`: `panic!("literal")` carries a `&str`,
/// `panic!("{x}")` a `String`.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a payload that is not a string)".to_owned()
    }
}
// [demo:end]

/// A loopback address nothing listens on: a listener's port, the listener dropped.
fn closed_port() -> io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    Ok(addr)
}

/// Part 0's result, read from the error value: every `InFunction` of its `source()`
/// chain, then the `io::Error` at the bottom.
fn trace(port: u16, error: &InFunction, elapsed: Duration) -> Result<Propagation, ScenarioError> {
    let mut chain = Vec::new();
    let mut display = Vec::new();
    let mut io_error = None;
    let mut next: Option<&(dyn Error + 'static)> = Some(error);
    while let Some(e) = next {
        display.push(e.to_string());
        if let Some(frame) = e.downcast_ref::<InFunction>() {
            chain.push(frame.function.to_owned());
        } else if let Some(io) = e.downcast_ref::<io::Error>() {
            io_error = Some(io);
        }
        next = e.source();
    }
    let io = io_error.ok_or_else(|| ScenarioError::new(format!("no io::Error under {error}")))?;
    chain.reverse();
    Ok(Propagation {
        port,
        chain,
        io_kind: format!("{:?}", io.kind()),
        os_code: io.raw_os_error(),
        io_message: io.to_string(),
        display: display.join(": "),
        elapsed_us: duration_us(elapsed),
    })
}

/// How the recorder saw task `task` of part 1 end, and its time inside polls.
fn recorded_end(stats: &RunStats, task: u32) -> (Option<TaskOutcome>, u64) {
    let name = format!("task {task}");
    let Some(t) = stats.tasks.values().find(|t| t.name == name) else {
        return (None, 0);
    };
    let outcome = match t.state {
        TaskState::Done(outcome) => Some(outcome),
        TaskState::Scheduled | TaskState::Idle => None,
    };
    (outcome, t.busy_ns / 1000)
}
