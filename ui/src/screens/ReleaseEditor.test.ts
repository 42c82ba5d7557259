import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { setLanguage } from '../lib/i18n';
import { createMockHost } from '../lib/mockHost';
import { newReleaseInput } from '../lib/inputs';

afterEach(() => setLanguage('en'));

const byId = (id: string) => screen.getByTestId(id);
const allById = (id: string) => screen.queryAllByTestId(id);
const codes = () => allById('readiness-item').map((b) => `${b.dataset.code}${b.dataset.track ? `@${b.dataset.track}` : ''}`);

/** An English label store with one release, opened in its editor. */
async function openRelease(language: 'en' | 'zh-CN' = 'en') {
  const host = createMockHost({ mediaDialog: () => ['/masters/01 Neon Rain.wav', '/masters/02 Quiet Clip 22k.wav', '/masters/cover small.png'], mediaFiles: ['/masters/01 Neon Rain.wav', '/masters/02 Quiet Clip 22k.wav', '/masters/cover small.png', '/masters/cover.png'] });
  await host.call('preferences_set', { preferences: { language, theme: 'light' } });
  const ws = await host.call('workspace_create', { input: { kind: 'label', name: 'Midnight Tape' } });
  const jay = await host.call('artist_create', { workspace_id: ws.id, input: { name: 'Jay Chou', sort_name: null, localized_names: [], country: null, links: [] } });
  const r = await host.call('release_create', { workspace_id: ws.id, input: newReleaseInput({ title: 'Night Market Radio', type: 'ep', artist_ids: [jay.id] }) });
  const user = userEvent.setup();
  render(App, { props: { host } });
  await user.click(await screen.findByTestId('release-row'));
  await screen.findByTestId('readiness-summary');
  return { user, host, release: r };
}

describe('release builder', () => {
  it('adds masters and a cover, shows badges and the problems, and jumps to a field', { timeout: 20000 }, async () => {
    const { user, host } = await openRelease();
    await waitFor(() => expect(codes()).toContain('no_tracks'));
    await user.click(byId('release-files-choose'));
    await waitFor(() => expect(allById('track-row')).toHaveLength(2));
    expect(byId('files-added')).toHaveTextContent('Added 2 track(s) and the cover.');
    await waitFor(() => expect(codes()).toEqual(expect.arrayContaining(['artwork_too_small', 'low_sample_rate@2', 'clipping@2', 'too_quiet@2', 'missing_upc'])));
    expect(codes()).not.toContain('no_tracks');
    const [first, second] = allById('track-row');
    expect(within(first).getByTestId('badge-format')).toHaveAttribute('data-verdict', 'ok');
    expect(within(second).getByTestId('badge-format')).toHaveAttribute('data-verdict', 'bad');
    expect(within(second).getByTestId('badge-clipping')).toHaveTextContent('1840 clipped');

    // Jump to the UPC field, fill it, save: the item clears.
    await user.click(allById('readiness-item').find((b) => b.dataset.code === 'missing_upc')!);
    expect(document.activeElement).toBe(byId('release-upc'));
    await user.type(byId('release-upc'), '036000291452');
    // Unsaved: the panel says the check is of the saved release, and saves from there.
    expect(byId('readiness-unsaved')).toBeInTheDocument();
    await user.click(byId('readiness-save'));
    await waitFor(() => expect(codes()).not.toContain('missing_upc'));
    expect(screen.queryByTestId('readiness-unsaved')).not.toBeInTheDocument();
    expect(host.data.releases[0].upc).toBe('036000291452');
    // The cover is kept by a release save.
    expect(host.data.releases[0].artwork?.width).toBe(600);

    // A track problem opens the track's details, with its analysis focused.
    await user.click(allById('readiness-item').find((b) => b.dataset.code === 'clipping')!);
    await waitFor(() => expect(document.activeElement?.id).toBe('track-analysis'));
    expect(byId('track-analysis')).toHaveTextContent('22.05 kHz');
  });

  it('assigns an ISRC after asking for the registrant prefix, and saves track details', { timeout: 20000 }, async () => {
    const { user, host } = await openRelease();
    await user.click(byId('release-files-choose'));
    await waitFor(() => expect(allById('track-row')).toHaveLength(2));
    await user.click(within(allById('track-row')[0]).getByTestId('track-assign-isrc'));
    await user.type(await screen.findByTestId('isrc-prefix'), 'CN-A01');
    await user.click(byId('isrc-prefix-save'));
    await waitFor(() => expect(allById('track-row')[0]).toHaveTextContent(/CNA01\d{7}/));
    await waitFor(() => expect(codes()).not.toContain('missing_isrc@1'));

    await user.click(within(allById('track-row')[0]).getByTestId('track-more'));
    await user.click(byId('track-explicit'));
    await user.click(byId('track-writer-add'));
    const writer = byId('track-writer');
    await user.type(within(writer).getByLabelText('Name'), 'Jay Chou');
    await user.click(byId('track-details-save'));
    await waitFor(() => expect(host.data.tracks[0].work?.writers).toEqual([{ name: 'Jay Chou', role: 'composer_lyricist', share: '100' }]));
    expect(host.data.tracks[0].explicit).toBe(true);
  });

  it('warns before exporting a release that is not ready', async () => {
    const { user, host } = await openRelease();
    await waitFor(() => expect(codes()).toContain('missing_upc'));
    await user.click(byId('ern-export'));
    await user.click(await screen.findByTestId('confirm-yes'));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('ERN message saved to'));
    expect(host.calls.filter((c) => c.cmd === 'release_export_ern_dialog')).toHaveLength(1);
  });

  it('shows the checklist in Chinese', async () => {
    await openRelease('zh-CN');
    await waitFor(() => expect(allById('readiness-item').map((b) => b.textContent).join(' ')).toContain('发行缺少 UPC/EAN 条形码。'));
    expect(byId('readiness-summary')).toHaveTextContent('项待修正');
  });
});

describe('dropping files on the window', () => {
  it('analyses the dropped masters with progress and adds them', async () => {
    const { host } = await openRelease();
    const seen: { done: number; total: number }[] = [];
    const call = host.call.bind(host);
    host.call = (async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === 'release_add_files') {
        const channel = args.on_analysis as { onmessage: (p: { done: number; total: number }) => void };
        const onmessage = channel.onmessage;
        channel.onmessage = (p) => {
          seen.push(p);
          onmessage(p);
        };
      }
      return call(cmd as never, args as never);
    }) as typeof host.call;
    host.drop(['/home/you/Music/Night Market Radio/01 Neon Rain.wav', '/elsewhere/missing.flac']);
    await waitFor(() => expect(allById('track-row')).toHaveLength(1));
    expect(seen.at(-1)).toEqual({ done: 2, total: 2 });
    // The file that could not be read is named with the reason, translated.
    expect(byId('file-problems')).toHaveTextContent('missing.flac: file not found');
  });
});

describe('DDEX Party ID setting', () => {
  it('refuses a malformed DPID and saves a good one for the workspace', { timeout: 20000 }, async () => {
    const { user, host } = await openRelease();
    await user.click(byId('nav-settings'));
    const input = await screen.findByTestId('ddex-dpid');
    await user.type(input, 'DPID-1');
    await user.click(byId('ddex-dpid-save'));
    expect(await screen.findByTestId('field-error')).toHaveTextContent('Not a DDEX Party ID');
    await user.clear(input);
    await user.type(input, 'padpida2014120401D');
    await user.click(byId('ddex-dpid-save'));
    await waitFor(() => expect((byId('ddex-dpid') as HTMLInputElement).value).toBe('PADPIDA2014120401D'));
    expect(await host.call('workspace_dpid_get', { workspace_id: host.data.workspaces[0].id })).toBe('PADPIDA2014120401D');
  });
});

describe('ERN import', () => {
  it('imports a message from the file input and opens the release with its artist credited', async () => {
    const { user, host } = await openRelease();
    await user.click(byId('release-back'));
    const xml = '<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"><TitleText>Fable</TitleText></ern:NewReleaseMessage>';
    await user.upload(byId('ern-import-input'), new File([xml], 'fable.xml', { type: 'text/xml' }));
    await waitFor(() => expect(byId('page-title')).toHaveTextContent('Fable'));
    expect(host.data.releases).toHaveLength(2);
    const credited = allById('release-artist').filter((c) => (c as HTMLInputElement).checked);
    expect(credited.map((c) => c.closest('label')?.textContent?.trim())).toEqual(['Imported Artist']);
  });
});
