//! The authorisation matrix: every route of the API (as listed by the generated /openapi.json)
//! against every role, as data. A route without a row fails the test, and so does a row for a
//! route that no longer exists.
//!
//! Actors: O owner, A label admin, S label staff (assigned to roster artist R1 only), U artist
//! (R1 is theirs), C collaborator, X outsider (a signed-up user of no part of the label),
//! N no token, R a revoked token (of the owner).

mod common;

use base64::Engine;
use common::{Pg, Server, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const ACTORS: [char; 8] = ['O', 'A', 'S', 'U', 'C', 'X', 'N', 'R'];

/// One row: the route as in the OpenAPI document, how its path parameters are bound
/// (`param=key`, keys resolved by `World::value`), an optional body / tus headers, how the
/// request is authenticated, and the expected status per actor (`O,A=200 S=403 *=404`; every
/// actor exactly once, `*` for the rest).
struct Case {
    route: &'static str,
    bind: &'static str,
    /// A JSON body with `%key%` placeholders (or, for POST /v1/uploads, `workspace=label`).
    body: &'static str,
    auth: Auth,
    expect: &'static str,
}

#[derive(Clone, Copy, PartialEq)]
enum Auth {
    /// The actor's main token.
    Main,
    /// A fresh token of the actor (for routes that revoke the token they are called with).
    Fresh,
}

use Auth::*;

const fn case(route: &'static str, bind: &'static str, body: &'static str, expect: &'static str) -> Case {
    Case { route, bind, body, auth: Main, expect }
}

#[rustfmt::skip]
fn matrix() -> Vec<Case> {
    vec![
        case("GET /health", "", "", "*=200"),
        case("GET /openapi.json", "", "", "*=200"),
        case("POST /v1/auth/signup", "", r#"{"email":"%unique_email%","password":"%password%","name":"New"}"#, "*=201"),
        case("POST /v1/auth/login", "", r#"{"email":"outsider@example.com","password":"%password%"}"#, "*=200"),
        Case { route: "POST /v1/auth/logout", bind: "", body: "", auth: Fresh, expect: "O,A,S,U,C,X=204 N,R=401" },
        case("GET /v1/me", "", "", "O,A,S,U,C,X=200 N,R=401"),
        case("GET /v1/auth/tokens", "", "", "O,A,S,U,C,X=200 N,R=401"),
        case("DELETE /v1/auth/tokens/{token_id}", "token_id=own_fresh_token", "", "O,A,S,U,C,X=204 N,R=401"),
        case("DELETE /v1/auth/tokens/{token_id}", "token_id=owner_fresh_token", "", "O=204 A,S,U,C,X=404 N,R=401"),
        case("GET /v1/workspaces", "", "", "O,A,S,U,C,X=200 N,R=401"),
        case("POST /v1/workspaces", "", r#"{"name":"Another","kind":"label"}"#, "O,A,S,U,C,X=201 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}", "workspace_id=label", "", "O,A,S,U,C=200 X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}", "workspace_id=owner_ws", "", "O=200 A,S,U,C,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}", "workspace_id=artist_ws", "", "U=200 O,A,S,C,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/members", "workspace_id=label", "", "O,A,S=200 U,C=403 X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/members", "workspace_id=artist_ws", "", "U=200 O,A,S,C,X=404 N,R=401"),
        case("PATCH /v1/workspaces/{workspace_id}/members/{user_id}", "workspace_id=label user_id=collab_user", r#"{"role":"collaborator"}"#, "O,A=204 S,U,C=403 X=404 N,R=401"),
        case("PATCH /v1/workspaces/{workspace_id}/members/{user_id}", "workspace_id=label user_id=owner_user", r#"{"role":"label_staff"}"#, "O,A,S,U,C=403 X=404 N,R=401"),
        case("DELETE /v1/workspaces/{workspace_id}/members/{user_id}", "workspace_id=label user_id=fresh_member", "", "O,A=204 S,U,C=403 X=404 N,R=401"),
        case("DELETE /v1/workspaces/{workspace_id}/members/{user_id}", "workspace_id=label user_id=owner_user", "", "O,A,S,U,C=403 X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/roster", "workspace_id=label", "", "O,A,S,U=200 C=403 X=404 N,R=401"),
        case("POST /v1/workspaces/{workspace_id}/roster", "workspace_id=label", r#"{"name":"Newcomer"}"#, "O,A=201 S,U,C=403 X=404 N,R=401"),
        case("POST /v1/workspaces/{workspace_id}/roster", "workspace_id=artist_ws", r#"{"name":"Newcomer"}"#, "U=409 O,A,S,C,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/roster/{artist_id}", "workspace_id=label artist_id=r1", "", "O,A,S,U=200 C,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/roster/{artist_id}", "workspace_id=label artist_id=r2", "", "O,A=200 S,U,C,X=404 N,R=401"),
        case("PATCH /v1/workspaces/{workspace_id}/roster/{artist_id}", "workspace_id=label artist_id=r1", r#"{"name":"Artist One"}"#, "O,A,S=200 U=403 C,X=404 N,R=401"),
        case("PATCH /v1/workspaces/{workspace_id}/roster/{artist_id}", "workspace_id=label artist_id=r2", r#"{"name":"Artist Two"}"#, "O,A=200 S,U,C,X=404 N,R=401"),
        case("DELETE /v1/workspaces/{workspace_id}/roster/{artist_id}", "workspace_id=label artist_id=fresh_artist", "", "O,A=204 S,U,C,X=404 N,R=401"),
        case("DELETE /v1/workspaces/{workspace_id}/roster/{artist_id}", "workspace_id=label artist_id=fresh_assigned", "", "O,A=204 S=403 U,C,X=404 N,R=401"),
        case("PUT /v1/workspaces/{workspace_id}/roster/{artist_id}/staff/{user_id}", "workspace_id=label artist_id=r1 user_id=staff_user", "", "O,A=204 S,U=403 C,X=404 N,R=401"),
        case("DELETE /v1/workspaces/{workspace_id}/roster/{artist_id}/staff/{user_id}", "workspace_id=label artist_id=fresh_assigned user_id=staff_user", "", "O,A=204 S=403 U,C,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/invitations", "workspace_id=label", "", "O,A=200 S,U,C=403 X=404 N,R=401"),
        case("POST /v1/workspaces/{workspace_id}/invitations", "workspace_id=label", r#"{"email":"%unique_email%","role":"collaborator"}"#, "O,A=201 S,U,C=403 X=404 N,R=401"),
        case("DELETE /v1/workspaces/{workspace_id}/invitations/{invitation_id}", "workspace_id=label invitation_id=fresh_invitation", "", "O,A=204 S,U,C=403 X=404 N,R=401"),
        case("POST /v1/invitations/{token}/accept", "token=invitation_for_me", "", "O=409 A,S,U,C,X=200 N,R=401"),
        case("POST /v1/invitations/{token}/accept", "token=invitation_for_someone_else", "", "O,A,S,U,C,X=403 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/statements", "workspace_id=label", "", "O,A,S,U,C=200 X=404 N,R=401"),
        case("POST /v1/workspaces/{workspace_id}/statements", "workspace_id=label", r#"{"payee_user_id":"%collab_user%","period":"2026-01","title":"Q1","amount":"12.34","currency":"EUR"}"#, "O,A=201 S,U,C=403 X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/statements/{statement_id}", "workspace_id=label statement_id=st_collab", "", "O,A,C=200 S,U,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/statements/{statement_id}", "workspace_id=label statement_id=st_artist", "", "O,A,S,U=200 C,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/statements/{statement_id}", "workspace_id=label statement_id=st_r2", "", "O,A=200 S,U,C,X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/assets", "workspace_id=label", "", "O,A,S,U=200 C=403 X=404 N,R=401"),
        case("OPTIONS /v1/uploads", "", "", "*=204"),
        case("POST /v1/uploads", "", "workspace=label", "O,A,S,U=201 C=403 X=404 N,R=401"),
        case("POST /v1/uploads", "", "", "O,A,S,U,C,X=201 N,R=401"),
        case("HEAD /v1/uploads/{upload_id}", "upload_id=upload", "", "O,A,S,U=200 C,X=404 N,R=401"),
        case("PATCH /v1/uploads/{upload_id}", "upload_id=upload", "", "O,A,S,U=204 C,X=404 N,R=401"),
        case("DELETE /v1/uploads/{upload_id}", "upload_id=fresh_upload", "", "O,A,S,U=204 C,X=404 N,R=401"),
        // Sync: a push answers 200 with a result per change; the matrix reads a refused change's
        // code as its status (forbidden 403, not_found 404), so each row is about that change.
        case("GET /v1/sync/info", "", "", "*=200"),
        case("GET /v1/sync/pull?since=0", "", "", "O,A,S,U,C,X=200 N,R=401"),
        case("POST /v1/sync/push", "", r#"{"changes":[{"change_id":"%fresh_uuid%","workspace_id":"%label%","table":"artists","pk":"%fresh_uuid%","hlc":"000000000000001-00000-m","fields":{"name":"N"}}]}"#, "O,A,S,U=200 C=403 X=404 N,R=401"),
        case("POST /v1/sync/push", "", r#"{"changes":[{"change_id":"%fresh_uuid%","workspace_id":"%label%","table":"workspaces","pk":"%label%","hlc":"000000000000001-00000-m","fields":{"name":"Label"}}]}"#, "O,A=200 S,U,C=403 X=404 N,R=401"),
        case("POST /v1/sync/push", "", r#"{"changes":[{"change_id":"%fresh_uuid%","table":"match_rules","pk":"%fresh_uuid%","hlc":"000000000000001-00000-m","fields":{"match_key":"K"}}]}"#, "O,A,S,U,C,X=200 N,R=401"),
        // The label's ledger is its owner's, admins' and staff's: a roster artist may not write it.
        case("POST /v1/sync/push", "", r#"{"changes":[{"change_id":"%fresh_uuid%","workspace_id":"%label%","table":"payee_statements","pk":"%fresh_uuid%","hlc":"000000000000001-00000-m","fields":{"period":"2026-03"}}]}"#, "O,A,S=200 U,C=403 X=404 N,R=401"),
        // A change off its documented schema (empty hlc) makes the push malformed: nothing applies.
        case("POST /v1/sync/push", "", r#"{"changes":[{"change_id":"%fresh_uuid%","table":"match_rules","pk":"%fresh_uuid%","hlc":"","fields":{"match_key":"K"}}]}"#, "O,A,S,U,C,X=422 N,R=401"),
        // Statement files (stored once by the owner while the world is built: a PUT of the stored
        // bytes is 204); the label's ledger: not its roster artists'.
        case("PUT /v1/workspaces/{workspace_id}/statement-files/{sha256}", "workspace_id=label sha256=statement_sha", "Reporting Date\tSale Month\n", "O,A,S=204 U,C=403 X=404 N,R=401"),
        case("GET /v1/workspaces/{workspace_id}/statement-files/{sha256}", "workspace_id=label sha256=statement_sha", "", "O,A,S=200 U,C=403 X=404 N,R=401"),
    ]
}

fn parse_expect(s: &str) -> BTreeMap<char, u16> {
    let mut out = BTreeMap::new();
    let mut rest = None;
    for group in s.split_whitespace() {
        let (who, code) = group.split_once('=').unwrap_or_else(|| panic!("bad expectation group {group}"));
        let code: u16 = code.parse().unwrap();
        if who == "*" {
            rest = Some(code);
            continue;
        }
        for a in who.split(',') {
            let c = a.chars().next().unwrap();
            assert!(ACTORS.contains(&c) && a.len() == 1, "unknown actor {a} in {s}");
            assert!(out.insert(c, code).is_none(), "actor {c} twice in {s}");
        }
    }
    for a in ACTORS {
        out.entry(a).or_insert_with(|| rest.unwrap_or_else(|| panic!("actor {a} has no expectation in `{s}`")));
    }
    out
}

struct Actor {
    email: String,
    token: Option<String>,
    user_id: String,
}

struct World {
    actors: BTreeMap<char, Actor>,
    fixed: BTreeMap<&'static str, String>,
    counter: u32,
}

impl World {
    async fn build(srv: &Server) -> World {
        let mut actors = BTreeMap::new();
        for (c, email) in [
            ('O', "owner@example.com"),
            ('A', "admin@example.com"),
            ('S', "staff@example.com"),
            ('U', "artist@example.com"),
            ('C', "collab@example.com"),
            ('X', "outsider@example.com"),
        ] {
            let token = srv.signup(email, email).await;
            let user_id = srv.me(&token).await["id"].as_str().unwrap().to_string();
            actors.insert(c, Actor { email: email.into(), token: Some(token), user_id });
        }
        let o = actors[&'O'].token.clone().unwrap();
        let label = srv.create_workspace(&o, "Night Owl Records", "label").await;
        let r1 = srv.roster_add(&o, &label, "Artist One").await;
        let r2 = srv.roster_add(&o, &label, "Artist Two").await;
        for (c, role, roster) in [('A', "label_admin", None), ('S', "label_staff", Some(&r1)), ('U', "artist", Some(&r1)), ('C', "collaborator", None)] {
            let (_, inv) = srv.invite(&o, &label, &actors[&c].email, role, roster.map(|s| s.as_str())).await;
            srv.accept(actors[&c].token.as_ref().unwrap(), &inv).await;
        }
        let statement = |payee: String, roster: Option<String>, title: &'static str| {
            let o = o.clone();
            let label = label.clone();
            async move {
                let (s, v) = srv
                    .call(Method::POST, &format!("/v1/workspaces/{label}/statements"), Some(&o),
                        Some(json!({"payee_user_id": payee, "roster_artist_id": roster, "period": "2026-03", "title": title, "amount": "100.25", "currency": "EUR"})))
                    .await;
                assert_eq!(s, StatusCode::CREATED, "{v}");
                v["id"].as_str().unwrap().to_string()
            }
        };
        let st_collab = statement(actors[&'C'].user_id.clone(), None, "Session fee").await;
        let st_artist = statement(actors[&'U'].user_id.clone(), Some(r1.clone()), "Royalties R1").await;
        let st_r2 = statement(actors[&'O'].user_id.clone(), Some(r2.clone()), "Royalties R2").await;
        let res = srv.tus_create(&o, 10, &[("workspace", &label), ("filename", "a.wav")]).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let upload = res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
        let statement_sha = {
            use sha2::Digest;
            let body = "Reporting Date\tSale Month\n";
            let sha = hex::encode(sha2::Sha256::digest(body.as_bytes()));
            let res = srv.http.put(srv.url(&format!("/v1/workspaces/{label}/statement-files/{sha}"))).bearer_auth(&o).body(body).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            sha
        };
        // R: a token of the owner, revoked.
        let revoked = srv.login("owner@example.com").await;
        let (s, _) = srv.call(Method::POST, "/v1/auth/logout", Some(&revoked), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        actors.insert('R', Actor { email: "owner@example.com".into(), token: Some(revoked), user_id: actors[&'O'].user_id.clone() });
        actors.insert('N', Actor { email: "nobody@example.com".into(), token: None, user_id: String::new() });
        let owner_ws = srv.me(&o).await["workspace_id"].as_str().unwrap().to_string();
        let artist_ws = srv.me(actors[&'U'].token.as_ref().unwrap()).await["workspace_id"].as_str().unwrap().to_string();
        let mut fixed = BTreeMap::new();
        for (k, v) in [
            ("label", label),
            ("owner_ws", owner_ws),
            ("artist_ws", artist_ws),
            ("r1", r1),
            ("r2", r2),
            ("st_collab", st_collab),
            ("st_artist", st_artist),
            ("st_r2", st_r2),
            ("upload", upload),
            ("statement_sha", statement_sha),
            ("owner_user", actors[&'O'].user_id.clone()),
            ("staff_user", actors[&'S'].user_id.clone()),
            ("collab_user", actors[&'C'].user_id.clone()),
            ("password", PASSWORD.to_string()),
        ] {
            fixed.insert(k, v);
        }
        World { actors, fixed, counter: 0 }
    }

    fn owner(&self) -> String {
        self.actors[&'O'].token.clone().unwrap()
    }

    /// A fresh token of `email` and its id.
    async fn fresh_token(&self, srv: &Server, email: &str) -> (String, String) {
        let token = srv.login(email).await;
        let (_, list) = srv.call(Method::GET, "/v1/auth/tokens", Some(&token), None).await;
        let id = list.as_array().unwrap().iter().find(|t| t["current"] == json!(true)).unwrap()["id"].as_str().unwrap().to_string();
        (token, id)
    }

    /// Resolves a placeholder for one actor's request; `fresh_*` keys create a new resource.
    async fn value(&mut self, srv: &Server, key: &str, actor: char) -> String {
        if let Some(v) = self.fixed.get(key) {
            return v.clone();
        }
        self.counter += 1;
        let n = self.counter;
        let o = self.owner();
        let label = self.fixed["label"].clone();
        match key {
            "unique_email" => format!("new{n}@example.com"),
            "fresh_uuid" => uuid::Uuid::now_v7().to_string(),
            "own_fresh_token" => {
                let email = if matches!(actor, 'N' | 'R') { "owner@example.com".to_string() } else { self.actors[&actor].email.clone() };
                self.fresh_token(srv, &email).await.1
            }
            "owner_fresh_token" => self.fresh_token(srv, "owner@example.com").await.1,
            "fresh_member" => {
                let email = format!("member{n}@example.com");
                let t = srv.signup(&email, "Member").await;
                let (_, inv) = srv.invite(&o, &label, &email, "collaborator", None).await;
                srv.accept(&t, &inv).await;
                srv.me(&t).await["id"].as_str().unwrap().to_string()
            }
            "fresh_artist" => srv.roster_add(&o, &label, &format!("Fresh {n}")).await,
            "fresh_assigned" => {
                let r = srv.roster_add(&o, &label, &format!("Assigned {n}")).await;
                let staff = self.fixed["staff_user"].clone();
                let (s, v) = srv.call(Method::PUT, &format!("/v1/workspaces/{label}/roster/{r}/staff/{staff}"), Some(&o), None).await;
                assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
                r
            }
            "fresh_invitation" => srv.invite(&o, &label, &format!("invitee{n}@example.com"), "collaborator", None).await.0,
            "invitation_for_me" | "invitation_for_someone_else" => {
                let ws = srv.create_workspace(&o, &format!("Side label {n}"), "label").await;
                let email = if key == "invitation_for_me" && !matches!(actor, 'N' | 'R') {
                    self.actors[&actor].email.clone()
                } else {
                    format!("stranger{n}@example.com")
                };
                srv.invite(&o, &ws, &email, "collaborator", None).await.1
            }
            "fresh_upload" => {
                let res = srv.tus_create(&o, 10, &[("workspace", &label)]).await;
                assert_eq!(res.status(), StatusCode::CREATED);
                res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string()
            }
            other => panic!("unknown placeholder {other}"),
        }
    }

    async fn fill(&mut self, srv: &Server, template: &str, actor: char) -> String {
        let mut out = template.to_string();
        while let Some(start) = out.find('%') {
            let end = out[start + 1..].find('%').unwrap() + start + 1;
            let key = out[start + 1..end].to_string();
            let v = self.value(srv, &key, actor).await;
            out.replace_range(start..=end, &v);
        }
        out
    }
}

fn openapi_routes(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete", "head", "options"].contains(&method.as_str()) {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out.insert("GET /openapi.json".into());
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_against_every_role() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;

    // Completeness: the matrix and the API's routes are the same set.
    let (s, doc) = srv.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let routes = openapi_routes(&doc);
    let cases = matrix();
    // A row may carry a query string (required parameters); coverage is by path.
    let covered: BTreeSet<String> = cases.iter().map(|c| c.route.split('?').next().unwrap().to_string()).collect();
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(missing.is_empty(), "routes without an authorisation-matrix row: {missing:?}");
    let stale: Vec<_> = covered.difference(&routes).collect();
    assert!(stale.is_empty(), "matrix rows for routes that do not exist: {stale:?}");

    let mut world = World::build(&srv).await;
    let mut failures = Vec::new();
    for c in &cases {
        let expect = parse_expect(c.expect);
        let (method, template) = c.route.split_once(' ').unwrap();
        let bindings: Vec<(&str, &str)> = c.bind.split_whitespace().map(|b| b.split_once('=').unwrap()).collect();
        for actor in ACTORS {
            let mut path = template.to_string();
            for (param, key) in &bindings {
                let v = world.value(&srv, key, actor).await;
                path = path.replace(&format!("{{{param}}}"), &v);
            }
            let token = match (c.auth, actor) {
                (_, 'N') => None,
                (Fresh, 'R') | (Main, _) => world.actors[&actor].token.clone(),
                (Fresh, _) => Some(world.fresh_token(&srv, &world.actors[&actor].email.clone()).await.0),
            };
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = srv.http.request(method.clone(), srv.url(&path));
            if let Some(t) = &token {
                req = req.bearer_auth(t);
            }
            if path.starts_with("/v1/uploads") {
                req = req.header("Tus-Resumable", "1.0.0");
                if method == Method::POST {
                    req = req.header("Upload-Length", "10");
                    if c.body == "workspace=label" {
                        req = req.header("Upload-Metadata", format!("workspace {}", base64::engine::general_purpose::STANDARD.encode(&world.fixed["label"])));
                    }
                } else if method == Method::PATCH {
                    req = req.header("Upload-Offset", "0").header("Content-Type", "application/offset+octet-stream");
                }
            } else if !c.body.is_empty() {
                if path.starts_with("/v1/sync") {
                    req = req.header("Roadie-Sync-Protocol", "1");
                }
                let body = world.fill(&srv, c.body, actor).await;
                req = req.header("Content-Type", "application/json").body(body);
            }
            if path.starts_with("/v1/sync") && c.body.is_empty() {
                req = req.header("Roadie-Sync-Protocol", "1");
            }
            let res = req.send().await.expect("request");
            let mut status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            if path == "/v1/sync/push" && status == 200 {
                let v: Value = serde_json::from_str(&text).unwrap();
                let r = &v["results"][0];
                if r["status"] == "refused" {
                    status = match r["code"].as_str() {
                        Some("forbidden") => 403,
                        Some("not_found") => 404,
                        _ => 422,
                    };
                }
            }
            if status != expect[&actor] {
                failures.push(format!("{} [{}] as {actor}: expected {}, got {status} {text}", c.route, c.bind, expect[&actor]));
            } else if status >= 400 && method != Method::HEAD && !text.contains("\"results\"") {
                // Every error is JSON {code, message}.
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if !(v["code"].is_string() && v["message"].is_string()) {
                    failures.push(format!("{} as {actor}: error body is not {{code, message}}: {text}", c.route));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} authorisation failures:\n{}", failures.len(), failures.join("\n"));

    // Scopes inside a workspace: what each role sees in lists.
    let label = world.fixed["label"].clone();
    let names = |v: &Value, field: &str| -> BTreeSet<String> {
        v.as_array().unwrap().iter().map(|x| x[field].as_str().unwrap().to_string()).collect()
    };
    let tok = |c: char| world.actors[&c].token.clone().unwrap();
    let (_, roster) = srv.call(Method::GET, &format!("/v1/workspaces/{label}/roster"), Some(&tok('S')), None).await;
    // (the matrix left some extra artists assigned to the staff member: the ones that the
    // roles who may not delete them failed to delete)
    let staff_user = json!(world.fixed["staff_user"]);
    assert!(names(&roster, "id").contains(&world.fixed["r1"]) && !names(&roster, "id").contains(&world.fixed["r2"]));
    for r in roster.as_array().unwrap() {
        assert!(r["staff"].as_array().unwrap().contains(&staff_user), "staff see only their assigned artists: {r}");
    }
    let (_, roster) = srv.call(Method::GET, &format!("/v1/workspaces/{label}/roster"), Some(&tok('U')), None).await;
    assert_eq!(names(&roster, "id"), BTreeSet::from([world.fixed["r1"].clone()]), "an artist sees only their own entry");
    let (_, roster) = srv.call(Method::GET, &format!("/v1/workspaces/{label}/roster"), Some(&tok('A')), None).await;
    assert!(names(&roster, "id").contains(&world.fixed["r2"]), "the admin sees the whole roster");
    let statements = |c: char| {
        let t = tok(c);
        let label = label.clone();
        let srv = &srv;
        async move {
            let (s, v) = srv.call(Method::GET, &format!("/v1/workspaces/{label}/statements"), Some(&t), None).await;
            assert_eq!(s, StatusCode::OK);
            v
        }
    };
    let st = |k: &str| world.fixed[k].clone();
    // (the matrix published more statements for the collaborator)
    let collab = statements('C').await;
    assert!(names(&collab, "id").contains(&st("st_collab")));
    for x in collab.as_array().unwrap() {
        assert_eq!(x["payee_user_id"], json!(world.fixed["collab_user"]), "a collaborator reads only their statements: {x}");
    }
    assert_eq!(names(&statements('U').await, "id"), BTreeSet::from([st("st_artist")]), "an artist reads theirs and their roster entry's");
    assert_eq!(names(&statements('S').await, "id"), BTreeSet::from([st("st_artist")]), "staff read their assigned artists'");
    assert!(names(&statements('O').await, "id").is_superset(&BTreeSet::from([st("st_collab"), st("st_artist"), st("st_r2")])));

    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_rate_limited_per_account() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    srv.signup("victim@example.com", "Victim").await;
    srv.signup("bystander@example.com", "Bystander").await;
    let login = |email: &'static str, password: &'static str| {
        let srv = &srv;
        async move { srv.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": email, "password": password}))).await }
    };
    let limit = roadie_platform::Limits::default().signin_max_failures;
    for i in 0..limit {
        let (s, v) = login("victim@example.com", "wrong password").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}: {v}");
        assert_eq!(v["code"], "unauthorized");
    }
    // Locked now, even with the right password.
    let (s, v) = login("victim@example.com", PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["code"], "rate_limited");
    let res = srv.http.post(srv.url("/v1/auth/login")).json(&json!({"email": "VICTIM@example.com", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the limit ignores the address's case");
    assert!(res.headers().get("retry-after").is_some());
    // Another account is not affected.
    let (s, _) = login("bystander@example.com", PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    // A wrong password for an unknown account is the same 401 as for a known one.
    let (s, v) = login("nobody@example.com", "whatever").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_login_tokens_and_revocation() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let t1 = srv.signup("Ana@Example.com", "Ana").await;
    let (s, v) = srv.call(Method::POST, "/v1/auth/signup", None, Some(json!({"email": "ana@example.com", "password": PASSWORD, "name": "Ana"}))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("email_taken")));
    let (s, v) = srv.call(Method::POST, "/v1/auth/signup", None, Some(json!({"email": "not-an-email", "password": PASSWORD, "name": "Ana"}))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")));
    // NUL cannot be stored in PostgreSQL text: bad input, not a server error (found by
    // schemathesis).
    let (s, v) = srv.call(Method::POST, "/v1/auth/signup", None, Some(json!({"email": "nul@example.com", "password": PASSWORD, "name": "A\u{0}B"}))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")));
    let (s, _) = srv.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": "a\u{0}@example.com", "password": PASSWORD}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = srv.call(Method::POST, "/v1/auth/signup", None, Some(json!({"email": "x"}))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")));
    // The sign-up created the user's own artist workspace, owned by them.
    let (_, list) = srv.call(Method::GET, "/v1/workspaces", Some(&t1), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!((list[0]["kind"].as_str(), list[0]["role"].as_str()), (Some("artist"), Some("owner")));
    let t2 = srv.login("ana@example.com").await;
    assert_ne!(t1, t2);
    // Tokens are stored hashed: the database never holds the token itself.
    let hashes: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT token_hash FROM tokens").fetch_all(&srv.state.db).await.unwrap();
    assert!(hashes.iter().all(|(h,)| h.len() == 32 && !String::from_utf8_lossy(h).contains(&t1[4..])));
    let (_, tokens) = srv.call(Method::GET, "/v1/auth/tokens", Some(&t1), None).await;
    assert_eq!(tokens.as_array().unwrap().len(), 2);
    let other = tokens.as_array().unwrap().iter().find(|t| t["current"] == json!(false)).unwrap()["id"].as_str().unwrap().to_string();
    let (s, _) = srv.call(Method::DELETE, &format!("/v1/auth/tokens/{other}"), Some(&t1), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = srv.call(Method::GET, "/v1/me", Some(&t2), None).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (s, _) = srv.call(Method::GET, "/v1/me", Some(&t1), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = srv.call(Method::GET, "/v1/me", Some("rdp_not-a-real-token"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Every response carries a request id.
    let res = srv.http.get(srv.url("/health")).send().await.unwrap();
    assert!(res.headers().get("x-request-id").is_some());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_and_membership_changes() {
    let pg = Pg::start();
    let srv = Server::start(&pg).await;
    let owner = srv.signup("owner@example.com", "Owner").await;
    let staff = srv.signup("staff@example.com", "Staff").await;
    let label = srv.create_workspace(&owner, "Label", "label").await;
    let own_ws = srv.me(&owner).await["workspace_id"].as_str().unwrap().to_string();
    let r1 = srv.roster_add(&owner, &label, "R1").await;

    // Label roles only exist in a label; an artist invitation names its roster entry.
    let (s, v) = srv.call(Method::POST, &format!("/v1/workspaces/{own_ws}/invitations"), Some(&owner), Some(json!({"email": "x@example.com", "role": "label_staff"}))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("not_a_label")));
    let (s, _) = srv.call(Method::POST, &format!("/v1/workspaces/{label}/invitations"), Some(&owner), Some(json!({"email": "x@example.com", "role": "artist"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = srv.call(Method::POST, &format!("/v1/workspaces/{label}/invitations"), Some(&owner), Some(json!({"email": "x@example.com", "role": "owner"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Staff invited with a first assignment; the link works once.
    let (_, inv) = srv.invite(&owner, &label, "Staff@Example.com", "label_staff", Some(&r1)).await;
    srv.accept(&staff, &inv).await;
    let (s, v) = srv.call(Method::POST, &format!("/v1/invitations/{inv}/accept"), Some(&staff), None).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::GONE, Some("invitation_used")));
    let (s, _) = srv.call(Method::POST, "/v1/invitations/rdi_unknown/accept", Some(&staff), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, roster) = srv.call(Method::GET, &format!("/v1/workspaces/{label}/roster"), Some(&staff), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(roster.as_array().unwrap().len(), 1);

    // A withdrawn invitation no longer works.
    let other = srv.signup("other@example.com", "Other").await;
    let (id, inv) = srv.invite(&owner, &label, "other@example.com", "collaborator", None).await;
    let (s, _) = srv.call(Method::DELETE, &format!("/v1/workspaces/{label}/invitations/{id}"), Some(&owner), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = srv.call(Method::POST, &format!("/v1/invitations/{inv}/accept"), Some(&other), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Unassigned, the staff member sees no roster artist; removed, not the workspace either.
    let staff_id = srv.me(&staff).await["id"].as_str().unwrap().to_string();
    let (s, _) = srv.call(Method::DELETE, &format!("/v1/workspaces/{label}/roster/{r1}/staff/{staff_id}"), Some(&owner), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, roster) = srv.call(Method::GET, &format!("/v1/workspaces/{label}/roster"), Some(&staff), None).await;
    assert!(roster.as_array().unwrap().is_empty());
    let (s, _) = srv.call(Method::GET, &format!("/v1/workspaces/{label}/roster/{r1}"), Some(&staff), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = srv.call(Method::DELETE, &format!("/v1/workspaces/{label}/members/{staff_id}"), Some(&owner), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = srv.call(Method::GET, &format!("/v1/workspaces/{label}"), Some(&staff), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    srv.stop().await;
}
