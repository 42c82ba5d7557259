// The team on a real platform in the real app (tauri-driver + WebKitWebDriver under Xvfb) against
// `roadie-platform serve` on a throwaway PostgreSQL cluster: a label owner signs up in the app,
// creates the label on the platform, adds a roster artist, invites a staff member and copies the
// link; the staff member (a second account) accepts it through the CLI on their own store; the
// owner sees them appear as a member assigned to the artist, makes them label admin; a pasted
// non-link is refused in words. Then "Upload to platform" in the release editor sends the
// release's master with per-file progress, checked on the server. Screenshots: en/zh, light/dark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { signUp, startLabel, newRelease } from './harness.mjs';
import { appWithPlatform } from './platform-server.mjs';
import { wavBytes, cliDevice } from './fixtures.mjs';

let session;
const { app, platform: running } = appWithPlatform('team', { needsCli: true });
const shot = (name) => app.shot(name);
const step = (name, fn) => app.step(name, fn);

/** The staff member's own device: the CLI on its own store. */
const staffCli = (args, input) => cliDevice(app.sandbox.home, 'staff-device.sqlite')(args, input);

/** A 16-bit stereo PCM WAV: `seconds` of a 440 Hz tone. */
const wav = (seconds) => wavBytes({ seconds, freq: 440, amplitude: 0.37 });

const OWNER = 'mei.chen@example.com';
const STAFF = 'sam.okafor@example.com';
const PASSWORD = 'night ferry 2026';

async function scrollTo(testid) {
  await session.exec(`document.querySelector('[data-testid="${testid}"]').scrollIntoView({ block: 'start' })`);
}

test('a label owner invites staff in the app, the staff member accepts through the CLI, and appears', async () => {
  const platform = running();
  const master = path.join(app.sandbox.home, '01 Harbor Lights.wav');
  const bytes = wav(2);
  fs.writeFileSync(master, bytes);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  session = await app.start();
  let link;
  let labelId;

  await step('release', async () => {
    await startLabel(session, { label: 'Neon Harbor Records', artist: 'Lin Qiao' });
    await newRelease(session, 'Night Ferry');
    const input = await session.find('[data-testid="release-files-input"]');
    await session.cmd('POST', `/element/${input}/value`, { text: master });
    await session.waitForCount('[data-testid="track-row"]', 1, 30000);
    // Not signed in yet: the editor says where to sign in and the button waits.
    await session.waitFor('[data-testid="release-uploads"]', { text: 'Sign in to a platform server' });
  });

  await step('sign-up', async () => {
    await signUp(session, { server: platform.base, name: 'Mei Chen', email: OWNER, password: PASSWORD });
    // The team card: the account's own workspace, where Mei is the owner.
    await session.waitFor('[data-testid="team-card"]');
    await session.waitFor('[data-testid="team-member-row"]', { text: 'Mei Chen' });
  });

  await step('label', async () => {
    await session.click('[data-testid="team-new-label"]');
    await session.type('[data-testid="team-label-name"]', 'Neon Harbor Records');
    await session.click('[data-testid="team-label-create"]');
    await session.waitFor('[data-testid="team-roster-empty"]');
    labelId = await session.exec('return document.querySelector(\'[data-testid="team-workspace-select"]\').value');
    await session.type('[data-testid="team-artist-name"]', 'Lin Qiao');
    await session.click('[data-testid="team-artist-add"]');
    await session.waitFor('[data-testid="team-roster-row"]', { text: 'Lin Qiao' });
    await session.waitFor('[data-testid="team-roster-row"]', { text: 'No staff assigned' });
  });

  await step('invite', async () => {
    // A bad address is refused next to the field.
    await session.type('[data-testid="team-invite-email"]', 'sam at example');
    await session.click('[data-testid="team-invite-create"]');
    await session.waitFor('[data-testid="field-error"][data-field="email"]', { text: 'Not an e-mail address' });
    await session.setValue('[data-testid="team-invite-email"]', STAFF);
    await session.select('[data-testid="team-invite-role"]', 'label_staff');
    const artistId = await session.exec(
      'return [...document.querySelectorAll(\'[data-testid="team-invite-artist"] option\')].find(o => o.textContent.trim() === "Lin Qiao").value',
    );
    await session.select('[data-testid="team-invite-artist"]', artistId);
    await session.click('[data-testid="team-invite-create"]');
    await session.waitFor('[data-testid="team-invite-created"]', { text: STAFF });
    link = await session.exec('return document.querySelector(\'[data-testid="team-invite-link"]\').value');
    assert.match(link, new RegExp(`^${platform.base.replace(/[.]/g, '\\.')}/invite/rdi_[A-Za-z0-9_-]+$`));
    await session.click('[data-testid="team-invite-copy"]');
    await session.waitFor('[data-testid="team-invite-copy"]', { text: 'Copied' });
    await session.waitFor('[data-testid="team-invitation-row"]', { text: STAFF });
    await scrollTo('team-card');
    await shot('team-invited-en-light');
  });

  await step('accept-cli', async () => {
    const signup = await platform.api('POST', '/v1/auth/signup', { body: { email: STAFF, password: PASSWORD, name: 'Sam Okafor' } });
    assert.equal(signup.status, 201);
    staffCli(['login', '--server', platform.base, '--email', STAFF, '--json'], `${PASSWORD}\n`);
    const joined = staffCli(['invite', 'accept', link, '--json']);
    assert.equal(joined.workspace.id, labelId);
    assert.equal(joined.workspace.name, 'Neon Harbor Records');
    assert.equal(joined.workspace.role, 'label_staff');
    // Staff see the label's roster: the artist they are assigned to.
    const team = staffCli(['--workspace', labelId, 'workspaces', 'show', '--json']);
    assert.deepEqual(team.roster.map((r) => r.name), ['Lin Qiao']);
  });

  await step('member-appears', async () => {
    await session.click('[data-testid="team-refresh"]');
    await session.waitFor('[data-testid="team-member-row"][data-email="sam.okafor@example.com"]', { text: 'Sam Okafor' });
    await session.waitFor('[data-testid="team-pending-empty"]');
    await session.waitFor('[data-testid="team-staff-chip"]', { text: 'Sam Okafor' });
    await scrollTo('team-card');
    await shot('team-member-en-light');
    await session.select('[data-testid="theme-select"]', 'dark');
    await scrollTo('team-card');
    await shot('team-member-en-dark');
  });

  await step('role', async () => {
    await session.select('[data-testid="team-member-role"]', 'label_admin');
    await session.waitFor('[data-testid="team-member-row"][data-role="label_admin"]', { text: 'Sam Okafor' });
    const members = await platform.api('POST', '/v1/auth/login', { body: { email: OWNER, password: PASSWORD } }).then((l) =>
      platform.api('GET', `/v1/workspaces/${labelId}/members`, { token: l.json.token }),
    );
    assert.deepEqual(members.json.map((m) => [m.email, m.role]), [[OWNER, 'owner'], [STAFF, 'label_admin']]);
  });

  await step('chinese', async () => {
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.waitFor('[data-testid="team-card"]', { text: '团队' });
    await session.type('[data-testid="team-accept-input"]', 'please let me in');
    await session.click('[data-testid="team-accept"]');
    await session.waitFor('[data-testid="team-card"] [data-testid="error-banner"]', { text: '这不是邀请链接' });
    await scrollTo('team-card');
    await shot('team-member-zh-dark');
    await session.select('[data-testid="theme-select"]', 'light');
    await scrollTo('team-card');
    await shot('team-member-zh-light');
    await session.select('[data-testid="language-select"]', 'en');
    await session.waitFor('[data-testid="team-card"]', { text: 'Team' });
  });

  await step('upload-from-editor', async () => {
    await session.click('[data-testid="nav-releases"]');
    await session.click('[data-testid="release-row"] a');
    await session.waitFor('[data-testid="release-upload-platform"]');
    await scrollTo('release-uploads');
    await session.click('[data-testid="release-upload-platform"]');
    await session.waitFor('[data-testid="release-upload-item"][data-status="complete"]', { timeout: 60000 });
    assert.equal(await session.textOf('[data-testid="release-upload-status"]'), 'Uploaded');
    await scrollTo('release-uploads');
    await shot('team-release-upload-en-light');
    const login = await platform.api('POST', '/v1/auth/login', { body: { email: OWNER, password: PASSWORD } });
    const me = await platform.api('GET', '/v1/me', { token: login.json.token });
    const assets = await platform.api('GET', `/v1/workspaces/${me.json.workspace_id}/assets`, { token: login.json.token });
    assert.equal(assets.json.length, 1);
    assert.equal(assets.json[0].kind, 'master');
    assert.equal(assets.json[0].size, bytes.length);
    assert.equal(assets.json[0].sha256, sha256);
  });
});
