import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { setLanguage } from './lib/i18n';
import { createMockHost, type MockHost } from './lib/mockHost';
import { newReleaseInput, newTrackInput } from './lib/inputs';

afterEach(() => setLanguage('en'));

const byId = (id: string) => screen.getByTestId(id);
const allById = (id: string) => screen.queryAllByTestId(id);

async function start(host: MockHost = createMockHost()) {
  const user = userEvent.setup();
  render(App, { props: { host } });
  return { user, host };
}

/** A store with an English label workspace, opened on the releases screen. */
async function startWithLabel(artists: string[] = []) {
  const host = createMockHost();
  await host.call('preferences_set', { preferences: { language: 'en', theme: 'light' } });
  const ws = await host.call('workspace_create', { input: { kind: 'label', name: 'Midnight Tape' } });
  for (const name of artists) {
    await host.call('artist_create', { workspace_id: ws.id, input: { name, sort_name: null, localized_names: [], country: null, links: [] } });
  }
  const ctx = await start(host);
  await waitFor(() => expect(byId('page-title')).toHaveTextContent('Releases'));
  return { ...ctx, ws };
}

describe('first run', () => {
  it('creates a workspace from the welcome screen and opens it', async () => {
    const { user, host } = await start();
    await screen.findByTestId('welcome');
    await user.type(byId('workspace-name'), 'Lin Yue');
    await user.click(byId('workspace-kind-artist'));
    await user.click(byId('workspace-create'));

    await waitFor(() => expect(screen.queryByTestId('welcome')).not.toBeInTheDocument());
    expect(byId('page-title')).toHaveTextContent('Releases');
    expect(host.data.workspaces).toEqual([expect.objectContaining({ name: 'Lin Yue', kind: 'artist' })]);
    const switcher = byId('workspace-switcher') as HTMLSelectElement;
    expect(switcher.selectedOptions[0].textContent).toBe('Lin Yue');
    // An artist workspace's roster is the artist's profile.
    await user.click(byId('nav-roster'));
    expect(byId('page-title')).toHaveTextContent('Your artist profile');
  });

  it('shows a translated field error when the name is missing', async () => {
    const { user, host } = await start();
    await screen.findByTestId('welcome');
    await user.click(byId('workspace-create'));
    const error = await screen.findByTestId('field-error');
    expect(error).toHaveAttribute('data-field', 'name');
    expect(error).toHaveTextContent('Required');
    expect(host.data.workspaces).toHaveLength(0);
  });
});

describe('roster', () => {
  it('adds an artist with a name in another script and lists it', async () => {
    const { user, host } = await startWithLabel();
    await user.click(byId('nav-roster'));
    expect(byId('page-title')).toHaveTextContent('Roster');
    await user.click(byId('artist-add'));
    await user.type(byId('artist-name'), 'Jay Chou');
    await user.type(byId('artist-sort-name'), 'Chou, Jay');
    await user.type(byId('artist-other-name'), '周杰伦');
    await user.type(byId('artist-other-language'), 'zh-Hant');
    await user.type(byId('artist-country'), 'tw');
    await user.type(byId('artist-links'), 'https://jay.example{Enter}https://other.example');
    await user.click(byId('artist-save'));

    const row = await screen.findByTestId('artist-row');
    expect(row).toHaveTextContent('Jay Chou');
    expect(row).toHaveTextContent('周杰伦');
    expect(row).toHaveTextContent('TW');
    expect(host.data.artists[0]).toMatchObject({
      name: 'Jay Chou',
      sort_name: 'Chou, Jay',
      country: 'TW',
      localized_names: [{ language: 'zh-Hant', name: '周杰伦' }],
      links: ['https://jay.example', 'https://other.example'],
    });
    expect(screen.queryByTestId('artist-name')).not.toBeInTheDocument(); // the form closed
  });

  it('shows field errors from the engine next to their fields, translated', async () => {
    const { user } = await startWithLabel();
    await user.click(byId('nav-roster'));
    await user.click(byId('artist-add'));
    await user.type(byId('artist-name'), 'Nova');
    await user.type(byId('artist-country'), 'X1');
    await user.click(byId('artist-save'));
    const error = await screen.findByTestId('field-error');
    expect(error).toHaveAttribute('data-field', 'country');
    expect(error).toHaveTextContent('Use a two-letter country code, like CN or US');
    expect(allById('artist-row')).toHaveLength(0);
  });

  it('deletes after an in-app confirmation, and explains when the artist is in use', async () => {
    const { user, host, ws } = await startWithLabel(['Adele', 'Busy']);
    const busy = host.data.artists.find((a) => a.name === 'Busy')!;
    await host.call('release_create', {
      workspace_id: ws.id,
      input: newReleaseInput({ title: 'Hits', type: 'album', artist_ids: [busy.id] }),
    });
    await user.click(byId('nav-roster'));
    const rows = allById('artist-row');
    await user.click(within(rows[0]).getByTestId('artist-delete'));
    await user.keyboard('{Escape}'); // cancels
    expect(screen.queryByTestId('confirm-yes')).not.toBeInTheDocument();
    expect(allById('artist-row')).toHaveLength(2);

    await user.click(within(allById('artist-row')[0]).getByTestId('artist-delete'));
    await user.click(byId('confirm-yes'));
    await waitFor(() => expect(allById('artist-row')).toHaveLength(1));

    await user.click(within(allById('artist-row')[0]).getByTestId('artist-delete'));
    await user.click(byId('confirm-yes'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('Busy is credited on 1 release(s). Remove those credits first.');
    expect(allById('artist-row')).toHaveLength(1);
  });
});

describe('releases', () => {
  it('creates a release, stays in its editor, adds two tracks and lists them', async () => {
    const { user, host } = await startWithLabel(['Jay Chou', 'Mei']);
    await user.click(byId('release-new'));
    await user.type(byId('release-title'), 'Night Market Radio');
    await user.selectOptions(byId('release-type'), 'ep');
    const jay = screen.getAllByTestId('release-artist').find((c) => c.closest('label')?.textContent?.includes('Jay Chou'))!;
    await user.click(jay);
    await user.type(byId('release-date'), '2026-05-15');
    await user.selectOptions(byId('release-status'), 'ready');
    await user.click(byId('release-save'));

    await waitFor(() => expect(host.data.releases).toHaveLength(1));
    expect(host.data.releases[0]).toMatchObject({ title: 'Night Market Radio', type: 'ep', artist_ids: [jay.getAttribute('value')], release_date: '2026-05-15', status: 'ready' });
    // Still in the editor, now for the saved release.
    expect(await screen.findByTestId('track-title')).toBeInTheDocument();
    expect(byId('page-title')).toHaveTextContent('Night Market Radio');

    await user.type(byId('track-title'), 'Neon Rain');
    await user.type(byId('track-duration'), '3:45');
    await user.type(byId('track-isrc'), 'CN-A01-26-00001');
    await user.click(byId('track-add'));
    await waitFor(() => expect(allById('track-row')).toHaveLength(1));
    await user.type(byId('track-title'), 'Last Train Home');
    await user.type(byId('track-version'), 'Radio Edit');
    await user.click(byId('track-add'));
    await waitFor(() => expect(allById('track-row')).toHaveLength(2));

    const [first, second] = allById('track-row');
    expect(first).toHaveTextContent('Neon Rain');
    expect(first).toHaveTextContent('3:45');
    expect(first).toHaveTextContent('CNA012600001');
    expect(second).toHaveTextContent('Last Train Home');
    expect(second).toHaveTextContent('Radio Edit');
    expect(host.data.tracks.map((t) => [t.position, t.duration_ms])).toEqual([
      [1, 225_000],
      [2, null],
    ]);

    await user.click(byId('release-back'));
    const row = await screen.findByTestId('release-row');
    expect(row).toHaveTextContent('Night Market Radio');
    expect(row).toHaveTextContent('EP');
    expect(row).toHaveTextContent('Jay Chou');
    expect(row).toHaveTextContent('Ready');
    expect(row).toHaveTextContent('2');
  });

  it('shows translated field errors for a release without title or artist', async () => {
    const { user, host } = await startWithLabel(['Jay Chou', 'Mei']);
    await user.click(byId('release-new'));
    await user.click(byId('release-save'));
    const errors = await screen.findAllByTestId('field-error');
    expect(errors.map((e) => [e.getAttribute('data-field'), e.textContent])).toEqual([
      ['title', 'Required'],
      ['artist_ids', 'Choose at least one artist'],
    ]);
    expect(host.data.releases).toHaveLength(0);
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('puts a taken track position in the banner, translated', async () => {
    const { user, host, ws } = await startWithLabel(['Jay Chou']);
    const r = await host.call('release_create', {
      workspace_id: ws.id,
      input: newReleaseInput({ title: 'LP', type: 'album', artist_ids: [host.data.artists[0].id] }),
    });
    await host.call('track_add', { release_id: r.id, input: newTrackInput('One') });
    await host.call('track_add', { release_id: r.id, input: newTrackInput('Two') });
    await user.click(byId('nav-releases'));
    await user.click(await screen.findByTestId('release-row'));
    await waitFor(() => expect(allById('track-row')).toHaveLength(2));
    await user.click(within(allById('track-row')[1]).getByTestId('track-edit'));
    const position = byId('track-edit-position');
    await user.clear(position);
    await user.type(position, '1{Enter}');
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('Disc 1 already has a track at position 1.');
  });

  it('filters by artist in a label workspace', async () => {
    const { user, host, ws } = await startWithLabel(['Adele', 'Björk']);
    const [adele, bjork] = host.data.artists;
    for (const [title, id] of [['Hello', adele.id], ['Homogenic', bjork.id]] as const) {
      await host.call('release_create', {
        workspace_id: ws.id,
        input: newReleaseInput({ title, type: 'album', artist_ids: [id] }),
      });
    }
    await user.click(byId('nav-roster'));
    await user.click(byId('nav-releases'));
    await waitFor(() => expect(allById('release-row')).toHaveLength(2));
    await user.selectOptions(byId('artist-filter'), bjork.id);
    await waitFor(() => expect(allById('release-row')).toHaveLength(1));
    expect(byId('release-row')).toHaveTextContent('Homogenic');
  });
});

describe('settings', () => {
  it('switching to Chinese relabels the sidebar and is saved', async () => {
    const { user, host } = await startWithLabel();
    expect(byId('nav-releases')).toHaveTextContent('Releases');
    await user.click(byId('nav-settings'));
    await user.selectOptions(byId('language-select'), 'zh-CN');
    await waitFor(() => expect(byId('nav-releases')).toHaveTextContent('发行'));
    expect(byId('nav-roster')).toHaveTextContent('艺人名单');
    expect(byId('nav-settings')).toHaveTextContent('设置');
    expect(byId('page-title')).toHaveTextContent('设置');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(host.data.preferences.language).toBe('zh-CN');

    await user.selectOptions(byId('theme-select'), 'dark');
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    expect(host.data.preferences).toEqual({ language: 'zh-CN', theme: 'dark' });
  });

  it('applies the saved language on start, and shows the store path', async () => {
    const host = createMockHost({ storePath: '/data/roadie.sqlite' });
    await host.call('preferences_set', { preferences: { language: 'zh-CN', theme: null } });
    await host.call('workspace_create', { input: { kind: 'label', name: 'L' } });
    const { user } = await start(host);
    await waitFor(() => expect(byId('page-title')).toHaveTextContent('发行'));
    await user.click(byId('nav-settings'));
    expect(byId('store-path')).toHaveTextContent('/data/roadie.sqlite');
  });
});

describe('store errors', () => {
  it('shows a full-page translated error and recovers with a new store', async () => {
    const host = createMockHost({
      storeError: { code: 'store_too_new', message: 'raw English', params: { path: '/x.sqlite', found: '9', supported: '3' }, issues: [] },
      dialogPath: () => '/home/you/new.sqlite',
    });
    const { user } = await start(host);
    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent('schema 9; this version knows up to 3');
    expect(banner).not.toHaveTextContent('raw English');
    await user.click(byId('store-new'));
    expect(await screen.findByTestId('welcome')).toBeInTheDocument();
  });
});

describe('release editor with a one-artist roster', () => {
  it('ticks nothing by default, so clicking the only artist credits it', async () => {
    const { user, host } = await startWithLabel(['Lin Qiao']);
    await user.click(byId('release-new'));
    const box = byId('release-artist') as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(box.closest('label')).toHaveTextContent('Lin Qiao');
    await user.type(byId('release-title'), 'Night Ferry');
    await user.click(box);
    await user.click(byId('release-save'));
    await screen.findByTestId('track-title');
    expect(host.data.releases[0].artist_ids).toEqual([host.data.artists[0].id]);
  });
});
