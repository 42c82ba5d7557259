//! Duplicate suggestions (same phone; same name in the same city) and merging: the user picks each
//! field, and the merged contact keeps every e-mail, tag, source, consent event and activity.

use super::contacts::{load_contact, refresh_derived, summary_from_row, ContactSummary, SUMMARY_COLUMNS};
use super::search;
use super::WORKSPACE_NUMBER;
use crate::error::{Error, FieldIssue, Result};
use crate::Store;
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DuplicateGroup {
    /// `same_phone` or `same_name_city`.
    pub reason: String,
    pub contacts: Vec<ContactSummary>,
}

/// For each field, the contact whose value the merged contact takes (`None`: the kept one's).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct MergeChoices {
    pub name: Option<Uuid>,
    pub phone: Option<Uuid>,
    pub city: Option<Uuid>,
    pub region: Option<Uuid>,
    pub country: Option<Uuid>,
    pub language: Option<Uuid>,
    pub notes: Option<Uuid>,
}

impl Store {
    pub async fn duplicate_suggestions(&self, workspace_id: Uuid) -> Result<Vec<DuplicateGroup>> {
        let mut groups = Vec::new();
        for (reason, key) in [("same_phone", "c.phone_digits"), ("same_name_city", "lower(c.name) || '|' || lower(c.city)")] {
            let keys: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT {key} AS k FROM contacts c WHERE c.ws = {WORKSPACE_NUMBER} AND c.deleted = 0 AND k IS NOT NULL \
                 GROUP BY k HAVING COUNT(*) > 1 ORDER BY k"
            ))
            .bind(workspace_id.to_string())
            .fetch_all(&self.pool)
            .await?;
            for k in keys {
                let rows = sqlx::query(&format!(
                    "SELECT {SUMMARY_COLUMNS} FROM contacts c WHERE c.ws = {WORKSPACE_NUMBER} AND c.deleted = 0 AND {key} = ? ORDER BY c.created_at, c.id"
                ))
                .bind(workspace_id.to_string())
                .bind(&k)
                .fetch_all(&self.pool)
                .await?;
                groups.push(DuplicateGroup { reason: reason.into(), contacts: rows.iter().map(summary_from_row).collect::<Result<_>>()? });
            }
        }
        Ok(groups)
    }

    /// Merges `others` into `keep`. Nothing of theirs is lost: e-mails, tags, sources, consent
    /// events and activities move to `keep`; their rows become tombstones.
    pub async fn merge_contacts(&self, keep: Uuid, others: &[Uuid], choices: &MergeChoices) -> Result<super::Contact> {
        let others: Vec<Uuid> = others.iter().copied().filter(|o| *o != keep).collect();
        if others.is_empty() {
            return Err(Error::invalid("merge", vec![FieldIssue::new("others", "required", "pick at least one other contact")]));
        }
        let now = self.clock.now();
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        let kept = load_contact(&mut tx, keep).await?;
        for other in &others {
            let o = load_contact(&mut tx, *other).await?;
            if o.workspace_id != kept.workspace_id {
                return Err(Error::not_found("contact", other));
            }
        }
        // Chosen field values, copied from their contacts.
        for (column, choice) in [
            ("name", choices.name),
            ("phone", choices.phone),
            ("city", choices.city),
            ("region", choices.region),
            ("country", choices.country),
            ("language", choices.language),
            ("notes", choices.notes),
        ] {
            let Some(from) = choice.filter(|c| *c != keep) else { continue };
            if !others.contains(&from) {
                return Err(Error::invalid("merge", vec![FieldIssue::new(column, "invalid", "a field can only come from a merged contact")]));
            }
            sqlx::query(&format!("UPDATE contacts SET {column} = (SELECT {column} FROM contacts WHERE id = ?) WHERE id = ?"))
                .bind(from.to_string())
                .bind(keep.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for other in &others {
            absorb(&mut tx, keep, kept.workspace_id, *other, &hlc, now).await?;
        }
        let k = keep.to_string();
        sqlx::query("UPDATE contacts SET phone_digits = (SELECT phone_digits FROM contacts WHERE id = ?), updated_at = ?, hlc = ? WHERE id = ?")
            .bind(choices.phone.filter(|p| *p != keep).map(|p| p.to_string()).unwrap_or_else(|| k.clone()))
            .bind(now)
            .bind(&hlc)
            .bind(&k)
            .execute(&mut *tx)
            .await?;
        refresh_derived(&mut tx, keep, &hlc).await?;
        search::reindex(&mut tx, keep).await?;
        tx.commit().await?;
        self.get_contact(keep).await
    }
}


/// Moves everything of `other` to `keep` (e-mails, tags, sources, consent events, activities, the
/// earliest first-seen) and leaves `other` a tombstone. Shared by the merge screen and the merge a
/// sync makes when two devices created the same fan under two ids (`pull_merge`).
pub(crate) async fn absorb(
    tx: &mut SqliteConnection,
    keep: Uuid,
    workspace_id: Uuid,
    other: Uuid,
    hlc: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let k = keep.to_string();
    let o = other.to_string();
    // E-mails: free them on the merged contact, then give them to the kept one.
    let emails = sqlx::query("SELECT email, bounced FROM contact_emails WHERE contact_id = ? AND deleted = 0")
        .bind(&o)
        .fetch_all(&mut *tx)
        .await?;
    sqlx::query("UPDATE contact_emails SET deleted = 1, is_primary = 0, hlc = ? WHERE contact_id = ?")
        .bind(hlc)
        .bind(&o)
        .execute(&mut *tx)
        .await?;
    for e in &emails {
        sqlx::query(
            "INSERT INTO contact_emails (contact_id, workspace_id, email, is_primary, bounced, hlc) VALUES (?, ?, ?, 0, ?, ?) \
             ON CONFLICT (contact_id, email) DO UPDATE SET deleted = 0, hlc = excluded.hlc",
        )
        .bind(&k)
        .bind(workspace_id.to_string())
        .bind(e.try_get::<String, _>("email")?)
        .bind(e.try_get::<bool, _>("bounced")?)
        .bind(hlc)
        .execute(&mut *tx)
        .await?;
    }
    for (table, column) in [("contact_tags", "tag"), ("contact_sources", "source")] {
        sqlx::query(&format!(
            "INSERT INTO {table} (contact_id, {column}, hlc) SELECT ?, {column}, ? FROM {table} WHERE contact_id = ? AND deleted = 0 \
             ON CONFLICT (contact_id, {column}) DO UPDATE SET deleted = 0, hlc = excluded.hlc"
        ))
        .bind(&k)
        .bind(hlc)
        .bind(&o)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!("UPDATE {table} SET deleted = 1, hlc = ? WHERE contact_id = ?"))
            .bind(hlc)
            .bind(&o)
            .execute(&mut *tx)
            .await?;
    }
    // History moves; an event or purchase both contacts already share is kept once.
    for table in ["consent_events", "activities"] {
        sqlx::query(&format!("UPDATE OR IGNORE {table} SET contact_id = ?, hlc = ? WHERE contact_id = ?"))
            .bind(&k)
            .bind(hlc)
            .bind(&o)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE contacts SET first_seen = min(first_seen, (SELECT first_seen FROM contacts WHERE id = ?)) WHERE id = ?",
    )
    .bind(&o)
    .bind(&k)
    .execute(&mut *tx)
    .await?;
    search::unindex(tx, other).await?;
    sqlx::query("UPDATE contacts SET deleted = 1, updated_at = ?, hlc = ? WHERE id = ?")
        .bind(now)
        .bind(hlc)
        .bind(&o)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fans::testing::store;
    use crate::fans::{ActivityInput, ActivityKind, ConsentInput, ConsentStatus, ContactInput};
    use chrono::{TimeZone, Utc};

    #[tokio::test]
    async fn suggests_and_merges_keeping_all_history() {
        let (store, ws, _dir) = store().await;
        let a = store
            .create_contact(ws, ContactInput { name: Some("Lin Qiao".into()), emails: vec!["lin@a.com".into()], city: Some("Shanghai".into()), tags: vec!["vip".into()], ..Default::default() }, "bandcamp")
            .await
            .unwrap();
        let b = store
            .create_contact(ws, ContactInput { name: Some("lin qiao".into()), emails: vec!["qiao@b.com".into()], city: Some("shanghai".into()), phone: Some("+86 138 0000 0000".into()), ..Default::default() }, "mailchimp")
            .await
            .unwrap();
        let c = store
            .create_contact(ws, ContactInput { name: Some("Other".into()), phone: Some("8613800000000".into()), ..Default::default() }, "csv")
            .await
            .unwrap();
        let groups = store.duplicate_suggestions(ws).await.unwrap();
        let reasons: Vec<_> = groups.iter().map(|g| (g.reason.as_str(), g.contacts.len())).collect();
        assert_eq!(reasons, [("same_phone", 2), ("same_name_city", 2)]);

        let at = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
        store.record_consent(b.id, ConsentInput { status: ConsentStatus::OptedIn, at, source: "mc".into(), wording: None }).await.unwrap();
        store
            .add_activity(b.id, ActivityInput { kind: ActivityKind::Purchase, at, description: None, amount: Some("5".into()), currency: Some("EUR".into()), release_id: None, external_ref: Some("o1".into()) })
            .await
            .unwrap();

        let merged = store.merge_contacts(a.id, &[b.id], &MergeChoices { phone: Some(b.id), ..Default::default() }).await.unwrap();
        assert_eq!(merged.name.as_deref(), Some("Lin Qiao"));
        assert_eq!(merged.phone.as_deref(), Some("+86 138 0000 0000"));
        let emails: Vec<_> = merged.emails.iter().map(|e| e.email.as_str()).collect();
        assert_eq!(emails, ["lin@a.com", "qiao@b.com"]);
        assert_eq!(merged.sources, ["bandcamp", "mailchimp"]);
        assert_eq!(merged.consent, ConsentStatus::OptedIn);
        assert_eq!(merged.lifetime_spend[0].amount, "5");
        assert_eq!(store.get_contact(b.id).await.unwrap_err().code(), "not_found");
        assert_eq!(store.search_contacts(ws, "qiao@b", 5).await.unwrap()[0].id, a.id);
        // Now a and c share the phone.
        let groups = store.duplicate_suggestions(ws).await.unwrap();
        assert_eq!(groups.len(), 1);
        assert!(groups[0].contacts.iter().any(|s| s.id == c.id));
    }
}
