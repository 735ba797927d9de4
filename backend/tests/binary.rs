//! The `pollscope` binary itself: it prints its address, serves, and on SIGTERM closes
//! open sessions with 1001 and exits cleanly within seconds.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use pollscope_shared::ServerMessage;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn sigterm_closes_sessions_with_1001_and_exits_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pollscope"))
        .args(["--bind", "127.0.0.1:0", "--static-dir", "/nonexistent"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("pollscope listening on http://")
        .expect(&line)
        .to_owned();

    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{url}/ws"))
        .await
        .unwrap();
    let hello = ws.next().await.unwrap().unwrap();
    assert!(matches!(
        ServerMessage::from_json(hello.to_text().unwrap()),
        Ok(ServerMessage::Hello { .. })
    ));
    ws.send(Message::text(
        r#"{"type":"run","scenario":"seq_vs_concurrent","params":{"delay_a_ms":3000,"delay_b_ms":3000}}"#,
    ))
    .await
    .unwrap();

    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1001));
    let exit = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "{exit:?}");
}
