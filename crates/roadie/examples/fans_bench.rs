//! Fans benchmark (run by bench/fans.sh): import a generated list into a fresh store, then time
//! type-ahead searches, segment counts and the Fans screen's first page. Prints a table.

use roadie::catalog::{NewWorkspace, WorkspaceKind};
use roadie::fans::import::FanImportOptions;
use roadie::fans::{ContactFilter, ConsentStatus};
use roadie::jobs::CancelToken;
use roadie::Store;
use std::time::{Duration, Instant};

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

    let t = Instant::now();
    let report = store
        .import_fans(ws.id, csv.as_ref(), &FanImportOptions::default(), &|_| {}, &CancelToken::new())
        .await
        .expect("import");
    let import = t.elapsed();

    let queries = ["ada", "fan12", "杰伦", "shang", "fan99", "chen", "北京", "li", "vip", "fan5"];
    let mut search = Vec::new();
    for _ in 0..20 {
        for q in queries {
            let t = Instant::now();
            let hits = store.search_contacts(ws.id, q, 20).await.unwrap();
            search.push(t.elapsed());
            assert!(!hits.is_empty(), "{q}");
        }
    }
    let filters = [
        ContactFilter { tags: vec!["vip".into()], ..Default::default() },
        ContactFilter { country: Some("CN".into()), ..Default::default() },
        ContactFilter { consent: Some(ConsentStatus::Unknown), country: Some("US".into()), ..Default::default() },
        ContactFilter { city: Some("Shanghai".into()), tags: vec!["merch".into()], ..Default::default() },
    ];
    let mut counts = Vec::new();
    for _ in 0..10 {
        for f in &filters {
            let t = Instant::now();
            store.count_contacts(ws.id, f).await.unwrap();
            counts.push(t.elapsed());
        }
    }
    let mut pages = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        store.list_contacts(ws.id, &ContactFilter::default(), 0, 100).await.unwrap();
        pages.push(t.elapsed());
    }
    let total = store.count_contacts(ws.id, &ContactFilter::default()).await.unwrap();
    println!("| measure | value | goal |");
    println!("|---|---|---|");
    println!("| rows in file | {} | |", report.rows);
    println!("| contacts after import (duplicates merged) | {} ({} merged) | |", total, report.merged);
    println!("| import | {:.2} s | < 2 s |", import.as_secs_f64());
    println!("| type-ahead search p50 / p95 | {:.2} / {:.2} ms | p95 < 5 ms |", ms(percentile(search.clone(), 0.5)), ms(percentile(search, 0.95)));
    println!("| segment count p50 / max | {:.2} / {:.2} ms | < 20 ms |", ms(percentile(counts.clone(), 0.5)), ms(percentile(counts, 1.0)));
    println!("| Fans first page (100 rows + total) p50 / max | {:.2} / {:.2} ms | < 50 ms |", ms(percentile(pages.clone(), 0.5)), ms(percentile(pages, 1.0)));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
