// Two-way sync in the real app (tauri-driver + WebKitWebDriver under Xvfb) against a real
// `roadie-platform serve` on a throwaway PostgreSQL cluster, with the `roadie` CLI on its own temp
// store as the second device: sign up in the app, create an artist, Sync now → nothing pending;
// the CLI signs in to the same account and pulls it; both rename the artist before syncing; the
// app syncs → a conflicts badge, the Conflicts screen shows both values (English, then Chinese in
// the dark theme) → keep the app's value → no conflicts left, and the CLI's store converges on its
// next sync; a statement file the CLI imports comes to the app with its lines; then the server
// stops and the app says it is offline, the edit kept for later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { signUp, startLabel } from './harness.mjs';
import { appWithPlatform } from './platform-server.mjs';
import { cliDevice } from './fixtures.mjs';

let session;
const { app, platform: running } = appWithPlatform('sync', { needsCli: true });
const shot = (name) => app.shot(name);
const step = (name, fn) => app.step(name, fn);

const EMAIL = 'lin.qiao@example.com';
const PASSWORD = 'night ferry 2026';

/** The second device: the CLI on its own store. */
const roadie = (args, input) => cliDevice(app.sandbox.home, 'cli-device.sqlite')(args, input);

async function pending() {
  const el = await session.waitFor('[data-testid="sync-pending"]');
  return Number(await session.cmd('GET', `/element/${el}/attribute/data-count`));
}

async function waitPending(n) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const p = await pending().catch(() => -1);
    if (p === n) return;
    if (Date.now() > deadline) throw new Error(`pending changes: ${p}, expected ${n}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function syncNow() {
  await session.click('[data-testid="sync-now"]');
  // The button comes back when the sync has finished.
  await session.waitFor('[data-testid="sync-now"]', { timeout: 60000 });
}

test('sync with a real platform; a conflicting edit from the CLI shows in the Conflicts screen and resolves', async () => {
  const platform = running();
  session = await app.start();
  let artistId;

  await step('offline-start', async () => {
    await startLabel(session, { label: 'Neon Harbor Records', artist: 'Lin Qiao' });
    // Not signed in: changes stay here, and the sidebar says so.
    await session.waitFor('[data-testid="sync-state"][data-state="signed-out"]');
    await shot('sync-signed-out-en');
  });

  await step('sign-up-and-sync', async () => {
    await signUp(session, { server: platform.base, name: 'Lin Qiao', email: EMAIL, password: PASSWORD });
    await session.click('[data-testid="nav-roster"]');
    await session.waitFor('[data-testid="sync-state"][data-state="ok"]');
    assert.ok((await pending()) > 0, 'the workspace and the artist wait to be sent');
    await syncNow();
    await waitPending(0);
    await session.waitFor('[data-testid="sync-state"]', { text: 'Synced' });
    await shot('sync-synced-en');
  });

  await step('second-device', async () => {
    const login = roadie(['login', '--server', platform.base, '--email', EMAIL], `${PASSWORD}\n`);
    assert.ok(login.length > 0);
    const first = roadie(['sync', '--json']);
    assert.ok(first.pulled >= 2, `the CLI pulled the workspace and the artist: ${JSON.stringify(first)}`);
    const workspaces = roadie(['workspace', 'list', '--json']);
    const ws = workspaces.find((w) => w.name === 'Neon Harbor Records');
    assert.ok(ws, JSON.stringify(workspaces));
    roadie(['workspace', 'use', ws.id, '--json']);
    const artists = roadie(['artist', 'list', '--json']);
    assert.deepEqual(artists.map((a) => a.name), ['Lin Qiao']);
    artistId = artists[0].id;
  });

  await step('concurrent-edits', async () => {
    // The app renames the artist, before syncing...
    await session.click('[data-testid="artist-edit"]');
    await session.setValue('[data-testid="artist-name"]', 'Lin Qiao (desktop)');
    await session.click('[data-testid="artist-save"]');
    await session.waitFor('[data-testid="artist-row"]', { text: 'Lin Qiao (desktop)' });
    // ...while the other device renames it too, and syncs first.
    roadie(['artist', 'edit', artistId, '--name', 'Lin Qiao (laptop)', '--json']);
    const pushed = roadie(['sync', '--json']);
    assert.ok(pushed.pushed >= 1, JSON.stringify(pushed));
  });

  await step('conflict', async () => {
    await syncNow();
    await session.waitFor('[data-testid="conflicts-badge"]', { timeout: 30000 });
    await session.click('[data-testid="nav-conflicts"]');
    const card = await session.waitFor('[data-testid="conflict"]', { text: 'Lin Qiao (desktop)' });
    const text = await session.text(card);
    assert.ok(text.includes('Lin Qiao (laptop)'), text);
    assert.ok(text.includes('Artist'), text);
    assert.ok(text.includes('name'), text);
    await session.waitFor('[data-testid="conflict-mine"]', { text: 'Made on this device' });
    await session.waitFor('[data-testid="conflict-theirs"]', { text: 'Made by you on another device' });
    await session.waitFor('[data-testid="conflict-applied"]');
    await shot('sync-conflicts-en');
  });

  await step('chinese-dark', async () => {
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.select('[data-testid="theme-select"]', 'dark');
    await session.click('[data-testid="nav-conflicts"]');
    await session.waitFor('[data-testid="page-title"]', { text: '冲突' });
    await session.waitFor('[data-testid="conflict-mine"]', { text: '在本设备上修改' });
    await session.waitFor('[data-testid="conflict-take-mine"]', { text: '保留我的' });
    await shot('sync-conflicts-zh-dark');
  });

  await step('resolve', async () => {
    // Keep the desktop's value (for every field the two renames raced on).
    for (let i = 0; i < 5; i++) {
      const left = await session.findAll('[data-testid="conflict"]');
      if (left.length === 0) break;
      await session.click('[data-testid="conflict-take-mine"]');
      await session.waitForCount('[data-testid="conflict"]', left.length - 1);
    }
    await session.waitFor('[data-testid="conflicts-empty"]');
    assert.equal((await session.findAll('[data-testid="conflicts-badge"]')).length, 0);
    await syncNow();
    await waitPending(0);
    await shot('sync-resolved-zh-dark');
  });

  await step('converged', async () => {
    roadie(['sync', '--json']);
    const artists = roadie(['artist', 'list', '--json']);
    assert.deepEqual(artists.map((a) => a.name), ['Lin Qiao (desktop)']);
    assert.deepEqual(roadie(['conflicts', 'list', '--json']), []);
  });

  await step('statement-file', async () => {
    // The other device imports a statement: its bytes go through the platform, and the app
    // fetches them and imports the same lines at its next sync.
    const file = path.join(app.sandbox.home, 'march.tsv');
    const header = 'Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)';
    const rows = [
      '2026-03-31\t2026-03\tSpotify\tLin Qiao\tHarbour Lights\t\t\t3000\t100\tSong\tCN\t0\t150.25',
      '2026-03-31\t2026-03\tDeezer\tLin Qiao\tHarbour Lights\t\t\t100\t100\tSong\tFR\t0\t20.125',
    ];
    fs.writeFileSync(file, [header, ...rows].join('\r\n') + '\r\n');
    const imported = roadie(['import', 'statement', file, '--json']);
    assert.equal(imported.files[0].imported, 2, JSON.stringify(imported));
    const sent = roadie(['sync', '--json']);
    assert.ok(sent.pushed >= 1, JSON.stringify(sent));
    await syncNow();
    await session.click('[data-testid="nav-royalties"]');
    await session.waitForCount('[data-testid="report-row"]', 2, 30000);
    await session.waitFor('[data-testid="unmatched-count"]', { text: '2' });
    await shot('sync-statement-file-zh-dark');
  });

  await step('offline', async () => {
    // The server goes away: the next sync says so, in words, and nothing is lost.
    await platform.stop();
    await session.click('[data-testid="nav-roster"]');
    await session.click('[data-testid="artist-edit"]');
    await session.setValue('[data-testid="artist-name"]', 'Lin Qiao (offline)');
    await session.click('[data-testid="artist-save"]');
    await session.waitFor('[data-testid="artist-row"]', { text: 'Lin Qiao (offline)' });
    await session.click('[data-testid="sync-now"]');
    await session.waitFor('[data-testid="sync-state"][data-state="offline"]', { timeout: 60000 });
    await session.waitFor('[data-testid="sync-state"]', { text: '离线' });
    await session.waitFor('[data-testid="sync-offline-reason"]', { text: '无法连接平台服务器' });
    assert.ok((await pending()) > 0, 'the offline edit waits to be sent');
    await shot('sync-offline-zh-dark');
  });
});
