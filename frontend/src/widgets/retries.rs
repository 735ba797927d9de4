//! How the retry pages (sections 8 and 9) word a retry's attempts: what the server
//! answered, attempt by attempt, how the retrying ended, and the note on events the
//! recorder dropped (which the section 8 rate-limit page uses too). Plain functions of the figures they are given; no I/O.

use super::Note;

/// One attempt's answer as a table cell shows it: the I/O error, or the HTTP status.
pub fn answer(status: u16, error: Option<&str>) -> String {
    match error {
        Some(e) => e.to_owned(),
        None => status.to_string(),
    }
}

/// "503, 503, 200": the statuses in order (0, no status: "no answer").
pub fn statuses(each: impl IntoIterator<Item = u16>) -> String {
    let words: Vec<String> = each
        .into_iter()
        .map(|s| match s {
            0 => "no answer".to_owned(),
            s => s.to_string(),
        })
        .collect();
    words.join(", ")
}

/// "succeeded on attempt 4" or "gave up after 3 attempt(s)".
pub fn ending(succeeded: bool, attempts: usize) -> String {
    if succeeded {
        format!("succeeded on attempt {attempts}")
    } else {
        format!("gave up after {attempts} attempt(s)")
    }
}

/// The fact that the recorder dropped events, if it did: the timelines miss them, the
/// retry's own figures (measured by the retry code) do not.
pub fn dropped_events(total: u64) -> Option<Note> {
    (total > 0).then(|| {
        Note::Fact(format!(
            "The recorder dropped {total} events: the timelines miss some, the figures \
             above do not."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_worded_in_order() {
        assert_eq!(statuses([503, 0, 200]), "503, no answer, 200");
        assert_eq!(ending(true, 4), "succeeded on attempt 4");
        assert_eq!(ending(false, 3), "gave up after 3 attempt(s)");
        assert_eq!(answer(0, Some("connection refused")), "connection refused");
        assert_eq!(answer(503, None), "503");
        assert_eq!(dropped_events(0), None);
        assert!(dropped_events(3).is_some_and(|n| n.text().contains("dropped 3 events")));
    }
}
