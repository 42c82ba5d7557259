// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p roadie-desktop bindings`.
// Do not edit: a test fails when this file and the Rust declarations differ.

/** A progress channel (Tauri's `Channel` in the app, a plain object in the mock host). */
export interface Channel<T> { onmessage: (message: T) => void }

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
artists: Array<ArtistRef>, label_name: string | null, release_date: string | null, catalog_number: string | null, upc: string | null, status: ReleaseStatus, track_count: number, created_at: string, updated_at: string, 
/**
 * "Deluxe Edition", "Remastered 2026": shown after the title.
 */
version: string | null, 
/**
 * How the artists are shown when it is not simply the credits ("Faye Wong & Friends").
 */
display_artist: string | null, featuring: Array<ArtistRef>, remixers: Array<ArtistRef>, p_line: CopyrightLine | null, c_line: CopyrightLine | null, genre: string | null, subgenre: string | null, 
/**
 * Language of performance (BCP 47).
 */
language: string | null, 
/**
 * When first released anywhere; `release_date` is this release's digital release date.
 */
original_release_date: string | null, 
/**
 * `["WW"]` for worldwide, else ISO 3166 codes.
 */
territories: Array<string>, explicit: boolean, 
/**
 * The cover, as analysed when it was set.
 */
artwork: ImageAnalysis | null, deals: Array<Deal>, 
/**
 * The sender's own id for the release (ERN import).
 */
proprietary_id: string | null, };

export type ReleaseDetail = { tracks: Array<Track>, id: string, workspace_id: string, title: string, type: ReleaseType, 
/**
 * Primary artists, in credit order.
 */
artists: Array<ArtistRef>, label_name: string | null, release_date: string | null, catalog_number: string | null, upc: string | null, status: ReleaseStatus, track_count: number, created_at: string, updated_at: string, 
/**
 * "Deluxe Edition", "Remastered 2026": shown after the title.
 */
version: string | null, 
/**
 * How the artists are shown when it is not simply the credits ("Faye Wong & Friends").
 */
display_artist: string | null, featuring: Array<ArtistRef>, remixers: Array<ArtistRef>, p_line: CopyrightLine | null, c_line: CopyrightLine | null, genre: string | null, subgenre: string | null, 
/**
 * Language of performance (BCP 47).
 */
language: string | null, 
/**
 * When first released anywhere; `release_date` is this release's digital release date.
 */
original_release_date: string | null, 
/**
 * `["WW"]` for worldwide, else ISO 3166 codes.
 */
territories: Array<string>, explicit: boolean, 
/**
 * The cover, as analysed when it was set.
 */
artwork: ImageAnalysis | null, deals: Array<Deal>, 
/**
 * The sender's own id for the release (ERN import).
 */
proprietary_id: string | null, };

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
status: ReleaseStatus | null, version: string | null, display_artist: string | null, 
/**
 * Featured artists from the roster, in credit order.
 */
featuring_ids: Array<string>, remixer_ids: Array<string>, p_line: CopyrightLine | null, c_line: CopyrightLine | null, genre: string | null, subgenre: string | null, language: string | null, original_release_date: string | null, 
/**
 * Worldwide when empty.
 */
territories: Array<string>, explicit: boolean, deals: Array<Deal>, proprietary_id: string | null, };

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
artists: Array<ArtistRef>, duration_ms: number | null, isrc: string | null, created_at: string, updated_at: string, explicit: boolean, 
/**
 * Language of performance (BCP 47); the release's when none.
 */
language: string | null, 
/**
 * Where a store's preview clip starts.
 */
preview_start_ms: number | null, display_artist: string | null, featuring: Array<ArtistRef>, remixers: Array<ArtistRef>, contributors: Array<Contributor>, work: MusicalWork | null, 
/**
 * The master, as analysed when it was added.
 */
audio: AudioAnalysis | null, };

export type TrackInput = { title: string, version: string | null, 
/**
 * Disc 1 when not given.
 */
disc_number: number | null, 
/**
 * The next free position on the disc when not given.
 */
position: number | null, artist_ids: Array<string>, duration_ms: number | null, isrc: string | null, explicit: boolean, language: string | null, preview_start_ms: number | null, display_artist: string | null, featuring_ids: Array<string>, remixer_ids: Array<string>, contributors: Array<Contributor>, work: MusicalWork | null, 
/**
 * The analysed master (set by "add tracks from files").
 */
audio: AudioAnalysis | null, };

export type CopyrightLine = { year: number, text: string, };

export type Contributor = { name: string, role: ContributorRole, 
/**
 * For performers: "guitar", "vocals"...
 */
instrument: string | null, };

export type ContributorRole = "composer" | "lyricist" | "producer" | "performer" | "mixing_engineer" | "mastering_engineer" | "arranger";

export type MusicalWork = { title: string | null, iswc: string | null, writers: Array<Writer>, };

export type Writer = { name: string, role: WriterRole, share: string, };

export type WriterRole = "composer" | "lyricist" | "composer_lyricist" | "arranger" | "publisher";

export type Deal = { commercial_model: CommercialModel, use_types: Array<UseType>, 
/**
 * `["WW"]` for worldwide, else ISO 3166 codes.
 */
territories: Array<string>, start_date: string | null, };

export type CommercialModel = "subscription_model" | "advertisement_supported_model" | "pay_as_you_go_model";

export type UseType = "stream" | "on_demand_stream" | "non_interactive_stream" | "permanent_download" | "conditional_download";

export type AddedTracks = { release_id: string, tracks: Array<Track>, 
/**
 * Whether an image among the files became the cover.
 */
artwork_set: boolean, 
/**
 * Every file's analysis, failures included (with `error`).
 */
files: Array<AssetReport>, };

export type DuplicateIsrc = { isrc: string, tracks: Array<IsrcHolder>, 
/**
 * Same title and version everywhere: the same recording on several releases (allowed).
 */
same_recording: boolean, };

export type IsrcHolder = { track_id: string, release_id: string, title: string, version: string | null, };

export type IsrcOwner = { "kind": "workspace", "id": string } | { "kind": "artist", "id": string };

export type AudioAnalysis = { path: string, 
/**
 * The container: `wav`, `aiff`, `flac`, `mp3`, `isomp4`...
 */
container: string, 
/**
 * The codec: `pcm_s16le`, `flac`, `mp3`, `aac`...
 */
codec: string, 
/**
 * MP3, AAC, Vorbis: accepted for reference, not for delivery.
 */
lossy: boolean, sample_rate: number, 
/**
 * Bits per sample for PCM and FLAC; none for lossy codecs.
 */
bit_depth: number | null, channels: number, duration_seconds: number, 
/**
 * EBU R128 integrated loudness (LUFS); none for silence.
 */
integrated_lufs: number | null, 
/**
 * EBU R128 loudness range (LU).
 */
loudness_range_lu: number | null, 
/**
 * Highest true peak of any channel (dBTP, 4× oversampled below 96 kHz).
 */
true_peak_dbtp: number | null, 
/**
 * Highest sample peak of any channel (dBFS).
 */
sample_peak_dbfs: number | null, 
/**
 * Samples in runs of two or more consecutive full-scale samples (a sign of clipping).
 */
clipped_samples: number, 
/**
 * Silence (below −60 dBFS) before the first sound and after the last.
 */
leading_silence_seconds: number, trailing_silence_seconds: number, 
/**
 * Packets the decoder could not decode (skipped).
 */
decode_errors: number, size_bytes: number, sha256: string, tags: AudioTags, };

export type AudioTags = { title: string | null, artist: string | null, album: string | null, isrc: string | null, track_number: number | null, disc_number: number | null, };

export type ImageAnalysis = { path: string, 
/**
 * `jpeg` or `png`.
 */
format: string, width: number, height: number, square: boolean, color_model: ColorModel, has_alpha: boolean, size_bytes: number, sha256: string, 
/**
 * A PNG of at most 256 px, as a `data:` URL for the UI.
 */
thumbnail: string, };

export type ColorModel = "rgb" | "cmyk" | "grey" | "other";

export type AssetReport = { kind: AssetKind, path: string, 
/**
 * The container: `wav`, `aiff`, `flac`, `mp3`, `isomp4`...
 */
container: string, 
/**
 * The codec: `pcm_s16le`, `flac`, `mp3`, `aac`...
 */
codec: string, 
/**
 * MP3, AAC, Vorbis: accepted for reference, not for delivery.
 */
lossy: boolean, sample_rate: number, 
/**
 * Bits per sample for PCM and FLAC; none for lossy codecs.
 */
bit_depth: number | null, channels: number, duration_seconds: number, 
/**
 * EBU R128 integrated loudness (LUFS); none for silence.
 */
integrated_lufs: number | null, 
/**
 * EBU R128 loudness range (LU).
 */
loudness_range_lu: number | null, 
/**
 * Highest true peak of any channel (dBTP, 4× oversampled below 96 kHz).
 */
true_peak_dbtp: number | null, 
/**
 * Highest sample peak of any channel (dBFS).
 */
sample_peak_dbfs: number | null, 
/**
 * Samples in runs of two or more consecutive full-scale samples (a sign of clipping).
 */
clipped_samples: number, 
/**
 * Silence (below −60 dBFS) before the first sound and after the last.
 */
leading_silence_seconds: number, trailing_silence_seconds: number, 
/**
 * Packets the decoder could not decode (skipped).
 */
decode_errors: number, size_bytes: number, sha256: string, tags: AudioTags, } | { kind: AssetKind, path: string, 
/**
 * `jpeg` or `png`.
 */
format: string, width: number, height: number, square: boolean, color_model: ColorModel, has_alpha: boolean, size_bytes: number, sha256: string, 
/**
 * A PNG of at most 256 px, as a `data:` URL for the UI.
 */
thumbnail: string, } | { path: string, kind: AssetKind, error: AssetError, };

export type AssetKind = "audio" | "image";

export type AssetError = { path: string, 
/**
 * Stable code: `not_found`, `unreadable`, `empty_file`, `unsupported_audio`, `truncated_audio`,
 * `corrupt_audio`, `not_an_image`, `corrupt_image`, `image_too_large`, `cancelled`, `internal`.
 */
code: string, message: string, };

export type Progress = { done: number, total: number, };

export type DeliveryRules = { artwork_min_px: number, artwork_max_px: number, artwork_square: boolean, artwork_color_model: string, artwork_formats: Array<string>, audio_lossless: boolean, audio_min_sample_rate: number, audio_bit_depths: Array<number>, audio_channels: Array<number>, 
/**
 * Integrated loudness below this (LUFS) is "too quiet".
 */
loudness_min_lufs: number, 
/**
 * Integrated loudness above this (LUFS) is "too loud".
 */
loudness_max_lufs: number, 
/**
 * The level streaming services play at, for reference.
 */
loudness_reference_lufs: number, 
/**
 * True peak above this (dBTP) risks distortion after lossy encoding.
 */
true_peak_max_dbtp: number, 
/**
 * Leading or trailing silence longer than this (seconds) is flagged.
 */
silence_max_seconds: number, 
/**
 * A track shorter than this (seconds) is refused by most stores.
 */
track_min_seconds: number, };

export type Readiness = { 
/**
 * No errors (warnings allowed).
 */
ready: boolean, problems: Array<Problem>, };

export type Problem = { severity: Severity, 
/**
 * Stable code: `missing_upc`, `too_quiet`, `artwork_too_small`...
 */
code: string, 
/**
 * The track's number in the release (1-based, in disc and position order); none for the
 * release itself.
 */
track: number | null, track_id: string | null, 
/**
 * The form field to jump to.
 */
field: string | null, 
/**
 * English.
 */
message: string, 
/**
 * 简体中文.
 */
message_zh: string, };

export type Severity = "error" | "warning";

export type Imported = { 
/**
 * `4.3`, `4.2`, `4.1.1`...
 */
ern_version: string, releases: Array<ReleaseDetail>, warnings: Array<string>, };

export type ConsentStatus = "opted_in" | "opted_out" | "unknown";

export type ContactEmail = { email: string, is_primary: boolean, 
/**
 * The address bounced (e.g. "cleaned" in Mailchimp): kept, but never exported for mailing.
 */
bounced: boolean, };

export type Contact = { id: string, workspace_id: string, name: string | null, 
/**
 * The primary e-mail.
 */
email: string | null, emails: Array<ContactEmail>, phone: string | null, city: string | null, region: string | null, country: string | null, language: string | null, notes: string | null, tags: Array<string>, sources: Array<string>, consent: ConsentStatus, first_seen: string, last_activity: string | null, 
/**
 * Purchases summed per currency.
 */
lifetime_spend: Array<Money>, created_at: string, updated_at: string, };

export type ContactSummary = { id: string, name: string | null, email: string | null, city: string | null, country: string | null, tags: Array<string>, consent: ConsentStatus, last_activity: string | null, };

export type ContactsPage = { total: number, rows: Array<ContactSummary>, };

export type ContactFilter = { 
/**
 * Type-ahead text (name, e-mail, city, notes, tags).
 */
query: string | null, 
/**
 * Has every one of these tags.
 */
tags: Array<string>, country: string | null, city: string | null, source: string | null, consent: ConsentStatus | null, last_activity_before: string | null, last_activity_after: string | null, 
/**
 * Lifetime purchases in `spend_currency` above / below these amounts (decimal strings).
 */
spend_above: string | null, spend_below: string | null, spend_currency: string | null, 
/**
 * Bought this release.
 */
purchased_release: string | null, };

export type ConsentInput = { status: ConsentStatus, at: string, 
/**
 * Where consent was given or withdrawn: "merch table sign-up, Shanghai 2026-11-20".
 */
source: string, 
/**
 * The wording the fan agreed to, when known.
 */
wording: string | null, };

export type ConsentEvent = { id: string, status: ConsentStatus, at: string, source: string, wording: string | null, recorded_at: string, };

export type Activity = { id: string, kind: ActivityKind, at: string, description: string | null, amount: Money | null, release_id: string | null, };

export type ActivityKind = "purchase" | "sign_up" | "check_in" | "note";

export type TimelineEntry = { "type": "activity" } & Activity | { "type": "consent" } & ConsentEvent;

export type Money = { currency: string, amount: string, };

export type Segment = { id: string, name: string, filter: ContactFilter, 
/**
 * Contacts in it now.
 */
count: number, };

export type DuplicateGroup = { 
/**
 * `same_phone` or `same_name_city`.
 */
reason: string, contacts: Array<ContactSummary>, };

export type MergeChoices = { name: string | null, phone: string | null, city: string | null, region: string | null, country: string | null, language: string | null, notes: string | null, };

export type ExportFormat = "mailchimp" | "csv";

export type ExportSummary = { written: number, 
/**
 * Left out because their current consent is not opt-in (or they have no usable e-mail).
 */
skipped: number, };

export type FanField = "name" | "first_name" | "last_name" | "email" | "phone" | "city" | "region" | "country" | "language" | "notes" | "tags" | "joined";

export type FanFormat = "auto" | "bandcamp" | "mailchimp" | "vcard" | "mapped";

export type FanFilePreview = { path: string, file_name: string, 
/**
 * `vcard`, `mailchimp`, `bandcamp`, or `mapped` (any other CSV/TSV).
 */
format: FanFormat, encoding: string, headers: Array<string>, 
/**
 * Up to five rows after the header, as read.
 */
sample: Array<Array<string>>, 
/**
 * The suggestion from the headers; a mapping saved for these headers replaces its columns.
 */
suggestion: MappingSuggestion, 
/**
 * The name of the saved mapping found for these headers, if any.
 */
saved_mapping: string | null, 
/**
 * True when this exact file was imported before (importing it again changes nothing).
 */
already_imported: boolean, };

export type FanImportOptions = { format: FanFormat, 
/**
 * A saved mapping's name (for `mapped`).
 */
mapping: string | null, 
/**
 * Force an encoding (`gbk`, `utf-16le`...) instead of detecting it.
 */
encoding: string | null, 
/**
 * Any invalid row fails the whole file.
 */
strict: boolean, };

export type FanImportReport = { path: string, format: FanFormat, encoding: string, rows: number, created: number, merged: number, 
/**
 * Fields where the file had another value than the contact; the contact's was kept.
 */
kept_existing: number, invalid: Array<InvalidRow>, duplicate_file: boolean, };

export type InvalidRow = { line: number, reason: string, };

export type MappingSuggestion = { 
/**
 * For each column, the field it seems to be (`null`: not recognised).
 */
columns: Array<FanField | null>, 
/**
 * Fields more than one column claims.
 */
conflicts: Array<FanField>, 
/**
 * True when it can be used without asking: no conflicts, and a name, e-mail or phone column.
 */
unambiguous: boolean, };

export type Format = "distrokid" | "tunecore" | "cdbaby" | "bandcamp" | "ddex-dsr" | "xlsx" | "mapped";

export type LineIssue = { line: number, reason: string, };

export type ImportReport = { path: string, format: Format, 
/**
 * The layout version the parser followed (e.g. `distrokid-bank-details-2023`).
 */
layout: string, encoding: string, 
/**
 * Data lines read (header, comments and blank lines excluded).
 */
lines: number, 
/**
 * Normalised lines stored.
 */
imported: number, duplicate_file: boolean, matched: number, unmatched: number, 
/**
 * Lines not imported and why: invalid lines under `skip_invalid`, and lines a format says
 * are not earnings or are odd (DSR records Roadie does not read, footer count mismatches).
 */
skipped: Array<LineIssue>, };

export type ImportOptions = { 
/**
 * Force a parser instead of detecting it from the file.
 */
format: Format | null, 
/**
 * Read with this saved column mapping.
 */
mapping: string | null, 
/**
 * Force a text encoding (`utf-8`, `utf-16le`, `gbk`...).
 */
encoding: string | null, 
/**
 * Import the valid lines and report each invalid one, instead of refusing the file.
 */
skip_invalid: boolean, };

export type ImportProgressEvent = { file_index: number, file_count: number, name: string, lines: number, bytes_done: number, bytes_total: number, };

export type ImportFileResult = { name: string, report: ImportReport | null, error: ErrorPayload | null, };

export type ReportBy = "month" | "store" | "territory" | "release" | "track";

export type ReportFilter = { 
/**
 * Only this reporting month.
 */
period: string | null, 
/**
 * Only lines of this artist's tracks and releases.
 */
artist_id: string | null, 
/**
 * Only this currency.
 */
currency: string | null, };

export type ReportRow = { 
/**
 * The month (YYYY-MM), store name, ISO territory (`unknown` when none), or release/track id
 * (`unmatched` for lines not matched to one).
 */
key: string, currency: string, units: number, amount: string, };

export type RoyaltyReport = { by: ReportBy, rows: Array<ReportRow>, };

export type UnmatchedGroup = { isrc: string | null, title: string | null, artist: string | null, lines: number, units: number, };

export type AssignTarget = { "kind": "track", "id": string } | { "kind": "release", "id": string };

export type AssignBy = { "kind": "isrc", isrc: string, } | { "kind": "title_artist", title: string, artist: string, };

export type ColumnMapping = { 
/**
 * The column with the month the source reported the line (a date or a month).
 */
reporting_period: string, sale_period: string | null, store: string | null, 
/**
 * The store when no column names it (e.g. "Bandcamp").
 */
default_store: string | null, territory: string | null, usage_type: string | null, isrc: string | null, upc: string | null, title: string | null, 
/**
 * Read when the title column is empty (e.g. the release title on album sales).
 */
title_fallback: string | null, artist: string | null, units: string | null, 
/**
 * What the account holder earns on the line.
 */
amount: string, currency: string | null, 
/**
 * The currency when no column gives it (e.g. "USD").
 */
default_currency: string | null, 
/**
 * How the period/date columns write dates (absent: any style Roadie reads).
 */
date_order?: DateOrder, };

export type SavedMapping = { id: string, name: string, 
/**
 * The header it was made for (normalised names, in order).
 */
header: Array<string>, mapping: ColumnMapping, created_at: string, updated_at: string, };

export type AccountStatus = { account: Account | null, secret_store: SecretStoreInfo, };

export type Account = { server: string, email: string, name: string, user_id: string, 
/**
 * The user's own workspace on the platform.
 */
workspace_id: string, 
/**
 * That workspace's name (empty when the server did not say).
 */
workspace_name: string, 
/**
 * Where the token is kept, in words for the user.
 */
token_location: string, };

export type SignedOut = { 
/**
 * False when the server could not be reached (the token was forgotten locally anyway).
 */
revoked_on_server: boolean, server: string | null, };

export type SecretStoreInfo = { kind: SecretStoreKind, 
/**
 * The file's path, or the keychain's name.
 */
location: string, 
/**
 * Why the keychain is not used (no D-Bus session, no secret service answering, ...).
 */
fallback_reason: string | null, };

export type SecretStoreKind = "keyring" | "file";

export type UploadQueueItem = { id: string, server: string, release_id: string | null, path: string, 
/**
 * The file name, as shown.
 */
name: string, 
/**
 * `master`, `artwork` or `other`.
 */
kind: string, size: number, 
/**
 * Bytes on the server so far.
 */
uploaded: number, status: UploadQueueStatus, sha256: string | null, error: ErrorPayload | null, 
/**
 * Network failures in a row (reset by a success or a retry).
 */
attempts: number, created_at: string, updated_at: string, };

export type UploadQueueStatus = "queued" | "uploading" | "paused" | "complete" | "failed" | "cancelled";

export type DateOrder = "auto" | "ymd" | "mdy" | "dmy";

export type StatementPreview = { header: Array<string>, 
/**
 * The first data rows (at most [`PREVIEW_ROWS`]), cells as text.
 */
rows: Array<Array<string>>, 
/**
 * The file's own line number of each preview row (header = 1).
 */
line_numbers: Array<number>, 
/**
 * How the text was read (`utf-8`, `gb18030`...; `xlsx` for spreadsheets).
 */
encoding: string, 
/**
 * The built-in layout that reads this header, if any.
 */
format: Format | null, 
/**
 * The saved mapping picked for this header, if any.
 */
saved_mapping: string | null, 
/**
 * With a mapping to check: what does not read with it (line 1: the header).
 */
issues: Array<LineIssue>, };

export type ContactInput = { name: string | null, 
/**
 * The first is the primary one.
 */
emails: Array<string>, phone: string | null, city: string | null, region: string | null, country: string | null, language: string | null, notes: string | null, tags: Array<string>, };

export type SalesLinkReport = { 
/**
 * Bandcamp sale lines that name a buyer e-mail.
 */
sales: number, 
/**
 * Purchases recorded now (sales linked before are not counted again).
 */
linked: number, 
/**
 * Contacts that got a purchase now.
 */
contacts: number, 
/**
 * Sales whose buyer e-mail belongs to no contact of the workspace.
 */
unknown_buyers: number, };

export type ContactCursor = { name: string | null, id: string, };

export type SyncPhase = "push" | "pull" | "files" | "done";

export type SyncProgress = { phase: SyncPhase, done: number, total: number, };

export type SyncError = { at: string, 
/**
 * `push` or `pull`.
 */
direction: string, change_id: string, table: string, pk: string, code: string, message: string, };

export type SyncReport = { 
/**
 * Local changes the server accepted (now or, for a retried batch, before).
 */
pushed: number, 
/**
 * Changes from other stores applied here.
 */
pulled: number, 
/**
 * Conflicts open after this sync (to resolve in the conflicts screen).
 */
conflicts: number, 
/**
 * Local changes the server refused in this sync (they stay local; see `sync_errors`).
 */
refused: Array<SyncError>, };

export type SyncStatus = { signed_in: boolean, server: string | null, 
/**
 * RFC 3339 time of the last sync that finished.
 */
last_sync: string | null, 
/**
 * Local changes not yet pushed.
 */
pending_changes: number, open_conflicts: number, 
/**
 * The most recent errors, newest first.
 */
errors: Array<SyncError>, 
/**
 * Statement files imported on another device whose lines are not here yet (fetched at sync).
 */
statement_files_to_download: number, 
/**
 * Statement files imported here whose bytes are not on the platform yet (sent at sync).
 */
statement_files_to_upload: number, };

export type Take = "mine" | "theirs";

export type ConflictSideView = { value: unknown, hlc: string, 
/**
 * The platform user who made it.
 */
user_id: string, 
/**
 * Made on this device.
 */
this_device: boolean, };

export type Conflict = { id: string, workspace_id: string, table: string, pk: string, column: string, mine: ConflictSideView, theirs: ConflictSideView, 
/**
 * Which side the field holds now.
 */
applied: Take, };

export type Payee = { id: string, workspace_id: string | null, name: string, 
/**
 * ISO 4217: the currency their statements are in.
 */
currency: string, email: string | null, artist_id: string | null, platform_user_id: string | null, };

export type PayeeInput = { name: string, 
/**
 * ISO 4217; USD when not given.
 */
currency: string | null, email: string | null, artist_id: string | null, platform_user_id: string | null, };

export type PayeeBalance = { payee: Payee, 
/**
 * Earned on every issued statement.
 */
earned: string, 
/**
 * Recouped from those earnings.
 */
recouped: string, 
/**
 * What remains to recoup of their advances and expenses.
 */
unrecouped: string, paid: string, 
/**
 * Owed now: issued statements' payable less payouts.
 */
payable: string, statements: number, };

export type SplitScope = "release" | "track";

export type SplitTarget = { "by": "release", "value": string } | { "by": "track", "value": string } | { "by": "isrc", "value": string } | { "by": "upc", "value": string };

export type Share = { payee_id: string, 
/**
 * Percent of the line amount, up to 4 decimals (`33.3333`).
 */
percent: string, };

export type SplitInput = { target: SplitTarget, shares: Array<Share>, 
/**
 * Applies to lines reported in this date's month and later; `None`: to every line.
 */
effective_from: string | null, };

export type SplitShare = { payee_id: string, payee: string, percent: string, };

export type Split = { id: string, scope: SplitScope, target_id: string, effective_from: string | null, 
/**
 * Replaced by a later version with the same start date (kept as history).
 */
superseded: boolean, shares: Array<SplitShare>, };

export type SplitPreview = { 
/**
 * The last month the target's lines were reported in; `None` when it has no lines yet.
 */
period: YearMonth | null, currencies: Array<PreviewCurrency>, };

export type PreviewCurrency = { currency: string, lines: number, 
/**
 * The lines' total rounded to the minor unit: what the shares add up to.
 */
total: string, shares: Array<PreviewShare>, };

export type PreviewShare = { payee_id: string, payee: string, percent: string, 
/**
 * Rounded to the currency's minor unit.
 */
amount: string, };

export type AdvanceKind = "advance" | "recording" | "mastering" | "video" | "marketing" | "other";

export type AdvanceInput = { payee_id: string, kind: AdvanceKind, amount: string, currency: string, 
/**
 * Recouped only from this release's earnings; `None`: from everything (cross-collateralised).
 */
release_id: string | null, incurred_on: string, note: string | null, };

export type Advance = { id: string, payee_id: string, kind: AdvanceKind, amount: string, currency: string, 
/**
 * In the payee's statement currency.
 */
payee_amount: string, rate: string, release_id: string | null, incurred_on: string, note: string | null, 
/**
 * Recouped so far on issued statements (payee currency).
 */
recouped: string, remaining: string, };

export type FxRate = { date: string, base: string, quote: string, rate: string, source: RateSource, };

export type RateSource = "manual" | "ecb";

export type RateInput = { date: string, from: string, to: string, rate: string, };

export type RateUsed = { from: string, to: string, rate: string, 
/**
 * The date of the rate (the latest on or before the conversion date).
 */
date: string, 
/**
 * `manual`, `ecb`, `manual (inverse)`, `ecb (via EUR)`...
 */
source: string, };

export type FxImportReport = { path: string, 
/**
 * Days (rows) read.
 */
days: number, 
/**
 * Rates stored (new or changed).
 */
rates: number, 
/**
 * Cells without a rate (`N/A` or empty).
 */
missing: number, currencies: Array<string>, first_date: string | null, last_date: string | null, };

export type LedgerPeriod = { period: YearMonth, lines: number, issued: boolean, };

export type IssuedPeriod = { period: YearMonth, issued_at: string, statements: Array<IssuedStatement>, totals: Array<CurrencyTotal>, };

export type IssuedStatement = { statement_id: string, payee_id: string, payee: string, currency: string, earned: string, recouped: string, payable: string, 
/**
 * Owed after this statement (brought forward plus payable).
 */
balance: string, };

export type CurrencyTotal = { currency: string, lines: number, 
/**
 * The exact sum of the lines.
 */
imported: string, 
/**
 * `imported` rounded to the minor unit: what `allocated` + `unallocated` always make.
 */
rounded: string, 
/**
 * The payees' statement amounts (before conversion).
 */
allocated: string, 
/**
 * Lines matched to no release (or a release with no primary artist): paid to no one yet.
 */
unallocated: string, };

export type StatementRun = { period: YearMonth, statements: Array<StatementSummary>, totals: Array<CurrencyTotal>, 
/**
 * The period was issued before: its stored statements were rendered again.
 */
regenerated: boolean, };

export type StatementSummary = { payee_id: string, payee: string, currency: string, earned: string, recouped: string, payable: string, pdf: string, csv: string, };

export type StatementDocument = { statement_id: string, period: YearMonth, 
/**
 * Who issues it: the label's or artist's workspace name.
 */
issuer: string, payee_id: string, payee: string, currency: string, 
/**
 * The conversion date: the last day of the period.
 */
rate_date: string, by_currency: Array<CurrencyEarning>, earnings: Array<EarningRow>, recoupment: Array<RecoupmentRow>, 
/**
 * Owed after the previous statement, less payments made since.
 */
balance_brought_forward: string, 
/**
 * Payments recorded since the previous statement.
 */
payments: string, 
/**
 * Every payment recorded up to this statement (for the next one's "payments since").
 */
payments_to_date: string, earned: string, recouped: string, 
/**
 * Earned less recouped: what this period adds to the balance.
 */
payable: string, 
/**
 * Brought forward plus payable: what is owed after this statement.
 */
balance: string, };

export type CurrencyEarning = { currency: string, amount: string, rate: RateUsed, converted: string, };

export type EarningRow = { 
/**
 * The month the lines were reported for (earlier than the statement's: an adjustment).
 */
reported: YearMonth, release: string, track: string, isrc: string, store: string, territory: string, 
/**
 * The lines' currency and the payee's share in it (rounded to its minor unit).
 */
currency: string, amount: string, 
/**
 * In the payee's currency.
 */
converted: string, };

export type RecoupmentRow = { advance_id: string, kind: string, 
/**
 * The release it is recouped from; empty: cross-collateralised.
 */
release: string, note: string, opening: string, recouped: string, remaining: string, };

export type YearMonth = string;

export type PayoutInput = { payee_id: string, amount: string, currency: string, paid_on: string, method: string | null, reference: string | null, };

export type Payout = { id: string, payee_id: string, amount: string, currency: string, paid_on: string, method: string | null, reference: string | null, 
/**
 * What is still payable after this payout.
 */
payable_after: string, };

export type TeamRole = "owner" | "label_admin" | "label_staff" | "artist" | "collaborator";

export type TeamWorkspace = { id: string, 
/**
 * `artist` or `label`.
 */
kind: string, name: string, 
/**
 * The account's role in it.
 */
role: TeamRole, 
/**
 * True for the account's own workspace (made at sign-up).
 */
own: boolean, };

export type TeamMember = { user_id: string, email: string, name: string, role: TeamRole, 
/**
 * An artist member's own roster entry.
 */
roster_artist_id: string | null, 
/**
 * True for the signed-in account.
 */
is_me: boolean, };

export type TeamRosterArtist = { id: string, name: string, 
/**
 * The label staff assigned to this artist (user ids; names are in `Team::members`).
 */
staff: Array<string>, 
/**
 * The member whose roster entry this is, once they accepted their invitation.
 */
artist_user_id: string | null, };

export type TeamInvitation = { id: string, email: string, role: TeamRole, roster_artist_id: string | null, 
/**
 * RFC 3339.
 */
created_at: string, 
/**
 * RFC 3339.
 */
expires_at: string, accepted: boolean, 
/**
 * Only right after creating it: the link to send to the invited person (the server keeps
 * only the token's hash, so it cannot be shown again).
 */
link: string | null, };

export type Team = { workspace: TeamWorkspace, 
/**
 * True when the account may invite, change roles, remove members and edit the roster.
 */
can_manage: boolean, 
/**
 * Empty for an artist or collaborator (the server does not show them the members).
 */
members: Array<TeamMember>, 
/**
 * The roster artists the account may see (all of them for managers, the assigned ones for
 * label staff, their own entry for an artist).
 */
roster: Array<TeamRosterArtist>, 
/**
 * Pending and accepted invitations (managers only), newest first.
 */
invitations: Array<TeamInvitation>, };

export type CreatedInvitation = { invitation: TeamInvitation, team: Team, };

export type JoinedWorkspace = { workspace: TeamWorkspace, };

/** A progress channel: the Tauri `Channel` class in the app, a plain object in the mock host. */
export type ProgressChannel = { onmessage: (progress: Progress) => void };

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
  fans_list: { args: { workspace_id: string; filter: ContactFilter; offset: number; limit: number }; result: ContactsPage };
  fans_count: { args: { workspace_id: string; filter: ContactFilter }; result: number };
  fans_search: { args: { workspace_id: string; query: string; limit: number }; result: Array<ContactSummary> };
  fans_contact: { args: { id: string }; result: Contact };
  fans_timeline: { args: { id: string }; result: Array<TimelineEntry> };
  fans_tag: { args: { ids: Array<string>; tags: Array<string> }; result: number };
  fans_record_consent: { args: { id: string; input: ConsentInput }; result: Contact };
  fans_erase: { args: { id: string }; result: null };
  fans_contact_export_dialog: { args: { id: string }; result: string | null };
  fans_segments: { args: { workspace_id: string }; result: Array<Segment> };
  fans_segment_save: { args: { workspace_id: string; name: string; filter: ContactFilter }; result: Segment };
  fans_segment_delete: { args: { id: string }; result: null };
  fans_duplicates: { args: { workspace_id: string }; result: Array<DuplicateGroup> };
  fans_merge: { args: { keep: string; others: Array<string>; choices: MergeChoices }; result: Contact };
  fans_export_dialog: { args: { workspace_id: string; filter: ContactFilter; format: ExportFormat; include_without_consent: boolean }; result: ExportSummary | null };
  fans_import_pick: { args: { workspace_id: string }; result: FanFilePreview | null };
  fans_import_preview: { args: { workspace_id: string; path: string; encoding: string | null }; result: FanFilePreview };
  fans_import_upload: { args: { workspace_id: string; file_name: string; bytes: Array<number> }; result: FanFilePreview };
  fans_mapping_save: { args: { workspace_id: string; name: string; headers: Array<string>; fields: { [key in FanField]?: string } }; result: null };
  fans_import: { args: { workspace_id: string; path: string; options: FanImportOptions; job_id: string; progress: ProgressChannel }; result: FanImportReport };
  fans_cancel: { args: { job_id: string }; result: boolean };
  royalties_import: { args: { job_id: string; paths: Array<string>; options: ImportOptions; on_progress: Channel<ImportProgressEvent> }; result: Array<ImportFileResult> };
  royalties_import_bytes: { args: { job_id: string; name: string; bytes: Array<number>; options: ImportOptions; on_progress: Channel<ImportProgressEvent> }; result: Array<ImportFileResult> };
  royalties_import_cancel: { args: { job_id: string }; result: boolean };
  royalties_statement_dialog: { args: Record<string, never>; result: Array<string> };
  royalties_report: { args: { by: ReportBy; filter: ReportFilter }; result: RoyaltyReport };
  royalties_unmatched: { args: { limit: number }; result: Array<UnmatchedGroup> };
  royalties_unmatched_count: { args: Record<string, never>; result: number };
  royalties_assign: { args: { by: AssignBy; target: AssignTarget }; result: number };
  royalties_statement_header: { args: { path: string; encoding: string | null }; result: Array<string> };
  account_get: { args: Record<string, never>; result: AccountStatus };
  account_sign_in: { args: { server: string; email: string; password: string }; result: AccountStatus };
  account_sign_up: { args: { server: string; email: string; password: string; name: string }; result: AccountStatus };
  account_sign_out: { args: Record<string, never>; result: SignedOut };
  uploads_list: { args: Record<string, never>; result: Array<UploadQueueItem> };
  uploads_add: { args: { release_id: string | null; paths: Array<string> }; result: Array<UploadQueueItem> };
  uploads_add_release: { args: { release_id: string }; result: Array<UploadQueueItem> };
  uploads_add_bytes: { args: { release_id: string | null; file_name: string; bytes: Array<number> }; result: Array<UploadQueueItem> };
  uploads_pick: { args: { release_id: string | null }; result: Array<UploadQueueItem> };
  uploads_pause: { args: { id: string }; result: UploadQueueItem };
  uploads_resume: { args: { id: string }; result: UploadQueueItem };
  uploads_cancel: { args: { id: string }; result: UploadQueueItem };
  uploads_clear: { args: Record<string, never>; result: number };
  uploads_run: { args: { on_change: Channel<UploadQueueItem> }; result: number };
  team_workspaces: { args: Record<string, never>; result: Array<TeamWorkspace> };
  team_get: { args: { workspace_id: string }; result: Team };
  team_create_label: { args: { name: string }; result: Team };
  team_invite: { args: { workspace_id: string; email: string; role: TeamRole; roster_artist_id: string | null }; result: CreatedInvitation };
  team_revoke_invitation: { args: { workspace_id: string; invitation_id: string }; result: Team };
  team_set_role: { args: { workspace_id: string; user_id: string; role: TeamRole }; result: Team };
  team_remove_member: { args: { workspace_id: string; user_id: string }; result: Team };
  team_add_artist: { args: { workspace_id: string; name: string }; result: Team };
  team_assign: { args: { workspace_id: string; artist_id: string; user_id: string; assigned: boolean }; result: Team };
  team_accept: { args: { link: string }; result: JoinedWorkspace };
  royalties_mapping_list: { args: Record<string, never>; result: Array<SavedMapping> };
  royalties_mapping_save: { args: { name: string; header: Array<string>; mapping: ColumnMapping }; result: SavedMapping };
  release_add_files: { args: { release_id: string; job_id: string; paths: Array<string>; on_analysis: Channel<Progress> }; result: AddedTracks };
  release_files_cancel: { args: { job_id: string }; result: boolean };
  release_files_dialog: { args: Record<string, never>; result: Array<string> };
  release_upload: { args: { file_name: string; bytes: Array<number> }; result: string };
  release_set_artwork: { args: { id: string; path: string }; result: ReleaseDetail };
  release_remove_artwork: { args: { id: string }; result: ReleaseDetail };
  release_artwork_dialog: { args: Record<string, never>; result: string | null };
  delivery_rules: { args: Record<string, never>; result: DeliveryRules };
  release_check: { args: { id: string }; result: Readiness };
  isrc_assign: { args: { track_id: string }; result: string };
  isrc_prefix_get: { args: { owner: IsrcOwner }; result: string | null };
  isrc_prefix_set: { args: { owner: IsrcOwner; prefix: string | null }; result: string | null };
  release_import_ern: { args: { workspace_id: string; path: string }; result: Imported };
  release_import_ern_dialog: { args: { workspace_id: string }; result: Imported | null };
  workspace_dpid_get: { args: { workspace_id: string }; result: string | null };
  workspace_dpid_set: { args: { workspace_id: string; dpid: string | null }; result: string | null };
  release_export_ern_dialog: { args: { id: string }; result: string | null };
  royalties_statement_preview: { args: { path: string; encoding: string | null; mapping: ColumnMapping | null }; result: StatementPreview };
  royalties_statement_preview_bytes: { args: { name: string; bytes: Array<number>; encoding: string | null; mapping: ColumnMapping | null }; result: StatementPreview };
  fans_update: { args: { id: string; input: ContactInput }; result: Contact };
  fans_link_sales: { args: { workspace_id: string }; result: SalesLinkReport };
  fans_list_after: { args: { workspace_id: string; filter: ContactFilter; after: ContactCursor | null; limit: number }; result: Array<ContactSummary> };
  fans_list_before: { args: { workspace_id: string; filter: ContactFilter; before: ContactCursor; limit: number }; result: Array<ContactSummary> };
  sync_now: { args: { job_id: string; on_sync: Channel<SyncProgress> }; result: SyncReport };
  sync_cancel: { args: { job_id: string }; result: boolean };
  sync_status: { args: Record<string, never>; result: SyncStatus };
  conflicts_list: { args: Record<string, never>; result: Array<Conflict> };
  conflicts_resolve: { args: { id: string; take: Take }; result: Conflict };
  ledger_payees: { args: Record<string, never>; result: Array<PayeeBalance> };
  ledger_payee_add: { args: { workspace_id: string | null; input: PayeeInput }; result: Payee };
  ledger_payee_update: { args: { id: string; input: PayeeInput }; result: Payee };
  ledger_split_history: { args: { scope: SplitScope; target_id: string }; result: Array<Split> };
  ledger_split_set: { args: { input: SplitInput }; result: Split };
  ledger_split_preview: { args: { scope: SplitScope; target_id: string; shares: Array<Share> }; result: SplitPreview };
  ledger_advances: { args: { payee_id: string }; result: Array<Advance> };
  ledger_advance_add: { args: { input: AdvanceInput }; result: Advance };
  ledger_rates: { args: { limit: number }; result: Array<FxRate> };
  ledger_rate_set: { args: { input: RateInput }; result: FxRate };
  ledger_rates_import_dialog: { args: Record<string, never>; result: FxImportReport | null };
  ledger_rates_import_bytes: { args: { name: string; bytes: Array<number> }; result: FxImportReport };
  ledger_workspace: { args: Record<string, never>; result: Workspace | null };
  ledger_workspace_set: { args: { workspace_id: string | null }; result: Workspace | null };
  ledger_periods: { args: Record<string, never>; result: Array<LedgerPeriod> };
  ledger_statements: { args: { period: YearMonth }; result: IssuedPeriod | null };
  ledger_statement_documents: { args: { period: YearMonth }; result: Array<StatementDocument> };
  ledger_generate: { args: { job_id: string; period: YearMonth; on_generate: Channel<Progress> }; result: StatementRun };
  ledger_generate_cancel: { args: { job_id: string }; result: boolean };
  ledger_statement_export: { args: { period: YearMonth; payee_id: string; kind: string }; result: string | null };
  ledger_statements_folder: { args: { period: YearMonth }; result: string };
  ledger_payout_add: { args: { input: PayoutInput }; result: Payout };
}
