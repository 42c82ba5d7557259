//! Whose ledger a store keeps. By default the account's own: statement files, runs, payee
//! statements and recoupments sync in the account's own workspace, where only its devices get
//! them. Label staff keep the label's ledger instead: those rows then sync in the label's
//! workspace, so every staff member's device imports and issues into one shared ledger.
//!
//! Rows some devices make alike from a natural key (a file from its content, a run from its
//! period, a rate from its pair and day) get ids derived within the ledger's scope, never from
//! the key alone: the platform knows each row id in one workspace only, so two accounts issuing
//! the same month (or importing the same public file) must not make the same ids.
//!
//! A store that has never signed in does not know its account: it derives in a random local
//! scope, and at its first sign-in (or, for a store signed in before this existed, its first
//! sync) the rows it made take the ids the account's devices derive (`adopt_account_scope`,
//! rekey.rs). From then on the account's workspace is the scope, signed out too.

use crate::catalog::Workspace;
use crate::error::{Error, Result};
use crate::Store;
use sqlx::SqliteConnection;
use uuid::Uuid;

const LEDGER_WORKSPACE: &str = "royalties.workspace";
/// A scope for a store that has never signed in (made once, random): its rows still get ids
/// no other store makes.
const LOCAL_SCOPE: &str = "royalties.local_scope";
/// The local scope once set aside at the first sign-in (kept to tell where such ids came from).
const RETIRED_LOCAL_SCOPE: &str = "royalties.retired_local_scope";
/// The workspace of the account this store last signed in to: the scope while signed out, so a
/// store that has signed in once never derives in its local scope again (signing in again to
/// the same account then has nothing to re-key).
const ACCOUNT_SCOPE: &str = "royalties.account_scope";

/// The ledger rows are written into: their workspace (`None`: the account's own) and the scope
/// their derived ids are made in.
#[derive(Debug, Clone)]
pub(crate) struct Ledger {
    pub workspace: Option<String>,
    pub scope: String,
}

impl Ledger {
    /// An id every device keeping this ledger derives alike from `kind` and `parts`.
    pub fn derived_id(&self, kind: &str, parts: &[&str]) -> Uuid {
        let mut all = Vec::with_capacity(parts.len() + 1);
        all.push(self.scope.as_str());
        all.extend_from_slice(parts);
        crate::clock::derived_id(kind, &all)
    }
}

/// The ledger as the store has it now (inside the caller's write transaction): the chosen
/// workspace; else the signed-in account's own workspace; else this store's local scope.
pub(crate) async fn ledger(conn: &mut SqliteConnection) -> Result<Ledger> {
    let chosen: Option<String> = sqlx::query_scalar(
        "SELECT s.value FROM settings s JOIN workspaces w ON w.id = s.value AND w.deleted = 0 WHERE s.key = ?",
    )
    .bind(LEDGER_WORKSPACE)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(ws) = chosen {
        return Ok(Ledger { scope: ws.clone(), workspace: Some(ws) });
    }
    Ok(Ledger { workspace: None, scope: own_scope(conn).await? })
}

/// The scope of ids derived for rows that sync in the account's own workspace (its id); while
/// signed out, the last account's; this store's local scope while it has never signed in.
pub(crate) async fn own_scope(conn: &mut SqliteConnection) -> Result<String> {
    let own: Option<Option<String>> =
        sqlx::query_scalar("SELECT json_extract(value, '$.workspace_id') FROM settings WHERE key = 'platform.account'")
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(own) = own.flatten() {
        return Ok(own);
    }
    let last: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(ACCOUNT_SCOPE).fetch_optional(&mut *conn).await?;
    if let Some(last) = last {
        return Ok(last);
    }
    let local: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(LOCAL_SCOPE).fetch_optional(&mut *conn).await?;
    Ok(match local {
        Some(s) => s,
        None => {
            let s = format!("local:{}", Uuid::now_v7());
            crate::store::put_setting(conn, LOCAL_SCOPE, &s).await?;
            s
        }
    })
}

/// At a sign-in to the account whose own workspace is `workspace` (inside the transaction that
/// records the account), the rows this store made but never pushed take the ids the account's
/// devices derive (rekey.rs), and the account's workspace is the scope from now on, signed out
/// too:
///
/// - the first sign-in: the rows made in the store's local scope, and the local scope is set
///   aside for good. A store that has synced before (signed in before this re-keying existed)
///   keeps them as they are: their ids may be on the platform already.
/// - a sign-in to another account than the last one: the rows made in the last account's scope
///   whose insert is still queued (made while signed out, or never synced). They go up into this
///   account's own workspace, so they take its ids; what the earlier account's devices have
///   seen stays as it is.
pub(crate) async fn adopt_account_scope(conn: &mut SqliteConnection, workspace: &str) -> Result<super::rekey::Rekeyed> {
    let setting = |key: &'static str| sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = ?").bind(key);
    let local: Option<String> = setting(LOCAL_SCOPE).fetch_optional(&mut *conn).await?;
    let mut done = super::rekey::Rekeyed::default();
    if let Some(local) = local {
        let synced: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM settings WHERE key = 'sync.last_sync' OR key LIKE 'sync.cursor:%' OR key LIKE 'sync.pulled_workspaces:%')",
        )
        .fetch_one(&mut *conn)
        .await?;
        if !synced {
            done = super::rekey::rekey(conn, &local, workspace).await?;
        }
        crate::store::put_setting(conn, RETIRED_LOCAL_SCOPE, &local).await?;
        sqlx::query("DELETE FROM settings WHERE key = ?").bind(LOCAL_SCOPE).execute(&mut *conn).await?;
    }
    // The last account's scope (a store signed in before it was recorded: the account signed in
    // now, being replaced).
    let mut last: Option<String> = setting(ACCOUNT_SCOPE).fetch_optional(&mut *conn).await?;
    if last.is_none() {
        last = sqlx::query_scalar("SELECT json_extract(value, '$.workspace_id') FROM settings WHERE key = 'platform.account'")
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    }
    if let Some(last) = last.filter(|l| l != workspace) {
        done.add(super::rekey::rekey(conn, &last, workspace).await?);
    }
    crate::store::put_setting(conn, ACCOUNT_SCOPE, workspace).await?;
    Ok(done)
}

/// At a sign-out: the account's workspace stays the scope (a store signed in before
/// `adopt_account_scope` existed has no record of it yet).
pub(crate) async fn keep_account_scope(conn: &mut SqliteConnection, workspace: &str) -> Result<()> {
    crate::store::put_setting(conn, ACCOUNT_SCOPE, workspace).await
}

impl Store {
    /// Before a sync pushes anything: a store still holding rows made in its local scope (one
    /// signed in before re-keying at sign-in existed, and never synced since) re-keys them now,
    /// as a sign-in does (`adopt_account_scope`). One settings read when there is nothing to do.
    pub(crate) async fn adopt_account_scope_before_sync(&self, workspace: Uuid) -> Result<()> {
        if self.setting(LOCAL_SCOPE).await?.is_none() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        adopt_account_scope(&mut tx, &workspace.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The workspace whose ledger this store keeps; `None`: the account's own.
    pub async fn ledger_workspace(&self) -> Result<Option<Workspace>> {
        let Some(id) = self.setting(LEDGER_WORKSPACE).await?.and_then(|s| Uuid::parse_str(&s).ok()) else {
            return Ok(None);
        };
        match self.get_workspace(id).await {
            Ok(ws) => Ok(Some(ws)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Keeps the ledger of `workspace` (a label's, shared with its staff) from now on, or the
    /// account's own with `None`. Files imported and statements issued before keep their
    /// workspace.
    pub async fn set_ledger_workspace(&self, workspace: Option<Uuid>) -> Result<Option<Workspace>> {
        let mut tx = self.write().await?;
        match workspace {
            Some(id) => {
                let live: Option<i64> = sqlx::query_scalar("SELECT 1 FROM workspaces WHERE id = ? AND deleted = 0")
                    .bind(id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                if live.is_none() {
                    return Err(Error::not_found("workspace", id));
                }
                crate::store::put_setting(&mut tx, LEDGER_WORKSPACE, &id.to_string()).await?;
            }
            None => {
                sqlx::query("DELETE FROM settings WHERE key = ?").bind(LEDGER_WORKSPACE).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        self.ledger_workspace().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::{NewWorkspace, WorkspaceKind};

    #[tokio::test]
    async fn a_store_never_signed_in_derives_ids_in_a_scope_of_its_own() {
        let ((a, _da), (b, _db)) = (store().await, store().await);
        let scope = |s: Store| async move {
            let mut tx = s.write().await.unwrap();
            let first = ledger(&mut tx).await.unwrap();
            let again = ledger(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(first.scope, again.scope, "stable");
            assert_eq!(first.workspace, None);
            first.derived_id("statement_run", &["2026-03"])
        };
        assert_ne!(scope(a).await, scope(b).await, "two stores issuing March make two runs");
    }

    #[tokio::test]
    async fn the_chosen_workspace_is_the_rows_workspace_and_their_scope() {
        let (store, _dir) = store().await;
        let label = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "Label".into() }).await.unwrap();
        assert_eq!(store.ledger_workspace().await.unwrap(), None);
        let set = store.set_ledger_workspace(Some(label.id)).await.unwrap();
        assert_eq!(set.map(|w| w.id), Some(label.id));
        let mut tx = store.write().await.unwrap();
        let l = ledger(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(l.workspace.as_deref(), Some(label.id.to_string().as_str()));
        assert_eq!(l.derived_id("statement_run", &["2026-03"]), crate::clock::derived_id("statement_run", &[&label.id.to_string(), "2026-03"]));
        let err = store.set_ledger_workspace(Some(Uuid::now_v7())).await.unwrap_err();
        assert_eq!(err.code(), "not_found");
        assert_eq!(store.set_ledger_workspace(None).await.unwrap(), None);
    }
}
