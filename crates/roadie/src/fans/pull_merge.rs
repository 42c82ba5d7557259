//! The same fan made on two devices under two ids (typed in on one and imported on the other, or
//! on two different lists) meets when one device pulls the other's e-mail row: a workspace holds
//! one live contact per e-mail. The pull then merges the two as every device decides alike: the
//! contact with the smaller id stays, the other is absorbed into it (its history moves, the
//! kept contact's empty fields are filled from it, differing notes are both kept), and the merge
//! is an ordinary local edit that syncs. Every device that holds both contacts meets the same
//! clash and makes the same merge, so the stores converge whichever pulls first.

use super::contacts::refresh_derived;
use super::dedupe::absorb;
use crate::error::{Error, Result};
use crate::sync::engine::apply_change;
use crate::sync::TableShape;
use chrono::{DateTime, Utc};
use roadie_protocol::sync::Change;
use serde_json::Value;
use sqlx::{Connection, SqliteConnection};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The index that keeps one live contact per e-mail (as migrations/…_fans_country_counts.sql
/// last made it).
const DROP_UNIQUE: &str = "DROP INDEX contact_emails_unique";
const CREATE_UNIQUE: &str =
    "CREATE UNIQUE INDEX contact_emails_unique ON contact_emails (email, workspace_id) WHERE deleted = 0";

/// Whether a pulled change failed only because its e-mail is another local contact's.
pub(crate) fn is_email_clash(table: &str, err: &Error) -> bool {
    table == "contact_emails"
        && matches!(err, Error::Database(sqlx::Error::Database(db))
            if db.is_unique_violation() && db.message().contains("contact_emails.workspace_id"))
}

/// What [`settle`] did: the contacts whose search rows changed, and the clashing changes it could
/// still not apply (with why), for the caller to park in `sync_errors`.
#[derive(Default)]
pub(crate) struct Settled<'c> {
    pub touched: BTreeSet<Uuid>,
    pub failed: Vec<(&'c Change, Error)>,
}

/// Applies the pulled e-mail rows that clashed, then merges each pair of contacts sharing an
/// e-mail. Runs in the page's transaction with `sync_applying` set (and leaves it set): the pulled
/// rows are applied as pulled, the merge is written as local edits (outbox).
pub(crate) async fn settle<'c>(
    tx: &mut SqliteConnection,
    shape: &TableShape,
    clashes: &[&'c Change],
    hlc: &str,
    now: DateTime<Utc>,
) -> Result<Settled<'c>> {
    let mut settled = Settled::default();
    // While both rows are live for a moment, within this transaction only.
    sqlx::query(DROP_UNIQUE).execute(&mut *tx).await?;
    let mut shared = BTreeSet::new();
    for change in clashes {
        let mut sp = tx.begin().await?;
        match apply_change(&mut sp, shape, change).await {
            Ok(()) => {
                sp.commit().await?;
                if let Some(key) = workspace_and_email(&mut *tx, change).await? {
                    shared.insert(key);
                }
            }
            Err(e) => {
                sp.rollback().await?;
                settled.failed.push((change, e));
            }
        }
    }
    sqlx::query("DELETE FROM sync_applying").execute(&mut *tx).await?;
    for (workspace, email) in &shared {
        // Every live row of the e-mail, live contacts first, then by id: the first is kept.
        let rows: Vec<(String, bool)> = sqlx::query_as(
            "SELECT e.contact_id, c.deleted FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
             WHERE e.workspace_id = ? AND e.email = ? AND e.deleted = 0 ORDER BY c.deleted, e.contact_id",
        )
        .bind(workspace)
        .bind(email)
        .fetch_all(&mut *tx)
        .await?;
        let Some(((keep, _), others)) = rows.split_first() else { continue };
        if others.is_empty() {
            continue;
        }
        let parse = |id: &str| Uuid::parse_str(id).map_err(|_| Error::invalid("sync change", vec![]));
        let (keep, workspace_id) = (parse(keep)?, parse(workspace)?);
        for (other, other_deleted) in others {
            if *other_deleted {
                // Merged away or deleted elsewhere, its e-mail's tombstone not here yet.
                sqlx::query("UPDATE contact_emails SET deleted = 1, is_primary = 0, hlc = ? WHERE contact_id = ? AND email = ?")
                    .bind(hlc)
                    .bind(other)
                    .bind(email)
                    .execute(&mut *tx)
                    .await?;
                continue;
            }
            let other = parse(other)?;
            fill_from(&mut *tx, keep, other, hlc, now).await?;
            absorb(&mut *tx, keep, workspace_id, other, hlc, now).await?;
            settled.touched.insert(other);
        }
        refresh_derived(&mut *tx, keep, hlc).await?;
        settled.touched.insert(keep);
    }
    sqlx::query("INSERT OR IGNORE INTO sync_applying (one) VALUES (1)").execute(&mut *tx).await?;
    sqlx::query(CREATE_UNIQUE).execute(&mut *tx).await?;
    Ok(settled)
}

/// The workspace and e-mail of a pulled e-mail row (key: `[contact_id, email]`).
async fn workspace_and_email(tx: &mut SqliteConnection, change: &Change) -> Result<Option<(String, String)>> {
    let keys: Vec<Value> = serde_json::from_str(&change.pk).unwrap_or_default();
    let (Some(contact), Some(email)) = (keys.first().and_then(Value::as_str), keys.get(1).and_then(Value::as_str))
    else {
        return Ok(None);
    };
    let workspace: Option<(String,)> =
        sqlx::query_as("SELECT workspace_id FROM contact_emails WHERE contact_id = ? AND email = ?")
            .bind(contact)
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(workspace.map(|(w,)| (w, email.to_string())))
}

/// The kept contact's empty fields take the other's values; notes that differ are both kept.
async fn fill_from(tx: &mut SqliteConnection, keep: Uuid, other: Uuid, hlc: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE contacts AS k SET
             name = coalesce(k.name, o.name), phone = coalesce(k.phone, o.phone),
             phone_digits = coalesce(k.phone_digits, o.phone_digits), city = coalesce(k.city, o.city),
             region = coalesce(k.region, o.region), country = coalesce(k.country, o.country),
             language = coalesce(k.language, o.language),
             notes = CASE WHEN k.notes IS NULL OR k.notes = '' THEN o.notes
                          WHEN o.notes IS NULL OR o.notes = '' OR instr(k.notes, o.notes) > 0 THEN k.notes
                          ELSE k.notes || char(10) || o.notes END,
             updated_at = ?, hlc = ?
         FROM contacts AS o WHERE k.id = ? AND o.id = ?",
    )
    .bind(now)
    .bind(hlc)
    .bind(keep.to_string())
    .bind(other.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fans::testing::store;

    /// What a pull makes again is the index the migrations made (a pull that put back another
    /// key order would leave the store's other queries on a different index).
    #[tokio::test]
    async fn the_unique_index_made_again_is_the_migrations_one() {
        let (store, _ws, _dir) = store().await;
        let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE name = 'contact_emails_unique'").fetch_one(&store.pool).await.unwrap();
        assert_eq!(sql, CREATE_UNIQUE);
        assert!(DROP_UNIQUE.ends_with("contact_emails_unique"));
    }
}
