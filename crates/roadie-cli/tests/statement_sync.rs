//! Royalty statement files and what is issued from them, synced end to end: real PostgreSQL, the
//! platform server on loopback, two devices of one account. A file imported on one device is
//! fetched and imported on the other with the same lines; offline imports go up at the next sync;
//! a file whose bytes cannot be fetched is reported and retried, never fatal.

#[path = "../../../platform/tests/common/mod.rs"]
mod common;

use common::{proxy_cutting_once, Pg, Server, PASSWORD};
use roadie::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
use roadie::platform::FileSecrets;
use roadie::royalties::ImportOptions;
use roadie::sync::{SyncCancel, SyncProgress, SyncReport};
use roadie::Store;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[path = "common/mod.rs"]
mod cli_common;
use cli_common::{dk, dsr_fixture};


struct Device {
    path: PathBuf,
    store: Store,
}

/// An account (solo@example.com) with two devices: `a` has never signed in, `b` is signed in.
struct SoloAccount {
    // (Dropped in this order: the devices, their files, the server, PostgreSQL.)
    b: Device,
    a: Device,
    dir: tempfile::TempDir,
    srv: Server,
    _pg: Pg,
}

impl SoloAccount {
    const EMAIL: &'static str = "solo@example.com";

    async fn start() -> SoloAccount {
        let pg = Pg::start();
        let srv = Server::start(&pg).await;
        srv.signup(Self::EMAIL, "Solo").await;
        let dir = tempfile::tempdir().unwrap();
        let a_path = dir.path().join("a.sqlite");
        let a = Device { store: Store::open(&a_path).await.unwrap(), path: a_path };
        let b = Device::new(dir.path(), "b", &srv.base, Self::EMAIL).await;
        SoloAccount { b, a, dir, srv, _pg: pg }
    }
}

impl Device {
    async fn new(dir: &Path, name: &str, server: &str, email: &str) -> Device {
        let path = dir.join(format!("{name}.sqlite"));
        let store = Store::open(&path).await.unwrap();
        store.login(server, email, PASSWORD, &FileSecrets::beside_store(&path)).await.unwrap();
        Device { path, store }
    }

    async fn sync(&self) -> SyncReport {
        self.store
            .sync(&FileSecrets::beside_store(&self.path), &|_: &SyncProgress| {}, &SyncCancel::default())
            .await
            .unwrap()
    }

    /// Syncs and returns the statement-file progress it reported, (done, total) in order.
    async fn sync_counting_files(&self) -> Vec<(u64, u64)> {
        let seen = std::sync::Mutex::new(Vec::new());
        let progress = |p: &SyncProgress| {
            if p.phase == roadie::sync::SyncPhase::Files {
                seen.lock().unwrap().push((p.done, p.total));
            }
        };
        self.store.sync(&FileSecrets::beside_store(&self.path), &progress, &SyncCancel::default()).await.unwrap();
        seen.into_inner().unwrap()
    }

    async fn import(&self, path: &Path) -> roadie::royalties::ImportReport {
        self.store.import_statement(path, &ImportOptions::default()).await.unwrap()
    }

    /// Every line by (file hash, line number), with every value a line holds (ids excluded).
    async fn lines(&self) -> Vec<Value> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT json_object('file', f.content_hash, 'line', l.line_no, 'reporting', l.reporting_period, 'sale', l.sale_period, \
             'store', l.store, 'territory', l.territory, 'usage', l.usage_type, 'isrc', l.isrc, 'upc', l.upc, 'title', l.title, \
             'artist', l.artist, 'units', l.units, 'amount', l.amount, 'currency', l.currency, 'raw', l.raw, 'track', l.track_id, \
             'release', l.release_id, 'matched_by', l.matched_by) \
             FROM statement_lines l JOIN statement_files f ON f.seq = l.file_seq ORDER BY f.content_hash, l.line_no",
        )
        .fetch_all(&self.pool().await)
        .await
        .unwrap();
        rows.iter().map(|r| serde_json::from_str(r).unwrap()).collect()
    }

    async fn pool(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&self.path).read_only(true)).await.unwrap()
    }

    async fn errors(&self) -> Vec<roadie::sync::SyncError> {
        self.store.sync_status().await.unwrap().errors
    }
}

struct Setup {
    artist: uuid::Uuid,
    /// The label "Night Owl".
    label: uuid::Uuid,
    a: Device,
    b: Device,
    dir: tempfile::TempDir,
    srv: Server,
    _pg: Pg,
}

impl Setup {
    /// staff@example.com signed up, on a device of its own (not yet in the label).
    async fn staff(&self) -> Device {
        self.srv.signup("staff@example.com", "Staff").await;
        Device::new(self.dir.path(), "staff", &self.srv.base, "staff@example.com").await
    }
}

/// One account on devices A and B; on A a label with an artist, a release and a track whose
/// ISRC the statements name, synced to B.
async fn setup() -> Setup {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let email = "label@example.com";
    srv.signup(email, "Owner").await;
    let dir = tempfile::tempdir().unwrap();
    let a = Device::new(dir.path(), "a", &srv.base, email).await;
    let b = Device::new(dir.path(), "b", &srv.base, email).await;
    let ws = a.store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "Night Owl".into() }).await.unwrap();
    let artist = a.store.create_artist(ws.id, ArtistInput::named("Artist 1")).await.unwrap();
    let release = a
        .store
        .create_release(ws.id, ReleaseInput::new("Album", ReleaseType::Album, vec![artist.id]))
        .await
        .unwrap()
        .release;
    a.store
        .add_track(release.id, TrackInput { isrc: Some("USAAA1234567".into()), ..TrackInput::titled("Song 1") })
        .await
        .unwrap();
    a.sync().await;
    b.sync().await;
    Setup { artist: artist.id, label: ws.id, a, b, dir, srv, _pg: pg }
}

/// Deletes the platform's copy of a statement file `a` sent (as if storage lost it); returns where
/// it was, to put it back.
async fn lose_on_platform(s: &Setup, a: &Device, text: &str) -> object_store::path::Path {
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(text.as_bytes()))
    };
    let me = a.store.account().await.unwrap().unwrap();
    let object = object_store::path::Path::from(format!("statement-files/{}/{hash}", me.workspace_id));
    s.srv.state.store.delete(&object).await.unwrap();
    object
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_files_imported_on_one_device_are_imported_on_the_other_with_the_same_lines() {
    let s = setup().await;
    let (a, b) = (&s.a, &s.b);
    let march = write(s.dir.path(), "march.tsv", &dk(&[
        "2026-04-02\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3\t100\tSong\tUS\t0\t0.0123456789",
        "2026-04-02\t2026-03\tDeezer\tArtist 1\tSong 1\t\t\t1\t100\tSong\tFR\t0\t1,000.5",
        "2026-04-02\t2026-03\tSpotify\tNobody\tUnknown\t\t\t2\t100\tSong\tUS\t0\t(0.5)",
    ]));
    assert_eq!(a.import(&march).await.imported, 3);
    assert_eq!(a.import(&dsr_fixture()).await.imported, 6);
    assert_eq!(a.store.statement_files_to_upload().await.unwrap(), 2, "kept for the next sync");
    assert_eq!(a.sync_counting_files().await, [(0, 2), (1, 2), (2, 2)], "uploads, file by file");
    assert_eq!(a.store.statement_files_to_upload().await.unwrap(), 0, "{:?}", a.errors().await);
    assert_eq!(b.sync_counting_files().await, [(0, 2), (1, 2), (2, 2)], "downloads and imports, file by file");
    assert!(b.errors().await.is_empty(), "{:?}", b.errors().await);
    assert_eq!(b.store.statement_files_missing().await.unwrap(), 0);
    let lines = a.lines().await;
    assert_eq!(lines.len(), 9);
    assert_eq!(b.lines().await, lines, "same file, same line numbers, same values, same matches");
    use roadie::royalties::{ReportBy, ReportFilter};
    for by in [ReportBy::Store, ReportBy::Territory, ReportBy::Track] {
        assert_eq!(
            b.store.royalty_report(by, &ReportFilter::default()).await.unwrap(),
            a.store.royalty_report(by, &ReportFilter::default()).await.unwrap()
        );
    }
    // Again on B: the same file is a duplicate there too.
    assert!(b.import(&march).await.duplicate_file);

    // B imports while offline (no sync), then syncs: A gets it. The same file imported on both
    // before either syncs is one file row (its id derives from its hash), not a clash.
    let april = write(s.dir.path(), "april.tsv", &dk(&["2026-05-02\t2026-04\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t7\t100\tSong\tDE\t0\t0.07"]));
    let both = write(s.dir.path(), "both.tsv", &dk(&["2026-05-02\t2026-04\tTidal\tArtist 1\tSong 1\tUSAAA1234567\t\t1\t100\tSong\tNO\t0\t0.01"]));
    b.import(&april).await;
    b.import(&both).await;
    a.import(&both).await;
    b.sync().await;
    a.sync().await;
    b.sync().await;
    for d in [a, b] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
        assert_eq!(d.store.statement_files_missing().await.unwrap(), 0);
    }
    assert_eq!(a.lines().await.len(), 11);
    assert_eq!(a.lines().await, b.lines().await);
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM statement_files").fetch_one(&a.pool().await).await.unwrap();
    assert_eq!(files, 4);
}

/// A statement file's upload cut off midway goes on from where the platform stands (tus), not
/// from its first byte, and the other device gets every line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_statement_file_upload_goes_on_where_the_platform_stands() {
    let s = setup().await;
    // A device of the same account that reaches the platform through a proxy cutting the first
    // connection that carries more than 400 kB: the upload of a ~1.3 MB statement.
    let (proxy, has_cut) = proxy_cutting_once(s.srv.addr, 400_000).await;
    let c = Device::new(s.dir.path(), "c", &proxy, "label@example.com").await;
    c.sync().await;
    let rows: Vec<String> = (0..15_000)
        .map(|i| format!("2026-03-31\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t{}\t100\tSong\tUS\t0\t0.{i:04}", i % 7 + 1))
        .collect();
    let text = dk(&rows.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(text.len() > 1_000_000, "{}", text.len());
    let big = write(s.dir.path(), "big.tsv", &text);
    assert_eq!(c.import(&big).await.imported, 15_000);
    c.sync().await;
    assert!(has_cut.load(std::sync::atomic::Ordering::SeqCst), "the proxy cut the upload");
    assert!(c.errors().await.is_empty(), "{:?}", c.errors().await);
    assert_eq!(c.store.statement_files_to_upload().await.unwrap(), 0);
    // One upload, in parts: the first from 0 (cut), the next from where it stopped.
    let parts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT p.part_offset, p.length FROM upload_parts p JOIN uploads u ON u.id = p.upload_id \
         WHERE u.metadata LIKE '%' || $1 || '%' ORDER BY p.part_offset",
    )
    .bind(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "statement"))
    .fetch_all(&s.srv.state.db)
    .await
    .unwrap();
    assert!(parts.len() >= 2 && parts[0].0 == 0 && parts[1].0 > 0, "{parts:?}");
    assert_eq!(parts.iter().map(|p| p.1).sum::<i64>(), text.len() as i64, "every byte sent once: {parts:?}");

    s.b.sync().await;
    assert!(s.b.errors().await.is_empty(), "{:?}", s.b.errors().await);
    assert_eq!(s.b.lines().await, c.lines().await);
    assert_eq!(s.b.lines().await.len(), 15_000);
}

/// A platform from before statement files went through tus: in front of the real one, it answers
/// a tus upload of a statement file as that platform did (`invalid_metadata`: it knew no such
/// asset) and passes every other request on unchanged.
async fn platform_without_statement_uploads(upstream: String) -> String {
    use axum::body::{to_bytes, Body};
    use axum::extract::Request;
    use axum::response::{IntoResponse, Response};
    use axum::http::StatusCode;
    let statement = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "statement");
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |req: Request| {
        let (http, upstream, statement) = (http.clone(), upstream.clone(), statement.clone());
        async move {
            let metadata = req.headers().get("upload-metadata").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            if req.method() == axum::http::Method::POST && req.uri().path() == "/v1/uploads" && metadata.contains(&format!("asset {statement}")) {
                let body = serde_json::json!({"code": "invalid_metadata", "message": "asset must be one of: audio, artwork"});
                return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
            }
            let (parts, body) = req.into_parts();
            let url = format!("{upstream}{}", parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
            let mut forward = http.request(parts.method, url);
            for (name, value) in &parts.headers {
                if name != axum::http::header::HOST {
                    forward = forward.header(name, value);
                }
            }
            let body = to_bytes(body, usize::MAX).await.unwrap();
            let answer = forward.body(body).send().await.unwrap();
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                response = response.header(name, value);
            }
            response.body(Body::from(answer.bytes().await.unwrap())).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A device syncing through a platform that takes no statement file through tus sends it with
/// the plain PUT instead: stored, and the other device gets every line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_without_statement_uploads_gets_the_file_by_put() {
    let s = setup().await;
    let older = platform_without_statement_uploads(s.srv.base.clone()).await;
    let c = Device::new(s.dir.path(), "c", &older, "label@example.com").await;
    c.sync().await;
    let text = dk(&[
        "2026-03-31\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3\t100\tSong\tUS\t0\t0.25",
        "2026-03-31\t2026-03\tDeezer\tArtist 1\tSong 1\tUSAAA1234567\t\t2\t100\tSong\tFR\t0\t1.5",
    ]);
    let file = write(s.dir.path(), "march.tsv", &text);
    assert_eq!(c.import(&file).await.imported, 2);
    c.sync().await;
    assert!(c.errors().await.is_empty(), "{:?}", c.errors().await);
    assert_eq!(c.store.statement_files_to_upload().await.unwrap(), 0);
    // No tus upload was made for it: it went by PUT.
    let tus: i64 = sqlx::query_scalar("SELECT count(*) FROM uploads WHERE metadata LIKE '%' || $1 || '%'")
        .bind(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "statement"))
        .fetch_one(&s.srv.state.db)
        .await
        .unwrap();
    assert_eq!(tus, 0);
    s.b.sync().await;
    assert!(s.b.errors().await.is_empty(), "{:?}", s.b.errors().await);
    assert_eq!(s.b.lines().await, c.lines().await);
    assert_eq!(s.b.lines().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_file_that_cannot_be_fetched_is_reported_and_fetched_at_a_later_sync() {
    let s = setup().await;
    let (a, b) = (&s.a, &s.b);
    let text = dk(&["2026-04-02\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3\t100\tSong\tUS\t0\t0.25"]);
    let file = write(s.dir.path(), "march.tsv", &text);
    a.import(&file).await;
    a.sync().await;
    // The platform loses the bytes: B gets the row but not the file.
    let object = lose_on_platform(&s, a, &text).await;
    let report = b.sync().await;
    assert!(report.pulled > 0);
    let errors = b.errors().await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].direction.as_str(), errors[0].table.as_str(), errors[0].code.as_str()), ("pull", "statement_files", "statement_file_transfer"));
    assert!(errors[0].message.contains("march.tsv"), "{}", errors[0].message);
    assert_eq!(b.store.statement_files_missing().await.unwrap(), 1);
    assert!(b.lines().await.is_empty());
    // Still missing at the next sync: one error, not one per sync.
    b.sync().await;
    assert_eq!(b.errors().await.len(), 1);
    // The bytes are back (e.g. A's user imports the file again elsewhere): fetched, imported, the
    // error gone.
    s.srv.state.store.put(&object, text.clone().into_bytes().into()).await.unwrap();
    b.sync().await;
    assert!(b.errors().await.is_empty());
    assert_eq!(b.store.statement_files_missing().await.unwrap(), 0);
    assert_eq!(b.lines().await, a.lines().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pulled_statement_file_can_be_imported_by_hand_before_its_download() {
    let s = setup().await;
    let (a, b) = (&s.a, &s.b);
    let text = dk(&["2026-04-02\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3\t100\tSong\tUS\t0\t0.25"]);
    let file = write(s.dir.path(), "march.tsv", &text);
    a.import(&file).await;
    a.sync().await;
    lose_on_platform(&s, a, &text).await;
    b.sync().await;
    assert_eq!(b.store.statement_files_missing().await.unwrap(), 1);
    // The user has the file: importing it fills the pulled row (not a duplicate, not a new row).
    let report = b.import(&file).await;
    assert!(!report.duplicate_file);
    assert_eq!(report.imported, 1);
    assert_eq!(b.store.statement_files_missing().await.unwrap(), 0);
    b.sync().await;
    assert!(b.errors().await.is_empty(), "{:?}", b.errors().await);
    assert_eq!(b.lines().await, a.lines().await);
    assert_eq!(b.store.statement_files_to_upload().await.unwrap(), 0, "a pulled file is not uploaded again");
}

/// The issued ledger (runs, payee statements, recoupments, payouts) as rows, clocks excluded.
/// A USD payee for the setup's artist on A, and a one-line March statement for their song.
async fn artist_payee_and_march(s: &Setup) -> PathBuf {
    use roadie::royalties::PayeeInput;
    s.a.store
        .create_payee(None, PayeeInput { artist_id: Some(s.artist), currency: Some("USD".into()), ..PayeeInput::named("Artist 1") })
        .await
        .unwrap();
    write(s.dir.path(), "march.tsv", &dk(&["2026-03-31\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3000\t100\tSong\tUS\t0\t150.25"]))
}

/// The artist payee and the March file, imported on A; both devices synced.
async fn march_on_both(s: &Setup) {
    let march = artist_payee_and_march(s).await;
    s.a.import(&march).await;
    s.a.sync().await;
    s.b.sync().await;
}

/// `owner` invites `email` to `workspace` with `role`; `device` (signed in as `email`) accepts.
async fn join(owner: &Device, workspace: uuid::Uuid, device: &Device, email: &str, role: roadie::platform::TeamRole, roster: Option<uuid::Uuid>) {
    let invited = owner.store.team_invite(&FileSecrets::beside_store(&owner.path), workspace, email, role, roster).await.unwrap();
    device.store.team_accept(&FileSecrets::beside_store(&device.path), invited.invitation.link.as_deref().unwrap()).await.unwrap();
}

async fn issued(d: &Device) -> Value {
    let pool = d.pool().await;
    let mut out = serde_json::Map::new();
    for (table, object, order) in [
        ("statement_runs", "'id', id, 'period', period, 'files', json(files), 'totals', json(totals), 'deleted', deleted", "id"),
        (
            "payee_statements",
            "'id', id, 'run_id', run_id, 'period', period, 'payee_id', payee_id, 'currency', currency, 'earned', earned, \
             'recouped', recouped, 'payable', payable, 'balance', balance, 'document', json(document), 'deleted', deleted",
            "id",
        ),
        ("recoupments", "'statement_id', statement_id, 'advance_id', advance_id, 'amount', amount, 'deleted', deleted", "statement_id, advance_id"),
        ("payouts", "'id', id, 'payee_id', payee_id, 'amount', amount, 'currency', currency, 'paid_on', paid_on, 'method', method, 'reference', reference, 'deleted', deleted", "id"),
    ] {
        let json: String = sqlx::query_scalar(&format!(
            "SELECT COALESCE(json_group_array(json(j)), '[]') FROM (SELECT json_object({object}) AS j FROM {table} ORDER BY {order})"
        ))
        .fetch_one(&pool)
        .await
        .unwrap();
        out.insert(table.into(), serde_json::from_str(&json).unwrap());
    }
    Value::Object(out)
}

/// A imports a DistroKid statement, issues March with a recoupment and pays the artist; B syncs
/// and has the same lines, the same run (totals, files), statements, recoupment and payout, and
/// renders the same statements. B imports April offline and syncs; A issues April from it, taking
/// only April's lines (March's were taken by the March run, on whichever device).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_run_and_payout_issued_on_one_device_are_the_same_on_the_other() {
    use roadie::royalties::{AdvanceInput, PayeeInput, PayoutInput, YearMonth};
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let s = setup().await;
    let (a, b) = (&s.a, &s.b);
    let dec = |v: &str| Decimal::from_str(v).unwrap();
    let artist = s.artist;
    let payee = a
        .store
        .create_payee(None, PayeeInput { artist_id: Some(artist), currency: Some("USD".into()), ..PayeeInput::named("Artist 1") })
        .await
        .unwrap();
    a.store
        .add_advance(AdvanceInput::new(payee.id, dec("100.00"), "USD", chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()))
        .await
        .unwrap();
    let march = write(s.dir.path(), "march.tsv", &dk(&[
        "2026-03-31\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3000\t100\tSong\tUS\t0\t150.25",
        "2026-03-31\t2026-03\tDeezer\tArtist 1\tSong 1\tUSAAA1234567\t\t100\t100\tSong\tFR\t0\t20.125",
        "2026-03-31\t2026-02\tTidal\tArtist 1\tSong 1\tUSAAA1234567\t\t10\t100\tSong\tNO\t0\t1.01",
        "2026-03-31\t2026-03\tSpotify\tNobody\tUnknown\t\t\t2\t100\tSong\tUS\t0\t0.5",
    ]));
    a.import(&march).await;
    let p_march = YearMonth::from_str("2026-03").unwrap();
    let run = a.store.generate_statements(p_march, &s.dir.path().join("a-out")).await.unwrap();
    assert_eq!(run.statements.len(), 1, "{run:?}");
    assert_eq!(run.totals[0].lines, 4);
    let payable = a.store.payable(payee.id).await.unwrap();
    assert_eq!(run.statements[0].recouped, dec("100.00"));
    assert_eq!(payable, run.statements[0].earned - dec("100"));
    assert!(run.statements[0].earned > dec("171"), "{:?}", run.statements[0]);
    a.store
        .add_payout(PayoutInput {
            payee_id: payee.id,
            amount: dec("50.00"),
            currency: "USD".into(),
            paid_on: chrono::NaiveDate::from_ymd_opt(2026, 4, 20).unwrap(),
            method: Some("bank".into()),
            reference: Some("T-1".into()),
        })
        .await
        .unwrap();
    a.sync().await;
    b.sync().await;
    assert!(b.errors().await.is_empty(), "{:?}", b.errors().await);
    assert_eq!(b.lines().await, a.lines().await);
    assert_eq!(issued(b).await, issued(a).await);
    assert_eq!(b.store.payable(payee.id).await.unwrap(), payable - dec("50"));
    assert_eq!(b.store.statement_documents(p_march).await.unwrap(), a.store.statement_documents(p_march).await.unwrap());
    let on_b = b.store.generate_statements(p_march, &s.dir.path().join("b-out")).await.unwrap();
    assert!(on_b.regenerated);
    assert_eq!(on_b.totals, run.totals);
    assert_eq!(
        std::fs::read(&on_b.statements[0].csv).unwrap(),
        std::fs::read(&run.statements[0].csv).unwrap(),
        "the same statement, byte for byte"
    );

    // April, imported on B while offline; issued on A after a sync.
    let april = write(s.dir.path(), "april.tsv", &dk(&[
        "2026-04-30\t2026-04\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t700\t100\tSong\tDE\t0\t35.00",
        "2026-04-30\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t20\t100\tSong\tDE\t0\t1.00",
    ]));
    b.import(&april).await;
    b.sync().await;
    a.sync().await;
    let p_april = YearMonth::from_str("2026-04").unwrap();
    let run = a.store.generate_statements(p_april, &s.dir.path().join("a-out")).await.unwrap();
    assert_eq!(run.totals.len(), 1);
    assert_eq!((run.totals[0].lines, run.totals[0].imported), (2, dec("36.00")), "April's file only (its line of a March sale, reported in April, included)");
    a.sync().await;
    b.sync().await;
    assert_eq!(issued(b).await, issued(a).await);
    assert_eq!(b.store.payable(payee.id).await.unwrap(), a.store.payable(payee.id).await.unwrap());
    assert!(a.errors().await.is_empty() && b.errors().await.is_empty());
}

/// The same period issued on both devices while offline, from different lines: after syncs both
/// hold one run for it (ids derived from the period and payee: not a clash on the unique index),
/// the same on both, with no sync error; where the two issues differ there are conflicts to see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_issued_on_both_devices_offline_is_one_run_after_a_sync() {
    use roadie::royalties::YearMonth;
    use std::str::FromStr;
    let s = setup().await;
    let (a, b) = (&s.a, &s.b);
    march_on_both(&s).await;
    // Offline: B has one more file than A when each issues March.
    let more = write(s.dir.path(), "more.tsv", &dk(&["2026-03-31\t2026-03\tDeezer\tArtist 1\tSong 1\tUSAAA1234567\t\t10\t100\tSong\tFR\t0\t2.00"]));
    b.import(&more).await;
    let p = YearMonth::from_str("2026-03").unwrap();
    let on_a = a.store.generate_statements(p, &s.dir.path().join("a-out")).await.unwrap();
    let on_b = b.store.generate_statements(p, &s.dir.path().join("b-out")).await.unwrap();
    assert_ne!(on_a.totals, on_b.totals);
    for _ in 0..2 {
        a.sync().await;
        b.sync().await;
    }
    assert!(a.errors().await.is_empty(), "{:?}", a.errors().await);
    assert!(b.errors().await.is_empty(), "{:?}", b.errors().await);
    let (ia, ib) = (issued(a).await, issued(b).await);
    assert_eq!(ia, ib);
    assert_eq!(ia["statement_runs"].as_array().unwrap().len(), 1);
    assert_eq!(ia["payee_statements"].as_array().unwrap().len(), 1);
    assert_eq!(a.lines().await, b.lines().await);
    assert!(!a.store.list_conflicts().await.unwrap().is_empty(), "two different issues of one period are shown");
    // The run both hold is B's (issued later): it covered both files, so April takes neither's
    // March lines again, on either device.
    let runs = &ia["statement_runs"][0];
    assert_eq!(runs["files"].as_array().unwrap().len(), 2, "{runs}");
    let april = a.store.generate_statements(YearMonth::from_str("2026-04").unwrap(), &s.dir.path().join("a-out")).await.unwrap();
    assert!(april.totals.is_empty(), "{april:?}");
}

/// Two offline issues of one month where the earlier issue had more: a payee and an advance only
/// B knew. A issues after B, so A's issue is the month's on both devices after the sync, and B's
/// statement for the second artist and its recoupment of B's advance are no part of it (they were
/// left behind as part of the run, an orphan statement and an advance recouped by nothing anyone
/// holds). The second artist's March lines go into April.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_only_the_losing_issue_of_a_month_made_is_not_part_of_it() {
    use roadie::royalties::{AdvanceInput, YearMonth};
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let s = setup().await;
    let (a, b) = (&s.a, &s.b);
    march_on_both(&s).await;
    let payee = b.store.list_payees().await.unwrap().into_iter().find(|p| p.name == "Artist 1").unwrap();
    // Offline on B: an advance for Artist 1, and a second artist with lines in another file.
    b.store
        .add_advance(AdvanceInput::new(payee.id, Decimal::from(50), "USD", chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()))
        .await
        .unwrap();
    let ws = b.store.get_artist(s.artist).await.unwrap().workspace_id;
    let second = b.store.create_artist(ws, ArtistInput::named("Artist 2")).await.unwrap();
    let release = b.store.create_release(ws, ReleaseInput::new("EP", ReleaseType::Ep, vec![second.id])).await.unwrap().release;
    b.store.add_track(release.id, TrackInput { isrc: Some("USBBB1234567".into()), ..TrackInput::titled("Song 2") }).await.unwrap();
    let more = write(s.dir.path(), "more.tsv", &dk(&["2026-03-31\t2026-03\tDeezer\tArtist 2\tSong 2\tUSBBB1234567\t\t10\t100\tSong\tFR\t0\t2.00"]));
    b.import(&more).await;
    let p = YearMonth::from_str("2026-03").unwrap();
    let on_b = b.store.generate_statements(p, &s.dir.path().join("b-out")).await.unwrap();
    assert_eq!(on_b.statements.len(), 2, "{on_b:?}");
    assert!(b.store.list_advances(payee.id).await.unwrap()[0].recouped > Decimal::ZERO);
    let on_a = a.store.generate_statements(p, &s.dir.path().join("a-out")).await.unwrap();
    assert_eq!(on_a.statements.len(), 1);
    for _ in 0..2 {
        b.sync().await;
        a.sync().await;
    }
    for d in [a, b] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
        let docs = d.store.statement_documents(p).await.unwrap();
        assert_eq!(docs.iter().map(|d| d.payee.as_str()).collect::<Vec<_>>(), ["Artist 1"], "A's issue only");
        assert!(docs[0].recoupment.is_empty(), "A's issue knew no advance: {:?}", docs[0].recoupment);
        let advances = d.store.list_advances(payee.id).await.unwrap();
        assert_eq!((advances.len(), advances[0].recouped), (1, Decimal::ZERO), "no issue anyone holds recouped it");
        let again = d.store.generate_statements(p, &s.dir.path().join("again")).await.unwrap();
        assert!(again.regenerated);
        assert_eq!(again.statements.len(), 1);
    }
    assert_eq!(issued(a).await, issued(b).await);
    // April takes the file March's run did not cover: Artist 2's March lines, and the advance
    // recoups from Artist 1's (none in April: nothing to recoup from).
    let april = a.store.generate_statements(YearMonth::from_str("2026-04").unwrap(), &s.dir.path().join("a-out")).await.unwrap();
    let payees: Vec<&str> = april.statements.iter().map(|s| s.payee.as_str()).collect();
    assert!(payees.contains(&"Artist 2"), "{april:?}");
    assert_eq!(april.totals.iter().map(|t| t.lines).sum::<u64>(), 1, "{april:?}");
}

/// The same through the CLI: `import statement` on A, `sync` on both, and B reports and renders
/// the statements A issued, from the same lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_imports_on_one_device_and_the_other_reports_and_renders_the_same() {
    use assert_cmd::Command;
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    srv.signup("ana@example.com", "Ana").await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
    let run = |db: &Path, args: Vec<String>, stdin: String| {
        let db = db.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let out = Command::cargo_bin("roadie").unwrap().env_remove("ROADIE_DB").arg("--db").arg(&db).args(&args).write_stdin(stdin).output().unwrap();
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null)
        })
    };
    let args = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    for db in [&a, &b] {
        run(db, args(&format!("login --server {} --email ana@example.com", srv.base)), format!("{PASSWORD}\n")).await.unwrap();
    }
    run(&a, args("workspace create --kind artist --name Ana --json"), String::new()).await.unwrap();
    run(&a, args("artist add Ana --json"), String::new()).await.unwrap();
    let release = run(&a, args("release add --title Album --type album --artist Ana --json"), String::new()).await.unwrap();
    let release_id = release["id"].as_str().unwrap();
    run(&a, args(&format!("track add {release_id} --title Song --isrc USAAA1234567 --json")), String::new()).await.unwrap();
    let file = write(dir.path(), "march.tsv", &dk(&[
        "2026-03-31\t2026-03\tSpotify\tAna\tSong\tUSAAA1234567\t\t3000\t100\tSong\tUS\t0\t150.25",
        "2026-03-31\t2026-03\tDeezer\tAna\tSong\tUSAAA1234567\t\t100\t100\tSong\tFR\t0\t20.125",
    ]));
    let mut import = args("import statement --json");
    import.insert(2, file.display().to_string());
    let imported = run(&a, import, String::new()).await.unwrap();
    assert_eq!(imported["files"][0]["imported"], 2);
    let out = |d: &str| dir.path().join(d).display().to_string();
    let issued = run(&a, args(&format!("statements generate --period 2026-03 --out {} --json", out("a-out"))), String::new()).await.unwrap();
    let pushed = run(&a, args("sync --json"), String::new()).await.unwrap();
    assert!(pushed["pushed"].as_u64().unwrap() > 0, "{pushed}");
    let pulled = run(&b, args("sync --json"), String::new()).await.unwrap();
    assert!(pulled["pulled"].as_u64().unwrap() > 0, "{pulled}");
    for by in ["store", "territory", "track"] {
        let report = args(&format!("royalties report --by {by} --json"));
        assert_eq!(run(&b, report.clone(), String::new()).await.unwrap(), run(&a, report, String::new()).await.unwrap());
    }
    let again = run(&b, args(&format!("statements generate --period 2026-03 --out {} --json", out("b-out"))), String::new()).await.unwrap();
    assert_eq!(again["regenerated"], true);
    assert_eq!(again["totals"], issued["totals"]);
    let strip = |v: &Value| {
        v["statements"].as_array().unwrap().iter().map(|s| (s["payee"].clone(), s["earned"].clone(), s["payable"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(strip(&again), strip(&issued));
    let csv = |v: &Value| std::fs::read(v["statements"][0]["csv"].as_str().unwrap()).unwrap();
    assert_eq!(csv(&again), csv(&issued));
}

/// Two accounts (not sharing anything) import the same public file, store the same exchange rate
/// and issue the same month: each pushes its own rows without a clash (ids derived from the
/// month, file or rate alone were the same for both, and the platform refused the second
/// account's as another workspace's), and neither gets the other's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_issuing_the_same_month_from_the_same_file_do_not_clash() {
    use roadie::royalties::YearMonth;
    use std::str::FromStr;
    let s = setup().await;
    s.srv.signup("other@example.com", "Other").await;
    let other = Device::new(s.dir.path(), "other", &s.srv.base, "other@example.com").await;
    let march = write(s.dir.path(), "march.tsv", &dk(&["2026-03-31\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3000\t100\tSong\tUS\t0\t150.25"]));
    let p = YearMonth::from_str("2026-03").unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let rate = rust_decimal::Decimal::from_str("7.25").unwrap();
    for (d, out) in [(&s.a, "a-out"), (&other, "other-out")] {
        d.import(&march).await;
        d.import(&dsr_fixture()).await;
        d.store.set_rate(day, "USD", "CNY", rate).await.unwrap();
        d.store.generate_statements(p, &s.dir.path().join(out)).await.unwrap();
    }
    for d in [&s.a, &other, &s.b, &other] {
        d.sync().await;
    }
    for d in [&s.a, &other, &s.b] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
    }
    assert_eq!(s.b.lines().await, s.a.lines().await);
    assert_eq!(issued(&s.b).await, issued(&s.a).await);
    let runs = |d: &Device| {
        let d = d.path.clone();
        async move {
            let pool = sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&d).read_only(true)).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM statement_runs").fetch_one(&pool).await.unwrap();
            let files: i64 = sqlx::query_scalar("SELECT count(*) FROM statement_files").fetch_one(&pool).await.unwrap();
            let rates: i64 = sqlx::query_scalar("SELECT count(*) FROM fx_rates").fetch_one(&pool).await.unwrap();
            (n, files, rates)
        }
    };
    assert_eq!(runs(&other).await, (1, 2, 1), "its own only");
    assert_eq!(runs(&s.b).await, (1, 2, 1));
    assert_ne!(issued(&other).await["statement_runs"][0]["id"], issued(&s.a).await["statement_runs"][0]["id"]);
}

/// A label's owner and a staff member (another account) both keep the label's ledger: a file
/// imported and a month issued on either device reach the other, with the same lines, runs and
/// statements; the owner's own ledger on its other device is the same ledger (it is a member).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_staff_on_another_account_share_the_labels_ledger() {
    use roadie::platform::TeamRole;
    use roadie::royalties::YearMonth;
    use std::str::FromStr;
    let s = setup().await;
    let (a, b) = (&s.a, &s.b);
    let (label, staff) = (s.label, s.staff().await);
    join(a, label, &staff, "staff@example.com", TeamRole::LabelStaff, None).await;
    staff.sync().await;
    for d in [a, &staff] {
        assert_eq!(d.store.set_ledger_workspace(Some(label)).await.unwrap().map(|w| w.id), Some(label));
    }
    let march = artist_payee_and_march(&s).await;
    a.import(&march).await;
    let p_march = YearMonth::from_str("2026-03").unwrap();
    let run = a.store.generate_statements(p_march, &s.dir.path().join("a-out")).await.unwrap();
    assert_eq!(run.statements.len(), 1);
    a.sync().await;
    staff.sync().await;
    assert!(staff.errors().await.is_empty(), "{:?}", staff.errors().await);
    assert_eq!(staff.lines().await, a.lines().await, "the label's file reached its staff");
    assert_eq!(issued(&staff).await, issued(a).await);
    // April, imported and issued by the staff member.
    let april = write(s.dir.path(), "april.tsv", &dk(&["2026-04-30\t2026-04\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t700\t100\tSong\tDE\t0\t35.00"]));
    staff.import(&april).await;
    let p_april = YearMonth::from_str("2026-04").unwrap();
    let by_staff = staff.store.generate_statements(p_april, &s.dir.path().join("staff-out")).await.unwrap();
    assert_eq!((by_staff.totals[0].lines, by_staff.statements.len()), (1, 1), "April's line only");
    staff.sync().await;
    a.sync().await;
    b.sync().await;
    for d in [a, b, &staff] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
    }
    assert_eq!(a.lines().await, staff.lines().await);
    assert_eq!(b.lines().await, staff.lines().await);
    assert_eq!(issued(a).await, issued(&staff).await);
    assert_eq!(issued(b).await, issued(&staff).await);
    assert_eq!(issued(a).await["statement_runs"].as_array().unwrap().len(), 2);

    // A roster artist of the label (role artist) gets its catalog, not its ledger (the other
    // artists' earnings), and syncs without an error.
    s.srv.signup("artist@example.com", "Artist").await;
    let roster = Device::new(s.dir.path(), "roster", &s.srv.base, "artist@example.com").await;
    let team = a.store.team_add_artist(&FileSecrets::beside_store(&a.path), label, "Artist 1").await.unwrap();
    let entry = team.roster.iter().find(|r| r.name == "Artist 1").unwrap().id;
    join(a, label, &roster, "artist@example.com", TeamRole::Artist, Some(entry)).await;
    roster.sync().await;
    assert!(roster.errors().await.is_empty(), "{:?}", roster.errors().await);
    assert_eq!(roster.store.list_artists(label).await.unwrap().len(), 1, "the label's catalog");
    let counts = {
        let pool = roster.pool().await;
        let mut out = Vec::new();
        for table in roadie_protocol::sync::LEDGER_TABLES {
            let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&pool).await.unwrap();
            out.push((*table, n));
        }
        out
    };
    assert!(counts.iter().all(|(_, n)| *n == 0), "{counts:?}");
    assert_eq!(roster.store.statement_files_missing().await.unwrap(), 0);

    // Made label staff, the same store gets the ledger it was sent as positions only before.
    let secrets = FileSecrets::beside_store(&a.path);
    let team = a.store.team_set_role(&secrets, label, roster_user(a, label).await, TeamRole::LabelStaff).await.unwrap();
    assert!(team.members.iter().any(|m| m.email == "artist@example.com" && m.role == TeamRole::LabelStaff));
    roster.sync().await;
    assert!(roster.errors().await.is_empty(), "{:?}", roster.errors().await);
    roster.store.set_ledger_workspace(Some(label)).await.unwrap();
    assert_eq!(issued(&roster).await, issued(a).await, "the label's runs, statements and recoupments");
    assert_eq!(roster.lines().await, a.lines().await, "and its statement files");
}

/// The user id of the label's member signed up as artist@example.com.
async fn roster_user(owner: &Device, label: uuid::Uuid) -> uuid::Uuid {
    let secrets = FileSecrets::beside_store(&owner.path);
    let team = owner.store.team(&secrets, label).await.unwrap();
    team.members.iter().find(|m| m.email == "artist@example.com").unwrap().user_id
}

/// A staff member who keeps their own ledger too (their own releases) and issued their own March
/// gets the label's March when they keep the label's ledger, without a clash (a month was one run
/// per store), and each ledger shows its own March.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_keeps_their_own_ledger_and_the_labels_apart() {
    use roadie::platform::TeamRole;
    use roadie::royalties::YearMonth;
    use std::str::FromStr;
    let s = setup().await;
    let a = &s.a;
    let (label, staff) = (s.label, s.staff().await);
    let p = YearMonth::from_str("2026-03").unwrap();
    // The staff member's own March: one line of a release of theirs (unmatched here).
    let own = write(s.dir.path(), "own.tsv", &dk(&["2026-03-31\t2026-03\tBandcamp\tStaff Band\tOwn Song\t\t\t1\t100\tSong\tUS\t0\t7.00"]));
    staff.import(&own).await;
    let own_march = staff.store.generate_statements(p, &s.dir.path().join("own-out")).await.unwrap();
    assert_eq!(own_march.totals[0].rounded.to_string(), "7.00");
    staff.sync().await;

    join(a, label, &staff, "staff@example.com", TeamRole::LabelStaff, None).await;
    a.store.set_ledger_workspace(Some(label)).await.unwrap();
    let march = artist_payee_and_march(&s).await;
    a.import(&march).await;
    let by_owner = a.store.generate_statements(p, &s.dir.path().join("a-out")).await.unwrap();
    a.sync().await;
    staff.sync().await;
    assert!(staff.errors().await.is_empty(), "{:?}", staff.errors().await);
    staff.store.set_ledger_workspace(Some(label)).await.unwrap();
    assert!(staff.errors().await.is_empty(), "{:?}", staff.errors().await);
    let again = staff.store.generate_statements(p, &s.dir.path().join("staff-out")).await.unwrap();
    assert!(again.regenerated);
    assert_eq!(again.totals, by_owner.totals, "the label's March");
    assert_eq!(staff.store.statement_documents(p).await.unwrap(), a.store.statement_documents(p).await.unwrap());

    staff.store.set_ledger_workspace(None).await.unwrap();
    let mine = staff.store.generate_statements(p, &s.dir.path().join("own-again")).await.unwrap();
    assert!(mine.regenerated);
    assert_eq!(mine.totals, own_march.totals, "their own March");
    let periods = staff.store.ledger_periods().await.unwrap();
    assert_eq!(periods.iter().map(|p| p.lines).sum::<u64>(), 1, "their own file's line only: {periods:?}");
}

/// A staff member who imported their own copy of a statement the label also imports has it in
/// both ledgers: the label's row pulls (it clashed with theirs on the content hash before), its
/// bytes are fetched and imported into it, and each ledger reports its own copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_statement_in_a_staff_members_own_ledger_and_the_labels_is_in_both() {
    use roadie::platform::TeamRole;
    let s = setup().await;
    let a = &s.a;
    let (label, staff) = (s.label, s.staff().await);
    let march = artist_payee_and_march(&s).await;
    staff.import(&march).await;
    staff.sync().await;

    join(a, label, &staff, "staff@example.com", TeamRole::LabelStaff, None).await;
    a.store.set_ledger_workspace(Some(label)).await.unwrap();
    assert!(!a.import(&march).await.duplicate_file);
    a.sync().await;
    staff.sync().await;
    assert!(staff.errors().await.is_empty(), "{:?}", staff.errors().await);
    assert_eq!(staff.store.statement_files_missing().await.unwrap(), 0, "the label's copy was fetched and imported");
    let march_total = vec![("2026-03".to_string(), 3000, "150.25".to_string())];
    assert_eq!(months(&staff.store).await, march_total, "their own copy");
    staff.store.set_ledger_workspace(Some(label)).await.unwrap();
    assert_eq!(months(&staff.store).await, march_total, "the label's copy");
    assert_eq!(staff.store.ledger_periods().await.unwrap().iter().map(|p| p.lines).sum::<u64>(), 1);
    assert_eq!(staff.lines().await.len(), 2, "one line in each ledger");
}

/// The same ECB rates in a staff member's own ledger and the label's: each ledger has its rows
/// (the label's clashed with theirs on the pair's unique index at the pull before), and each
/// converts with its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_rates_in_a_staff_members_own_ledger_and_the_labels_are_in_both() {
    use roadie::platform::TeamRole;
    let s = setup().await;
    let a = &s.a;
    let (label, staff) = (s.label, s.staff().await);
    let ecb = write(s.dir.path(), "eurofxref.csv", "Date, USD, CNY, \n31 March 2026, 1.0812, 7.8420, \n");
    assert_eq!(staff.store.import_ecb_rates(&ecb).await.unwrap().rates, 2);
    staff.sync().await;

    join(a, label, &staff, "staff@example.com", TeamRole::LabelStaff, None).await;
    a.store.set_ledger_workspace(Some(label)).await.unwrap();
    assert_eq!(a.store.import_ecb_rates(&ecb).await.unwrap().rates, 2);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    a.store.set_rate(day, "USD", "CNY", "7.30".parse().unwrap()).await.unwrap();
    a.sync().await;
    staff.sync().await;
    assert!(staff.errors().await.is_empty(), "{:?}", staff.errors().await);
    assert_eq!(staff.store.rate_on("USD", "CNY", day).await.unwrap().rate.to_string(), "7.2530521643", "their own ledger: the cross rate through EUR");
    assert_eq!(staff.store.all_rates(10).await.unwrap().len(), 2);
    staff.store.set_ledger_workspace(Some(label)).await.unwrap();
    assert_eq!(staff.store.rate_on("USD", "CNY", day).await.unwrap().rate.to_string(), "7.3", "the label's: its manual rate");
    assert_eq!(staff.store.all_rates(10).await.unwrap().len(), 3);
}

async fn months(store: &Store) -> Vec<(String, i64, String)> {
    let report = store.royalty_report(roadie::royalties::ReportBy::Month, &Default::default()).await.unwrap();
    report.rows.into_iter().map(|r| (r.key, r.units, r.amount.to_string())).collect()
}

/// Someone who has synced for a while and then joins a label gets the label's whole history
/// (its artists, releases and ledger set-up from before they joined), on the device that
/// accepted and on their other devices: their stores' pull cursors were past it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_a_label_after_syncing_brings_its_whole_history_to_every_device() {
    use roadie::platform::TeamRole;
    let s = setup().await;
    let a = &s.a;
    let label = s.label;
    artist_payee_and_march(&s).await;
    a.sync().await;
    s.srv.signup("staff@example.com", "Staff").await;
    let one = Device::new(s.dir.path(), "staff-1", &s.srv.base, "staff@example.com").await;
    let two = Device::new(s.dir.path(), "staff-2", &s.srv.base, "staff@example.com").await;
    let own = one.store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Staff Band".into() }).await.unwrap();
    one.store.create_artist(own.id, ArtistInput::named("Staff Band")).await.unwrap();
    one.sync().await;
    two.sync().await;
    assert_eq!(two.store.list_artists(own.id).await.unwrap().len(), 1);

    join(a, label, &one, "staff@example.com", TeamRole::LabelStaff, None).await;
    for d in [&one, &two] {
        d.sync().await;
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
        let artists = d.store.list_artists(label).await.unwrap();
        assert_eq!(artists.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Artist 1"]);
        assert_eq!(d.store.list_payees().await.unwrap().len(), 1, "the label's ledger set-up");
        // Nothing is caught up twice: the next sync pulls nothing.
        assert_eq!(d.sync().await.pulled, 0);
    }
}

/// A store that has never signed in derives the ids of its own ledger's rows in a scope of its
/// own (royalties/ledger.rs); at its first sign-in they take the ids the account's devices derive
/// for the same things. Device A imports two statement files, the ECB rates and a manual rate,
/// saves a mapping and issues March, all before it ever signs in; device B, signed in to the
/// same account, does the same. A signs in and both sync until quiet: no sync error, one row per
/// file, rate, mapping and month on both, the lines not doubled, the same reports and ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_never_signed_in_and_a_device_of_its_account_make_one_row_per_thing() {
    use roadie::royalties::{ColumnMapping, ReportBy, ReportFilter, YearMonth};
    use std::str::FromStr;
    let solo = SoloAccount::start().await;
    let (srv, dir, email, a, b) = (&solo.srv, &solo.dir, SoloAccount::EMAIL, &solo.a, &solo.b);
    b.sync().await;

    let march = write(dir.path(), "march.tsv", &dk(&[
        "2026-03-31\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3\t100\tSong\tUS\t0\t0.0123456789",
        "2026-03-31\t2026-03\tDeezer\tNobody\tUnknown\t\t\t2\t100\tSong\tFR\t0\t1.5",
    ]));
    let ecb = write(dir.path(), "eurofxref.csv", "Date, USD, CNY, \n31 March 2026, 1.0812, 7.8420, \n");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let header = vec!["Month".to_string(), "Shop".to_string(), "Amount".to_string()];
    let mapping = ColumnMapping {
        reporting_period: "Month".into(),
        store: Some("Shop".into()),
        amount: "Amount".into(),
        default_currency: Some("USD".into()),
        ..ColumnMapping::default()
    };
    let p = YearMonth::from_str("2026-03").unwrap();
    for (d, out) in [(&a, "a-out"), (&b, "b-out")] {
        assert_eq!(d.import(&march).await.imported, 2);
        assert_eq!(d.import(&dsr_fixture()).await.imported, 6);
        assert_eq!(d.store.import_ecb_rates(&ecb).await.unwrap().rates, 2);
        d.store.set_rate(day, "USD", "JPY", "150.5".parse().unwrap()).await.unwrap();
        d.store.save_mapping("Label portal", &header, mapping.clone()).await.unwrap();
        d.store.generate_statements(p, &dir.path().join(out)).await.unwrap();
    }
    b.sync().await;

    a.store.login(&srv.base, email, PASSWORD, &FileSecrets::beside_store(&a.path)).await.unwrap();
    for d in [&a, &b, &a, &b] {
        d.sync().await;
    }
    let count = |d: &Device, sql: &'static str| {
        let path = d.path.clone();
        async move {
            let pool = sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&path).read_only(true)).await.unwrap();
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
            n
        }
    };
    for d in [&a, &b] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
        assert_eq!(d.store.sync_status().await.unwrap().pending_changes, 0);
        assert_eq!(d.store.statement_files_missing().await.unwrap(), 0);
        assert_eq!(count(d, "SELECT count(*) FROM statement_files").await, 2, "one row per file");
        assert_eq!(count(d, "SELECT count(*) FROM fx_rates").await, 3, "one row per rate");
        assert_eq!(count(d, "SELECT count(*) FROM column_mappings").await, 1, "one mapping of that name");
        assert_eq!(count(d, "SELECT count(*) FROM statement_runs").await, 1, "one March");
        assert_eq!(count(d, "SELECT count(*) FROM statement_lines").await, 8, "the lines not doubled");
    }
    assert_eq!(a.lines().await, b.lines().await);
    assert_eq!(issued(a).await, issued(b).await);
    for by in [ReportBy::Store, ReportBy::Territory, ReportBy::Track, ReportBy::Month] {
        assert_eq!(
            a.store.royalty_report(by, &ReportFilter::default()).await.unwrap(),
            b.store.royalty_report(by, &ReportFilter::default()).await.unwrap()
        );
    }
    assert_eq!(a.store.rate_on("USD", "JPY", day).await.unwrap(), b.store.rate_on("USD", "JPY", day).await.unwrap());
    assert_eq!(a.store.list_mappings().await.unwrap(), b.store.list_mappings().await.unwrap());

    // Signed out, A derives in the account's scope still: the mapping saved again is the same
    // row (not a new one for its name), which syncs as an edit once A is back.
    let secrets = FileSecrets::beside_store(&a.path);
    a.store.logout(&secrets).await.unwrap();
    a.store.save_mapping("Label portal", &header, ColumnMapping { default_store: Some("Portal".into()), ..mapping.clone() }).await.unwrap();
    assert_eq!(count(a, "SELECT count(*) FROM column_mappings").await, 1);
    a.store.login(&srv.base, email, PASSWORD, &secrets).await.unwrap();
    a.sync().await;
    b.sync().await;
    for d in [&a, &b] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
        assert_eq!(count(d, "SELECT count(*) FROM column_mappings").await, 1);
        assert_eq!(d.store.get_mapping("Label portal").await.unwrap().mapping.default_store.as_deref(), Some("Portal"));
    }
    // Then another account on A. What went up to the first account stays as it is; a file A
    // imports while signed out goes up into the other account's workspace under its ids, where
    // a device C of that account imported it too: one row there, no clash.
    a.store.logout(&secrets).await.unwrap();
    let april = write(dir.path(), "april.tsv", &dk(&["2026-04-30\t2026-04\tTidal\tNobody\tUnknown\t\t\t1\t100\tSong\tNO\t0\t0.25"]));
    a.import(&april).await;
    srv.signup("other@example.com", "Other").await;
    let c = Device::new(dir.path(), "c", &srv.base, "other@example.com").await;
    c.import(&april).await;
    c.sync().await;
    a.store.login(&srv.base, "other@example.com", PASSWORD, &secrets).await.unwrap();
    a.sync().await;
    c.sync().await;
    for d in [a, &c] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
        assert_eq!(d.store.sync_status().await.unwrap().pending_changes, 0);
    }
    assert_eq!(count(a, "SELECT count(*) FROM statement_files").await, 3);
    assert_eq!(count(&c, "SELECT count(*) FROM statement_files").await, 1, "one row for April");
    assert_eq!(count(&c, "SELECT count(*) FROM statement_lines").await, 1);
    let (a_lines, b_lines) = (a.lines().await, b.lines().await);
    assert_eq!(a_lines.len(), 9);
    assert_eq!(a_lines.iter().filter(|l| b_lines.contains(l)).count(), 8, "the first account's lines, as they were");
}

/// What a store issued before it ever signed in (a run, a payee statement recouping an advance)
/// goes up under the account's ids at its first sync, and the other device of the account, which
/// imported the same file, gets it whole: one file row, the run, the statement (its document
/// naming its new id) and the recoupment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_issued_before_the_first_sign_in_reach_the_accounts_other_device_whole() {
    use roadie::royalties::{AdvanceInput, PayeeInput, YearMonth};
    use std::str::FromStr;
    let solo = SoloAccount::start().await;
    let (srv, dir, email, a, b) = (&solo.srv, &solo.dir, SoloAccount::EMAIL, &solo.a, &solo.b);

    let ws = a.store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Solo".into() }).await.unwrap();
    let artist = a.store.create_artist(ws.id, ArtistInput::named("Artist 1")).await.unwrap();
    let release = a.store.create_release(ws.id, ReleaseInput::new("Album", ReleaseType::Album, vec![artist.id])).await.unwrap().release;
    a.store.add_track(release.id, TrackInput { isrc: Some("USAAA1234567".into()), ..TrackInput::titled("Song 1") }).await.unwrap();
    let payee = a
        .store
        .create_payee(None, PayeeInput { artist_id: Some(artist.id), currency: Some("USD".into()), ..PayeeInput::named("Artist 1") })
        .await
        .unwrap();
    a.store
        .add_advance(AdvanceInput::new(payee.id, "100.00".parse().unwrap(), "USD", chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()))
        .await
        .unwrap();
    let march = write(dir.path(), "march.tsv", &dk(&["2026-03-31\t2026-03\tSpotify\tArtist 1\tSong 1\tUSAAA1234567\t\t3000\t100\tSong\tUS\t0\t150.25"]));
    let p = YearMonth::from_str("2026-03").unwrap();
    a.import(&march).await;
    let run = a.store.generate_statements(p, &dir.path().join("a-out")).await.unwrap();
    assert_eq!((run.statements.len(), run.statements[0].recouped.to_string().as_str()), (1, "100.00"));
    b.import(&march).await;

    a.store.login(&srv.base, email, PASSWORD, &FileSecrets::beside_store(&a.path)).await.unwrap();
    for d in [&a, &b, &a, &b] {
        d.sync().await;
    }
    for d in [&a, &b] {
        assert!(d.errors().await.is_empty(), "{:?}", d.errors().await);
        assert_eq!(d.store.sync_status().await.unwrap().pending_changes, 0);
    }
    let on_a = issued(a).await;
    assert_eq!(issued(b).await, on_a);
    assert_eq!(on_a["recoupments"].as_array().unwrap().len(), 1, "{on_a}");
    let account = a.store.account().await.unwrap().unwrap().workspace_id.to_string();
    let statement = &on_a["payee_statements"][0];
    assert_eq!(
        statement["id"].as_str().unwrap(),
        roadie::clock::derived_id("payee_statement", &[&account, "2026-03", &payee.id.to_string()]).to_string()
    );
    assert_eq!(statement["document"]["statement_id"], statement["id"]);
    assert_eq!(on_a["recoupments"][0]["statement_id"], statement["id"]);
    assert_eq!(statement["run_id"], on_a["statement_runs"][0]["id"]);
    let docs = b.store.statement_documents(p).await.unwrap();
    assert_eq!(docs.len(), 1, "B renders A's statement");
    assert_eq!(docs[0].statement_id.to_string(), statement["id"].as_str().unwrap());
    let files = |d: &Device| {
        let path = d.path.clone();
        async move {
            let pool = sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&path).read_only(true)).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM statement_files").fetch_one(&pool).await.unwrap();
            n
        }
    };
    assert_eq!((files(a).await, files(b).await), (1, 1));
}
