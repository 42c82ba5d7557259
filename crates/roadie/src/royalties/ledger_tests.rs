//! Royalties II worked examples from practice, end to end through the engine: splits, default
//! splits, recoupment over periods, currencies, statements (PDF read back with pdftotext),
//! closed periods, adjustments, payouts and carry-forward; and the statement sum invariant as a
//! property over random lines and splits.

use super::*;
use crate::catalog::testing::store;
use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
use crate::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}
fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}

/// A line as the importer would have stored it (matched to a track or a release, or not).
struct L<'a> {
    period: &'a str,
    currency: &'a str,
    amount: &'a str,
    track: Option<Uuid>,
    release: Option<Uuid>,
    store: &'a str,
    territory: &'a str,
}

fn line<'a>(period: &'a str, amount: &'a str, track: Option<Uuid>, release: Option<Uuid>) -> L<'a> {
    L { period, currency: "USD", amount, track, release, store: "Spotify", territory: "US" }
}

/// Stores lines as one imported statement file (what Royalties I leaves behind).
async fn insert_lines(store: &Store, lines: &[L<'_>]) {
    let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM statement_files").fetch_one(&store.pool).await.unwrap();
    sqlx::query(
        "INSERT INTO statement_files (id, seq, content_hash, file_name, format, layout, encoding, byte_size, line_count, imported, imported_at, hlc) \
         VALUES (?, ?, ?, 'test.tsv', 'mapped', 'test', 'utf-8', 0, ?, ?, '2026-11-26T00:00:00Z', '0')",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(seq)
    .bind(format!("hash{seq}"))
    .bind(lines.len() as i64)
    .bind(lines.len() as i64)
    .execute(&store.pool)
    .await
    .unwrap();
    for (i, l) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO statement_lines (file_seq, line_no, reporting_period, store, territory, usage_type, units, amount, currency, raw, track_id, release_id) \
             VALUES (?, ?, ?, ?, ?, 'stream', 1, ?, ?, '[]', ?, ?)",
        )
        .bind(seq)
        .bind(i as i64 + 2)
        .bind(l.period)
        .bind(l.store)
        .bind(l.territory)
        .bind(l.amount)
        .bind(l.currency)
        .bind(l.track.map(|t| t.to_string()))
        .bind(if l.track.is_some() { None } else { l.release.map(|r| r.to_string()) })
        .execute(&store.pool)
        .await
        .unwrap();
    }
}

struct Cat {
    ws: Uuid,
    artist: Uuid,
    release: Uuid,
    song1: Uuid,
    song2: Uuid,
}

async fn catalog(store: &Store, artist_name: &str) -> Cat {
    let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "Northern Lights Records".into() }).await.unwrap().id;
    let artist = store.create_artist(ws, ArtistInput::named(artist_name)).await.unwrap().id;
    let release = store.create_release(ws, ReleaseInput::new("First Light", ReleaseType::Album, vec![artist])).await.unwrap().release.id;
    let song1 = store.add_track(release, TrackInput { isrc: Some("USAAA2400001".into()), ..TrackInput::titled("Dawn") }).await.unwrap().id;
    let song2 = store.add_track(release, TrackInput::titled("Dusk")).await.unwrap().id;
    Cat { ws, artist, release, song1, song2 }
}

async fn payee(store: &Store, ws: Uuid, name: &str, currency: &str) -> Uuid {
    store
        .create_payee(Some(ws), PayeeInput { currency: Some(currency.into()), ..PayeeInput::named(name) })
        .await
        .unwrap()
        .id
}

fn shares(list: &[(Uuid, &str)]) -> Vec<Share> {
    list.iter().map(|(p, pct)| Share { payee_id: *p, percent: d(pct) }).collect()
}

fn find(run: &StatementRun, payee: Uuid) -> &StatementSummary {
    run.statements.iter().find(|s| s.payee_id == payee).unwrap_or_else(|| panic!("no statement for {payee}: {run:?}"))
}

fn figures(run: &StatementRun, payee: Uuid) -> (String, String, String) {
    let s = find(run, payee);
    (s.earned.to_string(), s.recouped.to_string(), s.payable.to_string())
}

fn pdftotext(path: &str) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path, "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    assert!(out.status.success(), "pdftotext failed on {path}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn band_of_three_recoups_an_advance_over_three_periods() {
    let (store, dir) = store().await;
    let cat = catalog(&store, "The Foxes").await;
    let (a, b, c) = (
        payee(&store, cat.ws, "Ann", "USD").await,
        payee(&store, cat.ws, "Ben", "USD").await,
        payee(&store, cat.ws, "Cat", "USD").await,
    );
    let split = store
        .set_split(SplitInput {
            target: SplitTarget::Release(cat.release),
            shares: shares(&[(a, "33.3334"), (b, "33.3333"), (c, "33.3333")]),
            effective_from: None,
        })
        .await
        .unwrap();
    assert_eq!(split.shares.len(), 3);
    // The band's 450.00 advance, 150.00 recoupable from each member's share of everything.
    for p in [a, b, c] {
        store
            .add_advance(AdvanceInput { note: Some("band advance".into()), ..AdvanceInput::new(p, d("150"), "USD", day("2023-12-15")) })
            .await
            .unwrap();
    }
    insert_lines(&store, &[line("2024-01", "60.00", Some(cat.song1), None), line("2024-01", "40.00", Some(cat.song2), None)]).await;
    insert_lines(&store, &[line("2024-02", "250.00", None, Some(cat.release))]).await;
    insert_lines(&store, &[line("2024-03", "399.999", Some(cat.song1), None), line("2024-03", "0.001", Some(cat.song2), None)]).await;
    let out = dir.path().join("out");

    // January: 100.00 → 33.334 / 33.333 / 33.333, rounded 33.34 / 33.33 / 33.33 (the largest
    // remainder gets the cent); all recouped.
    let jan = store.generate_statements(ym("2024-01"), &out).await.unwrap();
    assert_eq!(figures(&jan, a), ("33.34".into(), "33.34".into(), "0.00".into()));
    assert_eq!(figures(&jan, b), ("33.33".into(), "33.33".into(), "0.00".into()));
    assert_eq!(jan.totals[0].rounded, d("100.00"));
    assert_eq!(jan.totals[0].unallocated, d("0.00"));
    // February: 250.00 → 83.34 / 83.33 / 83.33; still recouping.
    let feb = store.generate_statements(ym("2024-02"), &out).await.unwrap();
    assert_eq!(figures(&feb, a), ("83.34".into(), "83.34".into(), "0.00".into()));
    // March: 400.00 → 133.34 / 133.33 / 133.33; the rest of each advance is recouped.
    let mar = store.generate_statements(ym("2024-03"), &out).await.unwrap();
    assert_eq!(figures(&mar, a), ("133.34".into(), "33.32".into(), "100.02".into()));
    assert_eq!(figures(&mar, b), ("133.33".into(), "33.34".into(), "99.99".into()));
    assert_eq!(figures(&mar, c), ("133.33".into(), "33.34".into(), "99.99".into()));
    let docs = store.statement_documents(ym("2024-03")).await.unwrap();
    let ann = docs.iter().find(|s| s.payee_id == a).unwrap();
    assert_eq!((ann.recoupment[0].opening, ann.recoupment[0].recouped, ann.recoupment[0].remaining), (d("33.32"), d("33.32"), d("0.00")));
    for adv in store.list_advances(a).await.unwrap() {
        assert_eq!((adv.recouped, adv.remaining), (d("150.00"), d("0.00")));
    }

    // Payouts: no more than payable; what is not paid carries forward.
    let err = store
        .add_payout(PayoutInput { payee_id: b, amount: d("100.00"), currency: "USD".into(), paid_on: day("2024-04-05"), method: None, reference: None })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payout_exceeds_payable");
    let paid = store
        .add_payout(PayoutInput {
            payee_id: a,
            amount: d("100.02"),
            currency: "USD".into(),
            paid_on: day("2024-04-05"),
            method: Some("bank transfer".into()),
            reference: Some("TX-1".into()),
        })
        .await
        .unwrap();
    assert_eq!(paid.payable_after, d("0.00"));
    insert_lines(&store, &[line("2024-04", "3.00", None, Some(cat.release))]).await;
    store.generate_statements(ym("2024-04"), &out).await.unwrap();
    let apr = store.statement_documents(ym("2024-04")).await.unwrap();
    let (ann, ben) = (apr.iter().find(|s| s.payee_id == a).unwrap(), apr.iter().find(|s| s.payee_id == b).unwrap());
    assert_eq!((ann.balance_brought_forward, ann.payments, ann.payable, ann.balance), (d("0.00"), d("100.02"), d("1.00"), d("1.00")));
    assert_eq!((ben.balance_brought_forward, ben.payments, ben.payable, ben.balance), (d("99.99"), d("0.00"), d("1.00"), d("100.99")));
    assert_eq!(store.payable(b).await.unwrap(), d("100.99"));
    let csv = std::fs::read_to_string(&find(&store.generate_statements(ym("2024-04"), &out).await.unwrap(), b).csv).unwrap();
    assert!(csv.contains("summary,2024-04,,,,,,balance_brought_forward,,,,,USD,99.99"), "{csv}");
    assert!(csv.contains("summary,2024-04,,,,,,balance,,,,,USD,100.99"), "{csv}");
}

#[tokio::test]
async fn producer_points_on_one_track_only_and_the_rest_defaults_to_the_artist() {
    let (store, dir) = store().await;
    let cat = catalog(&store, "Mira").await;
    let producer = payee(&store, cat.ws, "Sam the Producer", "USD").await;
    // The artist's payee is made on demand for the default split; make it now to set the track split.
    let mira = store.create_payee(Some(cat.ws), PayeeInput { artist_id: Some(cat.artist), ..PayeeInput::named("Mira") }).await.unwrap().id;
    store
        .set_split(SplitInput {
            target: SplitTarget::Isrc("US-AAA-24-00001".into()),
            shares: shares(&[(mira, "97"), (producer, "3")]),
            effective_from: None,
        })
        .await
        .unwrap();
    insert_lines(
        &store,
        &[
            line("2024-05", "10.00", Some(cat.song1), None),
            line("2024-05", "20.00", Some(cat.song2), None),
            line("2024-05", "5.55", None, Some(cat.release)),
            line("2024-05", "1.00", None, None), // unmatched: paid to no one yet
        ],
    )
    .await;
    let run = store.generate_statements(ym("2024-05"), &dir.path().join("o")).await.unwrap();
    assert_eq!(figures(&run, producer), ("0.30".into(), "0.00".into(), "0.30".into()));
    assert_eq!(figures(&run, mira), ("35.25".into(), "0.00".into(), "35.25".into()));
    let t = &run.totals[0];
    assert_eq!((t.rounded, t.allocated, t.unallocated), (d("36.55"), d("35.55"), d("1.00")));
    let docs = store.statement_documents(ym("2024-05")).await.unwrap();
    let sam = docs.iter().find(|s| s.payee_id == producer).unwrap();
    assert!(sam.earnings.iter().all(|e| e.track == "Dawn"), "{:?}", sam.earnings);
}

#[tokio::test]
async fn default_split_creates_the_primary_artists_payee() {
    let (store, dir) = store().await;
    let cat = catalog(&store, "Lone Wolf").await;
    insert_lines(&store, &[line("2024-01", "12.345", Some(cat.song1), None)]).await;
    let run = store.generate_statements(ym("2024-01"), &dir.path().join("o")).await.unwrap();
    assert_eq!(run.statements.len(), 1);
    assert_eq!((run.statements[0].payee.as_str(), run.statements[0].earned), ("Lone Wolf", d("12.35")));
    let payees = store.list_payees().await.unwrap();
    assert_eq!(payees[0].artist_id, Some(cat.artist));
    // Its id is derived from the artist: another device making it offline makes the same row.
    assert_eq!(payees[0].id, crate::clock::derived_id("artist_payee", &[&cat.artist.to_string()]));

    // That payee given to another artist since: the artist's next payee gets a new id.
    let other = store.create_artist(cat.ws, ArtistInput::named("Other")).await.unwrap();
    sqlx::query("UPDATE payees SET artist_id = ? WHERE id = ?")
        .bind(other.id.to_string())
        .bind(payees[0].id.to_string())
        .execute(&store.pool)
        .await
        .unwrap();
    let mut conn = store.pool.acquire().await.unwrap();
    let again = super::payees::artist_payee(&store, &mut conn, &cat.artist.to_string()).await.unwrap();
    assert_ne!(again, payees[0].id.to_string());
    assert_eq!(store.list_payees().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_split_changed_mid_year_applies_from_its_month() {
    let (store, dir) = store().await;
    let cat = catalog(&store, "Duo").await;
    let (a, b) = (payee(&store, cat.ws, "A", "USD").await, payee(&store, cat.ws, "B", "USD").await);
    let target = SplitTarget::Release(cat.release);
    store.set_split(SplitInput { target: target.clone(), shares: shares(&[(a, "50"), (b, "50")]), effective_from: None }).await.unwrap();
    // A typo first, then the real new split from July: the typo is superseded, kept as history.
    store.set_split(SplitInput { target: target.clone(), shares: shares(&[(a, "70"), (b, "30")]), effective_from: Some(day("2024-07-01")) }).await.unwrap();
    store.set_split(SplitInput { target, shares: shares(&[(a, "60"), (b, "40")]), effective_from: Some(day("2024-07-01")) }).await.unwrap();
    let history = store.split_history(SplitScope::Release, cat.release).await.unwrap();
    assert_eq!(history.iter().map(|s| s.superseded).collect::<Vec<_>>(), vec![false, true, false]);
    let err = store
        .set_split(SplitInput { target: SplitTarget::Release(cat.release), shares: shares(&[(a, "60"), (b, "39.99999")]), effective_from: None })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");

    insert_lines(&store, &[line("2024-06", "100.00", Some(cat.song2), None), line("2024-07", "100.00", Some(cat.song2), None)]).await;
    let out = dir.path().join("o");
    let june = store.generate_statements(ym("2024-06"), &out).await.unwrap();
    assert_eq!(figures(&june, a).0, "50.00");
    let july = store.generate_statements(ym("2024-07"), &out).await.unwrap();
    assert_eq!((figures(&july, a).0, figures(&july, b).0), ("60.00".into(), "40.00".into()));
}

const ECB_JAN_2024: &str = "Date,USD,JPY,BGN,CYP,CNY,\n2024-01-31,1.0837,160.00,1.9558,N/A,7.7800,\n2024-01-30,1.0846,159.80,1.9558,N/A,7.7900,\n";

#[tokio::test]
async fn jpy_and_cny_payees_paid_from_usd_lines_and_the_pdf_shows_a_chinese_name() {
    let (store, dir) = store().await;
    let cat = catalog(&store, "Blossom").await;
    let jp = payee(&store, cat.ws, "Sakura Music", "JPY").await;
    let cn = payee(&store, cat.ws, "周杰伦", "CNY").await;
    store
        .set_split(SplitInput { target: SplitTarget::Release(cat.release), shares: shares(&[(jp, "50"), (cn, "50")]), effective_from: None })
        .await
        .unwrap();
    let rates = dir.path().join("eurofxref-hist.csv");
    std::fs::write(&rates, ECB_JAN_2024).unwrap();
    store.import_ecb_rates(&rates).await.unwrap();
    insert_lines(&store, &[line("2024-01", "123.45", Some(cat.song1), None)]).await;
    let out = dir.path().join("out");
    let run = store.generate_statements(ym("2024-01"), &out).await.unwrap();
    // 61.725 USD each: 61.73 to the first payee (the tie goes to the earlier), 61.72 to the other.
    // USD→JPY 160.00 / 1.0837 = 147.64233644 (10 decimals): 61.73 × that = 9113.96 → 9114 JPY.
    // USD→CNY 7.78 / 1.0837 = 7.1791086094: 61.72 × that = 443.0946 → 443.09 CNY.
    assert_eq!(figures(&run, jp), ("9114".into(), "0".into(), "9114".into()));
    assert_eq!(figures(&run, cn), ("443.09".into(), "0.00".into(), "443.09".into()));
    let docs = store.statement_documents(ym("2024-01")).await.unwrap();
    let cny = docs.iter().find(|s| s.payee_id == cn).unwrap();
    assert_eq!((cny.by_currency[0].amount, cny.by_currency[0].rate.rate), (d("61.72"), d("7.1791086094")));
    assert_eq!(cny.by_currency[0].rate.source, "ecb (via EUR)");
    assert_eq!(cny.by_currency[0].rate.date, day("2024-01-31"));

    // The PDF holds the Chinese name, the totals and the rate used.
    let summary = find(&run, cn);
    let text = pdftotext(&summary.pdf);
    assert!(text.contains("周杰伦"), "{text}");
    assert!(text.contains("443.09 CNY"), "{text}");
    assert!(text.contains("7.1791086094"), "{text}");
    assert!(text.contains("Northern Lights Records"), "{text}");
    let size = std::fs::metadata(&summary.pdf).unwrap().len();
    assert!(size < 200_000, "the embedded font is subset: {size} bytes");

    // Regenerating the closed period gives byte-identical files, whatever changed since.
    let first_pdf = std::fs::read(&summary.pdf).unwrap();
    let first_csv = std::fs::read(&summary.csv).unwrap();
    store
        .set_split(SplitInput { target: SplitTarget::Release(cat.release), shares: shares(&[(jp, "10"), (cn, "90")]), effective_from: None })
        .await
        .unwrap();
    let again = store.generate_statements(ym("2024-01"), &dir.path().join("again")).await.unwrap();
    assert!(again.regenerated);
    assert_eq!(std::fs::read(&find(&again, cn).pdf).unwrap(), first_pdf);
    assert_eq!(std::fs::read(&find(&again, cn).csv).unwrap(), first_csv);
    assert_eq!(store.generate_statements(ym("2023-12"), &out).await.unwrap_err().code(), "period_closed");
}

#[tokio::test]
async fn late_lines_of_a_closed_period_are_adjustments_in_the_next() {
    let (store, dir) = store().await;
    let cat = catalog(&store, "Late Bloomer").await;
    insert_lines(&store, &[line("2024-01", "10.00", Some(cat.song1), None)]).await;
    let out = dir.path().join("o");
    let jan = store.generate_statements(ym("2024-01"), &out).await.unwrap();
    let jan_csv = std::fs::read(&jan.statements[0].csv).unwrap();
    // A January file arrives after January was issued, with February's.
    insert_lines(&store, &[line("2024-01", "2.50", Some(cat.song1), None), line("2024-02", "1.00", Some(cat.song2), None)]).await;
    let feb = store.generate_statements(ym("2024-02"), &out).await.unwrap();
    assert_eq!(feb.statements[0].earned, d("3.50"));
    let csv = std::fs::read_to_string(&feb.statements[0].csv).unwrap();
    assert!(csv.contains("earnings,2024-01,First Light,Dawn,USAAA2400001,Spotify,US,adjustment,,USD,2.50"), "{csv}");
    // January is unchanged.
    let jan_again = store.generate_statements(ym("2024-02"), &out).await.unwrap();
    assert!(jan_again.regenerated);
    assert_eq!(jan_csv, std::fs::read(&jan.statements[0].csv).unwrap());
    let _ = Path::new("");
}

mod invariant {
    use super::*;
    use proptest::prelude::*;

    fn percents(weights: &[u32]) -> Vec<Decimal> {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut bps: Vec<u64> = weights.iter().map(|&w| w as u64 * 1_000_000 / total).collect();
        let given: u64 = bps.iter().sum();
        bps[0] += 1_000_000 - given;
        bps.into_iter().map(|b| Decimal::new(b as i64, 4)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
        /// For any lines (amounts with up to 8 decimals, refunds too; USD, JPY, EUR; matched to a
        /// split track, a default-split track, a release, or nothing) and any split: per currency,
        /// the payees' statement amounts plus the unallocated rest are exactly the lines' total
        /// rounded to the minor unit.
        #[test]
        fn issued_statements_sum_to_the_rounded_period_total(
            weights in prop::collection::vec(1u32..10_000, 1..5),
            lines in prop::collection::vec((-1_000i64..100_000_000, 0u32..9, 0usize..3, 0usize..4), 1..40),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let (store, dir) = store().await;
                let cat = catalog(&store, "Prop").await;
                let mut ids = Vec::new();
                for (i, _) in weights.iter().enumerate() {
                    ids.push(payee(&store, cat.ws, &format!("P{i}"), "USD").await);
                }
                let pct = percents(&weights);
                let list: Vec<(Uuid, String)> = ids.iter().copied().zip(pct.iter().map(|p| p.to_string())).collect();
                let shares: Vec<Share> = list.iter().map(|(p, s)| Share { payee_id: *p, percent: d(s) }).collect();
                store.set_split(SplitInput { target: SplitTarget::Track(cat.song1), shares, effective_from: None }).await.unwrap();
                store.set_rate(day("2000-01-01"), "JPY", "USD", d("0.0067")).await.unwrap();
                store.set_rate(day("2000-01-01"), "EUR", "USD", d("1.08")).await.unwrap();
                let currencies = ["USD", "JPY", "EUR"];
                let amounts: Vec<String> = lines.iter().map(|(m, s, _, _)| Decimal::new(*m, *s).to_string()).collect();
                let rows: Vec<L> = lines
                    .iter()
                    .zip(&amounts)
                    .map(|((_, _, c, target), amount)| {
                        let (track, release) = match target {
                            0 => (Some(cat.song1), None),
                            1 => (Some(cat.song2), None),
                            2 => (None, Some(cat.release)),
                            _ => (None, None),
                        };
                        L { period: "2024-03", currency: currencies[*c], amount, track, release, store: "S", territory: "CN" }
                    })
                    .collect();
                insert_lines(&store, &rows).await;
                let run = store.generate_statements(ym("2024-03"), &dir.path().join("o")).await.unwrap();
                let docs = store.statement_documents(ym("2024-03")).await.unwrap();
                for t in &run.totals {
                    let exact: Decimal = rows.iter().filter(|r| r.currency == t.currency).map(|r| d(r.amount)).sum();
                    let rounded = money::round_to_minor(exact, &t.currency);
                    let to_payees: Decimal = docs.iter().flat_map(|s| s.by_currency.iter()).filter(|b| b.currency == t.currency).map(|b| b.amount).sum();
                    assert_eq!(t.rounded, rounded);
                    assert_eq!(to_payees + t.unallocated, rounded, "{}: {:?}", t.currency, t);
                    assert_eq!(t.allocated, to_payees);
                }
                for s in &docs {
                    // Each payee's rows add up to their total per currency, and to what was earned.
                    for b in &s.by_currency {
                        let rows: Decimal = s.earnings.iter().filter(|e| e.currency == b.currency).map(|e| e.amount).sum();
                        assert_eq!(rows, b.amount);
                    }
                    assert_eq!(s.earnings.iter().map(|e| e.converted).sum::<Decimal>(), s.earned);
                    assert!(s.payable <= s.earned);
                }
            });
        }
    }
}

/// `generate_statements_with` reports payees done of the run's payees as it goes and checks its
/// cancel between them: a run cancelled after its first payee records nothing (no run, no
/// statement, no recoupment) and leaves no file behind (nor its staging directory); the same
/// run uncancelled then issues every statement; a cancelled regeneration writes nothing either.
#[tokio::test]
async fn a_cancelled_statement_run_records_nothing_and_leaves_no_files() {
    use crate::jobs::{CancelToken, Progress};
    use std::sync::Mutex;
    let (store, dir) = store().await;
    let cat = catalog(&store, "Trio").await;
    let (a, b, c) = (payee(&store, cat.ws, "Ann", "USD").await, payee(&store, cat.ws, "Ben", "USD").await, payee(&store, cat.ws, "Cat", "USD").await);
    store
        .set_split(SplitInput { target: SplitTarget::Release(cat.release), shares: shares(&[(a, "50"), (b, "30"), (c, "20")]), effective_from: None })
        .await
        .unwrap();
    store
        .add_advance(AdvanceInput::new(a, d("10.00"), "USD", day("2023-12-01")))
        .await
        .unwrap();
    insert_lines(&store, &[line("2024-01", "100.00", Some(cat.song1), None), line("2024-01", "7.77", Some(cat.song2), None)]).await;
    let out = dir.path().join("out");
    let listing = |p: &Path| -> Vec<String> {
        std::fs::read_dir(p).map(|r| r.map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect()).unwrap_or_default()
    };
    let count = |sql: &'static str| {
        let pool = store.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };

    let seen = Mutex::new(Vec::new());
    let cancel = CancelToken::new();
    let on_progress = |p: Progress| {
        seen.lock().unwrap().push(p);
        if p.done == 1 {
            cancel.cancel();
        }
    };
    let err = store.generate_statements_with(ym("2024-01"), &out, &on_progress, &cancel).await.unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_eq!(*seen.lock().unwrap(), vec![Progress { done: 0, total: Some(3) }, Progress { done: 1, total: Some(3) }]);
    assert_eq!(listing(&out), Vec::<String>::new(), "no statement file and no staging directory is left");
    assert_eq!(count("SELECT COUNT(*) FROM statement_runs").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM payee_statements").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM recoupments").await, 0);

    let seen = Mutex::new(Vec::new());
    let run = store
        .generate_statements_with(ym("2024-01"), &out, &|p| seen.lock().unwrap().push(p), &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(run.statements.len(), 3);
    assert_eq!(*seen.lock().unwrap(), (0..=3).map(|done| Progress { done, total: Some(3) }).collect::<Vec<_>>());
    let mut files = listing(&out);
    files.sort();
    let mut expected: Vec<String> =
        [a, b, c].iter().flat_map(|p| ["pdf", "csv"].map(|ext| format!("2024-01_{p}.{ext}"))).collect();
    expected.sort();
    assert_eq!(files, expected);
    assert_eq!(figures(&run, a), ("53.89".into(), "10.00".into(), "43.89".into()));
    assert_eq!(count("SELECT COUNT(*) FROM recoupments").await, 1);

    // A regeneration cancelled half-way writes nothing.
    let again = dir.path().join("again");
    let cancel = CancelToken::new();
    let err = store
        .generate_statements_with(ym("2024-01"), &again, &|p| if p.done == 2 { cancel.cancel() }, &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_eq!(listing(&again), Vec::<String>::new());
    let regenerated = store.generate_statements(ym("2024-01"), &again).await.unwrap();
    assert!(regenerated.regenerated);
    for s in &run.statements {
        let twin = find(&regenerated, s.payee_id);
        assert_eq!(std::fs::read(&s.pdf).unwrap(), std::fs::read(&twin.pdf).unwrap());
        assert_eq!(std::fs::read(&s.csv).unwrap(), std::fs::read(&twin.csv).unwrap());
    }
}

/// A store keeping two ledgers (a staff member's own releases and their label's): each has its
/// own files, months and statements; choosing one shows it, and nothing of the other mixes in.
#[tokio::test]
async fn two_ledgers_in_one_store_keep_their_own_files_months_and_statements() {
    let (store, dir) = store().await;
    let cat = catalog(&store, "The Foxes").await;
    let out = dir.path().join("out");
    insert_lines(&store, &[line("2024-03", "100.00", Some(cat.song1), None), line("2024-04", "1.00", Some(cat.song1), None)]).await;
    let own = store.generate_statements(ym("2024-03"), &out).await.unwrap();
    assert_eq!(own.totals[0].rounded, d("100.00"));

    store.set_ledger_workspace(Some(cat.ws)).await.unwrap();
    assert!(store.ledger_periods().await.unwrap().is_empty(), "the label's ledger has no file yet");
    insert_lines(&store, &[line("2024-03", "40.00", Some(cat.song2), None)]).await;
    sqlx::query("UPDATE statement_files SET workspace_id = ? WHERE seq = (SELECT max(seq) FROM statement_files)")
        .bind(cat.ws.to_string())
        .execute(&store.pool)
        .await
        .unwrap();
    let periods = store.ledger_periods().await.unwrap();
    assert_eq!(periods.iter().map(|p| (p.period.to_string(), p.lines, p.issued)).collect::<Vec<_>>(), [("2024-03".to_string(), 1, false)]);
    let label = store.generate_statements(ym("2024-03"), &out).await.unwrap();
    assert!(!label.regenerated, "March of the label's ledger is not the account's March");
    assert_eq!((label.totals[0].lines, label.totals[0].rounded), (1, d("40.00")));
    let docs = store.statement_documents(ym("2024-03")).await.unwrap();
    assert_eq!(docs.iter().map(|s| s.earned).collect::<Vec<_>>(), [d("40.00")]);
    assert_eq!(docs[0].balance_brought_forward, d("0.00"), "nothing carried from the other ledger");

    store.set_ledger_workspace(None).await.unwrap();
    let docs = store.statement_documents(ym("2024-03")).await.unwrap();
    assert_eq!(docs.iter().map(|s| s.earned).collect::<Vec<_>>(), [d("100.00")]);
    let again = store.generate_statements(ym("2024-03"), &out).await.unwrap();
    assert!(again.regenerated);
    assert_eq!(again.totals[0].rounded, d("100.00"));
    let april = store.generate_statements(ym("2024-04"), &out).await.unwrap();
    assert_eq!((april.totals[0].lines, april.totals[0].rounded), (1, d("1.00")), "the account's April: its own line only");
    let april_docs = store.statement_documents(ym("2024-04")).await.unwrap();
    assert_eq!(april_docs[0].balance_brought_forward, d("100.00"), "carried within the account's ledger");
}
