//! DistroKid "bank details" export: tab-separated, CRLF, UTF-8.
//!
//! Layout `distrokid-bank-details-2023` (13 columns): Reporting Date, Sale Month, Store, Artist,
//! Title, ISRC, UPC, Quantity, Team Percentage, Song/Album, Country of Sale, Songwriter Royalties
//! Withheld, Earnings (USD).
//! Layout `distrokid-bank-details-2024` (the newer export) adds Date Inserted, Source Type and
//! names money columns with "(USD)" (Songwriter Royalties Withheld (USD), Recoup (USD)); read the
//! same way, extra columns kept raw. The amount is `Earnings (USD)`, in USD.

use super::{ColumnMapping, Layout, UsageRule};
use crate::royalties::Format;

pub fn layout(header: &[String]) -> Layout {
    let newer = header.iter().any(|h| h == "source type" || h == "date inserted" || h == "recoup (usd)");
    Layout {
        format: Format::Distrokid,
        version: if newer { "distrokid-bank-details-2024" } else { "distrokid-bank-details-2023" }.into(),
        mapping: ColumnMapping {
            reporting_period: "Reporting Date".into(),
            sale_period: Some("Sale Month".into()),
            store: Some("Store".into()),
            territory: Some("Country of Sale".into()),
            isrc: Some("ISRC".into()),
            upc: Some("UPC".into()),
            title: Some("Title".into()),
            artist: Some("Artist".into()),
            units: Some("Quantity".into()),
            amount: "Earnings (USD)".into(),
            default_currency: Some("USD".into()),
            ..ColumnMapping::default()
        },
        usage: UsageRule::StoreName,
        not_earnings: None,
        lenient: true,
    }
}
