import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { Conflict, SyncError } from '../lib/bindings';
import { setLanguage } from '../lib/i18n';
import { createMockHost } from '../lib/mockHost';
import { hlcTime, valueText } from '../lib/sync.svelte';

afterEach(() => setLanguage('en'));

const ARTIST = '0190f1a0-0000-7000-8000-000000000001';

function conflict(): Conflict {
  return {
    id: '0190f1a0-0000-7000-8000-0000000000c1',
    workspace_id: '0190f1a0-0000-7000-8000-0000000000a1',
    table: 'artists',
    pk: ARTIST,
    column: 'name',
    mine: { value: 'Lin Yue (desktop)', hlc: '001764165600000-00000-node-a', user_id: '0190f1a0-0000-7000-8000-0000000000f1', this_device: true },
    theirs: { value: 'Lin Yue (laptop)', hlc: '001764165660000-00000-node-b', user_id: '0190f1a0-0000-7000-8000-0000000000f2', this_device: false },
    applied: 'theirs',
  };
}

async function start(
  language: 'en' | 'zh-CN',
  conflicts: Conflict[] = [],
  syncErrors: SyncError[] = [],
  statementFiles?: { toUpload: number; toDownload: number },
) {
  const host = createMockHost({ conflicts, syncErrors, statementFiles });
  await host.call('preferences_set', { preferences: { language, theme: 'light' } });
  const ws = await host.call('workspace_create', { input: { kind: 'label', name: 'Night Ferry' } });
  await host.call('artist_create', { workspace_id: ws.id, input: { name: 'Lin Yue', sort_name: null, localized_names: [], country: null, links: [] } });
  const user = userEvent.setup();
  render(App, { props: { host } });
  await waitFor(() => expect(screen.getByTestId('nav-settings')).toBeInTheDocument());
  return { host, user };
}

describe('sync in the shell', () => {
  it('says when not signed in, then syncs on demand and shows nothing pending', async () => {
    const { host, user } = await start('en');
    expect(await screen.findByTestId('sync-state')).toHaveAttribute('data-state', 'signed-out');
    expect(screen.getByTestId('sync-state')).toHaveTextContent('Not signed in');
    await host.call('account_sign_up', { server: 'http://127.0.0.1:8787', email: 'lin@example.com', password: 'night ferry 2026', name: 'Lin Yue' });
    await user.click(screen.getByTestId('nav-roster'));
    await waitFor(() => expect(screen.getByTestId('sync-state')).toHaveAttribute('data-state', 'ok'));
    expect(Number(screen.getByTestId('sync-pending').getAttribute('data-count'))).toBeGreaterThan(0);
    await user.click(screen.getByTestId('sync-now'));
    await waitFor(() => expect(screen.getByTestId('sync-pending')).toHaveAttribute('data-count', '0'));
    expect(screen.getByTestId('sync-state')).toHaveTextContent('Synced just now');
    expect(host.calls.some((c) => c.cmd === 'sync_now')).toBe(true);
  });

  it('says how many statement files wait to be sent or fetched until a sync moves them (in Chinese)', async () => {
    const { host, user } = await start('zh-CN', [], [], { toUpload: 2, toDownload: 1 });
    await host.call('account_sign_up', { server: 'http://127.0.0.1:8787', email: 'lin@example.com', password: 'night ferry 2026', name: 'Lin Yue' });
    await user.click(screen.getByTestId('nav-roster'));
    expect(await screen.findByTestId('sync-statement-uploads')).toHaveTextContent('2 个结算报表文件将在下次同步时上传');
    expect(screen.getByTestId('sync-statement-downloads')).toHaveTextContent('1 个来自其他设备的结算报表文件待下载');
    await user.click(screen.getByTestId('sync-now'));
    await waitFor(() => expect(screen.queryByTestId('sync-statement-uploads')).not.toBeInTheDocument());
    expect(screen.queryByTestId('sync-statement-downloads')).not.toBeInTheDocument();
  });

  it('offers to sign in when signed out (in Chinese)', async () => {
    const { user } = await start('zh-CN');
    expect(await screen.findByTestId('sync-state')).toHaveTextContent('未登录');
    await user.click(screen.getByTestId('sync-sign-in'));
    expect(await screen.findByTestId('account-card')).toBeInTheDocument();
  });

  it('lists a conflict with both values, who made each, which applies, and resolves it', async () => {
    const { user } = await start('en', [conflict()]);
    expect(await screen.findByTestId('conflicts-badge')).toHaveTextContent('1');
    await user.click(screen.getByTestId('nav-conflicts'));
    const card = await screen.findByTestId('conflict');
    expect(card).toHaveTextContent('Artist');
    expect(card).toHaveTextContent('field: name');
    expect(within(card).getByTestId('conflict-mine')).toHaveTextContent('Lin Yue (desktop)');
    expect(within(card).getByTestId('conflict-mine')).toHaveTextContent('Made on this device');
    expect(within(card).getByTestId('conflict-theirs')).toHaveTextContent('Lin Yue (laptop)');
    expect(within(card).getByTestId('conflict-theirs')).toHaveTextContent('Made by another member');
    expect(within(within(card).getByTestId('conflict-theirs')).getByTestId('conflict-applied')).toHaveTextContent('Applies now');
    await user.click(within(card).getByTestId('conflict-take-mine'));
    expect(await screen.findByTestId('conflicts-empty')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('conflicts-badge')).not.toBeInTheDocument());
  });

  it('shows the conflicts screen in Chinese', async () => {
    const { user } = await start('zh-CN', [conflict()]);
    await user.click(await screen.findByTestId('nav-conflicts'));
    const card = await screen.findByTestId('conflict');
    expect(card).toHaveTextContent('艺人');
    expect(card).toHaveTextContent('字段：名称');
    expect(within(card).getByTestId('conflict-take-mine')).toHaveTextContent('保留我的');
    expect(within(card).getByTestId('conflict-take-theirs')).toHaveTextContent('采用对方的');
  });

  it('shows the changes the server refused, translated by code, on click', async () => {
    const refused: SyncError = { at: '2026-11-26T14:00:00Z', direction: 'push', change_id: 'c1', table: 'releases', pk: 'r1', code: 'wrong_workspace', message: 'not a member of that workspace' };
    const { host, user } = await start('zh-CN', [], [refused]);
    await host.call('account_sign_up', { server: 'http://127.0.0.1:8787', email: 'lin@example.com', password: 'night ferry 2026', name: 'Lin Yue' });
    await user.click(screen.getByTestId('nav-roster'));
    const toggle = await screen.findByTestId('sync-errors-toggle');
    expect(toggle).toHaveTextContent('1 个错误');
    expect(screen.getByTestId('sync-state')).toHaveAttribute('data-state', 'error');
    await user.click(toggle);
    expect(screen.getByTestId('sync-errors')).toHaveTextContent('该更改属于你的账户无权写入的工作区');
  });

  it('reads the time from an HLC stamp and shows values as text', () => {
    expect(hlcTime('001764165600000-00000-node')?.toISOString()).toBe('2025-11-26T14:00:00.000Z');
    expect(hlcTime('garbage')).toBeNull();
    expect(valueText('a')).toBe('a');
    expect(valueText(null)).toBe('');
    expect(valueText(3)).toBe('3');
  });
});
