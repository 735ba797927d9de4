//! Perfetto export (next step).
