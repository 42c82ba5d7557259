//! Exports: Mailchimp's import layout or a plain CSV. Only contacts whose current consent is
//! opt-in, unless the user asks for everyone, and then the file carries each one's status.

use super::contacts::{load_contact, ConsentStatus};
use super::filter::ContactFilter;
use crate::error::{Error, Result};
use crate::Store;
use serde::{Deserialize, Serialize};
use std::io::Write;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Mailchimp,
    Csv,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mailchimp" => Ok(ExportFormat::Mailchimp),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(format!("unknown export format '{other}' (mailchimp or csv)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportSummary {
    pub written: u32,
    /// Left out because their current consent is not opt-in (or they have no usable e-mail).
    pub skipped: u32,
}

/// "Lin Qiao" → ("Lin", "Qiao"); a name without spaces (周杰伦) stays whole as the first name.
fn split_name(name: &str) -> (String, String) {
    match name.trim().rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_string(), last.trim().to_string()),
        None => (name.trim().to_string(), String::new()),
    }
}

impl Store {
    pub async fn export_contacts(
        &self,
        workspace_id: Uuid,
        filter: &ContactFilter,
        format: ExportFormat,
        include_without_consent: bool,
        out: impl Write,
    ) -> Result<ExportSummary> {
        let ids = self.contact_ids(workspace_id, filter).await?;
        let mut csv = csv::Writer::from_writer(out);
        let io = |e: csv::Error| Error::Io(std::io::Error::other(e.to_string()));
        let consent_col = include_without_consent || format == ExportFormat::Csv;
        let mut header: Vec<&str> = match format {
            ExportFormat::Mailchimp => vec!["Email Address", "First Name", "Last Name", "Phone Number", "Tags"],
            ExportFormat::Csv => vec![
                "name", "email", "other_emails", "phone", "city", "region", "country", "language", "tags", "sources",
                "first_seen", "last_activity", "notes",
            ],
        };
        if consent_col {
            header.push(if format == ExportFormat::Mailchimp { "Consent Status" } else { "consent" });
        }
        csv.write_record(&header).map_err(io)?;
        let mut summary = ExportSummary { written: 0, skipped: 0 };
        let mut conn = self.pool.acquire().await?;
        for id in ids {
            let c = load_contact(&mut conn, id).await?;
            let email = c.emails.iter().find(|e| !e.bounced).map(|e| e.email.clone());
            let mailable = email.is_some() && (include_without_consent || c.consent == ConsentStatus::OptedIn);
            if format == ExportFormat::Mailchimp && !mailable || format == ExportFormat::Csv && !include_without_consent && c.consent != ConsentStatus::OptedIn {
                summary.skipped += 1;
                continue;
            }
            let mut record: Vec<String> = match format {
                ExportFormat::Mailchimp => {
                    let (first, last) = split_name(c.name.as_deref().unwrap_or(""));
                    let tags = c.tags.iter().map(|t| t.replace('"', "")).collect::<Vec<_>>().join(",");
                    vec![email.unwrap_or_default(), first, last, c.phone.clone().unwrap_or_default(), tags]
                }
                ExportFormat::Csv => vec![
                    c.name.clone().unwrap_or_default(),
                    c.email.clone().unwrap_or_default(),
                    c.emails.iter().skip(1).map(|e| e.email.as_str()).collect::<Vec<_>>().join(" "),
                    c.phone.clone().unwrap_or_default(),
                    c.city.clone().unwrap_or_default(),
                    c.region.clone().unwrap_or_default(),
                    c.country.clone().unwrap_or_default(),
                    c.language.clone().unwrap_or_default(),
                    c.tags.join(";"),
                    c.sources.join(";"),
                    c.first_seen.to_rfc3339(),
                    c.last_activity.map(|a| a.to_rfc3339()).unwrap_or_default(),
                    c.notes.clone().unwrap_or_default(),
                ],
            };
            if consent_col {
                record.push(c.consent.as_str().to_string());
            }
            csv.write_record(&record).map_err(io)?;
            summary.written += 1;
        }
        csv.flush()?;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fans::testing::store;
    use crate::fans::{ConsentInput, ContactInput};
    use chrono::Utc;

    #[tokio::test]
    async fn only_opted_in_unless_asked_and_the_file_says_so() {
        let (store, ws, _dir) = store().await;
        let yes = store
            .create_contact(ws, ContactInput { name: Some("Lin Qiao".into()), emails: vec!["lin@a.com".into()], tags: vec!["vip".into(), "sh".into()], ..Default::default() }, "t")
            .await
            .unwrap();
        store.record_consent(yes.id, ConsentInput { status: ConsentStatus::OptedIn, at: Utc::now(), source: "form".into(), wording: None }).await.unwrap();
        store.create_contact(ws, ContactInput { name: Some("周杰伦".into()), emails: vec!["jay@b.com".into()], ..Default::default() }, "t").await.unwrap();

        let mut out = Vec::new();
        let s = store.export_contacts(ws, &ContactFilter::default(), ExportFormat::Mailchimp, false, &mut out).await.unwrap();
        assert_eq!((s.written, s.skipped), (1, 1));
        assert_eq!(String::from_utf8(out).unwrap(), "Email Address,First Name,Last Name,Phone Number,Tags\nlin@a.com,Lin,Qiao,,\"sh,vip\"\n");

        let mut out = Vec::new();
        let s = store.export_contacts(ws, &ContactFilter::default(), ExportFormat::Mailchimp, true, &mut out).await.unwrap();
        assert_eq!(s.written, 2);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Email Address,First Name,Last Name,Phone Number,Tags,Consent Status\n"), "{text}");
        assert!(text.contains("jay@b.com,周杰伦,,,,unknown"), "{text}");
    }
}
