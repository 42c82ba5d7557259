//! Exact allocation: a line's amount split by percentage shares at full precision (the shares
//! sum exactly to the line), and the largest-remainder rule that rounds exact amounts to a
//! currency's minor unit so that they sum exactly to a rounded total.

use rust_decimal::{Decimal, RoundingStrategy};

/// Splits `amount` by `percents` (which total 100) at full precision. Every share but the last
/// is `amount × percent / 100`; the last is what remains, so the shares always sum exactly to
/// `amount` (even where a product would need more than 28 significant digits).
pub fn split_amount(amount: Decimal, percents: &[Decimal]) -> Vec<Decimal> {
    let mut out = Vec::with_capacity(percents.len());
    let mut given = Decimal::ZERO;
    for (i, p) in percents.iter().enumerate() {
        if i + 1 == percents.len() {
            out.push(amount - given);
        } else {
            let share = amount.checked_mul(*p).map(|v| v / Decimal::ONE_HUNDRED).unwrap_or(Decimal::ZERO);
            given += share;
            out.push(share);
        }
    }
    out
}

/// Rounds each exact amount to `dp` decimals so that the rounded amounts sum exactly to
/// `target` (itself at `dp` decimals, normally the exact sum rounded): each amount is first
/// rounded down, then the missing minor units go one each to the amounts with the largest
/// remainders (ties: the earlier one). Deterministic for a given order of inputs.
pub fn largest_remainder(exact: &[Decimal], target: Decimal, dp: u32) -> Vec<Decimal> {
    if exact.is_empty() {
        return Vec::new();
    }
    let unit = Decimal::new(1, dp);
    let mut rounded: Vec<Decimal> = exact
        .iter()
        .map(|x| {
            let mut f = x.round_dp_with_strategy(dp, RoundingStrategy::ToNegativeInfinity);
            f.rescale(dp);
            f
        })
        .collect();
    let floors: Decimal = rounded.iter().copied().sum();
    let missing = ((target - floors) / unit).round();
    let missing: i64 = missing.try_into().unwrap_or(0);
    if missing == 0 {
        return rounded;
    }
    // Order by remainder: largest first when adding units, smallest first when taking them.
    let mut order: Vec<usize> = (0..exact.len()).collect();
    let remainder = |i: usize| exact[i] - rounded_floor(exact[i], dp);
    if missing > 0 {
        order.sort_by(|&a, &b| remainder(b).cmp(&remainder(a)).then(a.cmp(&b)));
    } else {
        order.sort_by(|&a, &b| remainder(a).cmp(&remainder(b)).then(a.cmp(&b)));
    }
    let step = if missing > 0 { unit } else { -unit };
    for k in 0..missing.unsigned_abs() as usize {
        rounded[order[k % order.len()]] += step;
    }
    rounded
}

fn rounded_floor(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, RoundingStrategy::ToNegativeInfinity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::royalties::money::round_dp;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_third_each_of_a_cent() {
        let shares = split_amount(d("0.01"), &[d("33.3333"), d("33.3333"), d("33.3334")]);
        assert_eq!(shares.iter().copied().sum::<Decimal>(), d("0.01"));
        let r = largest_remainder(&shares, d("0.01"), 2);
        assert_eq!(r, vec![d("0.00"), d("0.00"), d("0.01")]);
    }

    #[test]
    fn jpy_rounds_to_whole_yen() {
        let r = largest_remainder(&[d("100.5"), d("100.5"), d("99")], d("300"), 0);
        assert_eq!(r, vec![d("101"), d("100"), d("99")]);
        assert_eq!(r.iter().copied().sum::<Decimal>(), d("300"));
    }

    #[test]
    fn negative_amounts_refunds() {
        let exact = [d("-0.005"), d("-0.005"), d("0.02")];
        let target = round_dp(exact.iter().copied().sum(), 2);
        let r = largest_remainder(&exact, target, 2);
        assert_eq!(r.iter().copied().sum::<Decimal>(), target);
    }

    fn percents() -> impl Strategy<Value = Vec<Decimal>> {
        // 1..6 shares of whole basis points of a 4-decimal percent, totalling exactly 100.
        prop::collection::vec(1u32..1_000_000, 1..6).prop_map(|weights| {
            let total: u64 = weights.iter().map(|&w| w as u64).sum();
            let mut bps: Vec<u64> = weights.iter().map(|&w| w as u64 * 1_000_000 / total).collect();
            let given: u64 = bps.iter().sum();
            bps[0] += 1_000_000 - given;
            bps.into_iter().map(|b| Decimal::new(b as i64, 4)).collect()
        })
    }

    fn amount() -> impl Strategy<Value = Decimal> {
        (-10_000_000_000i64..100_000_000_000_000i64, 0u32..11).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        #[test]
        fn shares_sum_exactly_to_the_line(amount in amount(), percents in percents()) {
            prop_assert_eq!(percents.iter().copied().sum::<Decimal>(), Decimal::ONE_HUNDRED);
            let shares = split_amount(amount, &percents);
            prop_assert_eq!(shares.iter().copied().sum::<Decimal>(), amount);
        }

        #[test]
        fn rounded_amounts_sum_to_the_rounded_total(
            lines in prop::collection::vec((amount(), 0usize..5), 1..60),
            percents in percents(),
            dp in prop_oneof![Just(0u32), Just(2u32)],
        ) {
            // Lines split among payees, summed per payee, then rounded: the payees' amounts sum
            // exactly to the total of the lines rounded (JPY: dp 0; USD: dp 2).
            let mut per_payee = vec![Decimal::ZERO; percents.len()];
            let mut total = Decimal::ZERO;
            for (amount, _) in &lines {
                total += *amount;
                for (i, s) in split_amount(*amount, &percents).into_iter().enumerate() {
                    per_payee[i] += s;
                }
            }
            let target = round_dp(total, dp);
            let r = largest_remainder(&per_payee, target, dp);
            prop_assert_eq!(r.iter().copied().sum::<Decimal>(), target);
            for (x, e) in r.iter().zip(&per_payee) {
                prop_assert!((*x - *e).abs() < Decimal::new(1, dp), "{} vs {}", x, e);
                prop_assert!(x.scale() == dp);
            }
        }
    }
}
