//! CD Baby accounting report, layout `cdbaby-accounting-14col`: tab-separated, CRLF, 14 columns:
//! Report Date, Sales Date, Quantity, Price, Subtotal, Isrc, Barcode, CDBabySku, Album Name, Artist
//! Name, Track Name, Partner Name, Transaction Type, Delivery Country.
//! Dates like `10/15/2023 12:00:00 AM`, quoted barcodes, lower-case ISRCs, 10-decimal amounts.
//! The amount is `Subtotal`, in USD.

use super::{ColumnMapping, Layout, UsageRule};
use crate::royalties::Format;

pub fn layout() -> Layout {
    Layout {
        format: Format::Cdbaby,
        version: "cdbaby-accounting-14col".into(),
        mapping: ColumnMapping {
            reporting_period: "Report Date".into(),
            sale_period: Some("Sales Date".into()),
            store: Some("Partner Name".into()),
            territory: Some("Delivery Country".into()),
            usage_type: Some("Transaction Type".into()),
            isrc: Some("Isrc".into()),
            upc: Some("Barcode".into()),
            title: Some("Track Name".into()),
            title_fallback: Some("Album Name".into()),
            artist: Some("Artist Name".into()),
            units: Some("Quantity".into()),
            amount: "Subtotal".into(),
            default_currency: Some("USD".into()),
            ..ColumnMapping::default()
        },
        usage: UsageRule::Column,
        not_earnings: None,
        lenient: true,
    }
}
