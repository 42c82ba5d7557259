// Inputs are whole records: an edit sends every field, so a field this screen does not show
// (set by the CLI, an ERN import, a newer screen) must be carried over from the loaded record,
// never reset. These builders are the one place that knows every field.
import type { Contact, ContactInput, Release, ReleaseInput, Track, TrackInput } from './bindings';

/** A new release: the given fields, every other one empty. */
export function newReleaseInput(fields: Pick<ReleaseInput, 'title' | 'type' | 'artist_ids'> & Partial<ReleaseInput>): ReleaseInput {
  return {
    label_name: null,
    release_date: null,
    catalog_number: null,
    upc: null,
    status: null,
    version: null,
    display_artist: null,
    featuring_ids: [],
    remixer_ids: [],
    p_line: null,
    c_line: null,
    genre: null,
    subgenre: null,
    language: null,
    original_release_date: null,
    territories: [],
    explicit: false,
    deals: [],
    proprietary_id: null,
    ...fields,
  };
}

/** An edit of `release`: its current values with `changes` applied. */
export function releaseInputFrom(release: Release, changes: Partial<ReleaseInput> = {}): ReleaseInput {
  return {
    title: release.title,
    type: release.type,
    artist_ids: release.artists.map((a) => a.id),
    label_name: release.label_name,
    release_date: release.release_date,
    catalog_number: release.catalog_number,
    upc: release.upc,
    status: release.status,
    version: release.version,
    display_artist: release.display_artist,
    featuring_ids: release.featuring.map((a) => a.id),
    remixer_ids: release.remixers.map((a) => a.id),
    p_line: release.p_line,
    c_line: release.c_line,
    genre: release.genre,
    subgenre: release.subgenre,
    language: release.language,
    original_release_date: release.original_release_date,
    territories: release.territories,
    explicit: release.explicit,
    deals: release.deals,
    proprietary_id: release.proprietary_id,
    ...changes,
  };
}

/** A new track: the title and given fields, every other one empty. */
export function newTrackInput(title: string, changes: Partial<TrackInput> = {}): TrackInput {
  return {
    title,
    version: null,
    disc_number: null,
    position: null,
    artist_ids: [],
    duration_ms: null,
    isrc: null,
    explicit: false,
    language: null,
    preview_start_ms: null,
    display_artist: null,
    featuring_ids: [],
    remixer_ids: [],
    contributors: [],
    work: null,
    audio: null,
    ...changes,
  };
}

/** An edit of `track`: its current values with `changes` applied. */
export function trackInputFrom(track: Track, changes: Partial<TrackInput> = {}): TrackInput {
  return {
    title: track.title,
    version: track.version,
    disc_number: track.disc_number,
    position: track.position,
    artist_ids: track.artists.map((a) => a.id),
    duration_ms: track.duration_ms,
    isrc: track.isrc,
    explicit: track.explicit,
    language: track.language,
    preview_start_ms: track.preview_start_ms,
    display_artist: track.display_artist,
    featuring_ids: track.featuring.map((a) => a.id),
    remixer_ids: track.remixers.map((a) => a.id),
    contributors: track.contributors,
    work: track.work,
    audio: track.audio,
    ...changes,
  };
}

/** An edit of `contact`: its current values (primary e-mail first) with `changes` applied. */
export function contactInputFrom(contact: Contact, changes: Partial<ContactInput> = {}): ContactInput {
  const emails = [...contact.emails].sort((a, b) => Number(b.is_primary) - Number(a.is_primary)).map((e) => e.email);
  return {
    name: contact.name,
    emails,
    phone: contact.phone,
    city: contact.city,
    region: contact.region,
    country: contact.country,
    language: contact.language,
    notes: contact.notes,
    tags: [...contact.tags],
    ...changes,
  };
}
