//! Engine tests of the whole import → match → report path, on files generated here and the real
//! DDEX DSR samples.

use super::*;
use crate::catalog::testing::store;
use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
use crate::Store;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use uuid::Uuid;

pub(crate) const DK_HEADER: &str = "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

struct Catalog {
    ws: Uuid,
    artist: Uuid,
    release: Uuid,
    song1: Uuid,
    song2: Uuid,
}

async fn catalog(store: &Store) -> Catalog {
    let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
    let artist = store.create_artist(ws, ArtistInput::named("Artist 1")).await.unwrap().id;
    let release = store
        .create_release(ws, ReleaseInput { upc: Some("036000291452".into()), ..ReleaseInput::new("Album", ReleaseType::Album, vec![artist]) })
        .await
        .unwrap()
        .release
        .id;
    let song1 = store.add_track(release, TrackInput { isrc: Some("USAAA1234567".into()), ..TrackInput::titled("Song 1") }).await.unwrap().id;
    let song2 = store.add_track(release, TrackInput::titled("Song 2")).await.unwrap().id;
    Catalog { ws, artist, release, song1, song2 }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn crlf(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/real/ddex-dsrf-ddexnet").join(name)
}

async fn counts(store: &Store) -> (i64, i64, i64) {
    let files: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM statement_files").fetch_one(&store.pool).await.unwrap();
    let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM statement_lines").fetch_one(&store.pool).await.unwrap();
    let rollup: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM royalty_rollup").fetch_one(&store.pool).await.unwrap();
    (files, lines, rollup)
}

async fn report(store: &Store, by: ReportBy) -> Vec<(String, String, i64, String)> {
    store
        .royalty_report(by, &ReportFilter::default())
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.key, r.currency, r.units, r.amount.to_string()))
        .collect()
}

fn opts() -> ImportOptions {
    ImportOptions::default()
}

#[tokio::test]
async fn distrokid_imports_matches_and_reports_exactly() {
    let (store, dir) = store().await;
    let cat = catalog(&store).await;
    let file = crlf(&[
        DK_HEADER,
        "2023-02-02\t2021-04\tNapster\tArtist 1\tSong 1\tUSAAA1234567\t111111111111\t1\t100\tSong\tUS\t0\t0.00789993",
        "2023-02-02\t2021-04\tSpotify\tArtist 1\tSong 2\t\t\t10\t100\tSong\tGB\t0\t0.0312345678",
        "2023-03-02\t2021-05\tiTunes\tArtist 1\tAlbum\t\t036000291452\t1\t100\tAlbum\tDE\t0\t6.99",
        "2023-03-02\t2021-05\tSpotify\tSomeone Else\tCover\tQZAAA2300001\t\t3\t100\tSong\tUS\t0\t0.003",
    ]);
    let path = write(dir.path(), "dk.tsv", file);
    let r = store.import_statement(&path, &opts()).await.unwrap();
    assert_eq!((r.format, r.layout.as_str(), r.lines, r.imported, r.matched, r.unmatched), (Format::Distrokid, "distrokid-bank-details-2023", 4, 4, 3, 1));
    assert!(!r.duplicate_file && r.skipped.is_empty());

    let by: Vec<(Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT track_id, release_id, matched_by FROM statement_lines ORDER BY line_no").fetch_all(&store.pool).await.unwrap();
    // A track's release comes from the track; lines carry a release only for release-level matches.
    assert_eq!(by[0], (Some(cat.song1.to_string()), None, Some("isrc".into())));
    assert_eq!(by[1], (Some(cat.song2.to_string()), None, Some("title_artist".into())));
    assert_eq!(by[2], (None, Some(cat.release.to_string()), Some("upc".into())));
    assert_eq!(by[3], (None, None, None));
    let line: (String, Option<String>, String, String, i64, String, String) = sqlx::query_as(
        "SELECT reporting_period, sale_period, usage_type, territory, line_no, amount, raw FROM statement_lines WHERE store = 'iTunes'",
    )
    .fetch_one(&store.pool)
    .await
    .unwrap();
    assert_eq!(line.0, "2023-03");
    assert_eq!(line.1.as_deref(), Some("2021-05"));
    assert_eq!((line.2.as_str(), line.3.as_str(), line.4, line.5.as_str()), ("download", "DE", 4, "6.99"));
    let raw: serde_json::Value = serde_json::from_str(&line.6).unwrap();
    assert_eq!(raw, serde_json::json!(["100", "Album", "0"]));
    let columns: String = sqlx::query_scalar("SELECT raw_columns FROM statement_files").fetch_one(&store.pool).await.unwrap();
    assert_eq!(columns, r#"["Team Percentage","Song/Album","Songwriter Royalties Withheld"]"#);

    assert_eq!(
        report(&store, ReportBy::Month).await,
        [("2023-02".into(), "USD".into(), 11, "0.0391344978".into()), ("2023-03".into(), "USD".into(), 4, "6.993".into())]
    );
    assert_eq!(report(&store, ReportBy::Store).await[0], ("iTunes".into(), "USD".into(), 1, "6.99".into()));
    let by_track = report(&store, ReportBy::Track).await;
    assert!(by_track.contains(&("unmatched".into(), "USD".into(), 4, "6.993".into())), "{by_track:?}");
    assert!(by_track.contains(&(cat.song1.to_string(), "USD".into(), 1, "0.00789993".into())));
    let by_release = report(&store, ReportBy::Release).await;
    assert!(by_release.contains(&(cat.release.to_string(), "USD".into(), 12, "7.0291344978".into())), "{by_release:?}");
    let filtered = store
        .royalty_report(ReportBy::Store, &ReportFilter { period: Some("2023-02".parse().unwrap()), ..ReportFilter::default() })
        .await
        .unwrap();
    assert_eq!(filtered.rows.len(), 2);
    // The artist's view leaves the other artist's unmatched cover out.
    let mine = store
        .royalty_report(ReportBy::Month, &ReportFilter { artist_id: Some(cat.artist), ..ReportFilter::default() })
        .await
        .unwrap();
    let mine: Vec<_> = mine.rows.iter().map(|r| (r.key.as_str(), r.amount.to_string())).collect();
    assert_eq!(mine, [("2023-02", "0.0391344978".to_string()), ("2023-03", "6.99".to_string())]);

    // Same bytes again: nothing changes, and it says so.
    let before = counts(&store).await;
    let again = store.import_statement(&path, &opts()).await.unwrap();
    assert!(again.duplicate_file);
    assert_eq!((again.imported, again.lines), (0, 4));
    assert_eq!(counts(&store).await, before);
}

#[tokio::test]
async fn the_newer_distrokid_layout_is_read_too() {
    let (store, dir) = store().await;
    let file = crlf(&[
        "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld (USD)\tEarnings (USD)\tRecoup (USD)\tDate Inserted\tSource Type",
        "2024-05-01\t2024-03\tApple Music\tA\tT\t\t\t2\t100\tSong\tCN\t0\t1.5\t0\t2024-05-02\tStreaming",
    ]);
    let r = store.import_statement(&write(dir.path(), "dk2.tsv", file), &opts()).await.unwrap();
    assert_eq!((r.layout.as_str(), r.imported), ("distrokid-bank-details-2024", 1));
    assert_eq!(report(&store, ReportBy::Territory).await, [("CN".into(), "USD".into(), 2, "1.5".into())]);
}

#[tokio::test]
async fn tunecore_cdbaby_and_bandcamp_read_their_own_money_columns() {
    let (store, dir) = store().await;
    let tunecore = crlf(&[
        "Sales Period,Posted Date,Store Name,Country Of Sale,Artist,Release Type,Release Title,Song Title,Label,UPC,Optional UPC,TC Song ID,Optional ISRC,Sales Type,# Units Sold,Per Unit Price,Net Sales,Net Sales Currency,Exchange Rate,Total Earned,Currency",
        "2023-01,2023-03-15,Spotify,SE,Artist 1,Album,Album,Song 1,L,036000291452,,123,USAAA1234567,Streaming,1000,0.003,30.00,SEK,0.0958,2.874,USD",
        "2023-01,2023-03-15,iTunes,FR,Artist 1,Album,Album,,L,036000291452,,,,Download,1,9.99,6.99,EUR,1,\"6,99\",EUR",
    ]);
    let r = store.import_statement(&write(dir.path(), "tc.csv", tunecore), &opts()).await.unwrap();
    assert_eq!((r.format, r.imported), (Format::Tunecore, 2));

    let cdbaby = crlf(&[
        "Report Date\tSales Date\tQuantity\tPrice\tSubtotal\tIsrc\tBarcode\tCDBabySku\tAlbum Name\tArtist Name\tTrack Name\tPartner Name\tTransaction Type\tDelivery Country",
        "10/15/2023 12:00:00 AM\t8/31/2023 12:00:00 AM\t1\t0.1\t0.0998269974\taaaaa1234567\t\"036000291452\"\tSKU1\tAlbum\tArtist 1\tSong 1\tDeezer\tStream\tFR",
    ]);
    let r = store.import_statement(&write(dir.path(), "cdb.tsv", cdbaby), &opts()).await.unwrap();
    assert_eq!((r.format, r.imported), (Format::Cdbaby, 1));

    // Bandcamp serves UTF-16LE with a BOM; payouts are not earnings.
    let bandcamp = crlf(&[
        "date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount,country code",
        "11/25/22 5:45pm,paypal,album,Album,Artist 1,GBP,7.00,1,,7.00,0.50,paypal,7.00,5.95,123,ABC,5.95,GB",
        "11/26/22 9:00am,paypal,package,Vinyl,Artist 1,GBP,20.00,2,,40.00,2.00,paypal,40.00,34.00,124,ABD,34.00,DE",
        "11/30/22 9:00am,paypal,payout,,,GBP,,,,,,,,,,,-39.95,",
    ]);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in bandcamp.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let r = store.import_statement(&write(dir.path(), "bc.csv", utf16), &opts()).await.unwrap();
    assert_eq!((r.format, r.encoding.as_str(), r.lines, r.imported), (Format::Bandcamp, "utf-16le", 3, 2));
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].line, 4);

    let mut by_store = report(&store, ReportBy::Store).await;
    by_store.sort();
    assert_eq!(
        by_store,
        [
            ("Bandcamp".into(), "GBP".into(), 3, "39.95".into()),
            ("Deezer".into(), "USD".into(), 1, "0.0998269974".into()),
            ("Spotify".into(), "USD".into(), 1000, "2.874".into()),
            ("iTunes".into(), "EUR".into(), 1, "6.99".into()),
        ]
    );
    let periods: Vec<(String, String, String)> =
        sqlx::query_as("SELECT store, reporting_period, usage_type FROM statement_lines ORDER BY id").fetch_all(&store.pool).await.unwrap();
    assert_eq!(periods[0], ("Spotify".into(), "2023-03".into(), "stream".into()));
    assert_eq!(periods[1], ("iTunes".into(), "2023-03".into(), "download".into()));
    assert_eq!(periods[2], ("Deezer".into(), "2023-10".into(), "stream".into()));
    assert_eq!(periods[3], ("Bandcamp".into(), "2022-11".into(), "download".into()));
    assert_eq!(periods[4].2, "physical");
    // Unmapped cells kept raw, in the file's raw_columns order, empty ones as null (and Bandcamp's
    // sale time, which the reporting period keeps only the month of).
    let raw: String = sqlx::query_scalar("SELECT raw FROM statement_lines WHERE store = 'Bandcamp' ORDER BY id LIMIT 1").fetch_one(&store.pool).await.unwrap();
    assert_eq!(raw, r#"["11/25/22 5:45pm","paypal","7.00",null,"7.00","0.50","paypal","7.00","5.95","123","ABC"]"#);
}

#[tokio::test]
async fn every_encoding_reads_the_same_text() {
    let text = crlf(&[DK_HEADER, "2023-02-02\t2021-04\tQQ音乐\t周杰伦\t晴天\t\t\t1\t100\tSong\tCN\t0\t1.25"]);
    let mut cases: Vec<(&str, Vec<u8>, Option<&str>)> = Vec::new();
    cases.push(("utf-8", text.as_bytes().to_vec(), None));
    cases.push(("utf-8-bom", [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(), None));
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        le.extend_from_slice(&unit.to_le_bytes());
        be.extend_from_slice(&unit.to_be_bytes());
    }
    cases.push(("utf-16le", le, None));
    cases.push(("utf-16be", be, None));
    let gbk = encoding_rs::GBK.encode(&text).0.to_vec();
    cases.push(("gb18030", gbk.clone(), None));
    cases.push(("gbk", gbk, Some("gbk")));
    for (want, bytes, forced) in cases {
        let (store, dir) = store().await;
        let options = ImportOptions { encoding: forced.map(str::to_string), ..opts() };
        let r = store.import_statement(&write(dir.path(), "enc.tsv", bytes), &options).await.unwrap();
        assert_eq!((r.encoding.as_str(), r.imported), (want, 1), "{want}");
        let row: (String, String, String) =
            sqlx::query_as("SELECT store, artist, title FROM statement_lines").fetch_one(&store.pool).await.unwrap();
        assert_eq!(row, ("QQ音乐".into(), "周杰伦".into(), "晴天".into()), "{want}");
    }
    // GBK bytes forced as UTF-8: refused with the line, not mangled.
    let (store, dir) = store().await;
    let gbk = encoding_rs::GBK.encode(&text).0.to_vec();
    let err = store
        .import_statement(&write(dir.path(), "gbk.tsv", gbk), &ImportOptions { encoding: Some("utf-8".into()), ..opts() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "statement_line_invalid");
    assert!(err.to_string().contains("line 2"), "{err}");
    assert_eq!(counts(&store).await, (0, 0, 0));
}

#[tokio::test]
async fn a_malformed_line_leaves_the_store_unchanged_and_names_its_line() {
    let (store, dir) = store().await;
    let good = write(dir.path(), "good.tsv", crlf(&[DK_HEADER, "2023-02-02\t2021-04\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\t1.00"]));
    store.import_statement(&good, &opts()).await.unwrap();
    let before = counts(&store).await;
    let mut lines = vec![DK_HEADER.to_string()];
    for i in 0..5000 {
        lines.push(format!("2023-03-02\t2021-04\tSpotify\tA\tT{i}\t\t\t1\t100\tSong\tUS\t0\t0.{i:04}"));
    }
    lines[4321] = "2023-03-02\t2021-04\tSpotify\tA\tT\t\t\t1\t100\tSong\tUS\t0\tlots".to_string();
    let bad = write(dir.path(), "bad.tsv", lines.join("\r\n"));
    let err = store.import_statement(&bad, &opts()).await.unwrap_err();
    assert_eq!(err.code(), "statement_line_invalid");
    assert_eq!(err.payload().params["line"], "4322");
    assert!(err.to_string().contains("line 4322: column 'Earnings (USD)': 'lots' is not a number"), "{err}");
    assert_eq!(counts(&store).await, before);

    // --skip-invalid: the rest goes in, the bad line is reported.
    let r = store.import_statement(&bad, &ImportOptions { skip_invalid: true, ..opts() }).await.unwrap();
    assert_eq!((r.lines, r.imported), (5000, 4999));
    assert_eq!(r.skipped, [LineIssue { line: 4322, reason: "column 'Earnings (USD)': 'lots' is not a number".into() }]);
}

#[tokio::test]
async fn cancelling_commits_nothing_and_progress_counts_up() {
    let (store, dir) = store().await;
    let mut text = String::from(DK_HEADER);
    for i in 0..30_000 {
        text.push_str(&format!("\r\n2023-03-02\t2021-04\tSpotify\tA\tT{i}\t\t\t1\t100\tSong\tUS\t0\t0.01"));
    }
    let path = write(dir.path(), "big.tsv", text);
    let cancel = CancelToken::new();
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |p: ImportProgress| {
        seen.lock().unwrap().push(p);
        if p.lines >= 10_000 {
            cancel.cancel();
        }
    };
    let err = store.import_statement_with(&path, &opts(), &progress, &cancel).await.unwrap_err();
    assert_eq!(err.code(), "import_cancelled");
    assert_eq!(counts(&store).await, (0, 0, 0));
    let seen = seen.into_inner().unwrap();
    assert!(seen.windows(2).all(|w| w[0].lines <= w[1].lines && w[0].bytes_done <= w[1].bytes_done));
    assert!(seen.iter().all(|p| p.bytes_total == std::fs::metadata(&path).unwrap().len()));
    // And the same file imports whole afterwards.
    let r = store.import_statement(&path, &opts()).await.unwrap();
    assert_eq!(r.imported, 30_000);
}

#[tokio::test]
async fn the_real_ddex_dsr_samples_import_and_odd_rows_are_reported() {
    let (store, _dir) = store().await;
    let r = store.import_statement(&fixture("DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv"), &opts()).await.unwrap();
    assert_eq!((r.format, r.lines, r.imported, r.unmatched), (Format::DdexDsr, 6, 6, 6));
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    type Row = (String, String, String, Option<String>, Option<String>, i64, String, String, String);
    let lines: Vec<Row> = sqlx::query_as(
        "SELECT store, reporting_period, sale_period, territory, isrc, units, amount, currency, usage_type FROM statement_lines ORDER BY line_no",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap();
    assert_eq!(
        lines[0],
        ("YouTube".into(), "2016-01".into(), "2015-10".into(), Some("IS".into()), Some("USSM19803037".into()), 7810, "125.23".into(), "USD".into(), "stream".into())
    );
    // The amount is the LI01 AllocatedAmount that follows each sale; its NetRevenue stays raw.
    let raw: String = sqlx::query_scalar("SELECT raw FROM statement_lines ORDER BY line_no LIMIT 1").fetch_one(&store.pool).await.unwrap();
    let raw: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!((raw["netrevenue"].as_str(), raw["allocatedamount"].as_str()), (Some("2.0"), Some("125.23")), "{raw}");
    let title: String = sqlx::query_scalar("SELECT title FROM statement_lines ORDER BY line_no DESC LIMIT 1").fetch_one(&store.pool).await.unwrap();
    assert_eq!(title, "This Bitter Earth / On The Nature Of Daylight");
    let total = report(&store, ReportBy::Territory).await;
    assert_eq!(total, [("IS".into(), "USD".into(), 7810 + 2045 + 18 + 4 + 258 + 75, "198.88".into())]);

    // TEST2 lost a line: its FOOT count no longer agrees, which is reported, not fatal.
    let r = store.import_statement(&fixture("DSR_TEST2_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv"), &opts()).await.unwrap();
    assert_eq!(r.imported, 6);
    assert_eq!(r.skipped, [LineIssue { line: 34, reason: "FOOT NumberOfLinesInFile says 35, the file has 34 lines".into() }]);

    // The deliberately odd minimal files: short HEAD, SY03 without ids, FOOT 123, records after FOOT.
    for name in [
        "DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_1of1_20150723T092522.tsv",
        "DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_1of2_20150723T092522.tsv",
        "DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_2of2_20150723T092522.tsv",
        "test_file_parser.tsv",
    ] {
        let r = store.import_statement(&fixture(name), &ImportOptions { format: Some(Format::DdexDsr), ..opts() }).await.unwrap();
        assert_eq!(r.imported, 0, "{name}");
        if r.duplicate_file {
            continue; // 2of2 is byte for byte 1of2
        }
        assert!(!r.skipped.is_empty(), "{name}");
        assert!(r.skipped.iter().any(|i| i.reason.contains("FOOT") || i.reason.contains("FFOO")), "{name}: {:?}", r.skipped);
    }
    let first = store
        .import_statement(&fixture("DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_1of1_20150723T092522.tsv"), &opts())
        .await
        .unwrap();
    assert!(first.duplicate_file);
}

#[tokio::test]
async fn a_dsr_sales_record_with_a_bad_number_is_an_invalid_line() {
    let (store, dir) = store().await;
    let text = std::fs::read_to_string(fixture("DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv"))
        .unwrap()
        .replace("SU03.01\t1\tU1\t1\tA935917475088049\t7810\t2.0", "SU03.01\t1\tU1\t1\tA935917475088049\t7810\tX2");
    let err = store.import_statement(&write(dir.path(), "DSR_x.tsv", text), &opts()).await.unwrap_err();
    assert!(err.to_string().contains("line 17: SU03.01 NetRevenue: 'X2' is not a number"), "{err}");
    assert_eq!(counts(&store).await, (0, 0, 0));
}

#[tokio::test]
async fn xlsx_statements_and_saved_mappings() {
    let (store, dir) = store().await;
    // A DistroKid layout saved as xlsx.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in DK_HEADER.split('\t').enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    let row = ["2023-02-02", "2021-04", "Spotify", "A", "T", "", "", "", "100", "Song", "US", "0", ""];
    for (c, v) in row.iter().enumerate() {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    sheet.write_number(1, 7, 12).unwrap();
    sheet.write_number(1, 12, 0.1).unwrap();
    let path = dir.path().join("dk.xlsx");
    book.save(&path).unwrap();
    let r = store.import_statement(&path, &opts()).await.unwrap();
    assert_eq!((r.format, r.layout.as_str(), r.imported), (Format::Xlsx, "distrokid-bank-details-2023 (xlsx)", 1));
    assert_eq!(report(&store, ReportBy::Store).await, [("Spotify".into(), "USD".into(), 12, "0.1".into())]);

    // A Chinese platform's sheet: unknown layout until mapped, then picked by its header.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = ["结算月份", "平台", "歌曲名称", "歌手", "ISRC", "播放量", "收入(元)"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (title, amount)) in [("晴天", "1,234.5678"), ("稻香", "(0.50)")].iter().enumerate() {
        let cells = ["2024-01", "QQ音乐", title, "周杰伦", "", "100", amount];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let cn = dir.path().join("qq.xlsx");
    book.save(&cn).unwrap();
    let err = store.import_statement(&cn, &opts()).await.unwrap_err();
    assert_eq!(err.code(), "statement_layout_unknown");
    assert!(err.to_string().contains("结算月份"), "{err}");

    let header = store.statement_header(&cn, None).await.unwrap();
    let mapping = ColumnMapping {
        reporting_period: "结算月份".into(),
        store: Some("平台".into()),
        title: Some("歌曲名称".into()),
        artist: Some("歌手".into()),
        isrc: Some("ISRC".into()),
        units: Some("播放量".into()),
        amount: "收入(元)".into(),
        default_currency: Some("CNY".into()),
        ..ColumnMapping::default()
    };
    let bad = store.save_mapping("qq", &header, ColumnMapping { territory: Some("国家".into()), ..mapping.clone() }).await.unwrap_err();
    assert_eq!(bad.payload().issues[0].reason, "unknown_column");
    store.save_mapping("qq", &header, mapping).await.unwrap();
    let r = store.import_statement(&cn, &opts()).await.unwrap();
    assert_eq!((r.format, r.layout.as_str(), r.imported), (Format::Xlsx, "mapping 'qq' (xlsx)", 2));
    assert_eq!(report(&store, ReportBy::Store).await[0], ("QQ音乐".into(), "CNY".into(), 200, "1234.0678".into()));
    assert_eq!(store.list_mappings().await.unwrap().len(), 1);

    // The same header as CSV (GBK, as Chinese tools write it) finds the mapping too.
    let csv = "结算月份,平台,歌曲名称,歌手,ISRC,播放量,收入(元)\r\n2024-02,QQ音乐,晴天,周杰伦,,5,\"1,000.00\"\r\n";
    let r = store.import_statement(&write(dir.path(), "qq.csv", encoding_rs::GBK.encode(csv).0), &opts()).await.unwrap();
    assert_eq!((r.format, r.encoding.as_str(), r.imported), (Format::Mapped, "gb18030", 1));
}

#[tokio::test]
async fn the_unmatched_queue_assigns_once_and_remembers() {
    let (store, dir) = store().await;
    let cat = catalog(&store).await;
    let file = |month: &str| {
        crlf(&[
            DK_HEADER,
            &format!("2023-{month}-02\t2021-04\tSpotify\tArtist One\tSong Two (Remaster)\t\t\t3\t100\tSong\tUS\t0\t0.30"),
            &format!("2023-{month}-02\t2021-04\tDeezer\tArtist One\tSong Two (Remaster)\t\t\t1\t100\tSong\tFR\t0\t0.10"),
            &format!("2023-{month}-02\t2021-04\tDeezer\tX\tOther\tQZAAA2300009\t\t1\t100\tSong\tFR\t0\t0.05"),
        ])
    };
    let r = store.import_statement(&write(dir.path(), "a.tsv", file("01")), &opts()).await.unwrap();
    assert_eq!(r.unmatched, 3);
    assert_eq!(store.unmatched_count().await.unwrap(), 3);
    let queue = store.unmatched_groups(50).await.unwrap();
    assert_eq!((queue[0].title.as_deref(), queue[0].lines, queue[0].units), (Some("Song Two (Remaster)"), 2, 4));

    let moved = store
        .assign_unmatched(AssignBy::TitleArtist { title: "song two (remaster)".into(), artist: "ARTIST ONE".into() }, AssignTarget::Track(cat.song2))
        .await
        .unwrap();
    assert_eq!(moved, 2);
    let moved = store.assign_unmatched(AssignBy::Isrc { isrc: "QZ-AAA-23-00009".into() }, AssignTarget::Release(cat.release)).await.unwrap();
    assert_eq!(moved, 1);
    assert_eq!(store.unmatched_count().await.unwrap(), 0);
    let by_track = report(&store, ReportBy::Track).await;
    assert_eq!(by_track, [(cat.song2.to_string(), "USD".into(), 4, "0.4".into()), ("unmatched".into(), "USD".into(), 1, "0.05".into())]);
    assert_eq!(report(&store, ReportBy::Release).await, [(cat.release.to_string(), "USD".into(), 5, "0.45".into())]);

    // The next statement's same lines match by the remembered rules.
    let r = store.import_statement(&write(dir.path(), "b.tsv", file("02")), &opts()).await.unwrap();
    assert_eq!((r.matched, r.unmatched), (3, 0));
    let by: Vec<String> = sqlx::query_scalar("SELECT matched_by FROM statement_lines WHERE reporting_period = '2023-02'").fetch_all(&store.pool).await.unwrap();
    assert_eq!(by, ["rule", "rule", "rule"]);
    assert!(store.assign_unmatched(AssignBy::Isrc { isrc: "nope".into() }, AssignTarget::Track(cat.song1)).await.is_err());
    assert_eq!(
        store.assign_unmatched(AssignBy::Isrc { isrc: "QZAAA2300009".into() }, AssignTarget::Track(Uuid::nil())).await.unwrap_err().code(),
        "not_found"
    );
    let _ = cat.artist;
}

/// A store keeping two ledgers (the account's own and a label's) reports the one kept now: each
/// file's lines count in its own ledger only, also after the unmatched queue moves them and
/// after the rollups are rebuilt from the lines.
#[tokio::test]
async fn reports_cover_the_ledger_kept_now() {
    let (store, dir) = store().await;
    let cat = catalog(&store).await;
    let line = |month: &str, store_name: &str, amount: &str| {
        format!("2023-{month}-02\t2021-04\t{store_name}\tArtist 1\tSong Two (Remaster)\t\t\t2\t100\tSong\tUS\t0\t{amount}")
    };
    let own = crlf(&[DK_HEADER, &line("01", "Spotify", "1.50"), &line("02", "Deezer", "0.25")]);
    store.import_statement(&write(dir.path(), "own.tsv", own), &opts()).await.unwrap();
    store.set_ledger_workspace(Some(cat.ws)).await.unwrap();
    let label = crlf(&[DK_HEADER, &line("01", "Tidal", "10.00")]);
    let r = store.import_statement(&write(dir.path(), "label.tsv", label), &opts()).await.unwrap();
    assert!(!r.duplicate_file);

    let months = |rows: Vec<(String, String, i64, String)>| rows.into_iter().map(|(k, _, u, a)| (k, u, a)).collect::<Vec<_>>();
    let label_months = vec![("2023-01".to_string(), 2, "10".to_string())];
    let own_months = vec![("2023-01".to_string(), 2, "1.5".to_string()), ("2023-02".to_string(), 2, "0.25".to_string())];
    assert_eq!(months(report(&store, ReportBy::Month).await), label_months);
    assert_eq!(report(&store, ReportBy::Store).await.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["Tidal"]);
    store.set_ledger_workspace(None).await.unwrap();
    assert_eq!(months(report(&store, ReportBy::Month).await), own_months);

    // The queue shows the ledger kept now's lines; an assignment moves every ledger's lines, each
    // ledger's totals within it.
    assert_eq!(store.unmatched_count().await.unwrap(), 2);
    assert_eq!(store.unmatched_groups(10).await.unwrap()[0].units, 4);
    store.set_ledger_workspace(Some(cat.ws)).await.unwrap();
    assert_eq!(store.unmatched_count().await.unwrap(), 1);
    assert_eq!(store.unmatched_groups(10).await.unwrap()[0].units, 2);
    store.set_ledger_workspace(None).await.unwrap();
    let moved = store
        .assign_unmatched(AssignBy::TitleArtist { title: "Song Two (Remaster)".into(), artist: "Artist 1".into() }, AssignTarget::Track(cat.song2))
        .await
        .unwrap();
    assert_eq!(moved, 3);
    let mine = ReportFilter { artist_id: Some(cat.artist), ..ReportFilter::default() };
    for ledger in [None, Some(cat.ws)] {
        store.set_ledger_workspace(ledger).await.unwrap();
        for by in [ReportBy::Month, ReportBy::Store, ReportBy::Territory, ReportBy::Release, ReportBy::Track] {
            for filter in [&ReportFilter::default(), &mine] {
                assert_eq!(store.royalty_report(by, filter).await.unwrap(), store.royalty_report_from_lines(by, filter).await.unwrap(), "{ledger:?} {by:?}");
            }
        }
        let tracks = report(&store, ReportBy::Track).await;
        let expected = if ledger.is_some() { "10" } else { "1.75" };
        assert_eq!(tracks, [(cat.song2.to_string(), "USD".to_string(), if ledger.is_some() { 2 } else { 4 }, expected.to_string())], "{ledger:?}");
    }

    // Rebuilt from the lines (a store from before the ledger key): the same two ledgers.
    sqlx::query("DELETE FROM royalty_rollup").execute(&store.pool).await.unwrap();
    sqlx::query("DELETE FROM royalty_rollup_items").execute(&store.pool).await.unwrap();
    assert_eq!(report(&store, ReportBy::Store).await.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["Tidal"]);
    store.set_ledger_workspace(None).await.unwrap();
    assert_eq!(months(report(&store, ReportBy::Month).await), own_months);
    assert_eq!(store.royalty_report(ReportBy::Store, &mine).await.unwrap(), store.royalty_report_from_lines(ReportBy::Store, &mine).await.unwrap());
}

/// The same statement in the account's own ledger and a label's is two files, each with its
/// lines, each queued for its workspace; within a ledger it is a duplicate.
#[tokio::test]
async fn the_same_file_is_in_each_ledger_once() {
    let (store, dir) = store().await;
    let cat = catalog(&store).await;
    let path = write(dir.path(), "dk.tsv", crlf(&[DK_HEADER, "2023-02-02\t2021-04\tSpotify\tArtist 1\tSong 2\t\t\t10\t100\tSong\tGB\t0\t2.50"]));
    assert!(!store.import_statement(&path, &opts()).await.unwrap().duplicate_file);
    assert!(store.import_statement(&path, &opts()).await.unwrap().duplicate_file);
    store.set_ledger_workspace(Some(cat.ws)).await.unwrap();
    let r = store.import_statement(&path, &opts()).await.unwrap();
    assert!(!r.duplicate_file, "not in the label's ledger yet");
    assert_eq!((r.imported, r.matched), (1, 1));
    assert!(store.import_statement(&path, &opts()).await.unwrap().duplicate_file);
    assert_eq!(report(&store, ReportBy::Month).await, [("2023-02".into(), "USD".into(), 10, "2.5".into())]);
    store.set_ledger_workspace(None).await.unwrap();
    assert_eq!(report(&store, ReportBy::Month).await, [("2023-02".into(), "USD".into(), 10, "2.5".into())]);
    let files: Vec<(Option<String>, i64)> =
        sqlx::query_as("SELECT workspace_id, line_count FROM statement_files ORDER BY seq").fetch_all(&store.pool).await.unwrap();
    assert_eq!(files, [(None, 1), (Some(cat.ws.to_string()), 1)]);
    let queued: Vec<Option<String>> =
        sqlx::query_scalar("SELECT workspace_id FROM statement_file_uploads ORDER BY workspace_id").fetch_all(&store.pool).await.unwrap();
    assert_eq!(queued, [None, Some(cat.ws.to_string())]);
    assert_eq!(counts(&store).await.1, 2, "each file has its line");
}

/// The rollup (and its artist arithmetic) agrees exactly with summing the lines, for every
/// report, filter and kind of match: ISRC, title, UPC (release-level), rules, deleted tracks,
/// tracks credited on someone else's release, unmatched lines, several months and currencies.
#[tokio::test]
async fn every_report_from_the_rollup_equals_the_sum_of_its_lines() {
    let (store, dir) = store().await;
    let cat = catalog(&store).await;
    let ws = store.list_workspaces().await.unwrap()[0].id;
    let other = store.create_artist(ws, ArtistInput::named("Other")).await.unwrap().id;
    let comp = store.create_release(ws, ReleaseInput::new("Compilation", ReleaseType::Compilation, vec![other])).await.unwrap().release.id;
    // A track of Artist 1 on the other artist's compilation, and a track of "Other" only.
    store.add_track(comp, TrackInput { isrc: Some("QZAAA2300010".into()), artist_ids: vec![cat.artist], ..TrackInput::titled("Guest") }).await.unwrap();
    store.add_track(comp, TrackInput { isrc: Some("QZAAA2300011".into()), ..TrackInput::titled("Theirs") }).await.unwrap();
    let gone = store.add_track(cat.release, TrackInput { isrc: Some("QZAAA2300012".into()), ..TrackInput::titled("Gone") }).await.unwrap().id;
    let mut rows = vec![DK_HEADER.to_string()];
    let isrcs = ["USAAA1234567", "QZAAA2300010", "QZAAA2300011", "QZAAA2300012", "", "QZAAA2399999"];
    for i in 0..120 {
        let month = 1 + i % 3;
        let isrc = isrcs[i % isrcs.len()];
        let (title, upc) = match i % 7 {
            0 => ("Album", "036000291452"),
            1 => ("Song 2", ""),
            _ => ("Mystery", ""),
        };
        rows.push(format!("2024-{month:02}-05\t2024-01\tStore {}\tArtist 1\t{title}\t{isrc}\t{upc}\t{}\t100\tSong\t{}\t0\t0.{:07}", i % 4, i % 9, ["US", "CN", "", "DE"][i % 4], i * 7919));
    }
    let path = write(dir.path(), "mix.tsv", crlf(&rows.iter().map(String::as_str).collect::<Vec<_>>()));
    store.import_statement(&path, &opts()).await.unwrap();
    // Euro lines from TuneCore, a rule from the queue, and a deleted track.
    let tc = crlf(&[
        "Sales Period,Posted Date,Store Name,Country Of Sale,Artist,Release Type,Release Title,Song Title,Label,UPC,Optional UPC,TC Song ID,Optional ISRC,Sales Type,# Units Sold,Per Unit Price,Net Sales,Net Sales Currency,Exchange Rate,Total Earned,Currency",
        "2024-01,2024-02-15,Spotify,SE,Artist 1,Album,Album,Song 1,L,,,1,USAAA1234567,Streaming,10,0.003,0.03,EUR,1,0.0312,EUR",
        "2024-01,2024-02-15,Spotify,SE,Artist 1,Album,Album,Mystery,L,,,1,,Streaming,4,0.003,0.03,EUR,1,0.0101,EUR",
    ]);
    store.import_statement(&write(dir.path(), "tc.csv", tc), &opts()).await.unwrap();
    store.assign_unmatched(AssignBy::TitleArtist { title: "Mystery".into(), artist: "Artist 1".into() }, AssignTarget::Track(cat.song2)).await.unwrap();
    store.delete_track(gone).await.unwrap();

    let filters = [
        ReportFilter::default(),
        ReportFilter { period: Some("2024-02".parse().unwrap()), ..ReportFilter::default() },
        ReportFilter { currency: Some("EUR".into()), ..ReportFilter::default() },
        ReportFilter { artist_id: Some(cat.artist), ..ReportFilter::default() },
        ReportFilter { artist_id: Some(other), ..ReportFilter::default() },
        ReportFilter { artist_id: Some(cat.artist), period: Some("2024-01".parse().unwrap()), currency: Some("USD".into()) },
    ];
    for filter in &filters {
        for by in [ReportBy::Month, ReportBy::Store, ReportBy::Territory, ReportBy::Release, ReportBy::Track] {
            let fast = store.royalty_report(by, filter).await.unwrap();
            let slow = store.royalty_report_from_lines(by, filter).await.unwrap();
            assert_eq!(fast, slow, "{by:?} {filter:?}");
            assert!(!fast.rows.is_empty(), "{by:?} {filter:?}");
        }
    }
    // A store whose rollups were emptied by the migration that gave them their ledger key: both
    // are rebuilt from the lines.
    sqlx::query("DELETE FROM royalty_rollup_items").execute(&store.pool).await.unwrap();
    sqlx::query("DELETE FROM royalty_rollup").execute(&store.pool).await.unwrap();
    for filter in &filters {
        for by in [ReportBy::Month, ReportBy::Store, ReportBy::Territory, ReportBy::Release, ReportBy::Track] {
            assert_eq!(store.royalty_report(by, filter).await.unwrap(), store.royalty_report_from_lines(by, filter).await.unwrap(), "{by:?} {filter:?}");
        }
    }
    // The queue's group and count read its own index alone (not every line of the ledger's files).
    for (columns, grouped) in [("isrc, title, artist, COUNT(*), SUM(units)", " GROUP BY isrc, title, artist"), ("COUNT(*)", "")] {
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!(
            "EXPLAIN QUERY PLAN SELECT {columns} FROM statement_lines \
             WHERE track_id IS NULL AND release_id IS NULL AND +file_seq IN (SELECT seq FROM ledger_files){grouped}"
        ))
        .fetch_all(&store.pool)
        .await
        .unwrap();
        assert!(plan.iter().any(|p| p.3.contains("COVERING INDEX statement_lines_unmatched")), "{plan:?}");
    }
    let _ = cat.song1;
}

mod property {
    use super::*;
    use proptest::prelude::*;

    fn amount() -> impl Strategy<Value = (i64, u32)> {
        (-10_000_000_000i64..10_000_000_000_000i64, 0u32..=12)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Whatever the statement, every report's total is the exact sum of the source amounts.
        #[test]
        fn report_totals_equal_the_sum_of_source_amounts(
            rows in prop::collection::vec((0usize..4, 0usize..3, 1u32..=12, 0i64..1000, amount(), any::<bool>()), 1..60)
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let (store, dir) = store().await;
                let stores = ["Spotify", "Apple Music", "Deezer", "QQ音乐"];
                let countries = ["US", "CN", "DE"];
                let mut text = String::from(DK_HEADER);
                let mut want = Decimal::ZERO;
                let mut units = 0i64;
                for (s, c, month, qty, (mantissa, scale), parens) in &rows {
                    let value = Decimal::new(*mantissa, *scale);
                    want += value;
                    units += qty;
                    let shown = if *parens && value.is_sign_negative() { format!("({})", value.abs()) } else { value.to_string() };
                    text.push_str(&format!("\r\n2023-{month:02}-01\t2021-01\t{}\tA\tT\t\t\t{qty}\t100\tSong\t{}\t0\t{shown}", stores[*s], countries[*c]));
                }
                let path = write(dir.path(), "p.tsv", text);
                store.import_statement(&path, &ImportOptions::default()).await.unwrap();
                for by in [ReportBy::Month, ReportBy::Store, ReportBy::Territory, ReportBy::Release, ReportBy::Track] {
                    let r = store.royalty_report(by, &ReportFilter::default()).await.unwrap();
                    let total: Decimal = r.rows.iter().map(|r| r.amount).sum();
                    let total_units: i64 = r.rows.iter().map(|r| r.units).sum();
                    assert_eq!(total, want, "{by:?}");
                    assert_eq!(total_units, units, "{by:?}");
                }
                let stored: Vec<String> = sqlx::query_scalar("SELECT amount FROM statement_lines ORDER BY line_no").fetch_all(&store.pool).await.unwrap();
                let sum: Decimal = stored.iter().map(|a| d(a)).sum();
                assert_eq!(sum, want);
            });
        }
    }
}

#[tokio::test]
async fn a_preview_shows_the_header_and_rows_and_checks_a_mapping() {
    let (store, dir) = store().await;
    let csv = "月份,平台,国家,ISRC,歌曲,艺人,数量,收入,币种\r\n15/02/2024,QQ音乐,中国,CNA012600001,晴天,周杰伦,10,\"1,000.50\",CNY\r\n16/03/2024,网易云音乐,美国,,稻香,周杰伦,3,2.25,USD\r\n";
    let path = write(dir.path(), "cn.csv", encoding_rs::GBK.encode(csv).0);
    let p = store.statement_preview(&path, None, None).await.unwrap();
    assert_eq!(p.header, ["月份", "平台", "国家", "ISRC", "歌曲", "艺人", "数量", "收入", "币种"]);
    assert_eq!((p.encoding.as_str(), p.format, p.saved_mapping.as_deref()), ("gb18030", None, None));
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.rows[0][4], "晴天");
    assert_eq!(p.line_numbers, [2, 3]);
    assert!(p.issues.is_empty());

    let mapping = ColumnMapping {
        reporting_period: "月份".into(),
        store: Some("平台".into()),
        territory: Some("国家".into()),
        isrc: Some("ISRC".into()),
        title: Some("歌曲".into()),
        artist: Some("艺人".into()),
        units: Some("数量".into()),
        amount: "收入".into(),
        currency: Some("币种".into()),
        ..ColumnMapping::default()
    };
    // Day-first dates do not read in the default (US) order: the check names the lines.
    let p = store.statement_preview(&path, None, Some(&mapping)).await.unwrap();
    assert_eq!(p.issues.iter().map(|i| i.line).collect::<Vec<_>>(), [2, 3], "{:?}", p.issues);
    assert!(p.issues[0].reason.contains("月份"), "{:?}", p.issues);
    let wrong = ColumnMapping { amount: "金额".into(), ..mapping.clone() };
    let p = store.statement_preview(&path, None, Some(&wrong)).await.unwrap();
    assert_eq!(p.issues.len(), 1);
    assert_eq!(p.issues[0].line, 1);
    let mapping = ColumnMapping { date_order: Some(DateOrder::Dmy), ..mapping };
    assert!(store.statement_preview(&path, None, Some(&mapping)).await.unwrap().issues.is_empty());

    let header = p.header.clone();
    store.save_mapping("国内平台", &header, mapping).await.unwrap();
    assert_eq!(store.statement_preview(&path, None, None).await.unwrap().saved_mapping.as_deref(), Some("国内平台"));
    let r = store.import_statement(&path, &opts()).await.unwrap();
    assert_eq!((r.format, r.imported), (Format::Mapped, 2));
    let mut rows = report(&store, ReportBy::Month).await;
    rows.sort();
    assert_eq!(rows, [("2024-02".into(), "CNY".into(), 10, "1000.5".into()), ("2024-03".into(), "USD".into(), 3, "2.25".into())]);
    // The saved mapping keeps its date order.
    assert_eq!(store.get_mapping("国内平台").await.unwrap().mapping.date_order, Some(DateOrder::Dmy));
}

#[tokio::test]
async fn dsr_amounts_fall_back_to_net_revenue_without_an_allocation() {
    let (store, dir) = store().await;
    // The sample without its LI01 records (and its FOOT count adjusted): NetRevenue is the amount.
    let text = std::fs::read_to_string(fixture("DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv")).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("LI01")).collect();
    let body = kept.join("\n").replace("FOOT\t35\t35", &format!("FOOT\t{}\t{}", kept.len(), kept.len()));
    let r = store.import_statement(&write(dir.path(), "DSR_A_YouTube_x_2015-Q4_IS_1of1_1.tsv", body), &opts()).await.unwrap();
    assert_eq!(r.imported, 6);
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert_eq!(report(&store, ReportBy::Territory).await[0].3, "7");
    // Two allocations after one sale are summed; a bad one is an invalid line naming the LI01 line.
    let two = text.replacen("LI01.01\t1\t1\tPUB_2\t\t\t1.0000\tPerformingRight\t0.0\t125.23", "LI01.01\t1\t1\tPUB_2\t\t\t1.0000\tPerformingRight\t0.0\t125.23\nLI01.01\t1\t1\tPUB_1\t\t\t1.0000\tPerformingRight\t0.0\t0.77", 1);
    let two = two.replace("FOOT\t35\t35", "FOOT\t36\t36");
    let (store2, _d2) = crate::catalog::testing::store().await;
    store2.import_statement(&write(dir.path(), "DSR_B_YouTube_x_2015-Q4_IS_1of1_1.tsv", &two), &opts()).await.unwrap();
    assert_eq!(report(&store2, ReportBy::Territory).await[0].3, "199.65");
    let bad = text.replace("PerformingRight\t0.0\t125.23", "PerformingRight\t0.0\tlots");
    let err = store2.import_statement(&write(dir.path(), "DSR_C_YouTube_x_2015-Q4_IS_1of1_1.tsv", bad), &opts()).await.unwrap_err();
    assert!(err.to_string().contains("line 18: LI01.01 AllocatedAmount"), "{err}");
}

#[tokio::test]
async fn gzipped_statements_import_streamed() {
    use std::io::Write;
    let (store, dir) = store().await;
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let dsr = std::fs::read(fixture("DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv")).unwrap();
    let path = write(dir.path(), "DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv.gz", gz(&dsr));
    let r = store.import_statement(&path, &opts()).await.unwrap();
    assert_eq!((r.format, r.imported), (Format::DdexDsr, 6));
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    let lines: Vec<String> = (0..3000).map(|i| format!("2023-03-02\t2023-01\tSpotify\tA\tT{i}\t\t\t1\t100\tSong\tUS\t0\t0.01")).collect();
    let tsv = crlf(&[&[DK_HEADER.to_string()], &lines[..]].concat().iter().map(String::as_str).collect::<Vec<_>>());
    let path = write(dir.path(), "dk.tsv.gz", gz(tsv.as_bytes()));
    let r = store.import_statement(&path, &opts()).await.unwrap();
    assert_eq!((r.format, r.imported), (Format::Distrokid, 3000));
    assert_eq!(report(&store, ReportBy::Store).await.iter().find(|r| r.0 == "Spotify").unwrap().3, "30");
    // A mapped CSV in gzip: the preview reads it too.
    let csv = "月份,平台,收入,币种\n2024-01,QQ音乐,1.5,CNY\n";
    let path = write(dir.path(), "qq.csv.gz", gz(csv.as_bytes()));
    let p = store.statement_preview(&path, None, None).await.unwrap();
    assert_eq!((p.header.len(), p.rows.len()), (4, 1));
}

/// Every stored rollup row, `(dim, item, key, period, currency) -> (units, amount)`.
async fn stored_rollups(store: &Store) -> std::collections::BTreeMap<(String, String, String, String, String), (i64, String)> {
    let mut out = std::collections::BTreeMap::new();
    let totals: Vec<(String, String, String, String, i64, String)> =
        sqlx::query_as("SELECT dim, key, period, currency, units, amount FROM royalty_rollup").fetch_all(&store.pool).await.unwrap();
    for (dim, key, period, currency, units, amount) in totals {
        out.insert((dim, String::new(), key, period, currency), (units, amount));
    }
    let items: Vec<(String, String, String, String, String, i64, String)> =
        sqlx::query_as("SELECT 'items:' || dim, item, key, period, currency, units, amount FROM royalty_rollup_items").fetch_all(&store.pool).await.unwrap();
    for (dim, item, key, period, currency, units, amount) in items {
        out.insert((dim, item, key, period, currency), (units, amount));
    }
    out
}

/// The same rows computed from scratch: a GROUP BY over the lines per dimension (amounts summed
/// exactly in Rust from the group's decimal texts).
async fn rollups_from_lines(store: &Store) -> std::collections::BTreeMap<(String, String, String, String, String), (i64, String)> {
    let release = "COALESCE(release_id, (SELECT t.release_id FROM tracks t WHERE t.id = track_id), '')";
    let item = "COALESCE(track_id, release_id, '')";
    let dims = [
        ("store", "''", "store"),
        ("territory", "''", "COALESCE(territory, '')"),
        ("track", "''", "COALESCE(track_id, '')"),
        ("release", "''", release),
        ("items:store", item, "store"),
        ("items:territory", item, "COALESCE(territory, '')"),
    ];
    let mut out = std::collections::BTreeMap::new();
    for (dim, item, key) in dims {
        let rows: Vec<(String, String, String, String, i64, String)> = sqlx::query_as(&format!(
            "SELECT {item}, {key}, reporting_period, currency, SUM(units), group_concat(amount, ' ') FROM statement_lines GROUP BY 1, 2, 3, 4"
        ))
        .fetch_all(&store.pool)
        .await
        .unwrap();
        for (item, key, period, currency, units, amounts) in rows {
            let sum: Decimal = amounts.split(' ').map(d).sum();
            out.insert((dim.to_string(), item, key, period, currency), (units, sum.normalize().to_string()));
        }
    }
    out
}

/// The batched merge of both rollup tables gives exactly the rows a from-scratch GROUP BY over
/// the lines gives, after two imports whose keys overlap (rows added to), a re-import (a no-op)
/// and an assignment from the unmatched queue (rows moved); and its read finds each stored row
/// through the primary key.
#[tokio::test]
async fn batched_rollup_merge_equals_a_group_by_over_the_lines() {
    let (store, dir) = store().await;
    let cat = catalog(&store).await;
    let file = |seed: usize, months: usize| {
        let mut rows = vec![DK_HEADER.to_string()];
        for i in 0..300 {
            let n = i * 31 + seed * 7;
            let (title, isrc, upc) = match n % 5 {
                0 => ("Album", "", "036000291452"),
                1 => ("Song 1", "USAAA1234567", ""),
                2 => ("Song 2", "", ""),
                _ => ("Mystery", "", ""),
            };
            rows.push(format!(
                "2024-{:02}-05\t2024-01\tStore {}\tArtist 1\t{title}\t{isrc}\t{upc}\t{}\t100\tSong\t{}\t0\t{}0.{:09}",
                1 + n % months,
                n % 6,
                n % 11,
                ["US", "CN", "", "DE", "JP"][n % 5],
                if n.is_multiple_of(13) { "-" } else { "" },
                n * 104_729 % 1_000_000_007
            ));
        }
        crlf(&rows.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let first = write(dir.path(), "a.tsv", file(1, 2));
    store.import_statement(&first, &opts()).await.unwrap();
    assert_eq!(stored_rollups(&store).await, rollups_from_lines(&store).await, "after the first import");
    store.import_statement(&write(dir.path(), "b.tsv", file(2, 3)), &opts()).await.unwrap();
    assert_eq!(stored_rollups(&store).await, rollups_from_lines(&store).await, "after the second import");
    let before = stored_rollups(&store).await;
    assert!(store.import_statement(&first, &opts()).await.unwrap().duplicate_file);
    assert_eq!(stored_rollups(&store).await, before, "a re-import changes nothing");
    store.assign_unmatched(AssignBy::TitleArtist { title: "Mystery".into(), artist: "Artist 1".into() }, AssignTarget::Track(cat.song2)).await.unwrap();
    // (Rows the assignment emptied stay, at zero: the reports skip them.)
    let mut after = stored_rollups(&store).await;
    let emptied = after.len();
    after.retain(|_, (units, amount)| *units != 0 || amount != "0");
    assert!(after.len() < emptied, "the unmatched rows were emptied");
    assert_eq!(after, rollups_from_lines(&store).await, "after an assignment");
    assert!(after.len() > 50, "{}", after.len());

    for table in [super::rollup::Table::Totals, super::rollup::Table::Items] {
        let (read, _) = super::rollup::merge_sql(table);
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {read}")).bind("[]").fetch_all(&store.pool).await.unwrap();
        assert!(plan.iter().any(|p| p.3.contains("USING PRIMARY KEY")), "{table:?}: {plan:?}");
    }
}
