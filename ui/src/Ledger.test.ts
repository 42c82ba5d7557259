import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { setLanguage } from './lib/i18n';
import { createMockHost } from './lib/mockHost';
import { newReleaseInput, newTrackInput } from './lib/inputs';

afterEach(() => setLanguage('en'));

const byId = (id: string) => screen.getByTestId(id);

/** A label with a release, one track, and a DistroKid statement of two months for it. */
async function startWithStatement() {
  const host = createMockHost();
  await host.call('preferences_set', { preferences: { language: 'en', theme: 'light' } });
  const ws = await host.call('workspace_create', { input: { kind: 'label', name: 'Midnight Tape' } });
  const artist = await host.call('artist_create', { workspace_id: ws.id, input: { name: 'Lin Qiao', sort_name: null, localized_names: [], country: null, links: [] } });
  const release = await host.call('release_create', { workspace_id: ws.id, input: newReleaseInput({ title: 'Harbour Lights', type: 'single', artist_ids: [artist.id] }) });
  await host.call('track_add', { release_id: release.id, input: newTrackInput('Harbour Lights', { isrc: 'CNA012600001' }) });
  const header = 'Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)';
  const rows = [header];
  for (let i = 0; i < 30; i++) rows.push(`2026-0${1 + (i % 2)}-15\t2026-01\tSpotify\tLin Qiao\tHarbour Lights\tCNA012600001\t\t1\t100\tSong\tUS\t0\t0.0${(i % 9) + 1}37`);
  await host.call('royalties_import_bytes', {
    job_id: 't',
    name: 'dk.tsv',
    bytes: Array.from(new TextEncoder().encode(rows.join('\r\n'))),
    options: { format: null, mapping: null, encoding: null, skip_invalid: false },
    on_progress: host.channel(() => {}),
  });
  const user = userEvent.setup();
  render(App, { props: { host } });
  await waitFor(() => expect(byId('page-title')).toHaveTextContent('Releases'));
  await user.click(byId('nav-royalties'));
  return { host, user, ws, release };
}

async function addPayee(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(byId('royalties-tab-payees'));
  await user.click(await screen.findByTestId('payee-add'));
  await user.type(byId('payee-name'), name);
  await user.click(byId('payee-save'));
  await waitFor(() => expect(screen.getAllByTestId('payee-row-name').map((e) => e.textContent)).toContain(name));
}

describe('ledger', () => {
  it('the split editor checks the total live and shows what is left, then previews and saves', async () => {
    const { user, host } = await startWithStatement();
    await addPayee(user, 'Ann');
    await addPayee(user, 'Ben');
    await user.click(byId('royalties-tab-splits'));
    await screen.findByTestId('split-rows');
    await waitFor(() => expect(screen.getAllByTestId('split-row')).toHaveLength(1));
    const payees = host.data.artists; // (just to keep host used)
    expect(payees.length).toBe(1);

    const options = () => [...(screen.getAllByTestId('split-payee')[0] as HTMLSelectElement).options].map((o) => o.textContent);
    await waitFor(() => expect(options()).toContain('Ann'));
    const select = (i: number, name: string) => {
      const el = screen.getAllByTestId('split-payee')[i] as HTMLSelectElement;
      const value = [...el.options].find((o) => o.textContent === name)!.value;
      return user.selectOptions(el, value);
    };
    await select(0, 'Ann');
    await user.type(screen.getAllByTestId('split-percent')[0], '60');
    expect(byId('split-total')).toHaveAttribute('data-ok', 'false');
    expect(byId('split-remainder')).toHaveTextContent('40 left to give');
    expect(byId('split-save')).toBeDisabled();

    await user.click(byId('split-add-row'));
    await select(1, 'Ben');
    await user.type(screen.getAllByTestId('split-percent')[1], '40.00001');
    expect(screen.getByTestId('split-problem')).toHaveTextContent('At most 4 decimals');
    await user.clear(screen.getAllByTestId('split-percent')[1]);
    await user.type(screen.getAllByTestId('split-percent')[1], '41');
    expect(byId('split-remainder')).toHaveTextContent('over by 1');
    await user.clear(screen.getAllByTestId('split-percent')[1]);
    await user.click(screen.getAllByTestId('split-fill')[1]);
    expect((screen.getAllByTestId('split-percent')[1] as HTMLInputElement).value).toBe('40');
    expect(byId('split-total')).toHaveAttribute('data-ok', 'true');
    expect(byId('split-total')).toHaveTextContent('Total 100%');

    // The preview splits the last reported month to the cent.
    const rows = await screen.findAllByTestId('split-preview-row', {}, { timeout: 2000 });
    expect(rows).toHaveLength(2);
    expect(byId('split-preview')).toHaveTextContent('2026-02');

    await user.click(byId('split-save'));
    await screen.findByTestId('split-saved');
    expect(screen.getAllByTestId('split-history-row')[0]).toHaveTextContent('Ann 60% · Ben 40%');
  });

  it('generates a period whose statements add up to its total, and a payout refuses more than payable', async () => {
    const { user, host, release } = await startWithStatement();
    await addPayee(user, 'Ann');
    const ann = (await host.call('ledger_payees', {}))[0].payee;
    await host.call('ledger_split_set', { input: { target: { by: 'release', value: release.id }, shares: [{ payee_id: ann.id, percent: '100' }], effective_from: null } });
    await user.click(byId('royalties-tab-statements'));
    const period = (await screen.findByTestId('statements-period')) as HTMLSelectElement;
    await waitFor(() => expect(period.value).toBe('2026-01'));
    await user.click(byId('statements-generate'));
    await screen.findByTestId('statements-table');
    await user.selectOptions(period, '2026-02');
    await user.click(byId('statements-generate'));
    await waitFor(() => expect(screen.getByTestId('statements-notice')).toHaveTextContent('issued for 2026-02'));
    const total = byId('period-total-amount').textContent;
    expect(within(byId('statements-sum')).getByTestId('statements-sum-payable').textContent).toBe(total);

    await user.click(screen.getAllByTestId('statement-pay')[0]);
    const amount = byId('payout-amount') as HTMLInputElement;
    const payable = (await host.call('ledger_payees', {}))[0].payable;
    expect(amount.value).toBe(payable);
    await user.clear(amount);
    await user.type(amount, '1000');
    expect(byId('payout-problem')).toHaveTextContent('More than is payable');
    expect(byId('payout-save')).toBeDisabled();
    await user.clear(amount);
    await user.type(amount, '0.10');
    await user.type(byId('payout-reference'), 'TX-1');
    await user.click(byId('payout-save'));
    await waitFor(() => expect(byId('statements-notice')).toHaveTextContent('Payout of 0.10 USD recorded'));
    expect(host.data.artists.length).toBe(1);
  });

  it('keeps the label\'s ledger when chosen, says where statements go, in Chinese too', async () => {
    const { user, host, ws } = await startWithStatement();
    await user.click(byId('royalties-tab-statements'));
    const select = (await screen.findByTestId('ledger-workspace-select')) as HTMLSelectElement;
    expect(select.value).toBe('');
    expect([...select.options].map((o) => o.textContent)).toEqual(["Your account's own", 'Midnight Tape']);
    expect(byId('ledger-workspace-hint')).toHaveTextContent('only your devices');
    await user.selectOptions(select, ws.id);
    await waitFor(() => expect(byId('ledger-workspace-hint')).toHaveTextContent("are Midnight Tape's, shared with its staff"));
    expect((await host.call('ledger_workspace', {}))?.id).toBe(ws.id);
    setLanguage('zh-CN');
    await waitFor(() => expect(byId('ledger-workspace-hint')).toHaveTextContent('这里显示的是 Midnight Tape 的结算文件'));
    setLanguage('en');
    await user.selectOptions(select, '');
    await waitFor(() => expect(byId('ledger-workspace-hint')).toHaveTextContent('only your devices'));
    expect(await host.call('ledger_workspace', {})).toBeNull();
  });

  it('translates the engine refusal of a payout above payable', async () => {
    const { user } = await startWithStatement();
    await addPayee(user, 'Ann');
    setLanguage('zh-CN');
    const { errorMessage } = await import('./lib/i18n');
    const { HostError } = await import('./lib/host');
    const e = new HostError({ code: 'payout_exceeds_payable', message: '', params: { payee: 'Ann', amount: '5', payable: '1.20', currency: 'USD' }, issues: [] });
    expect(errorMessage(e)).toBe('付款 5 USD 超过了应付 Ann 的金额（1.20 USD）。');
  });
});
