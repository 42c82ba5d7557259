//! Payees: the people and companies statements are made out to (band members, producers,
//! featured artists, the label), with their statement currency and contact; optionally the
//! payee of a roster artist (created on demand for default splits) or of a platform user.

use super::money::currency_code;
use crate::catalog::rows::uuid;
use crate::error::{Error, Result};
use crate::validate::Checker;
use crate::Store;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;
use uuid::Uuid;

/// The statement currency of payees made without one (and of artists' default payees).
pub const DEFAULT_PAYEE_CURRENCY: &str = "USD";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Payee {
    pub id: Uuid,
    pub workspace_id: Option<Uuid>,
    pub name: String,
    /// ISO 4217: the currency their statements are in.
    pub currency: String,
    pub email: Option<String>,
    pub artist_id: Option<Uuid>,
    pub platform_user_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct PayeeInput {
    pub name: String,
    /// ISO 4217; USD when not given.
    pub currency: Option<String>,
    pub email: Option<String>,
    pub artist_id: Option<Uuid>,
    pub platform_user_id: Option<String>,
}

impl PayeeInput {
    pub fn named(name: &str) -> Self {
        Self { name: name.into(), ..Self::default() }
    }
}

fn from_row(row: &SqliteRow) -> Result<Payee> {
    let opt_uuid = |c: &str| -> Result<Option<Uuid>> {
        let t: Option<String> = row.try_get(c)?;
        t.map(|t| Uuid::parse_str(&t).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))).transpose()
    };
    Ok(Payee {
        id: uuid(row, "id")?,
        workspace_id: opt_uuid("workspace_id")?,
        name: row.try_get("name")?,
        currency: row.try_get("currency")?,
        email: row.try_get("email")?,
        artist_id: opt_uuid("artist_id")?,
        platform_user_id: row.try_get("platform_user_id")?,
    })
}

impl Store {
    /// Adds a payee (to a workspace, whose name heads their statements).
    pub async fn create_payee(&self, workspace_id: Option<Uuid>, input: PayeeInput) -> Result<Payee> {
        let mut c = Checker::default();
        let name = c.required("name", &input.name, 200);
        let currency = match input.currency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_PAYEE_CURRENCY.to_string(),
            Some(cur) => currency_code(cur).unwrap_or_else(|| {
                c.issue("currency", "invalid_currency", format!("'{cur}' is not an ISO 4217 currency code"));
                String::new()
            }),
        };
        let email = c.optional("email", input.email.as_deref(), 320);
        if let Some(e) = &email {
            if !e.contains('@') {
                c.issue("email", "invalid_email", format!("'{e}' is not an e-mail address"));
            }
        }
        let platform_user_id = c.optional("platform_user_id", input.platform_user_id.as_deref(), 100);
        c.finish("payee")?;
        if let Some(ws) = workspace_id {
            self.get_workspace(ws).await?;
        }
        if let Some(artist) = input.artist_id {
            self.get_artist(artist).await?;
        }
        let id = self.ids.new_id();
        let mut tx = self.write().await?;
        let now = self.clock.now();
        sqlx::query(
            "INSERT INTO payees (id, workspace_id, name, currency, email, artist_id, platform_user_id, created_at, updated_at, hlc) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(workspace_id.map(|w| w.to_string()))
        .bind(&name)
        .bind(&currency)
        .bind(&email)
        .bind(input.artist_id.map(|a| a.to_string()))
        .bind(&platform_user_id)
        .bind(now)
        .bind(now)
        .bind(self.stamp())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if crate::catalog::rows::is_unique_violation(&e, "payees.artist_id") {
                Error::invalid("payee", vec![crate::FieldIssue::new("artist_id", "taken", "this artist already has a payee")])
            } else {
                e.into()
            }
        })?;
        tx.commit().await?;
        self.get_payee(id).await
    }

    pub async fn get_payee(&self, id: Uuid) -> Result<Payee> {
        let row = sqlx::query("SELECT * FROM payees WHERE id = ? AND deleted = 0")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::not_found("payee", id))?;
        from_row(&row)
    }

    /// Live payees by name.
    pub async fn list_payees(&self) -> Result<Vec<Payee>> {
        let rows = sqlx::query("SELECT * FROM payees WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }
}

/// The payee of a roster artist, made (named after the artist, in the artist's workspace, paid in
/// USD) when there is none yet: the payee of a default 100% split.
pub(crate) async fn artist_payee(store: &Store, conn: &mut SqliteConnection, artist_id: &str) -> Result<String> {
    if let Some(id) = sqlx::query_scalar::<_, String>("SELECT id FROM payees WHERE artist_id = ? AND deleted = 0")
        .bind(artist_id)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(id);
    }
    let (name, workspace): (String, String) =
        sqlx::query_as("SELECT name, workspace_id FROM artists WHERE id = ?").bind(artist_id).fetch_one(&mut *conn).await?;
    // Derived from the artist: two devices that each make the artist's payee (generating
    // statements offline) make one row, which syncs as one. Taken already (the payee made for
    // this artist was given to another artist since): a new id.
    let now = store.clock.now();
    let stamp = store.stamp();
    let insert = |id: String, skip_if_taken: bool| {
        sqlx::query(if skip_if_taken {
            "INSERT INTO payees (id, workspace_id, name, currency, artist_id, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO NOTHING"
        } else {
            "INSERT INTO payees (id, workspace_id, name, currency, artist_id, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        })
        .bind(id)
        .bind(workspace.clone())
        .bind(name.clone())
        .bind(DEFAULT_PAYEE_CURRENCY)
        .bind(artist_id.to_string())
        .bind(now)
        .bind(now)
        .bind(stamp.clone())
    };
    let derived = crate::clock::derived_id("artist_payee", &[artist_id]).to_string();
    if insert(derived.clone(), true).execute(&mut *conn).await?.rows_affected() == 1 {
        return Ok(derived);
    }
    let id = store.ids.new_id().to_string();
    insert(id.clone(), false).execute(&mut *conn).await?;
    Ok(id)
}
