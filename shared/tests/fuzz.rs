//! Bounded fuzzing of the two decoders that read bytes from the other side of a socket:
//! the server's control-message parser ([`ClientMessage::parse`]) and the browser's
//! binary event-batch decoder ([`EventBatch::decode_binary`]), plus the browser's JSON
//! reader of server messages. Each gets valid frames (the golden files) mutated at random
//! — bytes flipped, inserted, deleted, truncated, spliced, lengths inflated — and frames
//! built to hurt: deep nesting, huge counts in a few bytes, long strings.
//!
//! What must hold for every input: no panic, a typed error or a value, and a value that
//! survives its own round trip (what the decoder accepted, the encoder writes back the
//! same). The generator is a fixed-seed xorshift, so a failure names the case that
//! reproduces it; the counts keep the whole file to a few seconds.

use std::path::PathBuf;

use pollscope_shared::instrument::EventKind;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::{ClientMessage, ErrorCode, ServerMessage};

/// Mutated frames per seed and decoder: 20,000 in the test command, more with
/// `FUZZ_CASES=<n>` (and another sequence with `FUZZ_SEED=<n>`) for a longer hunt.
fn cases() -> usize {
    env_number("FUZZ_CASES").map_or(20_000, |n| n as usize)
}

/// The generator for one test: its own fixed seed, varied by `FUZZ_SEED`.
fn rng(seed: u64) -> Rng {
    Rng((seed ^ env_number("FUZZ_SEED").unwrap_or(0)) | 1)
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

/// xorshift64*: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to eight random edits of `seed`: the ways a frame gets damaged.
fn mutate(rng: &mut Rng, seed: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(7) {
            0 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << rng.below(8);
            }
            1 => bytes.insert(at, rng.next() as u8),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            3 => bytes.truncate(at),
            4 => {
                // A run of 0xff: in postcard, a varint that claims an enormous length.
                let n = 1 + rng.below(10);
                bytes.splice(at..at, std::iter::repeat_n(0xff, n));
            }
            5 => {
                // A piece of another valid frame, spliced in.
                let other = &others[rng.below(others.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(64)).min(other.len());
                bytes.splice(at..at, other[from..to].iter().copied());
            }
            _ => {
                // Repeat a slice: duplicated fields, repeated structure.
                if at < bytes.len() {
                    let to = (at + rng.below(32)).min(bytes.len());
                    let piece = bytes[at..to].to_vec();
                    bytes.splice(at..at, piece);
                }
            }
        }
    }
    bytes
}

fn golden(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parse a client frame; the only errors a text frame can get are the two "not a message"
/// codes and the parameter-free ones; whatever parses writes back to itself.
fn check_client(case: usize, text: &str) {
    match ClientMessage::parse(text) {
        Ok(message) => {
            let again = ClientMessage::parse(&message.to_json());
            assert_eq!(again.as_ref(), Ok(&message), "case {case}: {text:?}");
        }
        Err(e) => assert!(
            matches!(
                e.code,
                ErrorCode::MalformedMessage | ErrorCode::UnknownMessageType
            ),
            "case {case}: {text:?} gave {e:?}"
        ),
    }
}

#[test]
fn mutated_client_frames_get_a_typed_error_or_a_message_that_round_trips() {
    let seeds: Vec<Vec<u8>> = ["client_run", "client_cancel"].map(golden).into();
    let mut rng = rng(0x5eed_c11e_47f0_0001);
    for case in 0..cases() * seeds.len() {
        let bytes = mutate(&mut rng, &seeds[case % seeds.len()], &seeds);
        // A text frame is UTF-8 (the socket refuses anything else before we see it).
        check_client(case, &String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn hostile_client_frames_are_refused_without_harm() {
    let deep = |open: &str, close: &str, n| format!("{}{}", open.repeat(n), close.repeat(n));
    let long = "x".repeat(1 << 20);
    let cases = [
        deep("[", "]", 100_000),
        deep("{\"a\":", "}", 100_000),
        format!(
            "{{\"type\":\"run\",\"scenario\":\"echo\",\"params\":{}}}",
            deep("{\"a\":", "}", 10_000)
        ),
        format!("{{\"type\":\"{long}\"}}"),
        format!("{{\"type\":\"run\",\"scenario\":\"{long}\",\"params\":{{}}}}"),
        "{\"type\":\"cancel\",\"run_id\":1e999}".to_owned(),
        "{\"type\":\"cancel\",\"run_id\":-1}".to_owned(),
        "{\"type\":\"cancel\",\"run_id\":18446744073709551616}".to_owned(),
        "{\"type\":\"run\",\"type\":\"cancel\",\"run_id\":1}".to_owned(),
        "\u{feff}{\"type\":\"cancel\",\"run_id\":1}".to_owned(),
        String::new(),
        "\0".repeat(1000),
    ];
    for (case, text) in cases.iter().enumerate() {
        check_client(case, text);
    }
}

#[test]
fn mutated_server_json_is_read_or_refused_by_the_browser_without_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("server_"))
        })
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 8, "the golden server messages");
    let mut rng = rng(0x5eed_5e4e_0000_0002);
    for case in 0..cases() {
        let bytes = mutate(&mut rng, &seeds[case % seeds.len()], &seeds);
        if let Ok(message) = ServerMessage::from_json(&String::from_utf8_lossy(&bytes)) {
            let again = ServerMessage::from_json(&message.to_json()).unwrap();
            assert_eq!(again, message, "case {case}");
        }
    }
}

/// The golden event batch (one event of every kind) as the binary frame the browser
/// reads, and a few shorter ones cut from it.
fn binary_seeds() -> Vec<Vec<u8>> {
    let text = String::from_utf8(golden("server_events")).unwrap();
    let ServerMessage::Events {
        run_id,
        part,
        seq,
        dropped_total,
        events,
    } = ServerMessage::from_json(&text).unwrap()
    else {
        panic!("server_events.json is an events message");
    };
    (1..=events.len())
        .step_by(4)
        .chain([events.len()])
        .map(|n| {
            EventBatch {
                run_id,
                part,
                seq,
                dropped_total,
                events: events[..n].to_vec(),
            }
            .encode_binary()
        })
        .collect()
}

/// `batch` as a recorder could have recorded it (see [`EventBatch::encode_binary`]): a
/// poll's waker clones kept in 16 bits, and the values the recorder's packed record uses
/// for "none" (task 0 as a parent, lane or span `u32::MAX`) read as none. A frame from
/// elsewhere may say them; re-encoded, they say what a recorder would.
fn as_recordable(mut batch: EventBatch) -> EventBatch {
    for event in &mut batch.events {
        match &mut event.kind {
            EventKind::Poll(poll) => {
                poll.waker_clones = poll.waker_clones.min(u32::from(u16::MAX));
                poll.lane = poll.lane.filter(|l| l.0 != u32::MAX);
                poll.resumed = poll.resumed.filter(|s| s.0 != u32::MAX);
                poll.waiting_on = poll.waiting_on.take().filter(|w| w.span.0 != u32::MAX);
            }
            EventKind::Spawn(spawn) => spawn.parent = spawn.parent.filter(|p| p.0 != 0),
            _ => {}
        }
    }
    batch
}

fn check_binary(case: usize, bytes: &[u8]) {
    if let Ok(batch) = EventBatch::decode_binary(bytes) {
        let again = EventBatch::decode_binary(&batch.encode_binary())
            .unwrap_or_else(|e| panic!("case {case}: a decoded batch re-encodes badly: {e}"));
        assert_eq!(again, as_recordable(batch), "case {case}");
    }
}

#[test]
fn mutated_binary_batches_decode_or_fail_typed_and_round_trip() {
    let seeds = binary_seeds();
    let mut rng = rng(0x5eed_b1a5_0000_0003);
    for case in 0..cases() * 2 {
        let bytes = mutate(&mut rng, &seeds[case % seeds.len()], &seeds);
        check_binary(case, &bytes);
    }
}

#[test]
fn hostile_binary_frames_fail_without_allocating_what_they_claim() {
    let seed = binary_seeds().pop().unwrap();
    let tag = seed[0];
    let mut cases: Vec<Vec<u8>> = vec![
        vec![],
        vec![tag],
        vec![0x00; 64],
        // Header fields, then an event count of 2^63: a few bytes claiming a huge batch.
        [&[tag, 1, 0, 0, 0][..], &[0xff; 9], &[0x7f]].concat(),
        // A name reference far beyond the names spelled so far.
        [&seed[..seed.len() / 2], &[0xff; 5][..]].concat(),
    ];
    // Every prefix of a valid frame: each is a truncated frame.
    cases.extend((0..seed.len()).map(|n| seed[..n].to_vec()));
    for (case, bytes) in cases.iter().enumerate() {
        check_binary(case, bytes);
    }
    assert!(EventBatch::decode_binary(&[]).is_err());
    assert!(EventBatch::decode_binary(&seed[..seed.len() - 1]).is_err());
}
