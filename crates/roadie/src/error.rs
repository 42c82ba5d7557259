//! One error type for the whole engine. Every variant has a stable `code` that the UI translates
//! and scripts match on; the English `message` is for logs and the CLI.

use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// What was wrong with one field of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct FieldIssue {
    /// The input field, in the model's snake_case names (`title`, `artist_ids`, `isrc`...).
    pub field: String,
    /// A stable reason code: `required`, `too_long`, `invalid_country`, `invalid_isrc`...
    pub reason: String,
    /// A short English explanation for logs and the CLI.
    pub detail: String,
}

impl FieldIssue {
    pub fn new(field: &str, reason: &str, detail: impl Into<String>) -> Self {
        Self { field: field.into(), reason: reason.into(), detail: detail.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },

    #[error("invalid {entity}: {}", issues.iter().map(|i| format!("{}: {}", i.field, i.detail)).collect::<Vec<_>>().join("; "))]
    InvalidInput { entity: &'static str, issues: Vec<FieldIssue> },

    #[error("disc {disc} already has a track at position {position}")]
    PositionTaken { disc: u32, position: u32 },

    #[error("{name} is credited on {releases} release(s); remove those credits first")]
    ArtistInUse { name: String, releases: u32 },

    #[error("an artist workspace holds one artist; create a label workspace to manage a roster")]
    ArtistWorkspaceFull,

    #[error("artist {id} is not on this workspace's roster")]
    ArtistNotInWorkspace { id: String },

    #[error("no workspace yet: create one first (roadie workspace create --kind label|artist --name NAME)")]
    NoWorkspace,

    #[error(
        "the store {path} was written by a newer Roadie (schema {found}, this version knows up to {supported}); \
         it was not modified: update Roadie to open it"
    )]
    StoreTooNew { path: String, found: i64, supported: i64 },

    #[error("cannot open the store {path}: {reason}")]
    StoreUnavailable { path: String, reason: String },

    #[error("the store {path} is not a Roadie store: {reason}")]
    NotAStore { path: String, reason: String },

    #[error("cannot read {path}: {reason}")]
    FileUnreadable { path: String, reason: String },

    #[error("{path}, line {line}: {reason}")]
    BadLine { path: String, line: u64, reason: String },

    #[error("{path}: cannot tell which column is which ({reason}); make a column mapping for it")]
    MappingNeeded { path: String, reason: String, headers: Vec<String> },

    #[error("{email} already belongs to another contact ({contact_id})")]
    EmailTaken { email: String, contact_id: String },

    #[error("cancelled: nothing was changed")]
    Cancelled,
    #[error("no ISRC registrant prefix is set for {owner}: set one (e.g. CN-A01) to generate ISRCs")]
    NoIsrcPrefix { owner: String },

    #[error("all 99999 ISRC designations of {prefix} for 20{year:02} are used")]
    IsrcExhausted { prefix: String, year: i32 },

    #[error("track {id} already has the ISRC {isrc}")]
    TrackHasIsrc { id: String, isrc: String },

    #[error("{file}:{line}: {message}")]
    InvalidErn { file: String, line: u64, message: String },

    #[error("{failed} of {total} file(s) could not be analysed")]
    AssetsFailed { failed: u32, total: u32 },

    #[error("{failed} of {total} statement file(s) could not be imported (each file is all or nothing; the others were imported)")]
    StatementsFailed { failed: u32, total: u32 },

    #[error("{0}")]
    Asset(crate::media::AssetError),
    #[error("{file}, line {line}: {reason}")]
    StatementLine { file: String, line: u64, reason: String },

    #[error("cannot read the statement {file}: {reason}")]
    StatementUnreadable { file: String, reason: String },

    #[error(
        "{file}: Roadie does not know this layout (header: {header}); import it with --format, or save a column \
         mapping for it (roadie mapping save)"
    )]
    UnknownStatementLayout { file: String, header: String },

    #[error("import of {file} cancelled; nothing of it was saved")]
    ImportCancelled { file: String },

    #[error("an amount total is too large to hold exactly")]
    AmountOverflow,
    #[error("not signed in to a platform server: run `roadie login --server URL --email EMAIL` first")]
    NotSignedIn,

    #[error("wrong e-mail address or password")]
    WrongCredentials,

    #[error("too many failed sign-ins for this account; try again in {retry_after_secs} s")]
    SignInRateLimited { retry_after_secs: u64 },

    #[error("the platform server at {server} cannot be reached: {reason}")]
    Network { server: String, reason: String },

    #[error("the platform refused the request ({status} {platform_code}): {message}")]
    Platform { status: u16, platform_code: String, message: String },

    #[error("{path}: the platform received different bytes than the file holds (SHA-256 mismatch); the upload was discarded, run it again")]
    UploadCorrupted { path: String },

    #[error("the saved token could not be read or written ({location}): {reason}")]
    SecretStore { location: String, reason: String },

    #[error(
        "the platform server speaks sync protocol {server_min} to {server_max} and this Roadie speaks {client}: update {}",
        if *client < *server_min { "Roadie" } else { "the server" }
    )]
    SyncProtocolMismatch { server_min: u32, server_max: u32, client: u32 },

    #[error("the workspace holds changes from a newer Roadie ({table}.{column} is unknown here); update Roadie to sync (nothing was applied)")]
    SyncSchemaTooNew { table: String, column: String },
    #[error("no exchange rate from {from} to {to} on or before {date}: import the ECB rates (roadie fx import) or set one (roadie fx set)")]
    FxRateMissing { from: String, to: String, date: String },

    #[error("statements for {latest} are issued: {period} is closed (corrections go in a later period as adjustments)")]
    PeriodClosed { period: String, latest: String },

    #[error("a payout of {amount} {currency} exceeds what is payable to {payee} ({payable} {currency})")]
    PayoutExceedsPayable { payee: String, amount: String, payable: String, currency: String },

    #[error("the platform does not allow this for your role: {message}")]
    PlatformForbidden { message: String },

    #[error("not found on the platform: {message}")]
    PlatformNotFound { message: String },

    #[error("no such invitation: the link is wrong or was withdrawn")]
    InvitationNotFound,

    #[error("this invitation has expired or was already accepted; ask for a new one")]
    InvitationUsed,

    #[error("this invitation is for another e-mail address: sign in with the invited address to accept it")]
    InvitationEmailMismatch,

    #[error("you are already a member of this workspace")]
    AlreadyMember,

    #[error("only a label workspace has a roster, label staff and artists")]
    NotALabel,

    #[error("not an invitation link: paste the whole link (…/invite/rdi_…) or its token")]
    InvitationLinkInvalid { input: String },

    #[error("this invitation is for the platform at {server}, but you are signed in to {signed_in}")]
    InvitationOtherServer { server: String, signed_in: String },

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),

    #[error("the statement file {file} could not be moved through the platform: {reason}")]
    StatementFileTransfer { file: String, hash: String, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The stable code of this error. Never change one: the UI's translations and users' scripts
    /// depend on them.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::InvalidInput { .. } => "invalid_input",
            Error::PositionTaken { .. } => "position_taken",
            Error::ArtistInUse { .. } => "artist_in_use",
            Error::ArtistWorkspaceFull => "artist_workspace_full",
            Error::ArtistNotInWorkspace { .. } => "artist_not_in_workspace",
            Error::NoWorkspace => "no_workspace",
            Error::StoreTooNew { .. } => "store_too_new",
            Error::StoreUnavailable { .. } => "store_unavailable",
            Error::NotAStore { .. } => "not_a_store",
            Error::FileUnreadable { .. } => "file_unreadable",
            Error::BadLine { .. } => "bad_line",
            Error::MappingNeeded { .. } => "mapping_needed",
            Error::EmailTaken { .. } => "email_taken",
            Error::Cancelled => "cancelled",
            Error::NoIsrcPrefix { .. } => "no_isrc_prefix",
            Error::IsrcExhausted { .. } => "isrc_exhausted",
            Error::TrackHasIsrc { .. } => "track_has_isrc",
            Error::InvalidErn { .. } => "invalid_ern",
            Error::AssetsFailed { .. } => "assets_failed",
            Error::StatementsFailed { .. } => "statements_failed",
            Error::Asset(_) => "asset_unreadable",
            Error::StatementLine { .. } => "statement_line_invalid",
            Error::StatementUnreadable { .. } => "statement_unreadable",
            Error::UnknownStatementLayout { .. } => "statement_layout_unknown",
            Error::ImportCancelled { .. } => "import_cancelled",
            Error::AmountOverflow => "amount_overflow",
            Error::NotSignedIn => "not_signed_in",
            Error::WrongCredentials => "wrong_credentials",
            Error::SignInRateLimited { .. } => "sign_in_rate_limited",
            Error::Network { .. } => "network",
            Error::Platform { .. } => "platform_refused",
            Error::UploadCorrupted { .. } => "upload_corrupted",
            Error::SecretStore { .. } => "secret_store",
            Error::SyncProtocolMismatch { .. } => "sync_protocol_mismatch",
            Error::SyncSchemaTooNew { .. } => "sync_schema_too_new",
            Error::FxRateMissing { .. } => "fx_rate_missing",
            Error::PeriodClosed { .. } => "period_closed",
            Error::PayoutExceedsPayable { .. } => "payout_exceeds_payable",
            Error::PlatformForbidden { .. } => "platform_forbidden",
            Error::PlatformNotFound { .. } => "platform_not_found",
            Error::InvitationNotFound => "invitation_not_found",
            Error::InvitationUsed => "invitation_used",
            Error::InvitationEmailMismatch => "invitation_email_mismatch",
            Error::AlreadyMember => "already_member",
            Error::NotALabel => "not_a_label",
            Error::InvitationLinkInvalid { .. } => "invitation_link_invalid",
            Error::InvitationOtherServer { .. } => "invitation_other_server",
            Error::Database(_) => "database",
            Error::Migration(_) => "migration",
            Error::Io(_) => "io",
            Error::StatementFileTransfer { .. } => "statement_file_transfer",
        }
    }

    pub fn invalid(entity: &'static str, issues: Vec<FieldIssue>) -> Self {
        Error::InvalidInput { entity, issues }
    }

    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Error::NotFound { entity, id: id.to_string() }
    }

    /// The error as the UI and `--json` consumers see it.
    pub fn payload(&self) -> ErrorPayload {
        let mut params = BTreeMap::new();
        let mut issues = Vec::new();
        match self {
            Error::NotFound { entity, id } => {
                params.insert("entity".into(), entity.to_string());
                params.insert("id".into(), id.clone());
            }
            Error::InvalidInput { entity, issues: found } => {
                params.insert("entity".into(), entity.to_string());
                issues = found.clone();
            }
            Error::PositionTaken { disc, position } => {
                params.insert("disc".into(), disc.to_string());
                params.insert("position".into(), position.to_string());
            }
            Error::ArtistInUse { name, releases } => {
                params.insert("name".into(), name.clone());
                params.insert("releases".into(), releases.to_string());
            }
            Error::ArtistNotInWorkspace { id } => {
                params.insert("id".into(), id.clone());
            }
            Error::StoreTooNew { path, found, supported } => {
                params.insert("path".into(), path.clone());
                params.insert("found".into(), found.to_string());
                params.insert("supported".into(), supported.to_string());
            }
            Error::StoreUnavailable { path, reason } | Error::NotAStore { path, reason } => {
                params.insert("path".into(), path.clone());
                params.insert("reason".into(), reason.clone());
            }
            Error::FileUnreadable { path, reason } => {
                params.insert("path".into(), path.clone());
                params.insert("reason".into(), reason.clone());
            }
            Error::BadLine { path, line, reason } => {
                params.insert("path".into(), path.clone());
                params.insert("line".into(), line.to_string());
                params.insert("reason".into(), reason.clone());
            }
            Error::MappingNeeded { path, reason, headers } => {
                params.insert("path".into(), path.clone());
                params.insert("reason".into(), reason.clone());
                params.insert("headers".into(), serde_json::to_string(headers).unwrap_or_default());
            }
            Error::EmailTaken { email, contact_id } => {
                params.insert("email".into(), email.clone());
                params.insert("contact_id".into(), contact_id.clone());
            }
            Error::NoIsrcPrefix { owner } => {
                params.insert("owner".into(), owner.clone());
            }
            Error::IsrcExhausted { prefix, year } => {
                params.insert("prefix".into(), prefix.clone());
                params.insert("year".into(), format!("{year:02}"));
            }
            Error::TrackHasIsrc { id, isrc } => {
                params.insert("id".into(), id.clone());
                params.insert("isrc".into(), isrc.clone());
            }
            Error::InvalidErn { file, line, message } => {
                params.insert("file".into(), file.clone());
                params.insert("line".into(), line.to_string());
                params.insert("message".into(), message.clone());
            }
            Error::AssetsFailed { failed, total } => {
                params.insert("failed".into(), failed.to_string());
                params.insert("total".into(), total.to_string());
            }
            Error::StatementsFailed { failed, total } => {
                params.insert("failed".into(), failed.to_string());
                params.insert("total".into(), total.to_string());
            }
            Error::Asset(e) => {
                params.insert("path".into(), e.path.clone());
                params.insert("reason".into(), e.code.clone());
            }
            Error::StatementLine { file, line, reason } => {
                params.insert("file".into(), file.clone());
                params.insert("line".into(), line.to_string());
                params.insert("reason".into(), reason.clone());
            }
            Error::StatementUnreadable { file, reason } => {
                params.insert("file".into(), file.clone());
                params.insert("reason".into(), reason.clone());
            }
            Error::UnknownStatementLayout { file, header } => {
                params.insert("file".into(), file.clone());
                params.insert("header".into(), header.clone());
            }
            Error::ImportCancelled { file } => {
                params.insert("file".into(), file.clone());
            }
            Error::SignInRateLimited { retry_after_secs } => {
                params.insert("retry_after_secs".into(), retry_after_secs.to_string());
            }
            Error::Network { server, reason } => {
                params.insert("server".into(), server.clone());
                params.insert("reason".into(), reason.clone());
            }
            Error::Platform { status, platform_code, message } => {
                params.insert("status".into(), status.to_string());
                params.insert("platform_code".into(), platform_code.clone());
                params.insert("message".into(), message.clone());
            }
            Error::UploadCorrupted { path } => {
                params.insert("path".into(), path.clone());
            }
            Error::SecretStore { location, reason } => {
                params.insert("location".into(), location.clone());
                params.insert("reason".into(), reason.clone());
            }
            Error::SyncProtocolMismatch { server_min, server_max, client } => {
                params.insert("server_min".into(), server_min.to_string());
                params.insert("server_max".into(), server_max.to_string());
                params.insert("client".into(), client.to_string());
            }
            Error::SyncSchemaTooNew { table, column } => {
                params.insert("table".into(), table.clone());
                params.insert("column".into(), column.clone());
            }
            Error::FxRateMissing { from, to, date } => {
                params.insert("from".into(), from.clone());
                params.insert("to".into(), to.clone());
                params.insert("date".into(), date.clone());
            }
            Error::PeriodClosed { period, latest } => {
                params.insert("period".into(), period.clone());
                params.insert("latest".into(), latest.clone());
            }
            Error::PayoutExceedsPayable { payee, amount, payable, currency } => {
                params.insert("payee".into(), payee.clone());
                params.insert("amount".into(), amount.clone());
                params.insert("payable".into(), payable.clone());
                params.insert("currency".into(), currency.clone());
            }
            Error::PlatformForbidden { message } | Error::PlatformNotFound { message } => {
                params.insert("message".into(), message.clone());
            }
            Error::InvitationLinkInvalid { input } => {
                params.insert("input".into(), input.clone());
            }
            Error::InvitationOtherServer { server, signed_in } => {
                params.insert("server".into(), server.clone());
                params.insert("signed_in".into(), signed_in.clone());
            }
            Error::InvitationNotFound | Error::InvitationUsed | Error::InvitationEmailMismatch | Error::AlreadyMember | Error::NotALabel => {}
            Error::NotSignedIn | Error::WrongCredentials => {}
            Error::ArtistWorkspaceFull
            | Error::Cancelled
            | Error::AmountOverflow
            | Error::NoWorkspace
            | Error::Database(_)
            | Error::Migration(_)
            | Error::Io(_) => {}
            Error::StatementFileTransfer { file, hash, reason } => {
                params.insert("file".into(), file.clone());
                params.insert("hash".into(), hash.clone());
                params.insert("reason".into(), reason.clone());
            }
        }
        ErrorPayload { code: self.code().into(), message: self.to_string(), params, issues }
    }
}

/// An engine error as data: what the desktop UI receives from a failed command.
#[derive(Debug, Clone, Serialize, serde::Deserialize, TS)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    pub params: BTreeMap<String, String>,
    pub issues: Vec<FieldIssue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code `code()` can return has an English and a Chinese message in the UI. (The
    /// codes are read from this file's source: a new variant cannot slip past.)
    #[test]
    fn every_error_code_is_translated_in_both_languages() {
        let source = include_str!("error.rs");
        let body = source.split("pub fn code(&self)").nth(1).expect("fn code").split("\n    }\n").next().unwrap();
        let codes: Vec<&str> = body.split("=> \"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
        assert!(codes.len() > 40, "{codes:?}");
        let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/locales");
        for locale in ["en.ts", "zh-CN.ts"] {
            let text = std::fs::read_to_string(ui.join(locale)).unwrap();
            let missing: Vec<&&str> = codes
                .iter()
                .filter(|c| !["'", "\""].iter().any(|q| text.contains(&format!("{q}error.{c}{q}"))))
                .collect();
            assert!(missing.is_empty(), "{locale} has no message for {missing:?}");
        }
    }

    #[test]
    fn invalid_input_lists_every_field_in_its_message_and_payload() {
        let err = Error::invalid(
            "release",
            vec![
                FieldIssue::new("title", "required", "a title is required"),
                FieldIssue::new("artist_ids", "required", "at least one artist is required"),
            ],
        );
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(
            err.to_string(),
            "invalid release: title: a title is required; artist_ids: at least one artist is required"
        );
        let payload = err.payload();
        assert_eq!(payload.issues.len(), 2);
        assert_eq!(payload.params["entity"], "release");
    }
}
