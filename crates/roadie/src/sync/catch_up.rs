//! Workspaces a store can read but never pulled. The pull cursor is one position in the
//! platform's log across every readable workspace; a user who joins a label after their store's
//! cursor went past the label's history would get only what the label does from then on (and
//! rows referring to rows they never got); a roster artist made staff was sent the label's
//! ledger entries as positions only. So each sync first lists the readable workspaces with the
//! user's role in each, and pulls the whole log of each one not pulled before in that role
//! (`workspace` in the pull query), with its own cursor (a cut catch-up resumes), then the usual
//! pull follows. Entries the usual pull
//! brings again apply as no-ops (a pulled field only replaces an older one).

use super::engine::{SyncCancel, SyncPhase, SyncProgress};
use super::TableShape;
use crate::error::{Error, Result};
use crate::platform::{Account, PlatformClient};
use crate::Store;
use roadie_protocol::Role;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The setting holding the pull cursor of `account` on its server.
pub(super) fn cursor_key(account: &Account) -> String {
    format!("sync.cursor:{}:{}", account.server, account.user_id)
}

/// The setting listing the workspaces whose log this store has pulled from the start, with the
/// role it was pulled in.
fn pulled_key(account: &Account) -> String {
    format!("sync.pulled_workspaces:{}:{}", account.server, account.user_id)
}

fn workspace_cursor_key(account: &Account, ws: Uuid) -> String {
    format!("{}:{ws}", cursor_key(account))
}

/// What a sync pulls with (the catch-up and the usual pull).
#[derive(Clone, Copy)]
pub(super) struct Pull<'a> {
    pub account: &'a Account,
    pub client: &'a PlatformClient,
    pub shapes: &'a [TableShape],
    pub node: &'a str,
    pub page_size: u32,
    pub progress: &'a (dyn Fn(&SyncProgress) + Sync),
    pub cancel: &'a SyncCancel,
}

impl Store {
    /// Pulls the whole log of every readable workspace this store has not pulled before.
    /// Returns how many changes came from other stores.
    pub(super) async fn catch_up_workspaces(&self, pull: &Pull<'_>) -> Result<u64> {
        let Pull { account, client, .. } = *pull;
        let readable: BTreeMap<Uuid, Role> = client.workspaces().await?.into_iter().map(|w| (w.id, w.role)).collect();
        let cursor = self.saved_cursor(&cursor_key(account)).await?;
        let pulled: BTreeMap<Uuid, Role> = match self.setting(&pulled_key(account)).await? {
            Some(text) => serde_json::from_str(&text).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?,
            None => BTreeMap::new(),
        };
        let mut changes = 0;
        // (A first pull, or one still under way, reads every readable workspace from the start.)
        if cursor > 0 {
            // A workspace joined since, or whose role changed (a roster artist made staff was
            // sent the label's ledger entries as positions only).
            let mut done: BTreeMap<Uuid, Role> = pulled.iter().filter(|(ws, role)| readable.get(ws) == Some(role)).map(|(w, r)| (*w, *r)).collect();
            for (ws, role) in &readable {
                if pulled.get(ws) == Some(role) {
                    continue;
                }
                changes += self.pull_workspace(pull, *ws, cursor).await?;
                done.insert(*ws, *role);
                self.set_setting(&pulled_key(account), &serde_json::to_string(&done).expect("serialisable")).await?;
            }
        }
        if readable != pulled {
            self.set_setting(&pulled_key(account), &serde_json::to_string(&readable).expect("serialisable")).await?;
        }
        Ok(changes)
    }

    /// Pulls one workspace's log from the start (or where a cut catch-up stopped) up to the
    /// store's cursor `upto` (the usual pull brings what follows). A workspace made since the
    /// last pull (by this device, say) has nothing up to it: one entry is asked for first.
    async fn pull_workspace(&self, pull: &Pull<'_>, ws: Uuid, upto: i64) -> Result<u64> {
        let key = workspace_cursor_key(pull.account, ws);
        let mut cursor = self.saved_cursor(&key).await?;
        let (mut limit, mut done, mut changes) = (1, 0u64, 0u64);
        loop {
            if pull.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let page = pull.client.sync_pull_in(cursor, limit, Some(ws)).await?;
            let within = page.entries.iter().take_while(|e| e.seq <= upto).count();
            if within > 0 {
                cursor = page.entries[within - 1].seq;
                changes += self.apply_page(&page.entries[..within], pull.shapes, pull.node, &key, cursor).await?;
                done += within as u64;
                (pull.progress)(&SyncProgress { phase: SyncPhase::Pull, done, total: done + page.remaining.max(0) as u64 });
            }
            if within < page.entries.len() || !page.more || page.entries.is_empty() {
                break;
            }
            limit = pull.page_size;
        }
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM settings WHERE key = ?").bind(&key).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// A pull cursor saved under `key` (0: nothing pulled yet).
    pub(super) async fn saved_cursor(&self, key: &str) -> Result<i64> {
        Ok(self.setting(key).await?.and_then(|c| c.parse().ok()).unwrap_or(0))
    }
}
