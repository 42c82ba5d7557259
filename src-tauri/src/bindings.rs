//! The TypeScript bindings: every type the UI exchanges with the shell, and every command's
//! arguments and result, generated from the Rust declarations into ui/src/lib/bindings.ts.

use crate::commands::{signatures, AppInfo, PROGRESS_CHANNEL_TS};
use roadie::fans::import::{FanField, FanFilePreview, FanFormat, FanImportOptions, FanImportReport, InvalidRow, MappingSuggestion};
use roadie::fans::{
    Activity, ActivityKind, ConsentEvent, ConsentInput, ConsentStatus, Contact, ContactEmail, ContactFilter, ContactSummary,
    ContactsPage, DuplicateGroup, ExportFormat, ExportSummary, MergeChoices, Money, Segment, TimelineEntry,
};
use crate::commands::{AccountStatus, ImportFileResult, ImportProgressEvent};
use roadie::royalties::{
    AssignBy, AssignTarget, ColumnMapping, ImportOptions, ReportBy, ReportFilter, ReportRow, RoyaltyReport, SavedMapping,
    UnmatchedGroup,
};
use roadie::royalties::{Format, ImportReport, LineIssue};
use roadie::royalties::{DateOrder, StatementPreview};
use roadie::catalog::*;
use roadie::ern::Imported;
use roadie::media::{
    AssetError, AssetKind, AssetReport, AudioAnalysis, AudioTags, ColorModel, DeliveryRules, ImageAnalysis, Progress,
};
use roadie::readiness::{Problem, Readiness, Severity};
use roadie::preferences::{Language, Preferences, Theme};
use roadie::{ErrorPayload, FieldIssue};
use ts_rs::TS;

macro_rules! declarations {
    ($cfg:ident, $($ty:ty),* $(,)?) => {
        vec![$(format!("export {}", <$ty as TS>::decl(&$cfg))),*]
    };
}

pub fn typescript() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let types = declarations!(
        cfg,
        AppInfo,
        ErrorPayload,
        FieldIssue,
        Preferences,
        Language,
        Theme,
        Workspace,
        WorkspaceKind,
        NewWorkspace,
        Artist,
        ArtistInput,
        LocalizedName,
        ArtistRef,
        Release,
        ReleaseDetail,
        ReleaseFilter,
        ReleaseInput,
        ReleaseStatus,
        ReleaseType,
        Track,
        TrackInput,
        CopyrightLine,
        Contributor,
        ContributorRole,
        MusicalWork,
        Writer,
        WriterRole,
        Deal,
        CommercialModel,
        UseType,
        AddedTracks,
        DuplicateIsrc,
        IsrcHolder,
        IsrcOwner,
        AudioAnalysis,
        AudioTags,
        ImageAnalysis,
        ColorModel,
        AssetReport,
        AssetKind,
        AssetError,
        Progress,
        DeliveryRules,
        Readiness,
        Problem,
        Severity,
        Imported,
        ConsentStatus,
        ContactEmail,
        Contact,
        ContactSummary,
        ContactsPage,
        ContactFilter,
        ConsentInput,
        ConsentEvent,
        Activity,
        ActivityKind,
        TimelineEntry,
        Money,
        Segment,
        DuplicateGroup,
        MergeChoices,
        ExportFormat,
        ExportSummary,
        FanField,
        FanFormat,
        FanFilePreview,
        FanImportOptions,
        FanImportReport,
        InvalidRow,
        MappingSuggestion,
        Format,
        LineIssue,
        ImportReport,
        ImportOptions,
        ImportProgressEvent,
        ImportFileResult,
        ReportBy,
        ReportFilter,
        ReportRow,
        RoyaltyReport,
        UnmatchedGroup,
        AssignTarget,
        AssignBy,
        ColumnMapping,
        SavedMapping,
        AccountStatus,
        roadie::platform::Account,
        roadie::platform::SignedOut,
        roadie::platform::SecretStoreInfo,
        roadie::platform::SecretStoreKind,
        roadie::platform::UploadQueueItem,
        roadie::platform::UploadQueueStatus,
        DateOrder,
        StatementPreview,
        roadie::fans::ContactInput,
        roadie::fans::SalesLinkReport,
        roadie::fans::ContactCursor,
        roadie::sync::SyncPhase,
        roadie::sync::SyncProgress,
        roadie::sync::SyncError,
        roadie::sync::SyncReport,
        roadie::sync::SyncStatus,
        roadie::sync::Take,
        roadie::sync::ConflictSideView,
        roadie::sync::Conflict,
        roadie::royalties::Payee,
        roadie::royalties::PayeeInput,
        roadie::royalties::PayeeBalance,
        roadie::royalties::SplitScope,
        roadie::royalties::SplitTarget,
        roadie::royalties::Share,
        roadie::royalties::SplitInput,
        roadie::royalties::SplitShare,
        roadie::royalties::Split,
        roadie::royalties::SplitPreview,
        roadie::royalties::PreviewCurrency,
        roadie::royalties::PreviewShare,
        roadie::royalties::AdvanceKind,
        roadie::royalties::AdvanceInput,
        roadie::royalties::Advance,
        roadie::royalties::FxRate,
        roadie::royalties::RateSource,
        roadie::royalties::RateInput,
        roadie::royalties::RateUsed,
        roadie::royalties::FxImportReport,
        roadie::royalties::LedgerPeriod,
        roadie::royalties::IssuedPeriod,
        roadie::royalties::IssuedStatement,
        roadie::royalties::statements::CurrencyTotal,
        roadie::royalties::StatementRun,
        roadie::royalties::StatementSummary,
        roadie::royalties::StatementDocument,
        roadie::royalties::statements::CurrencyEarning,
        roadie::royalties::statements::EarningRow,
        roadie::royalties::statements::RecoupmentRow,
        roadie::royalties::YearMonth,
        roadie::royalties::PayoutInput,
        roadie::royalties::Payout,
        roadie::platform::TeamRole,
        roadie::platform::TeamWorkspace,
        roadie::platform::TeamMember,
        roadie::platform::TeamRosterArtist,
        roadie::platform::TeamInvitation,
        roadie::platform::Team,
        roadie::platform::CreatedInvitation,
        roadie::platform::JoinedWorkspace,
    );
    let mut out = String::from(
        "// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p roadie-desktop bindings`.\n\
         // Do not edit: a test fails when this file and the Rust declarations differ.\n\n",
    );
    out.push_str(
        "/** A progress channel (Tauri's `Channel` in the app, a plain object in the mock host). */\n\
         export interface Channel<T> { onmessage: (message: T) => void }\n\n",
    );
    for decl in types {
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.push_str(PROGRESS_CHANNEL_TS);
    out.push_str("\n\n");
    out.push_str("/** Every command of the desktop shell: its arguments and its result. */\nexport interface Commands {\n");
    for sig in signatures() {
        let args = sig.args.iter().map(|(n, t)| format!("{n}: {t}")).collect::<Vec<_>>().join("; ");
        let args = if args.is_empty() { "Record<string, never>".to_string() } else { format!("{{ {args} }}") };
        out.push_str(&format!("  {}: {{ args: {args}; result: {} }};\n", sig.name, sig.result));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn bindings_are_current() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let generated = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/lib/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p roadie-desktop bindings` and commit it"
        );
    }
}
