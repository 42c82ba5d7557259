// The real Roadie app, driven through tauri-driver + WebKitWebDriver under Xvfb: a store made
// with the `roadie` CLI holds an artist, a release and a track with an ISRC; a generated
// DistroKid statement goes in through the Royalties screen's file input; the import shows its
// progress, then its report, the earnings chart and the unmatched count; the unmatched lines are
// assigned to the track and the count drops to zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, cliOn, appUnderTest } from './harness.mjs';

const ISRC = 'CNA012600001';
const DEFAULT_LINES = 40000;
const LINES = DEFAULT_LINES;
const CANCEL_LINES = 200000;
const UNMATCHED_EVERY = 10;

let db;
let session;
const app = appUnderTest('royalties', {
  prepare: async (sandbox) => {
    db = sandbox.db;
    assert.ok(fs.existsSync(cli), `build the CLI first (cargo build -p roadie-cli): ${cli} is missing`);
    roadie('workspace', 'create', '--kind', 'artist', '--name', 'Lin Qiao');
    roadie('artist', 'add', 'Lin Qiao');
    const release = roadie('release', 'add', '--title', 'Harbour Lights', '--type', 'single', '--artist', 'Lin Qiao');
    roadie('track', 'add', release.id, '--title', 'Harbour Lights', '--isrc', ISRC);
  },
});
const shot = (name) => app.shot(`royalties-${name}`);
const step = (name, fn) => app.step(name, fn);

function roadie(...args) {
  return cliOn(db)(...args);
}

/** A DistroKid bank-details TSV (2023 layout): 3 months, 3 stores; every 10th line unmatched. */
function distrokid(file, LINES = DEFAULT_LINES) {
  const header = 'Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)';
  const stores = ['Spotify', 'Apple Music', 'Deezer'];
  const countries = ['US', 'CN', 'GB', 'DE', 'JP'];
  const rows = [header];
  for (let i = 0; i < LINES; i++) {
    const month = ['2026-01-15', '2026-02-15', '2026-03-15'][i % 3];
    const store = stores[i % stores.length];
    const country = countries[i % countries.length];
    const amount = `0.00${(i % 97) + 10}${i % 7}`;
    if (i % UNMATCHED_EVERY === 0) {
      rows.push(`${month}\t2026-01\t${store}\tNobody Known\tMystery Song\t\t\t1\t100\tSong\t${country}\t0\t${amount}`);
    } else {
      rows.push(`${month}\t2026-01\t${store}\tLin Qiao\tHarbour Lights\t${ISRC}\t\t2\t100\tSong\t${country}\t0\t${amount}`);
    }
  }
  fs.writeFileSync(file, rows.join('\r\n') + '\r\n');
}

/** A report row with this text (read as textContent: WebKit's WebDriver leaves out the text of
 * ellipsised cells). */
async function waitForRowText(text, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let last = [];
  while (Date.now() < deadline) {
    last = await session.exec(`return [...document.querySelectorAll('[data-testid="report-row"]')].map((r) => r.textContent);`);
    if (last.some((t) => t.includes(text))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no report row with "${text}" (rows: ${JSON.stringify(last)})`);
}

test('a DistroKid statement imports with progress, then shows the chart and the unmatched queue', async () => {
  const statement = path.join(app.sandbox.home, 'distrokid-2026-q1.tsv');
  distrokid(statement);
  const unmatched = LINES / UNMATCHED_EVERY;
  session = await app.start();

  await step('empty', async () => {
    await session.click('[data-testid="nav-royalties"]');
    await session.waitFor('[data-testid="royalties-empty"]');
    await shot('empty');
  });

  await step('cancel', async () => {
    // A big statement, cancelled while it is read: nothing of it is saved.
    const big = path.join(app.sandbox.home, 'distrokid-big.tsv');
    distrokid(big, CANCEL_LINES);
    const input = await session.find('[data-testid="royalties-import-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: big });
    await session.waitFor('[data-testid="royalties-progress-rate"]', { text: '/s', timeout: 60000 });
    await shot('progress-running');
    await session.click('[data-testid="royalties-import-cancel"]');
    await session.waitFor('[data-testid="import-error"]', { text: 'cancelled', timeout: 60000 });
    await session.waitFor('[data-testid="royalties-empty"]');
    await shot('cancelled');
    await session.click('[data-testid="royalties-report-dismiss"]');
    await session.waitForCount('[data-testid="royalties-import-report"]', 0);
  });

  await step('import', async () => {
    // Record every progress the page shows (the import may be quicker than a poll).
    await session.exec(`
      window.__progress = { seen: false, lines: [] };
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="royalties-import-progress"]');
        if (!el) return;
        window.__progress.seen = true;
        const lines = document.querySelector('[data-testid="royalties-progress-lines"]')?.textContent ?? '';
        if (window.__progress.lines.at(-1) !== lines) window.__progress.lines.push(lines);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    `);
    // WebDriver types the file's path into the <input type=file>.
    const input = await session.find('[data-testid="royalties-import-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: statement });
    try {
      await session.waitFor('[data-testid="royalties-import-progress"]', { timeout: 5000 });
      await shot('progress');
    } catch {
      // Finished before a screenshot could be taken; the observer still saw it.
    }
    const report = await session.waitFor('[data-testid="royalties-import-report"]', { timeout: 120000 });
    const text = await session.text(report);
    assert.match(text, /distrokid/);
    assert.match(text, new RegExp(LINES.toLocaleString('en')));
    const progress = await session.exec('return window.__progress;');
    assert.ok(progress.seen, 'the progress bar was shown');
    assert.ok(progress.lines.some((l) => /[1-9]/.test(l)), `progress counted lines: ${JSON.stringify(progress.lines)}`);
    assert.equal(await session.textOf('[data-testid="import-matched"]'), (LINES - unmatched).toLocaleString('en'));
    assert.equal(await session.textOf('[data-testid="import-unmatched"]'), unmatched.toLocaleString('en'));
  });

  await step('dashboard', async () => {
    await session.waitFor('[data-testid="unmatched-count"]', { text: unmatched.toLocaleString('en') });
    await session.waitFor('[data-testid="royalties-chart"] canvas');
    // Three stores in the breakdown table.
    await session.waitForCount('[data-testid="report-row"]', 3);
    await session.exec(`document.querySelector('[data-testid="report-table"]').scrollIntoView({ block: 'center' });`);
    await shot('dashboard');
    await waitForRowText('Spotify');
    await session.click('[data-testid="royalties-by-territory"]');
    await session.waitForCount('[data-testid="report-row"]', 5);
    await session.click('[data-testid="royalties-by-track"]');
    await waitForRowText('Harbour Lights');
  });

  await step('assign', async () => {
    await session.waitFor('[data-testid="unmatched-row"]', { text: 'Mystery Song' });
    await session.click('[data-testid="unmatched-assign"]');
    const value = await session.exec(
      `return [...document.querySelector('[data-testid="assign-target"]').options].find(o => o.value.startsWith('track:'))?.value ?? null;`,
    );
    assert.ok(value, 'the track is offered');
    await session.select('[data-testid="assign-target"]', value);
    await shot('assign');
    await session.click('[data-testid="assign-save"]');
    await session.waitFor('[data-testid="unmatched-count"]', { text: '0' });
    await session.waitForCount('[data-testid="unmatched-row"]', 0);
  });

  await step('duplicate', async () => {
    // The same file again changes nothing and says so.
    const input = await session.find('[data-testid="royalties-import-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: statement });
    await session.waitFor('[data-testid="import-duplicate"]', { timeout: 60000 });
    await shot('duplicate');
  });
});
