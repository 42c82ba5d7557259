use super::rows::uuid;
use crate::error::{Error, Result};
use crate::validate::Checker;
use crate::Store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

/// An artist's own workspace, or a label's with a roster of artists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    Label,
    Artist,
}

impl WorkspaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceKind::Label => "label",
            WorkspaceKind::Artist => "artist",
        }
    }
}

impl std::str::FromStr for WorkspaceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "label" => Ok(WorkspaceKind::Label),
            "artist" => Ok(WorkspaceKind::Artist),
            other => Err(format!("unknown workspace kind '{other}' (label or artist)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Workspace {
    pub id: Uuid,
    pub kind: WorkspaceKind,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewWorkspace {
    pub kind: WorkspaceKind,
    pub name: String,
}

const CURRENT_WORKSPACE: &str = "current_workspace";

fn from_row(row: &SqliteRow) -> Result<Workspace> {
    let kind: String = row.try_get("kind")?;
    Ok(Workspace {
        id: uuid(row, "id")?,
        kind: kind.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    pub async fn list_workspaces(&self) -> Result<Vec<Workspace>> {
        let rows = sqlx::query("SELECT * FROM workspaces WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn get_workspace(&self, id: Uuid) -> Result<Workspace> {
        let row = sqlx::query("SELECT * FROM workspaces WHERE id = ? AND deleted = 0")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::not_found("workspace", id))?;
        from_row(&row)
    }

    /// Creates a workspace; the first one made also becomes the current one.
    pub async fn create_workspace(&self, input: NewWorkspace) -> Result<Workspace> {
        let mut check = Checker::default();
        let name = check.required("name", &input.name, 200);
        check.finish("workspace")?;
        let id = self.ids.new_id();
        let now = self.clock.now();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO workspaces (id, kind, name, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(input.kind.as_str())
        .bind(&name)
        .bind(now)
        .bind(now)
        .bind(self.stamp())
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
            .bind(CURRENT_WORKSPACE)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Workspace { id, kind: input.kind, name, created_at: now, updated_at: now })
    }

    pub async fn rename_workspace(&self, id: Uuid, name: &str) -> Result<Workspace> {
        let mut check = Checker::default();
        let name = check.required("name", name, 200);
        check.finish("workspace")?;
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE workspaces SET name = ?, updated_at = ?, hlc = ? WHERE id = ? AND deleted = 0")
            .bind(&name)
            .bind(self.clock.now())
            .bind(self.stamp())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("workspace", id));
        }
        tx.commit().await?;
        self.get_workspace(id).await
    }

    /// The workspace the user last chose, else the first one; `None` on a new store.
    pub async fn current_workspace(&self) -> Result<Option<Workspace>> {
        if let Some(id) = self.setting(CURRENT_WORKSPACE).await?.and_then(|s| Uuid::parse_str(&s).ok()) {
            match self.get_workspace(id).await {
                Ok(ws) => return Ok(Some(ws)),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.list_workspaces().await?.into_iter().next())
    }

    /// Like [`Store::current_workspace`], but an error the user can act on when there is none.
    pub async fn require_workspace(&self) -> Result<Workspace> {
        self.current_workspace().await?.ok_or(Error::NoWorkspace)
    }

    pub async fn use_workspace(&self, id: Uuid) -> Result<Workspace> {
        let ws = self.get_workspace(id).await?;
        self.set_setting(CURRENT_WORKSPACE, &id.to_string()).await?;
        Ok(ws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;

    #[tokio::test]
    async fn create_list_rename_and_switch() {
        let (store, _dir) = store().await;
        assert!(store.current_workspace().await.unwrap().is_none());
        assert_eq!(store.require_workspace().await.unwrap_err().code(), "no_workspace");

        let label = store
            .create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "  Modern Sky  ".into() })
            .await
            .unwrap();
        assert_eq!(label.name, "Modern Sky");
        let own = store
            .create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Li Jian".into() })
            .await
            .unwrap();
        // The first workspace stays current until the user switches.
        assert_eq!(store.current_workspace().await.unwrap().unwrap().id, label.id);
        store.use_workspace(own.id).await.unwrap();
        assert_eq!(store.current_workspace().await.unwrap().unwrap().id, own.id);

        let names: Vec<_> = store.list_workspaces().await.unwrap().into_iter().map(|w| w.name).collect();
        assert_eq!(names, ["Li Jian", "Modern Sky"]);

        let renamed = store.rename_workspace(label.id, "摩登天空").await.unwrap();
        assert_eq!(renamed.name, "摩登天空");
        assert_eq!(renamed.kind, WorkspaceKind::Label);
    }

    #[tokio::test]
    async fn a_workspace_needs_a_name() {
        let (store, _dir) = store().await;
        let err = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: " ".into() }).await.unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(err.payload().issues[0].field, "name");
        assert_eq!(store.use_workspace(Uuid::nil()).await.unwrap_err().code(), "not_found");
    }
}
