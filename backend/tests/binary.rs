//! The `pollscope` binary itself: it prints its address, serves, and on SIGTERM closes
//! open sessions with 1001 and exits cleanly without waiting for the runs they had going.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use pollscope_shared::ServerMessage;
use tokio_tungstenite::tungstenite::Message;

/// The server process, killed if the test ends (or fails) while it still runs.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test]
async fn sigterm_closes_sessions_with_1001_and_exits_cleanly() {
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_pollscope"))
            .args(["--bind", "127.0.0.1:0", "--static-dir", "/nonexistent"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary starts"),
    );
    let child = &mut server.0;
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
    // A run that lasts at least 3 + 3 s sequentially, then 3 s concurrently.
    ws.send(Message::text(
        r#"{"type":"run","scenario":"seq_vs_concurrent","params":{"delay_a_ms":3000,"delay_b_ms":3000}}"#,
    ))
    .await
    .unwrap();
    let run_lasts_at_least = Duration::from_secs(9);
    let started_run = loop {
        let frame = ws.next().await.unwrap().unwrap();
        if let Message::Text(text) = frame {
            break ServerMessage::from_json(&text).unwrap();
        }
    };
    assert!(
        matches!(started_run, ServerMessage::RunStarted { .. }),
        "{started_run:?}"
    );

    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let close = loop {
        match tokio::time::timeout(run_lasts_at_least, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(Message::Text(text)))) => {
                let message = ServerMessage::from_json(&text).unwrap();
                assert!(
                    matches!(message, ServerMessage::Progress { .. }),
                    "the run ended before the server did: {message:?}"
                );
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1001));
    let exit = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        // Exiting without waiting for the run: before it could have finished.
        assert!(
            started.elapsed() < run_lasts_at_least,
            "still running {:?} after SIGTERM",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "{exit:?}");
}
