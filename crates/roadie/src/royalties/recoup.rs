//! Recoupment: a payee's unrecouped advances and expenses are taken from their earnings before
//! anything is payable. An advance scoped to a release is recouped only from that release's
//! earnings (first); a cross-collateralised one from everything the payee earns. Oldest first.
//! Never more than was earned: payable is never above earned, and never below zero because of
//! recoupment.

use rust_decimal::Decimal;
use std::collections::HashMap;

/// An advance's balance before a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Unrecouped {
    pub advance_id: String,
    /// `None`: cross-collateralised.
    pub release_id: Option<String>,
    /// What remains to recoup (in the payee's currency), above zero.
    pub opening: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recouped {
    pub advance_id: String,
    pub opening: Decimal,
    pub recouped: Decimal,
    pub remaining: Decimal,
}

/// Recoups `advances` (in the order given: oldest first) from `earned` (the payee's statement
/// total) and `by_release` (the part of it each release earned). Returns each advance's figures
/// and the total recouped.
pub fn recoup(earned: Decimal, by_release: &HashMap<String, Decimal>, advances: &[Unrecouped]) -> (Vec<Recouped>, Decimal) {
    let mut pool = earned.max(Decimal::ZERO);
    let mut release_left: HashMap<&str, Decimal> = by_release.iter().map(|(k, v)| (k.as_str(), v.max(&Decimal::ZERO).to_owned())).collect();
    let mut out: Vec<Recouped> = advances
        .iter()
        .map(|a| Recouped { advance_id: a.advance_id.clone(), opening: a.opening, recouped: Decimal::ZERO, remaining: a.opening })
        .collect();
    // Release-scoped first, from their release; then cross-collateralised from what is left.
    for pass_scoped in [true, false] {
        for (a, r) in advances.iter().zip(out.iter_mut()) {
            if a.release_id.is_some() != pass_scoped || a.opening <= Decimal::ZERO {
                continue;
            }
            let mut take = a.opening.min(pool);
            if let Some(release) = &a.release_id {
                let left = release_left.entry(release.as_str()).or_insert(Decimal::ZERO);
                take = take.min(*left);
                *left -= take;
            }
            pool -= take;
            r.recouped = take;
            r.remaining = a.opening - take;
        }
    }
    let total = out.iter().map(|r| r.recouped).sum();
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn adv(id: &str, release: Option<&str>, opening: i64) -> Unrecouped {
        Unrecouped { advance_id: id.into(), release_id: release.map(Into::into), opening: Decimal::new(opening, 2) }
    }

    #[test]
    fn release_scoped_only_from_its_release_then_cross() {
        let by_release = HashMap::from([("A".to_string(), Decimal::new(3000, 2)), ("B".to_string(), Decimal::new(7000, 2))]);
        let (r, total) = recoup(Decimal::new(10000, 2), &by_release, &[adv("x", Some("A"), 5000), adv("y", None, 10000)]);
        assert_eq!(r[0].recouped, Decimal::new(3000, 2));
        assert_eq!(r[0].remaining, Decimal::new(2000, 2));
        assert_eq!(r[1].recouped, Decimal::new(7000, 2));
        assert_eq!(total, Decimal::new(10000, 2));
    }

    proptest! {
        #[test]
        fn never_more_than_earned_and_recouped_plus_remaining_is_the_advance(
            earned_parts in prop::collection::vec((0usize..3, -5_000i64..50_000), 0..8),
            advances in prop::collection::vec((prop::option::of(0usize..3), 1i64..100_000), 0..5),
        ) {
            let releases = ["r0", "r1", "r2"];
            let mut by_release: HashMap<String, Decimal> = HashMap::new();
            let mut earned = Decimal::ZERO;
            for (r, cents) in &earned_parts {
                *by_release.entry(releases[*r].to_string()).or_default() += Decimal::new(*cents, 2);
                earned += Decimal::new(*cents, 2);
            }
            let advances: Vec<Unrecouped> = advances.iter().enumerate()
                .map(|(i, (r, cents))| adv(&i.to_string(), r.map(|r| releases[r]), *cents)).collect();
            let (out, total) = recoup(earned, &by_release, &advances);
            let payable = earned - total;
            prop_assert!(payable <= earned);
            prop_assert!(total >= Decimal::ZERO);
            prop_assert!(total <= earned.max(Decimal::ZERO));
            for (a, r) in advances.iter().zip(&out) {
                prop_assert_eq!(r.recouped + r.remaining, a.opening);
                prop_assert!(r.recouped >= Decimal::ZERO && r.remaining >= Decimal::ZERO);
                if let Some(rel) = &a.release_id {
                    prop_assert!(r.recouped <= by_release.get(rel).copied().unwrap_or_default().max(Decimal::ZERO));
                }
            }
        }
    }
}
