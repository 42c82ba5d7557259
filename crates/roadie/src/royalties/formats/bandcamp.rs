//! Bandcamp sales report, layout `bandcamp-sales-report-17col` (the 17 columns parsers see: date,
//! paid to, item type, item name, artist, currency, item price, quantity, discount code, sub total,
//! transaction fee, fee type, item total, amount you received, bandcamp transaction id, paypal
//! transaction id, net amount), also reading the full export's optional isrc, upc and
//! country code columns by name. CSV, UTF-16LE with BOM as served (UTF-8 when re-saved).
//! The amount is `net amount` in `currency`; `payout` rows move money out and are not earnings.

use super::{ColumnMapping, Layout, UsageRule};
use crate::royalties::Format;

pub fn layout() -> Layout {
    Layout {
        format: Format::Bandcamp,
        version: "bandcamp-sales-report-17col".into(),
        mapping: ColumnMapping {
            reporting_period: "date".into(),
            default_store: Some("Bandcamp".into()),
            territory: Some("country code".into()),
            usage_type: Some("item type".into()),
            isrc: Some("isrc".into()),
            upc: Some("upc".into()),
            title: Some("item name".into()),
            artist: Some("artist".into()),
            units: Some("quantity".into()),
            amount: "net amount".into(),
            currency: Some("currency".into()),
            ..ColumnMapping::default()
        },
        usage: UsageRule::Column,
        not_earnings: Some(("item type", &["payout"])),
        lenient: true,
    }
}
