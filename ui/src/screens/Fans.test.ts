import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { setLanguage } from '../lib/i18n';
import { createMockHost, type MockHost } from '../lib/mockHost';

afterEach(() => setLanguage('en'));

const byId = (id: string) => screen.getByTestId(id);
const CSV = '姓名,邮箱,城市,国家,标签\n周杰伦,jay@example.com,台北,TW,歌迷会\n林巧,lin@example.cn,上海,CN,vip\nAda Fan,ADA@example.com,London,GB,vip\n坏行,not-an-email,北京,CN,\n';

async function openFans(host: MockHost = createMockHost()) {
  await host.call('preferences_set', { preferences: { language: 'en', theme: 'light' } });
  const ws = host.data.workspaces[0] ?? (await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin Qiao' } }));
  const user = userEvent.setup();
  render(App, { props: { host } });
  await waitFor(() => expect(byId('page-title')).toHaveTextContent('Releases'));
  await user.click(byId('nav-fans'));
  await waitFor(() => expect(byId('page-title')).toHaveTextContent('Fans'));
  return { user, host, ws };
}

async function importCsv(user: ReturnType<typeof userEvent.setup>, text = CSV, name = 'fans.csv') {
  await user.click(byId('fans-import'));
  await user.upload(byId('fans-import-file') as HTMLInputElement, new File([text], name, { type: 'text/csv' }));
  await screen.findByTestId('fans-import-detected');
}

describe('the Fans screen', () => {
  it('imports a Chinese CSV through the wizard and shows the report', async () => {
    const { user, host } = await openFans();
    await screen.findByTestId('fans-empty');
    await importCsv(user);
    const selects = screen.getAllByTestId('mapping-field') as HTMLSelectElement[];
    expect(selects.map((s) => s.value)).toEqual(['name', 'email', 'city', 'country', 'tags']);
    await user.click(byId('fans-import-start'));
    const report = await screen.findByTestId('fans-import-report');
    expect(within(report).getByTestId('report-created')).toHaveTextContent('3');
    expect(within(report).getByTestId('report-invalid')).toHaveTextContent('1');
    expect(within(report).getByTestId('report-invalid-lines')).toHaveTextContent('Line 5:');
    await user.click(byId('fans-import-done'));
    await waitFor(() => expect(screen.getAllByTestId('fans-row')).toHaveLength(3));
    expect(host.data.contacts.map((c) => c.email).sort()).toEqual(['ada@example.com', 'jay@example.com', 'lin@example.cn']);
    expect(host.calls.some((c) => c.cmd === 'fans_mapping_save')).toBe(false); // the suggestion was used as is
  });

  it('lets an ambiguous mapping be fixed before importing, and saves it', async () => {
    const { user, host } = await openFans();
    await importCsv(user, 'Email,Mail,Name\na@example.com,b@example.com,A\n', 'two.csv');
    expect(byId('mapping-conflict')).toBeInTheDocument();
    expect(byId('fans-import-start')).toBeDisabled();
    await user.selectOptions(screen.getAllByTestId('mapping-field')[1], 'notes');
    expect(byId('fans-import-start')).toBeEnabled();
    await user.click(byId('fans-import-start'));
    await screen.findByTestId('fans-import-report');
    expect(host.data.fanMappings[0]).toMatchObject({ name: 'two.csv', fields: { email: 'Email', notes: 'Mail', name: 'Name' } });
    expect(host.data.contacts[0]).toMatchObject({ email: 'a@example.com', notes: 'b@example.com' });
  });

  it('searches as you type, tags a fan and updates the segment count', async () => {
    const { user, host } = await openFans();
    await importCsv(user);
    await user.click(byId('fans-import-start'));
    await user.click(await screen.findByTestId('fans-import-done'));
    await waitFor(() => expect(screen.getAllByTestId('fans-row')).toHaveLength(3));

    await user.type(byId('fans-filter-tag'), 'vip{Enter}');
    await waitFor(() => expect(screen.getAllByTestId('fans-row')).toHaveLength(2));
    await user.click(byId('segment-save'));
    await user.type(byId('segment-name'), 'VIP');
    await user.click(byId('segment-save-confirm'));
    await waitFor(() => expect(byId('segment-count')).toHaveTextContent('2'));

    await user.click(byId('segment-all'));
    await user.type(byId('fans-search'), '杰伦');
    await waitFor(() => expect(screen.getAllByTestId('fans-row')).toHaveLength(1));
    await user.click(screen.getByTestId('fans-row'));
    await waitFor(() => expect(byId('contact-name')).toHaveTextContent('周杰伦'));
    await user.type(byId('contact-tag-input'), 'vip');
    await user.click(byId('contact-tag-add'));
    await waitFor(() => expect(byId('contact-tags')).toHaveTextContent('vip'));
    await waitFor(() => expect(byId('segment-count')).toHaveTextContent('3'));
    expect(host.data.segments).toHaveLength(1);
  });

  it('records consent, shows it on the timeline, and erases a fan after confirmation', async () => {
    const { user, host } = await openFans();
    await importCsv(user);
    await user.click(byId('fans-import-start'));
    await user.click(await screen.findByTestId('fans-import-done'));
    await waitFor(() => expect(screen.getAllByTestId('fans-row')).toHaveLength(3));
    await user.click(screen.getAllByTestId('fans-row')[0]);
    await screen.findByTestId('contact-detail');
    await user.click(byId('consent-record'));
    await user.click(byId('consent-save'));
    await waitFor(() => expect(byId('contact-consent')).toHaveTextContent('Opted in'));
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(1);
    await user.click(byId('contact-erase'));
    await user.click(byId('confirm-yes'));
    await waitFor(() => expect(screen.getAllByTestId('fans-row')).toHaveLength(2));
    expect(host.data.contacts).toHaveLength(2);
  });

  it('merges duplicates with the values picked per field', async () => {
    const host = createMockHost();
    const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin Qiao' } });
    await host.call('workspace_use', { id: ws.id });
    const csv = 'Name,Email,Phone,City\nJay Chou,jay@one.example,+86 138 0000 0000,Taipei\nJ. Chou,jay@two.example,8613800000000,台北\n';
    const { user } = await openFans(host);
    await importCsv(user, csv, 'dups.csv');
    await user.click(byId('fans-import-start'));
    await user.click(await screen.findByTestId('fans-import-done'));
    await user.click(byId('fans-duplicates'));
    await user.click(await screen.findByTestId('merge-open'));
    const cities = await screen.findAllByTestId('merge-choice-city');
    await user.click(cities[1]);
    await user.click(byId('merge-run'));
    await screen.findByTestId('merge-none');
    expect(host.data.contacts).toHaveLength(1);
    expect(host.data.contacts[0]).toMatchObject({ name: 'Jay Chou', city: '台北' });
    expect(host.data.contacts[0].emails.map((e) => e.email)).toEqual(['jay@one.example', 'jay@two.example']);
  });
});
