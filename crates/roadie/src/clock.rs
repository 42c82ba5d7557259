//! Time and identity are injected: logic never reads the system clock or makes random ids on its
//! own, so tests can pin both and get the same store every run.

use chrono::{DateTime, TimeZone, Utc};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use uuid::Uuid;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: starts at a given instant and moves only when told to.
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self { millis: AtomicI64::new(start.timestamp_millis()) })
    }

    pub fn at(year: i32, month: u32, day: u32) -> Arc<Self> {
        Self::new(Utc.with_ymd_and_hms(year, month, day, 12, 0, 0).single().expect("valid date"))
    }

    pub fn advance_millis(&self, ms: i64) {
        self.millis.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.millis.load(Ordering::SeqCst)).expect("in range")
    }
}

pub trait IdGenerator: Send + Sync {
    fn new_id(&self) -> Uuid;
}

/// UUIDv7: time-ordered, made offline on any device without coordination.
pub struct UuidV7;

impl IdGenerator for UuidV7 {
    fn new_id(&self) -> Uuid {
        Uuid::now_v7()
    }
}

/// An id every device derives alike from the same natural key (e.g. the ECB rate of a pair on a
/// day), so rows two devices make independently are one row after a sync, not a clash on a
/// unique index. A version-8 UUID from the SHA-256 of the kind and the key parts.
pub fn derived_id(kind: &str, parts: &[&str]) -> Uuid {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"roadie:");
    hash.update(kind.as_bytes());
    for part in parts {
        // A separator that can't occur in the parts keeps ("a", "bc") apart from ("ab", "c").
        hash.update([0u8]);
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Deterministic ids for tests: 00000000-0000-7000-8000-000000000001, ...2, ... (valid v7 layout).
#[derive(Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl SequentialIds {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

impl IdGenerator for SequentialIds {
    fn new_id(&self) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        Uuid::from_u128((0x7000u128 << 64) | (0x8000u128 << 48) | n as u128)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_are_ordered_and_deterministic() {
        let ids = SequentialIds::new();
        let a = ids.new_id();
        let b = ids.new_id();
        assert_eq!(a.to_string(), "00000000-0000-7000-8000-000000000001");
        assert!(a < b);
    }

    #[test]
    fn derived_ids_depend_on_every_part_and_its_boundaries() {
        let a = derived_id("fx_rate", &["EUR", "USD", "ecb", "2026-03-02"]);
        assert_eq!(a, derived_id("fx_rate", &["EUR", "USD", "ecb", "2026-03-02"]));
        assert_eq!(a.get_version_num(), 8);
        assert_ne!(a, derived_id("fx_rate", &["EUR", "USD", "ecb", "2026-03-03"]));
        assert_ne!(a, derived_id("fx_rat", &["eEUR", "USD", "ecb", "2026-03-02"]));
        assert_ne!(derived_id("k", &["a", "bc"]), derived_id("k", &["ab", "c"]));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::at(2026, 1, 2);
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        clock.advance_millis(1500);
        assert_eq!((clock.now() - t0).num_milliseconds(), 1500);
    }
}
