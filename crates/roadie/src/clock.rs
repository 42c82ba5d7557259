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

/// Ids for the rows of one imported file: every device importing the same file derives the same
/// ids (from the file's hash, the row's line and the row's kind and key), and they ascend in line
/// order, so an import appends to its tables' key indexes instead of writing all over them
/// (hash-ordered ids made a 100k-fan import ~1 s slower and its reads less local). The file's
/// part is hashed once per import, not per row.
pub struct FileIds {
    prefix: [u8; 6],
}

impl FileIds {
    pub fn new(file_sha: &str) -> FileIds {
        let mut prefix = [0u8; 6];
        prefix.copy_from_slice(&derived_id("file", &[file_sha]).as_bytes()[..6]);
        FileIds { prefix }
    }

    pub fn id(&self, kind: &str, line: u64, parts: &[&str]) -> Uuid {
        let tail = derived_id(kind, parts).into_bytes();
        let mut bytes = [0u8; 16];
        bytes[..6].copy_from_slice(&self.prefix);
        // Bytes 6 and 8 carry the version and variant bits; the line goes after them, whole.
        bytes[9..13].copy_from_slice(&(line.min(u32::MAX as u64) as u32).to_be_bytes());
        bytes[13..].copy_from_slice(&tail[13..]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }
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
    fn ids_derived_in_a_file_ascend_by_line_and_depend_on_file_kind_and_parts() {
        let file = FileIds::new("abc123");
        let at = |line, email| file.id("contact", line, &["ws", email]);
        let ids: Vec<Uuid> = (2..2000).map(|l| at(l, "x@example.com")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending by line");
        assert!(ids.iter().all(|id| id.get_version_num() == 8));
        assert_eq!(at(7, "x@example.com"), at(7, "x@example.com"));
        assert_ne!(at(7, "x@example.com"), at(7, "y@example.com"));
        assert_ne!(at(7, "x@example.com"), FileIds::new("abc124").id("contact", 7, &["ws", "x@example.com"]));
        assert_ne!(at(7, "x@example.com"), file.id("activity", 7, &["ws", "x@example.com"]));
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
