//! How a run is named wherever the page shows it. Runs the server ran are numbered by
//! the server ("run 3"); a run opened from a file gets a page-local id from
//! [`OPENED_RUN_IDS`] up (2^40 + n, so it can never meet a server's id), which means
//! nothing to a reader: it is shown as the n-th run opened ("run #1 (opened)").
//!
//! Pure; uses only [`crate::state::OPENED_RUN_IDS`].

use crate::state::OPENED_RUN_IDS;

/// `"run 3"`, or `"run #1 (opened)"` for the first run opened from a file.
pub fn run_name(run_id: u64) -> String {
    match run_id.checked_sub(OPENED_RUN_IDS) {
        Some(n) => format!("run #{} (opened)", n + 1),
        None => format!("run {run_id}"),
    }
}

/// [`run_name`] at the start of a sentence: `"Run 3"`, `"Run #1 (opened)"`.
pub fn run_title(run_id: u64) -> String {
    let name = run_name(run_id);
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_runs_keep_their_number_and_opened_runs_are_counted() {
        assert_eq!(run_name(3), "run 3");
        assert_eq!(run_title(3), "Run 3");
        assert_eq!(run_name(OPENED_RUN_IDS), "run #1 (opened)");
        assert_eq!(run_title(OPENED_RUN_IDS + 1), "Run #2 (opened)");
        assert!(!run_name(OPENED_RUN_IDS + 41).contains(&OPENED_RUN_IDS.to_string()));
        assert_eq!(
            run_name(OPENED_RUN_IDS - 1),
            format!("run {}", OPENED_RUN_IDS - 1)
        );
    }
}
