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

  it('maps the columns of an unknown layout once, imports it, and picks the mapping next time', async () => {
    const { host, user } = await startWithCatalog();
    const header = '月份,平台,国家,ISRC,歌曲,艺人,数量,收入,币种';
    const first = [header, '15/01/2026,QQ音乐,中国,CNA012600001,Harbour Lights,Lin Yue,10,12.5,CNY', '16/01/2026,网易云音乐,美国,,晴天,周杰伦,3,2.25,USD'].join('\n');
    await user.upload(screen.getByTestId('royalties-import-file') as HTMLInputElement, new File([first], 'qq-2026-01.csv'));
    const dialog = await screen.findByTestId('mapping-dialog');
    expect(within(dialog).getAllByTestId('mapping-preview-row')).toHaveLength(2);
    // The columns are guessed from their (Chinese) names.
    expect(within(dialog).getByTestId('map-reporting_period')).toHaveValue('月份');
    expect(within(dialog).getByTestId('map-amount')).toHaveValue('收入');
    expect(within(dialog).getByTestId('map-currency')).toHaveValue('币种');
    // Without an amount column it is refused here, before the engine sees it.
    await user.selectOptions(within(dialog).getByTestId('map-amount'), '');
    await user.click(within(dialog).getByTestId('mapping-save'));
    expect(await within(dialog).findByTestId('mapping-problems')).toHaveTextContent('Amount');
    await user.selectOptions(within(dialog).getByTestId('map-amount'), '收入');
    // Day-first dates read month first: the check names the lines.
    await user.click(within(dialog).getByTestId('mapping-save'));
    await waitFor(() => expect(within(dialog).getByTestId('mapping-problems')).toHaveTextContent('Line 2'));
    await user.selectOptions(within(dialog).getByTestId('mapping-date-order'), 'dmy');
    await user.click(within(dialog).getByTestId('mapping-save'));
    await waitFor(() => expect(screen.queryByTestId('mapping-dialog')).toBeNull());
    await waitFor(() => expect(screen.getByTestId('import-imported')).toHaveTextContent('2'));
    expect(screen.getByTestId('royalties-import-report')).toHaveTextContent('mapped');
    await waitFor(() => expect(screen.getByTestId('royalties-totals')).toHaveTextContent('12.50 CNY'));
    expect((await host.call('royalties_mapping_list', {})).map((m) => m.name)).toEqual(['qq-2026-01']);

    // The same header again: no mapping step.
    const second = [header, '15/02/2026,QQ音乐,中国,CNA012600001,Harbour Lights,Lin Yue,1,1.5,CNY'].join('\n');
    await user.upload(screen.getByTestId('royalties-import-file') as HTMLInputElement, new File([second], 'qq-2026-02.csv'));
    await waitFor(() => expect(screen.getByTestId('royalties-totals')).toHaveTextContent('14.00 CNY'));
    expect(screen.queryByTestId('mapping-dialog')).toBeNull();
  }, 30000);

  it('passes the chosen format and encoding to the import', async () => {
    const { host, user } = await startWithCatalog();
    await user.selectOptions(screen.getByTestId('royalties-format'), 'distrokid');
    await user.selectOptions(screen.getByTestId('royalties-encoding'), 'utf-8');
    await user.upload(screen.getByTestId('royalties-import-file') as HTMLInputElement, new File([STATEMENT], 'dk.tsv'));
    await screen.findByTestId('royalties-import-report');
    const call = host.calls.find((c) => c.cmd === 'royalties_import_bytes')!;
    expect((call.args as { options: { format: string; encoding: string } }).options).toMatchObject({ format: 'distrokid', encoding: 'utf-8' });
  }, 30000);
});
