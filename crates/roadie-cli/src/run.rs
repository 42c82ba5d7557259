use crate::args::*;
use crate::text;
use roadie::catalog::*;
use roadie::{Error, Result, Store};
use serde::Serialize;
use std::io::Write;
use uuid::Uuid;

pub async fn run(cli: Cli) -> Result<()> {
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

struct Output {
    json: bool,
}

impl Output {
    /// JSON when asked for, else the readable form.
    fn show<T: Serialize>(&self, value: &T, readable: impl FnOnce(&T) -> String) {
        let text = if self.json { serde_json::to_string_pretty(value).expect("serialisable") } else { readable(value) };
        // A closed pipe (`roadie release list | head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    fn done(&self, what: &str, id: Uuid) {
        self.show(&serde_json::json!({ "deleted": true, "id": id }), |_| format!("{what} {id} deleted"));
    }
}

struct Ctx<'a> {
    store: &'a Store,
    workspace: Option<&'a str>,
}

impl Ctx<'_> {
    /// The workspace to act in: `--workspace`, else the current one.
    async fn workspace(&self) -> Result<Workspace> {
        match self.workspace {
            Some(w) => find_workspace(self.store, w).await,
            None => self.store.require_workspace().await,
        }
    }

    /// Like [`Ctx::workspace`], but a new store gets a label workspace so a first `artist add`
    /// just works; says so on stderr.
    async fn workspace_or_create(&self) -> Result<Workspace> {
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
    ReleaseInput {
        title: current.title.clone(),
        release_type: current.release_type,
        artist_ids: current.artists.iter().map(|a| a.id).collect(),
        label_name: edit.label_name.or_else(|| current.label_name.clone()),
        release_date: edit.date.or(current.release_date),
        catalog_number: edit.catalog_number.or_else(|| current.catalog_number.clone()),
        upc: edit.upc.or_else(|| current.upc.clone()),
        status: edit.status.or(Some(current.status)),
    }
}

async fn track_input(ctx: &Ctx<'_>, title: String, f: TrackFields, base: Option<&Track>) -> Result<TrackInput> {
    let artist_ids = if f.artists.is_empty() {
        base.map(|t| t.artists.iter().map(|a| a.id).collect()).unwrap_or_default()
    } else {
        ctx.artists(&f.artists).await?.into_iter().map(|a| a.id).collect()
    };
    Ok(TrackInput {
        title,
        version: f.version.or_else(|| base.and_then(|t| t.version.clone())),
        disc_number: f.disc.or(base.map(|t| t.disc_number)),
        position: f.position.or(base.map(|t| t.position)),
        artist_ids,
        duration_ms: f.duration.or(base.and_then(|t| t.duration_ms)),
        isrc: f.isrc.or_else(|| base.and_then(|t| t.isrc.clone())),
    })
}

async fn dispatch(ctx: &Ctx<'_>, out: &Output, command: Command) -> Result<()> {
    let store = ctx.store;
    match command {
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
        Command::Info => {
            let info = serde_json::json!({
                "store_path": store.path().display().to_string(),
                "schema_version": store.schema_version().await?,
                "version": env!("CARGO_PKG_VERSION"),
            });
            out.show(&info, |i| format!("store:  {}\nschema: {}", i["store_path"].as_str().unwrap_or(""), i["schema_version"]));
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
                    title,
                    release_type,
                    artist_ids: artists.iter().map(|a| a.id).collect(),
                    label_name: fields.label_name,
                    release_date: fields.date,
                    catalog_number: fields.catalog_number,
                    upc: fields.upc,
                    status: fields.status,
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
        },
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
