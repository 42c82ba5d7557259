//! The statement as CSV (UTF-8, comma-separated, one header): earnings rows by release, track,
//! store and territory, the rates used, recoupment per advance, and the summary (balance brought
//! forward, payments, earned, recouped, payable, balance). One `section` column says which.

use super::document::StatementDocument;
use crate::royalties::money::fmt_amount;
use rust_decimal::Decimal;

pub const HEADER: [&str; 14] = [
    "section", "period", "release", "track", "isrc", "store", "territory", "item", "reference", "currency", "amount", "rate",
    "payee_currency", "payee_amount",
];

pub fn render(doc: &StatementDocument) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let cur = doc.currency.as_str();
    let _ = w.write_record(HEADER);
    let period = doc.period.to_string();
    let rate_of = |c: &str| doc.by_currency.iter().find(|b| b.currency == c).map(|b| b.rate.rate.to_string()).unwrap_or_default();
    for e in &doc.earnings {
        let _ = w.write_record([
            "earnings",
            &e.reported.to_string(),
            &e.release,
            &e.track,
            &e.isrc,
            &e.store,
            &e.territory,
            if e.reported < doc.period { "adjustment" } else { "" },
            "",
            &e.currency,
            &fmt_amount(e.amount, &e.currency),
            &rate_of(&e.currency),
            cur,
            &fmt_amount(e.converted, cur),
        ]);
    }
    for b in &doc.by_currency {
        let item = format!("{} {} ({})", b.rate.from, b.rate.to, b.rate.source);
        let _ = w.write_record([
            "rate",
            &period,
            "",
            "",
            "",
            "",
            "",
            &item,
            &b.rate.date.to_string(),
            &b.currency,
            &fmt_amount(b.amount, &b.currency),
            &b.rate.rate.to_string(),
            cur,
            &fmt_amount(b.converted, cur),
        ]);
    }
    for r in &doc.recoupment {
        let id = r.advance_id.to_string();
        for (item, amount) in [("opening", r.opening), ("recouped", r.recouped), ("remaining", r.remaining)] {
            let item = if r.note.is_empty() { format!("{} {item}", r.kind) } else { format!("{} ({}) {item}", r.kind, r.note) };
            let _ = w.write_record(["recoupment", &period, &r.release, "", "", "", "", &item, &id, "", "", "", cur, &fmt_amount(amount, cur)]);
        }
    }
    let summary: [(&str, Decimal); 6] = [
        ("balance_brought_forward", doc.balance_brought_forward),
        ("payments", doc.payments),
        ("earned", doc.earned),
        ("recouped", doc.recouped),
        ("payable", doc.payable),
        ("balance", doc.balance),
    ];
    for (item, amount) in summary {
        let _ = w.write_record(["summary", &period, "", "", "", "", "", item, "", "", "", "", cur, &fmt_amount(amount, cur)]);
    }
    w.into_inner().unwrap_or_default()
}
