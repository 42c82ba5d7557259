use super::*;
use crate::catalog::testing::store;
use crate::catalog::{NewWorkspace, WorkspaceKind};
use std::path::PathBuf;

pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/real").join(rel)
}

#[test]
fn durations() {
    assert_eq!(parse_duration("PT4M23.583S"), Some(263_583));
    assert_eq!(parse_duration("PT2M28S"), Some(148_000));
    assert_eq!(parse_duration("PT1H2M3S"), Some(3_723_000));
    assert_eq!(format_duration(263_583), "PT4M23.583S");
    assert_eq!(format_duration(148_000), "PT2M28S");
    assert_eq!(format_duration(3_723_000), "PT1H2M3S");
}

#[tokio::test]
async fn the_real_ern_4_samples_import() {
    let (store, _dir) = store().await;
    let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
    for (file, version) in [
        ("ddex-ern411-sshaw/audio-album.xml", "4.1.1"),
        ("ddex-ern42-sshaw/audio-album.xml", "4.2"),
        ("ddex-ern42-sshaw/simple-audio-single.xml", "4.2"),
        ("ddex-ern43-sshaw/audio-album.xml", "4.3"),
        ("ddex-ern43-sshaw/simple-audio-single.xml", "4.3"),
        ("ddex-ern43-sshaw/audio-classical-variant.xml", "4.3"),
        ("ddex-ern43-sshaw/djmix.xml", "4.3"),
    ] {
        let imported = import_file(&store, ws, &fixture(file)).await.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(imported.ern_version, version, "{file}");
        assert!(!imported.releases.is_empty(), "{file}");
        let r = &imported.releases[0];
        assert!(!r.tracks.is_empty(), "{file}: no tracks");
        assert!(!r.release.artists.is_empty(), "{file}");
        eprintln!("{file}: {} — {} tracks, {} warnings", r.release.title, r.tracks.len(), imported.warnings.len());
    }
}

#[tokio::test]
async fn album_4_3_maps_identifiers_titles_durations_and_deals() {
    let (store, _dir) = store().await;
    let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
    let imported = import_file(&store, ws, &fixture("ddex-ern43-sshaw/simple-audio-single.xml")).await.unwrap();
    let r = &imported.releases[0];
    assert_eq!(r.release.title, "I Love You");
    assert_eq!(r.release.artists[0].name, "RIOPY");
    assert_eq!(r.release.label_name.as_deref(), Some("Warner Classics"));
    assert_eq!(r.release.genre.as_deref(), Some("Classical"));
    assert_eq!(r.release.p_line.as_ref().unwrap().year, 2015);
    assert_eq!(r.tracks[0].isrc.as_deref(), Some("GBAYC1700598"));
    assert_eq!(r.tracks[0].duration_ms, Some(263_583));
    assert!(!r.release.deals.is_empty());
    assert!(r.release.deals[0].territories.len() > 100, "territories merged per deal");
}

#[tokio::test]
async fn bad_xml_names_file_and_line() {
    let (store, _dir) = store().await;
    let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
    let err = store.import_ern(ws, "<a>\n<b>\n</a>", "x.xml").await.unwrap_err();
    assert_eq!(err.code(), "invalid_ern");
    assert!(err.to_string().starts_with("x.xml:"), "{err}");
    let err = store.import_ern(ws, "<Foo/>", "y.xml").await.unwrap_err();
    assert!(err.to_string().contains("not a NewReleaseMessage"), "{err}");
}
