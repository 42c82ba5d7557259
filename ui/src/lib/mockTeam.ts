// The mock host's team on the platform: workspaces, members, roster with staff assignments and
// invitations on an in-memory "server", with the engine's validations and error codes (see
// crates/roadie/src/platform/team.rs and platform/src/routes/workspaces.rs).
import type { Account, ErrorPayload, FieldIssue, Team, TeamInvitation, TeamMember, TeamRole, TeamRosterArtist, TeamWorkspace } from './bindings';
import { HostError, type Args, type CommandName, type Result } from './host';

type TeamCommand =
  | 'team_workspaces'
  | 'team_get'
  | 'team_create_label'
  | 'team_invite'
  | 'team_revoke_invitation'
  | 'team_set_role'
  | 'team_remove_member'
  | 'team_add_artist'
  | 'team_assign'
  | 'team_accept';

export type TeamHandlers = { [K in TeamCommand & CommandName]: (args: Args<K>) => Result<K> };

function fail(code: string, message: string, params: Record<string, string> = {}, issues: FieldIssue[] = []): never {
  throw new HostError({ code, message, params, issues } satisfies ErrorPayload);
}

function uuid(): string {
  return globalThis.crypto?.randomUUID?.() ?? `00000000-0000-4000-8000-${String(Math.random()).slice(2, 14).padEnd(12, '0')}`;
}

interface Ws {
  id: string;
  kind: 'artist' | 'label';
  name: string;
  members: Omit<TeamMember, 'is_me'>[];
  roster: TeamRosterArtist[];
  invitations: (TeamInvitation & { token: string })[];
}

export function createMockTeam(account: () => Account | null, now: () => string): TeamHandlers {
  const spaces: Ws[] = [];
  const me = (): Account => account() ?? fail('not_signed_in', 'not signed in to a platform');

  const own = (a: Account): Ws => {
    let w = spaces.find((s) => s.id === a.workspace_id);
    if (!w) {
      w = { id: a.workspace_id, kind: 'artist', name: a.workspace_name || a.name, members: [{ user_id: a.user_id, email: a.email, name: a.name, role: 'owner', roster_artist_id: null }], roster: [], invitations: [] };
      spaces.push(w);
    }
    return w;
  };
  const roleIn = (w: Ws, a: Account) => w.members.find((m) => m.user_id === a.user_id)?.role;
  const find = (id: string): { w: Ws; a: Account; role: TeamRole } => {
    const a = me();
    own(a);
    const w = spaces.find((s) => s.id === id);
    const role = w && roleIn(w, a);
    if (!w || !role) fail('platform_not_found', 'workspace not found', { message: 'workspace not found' });
    return { w, a, role };
  };
  const manager = (role: TeamRole) => {
    if (role !== 'owner' && role !== 'label_admin') fail('platform_forbidden', 'not allowed', { message: 'not allowed' });
  };
  const label = (w: Ws) => {
    if (w.kind !== 'label') fail('not_a_label', 'only a label workspace has a roster');
  };
  const view = (w: Ws, a: Account): TeamWorkspace => ({ id: w.id, kind: w.kind, name: w.name, role: roleIn(w, a)!, own: w.id === a.workspace_id });
  const team = (id: string): Team => {
    const { w, a, role } = find(id);
    const manages = role === 'owner' || role === 'label_admin';
    const seesMembers = manages || role === 'label_staff';
    const roster = w.kind === 'label' && role !== 'collaborator'
      ? w.roster.filter((r) => manages || (role === 'label_staff' ? r.staff.includes(a.user_id) : r.artist_user_id === a.user_id))
      : [];
    return structuredClone({
      workspace: view(w, a),
      can_manage: manages,
      members: seesMembers ? w.members.map((m) => ({ ...m, is_me: m.user_id === a.user_id })) : [],
      roster,
      invitations: manages ? [...w.invitations].reverse().map(({ token: _token, ...i }) => ({ ...i, link: null })) : [],
    });
  };
  const member = (w: Ws, user_id: string) => w.members.find((m) => m.user_id === user_id) ?? fail('platform_not_found', 'member not found', { message: 'member not found' });

  return {
    team_workspaces: () => {
      const a = me();
      own(a);
      return spaces.filter((w) => roleIn(w, a)).map((w) => view(w, a)).sort((x, y) => Number(y.own) - Number(x.own));
    },
    team_get: ({ workspace_id }) => team(workspace_id),
    team_create_label: ({ name }) => {
      const a = me();
      if (!name.trim()) fail('invalid_input', 'invalid workspace', { entity: 'workspace' }, [{ field: 'name', reason: 'required', detail: 'a name is required' }]);
      const w: Ws = { id: uuid(), kind: 'label', name: name.trim(), members: [{ user_id: a.user_id, email: a.email, name: a.name, role: 'owner', roster_artist_id: null }], roster: [], invitations: [] };
      spaces.push(w);
      return team(w.id);
    },
    team_invite: ({ workspace_id, email, role, roster_artist_id }) => {
      const e = email.trim().toLowerCase();
      if (!/^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/.test(e)) {
        fail('invalid_input', 'invalid invitation', { entity: 'invitation' }, [{ field: 'email', reason: 'invalid_email', detail: 'not an e-mail address' }]);
      }
      if (role === 'artist' && !roster_artist_id) {
        fail('invalid_input', 'invalid invitation', { entity: 'invitation' }, [{ field: 'roster_artist_id', reason: 'required', detail: 'an artist invitation names their roster entry' }]);
      }
      const { w, a, role: mine } = find(workspace_id);
      manager(mine);
      if (role !== 'collaborator') label(w);
      const token = `rdi_${uuid().replace(/-/g, '')}`;
      const at = new Date(now());
      const inv = { id: uuid(), email: e, role, roster_artist_id, created_at: at.toISOString(), expires_at: new Date(at.getTime() + 7 * 86400000).toISOString(), accepted: false, link: null, token };
      w.invitations.push(inv);
      const { token: _t, ...shown } = inv;
      return { invitation: { ...shown, link: `${a.server}/invite/${token}` }, team: team(workspace_id) };
    },
    team_revoke_invitation: ({ workspace_id, invitation_id }) => {
      const { w, role } = find(workspace_id);
      manager(role);
      const i = w.invitations.findIndex((x) => x.id === invitation_id && !x.accepted);
      if (i < 0) fail('invitation_not_found', 'no such invitation');
      w.invitations.splice(i, 1);
      return team(workspace_id);
    },
    team_set_role: ({ workspace_id, user_id, role }) => {
      const { w, role: mine } = find(workspace_id);
      manager(mine);
      const m = member(w, user_id);
      if (m.role === 'owner') fail('platform_forbidden', "the owner's role cannot be changed", { message: "the owner's role cannot be changed" });
      if (role !== 'collaborator') label(w);
      m.role = role;
      return team(workspace_id);
    },
    team_remove_member: ({ workspace_id, user_id }) => {
      const { w, role } = find(workspace_id);
      manager(role);
      if (member(w, user_id).role === 'owner') fail('platform_forbidden', 'the owner cannot be removed', { message: 'the owner cannot be removed' });
      w.members = w.members.filter((m) => m.user_id !== user_id);
      for (const r of w.roster) r.staff = r.staff.filter((s) => s !== user_id);
      return team(workspace_id);
    },
    team_add_artist: ({ workspace_id, name }) => {
      const { w, role } = find(workspace_id);
      manager(role);
      label(w);
      if (!name.trim()) fail('invalid_input', 'invalid roster artist', { entity: 'roster_artist' }, [{ field: 'name', reason: 'required', detail: 'a name is required' }]);
      w.roster.push({ id: uuid(), name: name.trim(), staff: [], artist_user_id: null });
      w.roster.sort((x, y) => x.name.localeCompare(y.name));
      return team(workspace_id);
    },
    team_assign: ({ workspace_id, artist_id, user_id, assigned }) => {
      const { w, role } = find(workspace_id);
      manager(role);
      const r = w.roster.find((x) => x.id === artist_id) ?? fail('platform_not_found', 'roster artist not found', { message: 'roster artist not found' });
      if (assigned) {
        if (member(w, user_id).role !== 'label_staff') fail('platform_refused', 'only label staff are assigned', { status: '422', platform_code: 'invalid_input', message: 'only label staff are assigned to roster artists' });
        if (!r.staff.includes(user_id)) r.staff.push(user_id);
      } else {
        if (!r.staff.includes(user_id)) fail('platform_not_found', 'assignment not found', { message: 'assignment not found' });
        r.staff = r.staff.filter((s) => s !== user_id);
      }
      return team(workspace_id);
    },
    team_accept: ({ link }) => {
      const s = link.trim();
      const m = /^(?:(https?:\/\/.+)\/invite\/)?(rdi_[A-Za-z0-9_-]{6,})\/?$/.exec(s);
      if (!m) fail('invitation_link_invalid', 'not an invitation link', { input: s.slice(0, 200) });
      const a = me();
      own(a);
      if (m[1] && m[1].replace(/\/+$/, '') !== a.server) fail('invitation_other_server', 'another server', { server: m[1], signed_in: a.server });
      const w = spaces.find((x) => x.invitations.some((i) => i.token === m[2]));
      const inv = w?.invitations.find((i) => i.token === m[2]);
      if (!w || !inv) fail('invitation_not_found', 'no such invitation');
      if (inv.accepted) fail('invitation_used', 'invitation used');
      if (inv.email !== a.email) fail('invitation_email_mismatch', 'another e-mail address');
      if (roleIn(w, a)) fail('already_member', 'already a member');
      w.members.push({ user_id: a.user_id, email: a.email, name: a.name, role: inv.role, roster_artist_id: inv.role === 'artist' ? inv.roster_artist_id : null });
      if (inv.role === 'label_staff' && inv.roster_artist_id) w.roster.find((r) => r.id === inv.roster_artist_id)?.staff.push(a.user_id);
      if (inv.role === 'artist' && inv.roster_artist_id) {
        const r = w.roster.find((x) => x.id === inv.roster_artist_id);
        if (r) r.artist_user_id = a.user_id;
      }
      inv.accepted = true;
      return { workspace: view(w, a) };
    },
  };
}
