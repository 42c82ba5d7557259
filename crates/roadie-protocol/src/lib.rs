//! Wire types of the platform's HTTP API, shared by the server (`roadie-platform`) and the
//! engine's client (`roadie`). Everything here is plain serde; with the `openapi` feature the
//! types also describe themselves for the server's `/openapi.json`.
//!
//! Field names are the JSON contract: never rename one without a new API version.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The tus protocol version the platform speaks at `/v1/uploads`.
pub const TUS_VERSION: &str = "1.0.0";
/// The tus extensions the platform implements.
pub const TUS_EXTENSIONS: &str = "creation,termination,checksum";
/// Response header on HEAD/PATCH of a finished upload: the SHA-256 (hex) of the stored file.
pub const UPLOAD_SHA256_HEADER: &str = "roadie-upload-sha256";
/// Upload-Metadata keys the platform understands (others are kept but ignored).
pub mod upload_meta {
    /// The original file name.
    pub const FILENAME: &str = "filename";
    /// The workspace the upload belongs to (defaults to the uploader's own workspace).
    pub const WORKSPACE: &str = "workspace";
    /// The release the asset belongs to.
    pub const RELEASE: &str = "release";
    /// The track the asset belongs to (a master), if any.
    pub const TRACK: &str = "track";
    /// `master`, `artwork`, `other`, or [`STATEMENT`]: a royalty statement file, which the
    /// platform keeps with the workspace's statement files (named by its SHA-256, which the
    /// `sha256` key must give) rather than as a release asset.
    pub const ASSET: &str = "asset";
    /// The `asset` of a statement file sent resumably (instead of one `PUT` to
    /// `/v1/workspaces/{ws}/statement-files/{sha256}`, which an older platform only knows).
    pub const STATEMENT: &str = "statement";
    /// The whole file's SHA-256, hex; checked when the upload completes.
    pub const SHA256: &str = "sha256";
}

/// Every error the API returns has this body, with a stable `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// Stable snake_case code: `unauthorized`, `forbidden`, `not_found`, `invalid_input`,
    /// `email_taken`, `rate_limited`, `offset_mismatch`, `checksum_mismatch`, ...
    pub code: String,
    /// English explanation for logs.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignupRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 1024))]
    pub password: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = r"\S"))]
    pub email: String,
    pub password: String,
    /// A label for the token (e.g. the device name), shown in the token list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenResponse {
    /// The bearer token. Shown once; the server keeps only its hash.
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// The user's own (artist) workspace, created at sign-up.
    pub workspace_id: Uuid,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenInfo {
    pub id: Uuid,
    pub device: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// True for the token that made this request.
    pub current: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    Artist,
    Label,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in the workspace.
    Owner,
    /// Everything in a label workspace except deleting it or changing its owner.
    LabelAdmin,
    /// Only the roster artists they are assigned to.
    LabelStaff,
    /// Their own roster entry in a label, and what the label shares with them.
    Artist,
    /// Read-only on their own statements.
    Collaborator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::LabelAdmin => "label_admin",
            Role::LabelStaff => "label_staff",
            Role::Artist => "artist",
            Role::Collaborator => "collaborator",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "owner" => Role::Owner,
            "label_admin" => Role::LabelAdmin,
            "label_staff" => Role::LabelStaff,
            "artist" => Role::Artist,
            "collaborator" => Role::Collaborator,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Workspace {
    pub id: Uuid,
    pub kind: WorkspaceKind,
    pub name: String,
    /// The caller's role in it.
    pub role: Role,
    /// Upload quota: the most bytes its unfinished and finished uploads may hold.
    pub upload_quota_bytes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateWorkspace {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub name: String,
    pub kind: WorkspaceKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// For an artist member, the roster entry that is theirs.
    pub roster_artist_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateMember {
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RosterArtist {
    pub id: Uuid,
    pub name: String,
    /// The label staff assigned to this artist.
    pub staff: Vec<Uuid>,
    /// The member whose roster entry this is (role artist), once they accepted an invitation.
    pub artist_user_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateRosterArtist {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateInvitation {
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"))]
    pub email: String,
    pub role: Role,
    /// For `artist`: the roster entry they will own. For `label_staff`: a first assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster_artist_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub roster_artist_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted: bool,
    /// Only in the response that created it: the secret link token (the server keeps its hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AcceptedInvitation {
    pub workspace_id: Uuid,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Statement {
    pub id: Uuid,
    /// The member the statement is for.
    pub payee_user_id: Uuid,
    pub roster_artist_id: Option<Uuid>,
    /// `YYYY-MM`.
    pub period: String,
    pub title: String,
    /// Total due, as a decimal string with its currency.
    pub amount: String,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateStatement {
    pub payee_user_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster_artist_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$"))]
    pub period: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^-?[0-9]{1,18}(\.[0-9]{1,12})?$"))]
    pub amount: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
}

/// A finished upload linked to the release/track it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Asset {
    pub id: Uuid,
    pub upload_id: Uuid,
    pub release_id: Option<Uuid>,
    pub track_id: Option<Uuid>,
    /// `master`, `artwork` or `other`.
    pub kind: String,
    pub filename: Option<String>,
    pub size: i64,
    /// Hex SHA-256 of the stored object, computed by the server.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
}

pub mod sync;
