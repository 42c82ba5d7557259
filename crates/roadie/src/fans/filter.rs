//! Filters over contacts (the Fans table, segment counts, exports) and saved segments.

use super::contacts::{summary_from_row, ConsentStatus, ContactSummary, ContactsPage, SUMMARY_COLUMNS};
use super::money::{parse_amount, to_micros};
use super::search::fts_query;
use super::WORKSPACE_NUMBER;
use crate::catalog::rows::uuid;
use crate::error::{Error, Result};
use crate::validate::Checker;
use crate::Store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

/// Which contacts: every condition given must hold. Saved as a segment's definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ContactFilter {
    /// Type-ahead text (name, e-mail, city, notes, tags).
    pub query: Option<String>,
    /// Has every one of these tags.
    pub tags: Vec<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub source: Option<String>,
    pub consent: Option<ConsentStatus>,
    pub last_activity_before: Option<DateTime<Utc>>,
    pub last_activity_after: Option<DateTime<Utc>>,
    /// Lifetime purchases in `spend_currency` above / below these amounts (decimal strings).
    pub spend_above: Option<String>,
    pub spend_below: Option<String>,
    pub spend_currency: Option<String>,
    /// Bought this release.
    pub purchased_release: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Segment {
    pub id: Uuid,
    pub name: String,
    pub filter: ContactFilter,
    /// Contacts in it now.
    pub count: u32,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// `WHERE` conditions over `contacts c` and their values, in order.
fn conditions(workspace: Uuid, f: &ContactFilter) -> Result<(String, Vec<Bind>)> {
    let mut sql = format!("c.ws = {WORKSPACE_NUMBER} AND c.deleted = 0");
    let mut binds = vec![Bind::Text(workspace.to_string())];
    if let Some(q) = f.query.as_deref().and_then(fts_query) {
        sql.push_str(" AND c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)");
        binds.push(Bind::Text(q));
    }
    for tag in f.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        // Driven from the tag's index: far fewer rows than the workspace's contacts.
        sql.push_str(&format!(" AND c.id IN (SELECT t.contact_id FROM contact_tags t WHERE t.ws = {WORKSPACE_NUMBER} AND t.tag = ? AND t.deleted = 0)"));
        binds.push(Bind::Text(workspace.to_string()));
        binds.push(Bind::Text(tag.to_string()));
    }
    if let Some(country) = f.country.as_deref().filter(|c| !c.trim().is_empty()) {
        sql.push_str(" AND c.country = ?");
        binds.push(Bind::Text(country.trim().to_ascii_uppercase()));
    }
    if let Some(city) = f.city.as_deref().filter(|c| !c.trim().is_empty()) {
        sql.push_str(" AND c.city = ? COLLATE NOCASE");
        binds.push(Bind::Text(city.trim().to_string()));
    }
    if let Some(source) = f.source.as_deref().filter(|s| !s.trim().is_empty()) {
        sql.push_str(" AND c.id IN (SELECT s.contact_id FROM contact_sources s WHERE s.source = ? AND s.deleted = 0)");
        binds.push(Bind::Text(source.trim().to_string()));
    }
    if let Some(consent) = f.consent {
        sql.push_str(" AND c.consent_status = ?");
        binds.push(Bind::Text(consent.as_str().into()));
    }
    if let Some(before) = f.last_activity_before {
        sql.push_str(" AND c.last_activity < ?");
        binds.push(Bind::Text(before.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)));
    }
    if let Some(after) = f.last_activity_after {
        sql.push_str(" AND c.last_activity >= ?");
        binds.push(Bind::Text(after.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)));
    }
    let mut check = Checker::default();
    for (field, value, op) in [("spend_above", &f.spend_above, ">"), ("spend_below", &f.spend_below, "<")] {
        let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) else { continue };
        let Some(currency) = f.spend_currency.as_deref().filter(|c| !c.trim().is_empty()) else {
            check.issue("spend_currency", "required", "a spend filter needs its currency");
            continue;
        };
        match parse_amount(value).and_then(to_micros) {
            Ok(micros) => {
                sql.push_str(&format!(
                    " AND COALESCE((SELECT SUM(a.amount_micros) FROM activities a WHERE a.contact_id = c.id AND a.kind = 'purchase' \
                     AND a.deleted = 0 AND a.currency = ?), 0) {op} ?"
                ));
                binds.push(Bind::Text(currency.trim().to_ascii_uppercase()));
                binds.push(Bind::Int(micros));
            }
            Err(detail) => check.issue(field, "invalid_amount", detail),
        }
    }
    check.finish("filter")?;
    if let Some(release) = f.purchased_release {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM activities a WHERE a.contact_id = c.id AND a.release_id = ? AND a.kind = 'purchase' AND a.deleted = 0)",
        );
        binds.push(Bind::Text(release.to_string()));
    }
    Ok((sql, binds))
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

/// A filter of tags only (a segment such as "vip"): the count of the workspace's live tag rows
/// (one range of `contact_tags_by_workspace`, read alone) less those of its deleted contacts
/// (merged away or erased; few, and none at all once their tags' tombstones are here), instead of
/// one search of the contacts per tagged contact. `None` for any other filter.
fn tags_only_count(workspace: Uuid, f: &ContactFilter) -> Result<Option<(String, Vec<Bind>)>> {
    let tags: Vec<&str> = f.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
    let Some((first, more)) = tags.split_first() else { return Ok(None) };
    if (ContactFilter { tags: Vec::new(), ..f.clone() }) != ContactFilter::default() {
        return Ok(None);
    }
    let ws = workspace.to_string();
    let has = |alias: &str| format!(" AND EXISTS (SELECT 1 FROM contact_tags x WHERE x.contact_id = {alias} AND x.tag = ? AND x.deleted = 0)");
    let mut binds = vec![Bind::Text(ws.clone()), Bind::Text(first.to_string())];
    let mut live = format!("SELECT COUNT(*) FROM contact_tags t WHERE t.ws = {WORKSPACE_NUMBER} AND t.tag = ? AND t.deleted = 0");
    for tag in more {
        live.push_str(&has("t.contact_id"));
        binds.push(Bind::Text(tag.to_string()));
    }
    let mut gone = format!("SELECT COUNT(*) FROM contacts c WHERE c.ws = {WORKSPACE_NUMBER} AND c.deleted = 1");
    binds.push(Bind::Text(ws));
    for tag in &tags {
        gone.push_str(&has("c.id"));
        binds.push(Bind::Text(tag.to_string()));
    }
    Ok(Some((format!("SELECT ({live}) - ({gone}) AS n"), binds)))
}

/// A filter of a city or a country and tags (and any other condition): the place's live contacts
/// read from `contacts_by_city` (or `contacts_by_country`) in id order and merged (`INTERSECT ...
/// ORDER BY`, SQLite's merge of two sorted inputs) with each tag's range of
/// `contact_tags_by_workspace`, also in id order, instead of one search of the contacts per tagged
/// contact. `None` for any other filter.
fn place_tags_count(workspace: Uuid, f: &ContactFilter) -> Result<Option<(String, Vec<Bind>)>> {
    let tags: Vec<&str> = f.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
    let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    // The city's range is the narrower one when both are given.
    let index = match (given(&f.city), given(&f.country)) {
        (true, _) => "contacts_by_city",
        (false, true) => "contacts_by_country",
        (false, false) => return Ok(None),
    };
    if tags.is_empty() {
        return Ok(None);
    }
    let (rest, mut binds) = conditions(workspace, &ContactFilter { tags: Vec::new(), ..f.clone() })?;
    let mut sql = format!("SELECT COUNT(*) AS n FROM (SELECT c.id FROM contacts c INDEXED BY {index} WHERE {rest}");
    for tag in tags {
        sql.push_str(&format!(" INTERSECT SELECT t.contact_id FROM contact_tags t WHERE t.ws = {WORKSPACE_NUMBER} AND t.tag = ? AND t.deleted = 0"));
        binds.push(Bind::Text(workspace.to_string()));
        binds.push(Bind::Text(tag.to_string()));
    }
    sql.push_str(" ORDER BY 1)");
    Ok(Some((sql, binds)))
}

/// Any filter: one search of the contacts with all its conditions.
fn general_count(workspace: Uuid, f: &ContactFilter) -> Result<(String, Vec<Bind>)> {
    let (sql, binds) = conditions(workspace, f)?;
    Ok((format!("SELECT COUNT(*) AS n FROM contacts c WHERE {sql}"), binds))
}

impl Store {
    pub async fn count_contacts(&self, workspace_id: Uuid, filter: &ContactFilter) -> Result<u32> {
        // The cheapest plan that answers this filter exactly.
        let (sql, binds) = match tags_only_count(workspace_id, filter)? {
            Some(q) => q,
            None => match place_tags_count(workspace_id, filter)? {
                Some(q) => q,
                None => general_count(workspace_id, filter)?,
            },
        };
        let row = bind_all(sqlx::query(&sql), binds).fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>("n")? as u32)
    }

    /// One page of the Fans table, sorted by name, with the total for the scrollbar.
    pub async fn list_contacts(&self, workspace_id: Uuid, filter: &ContactFilter, offset: u32, limit: u32) -> Result<ContactsPage> {
        let (sql, binds) = conditions(workspace_id, filter)?;
        let rows = bind_all(
            sqlx::query(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM contacts c WHERE {sql} ORDER BY c.name IS NULL, c.name COLLATE NOCASE, c.id LIMIT ? OFFSET ?"
            )),
            binds,
        )
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        let total = self.count_contacts(workspace_id, filter).await?;
        Ok(ContactsPage { total, rows: rows.iter().map(summary_from_row).collect::<Result<_>>()? })
    }

    /// Ids of every contact matching `filter`, in name order (exports, bulk actions).
    pub async fn contact_ids(&self, workspace_id: Uuid, filter: &ContactFilter) -> Result<Vec<Uuid>> {
        let (sql, binds) = conditions(workspace_id, filter)?;
        let rows = bind_all(
            sqlx::query(&format!("SELECT c.id FROM contacts c WHERE {sql} ORDER BY c.name IS NULL, c.name COLLATE NOCASE, c.id")),
            binds,
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| uuid(r, "id")).collect()
    }

    /// Saves (or replaces) a named segment.
    pub async fn save_segment(&self, workspace_id: Uuid, name: &str, filter: &ContactFilter) -> Result<Segment> {
        let mut check = Checker::default();
        let name = check.required("name", name, 100);
        check.finish("segment")?;
        conditions(workspace_id, filter)?; // refuse a filter that cannot run
        let now = self.clock.now();
        let hlc = self.stamp();
        let json = serde_json::to_string(filter).expect("serialisable");
        let mut tx = self.write().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM segments WHERE workspace_id = ? AND name = ? AND deleted = 0")
                .bind(workspace_id.to_string())
                .bind(&name)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match existing {
            Some(id) => {
                sqlx::query("UPDATE segments SET filter = ?, updated_at = ?, hlc = ? WHERE id = ?")
                    .bind(&json)
                    .bind(now)
                    .bind(&hlc)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                Uuid::parse_str(&id).expect("stored uuid")
            }
            None => {
                // From the workspace and name: the same segment saved on two devices offline is
                // one row (two ids would clash on the name's unique index at the next sync); a
                // deleted one of that name comes back.
                let id = crate::clock::derived_id("segment", &[&workspace_id.to_string(), &name]);
                sqlx::query(
                    "INSERT INTO segments (id, workspace_id, name, filter, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?) \
                     ON CONFLICT (id) DO UPDATE SET filter = excluded.filter, updated_at = excluded.updated_at, hlc = excluded.hlc, \
                     deleted = 0",
                )
                .bind(id.to_string())
                .bind(workspace_id.to_string())
                .bind(&name)
                .bind(&json)
                .bind(now)
                .bind(now)
                .bind(&hlc)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        tx.commit().await?;
        Ok(Segment { id, name, filter: filter.clone(), count: self.count_contacts(workspace_id, filter).await? })
    }

    /// Saved segments with their live counts.
    pub async fn list_segments(&self, workspace_id: Uuid) -> Result<Vec<Segment>> {
        let rows = sqlx::query("SELECT id, name, filter FROM segments WHERE workspace_id = ? AND deleted = 0 ORDER BY name COLLATE NOCASE")
            .bind(workspace_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut segments = Vec::with_capacity(rows.len());
        for r in &rows {
            let filter: ContactFilter = serde_json::from_str(&r.try_get::<String, _>("filter")?).unwrap_or_default();
            let count = self.count_contacts(workspace_id, &filter).await?;
            segments.push(Segment { id: uuid(r, "id")?, name: r.try_get("name")?, filter, count });
        }
        Ok(segments)
    }

    pub async fn segment_by_name(&self, workspace_id: Uuid, name: &str) -> Result<Segment> {
        self.list_segments(workspace_id)
            .await?
            .into_iter()
            .find(|s| s.name == name.trim())
            .ok_or_else(|| Error::not_found("segment", name))
    }

    pub async fn delete_segment(&self, id: Uuid) -> Result<()> {
        let hlc = self.stamp();
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE segments SET deleted = 1, hlc = ? WHERE id = ? AND deleted = 0")
            .bind(&hlc)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("segment", id));
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A row's place in the Fans table's order (name without case, nameless contacts last, then id):
/// a keyset page starts next to it, found through the `contacts_by_name` index instead of
/// counting every row before it (what OFFSET does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ContactCursor {
    pub name: Option<String>,
    pub id: Uuid,
}

impl ContactCursor {
    pub fn of(row: &ContactSummary) -> Self {
        Self { name: row.name.clone(), id: row.id }
    }
}

/// Which way a keyset page runs from its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toward {
    End,
    Start,
}

impl Store {
    /// The `limit` rows after `after` in the Fans table's order (the first rows when `None`).
    pub async fn list_contacts_after(&self, workspace_id: Uuid, filter: &ContactFilter, after: Option<&ContactCursor>, limit: u32) -> Result<Vec<ContactSummary>> {
        // Named contacts, then nameless ones; a cursor in the nameless part skips the named.
        let mut rows = match after {
            Some(ContactCursor { name: None, .. }) => Vec::new(),
            Some(ContactCursor { name: Some(name), id }) => self.keyset_part(workspace_id, filter, true, Some((Some(name), *id)), Toward::End, limit).await?,
            None => self.keyset_part(workspace_id, filter, true, None, Toward::End, limit).await?,
        };
        if (rows.len() as u32) < limit {
            let bound = after.filter(|c| c.name.is_none()).map(|c| (None, c.id));
            let rest = limit - rows.len() as u32;
            rows.extend(self.keyset_part(workspace_id, filter, false, bound, Toward::End, rest).await?);
        }
        Ok(rows)
    }

    /// The `limit` rows before `before` in the Fans table's order, in that order (scrolling back
    /// to a page that is not loaded).
    pub async fn list_contacts_before(&self, workspace_id: Uuid, filter: &ContactFilter, before: &ContactCursor, limit: u32) -> Result<Vec<ContactSummary>> {
        let mut rows = match &before.name {
            None => self.keyset_part(workspace_id, filter, false, Some((None, before.id)), Toward::Start, limit).await?,
            Some(_) => Vec::new(),
        };
        if (rows.len() as u32) < limit {
            let bound = before.name.as_ref().map(|name| (Some(name), before.id));
            let rest = limit - rows.len() as u32;
            rows.extend(self.keyset_part(workspace_id, filter, true, bound, Toward::Start, rest).await?);
        }
        rows.reverse();
        Ok(rows)
    }

    /// One run of the named (or nameless) contacts from a bound, walking the index's order.
    async fn keyset_part(
        &self,
        workspace_id: Uuid,
        filter: &ContactFilter,
        named: bool,
        bound: Option<(Option<&String>, Uuid)>,
        toward: Toward,
        limit: u32,
    ) -> Result<Vec<ContactSummary>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (mut sql, mut binds) = conditions(workspace_id, filter)?;
        sql.push_str(if named { " AND (c.name IS NULL) = 0" } else { " AND (c.name IS NULL) = 1" });
        let (cmp, dir) = match toward {
            Toward::End => (">", "ASC"),
            Toward::Start => ("<", "DESC"),
        };
        match bound {
            Some((Some(name), id)) => {
                // The name alone bounds the index range (SQLite does not range-scan on the row
                // value); the row value then orders equal names by id.
                sql.push_str(&format!(" AND c.name {cmp}= ? COLLATE NOCASE AND (c.name COLLATE NOCASE, c.id) {cmp} (?, ?)"));
                binds.push(Bind::Text(name.clone()));
                binds.push(Bind::Text(name.clone()));
                binds.push(Bind::Text(id.to_string()));
            }
            Some((None, id)) => {
                sql.push_str(&format!(" AND c.id {cmp} ?"));
                binds.push(Bind::Text(id.to_string()));
            }
            None => {}
        }
        // The nameless part in the same terms (all its names are NULL): it walks `contacts_by_name` too.
        let order = format!("c.name COLLATE NOCASE {dir}, c.id {dir}");
        let rows = bind_all(sqlx::query(&format!("SELECT {SUMMARY_COLUMNS} FROM contacts c WHERE {sql} ORDER BY {order} LIMIT ?")), binds)
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
    use crate::fans::{ActivityInput, ActivityKind, ConsentInput, ContactInput};
    use chrono::TimeZone;

    /// A place with tags is counted by merging two index ranges read alone (no contact row, no
    /// search per tagged contact): the plan SQLite picks for `place_tags_count`.
    #[tokio::test]
    async fn a_place_with_tags_merges_two_index_ranges() {
        let (store, ws, _dir) = store().await;
        for (city, country, index) in [(Some("Shanghai"), None, "contacts_by_city"), (None, Some("CN"), "contacts_by_country")] {
            let filter = ContactFilter { city: city.map(String::from), country: country.map(String::from), tags: vec!["vip".into()], ..Default::default() };
            let (sql, binds) = place_tags_count(ws, &filter).unwrap().unwrap();
            let plan: Vec<String> = bind_all(sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}")), binds)
                .fetch_all(&store.pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String, _>("detail").unwrap())
                .collect();
            let plan = plan.join("\n");
            assert!(plan.contains("MERGE (INTERSECT)"), "{plan}");
            assert!(plan.contains(&format!("USING COVERING INDEX {index}")), "{plan}");
            assert!(plan.contains("USING COVERING INDEX contact_tags_by_workspace"), "{plan}");
        }
    }

    #[tokio::test]
    async fn filters_counts_pages_and_segments() {
        let (store, ws, _dir) = store().await;
        let mut ids = Vec::new();
        for i in 0..30 {
            let c = store
                .create_contact(
                    ws,
                    ContactInput {
                        name: Some(format!("Fan {i:02}")),
                        emails: vec![format!("fan{i}@example.com")],
                        country: Some(if i % 3 == 0 { "CN" } else { "US" }.into()),
                        city: Some(if i % 2 == 0 { "Shanghai" } else { "Austin" }.into()),
                        tags: if i < 5 { vec!["vip".into()] } else { vec![] },
                        ..ContactInput::default()
                    },
                    if i < 10 { "bandcamp" } else { "mailchimp" },
                )
                .await
                .unwrap();
            ids.push(c.id);
        }
        let at = |d| Utc.with_ymd_and_hms(2026, 10, d, 0, 0, 0).unwrap();
        store
            .record_consent(ids[0], ConsentInput { status: ConsentStatus::OptedIn, at: at(1), source: "x".into(), wording: None })
            .await
            .unwrap();
        store
            .add_activity(
                ids[1],
                ActivityInput {
                    kind: ActivityKind::Purchase,
                    at: at(20),
                    description: None,
                    amount: Some("30".into()),
                    currency: Some("USD".into()),
                    release_id: None,
                    external_ref: None,
                },
            )
            .await
            .unwrap();

        let count = |f: ContactFilter| {
            let store = &store;
            async move { store.count_contacts(ws, &f).await.unwrap() }
        };
        assert_eq!(count(ContactFilter::default()).await, 30);
        assert_eq!(count(ContactFilter { country: Some("cn".into()), ..Default::default() }).await, 10);
        assert_eq!(count(ContactFilter { tags: vec!["vip".into()], ..Default::default() }).await, 5);
        assert_eq!(count(ContactFilter { source: Some("bandcamp".into()), city: Some("shanghai".into()), ..Default::default() }).await, 5);
        assert_eq!(count(ContactFilter { consent: Some(ConsentStatus::OptedIn), ..Default::default() }).await, 1);
        assert_eq!(count(ContactFilter { consent: Some(ConsentStatus::Unknown), ..Default::default() }).await, 29);
        assert_eq!(count(ContactFilter { last_activity_after: Some(at(10)), ..Default::default() }).await, 1);
        let spend = |above: &str| ContactFilter { spend_above: Some(above.into()), spend_currency: Some("usd".into()), ..Default::default() };
        assert_eq!(count(spend("29.99")).await, 1);
        assert_eq!(count(spend("30")).await, 0);
        assert_eq!(count(ContactFilter { query: Some("fan 0".into()), ..Default::default() }).await, 10);
        let bad = store.count_contacts(ws, &ContactFilter { spend_above: Some("10".into()), ..Default::default() }).await;
        assert_eq!(bad.unwrap_err().code(), "invalid_input");

        let page = store.list_contacts(ws, &ContactFilter::default(), 10, 5).await.unwrap();
        assert_eq!(page.total, 30);
        let names: Vec<_> = page.rows.iter().map(|r| r.name.clone().unwrap()).collect();
        assert_eq!(names, ["Fan 10", "Fan 11", "Fan 12", "Fan 13", "Fan 14"]);
        assert_eq!(page.rows[0].email.as_deref(), Some("fan10@example.com"));

        let seg = store.save_segment(ws, "VIPs", &ContactFilter { tags: vec!["vip".into()], ..Default::default() }).await.unwrap();
        assert_eq!(seg.count, 5);
        store.tag_contacts(&ids[10..13], &["vip".into()]).await.unwrap();
        assert_eq!(store.segment_by_name(ws, "VIPs").await.unwrap().count, 8, "segment counts are live");
        store.save_segment(ws, "VIPs", &ContactFilter { tags: vec!["vip".into()], country: Some("CN".into()), ..Default::default() }).await.unwrap();
        assert_eq!(store.list_segments(ws).await.unwrap().len(), 1, "saving again replaces");
    }

    /// Keyset pages walk the same order as offset pages, both ways, across names that differ only
    /// in case, equal names (ordered by id) and nameless contacts (last), with a filter too.
    #[tokio::test]
    async fn keyset_pages_match_offset_pages_both_ways() {
        let (store, ws, _dir) = store().await;
        let names = ["bea", "Ada", "ada", "Ada", "Çelik", "zoë", "周杰伦", "ADA", "bob", "Bob"];
        for i in 0..23 {
            let name = (i % 4 != 3).then(|| names[i % names.len()].to_string());
            let input = ContactInput {
                name,
                emails: vec![format!("k{i}@example.com")],
                tags: if i % 2 == 0 { vec!["even".into()] } else { vec![] },
                ..ContactInput::default()
            };
            store.create_contact(ws, input, "manual").await.unwrap();
        }
        for filter in [ContactFilter::default(), ContactFilter { tags: vec!["even".into()], ..Default::default() }] {
            let all = store.list_contacts(ws, &filter, 0, 100).await.unwrap().rows;
            assert_eq!(all.len() as u32, store.count_contacts(ws, &filter).await.unwrap());
            if filter == ContactFilter::default() {
                assert!(all.last().unwrap().name.is_none(), "nameless last");
            }
            for size in [1, 3, 4, 7] {
                let mut walked = store.list_contacts_after(ws, &filter, None, size).await.unwrap();
                loop {
                    let next = store.list_contacts_after(ws, &filter, Some(&ContactCursor::of(walked.last().unwrap())), size).await.unwrap();
                    if next.is_empty() {
                        break;
                    }
                    assert!(next.len() as u32 <= size);
                    walked.extend(next);
                }
                assert_eq!(walked, all, "forward by {size}");
                let mut back = all[all.len() - 1..].to_vec();
                loop {
                    let prev = store.list_contacts_before(ws, &filter, &ContactCursor::of(&back[0]), size).await.unwrap();
                    if prev.is_empty() {
                        break;
                    }
                    back.splice(0..0, prev);
                }
                assert_eq!(back, all, "backward by {size}");
            }
            // A page from the middle is the offset page there.
            let mid = all.len() / 2;
            let page = store.list_contacts_after(ws, &filter, Some(&ContactCursor::of(&all[mid - 1])), 5).await.unwrap();
            assert_eq!(page, store.list_contacts(ws, &filter, mid as u32, 5).await.unwrap().rows);
        }
    }

    /// Tag counts read the tags' own index (`tags_only_count`): they must equal counting live
    /// contacts with those tags, through merges, erasure, another workspace, an import, and a
    /// contact deleted while a tag row of it stays live (a tag added on one device while another
    /// merged the contact away: both syncs apply).
    #[tokio::test]
    async fn tag_counts_match_live_contacts_through_merge_erase_and_sync() {
        let (store, ws, dir) = store().await;
        let other_ws = store
            .create_workspace(crate::catalog::NewWorkspace { kind: crate::catalog::WorkspaceKind::Artist, name: "Other".into() })
            .await
            .unwrap()
            .id;
        let mut ids = Vec::new();
        for i in 0..12 {
            let tags: Vec<String> = match i % 3 {
                0 => vec!["vip".into(), "merch".into()],
                1 => vec!["vip".into()],
                _ => vec!["merch".into()],
            };
            let city = ["Shanghai", "SHANGHAI", "Austin", "shanghai"][i % 4];
            let input = ContactInput {
                name: Some(format!("Fan {i}")),
                emails: vec![format!("fan{i}@example.com")],
                tags,
                city: Some(city.into()),
                country: Some(if i % 5 == 0 { "CN" } else { "US" }.into()),
                ..Default::default()
            };
            ids.push(store.create_contact(ws, input.clone(), "manual").await.unwrap().id);
            store.create_contact(other_ws, input, "manual").await.unwrap();
        }
        let csv = dir.path().join("list.csv");
        std::fs::write(&csv, "Name,Email,Tags\nNew,new@example.com,vip\nAgain,FAN1@example.com,merch\n").unwrap();
        store
            .import_fans(ws, &csv, &crate::fans::import::FanImportOptions::default(), &|_| {}, &crate::jobs::CancelToken::new())
            .await
            .unwrap();
        // The general plan's count, bypassing the shortcuts.
        let general = |store: &Store, filter: &ContactFilter| {
            let (sql, binds) = general_count(ws, filter).unwrap();
            let pool = store.pool.clone();
            async move { bind_all(sqlx::query(&sql), binds).fetch_one(&pool).await.unwrap().try_get::<i64, _>("n").unwrap() as u32 }
        };
        let general = &general;
        let check = |when: &'static str| {
            let store = &store;
            async move {
                for tags in [vec!["vip"], vec!["merch"], vec!["vip", "merch"], vec![" vip ", "vip"], vec!["none"]] {
                    let filter = ContactFilter { tags: tags.iter().map(|t| t.to_string()).collect(), ..Default::default() };
                    assert!(tags_only_count(ws, &filter).unwrap().is_some());
                    let mut sql = String::from("SELECT COUNT(*) FROM contacts c WHERE c.workspace_id = ? AND c.deleted = 0");
                    for _ in &tags {
                        sql.push_str(" AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = trim(?) AND t.deleted = 0)");
                    }
                    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(ws.to_string());
                    for t in &tags {
                        q = q.bind(t.to_string());
                    }
                    let expected = q.fetch_one(&store.pool).await.unwrap() as u32;
                    assert_eq!(store.count_contacts(ws, &filter).await.unwrap(), expected, "{tags:?} {when}");
                    // The general path (tags with any other condition) agrees.
                    assert_eq!(general(store, &filter).await, expected, "{tags:?} {when} (general path)");
                    // A city with the tags (`place_tags_count`, merged by id) agrees with the
                    // general path, with and without another condition.
                    // A country with the tags (`contacts_by_country`) too.
                    for (city, country) in [
                        (Some("Shanghai"), None),
                        (Some(" shanghai "), None),
                        (Some("austin"), None),
                        (Some("Shanghai"), Some("cn")),
                        (Some("Nowhere"), None),
                        (None, Some("CN")),
                        (None, Some(" us ")),
                        (Some(" "), Some("cn")),
                        (None, Some("XX")),
                    ] {
                        let filter = ContactFilter { city: city.map(String::from), country: country.map(String::from), ..filter.clone() };
                        assert!(place_tags_count(ws, &filter).unwrap().is_some());
                        assert_eq!(store.count_contacts(ws, &filter).await.unwrap(), general(store, &filter).await, "{tags:?} {city:?} {country:?} {when}");
                    }
                }
            }
        };
        check("after create and import").await;
        async fn vip(store: &Store, ws: Uuid) -> u32 {
            store.count_contacts(ws, &ContactFilter { tags: vec!["vip".into()], ..Default::default() }).await.unwrap()
        }
        assert_eq!(vip(&store, ws).await, 9, "8 made, 1 imported");
        let unset: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contact_tags WHERE ws IS NULL").fetch_one(&store.pool).await.unwrap();
        assert_eq!(unset, 0, "every tag row knows its workspace");
        let unset: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE ws IS NULL").fetch_one(&store.pool).await.unwrap();
        assert_eq!(unset, 0, "every contact knows its workspace");
        store.merge_contacts(ids[0], &[ids[1], ids[2]], &crate::fans::MergeChoices::default()).await.unwrap();
        check("after a merge").await;
        assert_eq!(vip(&store, ws).await, 8);
        store.erase_contact(ids[3]).await.unwrap();
        check("after erasing").await;
        assert_eq!(vip(&store, ws).await, 7);
        store
            .update_contact(ids[4], ContactInput { name: Some("Fan 4".into()), emails: vec!["fan4@example.com".into()], tags: vec![], ..Default::default() })
            .await
            .unwrap();
        check("after untagging").await;
        assert_eq!(vip(&store, ws).await, 6);
        // As a pull may leave it: the contact deleted, one of its tags still live.
        sqlx::query("UPDATE contacts SET deleted = 1 WHERE id = ?").bind(ids[6].to_string()).execute(&store.pool).await.unwrap();
        check("with a deleted contact's live tag").await;
        assert_eq!(vip(&store, ws).await, 5);
    }

    /// `contact_tags.ws` stays on the device: a push never carries it, and a pulled tag row
    /// (which has none) gets its contact's, so tag counts see it.
    #[tokio::test]
    async fn a_pulled_tag_row_gets_its_workspace_and_pushes_carry_none() {
        let (store, ws, _dir) = store().await;
        let input = ContactInput { name: Some("Ada".into()), emails: vec!["ada@example.com".into()], tags: vec!["vip".into()], ..Default::default() };
        let ada = store.create_contact(ws, input, "manual").await.unwrap();
        let pending = crate::sync::engine::pending_changes(&store).await.unwrap();
        let tag = pending.iter().find(|c| c.table == "contact_tags").expect("the tag is queued");
        assert!(!tag.fields.contains_key("ws"), "{:?}", tag.fields);
        let contact = pending.iter().find(|c| c.table == "contacts").expect("the contact is queued");
        assert!(!contact.fields.contains_key("ws"), "{:?}", contact.fields);
        let mut pulled = tag.clone();
        pulled.pk = serde_json::json!([ada.id.to_string(), "pulled"]).to_string();
        pulled.fields.insert("tag".into(), serde_json::Value::from("pulled"));
        pulled.hlc = format!("9{}", &tag.hlc[1..]);
        let shapes = crate::sync::schema_shapes(&store.pool).await.unwrap();
        let shape = shapes.iter().find(|s| s.table.name == "contact_tags").unwrap();
        let mut tx = store.write().await.unwrap();
        sqlx::query("INSERT INTO sync_applying (one) VALUES (1)").execute(&mut *tx).await.unwrap();
        crate::sync::engine::apply_change(&mut tx, shape, &pulled).await.unwrap();
        sqlx::query("DELETE FROM sync_applying").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        let workspace: Option<i64> = sqlx::query_scalar("SELECT ws FROM contact_tags WHERE contact_id = ? AND tag = 'pulled'")
            .bind(ada.id.to_string())
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let number: i64 = sqlx::query_scalar("SELECT rowid FROM workspaces WHERE id = ?").bind(ws.to_string()).fetch_one(&store.pool).await.unwrap();
        assert_eq!(workspace, Some(number));
        assert_eq!(store.count_contacts(ws, &ContactFilter { tags: vec!["pulled".into()], ..Default::default() }).await.unwrap(), 1);
    }
}
