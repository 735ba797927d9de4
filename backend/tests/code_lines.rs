//! The code panel's line map cannot silently rot: a real run of every demo records await
//! points and spawns tasks under names, and every await point name that the demo's
//! snippet spells as a literal is resolved to a line in the descriptor the hello carries;
//! every spawn pattern the descriptor resolved names a task the run recorded.

mod common;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::{EventKind, PollEvent, SpawnEvent};
use pollscope_shared::scenario::ScenarioDescriptor;

/// The names one run recorded: await points (what tasks waited on) and tasks.
#[derive(Debug, Default)]
struct Recorded {
    awaits: Vec<String>,
    tasks: Vec<String>,
}

async fn record(server: &TestServer, descriptor: &ScenarioDescriptor) -> Recorded {
    // The smallest run of the demo: every parameter at its minimum.
    let params: Vec<(&str, i64)> = descriptor
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.min))
        .collect();
    let (mut client, _) = server.start_run(&run(&descriptor.id, &params)).await;
    let (batches, last) = collect(&mut client).await;
    assert!(
        matches!(last, ServerMessage::Result { .. }),
        "{}: {last:?}",
        descriptor.id
    );
    let mut names = Recorded::default();
    for event in events_by_part(batches).into_values().flatten() {
        match event.kind {
            EventKind::Poll(PollEvent {
                waiting_on: Some(wait),
                ..
            }) => names.awaits.push(wait.name.into_owned()),
            EventKind::SpanEnter { name, .. } => names.awaits.push(name.into_owned()),
            EventKind::Spawn(SpawnEvent { name, .. }) => names.tasks.push(name.into_owned()),
            _ => {}
        }
    }
    names.awaits.sort_unstable();
    names.awaits.dedup();
    names
}

/// Whether `name` is a string literal on some line of `text`, outside a `//` comment.
fn spells(text: &str, name: &str) -> bool {
    let literal = format!("\"{name}\"");
    text.lines()
        .any(|line| line.split("//").next().unwrap_or("").contains(&literal))
}

#[tokio::test]
async fn every_recorded_await_point_the_snippet_names_is_resolved_to_its_line() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    let ServerMessage::Hello { scenarios, .. } = client.recv().await else {
        panic!("no hello");
    };
    let mut resolved = 0;
    for descriptor in &scenarios {
        let code = &descriptor.code;
        let recorded = record(&server, descriptor).await;
        for name in &recorded.awaits {
            if !spells(&code.text, name) {
                continue; // named outside the snippet, or not by a literal
            }
            let line = code.await_line(name).unwrap_or_else(|| {
                panic!(
                    "{}: await point `{name}` is in the snippet but not resolved: {:?}",
                    descriptor.id, code.await_lines
                )
            });
            let text = code.text.lines().nth(line as usize - 1).unwrap_or("");
            assert!(
                text.contains(&format!("\"{name}\"")),
                "{}: line {line} of the snippet is {text:?}, not `{name}`'s",
                descriptor.id
            );
            resolved += 1;
        }
        for (pattern, line) in &code.spawn_lines {
            assert!(
                recorded
                    .tasks
                    .iter()
                    .any(|task| code.spawn_line(task) == Some(*line)),
                "{}: line {line} spawns `{pattern}`, but no recorded task of {:?} maps to it",
                descriptor.id,
                recorded.tasks
            );
        }
    }
    // The echo demo alone names its accept, reads and writes in its snippet.
    assert!(resolved >= 3, "only {resolved} await points resolved");
    let echo = scenarios.iter().find(|d| d.id == "echo").expect("echo");
    assert!(echo.code.await_line("read request").is_some());
    assert!(echo.code.spawn_line("conn 127.0.0.1:1").is_some());
}
