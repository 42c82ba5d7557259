//! Hybrid logical clock stamps for every write. Sync (a later slice) merges fields by comparing
//! them; they are fixed-width text so SQLite and PostgreSQL order them the same way as strings.

use std::sync::Mutex;

#[derive(Debug)]
pub struct HlcGenerator {
    node: Mutex<String>,
    last: Mutex<(i64, u32)>,
}

impl HlcGenerator {
    /// `node` identifies this store; it breaks ties between two stamps of the same instant.
    pub fn new(node: impl Into<String>) -> Self {
        Self { node: Mutex::new(node.into()), last: Mutex::new((0, 0)) }
    }

    /// A stamp strictly greater than every earlier one from this generator, even if the wall
    /// clock stands still or steps back.
    pub fn stamp(&self, wall_millis: i64) -> String {
        let mut last = self.last.lock().expect("hlc lock");
        let (millis, counter) = if wall_millis > last.0 { (wall_millis, 0) } else { (last.0, last.1 + 1) };
        *last = (millis, counter);
        format!("{millis:015}-{counter:05}-{}", self.node.lock().expect("hlc node lock"))
    }

    /// Stamps from now on name `node` (a store that found its node id shared with a copy of it).
    pub fn set_node(&self, node: impl Into<String>) {
        *self.node.lock().expect("hlc node lock") = node.into();
    }

    /// Moves the clock past a stamp seen elsewhere, so our next stamp orders after it.
    pub fn observe(&self, stamp: &str) {
        let mut parts = stamp.splitn(3, '-');
        let (Some(ms), Some(ctr)) = (parts.next(), parts.next()) else { return };
        let (Ok(ms), Ok(ctr)) = (ms.parse::<i64>(), ctr.parse::<u32>()) else { return };
        let mut last = self.last.lock().expect("hlc lock");
        if (ms, ctr) > *last {
            *last = (ms, ctr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_increase_even_when_the_clock_stands_still_or_steps_back() {
        let hlc = HlcGenerator::new("a");
        let s1 = hlc.stamp(1_000);
        let s2 = hlc.stamp(1_000);
        let s3 = hlc.stamp(900);
        let s4 = hlc.stamp(2_000);
        assert!(s1 < s2 && s2 < s3 && s3 < s4, "{s1} {s2} {s3} {s4}");
        assert_eq!(s1, "000000000001000-00000-a");
    }

    #[test]
    fn observing_a_later_stamp_moves_past_it() {
        let hlc = HlcGenerator::new("a");
        hlc.observe("000000000005000-00007-b");
        assert!(hlc.stamp(1_000).as_str() > "000000000005000-00007-b");
    }
}
