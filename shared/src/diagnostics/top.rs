//! Keeping the worst few diagnostics of a kind, in bounded memory.

use super::findings::Diagnostic;

/// How many diagnostics of one kind are kept: the most severe.
pub const KEPT_PER_KIND: usize = 16;

/// The [`KEPT_PER_KIND`] most severe diagnostics offered, and how many were offered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Top {
    kept: Vec<Diagnostic>,
    pub seen: u64,
}

impl Top {
    pub fn offer(&mut self, diagnostic: Diagnostic) {
        self.seen += 1;
        if self.kept.len() < KEPT_PER_KIND {
            self.kept.push(diagnostic);
            return;
        }
        let severity = diagnostic.finding.severity();
        if let Some(least) = self
            .kept
            .iter_mut()
            .min_by_key(|kept| kept.finding.severity())
            .filter(|least| least.finding.severity() < severity)
        {
            *least = diagnostic;
        }
    }

    pub fn kept(&self) -> &[Diagnostic] {
        &self.kept
    }
}
