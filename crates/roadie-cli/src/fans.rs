//! `roadie fans ...`: the fan CRM on the command line.

use crate::args::{FanFilterArgs, FansCmd, SegmentCmd};
use crate::run::{Ctx, Output};
use roadie::fans::import::{FanField, FanImportOptions};
use roadie::fans::{ContactFilter, ContactInput, ContactSummary, MergeChoices};
use roadie::jobs::CancelToken;
use roadie::{Error, FieldIssue, Result};
use std::collections::BTreeMap;
use uuid::Uuid;

impl From<FanFilterArgs> for ContactFilter {
    fn from(a: FanFilterArgs) -> Self {
        ContactFilter {
            query: a.query,
            tags: a.tags,
            country: a.country,
            city: a.city,
            source: a.source,
            consent: a.consent,
            last_activity_before: a.active_before,
            last_activity_after: a.active_after,
            spend_above: a.spend_above,
            spend_below: a.spend_below,
            spend_currency: a.spend_currency,
            purchased_release: a.purchased,
        }
    }
}

fn summaries(list: &[ContactSummary]) -> String {
    if list.is_empty() {
        return "no contacts found".into();
    }
    list.iter()
        .map(|c| {
            format!(
                "{}  {:<24}  {:<32}  {:<14}  {}",
                c.id,
                c.name.as_deref().unwrap_or("-"),
                c.email.as_deref().unwrap_or("-"),
                [c.city.as_deref(), c.country.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", "),
                c.consent.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A contact by id, or by one of its e-mails.
async fn contact_id(ctx: &Ctx<'_>, reference: &str) -> Result<Uuid> {
    if let Ok(id) = Uuid::parse_str(reference.trim()) {
        return Ok(ctx.store.get_contact(id).await?.id);
    }
    let ws = ctx.workspace().await?;
    let wanted = reference.trim().to_lowercase();
    let hits = ctx.store.search_contacts(ws.id, reference, 50).await?;
    hits.into_iter().find(|c| c.email.as_deref() == Some(wanted.as_str())).map(|c| c.id).ok_or_else(|| Error::not_found("contact", reference))
}

fn headers_of(path: &std::path::Path, encoding: Option<&str>) -> Result<Vec<String>> {
    use std::io::BufRead;
    let forced = encoding.map(roadie::textfile::encoding_by_name).transpose()?;
    let (decoded, _) = roadie::textfile::open(path, forced)?;
    let mut first = String::new();
    std::io::BufReader::new(decoded).read_line(&mut first)?;
    let delimiter = roadie::textfile::sniff_delimiter(&first);
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).from_reader(first.as_bytes());
    Ok(csv.records().next().and_then(|r| r.ok()).map(|r| r.iter().map(String::from).collect()).unwrap_or_default())
}

pub async fn run(ctx: &Ctx<'_>, out: &Output, cmd: FansCmd) -> Result<()> {
    let store = ctx.store;
    match cmd {
        FansCmd::Import { files, format, mapping, encoding, strict } => {
            let ws = ctx.workspace_or_create().await?;
            let options = FanImportOptions { format, mapping, encoding, strict };
            let mut reports = Vec::new();
            let mut failure = None;
            for file in &files {
                match store.import_fans(ws.id, file, &options, &|_| {}, &CancelToken::new()).await {
                    Ok(report) => reports.push(serde_json::to_value(&report).expect("serialisable")),
                    Err(err) => {
                        reports.push(serde_json::json!({ "path": file.display().to_string(), "error": err.payload() }));
                        failure.get_or_insert(err);
                    }
                }
            }
            let value = serde_json::json!({ "files": reports });
            out.show(&value, |v| {
                v["files"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| match f.get("error") {
                        Some(e) => format!("{}: failed: {}", f["path"].as_str().unwrap_or(""), e["message"].as_str().unwrap_or("")),
                        None if f["duplicate_file"] == true => format!("{}: already imported, nothing changed", f["path"].as_str().unwrap_or("")),
                        None => {
                            let mut text = format!(
                                "{}: {} rows ({}), {} new, {} merged, {} invalid",
                                f["path"].as_str().unwrap_or(""),
                                f["rows"],
                                f["format"].as_str().unwrap_or(""),
                                f["created"],
                                f["merged"],
                                f["invalid"].as_array().map(Vec::len).unwrap_or(0)
                            );
                            for bad in f["invalid"].as_array().into_iter().flatten().take(20) {
                                text.push_str(&format!("\n  line {}: {}", bad["line"], bad["reason"].as_str().unwrap_or("")));
                            }
                            text
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            if let Some(err) = failure {
                return Err(err);
            }
        }
        FansCmd::Mapping { name, file, maps, encoding } => {
            let ws = ctx.workspace_or_create().await?;
            let headers = headers_of(&file, encoding.as_deref())?;
            let mut fields = BTreeMap::new();
            for m in &maps {
                let bad = |detail: String| Error::invalid("mapping", vec![FieldIssue::new("map", "invalid", detail)]);
                let (field, header) = m.split_once('=').ok_or_else(|| bad(format!("'{m}' is not FIELD=HEADER")))?;
                let field = FanField::parse(field).ok_or_else(|| bad(format!("unknown field '{field}'")))?;
                fields.insert(field, header.to_string());
            }
            store.save_fan_mapping(ws.id, &name, &headers, &fields).await?;
            out.show(&serde_json::json!({ "saved": name, "headers": headers }), |_| format!("saved mapping {name}"));
        }
        FansCmd::Add { name, emails, phone, city, country, tags } => {
            let ws = ctx.workspace_or_create().await?;
            let input = ContactInput { name, emails, phone, city, country, tags, ..ContactInput::default() };
            let c = store.create_contact(ws.id, input, "manual").await?;
            out.show(&c, |c| format!("added {} ({})", c.name.as_deref().or(c.email.as_deref()).unwrap_or("contact"), c.id));
        }
        FansCmd::Search { query, limit } => {
            let ws = ctx.workspace().await?;
            let hits = store.search_contacts(ws.id, &query, limit).await?;
            out.show(&hits, |h| summaries(h));
        }
        FansCmd::Count { filter, segment } => {
            let ws = ctx.workspace().await?;
            let count = match segment {
                Some(name) => store.segment_by_name(ws.id, &name).await?.count,
                None => store.count_contacts(ws.id, &filter.into()).await?,
            };
            out.show(&serde_json::json!({ "count": count }), |_| count.to_string());
        }
        FansCmd::Show { contact } => {
            let id = contact_id(ctx, &contact).await?;
            let record = store.contact_record(id).await?;
            out.show(&record, |r| serde_json::to_string_pretty(r).expect("serialisable"));
        }
        FansCmd::Tag { contacts, tags } => {
            let mut ids = Vec::new();
            for c in &contacts {
                ids.push(contact_id(ctx, c).await?);
            }
            let n = store.tag_contacts(&ids, &tags).await?;
            out.show(&serde_json::json!({ "tagged": n }), |_| format!("tagged {n} contact(s)"));
        }
        FansCmd::Erase { contact } => {
            let id = contact_id(ctx, &contact).await?;
            store.erase_contact(id).await?;
            out.show(&serde_json::json!({ "erased": true, "id": id }), |_| format!("erased {id}"));
        }
        FansCmd::Dupes => {
            let ws = ctx.workspace().await?;
            let groups = store.duplicate_suggestions(ws.id).await?;
            out.show(&groups, |g| {
                if g.is_empty() {
                    return "no likely duplicates".into();
                }
                g.iter().map(|g| format!("{}:\n{}", g.reason, summaries(&g.contacts))).collect::<Vec<_>>().join("\n\n")
            });
        }
        FansCmd::Merge { keep, others } => {
            let keep = contact_id(ctx, &keep).await?;
            let mut ids = Vec::new();
            for o in &others {
                ids.push(contact_id(ctx, o).await?);
            }
            let merged = store.merge_contacts(keep, &ids, &MergeChoices::default()).await?;
            out.show(&merged, |c| format!("merged into {} ({} e-mails)", c.id, c.emails.len()));
        }
        FansCmd::Segment(SegmentCmd::Save { name, filter }) => {
            let ws = ctx.workspace().await?;
            let seg = store.save_segment(ws.id, &name, &filter.into()).await?;
            out.show(&seg, |s| format!("segment {}: {} contact(s)", s.name, s.count));
        }
        FansCmd::Segment(SegmentCmd::List) => {
            let ws = ctx.workspace().await?;
            let segs = store.list_segments(ws.id).await?;
            out.show(&segs, |l| l.iter().map(|s| format!("{:>7}  {}", s.count, s.name)).collect::<Vec<_>>().join("\n"));
        }
        FansCmd::Export { out: path, segment, format, all } => {
            let ws = ctx.workspace().await?;
            let filter = match segment {
                Some(name) => store.segment_by_name(ws.id, &name).await?.filter,
                None => ContactFilter::default(),
            };
            let file = std::fs::File::create(&path)
                .map_err(|e| Error::FileUnreadable { path: path.display().to_string(), reason: e.to_string() })?;
            let summary = store.export_contacts(ws.id, &filter, format, all, std::io::BufWriter::new(file)).await?;
            out.show(&summary, |s| format!("wrote {} contact(s) to {} ({} without opt-in left out)", s.written, path.display(), s.skipped));
        }
        FansCmd::LinkSales => {
            let ws = ctx.workspace().await?;
            let report = store.link_bandcamp_sales(ws.id).await?;
            out.show(&report, |r| {
                format!(
                    "{} Bandcamp sale(s) with a buyer e-mail: {} new purchase(s) for {} fan(s); {} by buyers who are not fans",
                    r.sales, r.linked, r.contacts, r.unknown_buyers
                )
            });
        }
    }
    Ok(())
}
