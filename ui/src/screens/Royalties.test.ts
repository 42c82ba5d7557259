import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { setLanguage } from '../lib/i18n';
import { newReleaseInput, newTrackInput } from '../lib/inputs';
import { createMockHost } from '../lib/mockHost';

afterEach(() => setLanguage('en'));

const HEADER = 'Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)';
const STATEMENT = [
  HEADER,
  '2026-01-15\t2026-01\tSpotify\tLin Yue\tHarbour Lights\tCNA012600001\t\t3\t100\tSong\tUS\t0\t0.0123456789',
  '2026-01-15\t2026-01\tDeezer\tLin Yue\tHarbour Lights\tCNA012600001\t\t1\t100\tSong\tFR\t0\t1,000.5',
  '2026-02-15\t2026-02\tSpotify\tNobody\tMystery\t\t\t2\t100\tSong\tUS\t0\t(0.5)',
].join('\r\n');

async function startWithCatalog() {
  const host = createMockHost({ files: { '/music/dk.tsv': STATEMENT }, statementDialog: () => ['/music/dk.tsv'] });
  await host.call('preferences_set', { preferences: { language: 'en', theme: 'light' } });
  const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin Yue' } });
  const me = await host.call('artist_create', { workspace_id: ws.id, input: { name: 'Lin Yue', sort_name: null, localized_names: [], country: null, links: [] } });
  const release = await host.call('release_create', { workspace_id: ws.id, input: newReleaseInput({ title: 'Harbour Lights EP', type: 'ep', artist_ids: [me.id] }) });
  const track = await host.call('track_add', { release_id: release.id, input: newTrackInput('Harbour Lights', { isrc: 'CNA012600001' }) });
  const user = userEvent.setup();
  render(App, { props: { host } });
  await waitFor(() => expect(screen.getByTestId('page-title')).toHaveTextContent('Releases'));
  await user.click(screen.getByTestId('nav-royalties'));
  await screen.findByTestId('royalties-empty');
  return { host, user, track };
}

function rowTexts(): string[] {
  return screen.queryAllByTestId('report-row').map((r) => r.textContent ?? '');
}

describe('royalties', () => {
  it('imports a statement from the file input, reports it and shows the dashboard', async () => {
    const { host, user } = await startWithCatalog();
    const file = new File([STATEMENT], 'dk.tsv', { type: 'text/tab-separated-values' });
    await user.upload(screen.getByTestId('royalties-import-file') as HTMLInputElement, file);

    const report = await screen.findByTestId('royalties-import-report');
    expect(within(report).getByTestId('import-imported')).toHaveTextContent('3');
    expect(within(report).getByTestId('import-matched')).toHaveTextContent('2');
    expect(within(report).getByTestId('import-unmatched')).toHaveTextContent('1');
    await waitFor(() => expect(screen.getByTestId('unmatched-count')).toHaveTextContent('1'));
    // Totals are exact decimal sums, rounded for display only: 0.0123456789 + 1000.5 - 0.5.
    expect(screen.getByTestId('royalties-totals')).toHaveTextContent('1,000.01 USD');
    expect(screen.getByTestId('royalties-chart')).toBeInTheDocument();
    await waitFor(() => expect(rowTexts()).toHaveLength(2));
    expect(rowTexts()[0]).toContain('Deezer');
    // The progress channel reached the screen's callback (a plain object in the mock).
    expect(host.calls.some((c) => c.cmd === 'royalties_import_bytes')).toBe(true);

    await user.click(screen.getByTestId('royalties-by-track'));
    await waitFor(() => expect(rowTexts().some((t) => t.includes('Harbour Lights'))).toBe(true));
    expect(rowTexts().some((t) => t.includes('Unmatched'))).toBe(true);
  });

  it('imports through the dialog and says when a file was already imported', async () => {
    const { user } = await startWithCatalog();
    await user.click(screen.getByTestId('royalties-import'));
    await screen.findByTestId('royalties-import-report');
    await user.click(screen.getByTestId('royalties-import'));
    await screen.findByTestId('import-duplicate');
  });

  it('imports files dropped on the window', async () => {
    const { host } = await startWithCatalog();
    host.drop(['/music/dk.tsv']);
    const report = await screen.findByTestId('royalties-import-report');
    expect(within(report).getByTestId('import-imported')).toHaveTextContent('3');
  });

  it('names the line of an invalid file, in Chinese too', async () => {
    const { host, user } = await startWithCatalog();
    await host.call('preferences_set', { preferences: { language: 'zh-CN', theme: null } });
    setLanguage('zh-CN');
    const bad = `${HEADER}\r\n2026-01-15\t2026-01\tSpotify\tA\tB\t\t\t1\t100\tSong\tUS\t0\tlots`;
    await user.upload(screen.getByTestId('royalties-import-file') as HTMLInputElement, new File([bad], 'bad.tsv'));
    const error = await screen.findByTestId('import-error');
    expect(error).toHaveTextContent('bad.tsv 第 2 行');
    expect(host.data.lines).toHaveLength(0);
  });

  it('assigns the unmatched lines to a track and the count drops to zero', async () => {
    const { host, user, track } = await startWithCatalog();
    await user.upload(screen.getByTestId('royalties-import-file') as HTMLInputElement, new File([STATEMENT], 'dk.tsv'));
    await waitFor(() => expect(screen.getByTestId('unmatched-count')).toHaveTextContent('1'));
    await user.click(await screen.findByTestId('unmatched-assign'));
    await user.selectOptions(screen.getByTestId('assign-target'), `track:${track.id}`);
    await user.click(screen.getByTestId('assign-save'));
    await waitFor(() => expect(screen.getByTestId('unmatched-count')).toHaveTextContent('0'));
    expect(host.data.rules).toEqual([expect.objectContaining({ kind: 'title_artist', track_id: track.id })]);
  });
});
