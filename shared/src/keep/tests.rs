//! Kept-run files: a round trip keeps every field and event; corrupt, truncated, foreign
//! and too-new files are refused with their own error, never a panic.

use super::*;
use crate::instrument::event::LaneKind;
use crate::instrument::{
    Event, EventKind, LaneId, PollEvent, PollOutcome, SpanId, SpawnEvent, TaskId, TaskKind,
    TaskOutcome, Wait, WakeSource,
};
use crate::load::ThreadLoad;

const ECHO_RESULT: &str = include_str!("../../tests/golden/results/echo.json");

fn descriptor() -> ScenarioDescriptor {
    ScenarioDescriptor {
        id: "echo".into(),
        title: "Echo server".into(),
        section: 4,
        summary: "s".into(),
        params: vec![crate::scenario::ParamSpec::integer(
            "clients", "Clients", "", 8, 1, 64,
        )],
        code: Default::default(),
        fixes: Vec::new(),
    }
}

/// A run of `tasks` tasks on two lanes: spawned, polled Pending on a named read, woken by
/// the reactor, polled Ready, completed; the lanes park and unpark between.
fn events(tasks: u32) -> Vec<Event> {
    let mut out = Vec::new();
    let mut t = 0u64;
    let mut at = |kind| {
        t += 7;
        Event { t_ns: t, kind }
    };
    for lane in 0..2 {
        out.push(at(EventKind::Lane {
            lane: LaneId(lane),
            name: format!("worker {lane}").into(),
            lane_kind: LaneKind::Worker,
        }));
    }
    for task in 1..=tasks {
        let lane = Some(LaneId(task % 2));
        out.push(at(EventKind::Spawn(SpawnEvent {
            task: TaskId(task),
            name: "connection".into(),
            parent: (task > 1).then_some(TaskId(1)),
            task_kind: TaskKind::Async,
        })));
        out.push(at(EventKind::Poll(PollEvent {
            task: TaskId(task),
            lane,
            busy_ns: 3,
            outcome: PollOutcome::Pending,
            resumed: None,
            waiting_on: Some(Wait {
                span: SpanId(task),
                name: "read request".into(),
            }),
            waker_clones: 1,
        })));
        out.push(at(EventKind::Park { lane: LaneId(0) }));
        out.push(at(EventKind::Unpark { lane: LaneId(0) }));
        out.push(at(EventKind::Wake {
            task: TaskId(task),
            by: WakeSource::Reactor,
            by_ref: false,
        }));
        out.push(at(EventKind::Poll(PollEvent {
            task: TaskId(task),
            lane,
            busy_ns: 2,
            outcome: PollOutcome::Ready,
            resumed: Some(SpanId(task)),
            waiting_on: None,
            waker_clones: 0,
        })));
        out.push(at(EventKind::Complete {
            task: TaskId(task),
            outcome: TaskOutcome::Ok,
        }));
    }
    out
}

fn kept(tasks: u32) -> KeptRun {
    let events = events(tasks);
    let mut batches = batches_of(9, 0, 3, &events);
    batches.extend(batches_of(9, 1, 0, &events[..10]));
    KeptRun {
        protocol_version: crate::PROTOCOL_VERSION,
        descriptor: descriptor(),
        run_id: 9,
        params: [("clients".to_owned(), 8)].into(),
        result: serde_json::from_str(ECHO_RESULT).expect("golden echo result"),
        load: Some(RunLoad {
            other_runs: 1,
            threads: Some(ThreadLoad {
                threads: 2,
                cpu_us: 10,
                run_queue_wait_us: 2,
                wall_us: 30,
            }),
        }),
        batches,
    }
}

#[test]
fn a_run_comes_back_as_it_was_saved() {
    let run = kept(200);
    let bytes = run.encode();
    assert!(bytes.starts_with(MAGIC));
    let back = KeptRun::decode(&bytes).expect("decodes");
    assert_eq!(back, run);
    assert_eq!(back.events(), 200 * 7 + 2 + 10);
}

#[test]
fn a_long_part_is_split_into_numbered_batches_and_an_empty_one_is_kept() {
    let events = events(EVENTS_PER_BATCH as u32 / 7 + 10);
    let batches = batches_of(1, 2, 5, &events);
    assert_eq!(batches.len(), 2);
    assert_eq!(
        batches.iter().map(|b| b.seq).collect::<Vec<_>>(),
        vec![0, 1]
    );
    assert!(batches.iter().all(|b| b.part == 2 && b.dropped_total == 5));
    let joined: Vec<Event> = batches.into_iter().flat_map(|b| b.events).collect();
    assert_eq!(joined, events);
    let empty = batches_of(1, 0, 0, &[]);
    assert_eq!(empty.len(), 1);
    assert!(empty[0].events.is_empty());
}

#[test]
fn a_foreign_file_is_refused() {
    for foreign in [
        &b""[..],
        b"\x89PNG\r\n\x1a\n0000000000000000",
        b"{\"type\":\"result\"}",
        b"POLLSCOPE",
        b"POLLSCOPE-RUX\0\0\0\x01\0\0\0",
    ] {
        let error = KeptRun::decode(foreign).expect_err("foreign");
        // A file that is a prefix of the magic (or empty) may be a run cut short.
        if MAGIC.starts_with(foreign) {
            assert!(matches!(error, KeepError::Truncated), "{error}");
        } else {
            assert!(matches!(error, KeepError::Foreign), "{error}");
        }
    }
}

#[test]
fn a_newer_format_is_refused_by_its_version() {
    let mut bytes = kept(3).encode();
    bytes[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let error = KeptRun::decode(&bytes).expect_err("too new");
    assert!(matches!(error, KeepError::TooNew(v) if v == FORMAT_VERSION + 1));
    assert!(error.to_string().contains("newer pollscope"), "{error}");
    bytes[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&0u32.to_le_bytes());
    assert!(matches!(
        KeptRun::decode(&bytes),
        Err(KeepError::BadVersion)
    ));
}

#[test]
fn every_truncation_is_refused() {
    let bytes = kept(20).encode();
    for len in 0..bytes.len() {
        let error = KeptRun::decode(&bytes[..len]).expect_err("truncated");
        assert!(
            matches!(
                error,
                KeepError::Truncated | KeepError::Corrupt(_) | KeepError::Batch { .. }
            ),
            "{len}: {error}"
        );
    }
    // Cut in the middle of the last batch: postcard sees the end early.
    assert!(matches!(
        KeptRun::decode(&bytes[..bytes.len() - 3]),
        Err(KeepError::Truncated)
    ));
}

#[test]
fn flipped_bytes_never_panic_and_most_are_caught() {
    let bytes = kept(20).encode();
    // A fixed-seed xorshift: the same corruptions every run.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut refused = 0;
    const TRIES: usize = 3_000;
    for _ in 0..TRIES {
        let mut corrupt = bytes.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % corrupt.len();
            corrupt[at] ^= 1 << (next() % 8);
        }
        // Never a panic; a decoded file still holds a bounded number of events.
        match KeptRun::decode(&corrupt) {
            Ok(run) => assert!(run.events() <= MAX_EVENTS),
            Err(_) => refused += 1,
        }
    }
    // Many flips land in a time delta or a count and still decode to a valid run; the
    // structural ones are caught.
    assert!(refused > TRIES / 10, "{refused} of {TRIES} refused");
}

#[test]
fn the_bounds_are_checked_before_decoding() {
    let bytes = kept(20).encode();
    assert!(matches!(
        KeptRun::decode_within(&bytes, bytes.len() - 1, MAX_EVENTS),
        Err(KeepError::TooLarge(n, _)) if n == bytes.len()
    ));
    assert!(matches!(
        KeptRun::decode_within(&bytes, bytes.len(), 100),
        Err(KeepError::TooManyEvents(100))
    ));
    assert!(KeptRun::decode_within(&bytes, bytes.len(), 20 * 7 + 12).is_ok());
}

#[test]
fn a_result_for_another_page_is_refused() {
    let mut run = kept(2);
    run.descriptor.id = "pooling".into();
    assert!(matches!(
        KeptRun::decode(&run.encode()),
        Err(KeepError::Mismatch { .. })
    ));
}

#[test]
fn a_corrupt_batch_names_its_index() {
    let run = kept(2);
    let mut body: Body = postcard::from_bytes(&run.encode()[MAGIC.len() + 4..]).unwrap();
    body.batches[1] = vec![0x00, 1, 2];
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend(postcard::to_allocvec(&body).unwrap());
    let error = KeptRun::decode(&bytes).expect_err("corrupt batch");
    assert!(
        matches!(error, KeepError::Batch { index: 1, .. }),
        "{error}"
    );
}

/// Bytes per 100,000 events of an echo-like run, printed for the README's figure; the
/// assertion only says the file is smaller than the JSON of the same events.
#[test]
fn bytes_per_100k_events() {
    let run = kept(100_000 / 7);
    let bytes = run.encode().len() as u64;
    let per_100k = bytes * 100_000 / run.events();
    let json: usize = run
        .batches
        .iter()
        .map(|b| serde_json::to_string(&b.events).unwrap().len())
        .sum();
    println!(
        "kept run: {bytes} bytes for {} events = {per_100k} bytes per 100k events (JSON: {json})",
        run.events()
    );
    assert!((bytes as usize) < json / 3, "{bytes} vs JSON {json}");
}

#[test]
fn a_result_whose_histogram_is_broken_is_refused_as_corrupt() {
    // A file edited by hand: one more bucket count than the edges can hold. The page
    // would index past the edges when plotting it; the file is refused instead.
    let run = kept(2);
    let mut body: Body = postcard::from_bytes(&run.encode()[MAGIC.len() + 4..]).unwrap();
    // Edited in place, keys in their order: the file's result keeps its tag first.
    let counts = body.result.find("\"counts\":[").expect("a histogram") + "\"counts\":[".len();
    body.result.insert_str(counts, "0,");
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend(postcard::to_allocvec(&body).unwrap());
    let error = KeptRun::decode(&bytes).expect_err("broken histogram");
    assert!(
        matches!(&error, KeepError::Corrupt(why) if why.contains("histogram")),
        "{error}"
    );
}
