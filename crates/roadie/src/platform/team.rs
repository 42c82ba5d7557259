//! The team on the platform: the account's workspaces, a label's members and their roles, its
//! roster of artists with the staff assigned to each, and invitations (a link the inviter copies
//! and sends themselves; the invited user pastes it into Roadie to accept).
//!
//! One `Store` method per user action; every change returns the whole refreshed `Team` so a
//! screen redraws from one call. The server authorises everything; its refusals come back as
//! typed errors (`platform_forbidden`, `invitation_used`, ...).

use super::{PlatformClient, SecretStore};
use crate::error::{Error, Result};
use crate::{FieldIssue, Store};
use roadie_protocol as wire;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Path of an invitation link on the platform server: `{server}/invite/{token}`.
pub const INVITE_PATH: &str = "/invite/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    Owner,
    LabelAdmin,
    LabelStaff,
    Artist,
    Collaborator,
}

impl TeamRole {
    pub fn parse(s: &str) -> Option<TeamRole> {
        wire::Role::parse(s).map(Into::into)
    }
    pub fn as_str(self) -> &'static str {
        wire::Role::from(self).as_str()
    }
    /// Owner and label admin manage members, roster and invitations.
    pub fn manages(self) -> bool {
        matches!(self, TeamRole::Owner | TeamRole::LabelAdmin)
    }
}

impl From<wire::Role> for TeamRole {
    fn from(r: wire::Role) -> Self {
        match r {
            wire::Role::Owner => TeamRole::Owner,
            wire::Role::LabelAdmin => TeamRole::LabelAdmin,
            wire::Role::LabelStaff => TeamRole::LabelStaff,
            wire::Role::Artist => TeamRole::Artist,
            wire::Role::Collaborator => TeamRole::Collaborator,
        }
    }
}

impl From<TeamRole> for wire::Role {
    fn from(r: TeamRole) -> Self {
        match r {
            TeamRole::Owner => wire::Role::Owner,
            TeamRole::LabelAdmin => wire::Role::LabelAdmin,
            TeamRole::LabelStaff => wire::Role::LabelStaff,
            TeamRole::Artist => wire::Role::Artist,
            TeamRole::Collaborator => wire::Role::Collaborator,
        }
    }
}

/// A workspace the account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamWorkspace {
    pub id: Uuid,
    /// `artist` or `label`.
    pub kind: String,
    pub name: String,
    /// The account's role in it.
    pub role: TeamRole,
    /// True for the account's own workspace (made at sign-up).
    pub own: bool,
}

impl TeamWorkspace {
    fn from_wire(w: wire::Workspace, own_id: Uuid) -> Self {
        let kind = match w.kind {
            wire::WorkspaceKind::Artist => "artist",
            wire::WorkspaceKind::Label => "label",
        };
        TeamWorkspace { id: w.id, kind: kind.into(), name: w.name, role: w.role.into(), own: w.id == own_id }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamMember {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: TeamRole,
    /// An artist member's own roster entry.
    pub roster_artist_id: Option<Uuid>,
    /// True for the signed-in account.
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamRosterArtist {
    pub id: Uuid,
    pub name: String,
    /// The label staff assigned to this artist (user ids; names are in `Team::members`).
    pub staff: Vec<Uuid>,
    /// The member whose roster entry this is, once they accepted their invitation.
    pub artist_user_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamInvitation {
    pub id: Uuid,
    pub email: String,
    pub role: TeamRole,
    pub roster_artist_id: Option<Uuid>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    pub accepted: bool,
    /// Only right after creating it: the link to send to the invited person (the server keeps
    /// only the token's hash, so it cannot be shown again).
    pub link: Option<String>,
}

/// A workspace's team as the account may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Team {
    pub workspace: TeamWorkspace,
    /// True when the account may invite, change roles, remove members and edit the roster.
    pub can_manage: bool,
    /// Empty for an artist or collaborator (the server does not show them the members).
    pub members: Vec<TeamMember>,
    /// The roster artists the account may see (all of them for managers, the assigned ones for
    /// label staff, their own entry for an artist).
    pub roster: Vec<TeamRosterArtist>,
    /// Pending and accepted invitations (managers only), newest first.
    pub invitations: Vec<TeamInvitation>,
}

/// A freshly created invitation and the team with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreatedInvitation {
    pub invitation: TeamInvitation,
    pub team: Team,
}

/// What accepting an invitation joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JoinedWorkspace {
    pub workspace: TeamWorkspace,
}

/// The invitation token in what the user pasted: the token itself (`rdi_...`), or a link
/// `{server}/invite/{token}`. Returns the link's server too, when there is one.
pub fn parse_invitation(input: &str) -> Result<(Option<String>, String)> {
    let s = input.trim();
    let bad = || Error::InvitationLinkInvalid { input: s.chars().take(200).collect() };
    let valid_token = |t: &str| t.starts_with("rdi_") && t.len() > 10 && t[4..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid_token(s) {
        return Ok((None, s.to_string()));
    }
    if !(s.starts_with("http://") || s.starts_with("https://")) {
        return Err(bad());
    }
    let (server, token) = s.rsplit_once(INVITE_PATH).ok_or_else(bad)?;
    let token = token.trim_end_matches('/');
    if !valid_token(token) || server.is_empty() {
        return Err(bad());
    }
    Ok((Some(super::normalise_server(server).map_err(|_| bad())?), token.to_string()))
}

/// The link for an invitation token on a server.
pub fn invitation_link(server: &str, token: &str) -> String {
    format!("{server}{INVITE_PATH}{token}")
}

/// The server's refusals of team requests, as typed errors.
fn team_error(e: Error) -> Error {
    match e {
        Error::Platform { status, platform_code, message } => match (status, platform_code.as_str()) {
            (403, "forbidden") => Error::PlatformForbidden { message },
            (404, "not_found") if message.starts_with("invitation") => Error::InvitationNotFound,
            (404, "not_found") => Error::PlatformNotFound { message },
            (410, "invitation_used") => Error::InvitationUsed,
            (403, "invitation_email_mismatch") => Error::InvitationEmailMismatch,
            (409, "already_member") => Error::AlreadyMember,
            (409, "not_a_label") => Error::NotALabel,
            _ => Error::Platform { status, platform_code, message },
        },
        other => other,
    }
}

impl PlatformClient {
    async fn send_json<T: serde::de::DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let res = req.send().await.map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(team_error(self.refused(res).await));
        }
        res.json().await.map_err(|e| self.network(e))
    }

    async fn send_empty(&self, req: reqwest::RequestBuilder) -> Result<()> {
        let res = req.send().await.map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(team_error(self.refused(res).await));
        }
        Ok(())
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.send_json(self.request(reqwest::Method::GET, path)).await
    }
}

fn invitation(i: wire::Invitation, server: &str) -> TeamInvitation {
    TeamInvitation {
        id: i.id,
        email: i.email,
        role: i.role.into(),
        roster_artist_id: i.roster_artist_id,
        created_at: i.created_at.to_rfc3339(),
        expires_at: i.expires_at.to_rfc3339(),
        accepted: i.accepted,
        link: i.token.map(|t| invitation_link(server, &t)),
    }
}

fn roster_artist(r: wire::RosterArtist) -> TeamRosterArtist {
    TeamRosterArtist { id: r.id, name: r.name, staff: r.staff, artist_user_id: r.artist_user_id }
}

fn check_email(email: &str) -> Result<String> {
    let e = email.trim().to_lowercase();
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !e.contains(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        return Err(Error::invalid("invitation", vec![FieldIssue::new("email", "invalid_email", "not an e-mail address")]));
    }
    Ok(e)
}

impl Store {
    /// The workspaces the signed-in account belongs to, its own first.
    pub async fn team_workspaces(&self, secrets: &dyn SecretStore) -> Result<Vec<TeamWorkspace>> {
        let (account, client) = self.platform_client(secrets).await?;
        let list: Vec<wire::Workspace> = client.get("/v1/workspaces").await?;
        let mut out: Vec<TeamWorkspace> = list.into_iter().map(|w| TeamWorkspace::from_wire(w, account.workspace_id)).collect();
        out.sort_by_key(|w| !w.own);
        Ok(out)
    }

    /// One workspace's team: members, roster and invitations, as far as the account may see them.
    pub async fn team(&self, secrets: &dyn SecretStore, workspace_id: Uuid) -> Result<Team> {
        let (account, client) = self.platform_client(secrets).await?;
        self.team_with(&client, &account, workspace_id).await
    }

    async fn team_with(&self, client: &PlatformClient, account: &super::Account, ws: Uuid) -> Result<Team> {
        let w: wire::Workspace = client.get(&format!("/v1/workspaces/{ws}")).await?;
        let workspace = TeamWorkspace::from_wire(w, account.workspace_id);
        let role = workspace.role;
        let label = workspace.kind == "label";
        let members: Vec<wire::Member> = if matches!(role, TeamRole::Owner | TeamRole::LabelAdmin | TeamRole::LabelStaff) {
            client.get(&format!("/v1/workspaces/{ws}/members")).await?
        } else {
            vec![]
        };
        let roster: Vec<wire::RosterArtist> = if label && role != TeamRole::Collaborator {
            client.get(&format!("/v1/workspaces/{ws}/roster")).await?
        } else {
            vec![]
        };
        let mut invitations: Vec<wire::Invitation> =
            if role.manages() { client.get(&format!("/v1/workspaces/{ws}/invitations")).await? } else { vec![] };
        invitations.reverse();
        Ok(Team {
            can_manage: role.manages(),
            members: members
                .into_iter()
                .map(|m| TeamMember {
                    is_me: m.user_id == account.user_id,
                    user_id: m.user_id,
                    email: m.email,
                    name: m.name,
                    role: m.role.into(),
                    roster_artist_id: m.roster_artist_id,
                })
                .collect(),
            roster: roster.into_iter().map(roster_artist).collect(),
            invitations: invitations.into_iter().map(|i| invitation(i, &client.server)).collect(),
            workspace,
        })
    }

    /// Creates a label workspace owned by the account.
    pub async fn team_create_label(&self, secrets: &dyn SecretStore, name: &str) -> Result<Team> {
        let (account, client) = self.platform_client(secrets).await?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("workspace", vec![FieldIssue::new("name", "required", "a name is required")]));
        }
        let body = wire::CreateWorkspace { name: name.into(), kind: wire::WorkspaceKind::Label };
        let w: wire::Workspace = client.send_json(client.request(reqwest::Method::POST, "/v1/workspaces").json(&body)).await?;
        self.team_with(&client, &account, w.id).await
    }

    /// Invites an e-mail address with a role; the result carries the link to send (once).
    pub async fn team_invite(
        &self,
        secrets: &dyn SecretStore,
        workspace_id: Uuid,
        email: &str,
        role: TeamRole,
        roster_artist_id: Option<Uuid>,
    ) -> Result<CreatedInvitation> {
        let email = check_email(email)?;
        if role == TeamRole::Owner {
            return Err(Error::invalid("invitation", vec![FieldIssue::new("role", "not_allowed", "nobody can be invited as owner")]));
        }
        if role == TeamRole::Artist && roster_artist_id.is_none() {
            return Err(Error::invalid(
                "invitation",
                vec![FieldIssue::new("roster_artist_id", "required", "an artist invitation names their roster entry")],
            ));
        }
        let (account, client) = self.platform_client(secrets).await?;
        let body = wire::CreateInvitation { email, role: role.into(), roster_artist_id };
        let created: wire::Invitation = client
            .send_json(client.request(reqwest::Method::POST, &format!("/v1/workspaces/{workspace_id}/invitations")).json(&body))
            .await?;
        let invitation = invitation(created, &client.server);
        let team = self.team_with(&client, &account, workspace_id).await?;
        Ok(CreatedInvitation { invitation, team })
    }

    /// Withdraws a pending invitation (its link stops working).
    pub async fn team_revoke_invitation(&self, secrets: &dyn SecretStore, workspace_id: Uuid, invitation_id: Uuid) -> Result<Team> {
        let (account, client) = self.platform_client(secrets).await?;
        client
            .send_empty(client.request(reqwest::Method::DELETE, &format!("/v1/workspaces/{workspace_id}/invitations/{invitation_id}")))
            .await?;
        self.team_with(&client, &account, workspace_id).await
    }

    /// Changes a member's role.
    pub async fn team_set_role(&self, secrets: &dyn SecretStore, workspace_id: Uuid, user_id: Uuid, role: TeamRole) -> Result<Team> {
        let (account, client) = self.platform_client(secrets).await?;
        let body = wire::UpdateMember { role: role.into() };
        client
            .send_empty(client.request(reqwest::Method::PATCH, &format!("/v1/workspaces/{workspace_id}/members/{user_id}")).json(&body))
            .await?;
        self.team_with(&client, &account, workspace_id).await
    }

    /// Removes a member from the workspace.
    pub async fn team_remove_member(&self, secrets: &dyn SecretStore, workspace_id: Uuid, user_id: Uuid) -> Result<Team> {
        let (account, client) = self.platform_client(secrets).await?;
        client.send_empty(client.request(reqwest::Method::DELETE, &format!("/v1/workspaces/{workspace_id}/members/{user_id}"))).await?;
        self.team_with(&client, &account, workspace_id).await
    }

    /// Adds an artist to the label's roster.
    pub async fn team_add_artist(&self, secrets: &dyn SecretStore, workspace_id: Uuid, name: &str) -> Result<Team> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("roster_artist", vec![FieldIssue::new("name", "required", "a name is required")]));
        }
        let (account, client) = self.platform_client(secrets).await?;
        let body = wire::CreateRosterArtist { name: name.into() };
        let _: wire::RosterArtist = client
            .send_json(client.request(reqwest::Method::POST, &format!("/v1/workspaces/{workspace_id}/roster")).json(&body))
            .await?;
        self.team_with(&client, &account, workspace_id).await
    }

    /// Assigns (or, with `assigned` false, unassigns) a label staff member to a roster artist.
    pub async fn team_assign(
        &self,
        secrets: &dyn SecretStore,
        workspace_id: Uuid,
        artist_id: Uuid,
        user_id: Uuid,
        assigned: bool,
    ) -> Result<Team> {
        let (account, client) = self.platform_client(secrets).await?;
        let method = if assigned { reqwest::Method::PUT } else { reqwest::Method::DELETE };
        client
            .send_empty(client.request(method, &format!("/v1/workspaces/{workspace_id}/roster/{artist_id}/staff/{user_id}")))
            .await?;
        self.team_with(&client, &account, workspace_id).await
    }

    /// Accepts an invitation from its link (or bare token) as the signed-in account.
    pub async fn team_accept(&self, secrets: &dyn SecretStore, link: &str) -> Result<JoinedWorkspace> {
        let (server, token) = parse_invitation(link)?;
        let (account, client) = self.platform_client(secrets).await?;
        if let Some(server) = server {
            if server != account.server {
                return Err(Error::InvitationOtherServer { server, signed_in: account.server });
            }
        }
        let accepted: wire::AcceptedInvitation =
            client.send_json(client.request(reqwest::Method::POST, &format!("/v1/invitations/{token}/accept"))).await?;
        let w: wire::Workspace = client.get(&format!("/v1/workspaces/{}", accepted.workspace_id)).await?;
        Ok(JoinedWorkspace { workspace: TeamWorkspace::from_wire(w, account.workspace_id) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_links_and_tokens_parse() {
        let tok = "rdi_AbC-d_e0123456789";
        assert_eq!(parse_invitation(tok).unwrap(), (None, tok.to_string()));
        assert_eq!(parse_invitation(&format!("  {tok}\n")).unwrap(), (None, tok.to_string()));
        let link = invitation_link("https://p.example.com", tok);
        assert_eq!(link, format!("https://p.example.com/invite/{tok}"));
        assert_eq!(parse_invitation(&link).unwrap(), (Some("https://p.example.com".into()), tok.to_string()));
        assert_eq!(parse_invitation(&format!("{link}/")).unwrap().1, tok);
        for bad in ["", "hello", "rdi_", "rdp_abcdefghijkl", "https://p.example.com/invite/", "https://p.example.com/x/rdi_abcdefghij", "rdi_abc def ghijk"] {
            assert_eq!(parse_invitation(bad).unwrap_err().code(), "invitation_link_invalid", "{bad:?}");
        }
    }

    #[test]
    fn server_refusals_become_typed_errors() {
        let p = |status, code: &str, message: &str| Error::Platform { status, platform_code: code.into(), message: message.into() };
        assert_eq!(team_error(p(403, "forbidden", "x")).code(), "platform_forbidden");
        assert_eq!(team_error(p(404, "not_found", "invitation not found")).code(), "invitation_not_found");
        assert_eq!(team_error(p(404, "not_found", "member not found")).code(), "platform_not_found");
        assert_eq!(team_error(p(410, "invitation_used", "x")).code(), "invitation_used");
        assert_eq!(team_error(p(403, "invitation_email_mismatch", "x")).code(), "invitation_email_mismatch");
        assert_eq!(team_error(p(409, "already_member", "x")).code(), "already_member");
        assert_eq!(team_error(p(409, "not_a_label", "x")).code(), "not_a_label");
        assert_eq!(team_error(p(422, "invalid_input", "x")).code(), "platform_refused");
    }

    #[test]
    fn roles_round_trip() {
        for r in [TeamRole::Owner, TeamRole::LabelAdmin, TeamRole::LabelStaff, TeamRole::Artist, TeamRole::Collaborator] {
            assert_eq!(TeamRole::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::Value::String(r.as_str().into()));
        }
    }
}
