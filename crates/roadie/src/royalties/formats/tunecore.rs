//! TuneCore sales report, layout `tunecore-sales-report-21col`: CSV, CRLF, 21 columns: Sales
//! Period, Posted Date, Store Name, Country Of Sale, Artist, Release Type, Release Title, Song
//! Title, Label, UPC, Optional UPC, TC Song ID, Optional ISRC, Sales Type, # Units Sold, Per Unit
//! Price, Net Sales, Net Sales Currency, Exchange Rate, Total Earned, Currency.
//! The amount is `Total Earned` (= Net Sales x Exchange Rate) in `Currency`; the reporting
//! period is `Posted Date`.

use super::{ColumnMapping, Layout, UsageRule};
use crate::royalties::Format;

pub fn layout() -> Layout {
    Layout {
        format: Format::Tunecore,
        version: "tunecore-sales-report-21col".into(),
        mapping: ColumnMapping {
            reporting_period: "Posted Date".into(),
            sale_period: Some("Sales Period".into()),
            store: Some("Store Name".into()),
            territory: Some("Country Of Sale".into()),
            usage_type: Some("Sales Type".into()),
            isrc: Some("Optional ISRC".into()),
            upc: Some("UPC".into()),
            title: Some("Song Title".into()),
            title_fallback: Some("Release Title".into()),
            artist: Some("Artist".into()),
            units: Some("# Units Sold".into()),
            amount: "Total Earned".into(),
            currency: Some("Currency".into()),
            ..ColumnMapping::default()
        },
        usage: UsageRule::Column,
        not_earnings: None,
        lenient: true,
    }
}
