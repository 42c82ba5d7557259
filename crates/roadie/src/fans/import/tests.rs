use super::*;
use crate::fans::testing::store;
use crate::fans::{ContactFilter, ContactInput};
use std::io::Write;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().write_all(bytes).unwrap();
    path
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

async fn import(store: &Store, ws: Uuid, path: &Path, options: FanImportOptions) -> Result<FanImportReport> {
    store.import_fans(ws, path, &options, &|_| {}, &CancelToken::new()).await
}

#[tokio::test]
async fn bandcamp_utf16_list_imports_with_opt_in_and_again_changes_nothing() {
    let (store, ws, dir) = store().await;
    let text = "email\tfullname\tfirstname\tlastname\tdate added\tcountry\tpostal code\n\
                fan@example.com\tAda Fan\tAda\tFan\t2026-03-01 10:00:00\tUnited States\t10001\n\
                NOT AN EMAIL\tBad Row\t\t\t2026-03-02\t\t\n\
                lin@example.cn\t林巧\t\t\t2026-03-03\t中国\t\n";
    let path = write(dir.path(), "bandcamp_mailing_list.csv", &utf16le(text));
    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.format, r.encoding.as_str()), (FanFormat::Bandcamp, "UTF-16LE"));
    assert_eq!((r.rows, r.created, r.merged), (3, 2, 0));
    assert_eq!(r.invalid, [InvalidRow { line: 3, reason: "'NOT AN EMAIL' is not an e-mail address (no @)".into() }]);
    let hits = store.search_contacts(ws, "林", 5).await.unwrap();
    assert_eq!(hits[0].country.as_deref(), Some("CN"));
    let ada = store.search_contacts(ws, "ada", 5).await.unwrap().remove(0);
    assert_eq!(ada.consent, ConsentStatus::OptedIn);
    assert_eq!(ada.country.as_deref(), Some("US"));
    let full = store.get_contact(ada.id).await.unwrap();
    assert_eq!(full.first_seen.to_rfc3339(), "2026-03-01T10:00:00+00:00");
    assert_eq!(full.sources, ["bandcamp"]);

    let again = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert!(again.duplicate_file);
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 2);
}

#[tokio::test]
async fn mailchimp_files_carry_consent_and_merge_with_known_fans() {
    let (store, ws, dir) = store().await;
    store
        .create_contact(ws, ContactInput { name: Some("Ada Lovelace".into()), emails: vec!["ADA@example.com".into()], city: Some("London".into()), ..Default::default() }, "manual")
        .await
        .unwrap();
    let header = "Email Address,First Name,Last Name,Phone Number,MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,LAST_CHANGED,CC,REGION,NOTES,TAGS";
    let subscribed = format!("{header}\nada@example.com,Ada,Byron,+44 20 7946 0000,2,2026-01-01 09:00:00,2026-01-01 09:05:00,2026-01-01 09:05:00,GB,,,\"\"\"vip\"\",\"\"london\"\"\"\n\
                              bob@example.com,Bob,,,1,2026-02-01 09:00:00,,2026-02-01 09:00:00,US,TX,likes vinyl,\n");
    let path = write(dir.path(), "subscribed_members_export_abc.csv", subscribed.as_bytes());
    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!(r.format, FanFormat::Mailchimp);
    assert_eq!((r.created, r.merged, r.kept_existing), (1, 1, 1), "{r:?}");
    let ada = store.search_contacts(ws, "ada@example.com", 1).await.unwrap().remove(0);
    let ada = store.get_contact(ada.id).await.unwrap();
    assert_eq!(ada.name.as_deref(), Some("Ada Lovelace"), "a filled field is never overwritten");
    assert_eq!(ada.phone.as_deref(), Some("+44 20 7946 0000"), "an empty one is filled");
    assert_eq!(ada.tags, ["london", "vip"]);
    assert_eq!(ada.consent, ConsentStatus::OptedIn);
    assert_eq!(ada.sources, ["mailchimp", "manual"]);

    let unsub = "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,LAST_CHANGED,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE\n\
                 bob@example.com,Bob,,1,2026-02-01 09:00:00,2026-05-01 09:00:00,2026-05-01 09:00:00,Spring news\n";
    let path = write(dir.path(), "unsubscribed_members_export_abc.csv", unsub.as_bytes());
    import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    let bob = store.search_contacts(ws, "bob", 1).await.unwrap().remove(0);
    assert_eq!(bob.consent, ConsentStatus::OptedOut);
    let timeline = store.contact_timeline(bob.id).await.unwrap();
    assert!(timeline.iter().filter(|e| matches!(e, crate::fans::TimelineEntry::Consent(_))).count() == 2, "both events kept");

    let cleaned = "Email Address,First Name,MEMBER_RATING,OPTIN_TIME,LAST_CHANGED,CLEAN_TIME\nzed@bounce.example,Zed,1,,2026-06-01 00:00:00,2026-06-01 00:00:00\n";
    let path = write(dir.path(), "cleaned_members_export_abc.csv", cleaned.as_bytes());
    import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    let zed = store.search_contacts(ws, "zed", 1).await.unwrap().remove(0);
    let zed = store.get_contact(zed.id).await.unwrap();
    assert!(zed.emails[0].bounced);
    assert_eq!(zed.consent, ConsentStatus::Unknown);
}

#[tokio::test]
async fn chinese_gbk_sheet_maps_itself_and_vcards_import() {
    let (store, ws, dir) = store().await;
    let (gbk, _, _) = encoding_rs::GBK.encode("姓名,邮箱,城市,国家,标签\n周杰伦,jay@example.com,台北,台湾,vip\n王菲,faye@example.cn,北京,中国,\n");
    let path = write(dir.path(), "粉丝.csv", &gbk);
    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.format, r.encoding.as_str(), r.created), (FanFormat::Mapped, "gb18030", 2));
    let jay = store.search_contacts(ws, "杰伦", 5).await.unwrap();
    assert_eq!(jay.len(), 1);
    assert_eq!((jay[0].city.as_deref(), jay[0].country.as_deref()), (Some("台北"), Some("TW")));
    assert_eq!(store.get_contact(jay[0].id).await.unwrap().sources, ["csv:粉丝.csv"]);

    let vcf = "BEGIN:VCARD\nVERSION:3.0\nFN:Lin Qiao\nEMAIL:lin@example.com\nADR:;;;Shanghai;;;China\nCATEGORIES:merch\nEND:VCARD\n";
    let path = write(dir.path(), "contacts.vcf", vcf.as_bytes());
    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.format, r.created), (FanFormat::Vcard, 1));
    let lin = store.search_contacts(ws, "shanghai", 5).await.unwrap();
    assert_eq!(lin[0].country.as_deref(), Some("CN"));
}

#[tokio::test]
async fn an_ambiguous_sheet_needs_a_mapping_which_is_then_remembered() {
    let (store, ws, dir) = store().await;
    let text = "Who,Contact,Backup contact,Where\nAda,ada@example.com,ada@backup.example,Paris\n";
    let path = write(dir.path(), "signups.csv", text.as_bytes());
    let err = import(&store, ws, &path, FanImportOptions::default()).await.unwrap_err();
    assert_eq!(err.code(), "mapping_needed");
    assert!(err.payload().params["headers"].contains("Backup contact"));

    let headers: Vec<String> = ["Who", "Contact", "Backup contact", "Where"].iter().map(|s| s.to_string()).collect();
    let fields: BTreeMap<FanField, String> =
        [(FanField::Name, "Who".into()), (FanField::Email, "Contact".into()), (FanField::City, "Where".into())].into();
    store.save_fan_mapping(ws, "merch sheet", &headers, &fields).await.unwrap();
    // Picked by its header, without naming it.
    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!(r.created, 1);
    let ada = store.search_contacts(ws, "ada", 1).await.unwrap().remove(0);
    assert_eq!((ada.name.as_deref(), ada.city.as_deref()), (Some("Ada"), Some("Paris")));
    let unknown = FanImportOptions { mapping: Some("nope".into()), ..FanImportOptions::default() };
    let other = write(dir.path(), "other.csv", b"Who,Contact\nB,b@example.com\n");
    assert_eq!(import(&store, ws, &other, unknown).await.unwrap_err().code(), "not_found");
}

#[tokio::test]
async fn strict_fails_the_whole_file_on_one_bad_row_and_cancel_commits_nothing() {
    let (store, ws, dir) = store().await;
    let text = "Name,Email\nA,a@example.com\nB,b@example\nC,c@example.com\n";
    let path = write(dir.path(), "list.csv", text.as_bytes());
    let strict = FanImportOptions { strict: true, ..FanImportOptions::default() };
    let err = import(&store, ws, &path, strict).await.unwrap_err();
    assert_eq!(err.code(), "bad_line");
    assert_eq!(err.payload().params["line"], "3");
    assert!(err.to_string().contains("list.csv, line 3"), "{err}");
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 0);

    let cancel = CancelToken::new();
    cancel.cancel();
    let err = store.import_fans(ws, &path, &FanImportOptions::default(), &|_| {}, &cancel).await.unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 0);

    // Not strict: the good rows go in, the bad one is reported.
    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.created, r.invalid.len(), r.invalid[0].line), (2, 1, 3));
}

#[tokio::test]
async fn a_changed_file_with_the_same_people_adds_no_duplicates() {
    let (store, ws, dir) = store().await;
    let a = write(dir.path(), "a.csv", b"Name,Email,Tags\nA,a@example.com,x\nB,B@Example.com,\n");
    let b = write(dir.path(), "b.csv", b"Name,Email,Tags\nA,A@EXAMPLE.COM,y\nB,b@example.com,\nC,c@example.com,\n");
    import(&store, ws, &a, FanImportOptions::default()).await.unwrap();
    let r = import(&store, ws, &b, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.created, r.merged, r.duplicate_file), (1, 2, false));
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 3);
    let a = store.search_contacts(ws, "a@example.com", 1).await.unwrap().remove(0);
    assert_eq!(a.tags, ["x", "y"]);
}

#[tokio::test]
async fn preview_reads_headers_and_sample_and_finds_a_saved_mapping() {
    let (store, ws, dir) = store().await;
    let text = "\u{feff}姓名,邮箱,城市,国家,标签\n周杰伦,jay@example.com,台北,TW,vip\n";
    let path = write(dir.path(), "fans.csv", text.as_bytes());
    let p = store.preview_fan_file(ws, &path, None).await.unwrap();
    assert_eq!(p.format, FanFormat::Mapped);
    assert_eq!(p.headers, ["姓名", "邮箱", "城市", "国家", "标签"]);
    assert_eq!(p.sample, [vec!["周杰伦", "jay@example.com", "台北", "TW", "vip"]]);
    assert!(p.suggestion.unambiguous && p.saved_mapping.is_none() && !p.already_imported);
    assert_eq!(p.suggestion.columns[4], Some(FanField::Tags));

    // A saved mapping for these headers wins over the suggestion.
    let fields: BTreeMap<FanField, String> = [(FanField::Email, "邮箱".to_string()), (FanField::Notes, "城市".to_string())].into();
    store.save_fan_mapping(ws, "mine", &p.headers, &fields).await.unwrap();
    let p = store.preview_fan_file(ws, &path, None).await.unwrap();
    assert_eq!(p.saved_mapping.as_deref(), Some("mine"));
    assert_eq!(p.suggestion.columns, [None, Some(FanField::Email), Some(FanField::Notes), None, None]);

    import(&store, ws, &path, FanImportOptions { format: FanFormat::Mapped, mapping: Some("mine".into()), ..Default::default() }).await.unwrap();
    assert!(store.preview_fan_file(ws, &path, None).await.unwrap().already_imported);

    let vcf = write(dir.path(), "a.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n");
    assert_eq!(store.preview_fan_file(ws, &vcf, None).await.unwrap().format, FanFormat::Vcard);
}

/// A list big enough for the bulk path (indexes built after the rows), with duplicates in other
/// case and spacing, opt-ins and a join date; then the same rules hold as for a small list.
#[tokio::test]
async fn a_big_list_builds_its_indexes_after_the_rows_and_keeps_every_rule() {
    let (store, ws, dir) = store().await;
    store.create_contact(ws, ContactInput { name: Some("Old Fan".into()), emails: vec!["fan7@example.com".into()], ..ContactInput::default() }, "manual").await.unwrap();
    let mut text = String::from("Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n");
    for i in 0..6000 {
        text.push_str(&format!("fan{i}@example.com,Fan,周杰伦{i},Shanghai,CN,\"vip\",2026-01-02 03:04:05,2\n"));
    }
    for i in (0..6000).step_by(100) {
        text.push_str(&format!("  FAN{i}@EXAMPLE.COM ,Fan,Again,,,\"dup\",2026-01-02 03:04:05,2\n"));
    }
    assert!(text.len() as u64 / 48 >= 5_000, "the file takes the bulk path");
    let path = write(dir.path(), "subscribed_members_export.csv", text.as_bytes());

    // A strict import failing at the last row leaves the store (and its indexes) as they were.
    let mut bad = text.clone();
    bad.push_str("not-an-email,X,Y,,,,,\n");
    let bad_path = write(dir.path(), "subscribed_members_bad.csv", bad.as_bytes());
    let strict = FanImportOptions { strict: true, ..FanImportOptions::default() };
    assert_eq!(import(&store, ws, &bad_path, strict).await.unwrap_err().code(), "bad_line");
    let indexes = || async {
        sqlx::query_scalar::<_, String>("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .fetch_all(&store.pool)
            .await
            .unwrap()
    };
    let before = indexes().await;
    assert!(before.contains(&"contacts_by_name".to_string()));
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 1);

    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.format, r.rows, r.created, r.merged), (FanFormat::Mailchimp, 6060, 5999, 61));
    assert_eq!(indexes().await, before, "every index is back");
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 6000);
    let opted_in = ContactFilter { consent: Some(ConsentStatus::OptedIn), ..Default::default() };
    assert_eq!(store.count_contacts(ws, &opted_in).await.unwrap(), 6000);
    let dup = ContactFilter { tags: vec!["dup".into()], ..Default::default() };
    assert_eq!(store.count_contacts(ws, &dup).await.unwrap(), 60);
    // The contact that was there keeps its name; merged rows are searchable by what they added.
    let old = store.search_contacts(ws, "fan7@example.com", 5).await.unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].name.as_deref(), Some("Old Fan"));
    assert_eq!(old[0].consent, ConsentStatus::OptedIn);
    assert_eq!(store.search_contacts(ws, "杰伦5999", 5).await.unwrap().len(), 1);
    let page = store.list_contacts(ws, &ContactFilter::default(), 0, 3).await.unwrap();
    assert_eq!(page.total, 6000);
    assert!(page.rows[0].name.as_deref().is_some_and(|n| n.contains("0")), "{:?}", page.rows[0]);
}

/// Into a workspace without fans: every owner comes from the import's own map and the unique
/// index of e-mails is built after the rows; duplicates in the file still merge, and a second
/// file then merges through the index.
#[tokio::test]
async fn a_first_big_list_merges_its_own_duplicates_and_keeps_emails_unique() {
    let (store, ws, dir) = store().await;
    let mut text = String::from("Name,Email,City,Country,Tags\n");
    for i in 0..6000 {
        text.push_str(&format!("Fan {i},fan{i}@example.com,Shanghai,CN,vip\n"));
    }
    for i in (0..6000).step_by(50) {
        text.push_str(&format!("Fan {i},\"  FAN{i}@Example.COM \",,,dup\n"));
    }
    assert!(text.len() as u64 / 48 >= 5_000, "the file takes the bulk path");
    let path = write(dir.path(), "first.csv", text.as_bytes());
    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.rows, r.created, r.merged), (6120, 6000, 120));
    let unique: Option<String> = sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE name = 'contact_emails_unique'").fetch_optional(&store.pool).await.unwrap();
    assert!(unique.is_some_and(|s| s.starts_with("CREATE UNIQUE INDEX")), "the unique index is back");
    let emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contact_emails").fetch_one(&store.pool).await.unwrap();
    assert_eq!(emails, 6000);
    assert_eq!(store.count_contacts(ws, &ContactFilter { tags: vec!["dup".into()], ..Default::default() }).await.unwrap(), 120);
    let again = "Name,Email,City\nSomeone,FAN42@example.com,Beijing\nNew,new@example.com,\n";
    let r = import(&store, ws, &write(dir.path(), "second.csv", again.as_bytes()), FanImportOptions::default()).await.unwrap();
    assert_eq!((r.created, r.merged), (1, 1));
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 6001);
}

/// The changes a store would push and its clocks, with its HLC node id taken out (each store has
/// its own): the changes as a sorted list of (table, key, workspace, HLC, fields, base), and the
/// clocks that tell something: each row's insert clock (its `*` clock, or its `hlc` for a row a
/// bulk write made, which has none), and the field clocks that differ from it (a field clock
/// equal to the insert clock is the same as none: lookups fall back to `*`).
async fn sync_state(store: &Store) -> (Vec<[String; 6]>, Vec<[String; 4]>) {
    let hlc: String = sqlx::query_scalar("SELECT hlc FROM workspaces LIMIT 1").fetch_one(&store.pool).await.unwrap();
    let node = hlc.splitn(3, '-').nth(2).unwrap().to_string();
    let strip = |s: String| s.replace(&node, "NODE");
    let pending = crate::sync::engine::pending_changes(store).await.unwrap();
    let mut changes: Vec<[String; 6]> = pending
        .into_iter()
        .map(|c| {
            let ws = c.workspace_id.map(|w| w.to_string()).unwrap_or_default();
            let fields = serde_json::to_string(&c.fields).unwrap();
            let base = serde_json::to_string(&c.base).unwrap();
            [c.table, c.pk, ws, strip(c.hlc), strip(fields), strip(base)]
        })
        .collect();
    changes.sort();
    let mut clocks: Vec<[String; 4]> = Vec::new();
    for t in crate::sync::SYNCED_TABLES {
        let pk = match t.key {
            [one] => format!("r.{one}"),
            many => format!("json_array({})", many.iter().map(|k| format!("r.{k}")).collect::<Vec<_>>().join(", ")),
        };
        let rows: Vec<(String, String)> = sqlx::query_as(&format!(
            "SELECT {pk}, COALESCE((SELECT hlc FROM sync_clocks c WHERE c.tbl = '{name}' AND c.pk = {pk} AND c.col = '*'), r.hlc) FROM {name} r",
            name = t.name
        ))
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let star: std::collections::HashMap<String, String> = rows.iter().cloned().collect();
        clocks.extend(rows.into_iter().map(|(pk, h)| [t.name.to_string(), pk, "*".to_string(), strip(h)]));
        let fields: Vec<(String, String, String)> =
            sqlx::query_as("SELECT pk, col, hlc FROM sync_clocks WHERE tbl = ? AND col <> '*'").bind(t.name).fetch_all(&store.pool).await.unwrap();
        for (pk, col, h) in fields {
            if star.get(&pk) != Some(&h) {
                clocks.push([t.name.to_string(), pk, col, strip(h)]);
            }
        }
    }
    clocks.sort();
    (changes, clocks)
}

#[tokio::test]
async fn a_bulk_import_queues_exactly_the_changes_and_clocks_the_per_row_triggers_would() {
    let mut text = String::from("Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n");
    for i in 0..300 {
        let tags = if i % 3 == 0 { "\"\"\"vip\"\",\"\"merch\"\"\"" } else { "" };
        text.push_str(&format!("fan{i}@example.com,Fan,周杰伦{i},Shanghai,CN,{tags},2026-01-02 03:04:05,2\n"));
    }
    // Later rows of the file merge into contacts made by earlier ones (and fill their gaps), and
    // into the contact that was there before (an edit of an existing row: per-row triggers).
    for i in (0..300).step_by(7) {
        text.push_str(&format!("  FAN{i}@EXAMPLE.COM ,Fan,Again,Beijing,,\"dup\",2026-01-03 03:04:05,2\n"));
    }
    text.push_str("old@example.com,Old,Fan,Berlin,DE,\"dup\",2026-01-04 03:04:05,2\n");
    text.push_str("old@example.com,Old,Fan,,,\"vip\",,2\n");
    let second = "Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n\
                  fan1@example.com,Fan,One,,,\"late\",2026-02-01 03:04:05,2\n\
                  new@example.com,New,Fan,Taipei,TW,\"vip\",2026-02-01 03:04:05,2\n";

    let mut states = Vec::new();
    for per_row in [true, false] {
        crate::sync::bulk::PER_ROW.with(|p| p.set(per_row));
        let (store, ws, dir) = store().await;
        store
            .create_contact(ws, ContactInput { name: Some("Old Fan".into()), emails: vec!["old@example.com".into()], tags: vec!["vip".into()], ..Default::default() }, "manual")
            .await
            .unwrap();
        let first = import(&store, ws, &write(dir.path(), "subscribed_members_a.csv", text.as_bytes()), FanImportOptions::default()).await.unwrap();
        assert_eq!((first.rows, first.created, first.merged), (345, 300, 45));
        // A second import merges into rows the first one made in bulk: now ordinary edits.
        import(&store, ws, &write(dir.path(), "subscribed_members_b.csv", second.as_bytes()), FanImportOptions::default()).await.unwrap();
        let open: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM sync_bulk) + (SELECT COUNT(*) FROM sync_bulk_rows)").fetch_one(&store.pool).await.unwrap();
        assert_eq!(open, 0, "the bulk write is closed");
        // Parents before children, HLCs in order.
        let order: Vec<(String, String, String, Option<String>)> = crate::sync::engine::pending_changes(&store)
            .await
            .unwrap()
            .into_iter()
            .map(|c| {
                let parent = match c.table.as_str() {
                    "contact_tags" | "contact_sources" | "contact_emails" => {
                        serde_json::from_str::<Vec<String>>(&c.pk).ok().and_then(|k| k.first().cloned())
                    }
                    "consent_events" | "activities" => c.fields.get("contact_id").and_then(|v| v.as_str()).map(String::from),
                    _ => None,
                };
                (c.table, c.pk, c.hlc, parent)
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        for (n, (tbl, pk, hlc, parent)) in order.iter().enumerate() {
            if tbl == "contacts" {
                seen.insert(pk.clone());
            }
            if let Some(parent) = parent {
                assert!(seen.contains(parent), "{tbl} {pk} queued before its contact (per row: {per_row})");
            }
            if n > 0 {
                assert!(order[n - 1].2 <= *hlc, "HLCs out of order at {n} (per row: {per_row})");
            }
        }
        states.push(sync_state(&store).await);
    }
    crate::sync::bulk::PER_ROW.with(|p| p.set(false));
    let (per_row, bulk) = (&states[0], &states[1]);
    let count = |tbl: &str| bulk.0.iter().filter(|c| c[0] == tbl).count();
    assert_eq!(count("contacts"), 1 + 300 + 1 + 1 + 1, "one insert per contact, one edit each of the merges into older ones");
    assert!(count("contact_emails") >= 302 && count("contact_tags") > 100 && count("consent_events") > 300, "{}", bulk.0.len());
    let inserted = bulk.0.iter().find(|c| c[0] == "contacts" && c[4].contains("周杰伦7")).unwrap();
    assert!(inserted[4].contains("\"consent_status\":\"opted_in\""), "queued at its final values: {}", inserted[4]);
    assert_eq!(per_row.0.len(), bulk.0.len());
    for (a, b) in per_row.0.iter().zip(&bulk.0) {
        assert_eq!(a, b, "per-row triggers vs bulk");
    }
    assert_eq!(per_row.1, bulk.1, "clocks");
}

#[tokio::test]
async fn a_bulk_write_committed_without_finishing_is_queued_when_the_store_opens() {
    let (store, ws, dir) = store().await;
    let path = dir.path().join("t.sqlite");
    // As if a bulk writer had committed between begin and finish.
    sqlx::raw_sql("INSERT INTO sync_bulk (tbl, after) SELECT 'contacts', COALESCE(max(rowid), 0) FROM contacts")
        .execute(&store.pool)
        .await
        .unwrap();
    let c = store.create_contact(ws, ContactInput { name: Some("Lost".into()), emails: vec!["lost@example.com".into()], ..Default::default() }, "manual").await.unwrap();
    let queued = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sync_outbox WHERE tbl = 'contacts' AND pk = ?")
            .bind(c.id.to_string())
            .fetch_one(&store.pool)
            .await
            .unwrap()
    };
    assert_eq!(queued().await, 0);
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_outbox WHERE tbl = 'contacts' AND pk = ? AND json_extract(fields, '$.name') = 'Lost'")
        .bind(c.id.to_string())
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_bulk").fetch_one(&store.pool).await.unwrap();
    assert_eq!(open, 0);
}

/// Pushes a store's outbox the way `push_outbox` does, in batches of `batch` of which the server
/// answers only the first `answered`: the changes in the order sent, each once.
async fn push_all(store: &Store, batch: i64, answered: usize) -> Vec<roadie_protocol::sync::Change> {
    let shapes = crate::sync::schema_shapes(&store.pool).await.unwrap();
    let node = store.setting("node_id").await.unwrap().unwrap();
    let mut sent = Vec::new();
    loop {
        let mut conn = store.pool.acquire().await.unwrap();
        let (changes, origins, exhausted) = crate::sync::engine::outbox_batch(&mut conn, &shapes, &node, batch).await.unwrap();
        drop(conn);
        if changes.is_empty() && exhausted.is_empty() {
            break;
        }
        let n = answered.min(changes.len());
        let exhausted = if n == changes.len() { exhausted } else { Vec::new() };
        let mut tx = store.write().await.unwrap();
        crate::sync::engine::retire(&mut tx, &origins[..n], &exhausted).await.unwrap();
        tx.commit().await.unwrap();
        sent.extend(changes.into_iter().take(n));
    }
    sent
}

/// After a bulk import, before any push: a contact edited (its tags rewritten), a contact merged
/// into one made later (its e-mails, tags, consent and activity move), a contact erased. The push
/// sends what the per-row triggers would have queued (the inserts as the import made them, then
/// the edits), except the erased contact's e-mails, tags and sources, which are gone before they
/// ever left; in batches cut anywhere, each change once.
#[tokio::test]
async fn a_bulk_import_edited_merged_and_erased_before_the_push_pushes_what_per_row_triggers_would() {
    let mut text = String::from("Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n");
    for i in 0..40 {
        text.push_str(&format!("fan{i}@example.com,Fan,N{i},Shanghai,CN,\"\"\"vip\"\",\"\"merch\"\"\",2026-01-02 03:04:05,2\n"));
    }
    let mut states = Vec::new();
    let mut erased_id = String::new();
    for per_row in [true, false] {
        crate::sync::bulk::PER_ROW.with(|p| p.set(per_row));
        let (store, ws, dir) = store().await;
        import(&store, ws, &write(dir.path(), "subscribed_members_a.csv", text.as_bytes()), FanImportOptions::default()).await.unwrap();
        crate::sync::bulk::PER_ROW.with(|p| p.set(false));
        let find = |email: &'static str| {
            let store = &store;
            async move { store.search_contacts(ws, email, 1).await.unwrap()[0].id }
        };
        let edited = find("fan3@example.com").await;
        let mut input = ContactInput { name: Some("Edited".into()), emails: vec!["fan3@example.com".into()], tags: vec!["late".into()], ..Default::default() };
        input.city = Some("Hangzhou".into());
        store.update_contact(edited, input).await.unwrap();
        let later = store
            .create_contact(ws, ContactInput { name: Some("Later".into()), emails: vec!["later@example.com".into()], ..Default::default() }, "manual")
            .await
            .unwrap();
        let merged = find("fan5@example.com").await;
        store.merge_contacts(later.id, &[merged], &crate::fans::MergeChoices { city: Some(merged), ..Default::default() }).await.unwrap();
        let erased = find("fan7@example.com").await;
        store.erase_contact(erased).await.unwrap();
        erased_id = erased.to_string();
        let (mut changes, clocks) = sync_state(&store).await;
        if per_row {
            // Queued before the erase by the triggers; a bulk write never queues them.
            changes.retain(|c| {
                !(["contact_emails", "contact_tags", "contact_sources"].contains(&c[0].as_str()) && c[1].contains(&erased_id))
            });
        }
        let all = crate::sync::engine::pending_changes(&store).await.unwrap();
        if !per_row {
            assert!(all.iter().all(|c| !(c.table == "contact_emails" && c.pk.contains(&erased_id))), "erased e-mails are not pushed");
            // Pushed in batches of 7 of which the server answers 5: each change once, in order.
            let sent = push_all(&store, 7, 5).await;
            assert_eq!(sent, all);
            let left: i64 = sqlx::query_scalar("SELECT (SELECT count(*) FROM sync_outbox) + (SELECT count(*) FROM sync_bulk_before)")
                .fetch_one(&store.pool)
                .await
                .unwrap();
            assert_eq!(left, 0, "the outbox and the rows kept for it are empty");
            assert_eq!(store.sync_status().await.unwrap().pending_changes, 0);
        }
        states.push((changes, clocks));
    }
    let (per_row, bulk) = (&states[0], &states[1]);
    let merged_consent = bulk.0.iter().filter(|c| c[0] == "consent_events").count();
    assert_eq!(merged_consent, per_row.0.iter().filter(|c| c[0] == "consent_events").count());
    assert_eq!(per_row.0.len(), bulk.0.len());
    for (a, b) in per_row.0.iter().zip(&bulk.0) {
        assert_eq!(a, b, "per-row triggers vs bulk");
    }
    let clocks = |s: &Vec<[String; 4]>| -> Vec<[String; 4]> {
        s.iter().filter(|c| !(["contact_emails", "contact_tags", "contact_sources"].contains(&c[0].as_str()) && c[1].contains(&erased_id))).cloned().collect()
    };
    assert_eq!(clocks(&per_row.1), clocks(&bulk.1), "clocks");
}

#[tokio::test]
async fn an_import_puts_the_connection_and_search_index_settings_back() {
    let (store, ws, dir) = store().await;
    let good = write(dir.path(), "good.csv", b"Name,Email\nA,a@example.com\n");
    let bad = write(dir.path(), "bad.csv", b"Name,Email\nB,b@example.com\nC,c@example\n");
    import(&store, ws, &good, FanImportOptions::default()).await.unwrap();
    let strict = FanImportOptions { strict: true, ..FanImportOptions::default() };
    import(&store, ws, &bad, strict).await.unwrap_err();
    // Every connection of the pool (it holds at most four) checks constraints again.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(store.pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        let ignored: i64 = sqlx::query_scalar("PRAGMA ignore_check_constraints").fetch_one(&mut **conn).await.unwrap();
        assert_eq!(ignored, 0);
        assert!(sqlx::query("UPDATE contacts SET consent_status = 'maybe'").execute(&mut **conn).await.is_err());
    }
    drop(held);
    let hashsize: i64 = sqlx::query_scalar("SELECT v FROM contacts_fts_config WHERE k = 'hashsize'").fetch_one(&store.pool).await.unwrap();
    assert_eq!(hashsize, 1024 * 1024);
    assert_eq!(store.search_contacts(ws, "a@ex", 5).await.unwrap().len(), 1);
    assert!(store.search_contacts(ws, "b@ex", 5).await.unwrap().is_empty());
    // The sync insert triggers the bulk write quieted are back after both imports: a contact
    // added by hand is queued for the next sync.
    let queued = |store: &Store| {
        let pool = store.pool.clone();
        async move { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sync_outbox WHERE tbl = 'contacts'").fetch_one(&pool).await.unwrap() }
    };
    let before = queued(&store).await;
    let input = crate::fans::ContactInput { name: Some("D".into()), emails: vec!["d@example.com".into()], ..Default::default() };
    store.create_contact(ws, input, "manual").await.unwrap();
    assert_eq!(queued(&store).await, before + 1);
}

/// A big list whose first fan's id (derived from the file and line) is already taken in the store
/// (a deleted contact holds it): that fan gets a new id, the others theirs, all in batches, and
/// each one's e-mail, search row and count are there.
#[tokio::test]
async fn a_big_list_meeting_a_taken_id_gives_that_fan_a_new_one() {
    let (store, ws, dir) = store().await;
    let mut text = String::from("Name,Email,City\n");
    for i in 0..5150 {
        text.push_str(&format!("Fan {i},fan{i}@example.com,Austin\n"));
    }
    let path = write(dir.path(), "taken.csv", text.as_bytes());
    let sha = sha256_file(&path).unwrap();
    let taken = crate::clock::FileIds::new(&sha).id("contact", 2, &[&ws.to_string(), "fan0@example.com"]).to_string();
    sqlx::query(
        "INSERT INTO contacts (id, workspace_id, name, first_seen, created_at, updated_at, hlc, deleted) \
         VALUES (?, ?, 'Gone', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', '001767225600000-00000-NODE', 1)",
    )
    .bind(&taken)
    .bind(ws.to_string())
    .execute(&store.pool)
    .await
    .unwrap();

    let r = import(&store, ws, &path, FanImportOptions::default()).await.unwrap();
    assert_eq!((r.rows, r.created, r.merged), (5150, 5150, 0));
    assert_eq!(store.count_contacts(ws, &ContactFilter::default()).await.unwrap(), 5150);
    let fan0 = store.search_contacts(ws, "fan0@example.com", 5).await.unwrap();
    assert_eq!(fan0.len(), 1);
    assert_ne!(fan0[0].id.to_string(), taken, "a new id");
    let last = store.search_contacts(ws, "fan5149", 5).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(store.get_contact(last[0].id).await.unwrap().emails.len(), 1);
    let (emails, fts): (i64, i64) = sqlx::query_as("SELECT (SELECT COUNT(*) FROM contact_emails WHERE deleted = 0), (SELECT COUNT(*) FROM contacts_fts)")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(emails, 5150);
    assert!(fts >= 5150, "{fts}");
}
