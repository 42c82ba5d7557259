// The Fans screen's editing and richer filters in the real app (tauri-driver + WebKitWebDriver
// under Xvfb): fans come in through the wizard, a Bandcamp statement through the Royalties screen
// (its sales become the fans' purchases), the table is filtered by spend and last activity with
// live counts and saved as a segment, a fan's city is edited (a bad country is refused beside its
// field), a tag is removed and the segment counts follow. Screenshots in both languages and themes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { appUnderTest } from './harness.mjs';

let session;
const app = appUnderTest('fans-edit');
const shot = (name) => app.shot(name);
const step = (name, fn) => app.step(name, fn);

const segmentCount = (name) => `[data-testid="segment-row"][data-name="${name}"] [data-testid="segment-count"]`;
const rowsText = () => session.exec('return [...document.querySelectorAll(\'[data-testid="fans-row"]\')].map((r) => r.textContent).join(" | ")');

async function waitUntil(check, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what}`);
}

/** Waits for the table to show exactly `n` rows and the total to say so. */
async function expectRows(n) {
  await session.waitForCount('[data-testid="fans-row"]', n);
  await session.waitFor('[data-testid="fans-total"]', { text: String(n) });
}

test('filter fans by spend and last activity, edit a city, untag, and see the counts change', async () => {
  const fans = path.join(app.sandbox.home, 'fans.csv');
  fs.writeFileSync(
    fans,
    '姓名,邮箱,城市,国家,标签\n' + '周杰伦,jay@example.com,台北,TW,vip\n' + '林巧,lin.qiao@example.cn,上海,CN,vip\n' + 'Ada Chen,ada@example.com,London,GB,\n',
  );
  // A Bandcamp sales report: Ada spent 32 USD in November 2022, Jay 5 USD in June 2025; one buyer
  // is no fan.
  const sales = path.join(app.sandbox.home, 'bandcamp-sales.csv');
  fs.writeFileSync(
    sales,
    'date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount,buyer name,buyer email,country code\r\n' +
      '11/25/22 5:45pm,paypal,album,Night Drive,Artist 1,USD,7.00,1,,7.00,0.50,paypal,7.00,5.95,123,ABC,5.95,Ada Chen,Ada@Example.com,US\r\n' +
      '11/26/22 9:00am,paypal,package,Night Drive LP,Artist 1,USD,20.00,1,,20.00,2.00,paypal,25.00,21.00,124,ABD,21.00,Ada Chen,ada@example.com,US\r\n' +
      '06/10/25 1:00pm,paypal,track,Intro,Artist 1,USD,5.00,1,,5.00,0.40,paypal,5.00,4.60,125,ABE,4.60,周杰伦,jay@example.com,TW\r\n' +
      '06/12/25 9:00am,paypal,track,Intro,Artist 1,GBP,1.00,1,,1.00,0.10,paypal,1.00,0.90,126,ABF,0.90,Someone,nobody@example.com,GB\r\n',
  );

  session = await app.start();

  await step('import fans', async () => {
    await session.waitFor('[data-testid="welcome"]');
    await session.type('[data-testid="workspace-name"]', '林巧');
    await session.click('[data-testid="workspace-kind-artist"]');
    await session.click('[data-testid="workspace-create"]');
    await session.click('[data-testid="nav-fans"]');
    await session.waitFor('[data-testid="fans-empty"]');
    await session.click('[data-testid="fans-import"]');
    const input = await session.waitFor('[data-testid="fans-import-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: fans });
    await session.waitForCount('[data-testid="mapping-row"]', 5);
    await session.click('[data-testid="fans-import-start"]');
    await session.waitFor('[data-testid="fans-import-report"]');
    await session.click('[data-testid="fans-import-done"]');
    await expectRows(3);
  });

  await step('bandcamp sales', async () => {
    // A statement imported in the Royalties screen links its sales to the fans at once.
    await session.click('[data-testid="nav-royalties"]');
    const input = await session.find('[data-testid="royalties-import-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: sales });
    await session.waitFor('[data-testid="royalties-import-report"]', { timeout: 60000 });
    const note = await session.waitFor('[data-testid="royalties-sales-linked"]', { timeout: 30000 });
    assert.match(await session.text(note), /3 new purchases for 2 fans/);
    // Linking again from the Fans screen finds nothing new, and says what it looked at.
    await session.click('[data-testid="nav-fans"]');
    await expectRows(3);
    await session.click('[data-testid="fans-link-sales"]');
    const notice = await session.waitFor('[data-testid="fans-notice"]');
    assert.match(await session.text(notice), /Linked 0 new purchases to 0 fans \(4 Bandcamp sales with a buyer e-mail; 1 buyers are not fans\)/);
    await session.click('[data-testid="fans-notice"] button');
  });

  await step('spend filter', async () => {
    // The activity, spend and purchase filters fold away until asked for.
    await session.waitForCount('[data-testid="fans-filters-more"]', 0);
    await session.click('[data-testid="fans-filters-toggle"]');
    await session.setValue('[data-testid="fans-filter-spend-above"]', '10');
    await expectRows(1);
    assert.match(await rowsText(), /Ada Chen/);
    // Not an amount: said beside the filter, not as a banner.
    await session.setValue('[data-testid="fans-filter-spend-below"]', 'lots');
    await session.waitFor('[data-testid="fans-filters-more"] [data-testid="field-error"][data-field="spend_below"]', { text: 'Not an amount' });
    await shot('fans-filter-invalid');
    await session.setValue('[data-testid="fans-filter-spend-below"]', '');
    await expectRows(1);
    await session.click('[data-testid="segment-save"]');
    await session.type('[data-testid="segment-name"]', 'Big spenders');
    await session.click('[data-testid="segment-save-confirm"]');
    await session.waitFor(segmentCount('Big spenders'), { text: '1' });
    // In another currency nobody spent that much.
    await session.select('[data-testid="fans-filter-spend-currency"]', 'GBP');
    await session.waitFor('[data-testid="fans-empty"]');
    await session.click('[data-testid="fans-filter-clear"]');
    await expectRows(3);
  });

  await step('activity filter', async () => {
    await session.setValue('[data-testid="fans-filter-active-before"]', '2024-01-01');
    await expectRows(1);
    assert.match(await rowsText(), /Ada Chen/);
    await session.click('[data-testid="fans-filter-clear"]');
    await expectRows(3);
    // Active since 2024 and spent something: Jay (combined with a tag filter too).
    await session.setValue('[data-testid="fans-filter-active-after"]', '2024-01-01');
    await session.select('[data-testid="fans-filter-spend-currency"]', 'USD');
    await session.setValue('[data-testid="fans-filter-spend-above"]', '1');
    await expectRows(1);
    assert.match(await rowsText(), /周杰伦/);
    await session.type('[data-testid="fans-filter-tag"]', 'vip\uE007');
    await expectRows(1);
    await shot('fans-filters');
    await session.click('[data-testid="fans-filter-clear"]');
    await expectRows(3);
  });

  await step('edit', async () => {
    await session.type('[data-testid="fans-filter-tag"]', 'vip\uE007');
    await expectRows(2);
    await session.click('[data-testid="segment-save"]');
    await session.type('[data-testid="segment-name"]', 'VIP');
    await session.click('[data-testid="segment-save-confirm"]');
    await session.waitFor(segmentCount('VIP'), { text: '2' });
    await session.click('[data-testid="segment-all"]');
    await expectRows(3);
    await session.type('[data-testid="fans-search"]', '杰伦');
    await expectRows(1);
    await session.click('[data-testid="fans-row"]');
    await session.waitFor('[data-testid="contact-name"]', { text: '周杰伦' });
    await shot('fans-detail-open');
    await session.click('[data-testid="contact-edit"]');
    await session.waitFor('[data-testid="contact-edit-form"]');
    await session.type('[data-testid="contact-edit-city"]', '高雄');
    await session.type('[data-testid="contact-edit-country"]', 'Atlantis');
    await session.click('[data-testid="contact-edit-save"]');
    await session.waitFor('[data-testid="contact-edit-form"] [data-testid="field-error"][data-field="country"]', { text: 'two-letter' });
    await shot('fans-edit-invalid');
    await session.type('[data-testid="contact-edit-country"]', 'TW');
    await session.click('[data-testid="contact-edit-save"]');
    await session.waitForCount('[data-testid="contact-edit-form"]', 0);
    await session.waitFor('[data-testid="contact-detail"]', { text: '高雄' });
    await waitUntil(async () => /高雄/.test(await rowsText()), 'the row shows the new city');
    await session.setValue('[data-testid="fans-search"]', '');
    await expectRows(3);
    await session.setValue('[data-testid="fans-filter-city"]', '高雄');
    await expectRows(1);
    await session.setValue('[data-testid="fans-filter-city"]', '');
    await expectRows(3);
  });

  await step('untag', async () => {
    await session.waitFor('[data-testid="contact-untag"][data-tag="vip"]');
    await session.click('[data-testid="contact-untag"][data-tag="vip"]');
    await session.waitFor(segmentCount('VIP'), { text: '1' });
    await session.waitForCount('[data-testid="contact-untag"][data-tag="vip"]', 0);
    await shot('fans-edit-en-light');
  });

  await step('languages and themes', async () => {
    await session.click('[data-testid="contact-edit"]');
    await session.waitFor('[data-testid="contact-edit-form"]');
    await shot('fans-edit-form-en-light');
    await session.click('[data-testid="contact-edit-cancel"]');
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.select('[data-testid="theme-select"]', 'dark');
    await session.click('[data-testid="nav-fans"]');
    await expectRows(3);
    await session.click('[data-testid="fans-filters-toggle"]');
    await session.setValue('[data-testid="fans-filter-spend-above"]', '10');
    await expectRows(1);
    await session.waitFor('[data-testid="fans-filters-toggle"]', { text: '（1）' });
    await session.click('[data-testid="fans-row"]');
    await session.waitFor('[data-testid="contact-detail"]');
    await session.click('[data-testid="contact-edit"]');
    await session.waitFor('[data-testid="contact-edit-form"]');
    await shot('fans-edit-zh-dark');
    await session.click('[data-testid="contact-edit-cancel"]');
    await session.select('[data-testid="fans-filter-spend-currency"]', 'USD');
    await session.click('[data-testid="fans-filter-clear"]');
    await expectRows(3);
    await session.click('[data-testid="contact-close"]');
    await session.waitForCount('[data-testid="contact-detail"]', 0);
    await shot('fans-table-zh-dark');
  });
});
