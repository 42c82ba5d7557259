//! Fans: a CRM fed by the lists artists already have. Contacts with e-mails (one primary), tags,
//! sources, a consent log from which the current status is derived, activity, saved segments,
//! type-ahead search (CJK included), duplicate suggestions and merge, erase and export.

mod contacts;
mod country;
mod dedupe;
mod export;
mod filter;
pub mod import;
mod money;
pub(crate) mod pull_merge;
mod sales;
pub(crate) mod search;

pub use contacts::{
    Activity, ActivityInput, ActivityKind, ConsentEvent, ConsentInput, ConsentStatus, Contact, ContactEmail,
    ContactInput, ContactRecord, ContactSummary, ContactsPage, TimelineEntry,
};
pub use dedupe::{DuplicateGroup, MergeChoices};
pub use export::{ExportFormat, ExportSummary};
pub use filter::{ContactCursor, ContactFilter, Segment};
pub use money::Money;
pub use sales::SalesLinkReport;

/// The workspace's row number in this store, given its id as the next parameter: what the Fans
/// indexes lead with (`contacts.ws`, `contact_tags.ws`; migrations/…_fans_workspace_number.sql).
pub(crate) const WORKSPACE_NUMBER: &str = "(SELECT rowid FROM workspaces WHERE id = ?)";

/// Trims and case-folds an e-mail address, or says why it is not one.
pub fn normalize_email(input: &str) -> Result<String, String> {
    let email = input.trim().trim_matches(|c| c == '<' || c == '>').to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(format!("'{}' is not an e-mail address (no @)", input.trim()));
    };
    let valid_domain = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || local.contains(char::is_whitespace) || local.contains('@') || !valid_domain {
        return Err(format!("'{}' is not an e-mail address", input.trim()));
    }
    Ok(email)
}

/// Digits of a phone number, for matching "+86 138-0000-0000" with "8613800000000".
pub fn phone_digits(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then_some(digits)
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::catalog::{NewWorkspace, WorkspaceKind};
    use crate::Store;
    use uuid::Uuid;

    pub async fn store() -> (Store, Uuid, tempfile::TempDir) {
        let (store, dir) = crate::catalog::testing::store().await;
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Me".into() }).await.unwrap();
        (store, ws.id, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_case_folded_and_checked() {
        assert_eq!(normalize_email("  Jay.Chou@Example.COM ").unwrap(), "jay.chou@example.com");
        assert_eq!(normalize_email("<fan@例子.中国>").unwrap(), "fan@例子.中国");
        for bad in ["", "no-at.example.com", "a@b", "a b@c.com", "@c.com", "a@.com", "a@c..com"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_digits_ignore_formatting() {
        assert_eq!(phone_digits("+86 138-0000-0000").as_deref(), Some("8613800000000"));
        assert_eq!(phone_digits("12"), None);
    }
}
