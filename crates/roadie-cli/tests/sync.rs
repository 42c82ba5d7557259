//! Two-way sync end to end: real PostgreSQL, the platform server on loopback, and several stores
//! (devices) syncing through it — with the engine API for the property test and the CLI for the
//! command contract.

#[path = "../../../platform/tests/common/mod.rs"]
mod common;

use common::{Pg, Server, PASSWORD};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use roadie::catalog::{
    ArtistInput, NewWorkspace, ReleaseFilter, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind,
};
use roadie::platform::FileSecrets;
use roadie::sync::{SyncCancel, SyncProgress, SyncReport, SYNCED_TABLES};
use roadie::Store;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use uuid::Uuid;

struct Device {
    path: PathBuf,
    store: Store,
}

impl Device {
    async fn new(dir: &Path, name: &str, server: &str, email: &str) -> Device {
        let path = dir.join(format!("{name}.sqlite"));
        let store = Store::open(&path).await.unwrap();
        store
            .login(server, email, PASSWORD, &FileSecrets::beside_store(&path))
            .await
            .unwrap();
        Device { path, store }
    }

    async fn sync(&self) -> roadie::Result<SyncReport> {
        self.store
            .sync(
                &FileSecrets::beside_store(&self.path),
                &|_: &SyncProgress| {},
                &SyncCancel::default(),
            )
            .await
    }
}

/// The platform on a fresh PostgreSQL cluster (fields drop in order: the server stops first).
struct Platform {
    srv: Server,
    _pg: Pg,
}

/// One account signed in on a device per name (stores in a temporary directory), with a
/// workspace of `kind` made on the first device and not synced yet.
struct Account {
    devices: Vec<Device>,
    ws: roadie::catalog::Workspace,
    platform: Platform,
    dir: tempfile::TempDir,
}

impl Account {
    async fn on_devices(email: &str, names: &[&str], kind: WorkspaceKind) -> Account {
        let pg = Pg::start();
        let srv = Server::start(&pg).await;
        srv.signup(email, "Owner").await;
        let dir = tempfile::tempdir().unwrap();
        let mut devices = Vec::new();
        for name in names {
            devices.push(Device::new(dir.path(), name, &srv.base, email).await);
        }
        let ws = devices[0]
            .store
            .create_workspace(NewWorkspace { kind, name: "Home".into() })
            .await
            .unwrap();
        Account { devices, ws, platform: Platform { srv, _pg: pg }, dir }
    }
}

/// Every synced table's rows (synced columns, `hlc` excluded), as JSON, in key order.
async fn snapshot(path: &Path) -> BTreeMap<&'static str, Value> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
    let mut out = BTreeMap::new();
    for t in SYNCED_TABLES {
        let cols: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(t.name)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let cols: Vec<String> = cols
            .into_iter()
            .filter(|c| c != "hlc" && !t.local.iter().any(|(l, _)| l == c))
            .collect();
        let object = cols
            .iter()
            .map(|c| format!("'{c}', {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT COALESCE(json_group_array(json(j)), '[]') FROM (SELECT json_object({object}) AS j FROM {} ORDER BY {})",
            t.name,
            t.key.join(", ")
        );
        let json: String = sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap();
        out.insert(t.name, serde_json::from_str(&json).unwrap());
    }
    sqlx::Connection::close(conn).await.unwrap();
    out
}

async fn conflict_fields(path: &Path) -> BTreeSet<(String, String, String)> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT tbl, pk, col FROM sync_conflicts")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    sqlx::Connection::close(conn).await.unwrap();
    rows.into_iter().collect()
}

/// Syncs every device in `order`, then all again, until a whole pass moves nothing.
async fn sync_until_quiet(devices: &[Device], order: &[usize]) {
    for d in order {
        devices[*d].sync().await.unwrap();
    }
    for pass in 0.. {
        assert!(pass < 6, "sync did not settle");
        let mut moved = 0;
        for d in devices {
            let r = d.sync().await.unwrap();
            assert!(r.refused.is_empty(), "{:?}", r.refused);
            moved += r.pushed + r.pulled;
        }
        if moved == 0 {
            break;
        }
    }
    for d in devices {
        let status = d.store.sync_status().await.unwrap();
        assert!(status.errors.is_empty(), "sync errors: {:?}", status.errors);
        assert_eq!(status.pending_changes, 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Property test

#[derive(Debug, Clone)]
enum Op {
    CreateRelease {
        title: u8,
    },
    /// Op field `field` (0 title, 1 label name, 2 catalog number) of the `pick`-th live release.
    EditRelease {
        pick: usize,
        field: u8,
        value: u8,
    },
    DeleteRelease {
        pick: usize,
    },
    /// Add a track to the `pick`-th live release this device created.
    AddTrack {
        pick: usize,
        title: u8,
    },
    EditTrack {
        pick: usize,
        value: u8,
    },
    CreateArtist {
        name: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => any::<u8>().prop_map(|title| Op::CreateRelease { title: title % 4 }),
        6 => (any::<usize>(), 0..3u8, 0..3u8).prop_map(|(pick, field, value)| Op::EditRelease { pick, field, value }),
        1 => any::<usize>().prop_map(|pick| Op::DeleteRelease { pick }),
        2 => (any::<usize>(), 0..3u8).prop_map(|(pick, title)| Op::AddTrack { pick, title }),
        3 => (any::<usize>(), 0..3u8).prop_map(|(pick, value)| Op::EditTrack { pick, value }),
        1 => (0..3u8).prop_map(|name| Op::CreateArtist { name }),
    ]
}

#[derive(Debug, Clone)]
struct Round {
    edits: Vec<(usize, Op)>,
    order: Vec<usize>,
}

fn rounds(devices: usize) -> impl Strategy<Value = Vec<Round>> {
    let round = (
        proptest::collection::vec((0..devices, op()), 1..14),
        Just((0..devices).collect::<Vec<_>>()).prop_shuffle(),
    )
        .prop_map(|(edits, order)| Round { edits, order });
    proptest::collection::vec(round, 1..4)
}

/// Who edited which field in a round, to what.
type Edits = BTreeMap<(String, String, String), BTreeMap<usize, String>>;

async fn apply_edit(
    devices: &[Device],
    ws: Uuid,
    artist: Uuid,
    created: &mut BTreeMap<usize, Vec<Uuid>>,
    round: &mut Edits,
    d: usize,
    e: &Op,
) {
    let store = &devices[d].store;
    let live = store
        .list_releases(ws, &ReleaseFilter::default())
        .await
        .unwrap();
    let mut note = |table: &str, pk: String, col: &str, value: String| -> bool {
        let per = round.entry((table.into(), pk, col.into())).or_default();
        // One edit per device and field per round keeps the race oracle exact.
        if per.contains_key(&d) {
            return false;
        }
        per.insert(d, value);
        true
    };
    match e {
        Op::CreateRelease { title } => {
            let r = store
                .create_release(
                    ws,
                    ReleaseInput::new(&format!("Album {title}"), ReleaseType::Album, vec![artist]),
                )
                .await
                .unwrap();
            created.entry(d).or_default().push(r.release.id);
        }
        Op::EditRelease { pick, field, value } => {
            if live.is_empty() {
                return;
            }
            let r = &store
                .get_release(live[pick % live.len()].id)
                .await
                .unwrap()
                .release;
            let mut input = ReleaseInput::from_release(r);
            let (col, text) = match field {
                0 => ("title", format!("Title {value}")),
                1 => ("label_name", format!("Label {value}")),
                _ => ("catalog_number", format!("CAT-{value}")),
            };
            let old = match field {
                0 => Some(r.title.clone()),
                1 => r.label_name.clone(),
                _ => r.catalog_number.clone(),
            };
            if old.as_deref() == Some(text.as_str())
                || !note("releases", r.id.to_string(), col, text.clone())
            {
                return;
            }
            match field {
                0 => input.title = text,
                1 => input.label_name = Some(text),
                _ => input.catalog_number = Some(text),
            }
            store.update_release(r.id, input).await.unwrap();
        }
        Op::DeleteRelease { pick } => {
            if live.is_empty() {
                return;
            }
            let r = &live[pick % live.len()];
            // Deleting is an edit of `deleted` (and of its tracks'): every device deleting writes 1.
            note("releases", r.id.to_string(), "deleted", "1".into());
            store.delete_release(r.id).await.unwrap();
        }
        Op::AddTrack { pick, title } => {
            let mine: Vec<&roadie::catalog::Release> = live
                .iter()
                .filter(|r| created.get(&d).is_some_and(|c| c.contains(&r.id)))
                .collect();
            if mine.is_empty() {
                return;
            }
            let r = mine[pick % mine.len()];
            store
                .add_track(r.id, TrackInput::titled(&format!("Song {title}")))
                .await
                .unwrap();
        }
        Op::EditTrack { pick, value } => {
            let mut tracks = Vec::new();
            for r in &live {
                tracks.extend(store.list_tracks(r.id).await.unwrap());
            }
            if tracks.is_empty() {
                return;
            }
            let t = &tracks[pick % tracks.len()];
            let text = format!("Take {value}");
            if t.title == text || !note("tracks", t.id.to_string(), "title", text.clone()) {
                return;
            }
            let mut input = TrackInput::from_track(t);
            input.title = text;
            store.update_track(t.id, input).await.unwrap();
        }
        Op::CreateArtist { name } => {
            store
                .create_artist(
                    ws,
                    ArtistInput::named(&format!("Guest {name} {}", Uuid::now_v7())),
                )
                .await
                .unwrap();
        }
    }
}

async fn convergence_case(
    srv: &Server,
    case: usize,
    rounds: Vec<Round>,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let ana = format!("ana{case}@example.com");
    let bo = format!("bo{case}@example.com");
    let ana_token = srv.signup(&ana, "Ana").await;
    let bo_token = srv.signup(&bo, "Bo").await;
    let devices = vec![
        Device::new(dir.path(), "a", &srv.base, &ana).await,
        Device::new(dir.path(), "b", &srv.base, &ana).await,
        Device::new(dir.path(), "c", &srv.base, &bo).await,
    ];
    // Ana's label, made offline on device A, joins the platform on A's first sync; Bo is invited.
    let ws = devices[0]
        .store
        .create_workspace(NewWorkspace {
            kind: WorkspaceKind::Label,
            name: "Label".into(),
        })
        .await
        .unwrap();
    let artist = devices[0]
        .store
        .create_artist(ws.id, ArtistInput::named("Headliner"))
        .await
        .unwrap()
        .id;
    devices[0].sync().await.unwrap();
    let (_, invite) = srv
        .invite(&ana_token, &ws.id.to_string(), &bo, "label_admin", None)
        .await;
    srv.accept(&bo_token, &invite).await;
    sync_until_quiet(&devices, &[0, 1, 2]).await;

    let mut created: BTreeMap<usize, Vec<Uuid>> = BTreeMap::new();
    let mut expected_conflicts = BTreeSet::new();
    let mut last_values: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for round in &rounds {
        let mut edits = Edits::new();
        for (d, e) in &round.edits {
            apply_edit(&devices, ws.id, artist, &mut created, &mut edits, *d, e).await;
        }
        for (field, by) in edits {
            let values: BTreeSet<String> = by.values().cloned().collect();
            if by.len() >= 2 && values.len() >= 2 {
                expected_conflicts.insert(field.clone());
            }
            last_values.insert(field, values);
        }
        sync_until_quiet(&devices, &round.order).await;
    }

    let first = snapshot(&devices[0].path).await;
    for d in &devices[1..] {
        prop_assert_eq!(&snapshot(&d.path).await, &first, "stores differ");
    }
    // Nothing lost: every release made anywhere is everywhere, and each edited field holds one of
    // the values of its last round.
    let releases = first["releases"].as_array().unwrap();
    for id in created.values().flatten() {
        prop_assert!(
            releases.iter().any(|r| r["id"] == id.to_string()),
            "release {} lost",
            id
        );
    }
    for ((table, pk, col), values) in &last_values {
        let row = first[table.as_str()]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == pk.as_str())
            .unwrap();
        let held = match &row[col.as_str()] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        prop_assert!(
            values.contains(&held),
            "{}.{} of {} is {}, not one of {:?}",
            table,
            col,
            pk,
            held,
            values
        );
    }
    let expected: BTreeSet<(String, String, String)> = expected_conflicts;
    for d in &devices {
        let found = conflict_fields(&d.path).await;
        prop_assert_eq!(&found, &expected, "conflicts where edits raced");
    }
    for d in devices {
        d.store.close().await;
    }
    Ok(())
}

#[test]
fn random_offline_edits_on_three_devices_converge_with_conflicts_exactly_where_edits_raced() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pg = Pg::start();
    let srv = rt.block_on(Server::start(&pg));
    let cases: u32 = std::env::var("ROADIE_SYNC_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 20,
        ..Config::default()
    });
    let counter = std::cell::Cell::new(0usize);
    runner
        .run(&rounds(3), |rounds| {
            counter.set(counter.get() + 1);
            rt.block_on(convergence_case(&srv, counter.get(), rounds))
        })
        .unwrap();
    rt.block_on(srv.stop());
}

// ---------------------------------------------------------------------------------------------
// Fans, authorisation, exactly once, the CLI

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fans_sync_with_their_emails_tags_and_search_and_a_race_is_a_conflict_resolved_everywhere()
{
    use roadie::fans::ContactInput;
    let acc = Account::on_devices("fan@example.com", &["a", "b"], WorkspaceKind::Artist).await;
    let (a, b, ws) = (&acc.devices[0], &acc.devices[1], &acc.ws);
    let input = ContactInput {
        name: Some("周杰伦".into()),
        emails: vec!["jay@example.com".into()],
        city: Some("Taipei".into()),
        tags: vec!["vip".into()],
        ..Default::default()
    };
    let contact = a
        .store
        .create_contact(ws.id, input.clone(), "manual")
        .await
        .unwrap();
    a.sync().await.unwrap();
    let r = b.sync().await.unwrap();
    assert!(r.pulled >= 4, "{r:?}");
    let found = b.store.search_contacts(ws.id, "杰伦", 10).await.unwrap();
    assert_eq!(
        found.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![contact.id],
        "the pulled fan is searchable"
    );
    let got = b.store.get_contact(contact.id).await.unwrap();
    assert_eq!(
        got.emails
            .iter()
            .map(|e| e.email.as_str())
            .collect::<Vec<_>>(),
        vec!["jay@example.com"]
    );

    // Both devices change the city offline: one conflict, the same on both, resolved on B.
    a.store
        .update_contact(
            contact.id,
            ContactInput {
                city: Some("Kaohsiung".into()),
                ..input.clone()
            },
        )
        .await
        .unwrap();
    b.store
        .update_contact(
            contact.id,
            ContactInput {
                city: Some("Tainan".into()),
                ..input.clone()
            },
        )
        .await
        .unwrap();
    a.sync().await.unwrap();
    let r = b.sync().await.unwrap();
    assert_eq!(r.conflicts, 1, "{r:?}");
    a.sync().await.unwrap();
    let on_a = a.store.list_conflicts().await.unwrap();
    let on_b = b.store.list_conflicts().await.unwrap();
    assert_eq!(on_a.len(), 1);
    assert_eq!(on_b.len(), 1);
    assert_eq!(
        (on_b[0].table.as_str(), on_b[0].column.as_str()),
        ("contacts", "city")
    );
    assert_eq!(on_b[0].mine.value, serde_json::json!("Tainan"));
    assert_eq!(on_b[0].theirs.value, serde_json::json!("Kaohsiung"));
    assert_eq!(
        on_a[0].mine.value,
        serde_json::json!("Kaohsiung"),
        "each device sees its own edit as mine"
    );
    b.store
        .resolve_conflict(on_b[0].id, roadie::sync::Take::Theirs)
        .await
        .unwrap();
    assert!(b.store.list_conflicts().await.unwrap().is_empty());
    b.sync().await.unwrap();
    a.sync().await.unwrap();
    assert!(
        a.store.list_conflicts().await.unwrap().is_empty(),
        "the resolution closes it on A too"
    );
    assert_eq!(
        a.store
            .get_contact(contact.id)
            .await
            .unwrap()
            .city
            .as_deref(),
        Some("Kaohsiung")
    );
    assert_eq!(
        b.store
            .get_contact(contact.id)
            .await
            .unwrap()
            .city
            .as_deref(),
        Some("Kaohsiung")
    );
    assert_eq!(snapshot(&a.path).await, snapshot(&b.path).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fans_imported_in_bulk_on_two_devices_sync_and_converge() {
    use roadie::fans::import::FanImportOptions;
    use roadie::fans::{ContactFilter, ContactInput};
    use roadie::jobs::CancelToken;
    let acc = Account::on_devices("bulk@example.com", &["a", "b"], WorkspaceKind::Artist).await;
    let (devices, ws) = (&acc.devices, &acc.ws);
    let (a, b) = (&devices[0], &devices[1]);
    let old = ContactInput {
        name: Some("Old Fan".into()),
        emails: vec!["old@example.com".into()],
        tags: vec!["vip".into()],
        ..Default::default()
    };
    a.store.create_contact(ws.id, old, "manual").await.unwrap();
    sync_until_quiet(devices, &[0, 1]).await;

    // A imports a list (new fans, duplicates inside the file, a merge into the synced contact);
    // B imports another (new fans, a merge into the same contact, other fields).
    let header = "Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n";
    let mut on_a = String::from(header);
    for i in 0..400 {
        on_a.push_str(&format!(
            "fan{i}@example.com,Fan,周杰伦{i},Shanghai,CN,\"vip\",2026-01-02 03:04:05,2\n"
        ));
    }
    for i in (0..400).step_by(9) {
        on_a.push_str(&format!(
            "  FAN{i}@EXAMPLE.COM ,Fan,Again,,,\"dup\",2026-01-03 03:04:05,2\n"
        ));
    }
    on_a.push_str("old@example.com,Old,Fan,Berlin,,\"dup\",2026-01-04 03:04:05,2\n");
    // (A plain sheet: the same sign-up logged on both devices is the next test's case.)
    let mut on_b = String::from("Name,Email,City,Country,Tags\n");
    for i in 0..50 {
        on_b.push_str(&format!("B Fan {i},b{i}@example.com,Taipei,TW,merch\n"));
    }
    on_b.push_str("Old Fan,old@example.com,,DE,merch\n");
    for (device, name, text) in [(a, "subscribed_members_a.csv", &on_a), (b, "fans_b.csv", &on_b)] {
        let path = acc.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        device
            .store
            .import_fans(ws.id, &path, &FanImportOptions::default(), &|_| {}, &CancelToken::new())
            .await
            .unwrap();
        let queued = device.store.sync_status().await.unwrap().pending_changes;
        assert!(queued > 150, "{name}: {queued} changes queued");
    }
    sync_until_quiet(devices, &[0, 1]).await;
    assert_eq!(snapshot(&a.path).await, snapshot(&b.path).await);
    assert!(conflict_fields(&a.path).await.is_empty(), "different fields filled: no race");
    for d in devices {
        let all = d.store.count_contacts(ws.id, &ContactFilter::default()).await.unwrap();
        assert_eq!(all, 1 + 400 + 50);
        let dup = ContactFilter { tags: vec!["dup".into()], ..Default::default() };
        assert_eq!(d.store.count_contacts(ws.id, &dup).await.unwrap(), 45 + 1);
        let found = d.store.search_contacts(ws.id, "周杰伦399", 5).await.unwrap();
        assert_eq!(found.len(), 1, "imported fans are searchable on both devices");
        let old = d.store.search_contacts(ws.id, "old@example.com", 5).await.unwrap();
        let old = d.store.get_contact(old[0].id).await.unwrap();
        assert_eq!((old.city.as_deref(), old.country.as_deref()), (Some("Berlin"), Some("DE")));
        let mut tags = old.tags.clone();
        tags.sort();
        assert_eq!(tags, ["dup", "merch", "vip"]);
    }
}

/// A bulk import pushed as one outbox entry per table: edited, merged into a contact made later
/// and erased before its first push; then, pushed, edited and merged on another device while its
/// own device imports into it again. Everything converges, with no conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_import_changed_before_and_after_its_push_converges() {
    use roadie::fans::import::FanImportOptions;
    use roadie::fans::{ContactInput, MergeChoices};
    use roadie::jobs::CancelToken;
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    srv.signup("edits@example.com", "Edits").await;
    let dir = tempfile::tempdir().unwrap();
    let devices = vec![
        Device::new(dir.path(), "a", &srv.base, "edits@example.com").await,
        Device::new(dir.path(), "b", &srv.base, "edits@example.com").await,
    ];
    let devices: &'static [Device] = Box::leak(devices.into_boxed_slice());
    let (a, b) = (&devices[0], &devices[1]);
    let ws = a
        .store
        .create_workspace(NewWorkspace {
            kind: WorkspaceKind::Artist,
            name: "Me".into(),
        })
        .await
        .unwrap();
    sync_until_quiet(devices, &[0, 1]).await;
    let import = |store: &'static Store, name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        async move {
            store
                .import_fans(ws.id, &path, &FanImportOptions::default(), &|_| {}, &CancelToken::new())
                .await
                .unwrap()
        }
    };
    let find = |store: &'static Store, email: &'static str| async move {
        store.search_contacts(ws.id, email, 1).await.unwrap()[0].id
    };
    let header = "Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n";
    let mut list = String::from(header);
    for i in 0..30 {
        list.push_str(&format!(
            "f{i}@example.com,Fan,N{i},Shanghai,CN,\"vip\",2026-01-02 03:04:05,2\n"
        ));
    }
    import(&b.store, "subscribed_members_1.csv", list).await;
    let f1 = find(&b.store, "f1@example.com").await;
    let edit = ContactInput {
        name: Some("Edited".into()),
        emails: vec!["f1@example.com".into()],
        city: Some("Hangzhou".into()),
        tags: vec!["late".into()],
        ..Default::default()
    };
    b.store.update_contact(f1, edit).await.unwrap();
    let later = ContactInput {
        name: Some("Later".into()),
        emails: vec!["later@example.com".into()],
        ..Default::default()
    };
    let later = b.store.create_contact(ws.id, later, "manual").await.unwrap();
    let f2 = find(&b.store, "f2@example.com").await;
    let choices = MergeChoices {
        city: Some(f2),
        ..Default::default()
    };
    b.store.merge_contacts(later.id, &[f2], &choices).await.unwrap();
    let f3 = find(&b.store, "f3@example.com").await;
    b.store.erase_contact(f3).await.unwrap();
    sync_until_quiet(devices, &[1, 0]).await;
    assert_eq!(snapshot(&a.path).await, snapshot(&b.path).await);

    // Pushed: A edits and merges B's imported fans; B imports into them again.
    let f4 = find(&a.store, "f4@example.com").await;
    let c = a.store.get_contact(f4).await.unwrap();
    let input = ContactInput {
        name: c.name,
        emails: c.emails.iter().map(|e| e.email.clone()).collect(),
        city: c.city,
        country: c.country,
        tags: c.tags,
        notes: Some("met at the show".into()),
        ..Default::default()
    };
    a.store.update_contact(f4, input).await.unwrap();
    let (f5, f6) = (
        find(&a.store, "f5@example.com").await,
        find(&a.store, "f6@example.com").await,
    );
    a.store
        .merge_contacts(f6, &[f5], &MergeChoices::default())
        .await
        .unwrap();
    let mut again = String::from(header);
    for i in 8..12 {
        again.push_str(&format!(
            "f{i}@example.com,Fan,N{i},Shanghai,CN,\"again\",2026-02-02 03:04:05,2\n"
        ));
    }
    import(&b.store, "subscribed_members_2.csv", again).await;
    sync_until_quiet(devices, &[0, 1]).await;
    assert_eq!(snapshot(&a.path).await, snapshot(&b.path).await);
    assert!(conflict_fields(&a.path).await.is_empty());
    let f9 = find(&a.store, "f9@example.com").await;
    let mut tags = a.store.get_contact(f9).await.unwrap().tags;
    tags.sort();
    assert_eq!(tags, ["again", "vip"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_a_workspace_the_user_cannot_write_is_refused_and_reported_and_the_rest_applies(
) {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let ana_token = srv.signup("ana@example.com", "Ana").await;
    let bo_token = srv.signup("bo@example.com", "Bo").await;
    let dir = tempfile::tempdir().unwrap();
    let ana = Device::new(dir.path(), "ana", &srv.base, "ana@example.com").await;
    let bo = Device::new(dir.path(), "bo", &srv.base, "bo@example.com").await;
    let label = ana
        .store
        .create_workspace(NewWorkspace {
            kind: WorkspaceKind::Label,
            name: "Label".into(),
        })
        .await
        .unwrap();
    let artist = ana
        .store
        .create_artist(label.id, ArtistInput::named("Headliner"))
        .await
        .unwrap()
        .id;
    ana.sync().await.unwrap();
    let (_, invite) = srv
        .invite(
            &ana_token,
            &label.id.to_string(),
            "bo@example.com",
            "label_admin",
            None,
        )
        .await;
    srv.accept(&bo_token, &invite).await;
    bo.sync().await.unwrap();
    assert_eq!(bo.store.list_artists(label.id).await.unwrap().len(), 1);

    // Ana makes Bo a collaborator (read-only); Bo, offline, adds to the label and to his own.
    let bo_id = srv.me(&bo_token).await["id"].as_str().unwrap().to_string();
    let (s, v) = srv
        .call(
            reqwest::Method::PATCH,
            &format!("/v1/workspaces/{}/members/{bo_id}", label.id),
            Some(&ana_token),
            Some(serde_json::json!({"role": "collaborator"})),
        )
        .await;
    assert!(s.is_success(), "{v}");
    bo.store
        .create_release(
            label.id,
            ReleaseInput::new("Not Yours", ReleaseType::Single, vec![artist]),
        )
        .await
        .unwrap();
    let own = bo
        .store
        .create_workspace(NewWorkspace {
            kind: WorkspaceKind::Artist,
            name: "Bo".into(),
        })
        .await
        .unwrap();
    let bo_artist = bo
        .store
        .create_artist(own.id, ArtistInput::named("Bo"))
        .await
        .unwrap();
    let r = bo.sync().await.unwrap();
    assert!(!r.refused.is_empty(), "{r:?}");
    assert!(
        r.refused.iter().all(|e| e.code == "forbidden"),
        "{:?}",
        r.refused
    );
    assert!(r.refused.iter().any(|e| e.table == "releases"));
    assert!(
        r.pushed >= 2,
        "Bo's own workspace and artist went through: {r:?}"
    );
    let status = bo.store.sync_status().await.unwrap();
    assert_eq!(status.pending_changes, 0);
    assert!(status
        .errors
        .iter()
        .any(|e| e.table == "releases" && e.code == "forbidden"));
    // The platform has Bo's workspace; Ana sees nothing of either.
    let (s, v) = srv
        .call(
            reqwest::Method::GET,
            &format!("/v1/workspaces/{}", own.id),
            Some(&bo_token),
            None,
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{v}");
    ana.sync().await.unwrap();
    assert!(ana
        .store
        .list_releases(label.id, &ReleaseFilter::default())
        .await
        .unwrap()
        .is_empty());
    assert!(ana.store.get_artist(bo_artist.id).await.is_err());
}

/// A proxy that forwards everything, except that the response to the first `POST /v1/sync/push`
/// is dropped (the server has received and applied the request; the client never hears back).
async fn proxy_dropping_first_push_response(
    upstream: std::net::SocketAddr,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = dropped.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let dropped = flag.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let kill = Arc::new(AtomicBool::new(false));
                let kill2 = kill.clone();
                let up = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if buf[..n].starts_with(b"POST /v1/sync/push")
                            && !dropped.swap(true, Ordering::SeqCst)
                        {
                            kill2.store(true, Ordering::SeqCst);
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if kill.load(Ordering::SeqCst) {
                        break; // the answer arrived: drop it and the connection
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    (format!("http://{addr}"), dropped)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_whose_response_is_lost_is_retried_and_applied_exactly_once() {
    let acc = Account::on_devices("ana@example.com", &["a", "b"], WorkspaceKind::Label).await;
    let (a, b, ws, srv) = (&acc.devices[0], &acc.devices[1], &acc.ws, &acc.platform.srv);
    let artist = a
        .store
        .create_artist(ws.id, ArtistInput::named("A"))
        .await
        .unwrap()
        .id;
    for i in 0..5 {
        a.store
            .create_release(
                ws.id,
                ReleaseInput::new(&format!("R{i}"), ReleaseType::Single, vec![artist]),
            )
            .await
            .unwrap();
    }
    let pending = a.store.sync_status().await.unwrap().pending_changes;
    let (proxy, dropped) = proxy_dropping_first_push_response(srv.addr).await;
    let (account, direct) = a
        .store
        .platform_client(&FileSecrets::beside_store(&a.path))
        .await
        .unwrap();
    let client = direct.via(&proxy).unwrap();
    let r = a
        .store
        .sync_with(
            &account,
            &client,
            &|_: &SyncProgress| {},
            &SyncCancel::default(),
        )
        .await
        .unwrap();
    assert!(
        dropped.load(std::sync::atomic::Ordering::SeqCst),
        "the proxy dropped a push response"
    );
    assert_eq!(
        r.pushed, pending,
        "every change counted once, the retried ones as already applied"
    );
    let (logged,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM sync_log WHERE change_id IS NOT NULL")
            .fetch_one(&srv.state.db)
            .await
            .unwrap();
    assert_eq!(logged as u64, pending, "no change applied twice");
    b.sync().await.unwrap();
    assert_eq!(
        b.store
            .list_releases(ws.id, &ReleaseFilter::default())
            .await
            .unwrap()
            .len(),
        5
    );
    assert_eq!(snapshot(&a.path).await, snapshot(&b.path).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_syncs_lists_and_resolves_conflicts() {
    use assert_cmd::Command;
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    srv.signup("ana@example.com", "Ana").await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
    let base = srv.base.clone();
    let run = move |db: PathBuf, args: Vec<String>, stdin: &'static str| {
        tokio::task::spawn_blocking(move || {
            let out = Command::cargo_bin("roadie")
                .unwrap()
                .env_remove("ROADIE_DB")
                .arg("--db")
                .arg(&db)
                .args(&args)
                .write_stdin(stdin)
                .output()
                .unwrap();
            (
                out.status.success(),
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            )
        })
    };
    let json = |out: (bool, String, String)| -> Value {
        assert!(out.0, "failed: {}", out.2);
        serde_json::from_str(&out.1).unwrap()
    };
    let args = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    for db in [&a, &b] {
        let out = run(
            db.clone(),
            args(&format!("login --server {base} --email ana@example.com")),
            "correct horse battery\n",
        )
        .await
        .unwrap();
        assert!(out.0, "{}", out.2);
    }
    let ws = json(
        run(
            a.clone(),
            args("workspace create --kind label --name Label --json"),
            "",
        )
        .await
        .unwrap(),
    );
    let ws_id = ws["id"].as_str().unwrap().to_string();
    let first = json(run(a.clone(), args("sync --json"), "").await.unwrap());
    assert_eq!(
        first
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        vec!["conflicts", "pulled", "pushed"]
    );
    assert_eq!(first["pushed"], 1);
    assert_eq!(first["conflicts"], 0);
    let second = json(run(b.clone(), args("sync --json"), "").await.unwrap());
    assert_eq!(second["pulled"], 1);
    // Both rename the workspace offline.
    json(
        run(
            a.clone(),
            vec![
                "workspace".into(),
                "rename".into(),
                ws_id.clone(),
                "From A".into(),
                "--json".into(),
            ],
            "",
        )
        .await
        .unwrap(),
    );
    json(
        run(
            b.clone(),
            vec![
                "workspace".into(),
                "rename".into(),
                ws_id.clone(),
                "From B".into(),
                "--json".into(),
            ],
            "",
        )
        .await
        .unwrap(),
    );
    json(run(a.clone(), args("sync --json"), "").await.unwrap());
    let synced = json(run(b.clone(), args("sync --json"), "").await.unwrap());
    assert_eq!(synced["conflicts"], 1);
    let list = json(
        run(b.clone(), args("conflicts list --json"), "")
            .await
            .unwrap(),
    );
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["table"], "workspaces");
    assert_eq!(list[0]["column"], "name");
    assert_eq!(list[0]["mine"]["value"], "From B");
    assert_eq!(list[0]["theirs"]["value"], "From A");
    let id = list[0]["id"].as_str().unwrap().to_string();
    let bad = run(
        b.clone(),
        vec![
            "conflicts".into(),
            "resolve".into(),
            id.clone(),
            "--take".into(),
            "both".into(),
        ],
        "",
    )
    .await
    .unwrap();
    assert!(!bad.0);
    let done = json(
        run(
            b.clone(),
            vec![
                "conflicts".into(),
                "resolve".into(),
                id.clone(),
                "--take".into(),
                "mine".into(),
                "--json".into(),
            ],
            "",
        )
        .await
        .unwrap(),
    );
    assert_eq!(done["resolved"], true);
    assert_eq!(done["value"], "From B");
    let again = run(
        b.clone(),
        vec![
            "conflicts".into(),
            "resolve".into(),
            id,
            "--take".into(),
            "mine".into(),
        ],
        "",
    )
    .await
    .unwrap();
    assert!(!again.0 && again.2.contains("[not_found]"), "{}", again.2);
    json(run(b.clone(), args("sync --json"), "").await.unwrap());
    json(run(a.clone(), args("sync --json"), "").await.unwrap());
    let list = json(
        run(a.clone(), args("conflicts list --json"), "")
            .await
            .unwrap(),
    );
    assert_eq!(list, serde_json::json!([]));
    let ws_a = json(
        run(a.clone(), args("workspace list --json"), "")
            .await
            .unwrap(),
    );
    assert_eq!(ws_a[0]["name"], "From B");
    // Not signed in: a clear error.
    let c = dir.path().join("c.sqlite");
    let out = run(c, args("sync"), "").await.unwrap();
    assert!(!out.0 && out.2.contains("[not_signed_in]"), "{}", out.2);
}

// ---------------------------------------------------------------------------------------------
// Faults

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_cut_midway_the_server_restarted_and_the_database_restarted_all_converge() {
    let mut pg = Pg::start();
    let srv = Server::start(&pg).await;
    srv.signup("ana@example.com", "Ana").await;
    let dir = tempfile::tempdir().unwrap();
    let a = Device::new(dir.path(), "a", &srv.base, "ana@example.com").await;
    let b = Device::new(dir.path(), "b", &srv.base, "ana@example.com").await;
    let ws = a
        .store
        .create_workspace(NewWorkspace {
            kind: WorkspaceKind::Label,
            name: "L".into(),
        })
        .await
        .unwrap();
    let artist = a
        .store
        .create_artist(ws.id, ArtistInput::named("A"))
        .await
        .unwrap()
        .id;
    for i in 0..40 {
        a.store
            .create_release(
                ws.id,
                ReleaseInput::new(
                    &format!("Release number {i}"),
                    ReleaseType::Single,
                    vec![artist],
                ),
            )
            .await
            .unwrap();
    }
    let quiet = |_: &SyncProgress| {};
    let (account, direct) = a
        .store
        .platform_client(&FileSecrets::beside_store(&a.path))
        .await
        .unwrap();

    // 1. The connection is cut in the middle of the push body (the server sees half a request):
    // the client retries and everything arrives once.
    let (proxy, cut) = common::proxy_cutting_once(srv.addr, 1500).await;
    let r = a
        .store
        .sync_with(
            &account,
            &direct.via(&proxy).unwrap(),
            &quiet,
            &SyncCancel::default(),
        )
        .await
        .unwrap();
    assert!(cut.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(a.store.sync_status().await.unwrap().pending_changes, 0);
    let (logged,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM sync_log WHERE change_id IS NOT NULL")
            .fetch_one(&srv.state.db)
            .await
            .unwrap();
    assert_eq!(logged as u64, r.pushed);

    // 2. The server goes away with edits pending: the sync fails, nothing is lost, and a new
    // server process on the same database takes over.
    for i in 0..10 {
        a.store
            .create_release(
                ws.id,
                ReleaseInput::new(
                    &format!("While down {i}"),
                    ReleaseType::Single,
                    vec![artist],
                ),
            )
            .await
            .unwrap();
    }
    let db = srv.state.db.clone();
    srv.stop().await;
    let err = a.sync().await.unwrap_err();
    assert_eq!(err.code(), "network", "{err}");
    let pending = a.store.sync_status().await.unwrap().pending_changes;
    assert!(pending >= 10);
    drop(db);
    let srv = Server::start(&pg).await;
    a.store
        .sync_with(
            &account,
            &direct.via(&srv.base).unwrap(),
            &quiet,
            &SyncCancel::default(),
        )
        .await
        .unwrap();
    assert_eq!(a.store.sync_status().await.unwrap().pending_changes, 0);

    // 3. PostgreSQL restarts: a sync meanwhile fails cleanly; afterwards everything converges.
    for i in 0..10 {
        a.store
            .create_release(
                ws.id,
                ReleaseInput::new(&format!("DB down {i}"), ReleaseType::Single, vec![artist]),
            )
            .await
            .unwrap();
    }
    pg.stop_server();
    let via_new = direct.via(&srv.base).unwrap();
    let err = a
        .store
        .sync_with(&account, &via_new, &quiet, &SyncCancel::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err.code(), "platform_refused" | "network"),
        "{err}"
    );
    assert!(a.store.sync_status().await.unwrap().pending_changes >= 10);
    pg.start_server();
    let mut done = false;
    for _ in 0..5 {
        // The pool's broken connections fail once each, then reconnect.
        if a.store
            .sync_with(&account, &via_new, &quiet, &SyncCancel::default())
            .await
            .is_ok()
        {
            done = true;
            break;
        }
    }
    assert!(done, "sync works again after the database restarted");
    let (b_account, b_direct) = b
        .store
        .platform_client(&FileSecrets::beside_store(&b.path))
        .await
        .unwrap();
    b.store
        .sync_with(
            &b_account,
            &b_direct.via(&srv.base).unwrap(),
            &quiet,
            &SyncCancel::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        b.store
            .list_releases(ws.id, &ReleaseFilter::default())
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(snapshot(&a.path).await, snapshot(&b.path).await);
    let (logged,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM sync_log WHERE change_id IS NOT NULL")
            .fetch_one(&srv.state.db)
            .await
            .unwrap();
    let (distinct,): (i64,) = sqlx::query_as(
        "SELECT count(DISTINCT (tbl, pk, hlc)) FROM sync_log WHERE change_id IS NOT NULL",
    )
    .fetch_one(&srv.state.db)
    .await
    .unwrap();
    assert_eq!(logged, distinct, "no change applied twice");
}

// ---------------------------------------------------------------------------------------------
// Versions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_protocol_versions_and_unknown_columns_are_refused_clearly() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let token = srv.signup("ana@example.com", "Ana").await;
    let ws = srv.me(&token).await["workspace_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The server refuses a protocol it does not speak, naming both.
    let res = srv
        .http
        .get(srv.url("/v1/sync/pull"))
        .bearer_auth(&token)
        .header("Roadie-Sync-Protocol", "99")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "sync_protocol_unsupported");
    assert!(body["message"].as_str().unwrap().contains("99"), "{body}");
    let res = srv
        .http
        .get(srv.url("/v1/sync/pull"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        reqwest::StatusCode::BAD_REQUEST,
        "no protocol header"
    );

    // A newer Roadie pushed a column this build does not have: the pull stops, applies nothing
    // of that page, and says to update; the cursor stays, so an updated build gets it all.
    let dir = tempfile::tempdir().unwrap();
    let a = Device::new(dir.path(), "a", &srv.base, "ana@example.com").await;
    let change = serde_json::json!({"changes": [{
        "change_id": Uuid::now_v7(), "workspace_id": ws, "table": "column_mappings", "pk": Uuid::now_v7(),
        "hlc": "000000000000001-00000-future", "fields": {"name": "M", "header_key": "k", "definition": "{}",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "deleted": 0, "colour": "blue"}}]});
    let res = srv
        .http
        .post(srv.url("/v1/sync/push"))
        .bearer_auth(&token)
        .header("Roadie-Sync-Protocol", "1")
        .json(&change)
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["status"], "applied", "{body}");
    let err = a.sync().await.unwrap_err();
    assert_eq!(err.code(), "sync_schema_too_new");
    assert!(err.to_string().contains("column_mappings.colour"), "{err}");
    assert!(err.to_string().contains("update Roadie"), "{err}");
    let mappings: i64 = {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&a.path)
            .read_only(true);
        let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
        sqlx::query_scalar("SELECT count(*) FROM column_mappings")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(mappings, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isrc_counters_merge_by_max_so_no_code_is_handed_out_twice_after_a_sync() {
    use roadie::catalog::IsrcOwner;
    let acc = Account::on_devices("ana@example.com", &["a", "b"], WorkspaceKind::Label).await;
    let (a, b, ws) = (&acc.devices[0], &acc.devices[1], &acc.ws);
    a.store
        .set_isrc_prefix(IsrcOwner::Workspace(ws.id), Some("QZ-K6L"))
        .await
        .unwrap();
    a.sync().await.unwrap();
    b.sync().await.unwrap();
    // Offline: A hands out three codes, then B one (its counter write is the later one).
    let mut codes = BTreeSet::new();
    for _ in 0..3 {
        codes.insert(a.store.generate_isrc(IsrcOwner::Workspace(ws.id)).await.unwrap());
    }
    codes.insert(b.store.generate_isrc(IsrcOwner::Workspace(ws.id)).await.unwrap());
    assert_eq!(codes.len(), 3, "offline, both handed out the first code: {codes:?}");
    let devices = &acc.devices;
    sync_until_quiet(devices, &[0, 1]).await;
    let counters = |d: &Device| {
        let path = d.path.clone();
        async move {
            let opts = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .read_only(true);
            let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
            let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT prefix, year, last_designation FROM isrc_counters ORDER BY prefix, year",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            rows
        }
    };
    let on_a = counters(&devices[0]).await;
    assert_eq!(on_a.len(), 1);
    assert_eq!(on_a[0].2, 3, "the larger counter wins, not the later write");
    assert_eq!(on_a, counters(&devices[1]).await);
    assert_eq!(
        snapshot(&devices[0].path).await,
        snapshot(&devices[1].path).await
    );
    // After the sync each device hands out codes above every code handed out anywhere.
    for d in devices {
        d.sync().await.unwrap();
        let code = d
            .store
            .generate_isrc(IsrcOwner::Workspace(ws.id))
            .await
            .unwrap();
        assert!(codes.insert(code.clone()), "{code} handed out twice");
        d.sync().await.unwrap();
    }
    assert_eq!(codes.len(), 5, "{codes:?}");
}

/// A proxy that forwards everything, each chunk of a response held back `delay` while `slow` is
/// set (a slow link: a large pull takes long enough to be killed in the middle).
async fn slow_proxy(
    upstream: std::net::SocketAddr,
    delay: std::time::Duration,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let slow = Arc::new(AtomicBool::new(false));
    let flag = slow.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let slow = flag.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if slow.load(Ordering::SeqCst) {
                        tokio::time::sleep(delay).await;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    (format!("http://{addr}"), slow)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cli_sync_killed_mid_pull_resumes_and_converges_with_nothing_duplicated() {
    use std::sync::atomic::Ordering;
    const N: u64 = 6000;
    let acc = Account::on_devices("ana@example.com", &["a"], WorkspaceKind::Label).await;
    let (a, ws, srv) = (&acc.devices[0], &acc.ws, &acc.platform.srv);
    for i in 0..20 {
        a.store
            .create_artist(ws.id, ArtistInput::named(&format!("Artist {i}")))
            .await
            .unwrap();
    }
    {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&a.path);
        let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
        let sql = format!(
            "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < {})
             INSERT INTO artists (id, workspace_id, name, sort_name, created_at, updated_at, hlc)
             SELECT printf('00000000-0000-7000-8000-%012d', x), '{ws}', 'Bulk ' || x, 'Bulk ' || x,
                    '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', printf('%015d-00000-seed', 1000000 + x) FROM i",
            N - 20,
            ws = ws.id
        );
        sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
        sqlx::Connection::close(conn).await.unwrap();
    }
    let pushed = a.sync().await.unwrap().pushed;
    assert_eq!(pushed, N + 1);

    // Device B signs in through a slow link and starts its first sync with the CLI.
    let (proxy, slow) = slow_proxy(srv.addr, std::time::Duration::from_millis(300)).await;
    let b_path = acc.dir.path().join("b.sqlite");
    {
        let b = Store::open(&b_path).await.unwrap();
        b.login(&proxy, "ana@example.com", PASSWORD, &FileSecrets::beside_store(&b_path))
            .await
            .unwrap();
    }
    let cursor_of = |path: PathBuf| async move {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .read_only(true);
        let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
        let c: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key LIKE 'sync.cursor:%'")
                .fetch_optional(&mut conn)
                .await
                .unwrap();
        sqlx::Connection::close(conn).await.unwrap();
        c.and_then(|c| c.parse::<i64>().ok()).unwrap_or(0)
    };
    slow.store(true, Ordering::SeqCst);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("roadie"))
        .env_remove("ROADIE_DB")
        .arg("--db")
        .arg(&b_path)
        .args(["sync", "--json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed as soon as its first page is in (the next ones crawl through the slow link).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync finished before it could be killed"
        );
        if cursor_of(b_path.clone()).await > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no page arrived");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = cursor_of(b_path.clone()).await;
    assert!(
        at_kill > 0 && at_kill < (N + 1) as i64,
        "killed mid-pull (cursor {at_kill} of {})",
        N + 1
    );

    // Sync again (full speed): it resumes after the cursor, applies the rest once, converges.
    slow.store(false, Ordering::SeqCst);
    let out = tokio::task::spawn_blocking({
        let b_path = b_path.clone();
        move || {
            assert_cmd::Command::cargo_bin("roadie")
                .unwrap()
                .env_remove("ROADIE_DB")
                .arg("--db")
                .arg(&b_path)
                .args(["sync", "--json"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["pulled"].as_i64().unwrap() + at_kill,
        (N + 1) as i64,
        "the second sync pulled exactly what the first had not applied"
    );
    assert_eq!(report["pushed"], 0, "nothing of A's came back as B's own change");
    let b = Store::open(&b_path).await.unwrap();
    assert_eq!(b.list_artists(ws.id).await.unwrap().len() as u64, N);
    let status = b.sync_status().await.unwrap();
    assert!(status.errors.is_empty(), "{:?}", status.errors);
    assert_eq!(status.pending_changes, 0);
    drop(b);
    assert_eq!(snapshot(&a.path).await, snapshot(&b_path).await);
}

// ---------------------------------------------------------------------------------------------
// Benchmark (bench/sync.sh runs it; ignored in the test suite)

/// A TCP forwarder counting bytes each way.
async fn counting_proxy(upstream: std::net::SocketAddr) -> (String, std::sync::Arc<[std::sync::atomic::AtomicU64; 2]>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let c = counts.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let c = c.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { return };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let c2 = c.clone();
                let up = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        c2[0].fetch_add(n as u64, Ordering::Relaxed);
                    }
                });
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n) = sr.read(&mut buf).await {
                    if n == 0 || cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    c[1].fetch_add(n as u64, Ordering::Relaxed);
                }
                up.abort();
            });
        }
    });
    (format!("http://{addr}"), counts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: bench/sync.sh"]
async fn bench_sync() {
    use std::sync::atomic::Ordering;
    use std::time::Instant;
    let n: u64 = std::env::var("ROADIE_SYNC_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    srv.signup("ana@example.com", "Ana").await;
    let dir = tempfile::tempdir().unwrap();
    let a = Device::new(dir.path(), "a", &srv.base, "ana@example.com").await;
    let b = Device::new(dir.path(), "b", &srv.base, "ana@example.com").await;
    let ws = a.store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap();
    // N artists in one transaction (the triggers queue one change each).
    {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&a.path);
        let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
        let sql = format!(
            "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < {n})
             INSERT INTO artists (id, workspace_id, name, sort_name, created_at, updated_at, hlc)
             SELECT printf('00000000-0000-7000-8000-%012d', x), '{ws}', 'Artist ' || x, 'Artist ' || x,
                    '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', printf('%015d-00000-bench', 1000000 + x) FROM i",
            ws = ws.id
        );
        sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
        sqlx::Connection::close(conn).await.unwrap();
    }
    let quiet = |_: &SyncProgress| {};
    let (acc_a, direct_a) = a.store.platform_client(&FileSecrets::beside_store(&a.path)).await.unwrap();
    let (acc_b, direct_b) = b.store.platform_client(&FileSecrets::beside_store(&b.path)).await.unwrap();
    let (proxy, bytes) = counting_proxy(srv.addr).await;
    // CPU of this process (both clients and the server; PostgreSQL runs apart), from /proc.
    let cpu = || -> f64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
        (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
    };
    let c0 = cpu();
    let t = Instant::now();
    let pushed = a.store.sync_with(&acc_a, &direct_a.via(&proxy).unwrap(), &quiet, &SyncCancel::default()).await.unwrap();
    let push_s = t.elapsed().as_secs_f64();
    let c1 = cpu();
    let up = bytes[0].load(Ordering::Relaxed) + bytes[1].load(Ordering::Relaxed);
    let t = Instant::now();
    let pulled = b.store.sync_with(&acc_b, &direct_b.via(&proxy).unwrap(), &quiet, &SyncCancel::default()).await.unwrap();
    let pull_s = t.elapsed().as_secs_f64();
    let c2 = cpu();
    let total = bytes[0].load(Ordering::Relaxed) + bytes[1].load(Ordering::Relaxed);
    assert_eq!(b.store.list_artists(ws.id).await.unwrap().len() as u64, n);
    let mut noop = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let r = b.store.sync_with(&acc_b, &direct_b, &quiet, &SyncCancel::default()).await.unwrap();
        noop.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.pushed + r.pulled, 0);
    }
    noop.sort_by(|x, y| x.partial_cmp(y).unwrap());
    println!("| measure | value |");
    println!("|---|---|");
    println!("| changes | {n} (pushed {}, pulled {}) |", pushed.pushed, pulled.pulled);
    println!("| push A -> server | {push_s:.2} s ({:.0} changes/s) |", n as f64 / push_s);
    println!("| pull server -> B | {pull_s:.2} s ({:.0} changes/s) |", n as f64 / pull_s);
    println!("| A -> server -> B total | {:.2} s |", push_s + pull_s);
    println!("| CPU of client + server (not PostgreSQL), push / pull | {:.2} s / {:.2} s |", c1 - c0, c2 - c1);
    println!("| load average (1 min) at the end | {} |", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split(' ').next().unwrap_or("?"));
    println!("| bytes on the wire per change, push (both directions) | {:.0} |", up as f64 / n as f64);
    println!("| bytes on the wire per change, pull (both directions) | {:.0} |", (total - up) as f64 / n as f64);
    println!("| no-op sync round trip, median of 21 | {:.1} ms |", noop[10]);
}

/// The ledger's set-up (payees, a split with its shares, an advance, exchange rates) made on one
/// device is on the other after a sync; the same ECB file imported on both is one set of rates,
/// not a clash; a split changed on both sides while offline ends the same everywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_set_up_syncs_and_the_same_rates_imported_twice_are_one() {
    use roadie::royalties::{AdvanceInput, AdvanceKind, PayeeInput, Share, SplitInput, SplitScope, SplitTarget};
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let acc = Account::on_devices("label@example.com", &["a", "b"], WorkspaceKind::Label).await;
    let (a, b, ws) = (&acc.devices[0], &acc.devices[1], &acc.ws);
    let artist = a.store.create_artist(ws.id, ArtistInput::named("Ana")).await.unwrap();
    let release = a
        .store
        .create_release(ws.id, ReleaseInput::new("Songs", ReleaseType::Album, vec![artist.id]))
        .await
        .unwrap()
        .release;
    let ana = a
        .store
        .create_payee(Some(ws.id), PayeeInput { artist_id: Some(artist.id), ..PayeeInput::named("Ana") })
        .await
        .unwrap();
    let producer = a.store.create_payee(None, PayeeInput::named("Producer")).await.unwrap();
    let pct = |s: &str| Decimal::from_str(s).unwrap();
    let split = |shares: [(Uuid, &str); 2]| SplitInput {
        target: SplitTarget::Release(release.id),
        shares: shares.iter().map(|(p, s)| Share { payee_id: *p, percent: pct(s) }).collect(),
        effective_from: None,
    };
    a.store.set_split(split([(ana.id, "70"), (producer.id, "30")])).await.unwrap();
    a.store
        .add_advance(AdvanceInput { kind: AdvanceKind::Recording, release_id: Some(release.id), note: Some("studio".into()), ..AdvanceInput::new(producer.id, pct("250.00"), "USD", chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()) })
        .await
        .unwrap();
    // The same ECB history imported on both devices before either syncs.
    let ecb = acc.dir.path().join("eurofxref-hist.csv");
    std::fs::write(&ecb, "Date,USD,CNY,\n2026-01-06,1.0919,7.8128,\n2026-01-05,1.0956,7.8193,\n").unwrap();
    a.store.import_ecb_rates(&ecb).await.unwrap();
    b.store.import_ecb_rates(&ecb).await.unwrap();
    let devices = &acc.devices;
    sync_until_quiet(devices, &[0, 1]).await;
    assert_eq!(
        b.store.list_payees().await.unwrap().iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        vec!["Ana", "Producer"]
    );
    let on_b = b.store.split_history(SplitScope::Release, release.id).await.unwrap();
    assert_eq!(on_b, a.store.split_history(SplitScope::Release, release.id).await.unwrap());
    assert_eq!(on_b.len(), 1);
    assert_eq!(on_b[0].shares.iter().map(|s| s.percent).collect::<Vec<_>>(), vec![pct("70"), pct("30")]);
    let advances = b.store.list_advances(producer.id).await.unwrap();
    assert_eq!((advances.len(), advances[0].amount), (1, pct("250.00")));
    assert_eq!(b.store.list_rates("EUR", "CNY", 10).await.unwrap().len(), 2, "one row per day, not one per device");
    assert_eq!(
        b.store.rate_on("USD", "CNY", chrono::NaiveDate::from_ymd_opt(2026, 1, 7).unwrap()).await.unwrap().rate,
        (pct("7.8128") / pct("1.0919")).round_dp(10).normalize()
    );
    // Offline, each device sets a new split of the release; after the sync the later version is
    // the one in force on both, the other kept as history.
    a.store.set_split(split([(ana.id, "50"), (producer.id, "50")])).await.unwrap();
    b.store.set_split(split([(ana.id, "60"), (producer.id, "40")])).await.unwrap();
    sync_until_quiet(devices, &[1, 0]).await;
    let history = a.store.split_history(SplitScope::Release, release.id).await.unwrap();
    assert_eq!(history, b.store.split_history(SplitScope::Release, release.id).await.unwrap());
    let live: Vec<_> = history.iter().filter(|s| !s.superseded).collect();
    assert_eq!(live.len(), 1, "{history:?}");
    assert_eq!(live[0].shares.iter().map(|s| s.percent).collect::<Vec<_>>(), vec![pct("60"), pct("40")], "B's is the later version");
    assert_eq!(snapshot(&a.path).await, snapshot(&b.path).await);
}

/// The same fan typed in on two devices while offline (same e-mail), with the same consent
/// recorded on both: after a sync one contact, one consent event, no sync error; the fields both
/// set differently are a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_fan_added_on_two_devices_offline_is_one_contact_after_a_sync() {
    use roadie::fans::{ConsentInput, ConsentStatus, ContactInput};
    let acc = Account::on_devices("fans@example.com", &["a", "b"], WorkspaceKind::Artist).await;
    let (devices, ws) = (&acc.devices, &acc.ws);
    sync_until_quiet(devices, &[0, 1]).await;
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T19:30:00Z").unwrap().with_timezone(&chrono::Utc);
    let mut ids = Vec::new();
    for (d, city) in devices.iter().zip(["Shanghai", "Hangzhou"]) {
        let input = ContactInput {
            name: Some("周杰伦".into()),
            emails: vec!["Jay@Example.com ".into()],
            city: Some(city.into()),
            ..Default::default()
        };
        let c = d.store.create_contact(ws.id, input, "merch table").await.unwrap();
        let consent = ConsentInput { status: ConsentStatus::OptedIn, at, source: "merch table sign-up".into(), wording: None };
        d.store.record_consent(c.id, consent).await.unwrap();
        ids.push(c.id);
    }
    assert_eq!(ids[0], ids[1], "the contact's id follows from its e-mail");
    sync_until_quiet(devices, &[0, 1]).await;
    for d in devices {
        let found = d.store.search_contacts(ws.id, "jay@example.com", 10).await.unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        let record = d.store.contact_record(ids[0]).await.unwrap();
        assert_eq!(record.consent_events.len(), 1, "one consent event: {:?}", record.consent_events);
    }
    let conflicts = conflict_fields(&devices[0].path).await;
    assert!(conflicts.iter().any(|(t, _, c)| t == "contacts" && c == "city"), "{conflicts:?}");
    assert_eq!(snapshot(&devices[0].path).await, snapshot(&devices[1].path).await);
}

/// An artist's album with one track, made on the first device and synced to both.
async fn album_on_both(devices: &[Device], ws: Uuid, track: &str) -> (roadie::catalog::Release, roadie::catalog::Track) {
    let artist = devices[0].store.create_artist(ws, ArtistInput::named("Artist")).await.unwrap();
    let release = devices[0]
        .store
        .create_release(ws, ReleaseInput::new("Album", ReleaseType::Album, vec![artist.id]))
        .await
        .unwrap()
        .release;
    let track = devices[0].store.add_track(release.id, TrackInput::titled(track)).await.unwrap();
    sync_until_quiet(devices, &[0, 1]).await;
    (release, track)
}

/// Things named by the user and made on two devices while offline under the same name (a
/// segment, a column mapping, an unmatched-queue rule for one ISRC) are one row each after a
/// sync, never a unique-index sync error; what the two made differently is a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_segment_mapping_and_rule_made_on_two_devices_offline_are_one_each() {
    use roadie::fans::ContactFilter;
    use roadie::royalties::{AssignBy, AssignTarget, ColumnMapping};
    let acc = Account::on_devices("names@example.com", &["a", "b"], WorkspaceKind::Artist).await;
    let (devices, ws) = (&acc.devices, &acc.ws);
    let (_, track) = album_on_both(devices, ws.id, "Song").await;

    let header: Vec<String> = ["Month", "Store", "Amount", "Currency"].iter().map(|h| h.to_string()).collect();
    for (d, tag) in devices.iter().zip(["vip", "fan-club"]) {
        let filter = ContactFilter { tags: vec![tag.into()], ..Default::default() };
        d.store.save_segment(ws.id, "Best fans", &filter).await.unwrap();
        let mapping = ColumnMapping {
            reporting_period: "Month".into(),
            store: Some("Store".into()),
            amount: "Amount".into(),
            currency: Some("Currency".into()),
            ..ColumnMapping::default()
        };
        d.store.save_mapping("Label sheet", &header, mapping).await.unwrap();
        d.store.assign_unmatched(AssignBy::Isrc { isrc: "QZAAA2300009".into() }, AssignTarget::Track(track.id)).await.unwrap();
    }
    sync_until_quiet(devices, &[0, 1]).await;
    for d in devices {
        assert!(d.store.sync_status().await.unwrap().errors.is_empty(), "{:?}", d.store.sync_status().await.unwrap().errors);
        assert_eq!(d.store.list_segments(ws.id).await.unwrap().len(), 1);
        assert_eq!(d.store.list_mappings().await.unwrap().len(), 1);
    }
    let conflicts = conflict_fields(&devices[0].path).await;
    assert!(conflicts.iter().any(|(t, _, c)| t == "segments" && c == "filter"), "{conflicts:?}");
    assert_eq!(snapshot(&devices[0].path).await, snapshot(&devices[1].path).await);
}

/// A track added to one release on each of two devices while offline: both take the next
/// position; after a sync both tracks are on both devices (the second was refused by a unique
/// index at the pull before: a sync error, the track missing there), listed alike, and the
/// release's readiness asks to renumber them; editing either still works, and moving one to a
/// free position clears it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracks_added_to_one_release_on_two_devices_offline_are_both_kept() {
    let acc = Account::on_devices("tracks@example.com", &["a", "b"], WorkspaceKind::Artist).await;
    let (devices, ws) = (&acc.devices, &acc.ws);
    let (release, _) = album_on_both(devices, ws.id, "Intro").await;
    let a = devices[0].store.add_track(release.id, TrackInput::titled("On the plane")).await.unwrap();
    let b = devices[1].store.add_track(release.id, TrackInput::titled("In the office")).await.unwrap();
    assert_eq!((a.position, b.position), (2, 2));
    sync_until_quiet(devices, &[0, 1]).await;
    let mut lists: Vec<Vec<String>> = Vec::new();
    for d in devices {
        lists.push(d.store.list_tracks(release.id).await.unwrap().into_iter().map(|t| t.title).collect());
    }
    assert_eq!(lists[0].len(), 3, "{lists:?}");
    assert_eq!(lists[0], lists[1]);
    let readiness = devices[1].store.check_release(release.id).await.unwrap();
    assert!(readiness.problems.iter().any(|p| p.code == "track_position_shared"), "{:?}", readiness.problems);
    // Either can still be edited where it is; moving one to a free position settles it.
    devices[1].store.update_track(a.id, TrackInput { position: Some(2), ..TrackInput::titled("On the plane (edit)") }).await.unwrap();
    devices[1].store.update_track(b.id, TrackInput { position: Some(3), ..TrackInput::titled("In the office") }).await.unwrap();
    sync_until_quiet(devices, &[1, 0]).await;
    let readiness = devices[0].store.check_release(release.id).await.unwrap();
    assert!(!readiness.problems.iter().any(|p| p.code == "track_position_shared"), "{:?}", readiness.problems);
    assert_eq!(snapshot(&devices[0].path).await, snapshot(&devices[1].path).await);
}

/// The same Mailchimp list imported on two devices before either syncs: one contact per fan,
/// with one consent event and one sign-up each, and no conflict (the lists agree).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_list_imported_on_two_devices_is_one_contact_per_fan() {
    use roadie::fans::import::FanImportOptions;
    use roadie::fans::ContactFilter;
    use roadie::jobs::CancelToken;
    let acc = Account::on_devices("list@example.com", &["a", "b"], WorkspaceKind::Artist).await;
    let (devices, ws) = (&acc.devices, &acc.ws);
    sync_until_quiet(devices, &[0, 1]).await;
    let mut list = String::from("Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n");
    for i in 0..300 {
        list.push_str(&format!("fan{i}@example.com,Fan,林{i},Chengdu,CN,\"vip\",2026-01-02 03:04:05,2\n"));
    }
    let path = acc.dir.path().join("subscribed_members_export.csv");
    std::fs::write(&path, &list).unwrap();
    for d in devices {
        d.store.import_fans(ws.id, &path, &FanImportOptions::default(), &|_| {}, &CancelToken::new()).await.unwrap();
    }
    sync_until_quiet(devices, &[0, 1]).await;
    assert_eq!(snapshot(&devices[0].path).await, snapshot(&devices[1].path).await);
    assert!(conflict_fields(&devices[0].path).await.is_empty(), "{:?}", conflict_fields(&devices[0].path).await);
    for d in devices {
        assert_eq!(d.store.count_contacts(ws.id, &ContactFilter::default()).await.unwrap(), 300);
        let fan = d.store.search_contacts(ws.id, "fan7@example.com", 5).await.unwrap();
        let record = d.store.contact_record(fan[0].id).await.unwrap();
        assert_eq!((record.consent_events.len(), record.activities.len()), (1, 1), "{record:?}");
    }
}

/// The same fans on two different lists, imported on two devices before either syncs, and one
/// of them also typed in by hand on the first: each device made its own ids. After a sync every
/// fan is one contact everywhere, with both lists' tags, sources, consent and sign-ups, the hand-
/// typed notes kept, nothing parked in sync errors, and the stores equal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_fans_on_two_lists_imported_on_two_devices_merge_into_one_contact_each() {
    use roadie::fans::import::FanImportOptions;
    use roadie::fans::{ContactFilter, ContactInput};
    use roadie::jobs::CancelToken;
    let acc = Account::on_devices("lists@example.com", &["a", "b"], WorkspaceKind::Artist).await;
    let (devices, ws) = (&acc.devices, &acc.ws);
    sync_until_quiet(devices, &[0, 1]).await;
    // Device a: a Mailchimp audience, fans 0–199; device b: a merch-table sheet, fans 100–299.
    let mut mailchimp = String::from("Email Address,First Name,Last Name,City,Country,TAGS,OPTIN_TIME,MEMBER_RATING\n");
    for i in 0..200 {
        mailchimp.push_str(&format!("fan{i}@example.com,Fan,林{i},,CN,\"vip\",2026-01-02 03:04:05,2\n"));
    }
    let mut sheet = String::from("姓名,邮箱,城市,国家\n");
    for i in 100..300 {
        sheet.push_str(&format!("林{i},FAN{i}@example.com ,成都,CN\n"));
    }
    let (list_a, list_b) = (acc.dir.path().join("subscribed_members_export.csv"), acc.dir.path().join("merch-sheet.csv"));
    std::fs::write(&list_a, &mailchimp).unwrap();
    std::fs::write(&list_b, &sheet).unwrap();
    let quiet = (&|_| {}, &CancelToken::new());
    devices[0].store.import_fans(ws.id, &list_a, &FanImportOptions::default(), quiet.0, quiet.1).await.unwrap();
    let typed = ContactInput { emails: vec!["fan250@example.com".into()], notes: Some("met at the Chengdu show".into()), ..Default::default() };
    devices[0].store.create_contact(ws.id, typed, "manual").await.unwrap();
    devices[1].store.import_fans(ws.id, &list_b, &FanImportOptions::default(), quiet.0, quiet.1).await.unwrap();

    sync_until_quiet(devices, &[0, 1]).await;
    assert_eq!(snapshot(&devices[0].path).await, snapshot(&devices[1].path).await);
    for d in devices {
        let status = d.store.sync_status().await.unwrap();
        assert!(status.errors.is_empty(), "{:?}", status.errors);
        assert_eq!(d.store.count_contacts(ws.id, &ContactFilter::default()).await.unwrap(), 300);
        let both = d.store.search_contacts(ws.id, "fan150@example.com", 5).await.unwrap();
        assert_eq!(both.len(), 1, "{both:?}");
        let record = d.store.contact_record(both[0].id).await.unwrap();
        let c = &record.contact;
        assert_eq!((c.city.as_deref(), c.country.as_deref()), (Some("成都"), Some("CN")), "{c:?}");
        assert!(c.tags.contains(&"vip".to_string()), "{c:?}");
        assert_eq!(c.sources.len(), 2, "both lists: {c:?}");
        assert_eq!(record.consent_events.len(), 1, "{record:?}");
        let typed = d.store.search_contacts(ws.id, "fan250@example.com", 5).await.unwrap();
        assert_eq!(typed.len(), 1, "{typed:?}");
        let record = d.store.contact_record(typed[0].id).await.unwrap();
        assert_eq!(record.contact.notes.as_deref(), Some("met at the Chengdu show"), "{record:?}");
        assert_eq!(record.contact.city.as_deref(), Some("成都"));
        // Search finds the merged fan by the other list's name too.
        assert_eq!(d.store.search_contacts(ws.id, "林150", 5).await.unwrap().len(), 1);
    }
}

/// A store file copied to a second machine keeps its node id, so both copies make the same change
/// ids. The server refuses a change whose id it applied for another change
/// (`sync_change_id_reused`) instead of dropping it as a retry; the copy then takes a new node id
/// and pushes again, so every edit of both copies lands everywhere, with nothing refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_store_takes_a_new_node_id_and_the_edits_of_both_copies_land_everywhere() {
    let mut acc = Account::on_devices("copy@example.com", &["a", "c"], WorkspaceKind::Label).await;
    let ws = acc.ws.id;
    let shared = acc.devices[0].store.create_artist(ws, ArtistInput::named("Shared")).await.unwrap();
    sync_until_quiet(&acc.devices, &[0, 1]).await;

    // The copy: the file (checkpointed by close) and its sign-in, on "another machine".
    let a = acc.devices.remove(0);
    let (a_path, b_path) = (a.path.clone(), acc.dir.path().join("b.sqlite"));
    a.store.close().await;
    std::fs::copy(&a_path, &b_path).unwrap();
    let secrets = |p: &Path| FileSecrets::beside_store(p).path().to_path_buf();
    std::fs::copy(secrets(&a_path), secrets(&b_path)).unwrap();
    let a = Device { store: Store::open(&a_path).await.unwrap(), path: a_path };
    let b = Device { store: Store::open(&b_path).await.unwrap(), path: b_path };
    async fn node(d: &Device) -> String {
        d.store.setting("node_id").await.unwrap().unwrap()
    }
    async fn pending(d: &Device) -> u64 {
        d.store.sync_status().await.unwrap().pending_changes
    }
    let old_node = node(&a).await;
    assert_eq!(node(&b).await, old_node);

    // Both edit while offline: new artists (same outbox ids on both, so the same change ids),
    // and different fields of the artist they share.
    let mut names = Vec::new();
    for (d, tag) in [(&a, "A"), (&b, "B")] {
        for i in 0..3 {
            let name = format!("Artist {tag}{i}");
            d.store.create_artist(ws, ArtistInput::named(&name)).await.unwrap();
            names.push(name);
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut edit = ArtistInput::named("Shared");
    edit.sort_name = Some("Shared, The".into());
    a.store.update_artist(shared.id, edit).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut edit = ArtistInput::named("Shared (renamed on B)");
    edit.sort_name = Some(shared.sort_name.clone());
    b.store.update_artist(shared.id, edit).await.unwrap();
    let (a_pending, b_pending) = (pending(&a).await, pending(&b).await);
    assert!(a_pending >= 4 && b_pending >= 4, "{a_pending} {b_pending}");

    let ra = a.sync().await.unwrap();
    assert!(ra.refused.is_empty(), "{:?}", ra.refused);
    assert_eq!(ra.pushed, a_pending);
    // B's ids collide with A's: refused as reused, B takes a new node id and pushes them again.
    let rb = b.sync().await.unwrap();
    assert!(rb.refused.is_empty(), "{:?}", rb.refused);
    assert_eq!(rb.pushed, b_pending);
    assert_eq!(pending(&b).await, 0);
    assert_ne!(node(&b).await, old_node);
    assert_eq!(node(&a).await, old_node);
    assert!(b.store.sync_status().await.unwrap().errors.is_empty());

    let c = acc.devices.remove(0);
    let devices = [a, b, c];
    sync_until_quiet(&devices, &[0, 1, 2]).await;
    let first = snapshot(&devices[0].path).await;
    for d in &devices[1..] {
        assert_eq!(snapshot(&d.path).await, first);
    }
    for d in &devices {
        let artists = d.store.list_artists(ws).await.unwrap();
        for name in &names {
            assert!(artists.iter().any(|x| &x.name == name), "{name} missing on {}", d.path.display());
        }
        let s = artists.iter().find(|x| x.id == shared.id).unwrap();
        assert_eq!(s.name, "Shared (renamed on B)");
        assert_eq!(s.sort_name, "Shared, The");
    }
    // A new edit on the copy syncs under its new id, and the original's under the old one.
    devices[1].store.create_artist(ws, ArtistInput::named("After")).await.unwrap();
    devices[0].store.create_artist(ws, ArtistInput::named("After on A")).await.unwrap();
    sync_until_quiet(&devices, &[1, 0, 2]).await;
    for d in &devices {
        let artists = d.store.list_artists(ws).await.unwrap();
        assert!(artists.iter().any(|x| x.name == "After") && artists.iter().any(|x| x.name == "After on A"));
    }
}
