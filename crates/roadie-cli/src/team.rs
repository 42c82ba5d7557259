//! The team on the platform server: `roadie workspaces`, `roadie invite`, `roadie member`,
//! `roadie roster`. The platform workspace is the global `--workspace ID` (a platform workspace
//! id); without it, the signed-in account's own workspace.

use crate::run::{Ctx, Output};
use clap::Subcommand;
use roadie::platform::team::{Team, TeamRole, TeamWorkspace};
use roadie::platform::FileSecrets;
use roadie::{Error, FieldIssue, Result};
use uuid::Uuid;

#[derive(Subcommand, Debug)]
pub enum WorkspacesCmd {
    /// The platform workspaces of the signed-in account, with its role in each.
    List,
    /// One workspace's team: members, roster with assigned staff, invitations.
    Show,
    /// Create a label workspace on the platform (you are its owner).
    CreateLabel { name: String },
}

#[derive(Subcommand, Debug)]
pub enum InviteCmd {
    /// Invite an e-mail address; prints the link to send them (shown once).
    Create {
        #[arg(long)]
        email: String,
        /// label_admin, label_staff, artist or collaborator.
        #[arg(long)]
        role: String,
        /// The roster artist: their own entry (artist) or a first assignment (label_staff).
        #[arg(long)]
        artist: Option<String>,
    },
    /// The workspace's invitations.
    List,
    /// Withdraw a pending invitation.
    Revoke { id: String },
    /// Accept an invitation (its link or token) as the signed-in account.
    Accept { link: String },
}

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// The workspace's members and their roles.
    List,
    /// Change a member's role.
    SetRole { user_id: String, role: String },
    /// Remove a member from the workspace.
    Remove { user_id: String },
}

#[derive(Subcommand, Debug)]
pub enum RosterCmd {
    /// The label's roster artists and the staff assigned to each.
    List,
    /// Add an artist to the label's roster.
    Add { name: String },
    /// Assign a label staff member to a roster artist.
    Assign { artist_id: String, user_id: String },
    /// Unassign a label staff member from a roster artist.
    Unassign { artist_id: String, user_id: String },
}

fn secrets(ctx: &Ctx<'_>) -> FileSecrets {
    FileSecrets::beside_store(ctx.store.path())
}

fn id(entity: &'static str, s: &str) -> Result<Uuid> {
    Uuid::parse_str(s.trim()).map_err(|_| Error::not_found(entity, s))
}

fn role(s: &str) -> Result<TeamRole> {
    TeamRole::parse(s.trim()).ok_or_else(|| {
        Error::invalid(
            "invitation",
            vec![FieldIssue::new("role", "invalid_role", "one of owner, label_admin, label_staff, artist, collaborator")],
        )
    })
}

/// `--workspace`, else the account's own platform workspace.
async fn workspace(ctx: &Ctx<'_>) -> Result<Uuid> {
    match ctx.workspace_ref() {
        Some(w) => id("workspace", w),
        None => Ok(ctx.store.account().await?.ok_or(Error::NotSignedIn)?.workspace_id),
    }
}

fn workspace_line(w: &TeamWorkspace) -> String {
    format!("{}  {} ({}, {}){}", w.id, w.name, w.kind, w.role.as_str(), if w.own { "  [own]" } else { "" })
}

fn team_text(t: &Team) -> String {
    let mut lines = vec![workspace_line(&t.workspace)];
    let name_of = |u: &Uuid| t.members.iter().find(|m| m.user_id == *u).map(|m| m.name.clone()).unwrap_or_else(|| u.to_string());
    if !t.members.is_empty() {
        lines.push("members:".into());
        for m in &t.members {
            lines.push(format!("  {}  {} <{}> {}{}", m.user_id, m.name, m.email, m.role.as_str(), if m.is_me { " (you)" } else { "" }));
        }
    }
    if !t.roster.is_empty() {
        lines.push("roster:".into());
        for r in &t.roster {
            let staff: Vec<String> = r.staff.iter().map(name_of).collect();
            lines.push(format!("  {}  {}{}", r.id, r.name, if staff.is_empty() { String::new() } else { format!(" — staff: {}", staff.join(", ")) }));
        }
    }
    if !t.invitations.is_empty() {
        lines.push("invitations:".into());
        for i in &t.invitations {
            lines.push(format!("  {}  {} {} {}", i.id, i.email, i.role.as_str(), if i.accepted { "accepted" } else { "pending" }));
        }
    }
    lines.join("\n")
}

pub async fn workspaces(ctx: &Ctx<'_>, out: &Output, cmd: WorkspacesCmd) -> Result<()> {
    let s = secrets(ctx);
    match cmd {
        WorkspacesCmd::List => {
            let list = ctx.store.team_workspaces(&s).await?;
            out.show(&list, |l| l.iter().map(workspace_line).collect::<Vec<_>>().join("\n"));
        }
        WorkspacesCmd::Show => {
            let team = ctx.store.team(&s, workspace(ctx).await?).await?;
            out.show(&team, team_text);
        }
        WorkspacesCmd::CreateLabel { name } => {
            let team = ctx.store.team_create_label(&s, &name).await?;
            out.show(&team.workspace, workspace_line);
        }
    }
    Ok(())
}

pub async fn invite(ctx: &Ctx<'_>, out: &Output, cmd: InviteCmd) -> Result<()> {
    let s = secrets(ctx);
    match cmd {
        InviteCmd::Create { email, role: r, artist } => {
            let artist = artist.as_deref().map(|a| id("roster artist", a)).transpose()?;
            let created = ctx.store.team_invite(&s, workspace(ctx).await?, &email, role(&r)?, artist).await?;
            out.show(&created.invitation, |i| {
                format!("invited {} as {}; send them this link:\n{}", i.email, i.role.as_str(), i.link.as_deref().unwrap_or(""))
            });
        }
        InviteCmd::List => {
            let team = ctx.store.team(&s, workspace(ctx).await?).await?;
            out.show(&team.invitations, |l| {
                l.iter()
                    .map(|i| format!("{}  {} {} {}", i.id, i.email, i.role.as_str(), if i.accepted { "accepted" } else { "pending" }))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        InviteCmd::Revoke { id: inv } => {
            let inv = id("invitation", &inv)?;
            ctx.store.team_revoke_invitation(&s, workspace(ctx).await?, inv).await?;
            out.show(&serde_json::json!({ "revoked": true, "id": inv }), |_| format!("invitation {inv} withdrawn"));
        }
        InviteCmd::Accept { link } => {
            let joined = ctx.store.team_accept(&s, &link).await?;
            out.show(&joined, |j| format!("joined {} as {}", j.workspace.name, j.workspace.role.as_str()));
        }
    }
    Ok(())
}

pub async fn member(ctx: &Ctx<'_>, out: &Output, cmd: MemberCmd) -> Result<()> {
    let s = secrets(ctx);
    let ws = workspace(ctx).await?;
    let team = match cmd {
        MemberCmd::List => ctx.store.team(&s, ws).await?,
        MemberCmd::SetRole { user_id, role: r } => ctx.store.team_set_role(&s, ws, id("member", &user_id)?, role(&r)?).await?,
        MemberCmd::Remove { user_id } => ctx.store.team_remove_member(&s, ws, id("member", &user_id)?).await?,
    };
    out.show(&team.members, |l| {
        l.iter().map(|m| format!("{}  {} <{}> {}", m.user_id, m.name, m.email, m.role.as_str())).collect::<Vec<_>>().join("\n")
    });
    Ok(())
}

pub async fn roster(ctx: &Ctx<'_>, out: &Output, cmd: RosterCmd) -> Result<()> {
    let s = secrets(ctx);
    let ws = workspace(ctx).await?;
    let team = match cmd {
        RosterCmd::List => ctx.store.team(&s, ws).await?,
        RosterCmd::Add { name } => ctx.store.team_add_artist(&s, ws, &name).await?,
        RosterCmd::Assign { artist_id, user_id } => {
            ctx.store.team_assign(&s, ws, id("roster artist", &artist_id)?, id("member", &user_id)?, true).await?
        }
        RosterCmd::Unassign { artist_id, user_id } => {
            ctx.store.team_assign(&s, ws, id("roster artist", &artist_id)?, id("member", &user_id)?, false).await?
        }
    };
    out.show(&team.roster, |l| l.iter().map(|r| format!("{}  {} ({} staff)", r.id, r.name, r.staff.len())).collect::<Vec<_>>().join("\n"));
    Ok(())
}
