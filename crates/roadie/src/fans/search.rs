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

/// How many matches (the oldest contacts first) a search orders; the first of them are shown.
const CANDIDATES: i64 = 500;

/// A condition over `c.name` that holds when every word typed starts a word of the name (CJK:
/// appears in it), with its values: how a search tells name matches from matches elsewhere
/// without a second full-text query. ASCII letters compare without case (LIKE). Its parameters
/// are numbered from `first`.
fn name_matches(typed: &str, first: usize) -> (String, Vec<String>) {
    let mut sql = Vec::new();
    let mut binds = Vec::new();
    for word in typed.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)) {
        if word.chars().any(is_cjk) {
            sql.push(format!("instr(c.name, ?{}) > 0", first + binds.len()));
            binds.push(word.to_string());
        } else {
            sql.push(format!("(' ' || c.name) LIKE ?{} ESCAPE '\\'", first + binds.len()));
            let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            binds.push(format!("% {escaped}%"));
        }
    }
    if sql.is_empty() {
        return ("0".into(), binds);
    }
    (sql.join(" AND "), binds)
}

impl Store {
    /// Contacts matching what the user typed, best matches first: a contact named exactly what
    /// was typed, then those whose name matches, then the rest; oldest contacts first within each.
    pub async fn search_contacts(&self, workspace_id: Uuid, typed: &str, limit: u32) -> Result<Vec<ContactSummary>> {
        let Some(query) = fts_query(typed) else { return Ok(Vec::new()) };
        // No bm25 ranking: it reads every match's statistics, and a short prefix ("li", "fan5")
        // matches a tenth of a big list. The matches come from the index in rowid order, so the
        // first CANDIDATES of them cost what reading that many does; among them, name matches
        // come first. A contact named exactly what was typed comes first even from outside them
        // (the name index finds it).
        // The summary columns (primary e-mail, tags: two lookups each) only for the rows shown,
        // not for every candidate.
        let (in_name, name_binds) = name_matches(typed, 6);
        let sql = format!(
            "WITH cand AS (SELECT rowid FROM (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 ORDER BY rowid LIMIT ?2) \
                           UNION SELECT rowid FROM contacts WHERE ws = (SELECT rowid FROM workspaces WHERE id = ?3) AND deleted = 0 AND (name IS NULL) = 0 \
                                  AND name = ?4 COLLATE NOCASE) \
             SELECT {SUMMARY_COLUMNS} FROM (SELECT c.rowid AS rid, \
                 CASE WHEN c.name = ?4 COLLATE NOCASE THEN 0 WHEN {in_name} THEN 1 ELSE 2 END AS tier \
               FROM contacts c WHERE c.rowid IN cand AND c.ws = (SELECT rowid FROM workspaces WHERE id = ?3) AND c.deleted = 0 ORDER BY tier, rid LIMIT ?5) s \
             JOIN contacts c ON c.rowid = s.rid ORDER BY s.tier, s.rid"
        );
        let mut q = sqlx::query(&sql)
            .bind(query)
            .bind(CANDIDATES.max(limit as i64))
            .bind(workspace_id.to_string())
            .bind(typed.trim())
            .bind(limit as i64);
        for b in name_binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await?;
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

    #[tokio::test]
    async fn exact_names_first_then_name_matches_then_the_rest_oldest_first() {
        let (store, ws, _dir) = store().await;
        let add = |name: &str, email: &str, notes: Option<&str>| ContactInput {
            name: Some(name.into()),
            emails: vec![email.into()],
            notes: notes.map(String::from),
            ..ContactInput::default()
        };
        store.create_contact(ws, add("Ann Lee", "ann@example.com", Some("met jay at the show")), "t").await.unwrap();
        store.create_contact(ws, add("Jaylen Brown", "jb@example.com", None), "t").await.unwrap();
        store.create_contact(ws, add("Mary Jay", "mary@example.com", None), "t").await.unwrap();
        store.create_contact(ws, add("jay", "j@example.com", None), "t").await.unwrap();
        store.create_contact(ws, add("Bo", "jay.bo@example.com", None), "t").await.unwrap();
        store.create_contact(ws, add("周杰伦", "zhou@example.com", None), "t").await.unwrap();
        store.create_contact(ws, add("Lin", "lin@example.com", Some("周杰伦的歌迷")), "t").await.unwrap();

        let names = |v: Vec<ContactSummary>| v.into_iter().filter_map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(store.search_contacts(ws, "Jay", 10).await.unwrap()), ["jay", "Jaylen Brown", "Mary Jay", "Ann Lee", "Bo"]);
        assert_eq!(names(store.search_contacts(ws, "jay", 2).await.unwrap()), ["jay", "Jaylen Brown"]);
        assert_eq!(names(store.search_contacts(ws, "杰伦", 10).await.unwrap()), ["周杰伦", "Lin"]);
        assert_eq!(names(store.search_contacts(ws, "周杰伦", 10).await.unwrap()), ["周杰伦", "Lin"]);
        assert_eq!(names(store.search_contacts(ws, "mary jay", 10).await.unwrap()), ["Mary Jay"]);
    }

    #[test]
    fn name_conditions() {
        let (sql, binds) = name_matches("Jay 杰伦 5%_", 6);
        assert_eq!(sql, "(' ' || c.name) LIKE ?6 ESCAPE '\\' AND instr(c.name, ?7) > 0 AND (' ' || c.name) LIKE ?8 ESCAPE '\\'");
        assert_eq!(binds, ["% Jay%", "杰伦", "% 5\\%\\_%"]);
    }
}
