//! Fans benchmark (run by bench/fans.sh): import a generated list into a fresh store, then time
//! type-ahead searches, segment counts and the Fans screen's first page. Prints a table.

use roadie::catalog::{NewWorkspace, WorkspaceKind};
use roadie::fans::import::FanImportOptions;
use roadie::fans::{ContactFilter, ConsentStatus};
use roadie::jobs::CancelToken;
use roadie::Store;
use std::time::{Duration, Instant};

/// CPU seconds this process has used (user + system), from /proc/self/stat: on a machine shared
/// with other builds the wall clock measures the queue as much as the work.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0 // utime, stime (fields 14 and 15, after pid and comm)
}

fn percentile(mut samples: Vec<Duration>, p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (csv, db) = (&args[1], &args[2]);
    let _ = std::fs::remove_file(db);
    let store = Store::open(db).await.expect("store");
    let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Bench".into() }).await.unwrap();

    let (t, c) = (Instant::now(), cpu());
    let report = store
        .import_fans(ws.id, csv.as_ref(), &FanImportOptions::default(), &|_| {}, &CancelToken::new())
        .await
        .expect("import");
    let import = t.elapsed();
    let import_cpu = cpu() - c;
    if std::env::var_os("FANS_BENCH_IMPORT_ONLY").is_some() {
        println!("import: {:.2} s, CPU {:.2} s", import.as_secs_f64(), import_cpu);
        return;
    }

    let queries = ["ada", "fan12", "杰伦", "shang", "fan99", "chen", "北京", "li", "vip", "fan5"];
    let mut search = Vec::new();
    let c = cpu();
    for _ in 0..20 {
        for q in queries {
            let t = Instant::now();
            let hits = store.search_contacts(ws.id, q, 20).await.unwrap();
            search.push(t.elapsed());
            assert!(!hits.is_empty(), "{q}");
        }
    }
    let search_cpu = (cpu() - c) / search.len() as f64;
    let filters = [
        ContactFilter { tags: vec!["vip".into()], ..Default::default() },
        ContactFilter { country: Some("CN".into()), ..Default::default() },
        ContactFilter { consent: Some(ConsentStatus::Unknown), country: Some("US".into()), ..Default::default() },
        ContactFilter { city: Some("Shanghai".into()), tags: vec!["merch".into()], ..Default::default() },
        ContactFilter { country: Some("CN".into()), tags: vec!["vip".into()], ..Default::default() },
    ];
    let mut counts = Vec::new();
    let mut by_filter = vec![Vec::new(); filters.len()];
    let c = cpu();
    for _ in 0..10 {
        for (i, f) in filters.iter().enumerate() {
            let t = Instant::now();
            store.count_contacts(ws.id, f).await.unwrap();
            counts.push(t.elapsed());
            by_filter[i].push(t.elapsed());
        }
    }
    let count_cpu = (cpu() - c) / counts.len() as f64;
    let mut pages = Vec::new();
    let c = cpu();
    for _ in 0..20 {
        let t = Instant::now();
        store.list_contacts(ws.id, &ContactFilter::default(), 0, 100).await.unwrap();
        pages.push(t.elapsed());
    }
    let page_cpu = (cpu() - c) / pages.len() as f64;
    let mut deep = Vec::new();
    for i in 0..10 {
        let t = Instant::now();
        store.list_contacts(ws.id, &ContactFilter::default(), 90_000 + i * 100, 100).await.unwrap();
        deep.push(t.elapsed());
    }
    let total = store.count_contacts(ws.id, &ContactFilter::default()).await.unwrap();
    println!("| measure | value | CPU (user+sys) | goal |");
    println!("|---|---|---|---|");
    println!("| rows in file | {} | | |", report.rows);
    println!("| contacts after import (duplicates merged) | {} ({} merged) | | |", total, report.merged);
    println!("| import | {:.2} s | {:.2} s | < 2 s |", import.as_secs_f64(), import_cpu);
    println!(
        "| type-ahead search p50 / p95 | {:.2} / {:.2} ms | {:.2} ms mean | p95 < 5 ms |",
        ms(percentile(search.clone(), 0.5)),
        ms(percentile(search, 0.95)),
        search_cpu * 1000.0
    );
    println!(
        "| segment count p50 / max | {:.2} / {:.2} ms | {:.2} ms mean | < 20 ms |",
        ms(percentile(counts.clone(), 0.5)),
        ms(percentile(counts, 1.0)),
        count_cpu * 1000.0
    );
    for (name, samples) in ["tag vip", "country CN", "country US + consent unknown", "city Shanghai + tag merch", "country CN + tag vip"].iter().zip(by_filter) {
        println!("| segment count, {name}: p50 | {:.2} ms | | < 20 ms |", ms(percentile(samples, 0.5)));
    }
    println!(
        "| Fans first page (100 rows + total) p50 / max | {:.2} / {:.2} ms | {:.2} ms mean | < 50 ms |",
        ms(percentile(pages.clone(), 0.5)),
        ms(percentile(pages, 1.0)),
        page_cpu * 1000.0
    );
    println!("| a page at row 90,000 p50 / max | {:.2} / {:.2} ms | | |", ms(percentile(deep.clone(), 0.5)), ms(percentile(deep, 1.0)));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
