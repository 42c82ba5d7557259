import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { setLanguage } from '../lib/i18n';
import { createMockHost } from '../lib/mockHost';

afterEach(() => setLanguage('en'));

async function signedIn(language: 'en' | 'zh-CN' = 'en') {
  const host = createMockHost();
  await host.call('preferences_set', { preferences: { language, theme: 'light' } });
  await host.call('workspace_create', { input: { kind: 'label', name: 'Neon Harbor Records' } });
  const user = userEvent.setup();
  render(App, { props: { host } });
  await waitFor(() => expect(screen.getByTestId('nav-settings')).toBeInTheDocument());
  await user.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('account-card');
  await user.type(screen.getByTestId('account-server-input'), 'http://127.0.0.1:8787');
  await user.click(screen.getByTestId('account-mode-sign-up'));
  await user.type(screen.getByTestId('account-name-input'), 'Mei Chen');
  await user.type(screen.getByTestId('account-email-input'), 'mei@example.com');
  await user.type(screen.getByTestId('account-password-input'), 'night ferry 2026');
  await user.click(screen.getByTestId('account-submit'));
  await screen.findByTestId('team-card');
  return { host, user };
}

describe('team on the platform', () => {
  it('creates a label, adds an artist, invites staff with a link, and refuses bad input in words', async () => {
    const { host, user } = await signedIn();
    const card = screen.getByTestId('team-card');
    await within(card).findByText('Mei Chen');
    await user.click(screen.getByTestId('team-new-label'));
    await user.type(screen.getByTestId('team-label-name'), 'Neon Harbor Records');
    await user.click(screen.getByTestId('team-label-create'));
    await screen.findByTestId('team-roster-empty');
    await user.type(screen.getByTestId('team-artist-name'), 'Lin Qiao');
    await user.click(screen.getByTestId('team-artist-add'));
    expect(await screen.findByTestId('team-roster-row')).toHaveTextContent('No staff assigned');

    await user.type(screen.getByTestId('team-invite-email'), 'nobody');
    await user.click(screen.getByTestId('team-invite-create'));
    expect(await within(card).findByText('Not an e-mail address')).toBeInTheDocument();
    await user.clear(screen.getByTestId('team-invite-email'));
    await user.type(screen.getByTestId('team-invite-email'), 'sam@example.com');
    await user.selectOptions(screen.getByTestId('team-invite-role'), 'label_staff');
    const artist = within(screen.getByTestId('team-invite-artist')).getByText('Lin Qiao') as HTMLOptionElement;
    await user.selectOptions(screen.getByTestId('team-invite-artist'), artist.value);
    await user.click(screen.getByTestId('team-invite-create'));
    const link = (await screen.findByTestId('team-invite-link')) as HTMLInputElement;
    expect(link.value).toMatch(/^http:\/\/127\.0\.0\.1:8787\/invite\/rdi_/);
    expect(screen.getByTestId('team-invitation-row')).toHaveTextContent('sam@example.com');

    // Sam signs up on the same "server" and accepts the link.
    await user.click(screen.getByTestId('account-sign-out'));
    await host.call('account_sign_up', { server: 'http://127.0.0.1:8787', email: 'sam@example.com', password: 'night ferry 2026', name: 'Sam Okafor' });
    const joined = await host.call('team_accept', { link: link.value });
    expect(joined.workspace).toMatchObject({ name: 'Neon Harbor Records', role: 'label_staff', own: false });
    await expect(host.call('team_accept', { link: link.value })).rejects.toMatchObject({ code: 'invitation_used' });
    const team = await host.call('team_get', { workspace_id: joined.workspace.id });
    expect(team.can_manage).toBe(false);
    expect(team.roster[0].staff).toHaveLength(1);
    await expect(host.call('team_invite', { workspace_id: joined.workspace.id, email: 'x@example.com', role: 'label_staff', roster_artist_id: null })).rejects.toMatchObject({ code: 'platform_forbidden' });
  }, 60000);

  it('says in Chinese that a pasted text is not an invitation link', async () => {
    const { user } = await signedIn('zh-CN');
    await user.type(screen.getByTestId('team-accept-input'), 'please let me in');
    await user.click(screen.getByTestId('team-accept'));
    expect(await within(screen.getByTestId('team-card')).findByText('这不是邀请链接。请粘贴完整链接（…/invite/rdi_…）。')).toBeInTheDocument();
  }, 60000);
});
