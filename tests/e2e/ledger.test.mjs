// Royalties II in the real app (tauri-driver + WebKitWebDriver under Xvfb): a store made with the
// `roadie` CLI holds a label, an artist, a release and its track; a generated DistroKid statement
// (one reporting month) goes in through the Royalties screen's file input; two payees are added
// (one with a Chinese name), a 60/40 split is set on the release in the split editor (live total,
// preview), the period is generated, and the statements' payable amounts add up exactly to the
// period total shown (and to the statement's own total, rounded to the cent). A payout is refused
// above payable and recorded at it. Screenshots in English and Chinese, light and dark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, cliOn, appUnderTest } from './harness.mjs';

const ISRC = 'CNA012600007';
const LINES = 600;

let db;
let session;
const app = appUnderTest('ledger', {
  prepare: async (sandbox) => {
    db = sandbox.db;
    assert.ok(fs.existsSync(cli), `build the CLI first (cargo build -p roadie-cli): ${cli} is missing`);
    roadie('workspace', 'create', '--kind', 'label', '--name', 'Harbour Records');
    roadie('artist', 'add', 'Harbour Lights');
    const release = roadie('release', 'add', '--title', 'Tide Line', '--type', 'single', '--artist', 'Harbour Lights');
    roadie('track', 'add', release.id, '--title', 'Tide Line', '--isrc', ISRC);
  },
});
const shot = (name) => app.shot(`ledger-${name}`);
const step = (name, fn) => app.step(name, fn);
let statementTotal;

function roadie(...args) {
  return cliOn(db)(...args);
}

/** Exact decimal strings summed as BigInt hundred-thousandths. */
function units(amount, scale = 5) {
  const [w, f = ''] = amount.split('.');
  return BigInt(w + f.padEnd(scale, '0').slice(0, scale));
}
function cents(total, scale = 5) {
  // Half away from zero to 2 decimals.
  const drop = 10n ** BigInt(scale - 2);
  const q = total / drop;
  return (total % drop) * 2n >= drop ? q + 1n : q;
}

/** A DistroKid TSV of one reporting month (2026-03), amounts of 5 decimals, all for the track. */
function distrokid(file) {
  const header = 'Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)';
  const stores = ['Spotify', 'Apple Music', 'Deezer', 'YouTube Music'];
  const countries = ['US', 'CN', 'TW', 'GB', 'JP'];
  const rows = [header];
  let total = 0n;
  for (let i = 0; i < LINES; i++) {
    const amount = `0.${String(((i * 7919) % 99000) + 1000).padStart(5, '0')}`;
    total += units(amount);
    rows.push(`2026-03-15\t2026-02\t${stores[i % 4]}\tHarbour Lights\tTide Line\t${ISRC}\t\t${(i % 9) + 1}\t100\tSong\t${countries[i % 5]}\t0\t${amount}`);
  }
  fs.writeFileSync(file, rows.join('\r\n') + '\r\n');
  return total;
}

/** Picks the option whose text is `text` in the select `css`. */
async function selectByText(css, text) {
  const value = await session.exec(
    `const el = document.querySelector(arguments[0]); return el ? ([...el.options].find((o) => o.textContent.trim() === arguments[1])?.value ?? null) : null;`,
    [css, text],
  );
  assert.ok(value, `no option "${text}" in ${css}`);
  await session.select(css, value);
}

async function addPayee(name, email) {
  await session.click('[data-testid="payee-add"]');
  await session.waitFor('[data-testid="payee-form"]');
  await session.type('[data-testid="payee-name"]', name);
  if (email) await session.type('[data-testid="payee-email"]', email);
  await session.click('[data-testid="payee-save"]');
  await session.waitFor('[data-testid="payee-row"]', { text: name });
}

test('payees, a 60/40 split set in the UI, a generated period whose statements add up, a payout', async () => {
  const statement = path.join(app.sandbox.home, 'distrokid-2026-03.tsv');
  const exact = distrokid(statement);
  statementTotal = cents(exact);
  session = await app.start();

  await step('import', async () => {
    await session.click('[data-testid="nav-royalties"]');
    await session.waitFor('[data-testid="royalties-tabs"]');
    const input = await session.find('[data-testid="royalties-import-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: statement });
    await session.waitFor('[data-testid="import-matched"]', { text: LINES.toLocaleString('en'), timeout: 60000 });
  });

  await step('payees', async () => {
    await session.click('[data-testid="royalties-tab-payees"]');
    await session.waitFor('[data-testid="payees-empty"]');
    await shot('payees-empty-en-light');
    await addPayee('Ann Lee', 'ann@example.com');
    await session.click('[data-testid="payee-add"]');
    await session.waitFor('[data-testid="payee-form"]');
    await shot('payee-form-en-light');
    await session.type('[data-testid="payee-name"]', '陈北');
    await session.select('[data-testid="payee-currency"]', 'USD');
    await session.click('[data-testid="payee-save"]');
    await session.waitFor('[data-testid="payee-row"]', { text: '陈北' });
  });

  await step('split', async () => {
    await session.click('[data-testid="royalties-tab-splits"]');
    await session.waitFor('[data-testid="split-release"]');
    await session.waitFor('[data-testid="split-row"]');
    await selectByText('[data-testid="split-row"]:nth-child(1) [data-testid="split-payee"]', 'Ann Lee');
    await session.type('[data-testid="split-row"]:nth-child(1) [data-testid="split-percent"]', '60');
    await session.waitFor('[data-testid="split-remainder"]', { text: '40' });
    await session.waitFor('[data-testid="split-total"][data-ok="false"]');
    await session.click('[data-testid="split-add-row"]');
    await selectByText('[data-testid="split-row"]:nth-child(2) [data-testid="split-payee"]', '陈北');
    await session.type('[data-testid="split-row"]:nth-child(2) [data-testid="split-percent"]', '40');
    await session.waitFor('[data-testid="split-total"][data-ok="true"]');
    await session.waitForCount('[data-testid="split-preview-row"]', 2);
    await session.waitFor('[data-testid="split-preview"]', { text: '2026-03' });
    await shot('split-en-light');
    await session.click('[data-testid="split-save"]');
    await session.waitFor('[data-testid="split-saved"]');
    await session.waitFor('[data-testid="split-history-row"]', { text: 'Ann Lee 60% · 陈北 40%' });
  });

  await step('advance and rates', async () => {
    await session.click('[data-testid="royalties-tab-advances"]');
    await session.waitFor('[data-testid="advance-form"]');
    await selectByText('[data-testid="advance-payee"]', '陈北 (USD)');
    await session.type('[data-testid="advance-amount"]', '5.00');
    // Incurred before the period ends (later advances wait for a later statement).
    await session.setValue('[data-testid="advance-date"]', '2026-03-01');
    await session.select('[data-testid="advance-kind"]', 'recording');
    await session.click('[data-testid="advance-save"]');
    await session.waitFor('[data-testid="advance-remaining"]', { text: '5.00' });
    await shot('advances-en-light');
    await session.click('[data-testid="royalties-tab-rates"]');
    const ecb = path.join(app.sandbox.home, 'eurofxref.csv');
    fs.writeFileSync(ecb, 'Date, USD, JPY, CNY, GBP, \n31 March 2026, 1.0812, 162.05, 7.8420, 0.83575, \n');
    const input = await session.find('[data-testid="rates-import-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: ecb });
    await session.waitFor('[data-testid="rates-report"]');
    await session.waitForCount('[data-testid="rate-row"]', 4);
    await shot('rates-en-light');
  });

  await step('generate', async () => {
    await session.click('[data-testid="royalties-tab-statements"]');
    await session.waitFor('[data-testid="statements-period"]');
    assert.equal(await session.exec(`return document.querySelector('[data-testid="statements-period"]').value;`), '2026-03');
    await session.waitFor('[data-testid="statements-not-issued"]');
    // The label's workspace is in the store: the tab says whose ledger it keeps, and can switch.
    await session.waitFor('[data-testid="ledger-workspace-hint"]', { text: 'only your devices' });
    const labelId = await session.exec(`return [...document.querySelector('[data-testid="ledger-workspace-select"]').options].find((o) => o.value).value;`);
    await session.select('[data-testid="ledger-workspace-select"]', labelId);
    await session.waitFor('[data-testid="ledger-workspace-hint"]', { text: 'shared with its staff' });
    // Imports and reports follow the ledger too: the label's has no statement file yet.
    await session.click('[data-testid="royalties-tab-overview"]');
    await session.waitFor('[data-testid="royalties-empty"]');
    await session.waitFor('[data-testid="ledger-workspace-hint"]', { text: 'shared with its staff' });
    await shot('overview-label-ledger-en-light');
    await session.select('[data-testid="ledger-workspace-select"]', '');
    await session.waitFor('[data-testid="ledger-workspace-hint"]', { text: 'only your devices' });
    await session.waitFor('[data-testid="report-row"]');
    await session.click('[data-testid="royalties-tab-statements"]');
    await session.waitFor('[data-testid="statements-not-issued"]');
    await session.click('[data-testid="statements-generate"]');
    await session.waitFor('[data-testid="statements-table"]', { timeout: 120000 });
    await session.waitForCount('[data-testid="statement-row"]', 2);
    const got = await session.exec(`
      return {
        total: document.querySelector('[data-testid="period-total-amount"]').dataset.amount,
        shown: document.querySelector('[data-testid="period-total-amount"]').textContent,
        payable: [...document.querySelectorAll('[data-testid="statement-payable"]')].map((e) => e.dataset.amount),
        sum: document.querySelector('[data-testid="statements-sum-payable"]').dataset.amount,
      };`);
    const toCents = (s) => {
      const [w, f = ''] = s.split('.');
      assert.ok(f.length <= 2, `${s} has more decimals than cents`);
      return BigInt(w + f.padEnd(2, '0'));
    };
    // The period total shown is the statement's exact total rounded to the cent.
    assert.equal(toCents(got.total), statementTotal, JSON.stringify(got));
    // Payables + the 5.00 recouped from 陈北 make that total, to the cent.
    const payable = got.payable.reduce((a, s) => a + toCents(s), 0n);
    assert.equal(payable + 500n, statementTotal, JSON.stringify(got));
    assert.equal(toCents(got.sum), payable);
    await session.waitFor('[data-testid="statements-folder"]');
    await shot('statements-en-light');
    await session.click('[data-testid="statement-row"]:nth-child(1) [data-testid="statement-preview"]');
    await session.waitFor('[data-testid="statement-document"]');
    await shot('statement-preview-en-light');
    await session.exec(`document.querySelector('.modal-close')?.click();`);
    await session.waitForCount('[data-testid="statement-document"]', 0);
  });

  await step('payout', async () => {
    await session.click('[data-testid="statement-row"]:nth-child(1) [data-testid="statement-pay"]');
    await session.waitFor('[data-testid="payout-form"]');
    const payable = await session.exec(`return document.querySelector('[data-testid="statement-row"]:nth-child(1) [data-testid="statement-payable"]').dataset.amount;`);
    assert.equal(await session.exec(`return document.querySelector('[data-testid="payout-amount"]').value;`), payable);
    await session.type('[data-testid="payout-amount"]', '99999');
    await session.waitFor('[data-testid="payout-problem"]');
    await shot('payout-refused-en-light');
    await session.type('[data-testid="payout-amount"]', payable);
    await session.type('[data-testid="payout-method"]', 'Bank transfer');
    await session.type('[data-testid="payout-reference"]', 'TX-2026-04-01');
    await session.click('[data-testid="payout-save"]');
    await session.waitFor('[data-testid="statements-notice"]', { text: 'recorded' });
    await session.click('[data-testid="royalties-tab-payees"]');
    await session.waitFor('[data-testid="payee-row"]', { text: 'Ann Lee' });
    const annPayable = await session.exec(
      `return [...document.querySelectorAll('[data-testid="payee-row"]')].find((r) => r.textContent.includes('Ann Lee')).querySelector('[data-testid="payee-row-payable"]').textContent;`,
    );
    assert.match(annPayable, /^0\.00 USD$/);
    await shot('payees-en-light');
  });

  await step('chinese dark', async () => {
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.select('[data-testid="theme-select"]', 'dark');
    await session.click('[data-testid="nav-royalties"]');
    await session.click('[data-testid="royalties-tab-payees"]');
    await session.waitFor('[data-testid="payee-row"]', { text: '陈北' });
    await shot('payees-zh-dark');
    await session.click('[data-testid="royalties-tab-splits"]');
    await session.waitFor('[data-testid="split-total"][data-ok="true"]');
    await session.waitForCount('[data-testid="split-preview-row"]', 2);
    await shot('split-zh-dark');
    await session.click('[data-testid="royalties-tab-statements"]');
    await session.waitForCount('[data-testid="statement-row"]', 2);
    await shot('statements-zh-dark');
    await session.click('[data-testid="statement-row"]:nth-child(2) [data-testid="statement-pay"]');
    await session.waitFor('[data-testid="payout-form"]');
    await session.type('[data-testid="payout-amount"]', '99999');
    await session.waitFor('[data-testid="payout-problem"]', { text: '超过应付金额' });
    await shot('payout-zh-dark');
    await session.exec(`document.querySelector('.modal-close')?.click();`);
    await session.click('[data-testid="royalties-tab-advances"]');
    await session.waitFor('[data-testid="advance-form"]');
    await shot('advances-zh-dark');
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="theme-select"]', 'light');
    await session.click('[data-testid="nav-royalties"]');
    await session.click('[data-testid="royalties-tab-statements"]');
    await session.waitForCount('[data-testid="statement-row"]', 2);
    await shot('statements-zh-light');
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="language-select"]', 'en');
    await session.select('[data-testid="theme-select"]', 'dark');
    await session.click('[data-testid="nav-royalties"]');
    await session.click('[data-testid="royalties-tab-splits"]');
    await session.waitFor('[data-testid="split-total"][data-ok="true"]');
    await shot('split-en-dark');
  });
});
