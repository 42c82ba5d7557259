//! Type-ahead search over name, e-mails, city, notes and tags with SQLite FTS5.
//!
//! unicode61 keeps a run of Han characters as one token, so 杰伦 would not find 周杰伦. We index
//! and query CJK text one character per token instead: the query 杰伦 becomes the phrase
//! "杰 伦", which matches those two characters side by side anywhere in a name.

use super::contacts::{sql, summary_from_row, ContactSummary, SUMMARY_COLUMNS};
use crate::error::Result;
use crate::Store;
use sqlx::SqliteConnection;
use uuid::Uuid;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK Extensions B..
}

/// Text as indexed: every CJK character stands alone.
pub(crate) fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// An FTS5 query from what the user typed: each word a quoted phrase, the last one a prefix.
/// `None` when nothing searchable is left.
pub(crate) fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split_whitespace()
        .map(|w| index_text(w).split_whitespace().collect::<Vec<_>>().join(" "))
        .map(|w| w.replace('"', "\"\""))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" "))
}

/// rowid, name, place, notes, e-mails, tags: what [`sql::SEARCH_FIELDS`] reads.
pub(crate) type SearchFields = (i64, Option<String>, String, Option<String>, Option<String>, Option<String>);

/// The search row's values as indexed: rowid, name, emails, place, notes, tags.
pub(crate) fn index_values(f: SearchFields) -> (i64, Option<String>, Option<String>, String, Option<String>, Option<String>) {
    let (rowid, name, place, notes, emails, tags) = f;
    (rowid, name.map(|n| index_text(&n)), emails, index_text(&place), notes.map(|n| index_text(&n)), tags.map(|t| index_text(&t)))
}

/// Rewrites the contact's search row from its current data.
pub(crate) async fn reindex(conn: &mut SqliteConnection, contact: Uuid) -> Result<()> {
    unindex(conn, contact).await?;
    let row: Option<SearchFields> = sqlx::query_as(sql::SEARCH_FIELDS).bind(contact.to_string()).fetch_optional(&mut *conn).await?;
    let Some(fields) = row else { return Ok(()) };
    let (rowid, name, emails, place, notes, tags) = index_values(fields);
    sqlx::query(sql::INDEX)
        .bind(rowid)
        .bind(name)
        .bind(emails)
        .bind(place)
        .bind(notes)
        .bind(tags)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn unindex(conn: &mut SqliteConnection, contact: Uuid) -> Result<()> {
    sqlx::query(sql::UNINDEX).bind(contact.to_string()).execute(&mut *conn).await?;
    Ok(())
}

/// How many matches a search ranks at most.
const CANDIDATES: i64 = 500;

impl Store {
    /// Contacts matching what the user typed, best matches first.
    pub async fn search_contacts(&self, workspace_id: Uuid, typed: &str, limit: u32) -> Result<Vec<ContactSummary>> {
        let Some(query) = fts_query(typed) else { return Ok(Vec::new()) };
        // Ranking reads every match's statistics: a short prefix ("li") matches a tenth of a big
        // list. The first CANDIDATES matches (oldest contacts first) are ranked, not all.
        // The summary columns (primary e-mail, tags: two lookups each) only for the rows shown,
        // not for every ranked candidate.
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM (SELECT c.rowid AS rid, f.rank AS rank \
               FROM (SELECT rowid, rank FROM contacts_fts WHERE contacts_fts MATCH ?1 LIMIT ?2) f \
               JOIN contacts c ON c.rowid = f.rowid WHERE c.workspace_id = ?3 AND c.deleted = 0 ORDER BY f.rank, c.rowid LIMIT ?4) s \
             JOIN contacts c ON c.rowid = s.rid ORDER BY s.rank, s.rid"
        ))
        .bind(query)
        .bind(CANDIDATES.max(limit as i64))
        .bind(workspace_id.to_string())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fans::testing::store;
    use crate::fans::ContactInput;

    #[test]
    fn queries() {
        assert_eq!(fts_query("杰伦").as_deref(), Some("\"杰 伦\"*"));
        assert_eq!(fts_query("jay ch").as_deref(), Some("\"jay\"* \"ch\"*"));
        assert_eq!(fts_query("a\"b").as_deref(), Some("\"a\"\"b\"*"));
        assert_eq!(fts_query("  - * ").as_deref(), None);
        assert_eq!(index_text("周杰伦 Jay"), " 周  杰  伦  Jay");
    }

    #[tokio::test]
    async fn finds_chinese_fragments_prefixes_emails_cities_and_tags() {
        let (store, ws, _dir) = store().await;
        let add = |name: &str, email: &str, city: &str, tags: &[&str]| ContactInput {
            name: Some(name.into()),
            emails: vec![email.into()],
            city: Some(city.into()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..ContactInput::default()
        };
        store.create_contact(ws, add("周杰伦", "jay@example.com", "台北", &["vip"]), "t").await.unwrap();
        store.create_contact(ws, add("Jaylen Brown", "jb@celtics.example", "Boston", &["merch"]), "t").await.unwrap();
        store.create_contact(ws, add("王菲", "faye@example.cn", "北京市", &[]), "t").await.unwrap();

        let names = |v: Vec<ContactSummary>| v.into_iter().filter_map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(store.search_contacts(ws, "杰伦", 10).await.unwrap()), ["周杰伦"]);
        assert_eq!(names(store.search_contacts(ws, "北京", 10).await.unwrap()), ["王菲"]);
        let mut jays = names(store.search_contacts(ws, "jay", 10).await.unwrap());
        jays.sort();
        assert_eq!(jays, ["Jaylen Brown", "周杰伦"]);
        assert_eq!(names(store.search_contacts(ws, "celtics", 10).await.unwrap()), ["Jaylen Brown"]);
        assert_eq!(names(store.search_contacts(ws, "bos", 10).await.unwrap()), ["Jaylen Brown"]);
        assert_eq!(names(store.search_contacts(ws, "vip", 10).await.unwrap()), ["周杰伦"]);
        assert!(store.search_contacts(ws, "杰菲", 10).await.unwrap().is_empty());
        assert_eq!(store.search_contacts(ws, "jay", 1).await.unwrap().len(), 1);
    }
}
