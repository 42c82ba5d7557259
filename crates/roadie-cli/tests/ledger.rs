//! `roadie payee|split|advance|fx|statements|payout` end to end: the JSON contract, the sum
//! invariant on real imported lines, the PDF read back, byte-identical regeneration, errors.

use serde_json::Value;

mod common;
use common::{Roadie, DK_HEADER};

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    k.sort();
    k
}

fn dec(v: &Value) -> rust_decimal::Decimal {
    v.as_str().unwrap_or_else(|| panic!("{v} is not a decimal string")).parse().unwrap()
}

#[test]
fn splits_advances_rates_statements_and_payouts_follow_the_contract() {
    let r = Roadie::new();
    r.json(&["workspace", "create", "--kind", "label", "--name", "声音厂牌 Sound Label"]);
    r.json(&["artist", "add", "Band"]);
    let release = r.json(&["release", "add", "--title", "Album", "--type", "album", "--artist", "Band"]);
    let release_id = release["id"].as_str().unwrap().to_string();
    r.json(&["track", "add", &release_id, "--title", "Song 1", "--isrc", "USAAA1234567"]);
    r.json(&["track", "add", &release_id, "--title", "Song 2", "--isrc", "USAAA1234568"]);

    let cn = r.json(&["payee", "add", "王菲", "--currency", "CNY", "--email", "wf@example.com"]);
    assert_eq!(keys(&cn), ["id"]);
    let cn = cn["id"].as_str().unwrap().to_string();
    let us = r.json(&["payee", "add", "Producer"])["id"].as_str().unwrap().to_string();

    let bad = r.fails(&["split", "set", "--isrc", "USAAA1234567", "--share", &format!("{cn}=60"), &format!("{us}=39.9999")]);
    assert!(bad.starts_with("roadie: invalid split: shares: shares total 99.9999") && bad.trim_end().ends_with("[invalid_input]"), "{bad}");
    let split = r.json(&["split", "set", "--isrc", "USAAA1234567", "--share", &format!("{cn}=66.6667"), &format!("{us}=33.3333")]);
    assert_eq!(split["scope"], "track");
    assert_eq!(split["shares"][0]["percent"], "66.6667");

    let ecb = r.file("eurofxref-hist.csv", "Date,USD,JPY,CNY,CYP,\n2023-02-28,1.0609,144.97,7.3615,N/A,\n2023-02-27,1.0554,144.59,7.3438,N/A,\n");
    let fx = r.json(&["fx", "import", &ecb]);
    assert_eq!((fx["days"].as_u64(), fx["rates"].as_u64(), fx["missing"].as_u64()), (Some(2), Some(6), Some(2)));
    let manual = r.json(&["fx", "set", "--date", "2023-02-28", "--from", "USD", "--to", "JPY", "--rate", "136.5"]);
    assert_eq!(manual["rate"], "136.5");

    let adv = r.json(&["advance", "add", "--payee", &cn, "--amount", "10", "--currency", "CNY", "--release", &release_id, "--note", "mixing", "--date", "2023-01-10"]);
    assert_eq!((adv["payee_amount"].as_str(), adv["remaining"].as_str()), (Some("10.00"), Some("10.00")));

    let statement = r.file(
        "dk.tsv",
        &[
            DK_HEADER,
            "2023-02-02\t2023-01\tSpotify\tBand\tSong 1\tUSAAA1234567\t\t3\t100\tSong\tUS\t0\t10.0123456789",
            "2023-02-02\t2023-01\tApple Music\tBand\tSong 1\tUSAAA1234567\t\t1\t100\tSong\tCN\t0\t5.005",
            "2023-02-02\t2023-01\tSpotify\tBand\tSong 2\tUSAAA1234568\t\t1\t100\tSong\tGB\t0\t0.3333333333",
            "2023-02-02\t2023-01\tSpotify\tOther\tCover\tQZAAA2300001\t\t1\t100\tSong\tUS\t0\t0.10",
            "",
        ]
        .join("\r\n"),
    );
    r.json(&["import", "statement", &statement]);

    let out_dir = r.path("statements");
    let run = r.json(&["statements", "generate", "--period", "2023-02", "--out", &out_dir]);
    assert_eq!(run["period"], "2023-02");
    let statements = run["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 3, "{run}"); // 王菲, the producer, and Band's default payee
    for s in statements {
        assert_eq!(keys(s), ["csv", "currency", "earned", "payable", "payee", "payee_id", "pdf", "recouped"]);
        assert!(dec(&s["payable"]) <= dec(&s["earned"]));
    }
    // Song 1 earned 15.0173456789 USD, Song 2 0.3333333333, a cover 0.10 (unmatched): 15.45
    // rounded. 王菲 66.6667% = 10.0116.. → 10.01; the producer 33.3333% = 5.0057.. → 5.01 (the
    // largest remainder takes the missing cent); Band's default payee 0.33; 0.10 unallocated.
    let totals = &run["totals"][0];
    assert_eq!(totals["currency"], "USD");
    assert_eq!(dec(&totals["allocated"]) + dec(&totals["unallocated"]), dec(&totals["rounded"]));
    assert_eq!(totals["rounded"], "15.45");
    assert_eq!(totals["unallocated"], "0.10");
    let wang = statements.iter().find(|s| s["payee"] == "王菲").unwrap();
    assert_eq!(wang["currency"], "CNY");
    // USD→CNY through EUR on 2023-02-28: 7.3615 / 1.0609 = 6.9389197851; 10.01 USD → 69.46 CNY,
    // less the 10.00 CNY advance on the release.
    assert_eq!(wang["earned"], "69.46");
    assert_eq!(wang["recouped"], "10.00");
    assert_eq!(dec(&wang["payable"]), dec(&wang["earned"]) - rust_decimal::Decimal::from(10));

    let pdf = wang["pdf"].as_str().unwrap();
    let text = std::process::Command::new("pdftotext").args(["-layout", pdf, "-"]).output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("王菲") && text.contains("声音厂牌 Sound Label"), "{text}");
    assert!(text.contains(&format!("{} CNY", wang["payable"].as_str().unwrap())), "{text}");
    let csv = std::fs::read_to_string(wang["csv"].as_str().unwrap()).unwrap();
    assert!(csv.starts_with("section,period,release,track,isrc,store,territory,item,reference,currency,amount,rate,payee_currency,payee_amount\r\n"));
    assert!(csv.contains(&format!("summary,2023-02,,,,,,payable,,,,,CNY,{}", wang["payable"].as_str().unwrap())), "{csv}");

    // The same period again: the same files, byte for byte.
    let again_dir = r.path("again");
    let again = r.json(&["statements", "generate", "--period", "2023-02", "--out", &again_dir]);
    let wang2 = again["statements"].as_array().unwrap().iter().find(|s| s["payee"] == "王菲").unwrap();
    assert_eq!(std::fs::read(pdf).unwrap(), std::fs::read(wang2["pdf"].as_str().unwrap()).unwrap());
    assert_eq!(csv, std::fs::read_to_string(wang2["csv"].as_str().unwrap()).unwrap());
    let closed = r.fails(&["statements", "generate", "--period", "2023-01", "--out", &out_dir]);
    assert!(closed.contains("[period_closed]"), "{closed}");

    // Payouts: not more than payable; the rest carries forward.
    let payable = wang["payable"].as_str().unwrap().to_string();
    let too_much = r.fails(&["payout", "add", "--payee", &cn, "--amount", "100000", "--currency", "CNY", "--date", "2023-03-05"]);
    assert!(too_much.contains("[payout_exceeds_payable]"), "{too_much}");
    let paid = r.json(&["payout", "add", "--payee", &cn, "--amount", "5.00", "--currency", "CNY", "--date", "2023-03-05", "--reference", "WIRE-1"]);
    assert_eq!(dec(&paid["payable_after"]), dec(&Value::String(payable)) - rust_decimal::Decimal::from(5));
    assert_eq!(paid["reference"], "WIRE-1");
}

#[test]
fn missing_rates_and_bad_files_say_what_and_where() {
    let r = Roadie::new();
    r.json(&["workspace", "create", "--kind", "artist", "--name", "Solo"]);
    let bad = r.file("rates.csv", "Date,USD,\n2024-01-03,1.09,\n2024-01-02,one,\n");
    let err = r.fails(&["fx", "import", &bad]);
    assert!(err.contains("rates.csv, line 3: USD: 'one' is not a rate") && err.trim_end().ends_with("[bad_line]"), "{err}");
    let p = r.json(&["payee", "add", "Yuki", "--currency", "JPY"])["id"].as_str().unwrap().to_string();
    let err = r.fails(&["advance", "add", "--payee", &p, "--amount", "100", "--currency", "USD"]);
    assert!(err.contains("[fx_rate_missing]"), "{err}");
    let err = r.fails(&["payee", "add", "X", "--currency", "dollars"]);
    assert!(err.contains("[invalid_input]"), "{err}");
}

#[test]
fn royalties_ledger_shows_picks_and_drops_the_workspace_whose_ledger_the_store_keeps() {
    let r = Roadie::new();
    assert_eq!(r.json(&["royalties", "ledger"]), serde_json::json!({ "workspace": null }));
    let label = r.json(&["workspace", "create", "--kind", "label", "--name", "声音厂牌"]);
    let picked = r.json(&["royalties", "ledger", "声音厂牌"]);
    assert_eq!(picked["workspace"]["id"], label["id"]);
    assert_eq!(r.json(&["royalties", "ledger"])["workspace"]["name"], "声音厂牌");
    let text = String::from_utf8(r.cmd(&["royalties", "ledger"]).output().unwrap().stdout).unwrap();
    assert!(text.contains("声音厂牌"), "{text}");
    let missing = r.fails(&["royalties", "ledger", "Nobody"]);
    assert!(missing.trim_end().ends_with("[not_found]"), "{missing}");
    assert_eq!(r.json(&["royalties", "ledger"])["workspace"]["id"], label["id"], "unchanged by the failed pick");
    assert_eq!(r.json(&["royalties", "ledger", "--own"]), serde_json::json!({ "workspace": null }));
}
