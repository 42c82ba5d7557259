// The real Roadie app, driven through tauri-driver + WebKitWebDriver under Xvfb: a GBK-encoded
// statement with Chinese headers (a layout Roadie does not know) opens the column-mapping step;
// its check refuses day-first dates read month first, then the mapping is saved and the file
// imports; the dashboard's totals are the file's. A second file with the same header imports
// without the mapping step. Screenshots in English and Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cli, cliOn, appUnderTest } from './harness.mjs';

const ISRC = 'CNA012600001';
const HEADER = ['月份', '平台', '国家', 'ISRC', '歌曲', '艺人', '数量', '收入', '币种'];

let db;
let session;
const app = appUnderTest('royalties-mapping', {
  prepare: async (sandbox) => {
    db = sandbox.db;
    assert.ok(fs.existsSync(cli), `build the CLI first (cargo build -p roadie-cli): ${cli} is missing`);
    roadie('workspace', 'create', '--kind', 'artist', '--name', '周杰伦');
    roadie('artist', 'add', '周杰伦');
    const release = roadie('release', 'add', '--title', '叶惠美', '--type', 'album', '--artist', '周杰伦');
    roadie('track', 'add', release.id, '--title', '晴天', '--isrc', ISRC);
  },
});
const shot = (name) => app.shot(`royalties-mapping-${name}`);
const step = (name, fn) => app.step(name, fn);

function roadie(...args) {
  return cliOn(db)(...args);
}

/** Writes `text` as GBK (as Chinese platforms' exports are). */
function writeGbk(file, text) {
  fs.writeFileSync(file, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text }));
}

/** A statement of `count` lines in day-first dates; returns the exact totals by currency (in
 * hundredths) and the line count. Every 5th line is in USD, from 美国. */
function statement(file, month, count, header = HEADER) {
  const stores = ['QQ音乐', '网易云音乐', '酷狗音乐'];
  const rows = [header.join(',')];
  const cents = { CNY: 0, USD: 0 };
  for (let i = 0; i < count; i++) {
    const usd = i % 5 === 0;
    const amount = 100000 + i * 137; // hundredths: 1,000.00 and up (thousands separators)
    cents[usd ? 'USD' : 'CNY'] += amount;
    const shown = `"${(amount / 100).toLocaleString('en', { minimumFractionDigits: 2 })}"`;
    const [title, isrc] = i % 4 === 0 ? ['未知的歌', ''] : ['晴天', ISRC];
    rows.push([`${10 + (i % 15)}/${month}/2026`, stores[i % 3], usd ? '美国' : '中国', isrc, title, '周杰伦', String(10 + i), shown, usd ? 'USD' : 'CNY'].join(','));
  }
  writeGbk(file, rows.join('\r\n') + '\r\n');
  return cents;
}

/** Hundredths as the dashboard's exact amount (a total's title). */
function exact(cents) {
  const s = String(cents).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`.replace(/\.?0+$/, '');
}

/** An element's textContent (WebKit's WebDriver text leaves out scrolled and clipped text). */
async function content(css) {
  return session.exec(`return document.querySelector(arguments[0])?.textContent ?? '';`, [css]);
}

/** Waits until an element's textContent includes `text`. */
async function waitForContent(css, text, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = await content(css);
    if (last.includes(text)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${css} with "${text}" (last: "${last}")`);
}

async function upload(file) {
  const input = await session.find('[data-testid="royalties-import-file"]');
  await session.cmd('POST', `/element/${input}/value`, { text: file });
}

/** The dashboard's exact totals by currency ({ CNY: '1234.5', ... }). */
async function totals() {
  return session.exec(`
    const out = {};
    for (const card of document.querySelectorAll('[data-testid="royalties-totals"] .total')) {
      const amount = card.querySelector('.total-amount[title]');
      const m = /\\((\\w{3})\\)|（(\\w{3})）/.exec(card.querySelector('.eyebrow')?.textContent ?? '');
      if (amount && m) out[m[1] ?? m[2]] = amount.getAttribute('title');
    }
    return out;`);
}

async function waitForTotals(want, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let got;
  while (Date.now() < deadline) {
    got = await totals();
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.deepEqual(got, want, 'dashboard totals');
}

test('a GBK statement with Chinese headers goes through the mapping step once', async () => {
  const first = path.join(app.sandbox.home, '腾讯音乐结算-2026-01.csv');
  const second = path.join(app.sandbox.home, '腾讯音乐结算-2026-02.csv');
  const a = statement(first, '01', 40);
  const b = statement(second, '02', 25);
  session = await app.start();

  await step('mapping', async () => {
    await session.click('[data-testid="nav-royalties"]');
    await session.waitFor('[data-testid="royalties-empty"]');
    await upload(first);
    await session.waitFor('[data-testid="mapping-dialog"]', { timeout: 30000 });
    // The header and rows were read as GBK.
    await session.waitForCount('[data-testid="mapping-preview-row"]', 8);
    const preview = await content('[data-testid="mapping-preview"]');
    assert.match(preview, /月份/);
    assert.match(preview, /晴天/);
    assert.match(preview, /网易云音乐/);
    for (const [field, column] of [
      ['reporting_period', '月份'],
      ['store', '平台'],
      ['territory', '国家'],
      ['isrc', 'ISRC'],
      ['title', '歌曲'],
      ['artist', '艺人'],
      ['units', '数量'],
      ['amount', '收入'],
      ['currency', '币种'],
    ]) {
      await session.select(`[data-testid="map-${field}"]`, column);
    }
    await session.setValue('[data-testid="mapping-name"]', '腾讯音乐');
    await shot('dialog-en');
    // Day-first dates do not read month first (10/01 to 12/01 do, as October to December: the
    // 13th on does not): the check names the lines, nothing is saved.
    await session.click('[data-testid="mapping-save"]');
    const problems = await waitForContent('[data-testid="mapping-problems"]', 'Line 5');
    assert.ok(!problems.includes('Line 2:'), problems);
    assert.deepEqual(roadie('mapping', 'list'), []);
    await shot('check-en');
    await session.select('[data-testid="mapping-date-order"]', 'dmy');
    await session.click('[data-testid="mapping-save"]');
    await session.waitForCount('[data-testid="mapping-dialog"]', 0, 30000);
  });

  await step('import', async () => {
    await waitForContent('[data-testid="import-imported"]', '40', 60000);
    const report = await content('[data-testid="royalties-import-report"]');
    assert.match(report, /mapped/);
    await session.waitForCount('[data-testid="import-error"]', 0);
    await waitForTotals({ CNY: exact(a.CNY), USD: exact(a.USD) });
    // 中国 and 美国 became CN and US.
    await session.click('[data-testid="royalties-by-territory"]');
    await session.waitForCount('[data-testid="report-row"]', 2);
    const rows = await session.exec(`return [...document.querySelectorAll('[data-testid="report-row"]')].map((r) => r.textContent);`);
    assert.ok(rows.some((r) => r.startsWith('CN')) && rows.some((r) => r.startsWith('US')), JSON.stringify(rows));
    await shot('dashboard-en');
  });

  await step('second', async () => {
    // The same header again: the saved mapping is picked, no mapping step.
    await session.click('[data-testid="royalties-report-dismiss"]');
    await upload(second);
    await waitForContent('[data-testid="import-imported"]', '25', 60000);
    assert.equal((await session.findAll('[data-testid="mapping-dialog"]')).length, 0, 'no mapping step the second time');
    assert.match(await content('[data-testid="royalties-import-report"]'), /mapped/);
    await waitForTotals({ CNY: exact(a.CNY + b.CNY), USD: exact(a.USD + b.USD) });
  });

  await step('chinese', async () => {
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.click('[data-testid="nav-royalties"]');
    await session.waitFor('[data-testid="royalties-totals"]');
    await shot('dashboard-zh');
    // Another layout (one more column): the mapping step, in Chinese.
    const third = path.join(app.sandbox.home, '网易云-2026-03.csv');
    statement(third, '03', 12, [...HEADER, '备注']);
    await upload(third);
    await session.waitFor('[data-testid="mapping-dialog"]', { timeout: 30000 });
    assert.match(await content('[data-testid="mapping-dialog"]'), /保存映射并导入/);
    await session.select('[data-testid="mapping-date-order"]', 'dmy');
    await shot('dialog-zh');
    await session.click('[data-testid="mapping-save"]');
    await session.waitForCount('[data-testid="mapping-dialog"]', 0, 30000);
    await waitForContent('[data-testid="import-imported"]', '12', 60000);
    await shot('imported-zh');
  });
});
