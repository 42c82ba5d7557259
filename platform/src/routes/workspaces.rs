//! Workspaces, their members, the label roster (with staff assignments), invitations, statements
//! and the assets that finished uploads became. Every handler starts with `access()`.

use super::{normalise_email, required};
use crate::auth::{new_secret, secret_hash, Auth};
use crate::authz::{access, Access};
use crate::error::{ApiError, ApiPath as Path, ApiResult, JsonBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use roadie_protocol::{
    AcceptedInvitation, Asset, CreateInvitation, CreateRosterArtist, CreateStatement, CreateWorkspace, ErrorBody,
    Invitation, Member, Role, RosterArtist, Statement, UpdateMember, Workspace, WorkspaceKind,
};
use sqlx::PgPool;
use uuid::Uuid;

const INVITATION_DAYS: i64 = 7;

fn kind_of(s: &str) -> WorkspaceKind {
    if s == "label" {
        WorkspaceKind::Label
    } else {
        WorkspaceKind::Artist
    }
}

fn role_of(s: &str) -> ApiResult<Role> {
    Role::parse(s).ok_or_else(|| ApiError::internal(format!("unknown role {s}")))
}

async fn workspace_kind(db: &PgPool, id: Uuid) -> ApiResult<WorkspaceKind> {
    let (kind,): (String,) = sqlx::query_as("SELECT kind FROM workspaces WHERE id = $1").bind(id).fetch_one(db).await?;
    Ok(kind_of(&kind))
}

async fn require_label(db: &PgPool, id: Uuid) -> ApiResult<()> {
    match workspace_kind(db, id).await? {
        WorkspaceKind::Label => Ok(()),
        WorkspaceKind::Artist => Err(ApiError::conflict("not_a_label", "only a label workspace has a roster and label staff")),
    }
}

// ---------------------------------------------------------------------------------------------
// Workspaces

/// The workspaces the caller belongs to, with their role in each.
#[utoipa::path(get, path = "/v1/workspaces", tag = "workspaces", security(("bearer" = [])),
    responses((status = 200, body = Vec<Workspace>), (status = 401, body = ErrorBody)))]
pub async fn list_workspaces(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Workspace>>> {
    let rows: Vec<(Uuid, String, String, String, i64)> = sqlx::query_as(
        "SELECT w.id, w.kind, w.name, m.role, w.upload_quota_bytes FROM workspaces w
         JOIN members m ON m.workspace_id = w.id WHERE m.user_id = $1 ORDER BY w.created_at, w.id",
    )
    .bind(auth.user_id)
    .fetch_all(&state.db)
    .await?;
    rows.into_iter()
        .map(|(id, kind, name, role, quota)| {
            Ok(Workspace { id, kind: kind_of(&kind), name, role: role_of(&role)?, upload_quota_bytes: quota })
        })
        .collect::<ApiResult<Vec<_>>>()
        .map(Json)
}

/// Creates a workspace (typically a label) owned by the caller.
#[utoipa::path(post, path = "/v1/workspaces", tag = "workspaces", security(("bearer" = [])), request_body = CreateWorkspace,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = Workspace), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_workspace(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(req): JsonBody<CreateWorkspace>,
) -> ApiResult<(StatusCode, Json<Workspace>)> {
    let name = required("name", &req.name, 200)?;
    let id = Uuid::now_v7();
    let kind = match req.kind {
        WorkspaceKind::Artist => "artist",
        WorkspaceKind::Label => "label",
    };
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO workspaces (id, kind, name, upload_quota_bytes) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(kind)
        .bind(&name)
        .bind(state.limits.default_workspace_quota_bytes)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO members (workspace_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(id)
        .bind(auth.user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Workspace { id, kind: req.kind, name, role: Role::Owner, upload_quota_bytes: state.limits.default_workspace_quota_bytes }),
    ))
}

/// One workspace (any member).
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}", tag = "workspaces", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)),
    responses((status = 200, body = Workspace), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_workspace(State(state): State<AppState>, auth: Auth, Path(ws): Path<Uuid>) -> ApiResult<Json<Workspace>> {
    let a = access(&state.db, &auth, ws).await?;
    let (kind, name, quota): (String, String, i64) =
        sqlx::query_as("SELECT kind, name, upload_quota_bytes FROM workspaces WHERE id = $1").bind(ws).fetch_one(&state.db).await?;
    Ok(Json(Workspace { id: ws, kind: kind_of(&kind), name, role: a.role, upload_quota_bytes: quota }))
}

// ---------------------------------------------------------------------------------------------
// Members

/// The workspace's members (owner, label admin, label staff).
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/members", tag = "members", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)),
    responses((status = 200, body = Vec<Member>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_members(State(state): State<AppState>, auth: Auth, Path(ws): Path<Uuid>) -> ApiResult<Json<Vec<Member>>> {
    let a = access(&state.db, &auth, ws).await?;
    a.require(&[Role::Owner, Role::LabelAdmin, Role::LabelStaff], "list the members")?;
    let rows: Vec<(Uuid, String, String, String, Option<Uuid>)> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, m.role, m.roster_artist_id FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = $1 ORDER BY m.created_at, u.id",
    )
    .bind(ws)
    .fetch_all(&state.db)
    .await?;
    rows.into_iter()
        .map(|(user_id, email, name, role, roster_artist_id)| {
            Ok(Member { user_id, email, name, role: role_of(&role)?, roster_artist_id })
        })
        .collect::<ApiResult<Vec<_>>>()
        .map(Json)
}

async fn target_member(db: &PgPool, ws: Uuid, user_id: Uuid) -> ApiResult<Role> {
    let row: Option<(String,)> = sqlx::query_as("SELECT role FROM members WHERE workspace_id = $1 AND user_id = $2")
        .bind(ws)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    role_of(&row.ok_or_else(|| ApiError::not_found("member"))?.0)
}

/// Changes a member's role (owner, label admin). The owner's role cannot be changed.
#[utoipa::path(patch, path = "/v1/workspaces/{workspace_id}/members/{user_id}", tag = "members", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = UpdateMember,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, user_id)): Path<(Uuid, Uuid)>,
    JsonBody(req): JsonBody<UpdateMember>,
) -> ApiResult<StatusCode> {
    let a = access(&state.db, &auth, ws).await?;
    a.require_manager("change roles")?;
    if target_member(&state.db, ws, user_id).await? == Role::Owner {
        return Err(ApiError::forbidden("the owner's role cannot be changed"));
    }
    if req.role == Role::Owner {
        return Err(ApiError::invalid("there is one owner per workspace"));
    }
    if matches!(req.role, Role::LabelAdmin | Role::LabelStaff | Role::Artist) {
        require_label(&state.db, ws).await?;
    }
    sqlx::query("UPDATE members SET role = $3 WHERE workspace_id = $1 AND user_id = $2")
        .bind(ws)
        .bind(user_id)
        .bind(req.role.as_str())
        .execute(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (owner, label admin). The owner cannot be removed.
#[utoipa::path(delete, path = "/v1/workspaces/{workspace_id}/members/{user_id}", tag = "members", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, user_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let a = access(&state.db, &auth, ws).await?;
    a.require_manager("remove members")?;
    if target_member(&state.db, ws, user_id).await? == Role::Owner {
        return Err(ApiError::forbidden("the owner cannot be removed"));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM roster_staff WHERE user_id = $2 AND roster_artist_id IN (SELECT id FROM roster_artists WHERE workspace_id = $1)")
        .bind(ws)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM members WHERE workspace_id = $1 AND user_id = $2").bind(ws).bind(user_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Roster

async fn roster_artist(db: &PgPool, ws: Uuid, id: Uuid) -> ApiResult<Option<RosterArtist>> {
    let row: Option<(Uuid, String)> = sqlx::query_as("SELECT id, name FROM roster_artists WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .fetch_optional(db)
        .await?;
    let Some((id, name)) = row else { return Ok(None) };
    let staff: Vec<(Uuid,)> =
        sqlx::query_as("SELECT user_id FROM roster_staff WHERE roster_artist_id = $1 ORDER BY user_id").bind(id).fetch_all(db).await?;
    let artist: Option<(Uuid,)> =
        sqlx::query_as("SELECT user_id FROM members WHERE workspace_id = $1 AND roster_artist_id = $2 AND role = 'artist' LIMIT 1")
            .bind(ws)
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(Some(RosterArtist { id, name, staff: staff.into_iter().map(|s| s.0).collect(), artist_user_id: artist.map(|a| a.0) }))
}

/// A roster artist the caller may see, or 404.
async fn visible_artist(db: &PgPool, a: &Access, id: Uuid) -> ApiResult<RosterArtist> {
    if !a.can_see_artist(db, id).await? {
        return Err(ApiError::not_found("roster artist"));
    }
    roster_artist(db, a.workspace_id, id).await?.ok_or_else(|| ApiError::not_found("roster artist"))
}

/// The label's roster: all of it for owner and label admin, the assigned artists for label
/// staff, their own entry for an artist.
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/roster", tag = "roster", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)),
    responses((status = 200, body = Vec<RosterArtist>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_roster(State(state): State<AppState>, auth: Auth, Path(ws): Path<Uuid>) -> ApiResult<Json<Vec<RosterArtist>>> {
    let a = access(&state.db, &auth, ws).await?;
    a.require(&[Role::Owner, Role::LabelAdmin, Role::LabelStaff, Role::Artist], "see the roster")?;
    let ids: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM roster_artists WHERE workspace_id = $1 ORDER BY name, id")
        .bind(ws)
        .fetch_all(&state.db)
        .await?;
    let mut out = Vec::new();
    for (id,) in ids {
        if a.can_see_artist(&state.db, id).await? {
            if let Some(r) = roster_artist(&state.db, ws, id).await? {
                out.push(r);
            }
        }
    }
    Ok(Json(out))
}

/// Adds an artist to the label's roster (owner, label admin).
#[utoipa::path(post, path = "/v1/workspaces/{workspace_id}/roster", tag = "roster", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)), request_body = CreateRosterArtist,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = RosterArtist), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_roster_artist(
    State(state): State<AppState>,
    auth: Auth,
    Path(ws): Path<Uuid>,
    JsonBody(req): JsonBody<CreateRosterArtist>,
) -> ApiResult<(StatusCode, Json<RosterArtist>)> {
    let a = access(&state.db, &auth, ws).await?;
    a.require_manager("add roster artists")?;
    require_label(&state.db, ws).await?;
    let name = required("name", &req.name, 200)?;
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO roster_artists (id, workspace_id, name) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(ws)
        .bind(&name)
        .execute(&state.db)
        .await?;
    Ok((StatusCode::CREATED, Json(RosterArtist { id, name, staff: vec![], artist_user_id: None })))
}

/// One roster artist (if the caller may see it).
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/roster/{artist_id}", tag = "roster", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("artist_id" = Uuid, Path)),
    responses((status = 200, body = RosterArtist), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_roster_artist(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, artist_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<RosterArtist>> {
    let a = access(&state.db, &auth, ws).await?;
    visible_artist(&state.db, &a, artist_id).await.map(Json)
}

/// Renames a roster artist (owner, label admin, or label staff assigned to it).
#[utoipa::path(patch, path = "/v1/workspaces/{workspace_id}/roster/{artist_id}", tag = "roster", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("artist_id" = Uuid, Path)), request_body = CreateRosterArtist,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 200, body = RosterArtist), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_roster_artist(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, artist_id)): Path<(Uuid, Uuid)>,
    JsonBody(req): JsonBody<CreateRosterArtist>,
) -> ApiResult<Json<RosterArtist>> {
    let a = access(&state.db, &auth, ws).await?;
    let mut artist = visible_artist(&state.db, &a, artist_id).await?;
    a.require(&[Role::Owner, Role::LabelAdmin, Role::LabelStaff], "edit roster artists")?;
    let name = required("name", &req.name, 200)?;
    sqlx::query("UPDATE roster_artists SET name = $2 WHERE id = $1").bind(artist_id).bind(&name).execute(&state.db).await?;
    artist.name = name;
    Ok(Json(artist))
}

/// Removes a roster artist (owner, label admin).
#[utoipa::path(delete, path = "/v1/workspaces/{workspace_id}/roster/{artist_id}", tag = "roster", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("artist_id" = Uuid, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_roster_artist(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, artist_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let a = access(&state.db, &auth, ws).await?;
    visible_artist(&state.db, &a, artist_id).await?;
    a.require_manager("remove roster artists")?;
    sqlx::query("DELETE FROM roster_artists WHERE id = $1").bind(artist_id).execute(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Assigns a label staff member to a roster artist (owner, label admin).
#[utoipa::path(put, path = "/v1/workspaces/{workspace_id}/roster/{artist_id}/staff/{user_id}", tag = "roster", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("artist_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_staff(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, artist_id, user_id)): Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let a = access(&state.db, &auth, ws).await?;
    visible_artist(&state.db, &a, artist_id).await?;
    a.require_manager("assign staff")?;
    let role = target_member(&state.db, ws, user_id).await?;
    if role != Role::LabelStaff {
        return Err(ApiError::invalid("only label staff are assigned to roster artists"));
    }
    sqlx::query("INSERT INTO roster_staff (roster_artist_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(artist_id)
        .bind(user_id)
        .execute(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unassigns a label staff member from a roster artist (owner, label admin).
#[utoipa::path(delete, path = "/v1/workspaces/{workspace_id}/roster/{artist_id}/staff/{user_id}", tag = "roster", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("artist_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unassign_staff(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, artist_id, user_id)): Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let a = access(&state.db, &auth, ws).await?;
    visible_artist(&state.db, &a, artist_id).await?;
    a.require_manager("unassign staff")?;
    let done = sqlx::query("DELETE FROM roster_staff WHERE roster_artist_id = $1 AND user_id = $2")
        .bind(artist_id)
        .bind(user_id)
        .execute(&state.db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("assignment"));
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Invitations

type InvitationRow = (Uuid, String, String, Option<Uuid>, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>);

fn invitation(row: InvitationRow, token: Option<String>) -> ApiResult<Invitation> {
    let (id, email, role, roster_artist_id, created_at, expires_at, accepted_at) = row;
    Ok(Invitation { id, email, role: role_of(&role)?, roster_artist_id, created_at, expires_at, accepted: accepted_at.is_some(), token })
}

/// The workspace's invitations (owner, label admin).
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)),
    responses((status = 200, body = Vec<Invitation>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_invitations(State(state): State<AppState>, auth: Auth, Path(ws): Path<Uuid>) -> ApiResult<Json<Vec<Invitation>>> {
    let a = access(&state.db, &auth, ws).await?;
    a.require_manager("see invitations")?;
    let rows: Vec<InvitationRow> = sqlx::query_as(
        "SELECT id, email, role, roster_artist_id, created_at, expires_at, accepted_at FROM invitations
         WHERE workspace_id = $1 ORDER BY created_at, id",
    )
    .bind(ws)
    .fetch_all(&state.db)
    .await?;
    rows.into_iter().map(|r| invitation(r, None)).collect::<ApiResult<Vec<_>>>().map(Json)
}

/// Invites an e-mail address with a role (owner, label admin). The response carries the secret
/// token once: the inviter sends the link themselves (no mail server is needed).
#[utoipa::path(post, path = "/v1/workspaces/{workspace_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)), request_body = CreateInvitation,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = Invitation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Path(ws): Path<Uuid>,
    JsonBody(req): JsonBody<CreateInvitation>,
) -> ApiResult<(StatusCode, Json<Invitation>)> {
    let a = access(&state.db, &auth, ws).await?;
    a.require_manager("invite")?;
    let email = normalise_email(&req.email)?;
    match req.role {
        Role::Owner => return Err(ApiError::invalid("nobody can be invited as owner")),
        Role::LabelAdmin | Role::LabelStaff | Role::Artist => require_label(&state.db, ws).await?,
        Role::Collaborator => {}
    }
    if req.role == Role::Artist && req.roster_artist_id.is_none() {
        return Err(ApiError::invalid("an artist invitation names the roster artist (roster_artist_id)"));
    }
    if let Some(r) = req.roster_artist_id {
        if roster_artist(&state.db, ws, r).await?.is_none() {
            return Err(ApiError::invalid("roster_artist_id is not on this workspace's roster"));
        }
    }
    let token = new_secret("rdi_");
    let id = Uuid::now_v7();
    let row: InvitationRow = sqlx::query_as(
        "INSERT INTO invitations (id, workspace_id, email, role, roster_artist_id, token_hash, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(days => $8))
         RETURNING id, email, role, roster_artist_id, created_at, expires_at, accepted_at",
    )
    .bind(id)
    .bind(ws)
    .bind(&email)
    .bind(req.role.as_str())
    .bind(req.roster_artist_id)
    .bind(secret_hash(&token))
    .bind(auth.user_id)
    .bind(INVITATION_DAYS as i32)
    .fetch_one(&state.db)
    .await?;
    Ok((StatusCode::CREATED, Json(invitation(row, Some(token))?)))
}

/// Withdraws an invitation (owner, label admin).
#[utoipa::path(delete, path = "/v1/workspaces/{workspace_id}/invitations/{invitation_id}", tag = "invitations", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("invitation_id" = Uuid, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, invitation_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let a = access(&state.db, &auth, ws).await?;
    a.require_manager("withdraw invitations")?;
    let done = sqlx::query("DELETE FROM invitations WHERE id = $1 AND workspace_id = $2 AND accepted_at IS NULL")
        .bind(invitation_id)
        .bind(ws)
        .execute(&state.db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("invitation"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Accepts an invitation: the signed-in user's e-mail address must be the invited one.
#[utoipa::path(post, path = "/v1/invitations/{token}/accept", tag = "invitations", security(("bearer" = [])),
    params(("token" = String, Path)),
    responses((status = 200, body = AcceptedInvitation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> ApiResult<Json<AcceptedInvitation>> {
    let mut tx = state.db.begin().await?;
    type Row = (Uuid, Uuid, String, String, Option<Uuid>, bool, bool);
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, workspace_id, email, role, roster_artist_id, expires_at < now(), accepted_at IS NOT NULL
         FROM invitations WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(secret_hash(&token))
    .fetch_optional(&mut *tx)
    .await?;
    let (id, ws, email, role, roster_artist_id, expired, accepted) = row.ok_or_else(|| ApiError::not_found("invitation"))?;
    if expired || accepted {
        return Err(ApiError::new(StatusCode::GONE, "invitation_used", "this invitation has expired or was already accepted"));
    }
    let (my_email,): (String,) = sqlx::query_as("SELECT email FROM users WHERE id = $1").bind(auth.user_id).fetch_one(&mut *tx).await?;
    if my_email.to_lowercase() != email.to_lowercase() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "invitation_email_mismatch", "this invitation is for another e-mail address"));
    }
    let role = role_of(&role)?;
    let inserted = sqlx::query(
        "INSERT INTO members (workspace_id, user_id, role, roster_artist_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(ws)
    .bind(auth.user_id)
    .bind(role.as_str())
    .bind(if role == Role::Artist { roster_artist_id } else { None })
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(ApiError::conflict("already_member", "you are already a member of this workspace"));
    }
    if let (Role::LabelStaff, Some(r)) = (role, roster_artist_id) {
        sqlx::query("INSERT INTO roster_staff (roster_artist_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(r)
            .bind(auth.user_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1")
        .bind(id)
        .bind(auth.user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(AcceptedInvitation { workspace_id: ws, role }))
}

// ---------------------------------------------------------------------------------------------
// Statements

type StatementRow = (Uuid, Uuid, Option<Uuid>, String, String, String, String);

fn statement(r: StatementRow) -> Statement {
    let (id, payee_user_id, roster_artist_id, period, title, amount, currency) = r;
    Statement { id, payee_user_id, roster_artist_id, period, title, amount, currency }
}

/// The SQL condition (over `s`) for the statements a member may read; binds $1 = workspace,
/// $2 = user.
fn statement_scope(a: &Access) -> &'static str {
    match a.role {
        Role::Owner | Role::LabelAdmin => "s.workspace_id = $1",
        Role::LabelStaff => {
            "s.workspace_id = $1 AND s.roster_artist_id IN (SELECT roster_artist_id FROM roster_staff WHERE user_id = $2)"
        }
        Role::Artist => {
            "s.workspace_id = $1 AND (s.payee_user_id = $2 OR s.roster_artist_id = (SELECT roster_artist_id FROM members WHERE workspace_id = $1 AND user_id = $2))"
        }
        Role::Collaborator => "s.workspace_id = $1 AND s.payee_user_id = $2",
    }
}

const STATEMENT_COLUMNS: &str = "s.id, s.payee_user_id, s.roster_artist_id, s.period, s.title, s.amount::text, s.currency";

/// The statements the caller may read: all (owner, label admin), their assigned artists' (label
/// staff), their own and their roster entry's (artist), their own (collaborator).
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/statements", tag = "statements", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)),
    responses((status = 200, body = Vec<Statement>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_statements(State(state): State<AppState>, auth: Auth, Path(ws): Path<Uuid>) -> ApiResult<Json<Vec<Statement>>> {
    let a = access(&state.db, &auth, ws).await?;
    let sql = format!("SELECT {STATEMENT_COLUMNS} FROM statements s WHERE {} ORDER BY s.period, s.id", statement_scope(&a));
    let rows: Vec<StatementRow> = sqlx::query_as(&sql).bind(ws).bind(auth.user_id).fetch_all(&state.db).await?;
    Ok(Json(rows.into_iter().map(statement).collect()))
}

fn valid_amount(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    !int.is_empty() && int.len() <= 18 && !frac.is_empty() && frac.len() <= 12
        && int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Publishes a statement for a member (owner, label admin).
#[utoipa::path(post, path = "/v1/workspaces/{workspace_id}/statements", tag = "statements", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)), request_body = CreateStatement,
    responses((status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = Statement), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_statement(
    State(state): State<AppState>,
    auth: Auth,
    Path(ws): Path<Uuid>,
    JsonBody(req): JsonBody<CreateStatement>,
) -> ApiResult<(StatusCode, Json<Statement>)> {
    let a = access(&state.db, &auth, ws).await?;
    a.require_manager("publish statements")?;
    let title = required("title", &req.title, 200)?;
    let period = req.period.trim().to_string();
    if chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").is_err() || period.len() != 7 {
        return Err(ApiError::invalid("period must be YYYY-MM"));
    }
    if !valid_amount(req.amount.trim()) {
        return Err(ApiError::invalid("amount must be a decimal number such as 12.34"));
    }
    let currency = req.currency.trim().to_string();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::invalid("currency must be an ISO 4217 code such as EUR"));
    }
    target_member(&state.db, ws, req.payee_user_id)
        .await
        .map_err(|_| ApiError::invalid("payee_user_id is not a member of this workspace"))?;
    if let Some(r) = req.roster_artist_id {
        if roster_artist(&state.db, ws, r).await?.is_none() {
            return Err(ApiError::invalid("roster_artist_id is not on this workspace's roster"));
        }
    }
    let id = Uuid::now_v7();
    let row: StatementRow = sqlx::query_as(&format!(
        "INSERT INTO statements AS s (id, workspace_id, payee_user_id, roster_artist_id, period, title, amount, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8) RETURNING {STATEMENT_COLUMNS}"
    ))
    .bind(id)
    .bind(ws)
    .bind(req.payee_user_id)
    .bind(req.roster_artist_id)
    .bind(&period)
    .bind(&title)
    .bind(req.amount.trim())
    .bind(&currency)
    .fetch_one(&state.db)
    .await?;
    Ok((StatusCode::CREATED, Json(statement(row))))
}

/// One statement, if the caller may read it.
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/statements/{statement_id}", tag = "statements", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path), ("statement_id" = Uuid, Path)),
    responses((status = 200, body = Statement), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_statement(
    State(state): State<AppState>,
    auth: Auth,
    Path((ws, statement_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<Statement>> {
    let a = access(&state.db, &auth, ws).await?;
    let sql = format!("SELECT {STATEMENT_COLUMNS} FROM statements s WHERE {} AND s.id = $3", statement_scope(&a));
    let row: Option<StatementRow> =
        sqlx::query_as(&sql).bind(ws).bind(auth.user_id).bind(statement_id).fetch_optional(&state.db).await?;
    row.map(statement).map(Json).ok_or_else(|| ApiError::not_found("statement"))
}

// ---------------------------------------------------------------------------------------------
// Assets

/// Finished uploads of the workspace, linked to their release/track (not for collaborators).
#[utoipa::path(get, path = "/v1/workspaces/{workspace_id}/assets", tag = "uploads", security(("bearer" = [])),
    params(("workspace_id" = Uuid, Path)),
    responses((status = 200, body = Vec<Asset>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_assets(State(state): State<AppState>, auth: Auth, Path(ws): Path<Uuid>) -> ApiResult<Json<Vec<Asset>>> {
    let a = access(&state.db, &auth, ws).await?;
    a.require(&[Role::Owner, Role::LabelAdmin, Role::LabelStaff, Role::Artist], "see assets")?;
    type Row = (Uuid, Uuid, Option<Uuid>, Option<Uuid>, String, Option<String>, i64, String, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, upload_id, release_id, track_id, kind, filename, size, sha256, created_at FROM assets
         WHERE workspace_id = $1 ORDER BY created_at, id",
    )
    .bind(ws)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, upload_id, release_id, track_id, kind, filename, size, sha256, created_at)| Asset {
                id,
                upload_id,
                release_id,
                track_id,
                kind,
                filename,
                size,
                sha256,
                created_at,
            })
            .collect(),
    ))
}
