// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p roadie-desktop bindings`.
// Do not edit: a test fails when this file and the Rust declarations differ.

export type AppInfo = { version: string, store_path: string, 
/**
 * Present when the store could not be opened: the UI shows it and offers another store.
 */
store_error: ErrorPayload | null, };

export type ErrorPayload = { code: string, message: string, params: { [key in string]: string }, issues: Array<FieldIssue>, };

export type FieldIssue = { 
/**
 * The input field, in the model's snake_case names (`title`, `artist_ids`, `isrc`...).
 */
field: string, 
/**
 * A stable reason code: `required`, `too_long`, `invalid_country`, `invalid_isrc`...
 */
reason: string, 
/**
 * A short English explanation for logs and the CLI.
 */
detail: string, };

export type Preferences = { language: Language | null, theme: Theme | null, };

export type Language = "en" | "zh-CN";

export type Theme = "system" | "light" | "dark";

export type Workspace = { id: string, kind: WorkspaceKind, name: string, created_at: string, updated_at: string, };

export type WorkspaceKind = "label" | "artist";

export type NewWorkspace = { kind: WorkspaceKind, name: string, };

export type Artist = { id: string, workspace_id: string, name: string, 
/**
 * How the artist files in lists ("Beatles, The"); the name when not given.
 */
sort_name: string, localized_names: Array<LocalizedName>, 
/**
 * ISO 3166-1 alpha-2.
 */
country: string | null, links: Array<string>, created_at: string, updated_at: string, };

export type ArtistInput = { name: string, sort_name: string | null, localized_names: Array<LocalizedName>, country: string | null, links: Array<string>, };

export type LocalizedName = { 
/**
 * A BCP 47 language tag: `zh-Hans`, `zh-Latn-pinyin`, `en`, `ja`...
 */
language: string, name: string, };

export type ArtistRef = { id: string, name: string, };

export type Release = { id: string, workspace_id: string, title: string, type: ReleaseType, 
/**
 * Primary artists, in credit order.
 */
artists: Array<ArtistRef>, label_name: string | null, release_date: string | null, catalog_number: string | null, upc: string | null, status: ReleaseStatus, track_count: number, created_at: string, updated_at: string, };

export type ReleaseDetail = { tracks: Array<Track>, id: string, workspace_id: string, title: string, type: ReleaseType, 
/**
 * Primary artists, in credit order.
 */
artists: Array<ArtistRef>, label_name: string | null, release_date: string | null, catalog_number: string | null, upc: string | null, status: ReleaseStatus, track_count: number, created_at: string, updated_at: string, };

export type ReleaseFilter = { 
/**
 * Only releases crediting this artist.
 */
artist_id: string | null, };

export type ReleaseInput = { title: string, type: ReleaseType, 
/**
 * Primary artists from the workspace's roster, in credit order; at least one.
 */
artist_ids: Array<string>, label_name: string | null, release_date: string | null, catalog_number: string | null, upc: string | null, 
/**
 * Draft when not given.
 */
status: ReleaseStatus | null, };

export type ReleaseStatus = "draft" | "ready" | "delivered";

export type ReleaseType = "album" | "ep" | "single" | "compilation";

export type Track = { id: string, release_id: string, disc_number: number, position: number, title: string, 
/**
 * "Radio Edit", "Live at ...": shown after the title.
 */
version: string | null, 
/**
 * Credited artists when they differ from the release's; empty means the release's artists.
 */
artists: Array<ArtistRef>, duration_ms: number | null, isrc: string | null, created_at: string, updated_at: string, };

export type TrackInput = { title: string, version: string | null, 
/**
 * Disc 1 when not given.
 */
disc_number: number | null, 
/**
 * The next free position on the disc when not given.
 */
position: number | null, artist_ids: Array<string>, duration_ms: number | null, isrc: string | null, };

/** Every command of the desktop shell: its arguments and its result. */
export interface Commands {
  app_info: { args: Record<string, never>; result: AppInfo };
  store_open_dialog: { args: Record<string, never>; result: AppInfo | null };
  store_new_dialog: { args: Record<string, never>; result: AppInfo | null };
  preferences_get: { args: Record<string, never>; result: Preferences };
  preferences_set: { args: { preferences: Preferences }; result: Preferences };
  workspace_list: { args: Record<string, never>; result: Array<Workspace> };
  workspace_current: { args: Record<string, never>; result: Workspace | null };
  workspace_create: { args: { input: NewWorkspace }; result: Workspace };
  workspace_use: { args: { id: string }; result: Workspace };
  workspace_rename: { args: { id: string; name: string }; result: Workspace };
  artist_list: { args: { workspace_id: string }; result: Array<Artist> };
  artist_create: { args: { workspace_id: string; input: ArtistInput }; result: Artist };
  artist_update: { args: { id: string; input: ArtistInput }; result: Artist };
  artist_delete: { args: { id: string }; result: null };
  release_list: { args: { workspace_id: string; filter: ReleaseFilter }; result: Array<Release> };
  release_get: { args: { id: string }; result: ReleaseDetail };
  release_create: { args: { workspace_id: string; input: ReleaseInput }; result: ReleaseDetail };
  release_update: { args: { id: string; input: ReleaseInput }; result: ReleaseDetail };
  release_delete: { args: { id: string }; result: null };
  track_add: { args: { release_id: string; input: TrackInput }; result: Track };
  track_update: { args: { id: string; input: TrackInput }; result: Track };
  track_delete: { args: { id: string }; result: null };
}
