//! Runs you can keep: a finished run saved to one file and opened again, offline, and
//! exported for Perfetto.
//!
//! The file format lives in [`pollscope_shared::keep`]; here are the two pure steps between
//! it and the page — [`kept_run`] gathers what the page holds of a finished run into a
//! [`KeptRun`], [`open_into`] puts a decoded one back (its events into the recordings
//! store, under a new run id, and the rest as an [`OpenedRun`] for the reducer) — and the
//! components that do the browser's part: [`save::SaveRun`] (a download) and
//! [`open::OpenRun`] (a file picker, and files dropped on the page).
//!
//! May use [`crate::state`] and [`crate::recording`]; no demo page.

pub mod open;
pub mod perfetto;
pub mod save;

use pollscope_shared::PROTOCOL_VERSION;
use pollscope_shared::keep::{KeepError, KeptRun, batches_of};
use pollscope_shared::load::RunLoad;
use pollscope_shared::scenario::ScenarioDescriptor;

use crate::recording::{Recordings, RunRecording};
use crate::state::{OpenedRun, PastRun};

/// Why a finished run cannot be saved whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveRefusal {
    #[error("its recorded events are no longer kept on this page")]
    EventsLetGo,
    #[error(
        "{0} of its events were not kept on this page (past the page's bound), so the file could not replay it whole"
    )]
    EventsNotKept(u64),
}

/// Everything the page holds of finished run `past`: its scenario, knobs, result, load,
/// and every event of every part, as batches.
pub fn kept_run(
    descriptor: &ScenarioDescriptor,
    past: &PastRun,
    load: Option<&RunLoad>,
    recording: Option<&RunRecording>,
) -> Result<KeptRun, SaveRefusal> {
    let recording = recording.ok_or(SaveRefusal::EventsLetGo)?;
    let not_kept: u64 = recording.parts.values().map(|p| p.events_not_kept).sum();
    if not_kept > 0 {
        return Err(SaveRefusal::EventsNotKept(not_kept));
    }
    let batches = recording
        .parts
        .values()
        .flat_map(|p| batches_of(past.run_id, p.part, p.dropped_total, &p.events))
        .collect();
    Ok(KeptRun {
        protocol_version: PROTOCOL_VERSION,
        descriptor: descriptor.clone(),
        run_id: past.run_id,
        params: past.params.clone(),
        result: past.result.clone(),
        load: load.cloned(),
        batches,
    })
}

/// Decode a file and put its events into `recordings` as run `run_id`; what the reducer
/// needs to show it comes back. On an error nothing in `recordings` changed.
pub fn open_into(
    bytes: &[u8],
    run_id: u64,
    recordings: &mut Recordings,
) -> Result<OpenedRun, KeepError> {
    let kept = KeptRun::decode(bytes)?;
    recordings.begin(run_id, &kept.descriptor.id);
    // Through the queue, so the store's event budget over all runs holds after it too.
    for mut batch in kept.batches {
        batch.run_id = run_id;
        recordings.enqueue(batch);
    }
    recordings.flush();
    Ok(OpenedRun {
        descriptor: kept.descriptor,
        run_id,
        params: kept.params,
        result: kept.result,
        load: kept.load,
    })
}

#[cfg(test)]
mod tests;
