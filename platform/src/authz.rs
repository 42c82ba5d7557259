//! Server-side authorisation. Every workspace route starts with `access(...)`: a caller who is not
//! a member gets 404 (the workspace's existence is not revealed); a member whose role may not do
//! the action gets 403; a member asking for something outside their scope (label staff and a
//! roster artist they are not assigned to, a collaborator and someone else's statement) gets 404.

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use roadie_protocol::Role;
use sqlx::PgPool;
use uuid::Uuid;

/// The caller's membership of one workspace.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    /// For role artist: their roster entry.
    pub roster_artist_id: Option<Uuid>,
}

impl Access {
    /// Owner and label admin see and manage everything in the workspace.
    pub fn is_manager(&self) -> bool {
        matches!(self.role, Role::Owner | Role::LabelAdmin)
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role], action: &str) -> ApiResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("a {} may not {action}", self.role.as_str())))
        }
    }

    pub fn require_manager(&self, action: &str) -> ApiResult<()> {
        self.require(&[Role::Owner, Role::LabelAdmin], action)
    }

    /// Whether the caller may see (and work on) a roster artist.
    pub async fn can_see_artist(&self, db: &PgPool, roster_artist_id: Uuid) -> ApiResult<bool> {
        Ok(match self.role {
            Role::Owner | Role::LabelAdmin => true,
            Role::Artist => self.roster_artist_id == Some(roster_artist_id),
            Role::LabelStaff => is_assigned(db, roster_artist_id, self.user_id).await?,
            Role::Collaborator => false,
        })
    }
}

pub async fn is_assigned(db: &PgPool, roster_artist_id: Uuid, user_id: Uuid) -> ApiResult<bool> {
    let row: Option<(i32,)> =
        sqlx::query_as("SELECT 1 FROM roster_staff WHERE roster_artist_id = $1 AND user_id = $2")
            .bind(roster_artist_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(row.is_some())
}

/// The caller's access to a workspace, or 404 when they are not a member of it.
pub async fn access(db: &PgPool, auth: &Auth, workspace_id: Uuid) -> ApiResult<Access> {
    let row: Option<(String, Option<Uuid>)> =
        sqlx::query_as("SELECT role, roster_artist_id FROM members WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace_id)
            .bind(auth.user_id)
            .fetch_optional(db)
            .await?;
    let (role, roster_artist_id) = row.ok_or_else(|| ApiError::not_found("workspace"))?;
    let role = Role::parse(&role).ok_or_else(|| ApiError::internal(format!("unknown role {role}")))?;
    Ok(Access { workspace_id, user_id: auth.user_id, role, roster_artist_id })
}
