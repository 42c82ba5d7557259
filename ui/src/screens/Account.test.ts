import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { setLanguage } from '../lib/i18n';
import { newReleaseInput } from '../lib/inputs';
import { createMockHost } from '../lib/mockHost';

afterEach(() => setLanguage('en'));

async function openSettings(language: 'en' | 'zh-CN' = 'en') {
  const host = createMockHost();
  await host.call('preferences_set', { preferences: { language, theme: 'light' } });
  const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin Yue' } });
  const me = await host.call('artist_create', { workspace_id: ws.id, input: { name: 'Lin Yue', sort_name: null, localized_names: [], country: null, links: [] } });
  const release = await host.call('release_create', { workspace_id: ws.id, input: newReleaseInput({ title: 'Harbour Lights EP', type: 'ep', artist_ids: [me.id] }) });
  const user = userEvent.setup();
  render(App, { props: { host } });
  await waitFor(() => expect(screen.getByTestId('nav-settings')).toBeInTheDocument());
  await user.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('account-card');
  return { host, user, release };
}

async function signUp(user: ReturnType<typeof userEvent.setup>, password = 'night ferry 2026') {
  await user.clear(screen.getByTestId('account-server-input'));
  await user.type(screen.getByTestId('account-server-input'), 'http://127.0.0.1:8787/');
  await user.click(screen.getByTestId('account-mode-sign-up'));
  await user.clear(screen.getByTestId('account-name-input'));
  await user.type(screen.getByTestId('account-name-input'), 'Lin Yue');
  await user.clear(screen.getByTestId('account-email-input'));
  await user.type(screen.getByTestId('account-email-input'), 'Lin@Example.com');
  await user.clear(screen.getByTestId('account-password-input'));
  await user.type(screen.getByTestId('account-password-input'), password);
  await user.click(screen.getByTestId('account-submit'));
}

describe('platform account and uploads', () => {
  it('signs up, says where the token is, uploads a file with progress, and signs out', async () => {
    const { user, release } = await openSettings();
    expect(screen.getByTestId('uploads-sign-in-first')).toBeInTheDocument();
    expect(screen.getByTestId('account-token-store')).toHaveAttribute('data-kind', 'file');
    expect(screen.getByTestId('account-token-store')).toHaveTextContent('No system keychain is available (no D-Bus session bus)');

    await signUp(user, 'short');
    expect(await screen.findByText('Too short')).toBeInTheDocument();
    await signUp(user);
    expect(await screen.findByTestId('account-who')).toHaveTextContent('Lin Yue · lin@example.com');
    expect(screen.getByTestId('account-server')).toHaveTextContent('http://127.0.0.1:8787');
    // The sidebar's sync status follows the sign-in at once (it polls only every 10 s).
    await waitFor(() => expect(screen.getByTestId('sync-state')).not.toHaveAttribute('data-state', 'signed-out'), { timeout: 2000 });

    await user.selectOptions(await screen.findByTestId('uploads-release'), release.id);
    const file = new File([new Uint8Array(2048)], '01 Harbour Lights.wav', { type: 'audio/wav' });
    await user.upload(screen.getByTestId('uploads-file') as HTMLInputElement, file);
    const item = await screen.findByTestId('upload-item');
    await waitFor(() => expect(item).toHaveAttribute('data-status', 'complete'));
    expect(within(item).getByTestId('upload-status')).toHaveTextContent('Uploaded');
    expect(within(item).getByTestId('upload-bytes')).toHaveTextContent('2.0 KB of 2.0 KB');
    expect(item).toHaveTextContent('Harbour Lights EP');
    expect(item).toHaveTextContent('Master');

    await user.click(screen.getByTestId('uploads-clear'));
    await screen.findByTestId('uploads-empty');

    await user.click(screen.getByTestId('account-sign-out'));
    expect(await screen.findByTestId('account-notice')).toHaveTextContent('Signed out.');
    expect(screen.getByTestId('uploads-sign-in-first')).toBeInTheDocument();
  }, 60000);

  it('translates the server’s errors and the engine’s, in Chinese', async () => {
    const { user } = await openSettings('zh-CN');
    await signUp(user);
    await screen.findByTestId('account-who');
    await user.click(screen.getByTestId('account-sign-out'));
    await screen.findByTestId('account-notice');
    // The same address again: the server's `email_taken`, in Chinese.
    await signUp(user);
    expect(await screen.findByText('该邮箱已注册账户，请直接登录。')).toBeInTheDocument();
    // A wrong password on sign-in.
    await user.click(screen.getByTestId('account-mode-sign-in'));
    await user.clear(screen.getByTestId('account-password-input'));
    await user.type(screen.getByTestId('account-password-input'), 'wrong password');
    await user.click(screen.getByTestId('account-submit'));
    expect(await screen.findByText('邮箱或密码错误。')).toBeInTheDocument();
  }, 60000);

  it('queues files dropped on the window for the chosen release', async () => {
    const host = createMockHost({ files: { '/music/02 Tide.flac': 'flac bytes' } });
    await host.call('preferences_set', { preferences: { language: 'en', theme: 'light' } });
    await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin Yue' } });
    await host.call('account_sign_up', { server: 'http://127.0.0.1:8787', email: 'a@example.com', password: 'long enough', name: 'A' });
    const user = userEvent.setup();
    render(App, { props: { host } });
    await waitFor(() => expect(screen.getByTestId('nav-settings')).toBeInTheDocument());
    await user.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('account-who');
    host.drop(['/music/02 Tide.flac']);
    const item = await screen.findByTestId('upload-item');
    await waitFor(() => expect(item).toHaveAttribute('data-status', 'complete'));
    expect(item).toHaveTextContent('02 Tide.flac');
  }, 60000);

  it('pauses, resumes and cancels queue items', async () => {
    const host = createMockHost();
    await host.call('account_sign_up', { server: 'http://127.0.0.1:8787', email: 'a@example.com', password: 'long enough', name: 'A' });
    const [item] = await host.call('uploads_add_bytes', { release_id: null, file_name: 'cover.jpg', bytes: [1, 2, 3] });
    expect(item.kind).toBe('artwork');
    expect((await host.call('uploads_pause', { id: item.id })).status).toBe('paused');
    await expect(host.call('uploads_pause', { id: item.id })).resolves.toMatchObject({ status: 'paused' });
    expect((await host.call('uploads_resume', { id: item.id })).status).toBe('queued');
    expect((await host.call('uploads_cancel', { id: item.id })).status).toBe('cancelled');
    await expect(host.call('uploads_resume', { id: item.id })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
