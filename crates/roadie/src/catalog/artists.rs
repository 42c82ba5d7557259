use super::rows::{json, uuid};
use super::workspaces::WorkspaceKind;
use crate::error::{Error, Result};
use crate::identifiers::normalize_country;
use crate::validate::Checker;
use crate::Store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

/// The artist's name in another language or script, e.g. `zh-Hans` 周杰伦 beside `en` Jay Chou.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalizedName {
    /// A BCP 47 language tag: `zh-Hans`, `zh-Latn-pinyin`, `en`, `ja`...
    pub language: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Artist {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// How the artist files in lists ("Beatles, The"); the name when not given.
    pub sort_name: String,
    pub localized_names: Vec<LocalizedName>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub links: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a user enters for an artist; used both to create and to edit (the whole record).
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ArtistInput {
    pub name: String,
    pub sort_name: Option<String>,
    pub localized_names: Vec<LocalizedName>,
    pub country: Option<String>,
    pub links: Vec<String>,
}

impl ArtistInput {
    pub fn named(name: &str) -> Self {
        Self { name: name.into(), ..Self::default() }
    }
}

struct ValidArtist {
    name: String,
    sort_name: String,
    localized_names: Vec<LocalizedName>,
    country: Option<String>,
    links: Vec<String>,
}

fn validate(input: &ArtistInput) -> Result<ValidArtist> {
    let mut check = Checker::default();
    let name = check.required("name", &input.name, 200);
    let sort_name = check.optional("sort_name", input.sort_name.as_deref(), 200).unwrap_or_else(|| name.clone());
    let country = check.identifier("country", "invalid_country", input.country.as_deref(), normalize_country);
    let mut localized_names = Vec::new();
    for (i, alt) in input.localized_names.iter().enumerate() {
        let field = format!("localized_names[{i}]");
        let language = alt.language.trim();
        let alt_name = alt.name.trim();
        if alt_name.is_empty() {
            continue; // an empty row in the form
        }
        let tag_ok = !language.is_empty()
            && language.len() <= 35
            && language.split('-').all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !tag_ok {
            check.issue(&field, "invalid_language", format!("'{language}' is not a language tag like zh-Hans or en"));
        }
        if alt_name.chars().count() > 200 {
            check.issue(&field, "too_long", "a name has at most 200 characters");
        }
        localized_names.push(LocalizedName { language: language.into(), name: alt_name.into() });
    }
    let mut links = Vec::new();
    for (i, link) in input.links.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).enumerate() {
        let scheme_ok = link.starts_with("https://") || link.starts_with("http://");
        if !scheme_ok || link.len() < 11 || link.contains(char::is_whitespace) {
            check.issue(&format!("links[{i}]"), "invalid_url", format!("'{link}' is not a web address (https://...)"));
        }
        links.push(link.to_string());
    }
    check.finish("artist")?;
    Ok(ValidArtist { name, sort_name, localized_names, country, links })
}

fn from_row(row: &SqliteRow) -> Result<Artist> {
    Ok(Artist {
        id: uuid(row, "id")?,
        workspace_id: uuid(row, "workspace_id")?,
        name: row.try_get("name")?,
        sort_name: row.try_get("sort_name")?,
        localized_names: json(row, "localized_names")?,
        country: row.try_get("country")?,
        links: json(row, "links")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// The live roster of a workspace, in sort-name order.
    pub async fn list_artists(&self, workspace_id: Uuid) -> Result<Vec<Artist>> {
        let rows = sqlx::query(
            "SELECT * FROM artists WHERE workspace_id = ? AND deleted = 0 ORDER BY sort_name COLLATE NOCASE, id",
        )
        .bind(workspace_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn get_artist(&self, id: Uuid) -> Result<Artist> {
        let row = sqlx::query("SELECT * FROM artists WHERE id = ? AND deleted = 0")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::not_found("artist", id))?;
        from_row(&row)
    }

    /// Adds an artist to a workspace's roster. An artist workspace holds exactly one artist.
    pub async fn create_artist(&self, workspace_id: Uuid, input: ArtistInput) -> Result<Artist> {
        let valid = validate(&input)?;
        let workspace = self.get_workspace(workspace_id).await?;
        let id = self.ids.new_id();
        let now = self.clock.now();
        let mut tx = self.write().await?;
        if workspace.kind == WorkspaceKind::Artist {
            let existing: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM artists WHERE workspace_id = ? AND deleted = 0")
                    .bind(workspace_id.to_string())
                    .fetch_one(&mut *tx)
                    .await?;
            if existing > 0 {
                return Err(Error::ArtistWorkspaceFull);
            }
        }
        sqlx::query(
            "INSERT INTO artists (id, workspace_id, name, sort_name, localized_names, country, links, created_at, updated_at, hlc) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(workspace_id.to_string())
        .bind(&valid.name)
        .bind(&valid.sort_name)
        .bind(serde_json::to_string(&valid.localized_names).expect("serialisable"))
        .bind(&valid.country)
        .bind(serde_json::to_string(&valid.links).expect("serialisable"))
        .bind(now)
        .bind(now)
        .bind(self.stamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.get_artist(id).await
    }

    pub async fn update_artist(&self, id: Uuid, input: ArtistInput) -> Result<Artist> {
        let valid = validate(&input)?;
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE artists SET name = ?, sort_name = ?, localized_names = ?, country = ?, links = ?, updated_at = ?, hlc = ? \
             WHERE id = ? AND deleted = 0",
        )
        .bind(&valid.name)
        .bind(&valid.sort_name)
        .bind(serde_json::to_string(&valid.localized_names).expect("serialisable"))
        .bind(&valid.country)
        .bind(serde_json::to_string(&valid.links).expect("serialisable"))
        .bind(self.clock.now())
        .bind(self.stamp())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("artist", id));
        }
        tx.commit().await?;
        self.get_artist(id).await
    }

    /// Tombstones an artist. Refused while a live release or track still credits them: removing
    /// the credit is a decision the user makes on the release.
    pub async fn delete_artist(&self, id: Uuid) -> Result<()> {
        let artist = self.get_artist(id).await?;
        let mut tx = self.write().await?;
        let credited: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT r.id) FROM releases r WHERE r.deleted = 0 AND ( \
               r.id IN (SELECT release_id FROM release_artists WHERE artist_id = ?1 AND deleted = 0) \
               OR r.id IN (SELECT t.release_id FROM tracks t JOIN track_artists ta ON ta.track_id = t.id \
                           WHERE ta.artist_id = ?1 AND ta.deleted = 0 AND t.deleted = 0))",
        )
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if credited > 0 {
            return Err(Error::ArtistInUse { name: artist.name, releases: credited as u32 });
        }
        sqlx::query("UPDATE artists SET deleted = 1, updated_at = ?, hlc = ? WHERE id = ?")
            .bind(self.clock.now())
            .bind(self.stamp())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::NewWorkspace;

    async fn label(store: &Store) -> Uuid {
        store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "Label".into() }).await.unwrap().id
    }

    #[tokio::test]
    async fn roster_crud_with_names_in_other_scripts() {
        let (store, _dir) = store().await;
        let ws = label(&store).await;
        let jay = store
            .create_artist(
                ws,
                ArtistInput {
                    name: "Jay Chou".into(),
                    sort_name: Some("Chou, Jay".into()),
                    localized_names: vec![LocalizedName { language: "zh-Hans".into(), name: "周杰伦".into() }],
                    country: Some("tw".into()),
                    links: vec!["https://jaychou.example".into(), "  ".into()],
                },
            )
            .await
            .unwrap();
        assert_eq!(jay.country.as_deref(), Some("TW"));
        assert_eq!(jay.links, ["https://jaychou.example"]);
        let band = store.create_artist(ws, ArtistInput::named("Arctic Monkeys")).await.unwrap();
        assert_eq!(band.sort_name, "Arctic Monkeys");

        let names: Vec<_> = store.list_artists(ws).await.unwrap().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Arctic Monkeys", "Jay Chou"]);

        let edited = store
            .update_artist(band.id, ArtistInput { country: Some("GB".into()), ..ArtistInput::named("Arctic Monkeys") })
            .await
            .unwrap();
        assert_eq!(edited.country.as_deref(), Some("GB"));
        assert_eq!(edited.created_at, band.created_at);

        store.delete_artist(band.id).await.unwrap();
        assert_eq!(store.list_artists(ws).await.unwrap().len(), 1);
        assert_eq!(store.get_artist(band.id).await.unwrap_err().code(), "not_found");
        // Tombstoned, not removed: sync needs the row.
        let kept: i64 = sqlx::query_scalar("SELECT deleted FROM artists WHERE id = ?")
            .bind(band.id.to_string())
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(kept, 1);
    }

    #[tokio::test]
    async fn invalid_artists_report_every_field() {
        let (store, _dir) = store().await;
        let ws = label(&store).await;
        let err = store
            .create_artist(
                ws,
                ArtistInput {
                    name: "".into(),
                    country: Some("Narnia".into()),
                    links: vec!["ftp://x".into()],
                    localized_names: vec![LocalizedName { language: "zh Hans".into(), name: "周".into() }],
                    ..ArtistInput::default()
                },
            )
            .await
            .unwrap_err();
        let fields: Vec<_> = err.payload().issues.into_iter().map(|i| (i.field, i.reason)).collect();
        assert_eq!(
            fields,
            [
                ("name".to_string(), "required".to_string()),
                ("country".into(), "invalid_country".into()),
                ("localized_names[0]".into(), "invalid_language".into()),
                ("links[0]".into(), "invalid_url".into()),
            ]
        );
        assert!(store.list_artists(ws).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_artist_workspace_has_one_artist() {
        let (store, _dir) = store().await;
        let own = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Artist, name: "Me".into() }).await.unwrap();
        store.create_artist(own.id, ArtistInput::named("Me")).await.unwrap();
        let err = store.create_artist(own.id, ArtistInput::named("Someone else")).await.unwrap_err();
        assert_eq!(err.code(), "artist_workspace_full");
    }
}
