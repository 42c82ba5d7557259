//! Bandcamp sales from imported royalty statements become purchases of the fan with the buyer's
//! e-mail: the line's `buyer email` cell (kept in the line's raw row by the royalties import),
//! what the buyer paid (`item total`, else the line's amount) in the line's currency, at the
//! sale's own time (Bandcamp's `date` column, e.g. `11/25/22 5:45pm`, read as UTC: the royalties
//! import keeps it in the line's raw row), else the first of the month the statement reports (a
//! line imported before the raw row kept the date), with the line's release when the royalties
//! matching found it.
//! A sale is recorded once (its file and line are the activity's external reference), so linking
//! again, after every fan or statement import, adds only what is new. Buyers with no contact stay
//! out of the fans (a sale is not consent to be contacted).

use super::contacts::{sql, ActivityKind};
use super::money::{parse_amount, to_micros};
use super::normalize_email;
use crate::error::Result;
use crate::Store;
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use std::collections::{BTreeSet, HashMap};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SalesLinkReport {
    /// Bandcamp sale lines that name a buyer e-mail.
    pub sales: u32,
    /// Purchases recorded now (sales linked before are not counted again).
    pub linked: u32,
    /// Contacts that got a purchase now.
    pub contacts: u32,
    /// Sales whose buyer e-mail belongs to no contact of the workspace.
    pub unknown_buyers: u32,
}

/// A header as compared: lower case, words separated by one space.
fn header(name: &str) -> String {
    name.to_lowercase().replace(['_', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// When a Bandcamp sale happened, from its `date` cell: `11/25/22 5:45pm` (US order, two-digit
/// year, 12-hour clock), `11/25/2022 17:45`, or any date and time a fan list may write.
fn sale_time(cell: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let t = cell.trim();
    for fmt in ["%m/%d/%y %I:%M%p", "%m/%d/%y %I:%M %p", "%m/%d/%Y %I:%M%p", "%m/%d/%Y %I:%M %p", "%m/%d/%y %H:%M", "%m/%d/%Y %H:%M"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(t, fmt) {
            return Some(n.and_utc());
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%m/%d/%y") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc());
    }
    super::import::rows::parse_when(t)
}

/// `2022-11` → the first of that month, as activities store times.
fn month_start(period: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let date = chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

pub(crate) async fn link_bandcamp_sales(conn: &mut SqliteConnection, workspace_id: Uuid, hlc: &str) -> Result<SalesLinkReport> {
    let mut report = SalesLinkReport::default();
    // Each file once, with its lines (the same file may be in two ledgers of this store; a
    // pulled row without its lines here has a negative seq).
    let files = sqlx::query(
        "SELECT min(seq) AS seq, content_hash, raw_columns FROM statement_files WHERE format = 'bandcamp' AND deleted = 0 AND seq > 0 \
         GROUP BY content_hash ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let workspace = workspace_id.to_string();
    let mut owners: HashMap<String, Option<String>> = HashMap::new();
    let mut touched = BTreeSet::new();
    for file in &files {
        let columns: Vec<String> = serde_json::from_str(&file.try_get::<String, _>("raw_columns")?).unwrap_or_default();
        let position = |names: &[&str]| columns.iter().position(|c| names.contains(&header(c).as_str()));
        let Some(email_at) = position(&["buyer email", "buyer e mail", "email"]) else { continue };
        let paid_at = position(&["item total"]);
        let date_at = position(&["date"]);
        let seq: i64 = file.try_get("seq")?;
        let hash: String = file.try_get("content_hash")?;
        let lines = sqlx::query(
            "SELECT l.line_no, l.reporting_period, COALESCE(l.sale_period, l.reporting_period) AS period, l.title, l.amount, l.currency, \
             l.raw, COALESCE(l.release_id, (SELECT t.release_id FROM tracks t WHERE t.id = l.track_id)) AS release_id \
             FROM statement_lines l WHERE l.file_seq = ? ORDER BY l.id",
        )
        .bind(seq)
        .fetch_all(&mut *conn)
        .await?;
        for line in &lines {
            let raw: Vec<Option<String>> = serde_json::from_str(&line.try_get::<String, _>("raw")?).unwrap_or_default();
            let Some(email) = raw.get(email_at).cloned().flatten().and_then(|e| normalize_email(&e).ok()) else { continue };
            report.sales += 1;
            if !owners.contains_key(&email) {
                let owner: Option<String> =
                    sqlx::query_scalar(sql::EMAIL_OWNER).bind(&workspace).bind(&email).fetch_optional(&mut *conn).await?;
                owners.insert(email.clone(), owner);
            }
            let Some(contact) = owners[&email].clone() else {
                report.unknown_buyers += 1;
                continue;
            };
            let paid = paid_at.and_then(|i| raw.get(i).cloned().flatten()).filter(|p| !p.trim().is_empty());
            let amount: String = line.try_get("amount")?;
            let Ok(micros) = parse_amount(paid.as_deref().unwrap_or(&amount)).and_then(to_micros) else { continue };
            let period: String = line.try_get("period")?;
            let sold = date_at.and_then(|i| raw.get(i).cloned().flatten()).and_then(|d| sale_time(&d));
            let Some(at) = sold.or_else(|| month_start(&period)) else { continue };
            let title: Option<String> = line.try_get("title")?;
            let line_no: i64 = line.try_get("line_no")?;
            let done = sqlx::query(sql::APPEND_ACTIVITY)
                .bind(super::contacts::derived_ids::activity(&contact, &format!("bandcamp:{hash}:{line_no}")).to_string())
                .bind(&contact)
                .bind(ActivityKind::Purchase.as_str())
                .bind(at)
                .bind(Some(match title {
                    Some(t) => format!("Bandcamp: {t}"),
                    None => "Bandcamp".to_string(),
                }))
                .bind(micros)
                .bind(line.try_get::<String, _>("currency")?)
                .bind(line.try_get::<Option<String>, _>("release_id")?)
                .bind(format!("bandcamp:{hash}:{line_no}"))
                .bind(hlc)
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() > 0 {
                report.linked += 1;
                touched.insert(contact);
            }
        }
    }
    for contact in &touched {
        sqlx::query(sql::REFRESH_DERIVED).bind(contact).bind(hlc).execute(&mut *conn).await?;
    }
    report.contacts = touched.len() as u32;
    Ok(report)
}

impl Store {
    /// Records every Bandcamp sale of the imported statements whose buyer e-mail is a contact's
    /// as that contact's purchase (once). See the module docs.
    pub async fn link_bandcamp_sales(&self, workspace_id: Uuid) -> Result<SalesLinkReport> {
        self.get_workspace(workspace_id).await?;
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        let report = link_bandcamp_sales(&mut tx, workspace_id, &hlc).await?;
        tx.commit().await?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fans::import::FanImportOptions;
    use crate::fans::testing::store;
    use crate::fans::{ContactFilter, ContactInput, Money};
    use crate::jobs::CancelToken;
    use crate::royalties::ImportOptions;

    const SALES: &str = "date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount,buyer name,buyer email,country code\r\n\
        11/25/22 5:45pm,paypal,album,Night Drive,Artist 1,USD,7.00,1,,7.00,0.50,paypal,7.00,5.95,123,ABC,5.95,Ada Chen,Ada@Example.com,US\r\n\
        11/26/22 9:00am,paypal,package,Night Drive LP,Artist 1,USD,20.00,1,,20.00,2.00,paypal,25.00,21.00,124,ABD,21.00,Ada Chen, ada@example.com ,US\r\n\
        12/02/22 9:00am,paypal,track,Intro,Artist 1,GBP,1.00,1,,1.00,0.10,paypal,1.00,0.90,125,ABE,0.90,Someone,nobody@example.com,GB\r\n\
        12/03/22 9:00am,paypal,track,Intro,Artist 1,GBP,1.00,1,,1.00,0.10,paypal,1.00,0.90,126,ABF,0.90,,,GB\r\n";

    #[test]
    fn sale_times_as_bandcamp_writes_them() {
        let at = |s: &str| sale_time(s).map(|t| t.to_rfc3339());
        assert_eq!(at("11/25/22 5:45pm").as_deref(), Some("2022-11-25T17:45:00+00:00"));
        assert_eq!(at("1/5/23 12:03am").as_deref(), Some("2023-01-05T00:03:00+00:00"));
        assert_eq!(at("12/02/22 9:00 AM").as_deref(), Some("2022-12-02T09:00:00+00:00"));
        assert_eq!(at("11/25/2022 17:45").as_deref(), Some("2022-11-25T17:45:00+00:00"));
        assert_eq!(at("2022-11-25 17:45:00").as_deref(), Some("2022-11-25T17:45:00+00:00"));
        assert_eq!(at("11/25/22").as_deref(), Some("2022-11-25T00:00:00+00:00"));
        assert_eq!(at("later"), None);
        assert_eq!(month_start("2022-11").map(|t| t.to_rfc3339()).as_deref(), Some("2022-11-01T00:00:00+00:00"));
    }

    #[tokio::test]
    async fn bandcamp_sales_become_purchases_of_the_fan_with_that_email() {
        let (store, ws, dir) = store().await;
        let ada = store
            .create_contact(ws, ContactInput { name: Some("Ada".into()), emails: vec!["ada@example.com".into()], ..ContactInput::default() }, "manual")
            .await
            .unwrap();
        let path = dir.path().join("bandcamp-sales.csv");
        std::fs::write(&path, SALES).unwrap();
        let imported = store.import_statement(&path, &ImportOptions::default()).await.unwrap();
        assert_eq!(imported.imported, 4);

        let report = store.link_bandcamp_sales(ws).await.unwrap();
        assert_eq!(report, SalesLinkReport { sales: 3, linked: 2, contacts: 1, unknown_buyers: 1 });
        let ada = store.get_contact(ada.id).await.unwrap();
        // What the fan paid (item total), not what the artist received.
        assert_eq!(ada.lifetime_spend, vec![Money { currency: "USD".into(), amount: "32".into() }]);
        // Dated by the sale's own time, not the statement's month.
        assert_eq!(ada.last_activity, sale_time("11/26/22 9:00am"));
        assert_eq!(ada.last_activity.unwrap().to_rfc3339(), "2022-11-26T09:00:00+00:00");
        let times: Vec<String> = store
            .contact_timeline(ada.id)
            .await
            .unwrap()
            .iter()
            .map(|e| match e {
                crate::fans::TimelineEntry::Activity(a) => a.at.to_rfc3339(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(times, ["2022-11-26T09:00:00+00:00", "2022-11-25T17:45:00+00:00"]);
        let spenders = ContactFilter { spend_above: Some("30".into()), spend_currency: Some("USD".into()), ..Default::default() };
        assert_eq!(store.count_contacts(ws, &spenders).await.unwrap(), 1);

        // Linking again records nothing twice, also with the same file in a second ledger.
        store.set_ledger_workspace(Some(ws)).await.unwrap();
        assert!(!store.import_statement(&path, &ImportOptions::default()).await.unwrap().duplicate_file);
        let again = store.link_bandcamp_sales(ws).await.unwrap();
        assert_eq!((again.sales, again.linked, again.unknown_buyers), (3, 0, 1));
        assert_eq!(store.contact_timeline(ada.id).await.unwrap().len(), 2);

        // A buyer who joins the fans later gets their purchases with the fan import.
        let list = dir.path().join("list.csv");
        std::fs::write(&list, "Name,Email\nNo Body,NOBODY@example.com\n").unwrap();
        store.import_fans(ws, &list, &FanImportOptions::default(), &|_| {}, &CancelToken::new()).await.unwrap();
        let found = store.search_contacts(ws, "nobody", 5).await.unwrap();
        let nobody = store.get_contact(found[0].id).await.unwrap();
        assert_eq!(nobody.lifetime_spend, vec![Money { currency: "GBP".into(), amount: "1".into() }]);
    }
}
