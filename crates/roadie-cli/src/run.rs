use crate::args::*;
use crate::text;
use roadie::catalog::*;
use roadie::royalties::{AssignBy, AssignTarget, CancelToken, ColumnMapping, ImportOptions, ImportProgress, ReportFilter};
use roadie::royalties::ImportReport;
use roadie::{Error, Result, Store};
use serde::Serialize;
use std::io::Write;
use uuid::Uuid;

pub async fn run(cli: Cli) -> Result<()> {
    // Commands that need no store.
    let out = Output { json: cli.json };
    match &cli.command {
        Command::Isrc(IsrcCmd::Validate { code }) => return validate_code(&out, "isrc", code, roadie::identifiers::normalize_isrc),
        Command::Upc(UpcCmd::Validate { code }) => return validate_code(&out, "upc", code, roadie::identifiers::normalize_upc),
        Command::Asset(AssetCmd::Analyze { files }) => return analyze(&out, files),
        _ => {}
    }
    let path = match cli.db.clone() {
        Some(path) => path,
        None => roadie::default_store_path()?,
    };
    let store = Store::open(&path).await?;
    let out = Output { json: cli.json };
    let ctx = Ctx { store: &store, workspace: cli.workspace.as_deref() };
    let result = dispatch(&ctx, &out, cli.command).await;
    store.close().await;
    result
}

pub struct Output {
    json: bool,
}

impl Output {
    /// JSON when asked for, else the readable form.
    pub fn show<T: Serialize>(&self, value: &T, readable: impl FnOnce(&T) -> String) {
        let text = if self.json { serde_json::to_string_pretty(value).expect("serialisable") } else { readable(value) };
        // A closed pipe (`roadie release list | head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    fn done(&self, what: &str, id: Uuid) {
        self.show(&serde_json::json!({ "deleted": true, "id": id }), |_| format!("{what} {id} deleted"));
    }
}

pub struct Ctx<'a> {
    pub store: &'a Store,
    workspace: Option<&'a str>,
}

impl Ctx<'_> {
    /// The raw `--workspace` value (a platform workspace id for the team commands).
    pub fn workspace_ref(&self) -> Option<&str> {
        self.workspace
    }

    /// The workspace to act in: `--workspace`, else the current one.
    pub async fn workspace(&self) -> Result<Workspace> {
        match self.workspace {
            Some(w) => find_workspace(self.store, w).await,
            None => self.store.require_workspace().await,
        }
    }

    /// Like [`Ctx::workspace`], but a new store gets a label workspace so a first `artist add`
    /// just works; says so on stderr.
    pub async fn workspace_or_create(&self) -> Result<Workspace> {
        match self.workspace().await {
            Err(Error::NoWorkspace) => {
                let ws = self
                    .store
                    .create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "My label".into() })
                    .await?;
                eprintln!("roadie: no workspace yet; created label workspace \"My label\" ({})", ws.id);
                Ok(ws)
            }
            other => other,
        }
    }

    /// An artist by id, or by name within the workspace.
    async fn artist(&self, reference: &str) -> Result<Artist> {
        if let Ok(id) = Uuid::parse_str(reference.trim()) {
            return self.store.get_artist(id).await;
        }
        let ws = self.workspace().await?;
        let wanted = reference.trim().to_lowercase();
        let mut matches: Vec<Artist> = self
            .store
            .list_artists(ws.id)
            .await?
            .into_iter()
            .filter(|a| a.name.to_lowercase() == wanted || a.localized_names.iter().any(|n| n.name.to_lowercase() == wanted))
            .collect();
        match matches.len() {
            1 => Ok(matches.remove(0)),
            _ => Err(Error::not_found("artist", reference)),
        }
    }

    async fn artists(&self, references: &[String]) -> Result<Vec<Artist>> {
        let mut found = Vec::with_capacity(references.len());
        for r in references {
            found.push(self.artist(r).await?);
        }
        Ok(found)
    }
}

/// The CLI keeps the platform token in a 0600 file beside the store.
fn secrets(store: &Store) -> roadie::platform::FileSecrets {
    roadie::platform::FileSecrets::beside_store(store.path())
}

fn parse_id(entity: &'static str, s: &str) -> Result<Uuid> {
    Uuid::parse_str(s.trim()).map_err(|_| Error::not_found(entity, s))
}

async fn find_workspace(store: &Store, reference: &str) -> Result<Workspace> {
    if let Ok(id) = Uuid::parse_str(reference.trim()) {
        return store.get_workspace(id).await;
    }
    let mut matches: Vec<_> =
        store.list_workspaces().await?.into_iter().filter(|w| w.name.eq_ignore_ascii_case(reference.trim())).collect();
    match matches.len() {
        1 => Ok(matches.remove(0)),
        _ => Err(Error::not_found("workspace", reference)),
    }
}

fn artist_input(name: String, f: ArtistFields, base: Option<&Artist>) -> Result<ArtistInput> {
    let mut localized_names = base.map(|a| a.localized_names.clone()).unwrap_or_default();
    for alt in &f.alt_names {
        let (language, name) = alt.split_once('=').ok_or_else(|| {
            Error::invalid(
                "artist",
                vec![roadie::FieldIssue::new("alt_name", "invalid_format", format!("'{alt}' is not LANG=NAME"))],
            )
        })?;
        localized_names.retain(|n| n.language != language.trim());
        localized_names.push(LocalizedName { language: language.trim().into(), name: name.trim().into() });
    }
    let mut links = base.map(|a| a.links.clone()).unwrap_or_default();
    links.extend(f.links);
    Ok(ArtistInput {
        name,
        sort_name: f.sort_name.or_else(|| base.map(|a| a.sort_name.clone())),
        localized_names,
        country: f.country.or_else(|| base.and_then(|a| a.country.clone())),
        links,
    })
}

fn release_input(current: &Release, edit: ReleaseFields) -> ReleaseInput {
    let base = ReleaseInput::from_release(current);
    ReleaseInput {
        label_name: edit.label_name.or(base.label_name.clone()),
        release_date: edit.date.or(base.release_date),
        catalog_number: edit.catalog_number.or(base.catalog_number.clone()),
        upc: edit.upc.or(base.upc.clone()),
        status: edit.status.or(base.status),
        ..base
    }
}

/// `roadie isrc|upc validate CODE`: the normalised code, or the reason on stderr and exit 1.
fn validate_code(out: &Output, field: &str, code: &str, normalize: fn(&str) -> Result<String, String>) -> Result<()> {
    match normalize(code) {
        Ok(valid) => {
            out.show(&serde_json::json!({ "valid": true, "code": valid }), |v| format!("valid: {}", v["code"].as_str().unwrap_or("")));
            Ok(())
        }
        Err(reason) => {
            let _ = code;
            Err(Error::invalid(if field == "isrc" { "isrc" } else { "upc" }, vec![roadie::FieldIssue::new(field, &format!("invalid_{field}"), reason)]))
        }
    }
}

/// `roadie asset analyze FILE...`: every file's analysis (or error); exit 1 when any failed.
fn analyze(out: &Output, files: &[std::path::PathBuf]) -> Result<()> {
    let reports = roadie::media::analyze_all(files, 0, &std::sync::atomic::AtomicBool::new(false), &|_| {});
    out.show(&reports, |r| text::assets(r));
    let failed = reports.iter().filter(|r| r.is_failed()).count();
    if failed > 0 {
        return Err(Error::AssetsFailed { failed: failed as u32, total: reports.len() as u32 });
    }
    Ok(())
}

async fn track_input(ctx: &Ctx<'_>, title: String, f: TrackFields, base: Option<&Track>) -> Result<TrackInput> {
    let artist_ids = if f.artists.is_empty() {
        base.map(|t| t.artists.iter().map(|a| a.id).collect()).unwrap_or_default()
    } else {
        ctx.artists(&f.artists).await?.into_iter().map(|a| a.id).collect()
    };
    let start = base.map(TrackInput::from_track).unwrap_or_default();
    Ok(TrackInput {
        title,
        version: f.version.or(start.version.clone()),
        disc_number: f.disc.or(start.disc_number),
        position: f.position.or(start.position),
        artist_ids,
        duration_ms: f.duration.or(start.duration_ms),
        isrc: f.isrc.or(start.isrc.clone()),
        ..start
    })
}

async fn dispatch(ctx: &Ctx<'_>, out: &Output, command: Command) -> Result<()> {
    let store = ctx.store;
    match command {
        Command::Fans(cmd) => crate::fans::run(ctx, out, cmd).await?,
        Command::Payee(cmd) => crate::ledger::payee(ctx, out, cmd).await?,
        Command::Split(cmd) => crate::ledger::split(ctx, out, cmd).await?,
        Command::Advance(cmd) => crate::ledger::advance(ctx, out, cmd).await?,
        Command::Fx(cmd) => crate::ledger::fx(ctx, out, cmd).await?,
        Command::Statements(cmd) => crate::ledger::statements(ctx, out, cmd).await?,
        Command::Payout(cmd) => crate::ledger::payout(ctx, out, cmd).await?,
        Command::Workspaces(cmd) => crate::team::workspaces(ctx, out, cmd).await?,
        Command::Invite(cmd) => crate::team::invite(ctx, out, cmd).await?,
        Command::Member(cmd) => crate::team::member(ctx, out, cmd).await?,
        Command::Roster(cmd) => crate::team::roster(ctx, out, cmd).await?,
        Command::Login { server, email } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).map_err(Error::Io)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let account = store.login(&server, &email, password, &secrets(store)).await?;
            out.show(&account, |a| format!("signed in to {} as {} ({})\ntoken kept in {}", a.server, a.email, a.name, a.token_location));
        }
        Command::Logout => {
            let done = store.logout(&secrets(store)).await?;
            out.show(&done, |d| match (&d.server, d.revoked_on_server) {
                (None, _) => "not signed in".to_string(),
                (Some(s), true) => format!("signed out of {s}"),
                (Some(s), false) => format!("signed out here; {s} could not be reached, so the token was not revoked there"),
            });
        }
        Command::Upload { files, release } => {
            let release_id = match release {
                Some(r) => Some(parse_id("release", &r)?),
                None => None,
            };
            // ROADIE_UPLOAD_CHUNK_BYTES: bytes per PATCH (default 16 MiB), for slow links and tests.
            let chunk_size = std::env::var("ROADIE_UPLOAD_CHUNK_BYTES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(roadie::platform::upload::DEFAULT_CHUNK);
            let options = roadie::platform::upload::UploadOptions { release_id, chunk_size };
            let quiet = out.json;
            let progress = move |p: &roadie::platform::UploadProgress| {
                if !quiet && p.phase == roadie::platform::upload::UploadPhase::Done {
                    eprintln!("{}: {} bytes on the server", p.path, p.done);
                }
            };
            let cancel = roadie::platform::CancelFlag::default();
            let results = store.upload_files(&files, &options, &secrets(store), &progress, &cancel).await?;
            out.show(&results, |rs| {
                rs.iter()
                    .map(|r| match r.status {
                        roadie::platform::UploadStatus::AlreadyUploaded => format!("{}: already uploaded ({})", r.path, r.sha256),
                        _ if r.resumed_from > 0 => format!("{}: uploaded, resumed at byte {} ({})", r.path, r.resumed_from, r.sha256),
                        _ => format!("{}: uploaded ({})", r.path, r.sha256),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::Sync => {
            let quiet = out.json;
            let progress = move |p: &roadie::sync::SyncProgress| {
                if !quiet && p.phase != roadie::sync::SyncPhase::Done && p.total > 0 && p.done == p.total {
                    eprintln!("{}: {}/{}", if p.phase == roadie::sync::SyncPhase::Push { "pushed" } else { "pulled" }, p.done, p.total);
                }
            };
            let cancel = roadie::sync::SyncCancel::default();
            let report = store.sync(&secrets(store), &progress, &cancel).await?;
            for r in &report.refused {
                eprintln!("roadie: the server refused a change to {} {}: {} [{}]", r.table, r.pk, r.message, r.code);
            }
            let shown = serde_json::json!({ "pushed": report.pushed, "pulled": report.pulled, "conflicts": report.conflicts });
            out.show(&shown, |_| {
                format!("pushed {}, pulled {}, {} open conflicts", report.pushed, report.pulled, report.conflicts)
            });
        }
        Command::Conflicts(ConflictsCmd::List) => {
            let conflicts = store.list_conflicts().await?;
            out.show(&conflicts, |cs| {
                if cs.is_empty() {
                    return "no conflicts".into();
                }
                cs.iter()
                    .map(|c| format!("{}  {} {} {}: mine {} / theirs {}", c.id, c.table, c.pk, c.column, c.mine.value, c.theirs.value))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::Conflicts(ConflictsCmd::Resolve { id, take }) => {
            let id = parse_id("conflict", &id)?;
            let c = store.resolve_conflict(id, take).await?;
            let value = match take {
                roadie::sync::Take::Mine => c.mine.value.clone(),
                roadie::sync::Take::Theirs => c.theirs.value.clone(),
            };
            let shown = serde_json::json!({ "resolved": true, "id": c.id, "take": take, "table": c.table, "pk": c.pk, "column": c.column, "value": value });
            out.show(&shown, |_| format!("conflict {} resolved: {} {} {} = {}", c.id, c.table, c.pk, c.column, value));
        }
        Command::Info => {
            let info = serde_json::json!({
                "store_path": store.path().display().to_string(),
                "schema_version": store.schema_version().await?,
                "version": env!("CARGO_PKG_VERSION"),
            });
            out.show(&info, |i| format!("store:  {}\nschema: {}", i["store_path"].as_str().unwrap_or(""), i["schema_version"]));
        }
        Command::Import(ImportCmd::Statement { files, format, mapping, encoding, skip_invalid, progress }) => {
            let options = ImportOptions { format: format.0, mapping, encoding, skip_invalid };
            // Each file is all or nothing; a failing file does not stop the others.
            let mut outcomes: Vec<(String, Result<ImportReport>)> = Vec::new();
            for file in &files {
                let shown = file.display().to_string();
                let print = |p: ImportProgress| {
                    if progress {
                        eprintln!("progress {shown}: {} lines, {}/{} bytes", p.lines, p.bytes_done, p.bytes_total);
                    }
                };
                let outcome = store.import_statement_with(file, &options, &print, &CancelToken::new()).await;
                if let Err(err) = &outcome {
                    if files.len() > 1 {
                        eprintln!("roadie: {err} [{}]", err.code());
                    }
                }
                outcomes.push((shown, outcome));
            }
            // One file: its error is the command's (as for every other command).
            if files.len() == 1 {
                if let Some((_, Err(_))) = outcomes.first() {
                    return Err(outcomes.pop().expect("one").1.expect_err("failed"));
                }
            }
            let failed = outcomes.iter().filter(|(_, o)| o.is_err()).count();
            let files_json: Vec<_> = outcomes
                .iter()
                .map(|(path, o)| match o {
                    Ok(r) => serde_json::json!({
                        "path": r.path, "format": r.format, "lines": r.lines, "imported": r.imported,
                        "duplicate_file": r.duplicate_file, "matched": r.matched, "unmatched": r.unmatched,
                        "skipped": r.skipped,
                    }),
                    Err(e) => serde_json::json!({ "path": path, "error": e.payload() }),
                })
                .collect();
            out.show(&serde_json::json!({ "files": files_json }), |_| text::import_outcomes(&outcomes));
            if failed > 0 {
                return Err(Error::StatementsFailed { failed: failed as u32, total: outcomes.len() as u32 });
            }
        }
        Command::Royalties(RoyaltiesCmd::Report { by, period, artist, currency }) => {
            let artist_id = match artist {
                Some(a) => Some(ctx.artist(&a).await?.id),
                None => None,
            };
            let filter = ReportFilter { period, artist_id, currency: currency.map(|c| c.trim().to_ascii_uppercase()) };
            let report = store.royalty_report(by, &filter).await?;
            out.show(&report, text::report);
        }
        Command::Royalties(RoyaltiesCmd::Ledger { workspace, own }) => {
            let ledger = match (workspace, own) {
                (Some(w), _) => store.set_ledger_workspace(Some(find_workspace(store, &w).await?.id)).await?,
                (None, true) => store.set_ledger_workspace(None).await?,
                (None, false) => store.ledger_workspace().await?,
            };
            out.show(&serde_json::json!({ "workspace": ledger }), |_| match &ledger {
                Some(w) => format!("Ledger kept in workspace {} ({})", w.name, w.id),
                None => "Ledger kept in the account's own workspace".into(),
            });
        }
        Command::Royalties(RoyaltiesCmd::Unmatched(UnmatchedCmd::List { limit })) => {
            let groups = store.unmatched_groups(limit).await?;
            let total = store.unmatched_count().await?;
            out.show(&serde_json::json!({ "unmatched": total, "groups": groups }), |_| text::unmatched(total, &groups));
        }
        Command::Royalties(RoyaltiesCmd::Assign { isrc, title, artist, track, release }) => {
            let by = match (isrc, title, artist) {
                (Some(isrc), _, _) => AssignBy::Isrc { isrc },
                (None, Some(title), Some(artist)) => AssignBy::TitleArtist { title, artist },
                _ => unreachable!("clap requires --isrc or --title with --artist"),
            };
            let target = match (track, release) {
                (Some(t), _) => AssignTarget::Track(parse_id("track", &t)?),
                (None, Some(r)) => AssignTarget::Release(parse_id("release", &r)?),
                _ => unreachable!("clap requires --track or --release"),
            };
            let moved = store.assign_unmatched(by, target).await?;
            let remaining = store.unmatched_count().await?;
            out.show(&serde_json::json!({ "assigned": moved, "unmatched": remaining }), |_| {
                format!("assigned {moved} line(s); {remaining} still unmatched; the rule applies to later imports")
            });
        }
        Command::Mapping(MappingCmd::Save {
            name,
            from,
            encoding,
            period,
            amount,
            sale_period,
            store: store_column,
            default_store,
            territory,
            usage,
            isrc,
            upc,
            title,
            artist,
            units,
            currency,
            default_currency,
            date_order,
        }) => {
            let header = store.statement_header(&from, encoding.as_deref()).await?;
            let mapping = ColumnMapping {
                reporting_period: period,
                sale_period,
                store: store_column,
                default_store,
                territory,
                usage_type: usage,
                isrc,
                upc,
                title,
                title_fallback: None,
                artist,
                units,
                amount,
                currency,
                default_currency: default_currency.map(|c| c.trim().to_ascii_uppercase()),
                date_order,
            };
            let saved = store.save_mapping(&name, &header, mapping).await?;
            out.show(&saved, |m| format!("saved mapping {} for a header of {} columns", m.name, m.header.len()));
        }
        Command::Mapping(MappingCmd::List) => {
            let list = store.list_mappings().await?;
            out.show(&list, |l| {
                if l.is_empty() {
                    "no mappings yet (roadie mapping save NAME --from FILE --period COL --amount COL ...)".into()
                } else {
                    l.iter().map(|m| format!("{}  ({} columns)", m.name, m.header.len())).collect::<Vec<_>>().join("\n")
                }
            });
        }
        Command::Workspace(cmd) => match cmd {
            WorkspaceCmd::Create { kind, name } => {
                let ws = store.create_workspace(NewWorkspace { kind, name }).await?;
                out.show(&ws, text::workspace_created);
            }
            WorkspaceCmd::List => {
                let current = store.current_workspace().await?.map(|w| w.id);
                let list = store.list_workspaces().await?;
                out.show(&list, |l| text::workspaces(l, current));
            }
            WorkspaceCmd::Use { workspace } => {
                let ws = find_workspace(store, &workspace).await?;
                let ws = store.use_workspace(ws.id).await?;
                out.show(&ws, |w| format!("now working in {} ({})", w.name, w.id));
            }
            WorkspaceCmd::Rename { workspace, name } => {
                let ws = find_workspace(store, &workspace).await?;
                let ws = store.rename_workspace(ws.id, &name).await?;
                out.show(&ws, |w| format!("renamed to {}", w.name));
            }
            WorkspaceCmd::SetDpid { dpid } => {
                let ws = ctx.workspace().await?;
                let dpid = store.set_workspace_dpid(ws.id, dpid.as_deref()).await?;
                out.show(&serde_json::json!({ "workspace_id": ws.id, "dpid": dpid }), |v| match v["dpid"].as_str() {
                    Some(d) => format!("DDEX Party ID {d}"),
                    None => "DDEX Party ID cleared".into(),
                });
            }
        },
        Command::Artist(cmd) => match cmd {
            ArtistCmd::Add { name, fields } => {
                let ws = ctx.workspace_or_create().await?;
                let artist = store.create_artist(ws.id, artist_input(name, fields, None)?).await?;
                out.show(&artist, |a| format!("added {} ({})", a.name, a.id));
            }
            ArtistCmd::List => {
                let ws = ctx.workspace().await?;
                out.show(&store.list_artists(ws.id).await?, |l| text::artists(l));
            }
            ArtistCmd::Show { id } => {
                let artist = ctx.artist(&id).await?;
                out.show(&artist, text::artist);
            }
            ArtistCmd::Edit { id, name, fields } => {
                let current = ctx.artist(&id).await?;
                let input = artist_input(name.unwrap_or_else(|| current.name.clone()), fields, Some(&current))?;
                let artist = store.update_artist(current.id, input).await?;
                out.show(&artist, text::artist);
            }
            ArtistCmd::Delete { id } => {
                let artist = ctx.artist(&id).await?;
                store.delete_artist(artist.id).await?;
                out.done("artist", artist.id);
            }
        },
        Command::Release(cmd) => match cmd {
            ReleaseCmd::Add { title, release_type, artists, fields } => {
                let artists = ctx.artists(&artists).await?;
                // The release belongs where its artists are.
                let workspace_id = match artists.first() {
                    Some(a) => a.workspace_id,
                    None => ctx.workspace().await?.id,
                };
                let input = ReleaseInput {
                    label_name: fields.label_name,
                    release_date: fields.date,
                    catalog_number: fields.catalog_number,
                    upc: fields.upc,
                    status: fields.status,
                    ..ReleaseInput::new(&title, release_type, artists.iter().map(|a| a.id).collect())
                };
                let release = store.create_release(workspace_id, input).await?;
                out.show(&release, text::release);
            }
            ReleaseCmd::List { artist } => {
                let ws = ctx.workspace().await?;
                let artist_id = match artist {
                    Some(a) => Some(ctx.artist(&a).await?.id),
                    None => None,
                };
                let list = store.list_releases(ws.id, &ReleaseFilter { artist_id }).await?;
                out.show(&list, |l| text::releases(l));
            }
            ReleaseCmd::Show { id } => {
                let release = store.get_release(parse_id("release", &id)?).await?;
                out.show(&release, text::release);
            }
            ReleaseCmd::Edit { id, title, release_type, artists, fields } => {
                let current = store.get_release(parse_id("release", &id)?).await?.release;
                let mut input = release_input(&current, fields);
                if let Some(title) = title {
                    input.title = title;
                }
                if let Some(t) = release_type {
                    input.release_type = t;
                }
                if !artists.is_empty() {
                    input.artist_ids = ctx.artists(&artists).await?.into_iter().map(|a| a.id).collect();
                }
                let release = store.update_release(current.id, input).await?;
                out.show(&release, text::release);
            }
            ReleaseCmd::Delete { id } => {
                let id = parse_id("release", &id)?;
                store.delete_release(id).await?;
                out.done("release", id);
            }
            ReleaseCmd::AddTracks { release_id, files } => {
                let id = parse_id("release", &release_id)?;
                let progress: std::sync::Arc<dyn Fn(roadie::media::Progress) + Send + Sync> = if out.json {
                    std::sync::Arc::new(|_| {})
                } else {
                    std::sync::Arc::new(|p: roadie::media::Progress| eprintln!("analysed {}/{}", p.done, p.total))
                };
                let added = store.add_tracks_from_files(id, files, Default::default(), progress).await?;
                out.show(&added, text::added_tracks);
                let failed = added.files.iter().filter(|r| r.is_failed()).count();
                if failed > 0 {
                    return Err(Error::AssetsFailed { failed: failed as u32, total: added.files.len() as u32 });
                }
            }
            ReleaseCmd::SetArtwork { release_id, file } => {
                let id = parse_id("release", &release_id)?;
                let image = roadie::media::analyze_image(&file).map_err(Error::Asset)?;
                let release = store.set_release_artwork(id, Some(&image)).await?;
                out.show(&release, text::release);
            }
            ReleaseCmd::Check { release_id } => {
                let readiness = store.check_release(parse_id("release", &release_id)?).await?;
                out.show(&readiness, text::readiness);
            }
            ReleaseCmd::ImportErn { file } => {
                let imported = roadie::ern::import_file(store, ctx.workspace_or_create().await?.id, &file).await?;
                out.show(&imported, text::imported);
            }
            ReleaseCmd::ExportErn { release_id, output, sender_dpid } => {
                let id = parse_id("release", &release_id)?;
                roadie::ern::export_file(store, id, &output, sender_dpid.as_deref()).await?;
                out.show(&serde_json::json!({ "release_id": id, "path": output.display().to_string() }), |v| {
                    format!("wrote {}", v["path"].as_str().unwrap_or(""))
                });
            }
        },
        Command::Isrc(cmd) => match cmd {
            IsrcCmd::SetPrefix { prefix, artist } => {
                let owner = match artist {
                    Some(a) => IsrcOwner::Artist(ctx.artist(&a).await?.id),
                    None => IsrcOwner::Workspace(ctx.workspace().await?.id),
                };
                let prefix = store.set_isrc_prefix(owner, Some(&prefix)).await?;
                out.show(&serde_json::json!({ "prefix": prefix }), |v| format!("ISRC prefix {}", v["prefix"].as_str().unwrap_or("")));
            }
            IsrcCmd::Assign { track_id } => {
                let id = parse_id("track", &track_id)?;
                let isrc = store.assign_isrc(id).await?;
                out.show(&serde_json::json!({ "track_id": id, "isrc": isrc }), |v| format!("ISRC {}", v["isrc"].as_str().unwrap_or("")));
            }
            IsrcCmd::Duplicates => {
                let dups = store.duplicate_isrcs().await?;
                out.show(&dups, |d| {
                    d.iter().map(|d| format!("{} ×{}{}", d.isrc, d.tracks.len(), if d.same_recording { " (same recording)" } else { "" })).collect::<Vec<_>>().join("\n")
                });
            }
            IsrcCmd::Validate { .. } => unreachable!("handled before opening the store"),
        },
        Command::Upc(_) | Command::Asset(_) => unreachable!("handled before opening the store"),
        Command::Track(cmd) => match cmd {
            TrackCmd::Add { release_id, title, fields } => {
                let release_id = parse_id("release", &release_id)?;
                let input = track_input(ctx, title, fields, None).await?;
                let track = store.add_track(release_id, input).await?;
                out.show(&track, |t| format!("added track {}.{} {} ({})", t.disc_number, t.position, t.title, t.id));
            }
            TrackCmd::Edit { id, title, fields } => {
                let current = store.get_track(parse_id("track", &id)?).await?;
                let input = track_input(ctx, title.unwrap_or_else(|| current.title.clone()), fields, Some(&current)).await?;
                let track = store.update_track(current.id, input).await?;
                out.show(&track, |t| format!("track {}.{} {}", t.disc_number, t.position, t.title));
            }
            TrackCmd::Delete { id } => {
                let id = parse_id("track", &id)?;
                store.delete_track(id).await?;
                out.done("track", id);
            }
        },
    }
    Ok(())
}
