//! `roadie workspaces` / `invite` / `member` / `roster` end to end against a real platform server
//! on loopback (its throwaway PostgreSQL cluster comes from the platform's test harness): a label
//! owner invites a staff member, who accepts the link from their own store; roles, roster
//! assignments and the server's refusals as typed errors.

#[path = "../../../platform/tests/common/mod.rs"]
mod common;
#[path = "common/mod.rs"]
mod cli_common;

use cli_common::Cli;
use common::{Pg, Server, PASSWORD};
use std::sync::Arc;

/// Runs CLI calls off the runtime (the server runs in-process on it).
async fn cli<T: Send + 'static>(c: &Arc<Cli>, f: impl FnOnce(&Cli) -> T + Send + 'static) -> T {
    let c = c.clone();
    tokio::task::spawn_blocking(move || f(&c)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_invites_staff_who_accepts_the_link() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    srv.signup("owner@example.com", "Olga Owner").await;
    srv.signup("sam@example.com", "Sam Staff").await;
    srv.signup("eve@example.com", "Eve Other").await;
    let dir = tempfile::tempdir().unwrap();
    let owner = Arc::new(Cli { db: dir.path().join("owner.sqlite") });
    let staff = Arc::new(Cli { db: dir.path().join("staff.sqlite") });
    let eve = Arc::new(Cli { db: dir.path().join("eve.sqlite") });
    let base = srv.base.clone();

    // Not signed in: a typed error, before anything reaches the server.
    let err = cli(&owner, |c| c.fails(&["workspaces", "list"], "")).await;
    assert!(err.contains("[not_signed_in]"), "{err}");

    for (c, email) in [(&owner, "owner@example.com"), (&staff, "sam@example.com"), (&eve, "eve@example.com")] {
        let b = base.clone();
        cli(c, move |c| c.json(&["login", "--server", &b, "--email", email], &format!("{PASSWORD}\n"))).await;
    }

    // The owner's own workspace, then a label.
    let list = cli(&owner, |c| c.json(&["workspaces", "list"], "")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["own"], true);
    assert_eq!(list[0]["role"], "owner");
    let label = cli(&owner, |c| c.json(&["workspaces", "create-label", "Night Label"], "")).await;
    assert_eq!(label["kind"], "label");
    assert_eq!(label["own"], false);
    let ws = label["id"].as_str().unwrap().to_string();
    let list = cli(&owner, |c| c.json(&["workspaces", "list"], "")).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["own"], true, "own workspace first: {list}");

    // A roster artist; an invitation for label staff with a first assignment.
    let w = ws.clone();
    let roster = cli(&owner, move |c| c.json(&["--workspace", &w, "roster", "add", "Mira Moon"], "")).await;
    let mira = roster[0]["id"].as_str().unwrap().to_string();
    let (w, m) = (ws.clone(), mira.clone());
    let inv = cli(&owner, move |c| {
        c.json(&["--workspace", &w, "invite", "create", "--email", "Sam@Example.com", "--role", "label_staff", "--artist", &m], "")
    })
    .await;
    assert_eq!(inv["email"], "sam@example.com");
    assert_eq!(inv["role"], "label_staff");
    assert_eq!(inv["accepted"], false);
    let link = inv["link"].as_str().unwrap().to_string();
    assert!(link.starts_with(&format!("{base}/invite/rdi_")), "{link}");
    // Listed as pending, without the link (the server keeps only its hash).
    let w = ws.clone();
    let pending = cli(&owner, move |c| c.json(&["--workspace", &w, "invite", "list"], "")).await;
    assert_eq!(pending[0]["accepted"], false);
    assert!(pending[0]["link"].is_null());

    // Bad input is refused with its own code.
    let w = ws.clone();
    let err = cli(&owner, move |c| c.fails(&["--workspace", &w, "invite", "create", "--email", "nobody", "--role", "label_staff"], "")).await;
    assert!(err.contains("[invalid_input]") && err.contains("email"), "{err}");
    let w = ws.clone();
    let err = cli(&owner, move |c| c.fails(&["--workspace", &w, "invite", "create", "--email", "x@example.com", "--role", "boss"], "")).await;
    assert!(err.contains("[invalid_input]") && err.contains("role"), "{err}");
    // Label roles in an artist workspace.
    let err = cli(&owner, |c| c.fails(&["invite", "create", "--email", "x@example.com", "--role", "label_admin"], "")).await;
    assert!(err.contains("[not_a_label]"), "{err}");

    // Someone else cannot use Sam's link; garbage is not a link; another server's link is refused.
    let l = link.clone();
    let err = cli(&eve, move |c| c.fails(&["invite", "accept", &l], "")).await;
    assert!(err.contains("[invitation_email_mismatch]"), "{err}");
    let err = cli(&staff, |c| c.fails(&["invite", "accept", "please let me in"], "")).await;
    assert!(err.contains("[invitation_link_invalid]"), "{err}");
    let other = link.replace(&base, "https://elsewhere.example.com");
    let err = cli(&staff, move |c| c.fails(&["invite", "accept", &other], "")).await;
    assert!(err.contains("[invitation_other_server]"), "{err}");
    let err = cli(&staff, |c| c.fails(&["invite", "accept", "rdi_doesnotexist0000000"], "")).await;
    assert!(err.contains("[invitation_not_found]"), "{err}");

    // Sam accepts and sees the label with the artist assigned to them.
    let l = link.clone();
    let joined = cli(&staff, move |c| c.json(&["invite", "accept", &l], "")).await;
    assert_eq!(joined["workspace"]["id"], ws.as_str());
    assert_eq!(joined["workspace"]["name"], "Night Label");
    assert_eq!(joined["workspace"]["role"], "label_staff");
    let l = link.clone();
    let err = cli(&staff, move |c| c.fails(&["invite", "accept", &l], "")).await;
    assert!(err.contains("[invitation_used]"), "{err}");
    let w = ws.clone();
    let team = cli(&staff, move |c| c.json(&["--workspace", &w, "workspaces", "show"], "")).await;
    assert_eq!(team["can_manage"], false);
    assert_eq!(team["roster"].as_array().unwrap().len(), 1);
    assert_eq!(team["roster"][0]["name"], "Mira Moon");
    assert!(team["invitations"].as_array().unwrap().is_empty());
    let sam_id = team["members"].as_array().unwrap().iter().find(|m| m["is_me"] == true).unwrap()["user_id"].as_str().unwrap().to_string();
    assert_eq!(team["roster"][0]["staff"][0], sam_id.as_str());
    // Staff may not invite.
    let w = ws.clone();
    let err = cli(&staff, move |c| c.fails(&["--workspace", &w, "invite", "create", "--email", "y@example.com", "--role", "label_staff"], "")).await;
    assert!(err.contains("[platform_forbidden]"), "{err}");
    // Eve is no member: the label does not exist for her.
    let w = ws.clone();
    let err = cli(&eve, move |c| c.fails(&["--workspace", &w, "workspaces", "show"], "")).await;
    assert!(err.contains("[platform_not_found]"), "{err}");

    // The owner sees Sam as a member and the invitation accepted; the text form names Sam as
    // Mira's staff.
    let w = ws.clone();
    let members = cli(&owner, move |c| c.json(&["--workspace", &w, "member", "list"], "")).await;
    let roles: Vec<(&str, &str)> = members.as_array().unwrap().iter().map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap())).collect();
    assert_eq!(roles, vec![("owner@example.com", "owner"), ("sam@example.com", "label_staff")]);
    let w = ws.clone();
    let shown = cli(&owner, move |c| c.text(&["--workspace", &w, "workspaces", "show"])).await;
    assert!(shown.contains("Mira Moon — staff: Sam Staff"), "{shown}");
    assert!(shown.contains("sam@example.com label_staff accepted"), "{shown}");

    // Unassign, assign again, promote, then remove.
    let (w, m, s) = (ws.clone(), mira.clone(), sam_id.clone());
    let r = cli(&owner, move |c| c.json(&["--workspace", &w, "roster", "unassign", &m, &s], "")).await;
    assert!(r[0]["staff"].as_array().unwrap().is_empty());
    let (w, m, s) = (ws.clone(), mira.clone(), sam_id.clone());
    let r = cli(&owner, move |c| c.json(&["--workspace", &w, "roster", "assign", &m, &s], "")).await;
    assert_eq!(r[0]["staff"][0], sam_id.as_str());
    let (w, s) = (ws.clone(), sam_id.clone());
    let members = cli(&owner, move |c| c.json(&["--workspace", &w, "member", "set-role", &s, "label_admin"], "")).await;
    assert_eq!(members[1]["role"], "label_admin");
    let owner_id = members[0]["user_id"].as_str().unwrap().to_string();
    let (w, o) = (ws.clone(), owner_id.clone());
    let err = cli(&owner, move |c| c.fails(&["--workspace", &w, "member", "remove", &o], "")).await;
    assert!(err.contains("[platform_forbidden]"), "{err}");
    let (w, s) = (ws.clone(), sam_id.clone());
    let members = cli(&owner, move |c| c.json(&["--workspace", &w, "member", "remove", &s], "")).await;
    assert_eq!(members.as_array().unwrap().len(), 1);
    let w = ws.clone();
    let err = cli(&staff, move |c| c.fails(&["--workspace", &w, "workspaces", "show"], "")).await;
    assert!(err.contains("[platform_not_found]"), "{err}");

    // A withdrawn invitation's link stops working.
    let w = ws.clone();
    let inv = cli(&owner, move |c| c.json(&["--workspace", &w, "invite", "create", "--email", "eve@example.com", "--role", "collaborator"], "")).await;
    let (w, id) = (ws.clone(), inv["id"].as_str().unwrap().to_string());
    cli(&owner, move |c| c.json(&["--workspace", &w, "invite", "revoke", &id], "")).await;
    let l = inv["link"].as_str().unwrap().to_string();
    let err = cli(&eve, move |c| c.fails(&["invite", "accept", &l], "")).await;
    assert!(err.contains("[invitation_not_found]"), "{err}");

    srv.stop().await;
}
