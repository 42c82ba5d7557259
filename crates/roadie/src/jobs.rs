//! Long jobs (imports, analyses, syncs) report progress and can be cancelled; a cancelled job
//! commits nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// The shared flag itself, for engine calls that take an `Arc<AtomicBool>` (media analysis).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

/// How far a job is: `done` of `total` units (rows, bytes...), `total` when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Progress {
    pub done: u64,
    pub total: Option<u64>,
}

/// Where a job sends its progress; `&|_| {}` when nobody listens.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Send + Sync);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_the_token() {
        let token = CancelToken::new();
        let flag = token.flag();
        assert!(!flag.load(Ordering::SeqCst));
        token.cancel();
        assert!(flag.load(Ordering::SeqCst), "cancelling the token sets the shared flag");
    }
}
