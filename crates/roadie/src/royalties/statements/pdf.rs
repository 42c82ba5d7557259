//! The statement as PDF (A4): the issuer's and payee's names, the summary, earnings by release
//! and track, by store and by territory, the rates used and recoupment. Text is set in a CJK
//! font (Noto Sans CJK SC: Latin, Chinese, Japanese and Korean in one face), embedded as a
//! subset of the glyphs used. No dates or random ids are written: the same statement gives the
//! same bytes.

use super::document::{EarningRow, StatementDocument};
use crate::error::{Error, Result};
use crate::royalties::money::fmt_amount;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Environment variable naming the font file (TTF/OTF, or TTC with `#INDEX`) statements use.
pub const FONT_ENV: &str = "ROADIE_PDF_FONT";

/// Where a CJK font is looked for when `ROADIE_PDF_FONT` is not set (collection index 2 is
/// Noto Sans CJK SC).
const FONT_CANDIDATES: [(&str, u32); 4] = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2), // Debian/Ubuntu fonts-noto-cjk
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),      // Arch, Fedora
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0), // macOS
];

/// The font statements are set in: `ROADIE_PDF_FONT` (`PATH` or `PATH#INDEX`), else the first
/// installed candidate.
pub fn find_font() -> Result<(PathBuf, u32)> {
    if let Some(v) = std::env::var_os(FONT_ENV).filter(|v| !v.is_empty()) {
        let v = v.to_string_lossy().to_string();
        return Ok(match v.rsplit_once('#') {
            Some((p, i)) if i.parse::<u32>().is_ok() => (PathBuf::from(p), i.parse().expect("checked")),
            _ => (PathBuf::from(v), 0),
        });
    }
    FONT_CANDIDATES
        .iter()
        .find(|(p, _)| Path::new(p).exists())
        .map(|(p, i)| (PathBuf::from(p), *i))
        .ok_or_else(|| Error::FileUnreadable {
            path: FONT_CANDIDATES[0].0.into(),
            reason: format!("no CJK font for PDF statements: install fonts-noto-cjk or set {FONT_ENV}=FILE[#INDEX]"),
        })
}

pub fn load_font(path: &Path, index: u32) -> Result<Font> {
    let shown = path.display().to_string();
    let data = std::fs::read(path).map_err(|e| Error::FileUnreadable { path: shown.clone(), reason: e.to_string() })?;
    Font::new(data.into(), index).ok_or_else(|| Error::FileUnreadable { path: shown, reason: format!("not a font (index {index})") })
}

const W: f32 = 595.0;
const H: f32 = 842.0;
const MARGIN: f32 = 48.0;
const LINE: f32 = 14.0;

/// A run of text on a page: x, y, size, text, right-aligned.
type Placed = (f32, f32, f32, String, bool);

struct Writer<'a> {
    doc: Document,
    font: &'a Font,
    pages: Vec<Vec<Placed>>,
    rules: Vec<Vec<f32>>,
    y: f32,
}

impl<'a> Writer<'a> {
    fn new(font: &'a Font) -> Self {
        Writer { doc: Document::new(), font, pages: vec![Vec::new()], rules: vec![Vec::new()], y: MARGIN }
    }

    fn ensure(&mut self, space: f32) {
        if self.y + space > H - MARGIN - LINE {
            self.pages.push(Vec::new());
            self.rules.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y;
        self.pages.last_mut().expect("a page").push((x, y, size, text.to_string(), false));
    }

    fn right(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y;
        self.pages.last_mut().expect("a page").push((x, y, size, text.to_string(), true));
    }

    fn rule(&mut self) {
        let y = self.y - LINE + 4.0;
        self.rules.last_mut().expect("a page").push(y);
    }

    fn down(&mut self, by: f32) {
        self.y += by;
    }

    fn heading(&mut self, text: &str) {
        self.ensure(LINE * 4.0);
        self.down(LINE * 0.8);
        self.text(MARGIN, 11.0, text);
        self.down(LINE);
        self.rule();
    }

    fn finish(mut self, footer: &str) -> Result<Vec<u8>> {
        let count = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let rules = std::mem::take(&mut self.rules);
        for (n, (texts, rules)) in pages.into_iter().zip(rules).enumerate() {
            let mut page = self.doc.start_page_with(PageSettings::from_wh(W, H).expect("A4"));
            let mut surface = page.surface();
            for (x, y, size, text, right) in texts {
                let x = if right { x - approx_width(&text, size) } else { x };
                surface.draw_text(Point::from_xy(x, y), self.font.clone(), size, &text, false, TextDirection::Auto);
            }
            surface.set_stroke(Some(Stroke { width: 0.5, ..Stroke::default() }));
            for y in rules {
                let mut pb = PathBuilder::new();
                pb.move_to(MARGIN, y);
                pb.line_to(W - MARGIN, y);
                if let Some(path) = pb.finish() {
                    surface.draw_path(&path);
                }
            }
            surface.set_stroke(None);
            let foot = format!("{footer} · {}/{}", n + 1, count);
            surface.draw_text(Point::from_xy(MARGIN, H - MARGIN / 2.0), self.font.clone(), 7.0, &foot, false, TextDirection::Auto);
            surface.finish();
            page.finish();
        }
        self.doc.finish().map_err(|e| Error::FileUnreadable { path: "(statement PDF)".into(), reason: format!("{e:?}") })
    }
}

/// The width of a run of text, near enough to right-align figures (digits, separators and the
/// Latin of this font are about half an em; CJK characters a full em).
fn approx_width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if c.is_ascii() { 0.55 } else { 1.0 }).sum::<f32>() * size
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Sums the converted earnings by a key, largest first (ties by key), at most `top` rows (the
/// rest as one "Other" row).
fn by_key(rows: &[EarningRow], key: impl Fn(&EarningRow) -> String, top: usize) -> Vec<(String, Decimal)> {
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in rows {
        *sums.entry(key(r)).or_default() += r.converted;
    }
    let mut v: Vec<(String, Decimal)> = sums.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if v.len() > top {
        let rest: Decimal = v[top..].iter().map(|r| r.1).sum();
        let others = v.len() - top;
        v.truncate(top);
        v.push((format!("Other ({others})"), rest));
    }
    v
}

pub fn render(doc: &StatementDocument, font: &Font) -> Result<Vec<u8>> {
    let cur = doc.currency.as_str();
    let money = |d: Decimal| format!("{} {cur}", fmt_amount(d, cur));
    let mut w = Writer::new(font);
    w.doc.set_metadata(
        Metadata::new()
            .title(format!("Royalty statement {} – {}", doc.period, doc.payee))
            .creator("Roadie".into())
            .document_id(doc.statement_id.to_string()),
    );
    w.down(LINE);
    w.text(MARGIN, 18.0, &doc.issuer);
    w.down(LINE * 1.6);
    w.text(MARGIN, 12.0, &format!("Royalty statement · 版税结算单 · {}", doc.period));
    w.down(LINE * 1.8);
    w.text(MARGIN, 10.0, "Payee");
    w.text(MARGIN + 110.0, 12.0, &doc.payee);
    w.down(LINE * 1.2);
    w.text(MARGIN, 8.0, "Payee id");
    w.text(MARGIN + 110.0, 8.0, &doc.payee_id.to_string());
    w.down(LINE);
    w.text(MARGIN, 8.0, "Statement id");
    w.text(MARGIN + 110.0, 8.0, &doc.statement_id.to_string());
    w.down(LINE);
    w.text(MARGIN, 8.0, "Currency");
    w.text(MARGIN + 110.0, 8.0, cur);
    w.down(LINE);

    w.heading("Summary");
    let adjustments: Decimal = doc.earnings.iter().filter(|e| e.reported < doc.period).map(|e| e.converted).sum();
    let mut summary = vec![
        ("Balance brought forward", doc.balance_brought_forward),
        ("Payments since the last statement", doc.payments),
        ("Earned this period", doc.earned),
    ];
    if !adjustments.is_zero() {
        summary.push(("  of which adjustments to earlier periods", adjustments));
    }
    summary.extend([("Recouped", doc.recouped), ("Payable this period", doc.payable), ("Balance due", doc.balance)]);
    for (label, amount) in summary {
        w.text(MARGIN, 10.0, label);
        w.right(W - MARGIN, 10.0, &money(amount));
        w.down(LINE);
    }

    w.heading("Earnings by release and track");
    let release_track = by_key(&doc.earnings, |e| format!("{} — {}", e.release, e.track), 40);
    for (key, amount) in release_track {
        w.ensure(LINE);
        w.text(MARGIN, 9.0, &clip(&key, 70));
        w.right(W - MARGIN, 9.0, &money(amount));
        w.down(LINE);
    }
    w.heading("Earnings by store");
    for (key, amount) in by_key(&doc.earnings, |e| e.store.clone(), 20) {
        w.ensure(LINE);
        w.text(MARGIN, 9.0, &clip(&key, 70));
        w.right(W - MARGIN, 9.0, &money(amount));
        w.down(LINE);
    }
    w.heading("Earnings by territory");
    for (key, amount) in by_key(&doc.earnings, |e| if e.territory.is_empty() { "unknown".into() } else { e.territory.clone() }, 20) {
        w.ensure(LINE);
        w.text(MARGIN, 9.0, &key);
        w.right(W - MARGIN, 9.0, &money(amount));
        w.down(LINE);
    }

    w.heading("Currencies and exchange rates used");
    for b in &doc.by_currency {
        w.ensure(LINE);
        w.text(MARGIN, 9.0, &format!("{} {}", fmt_amount(b.amount, &b.currency), b.currency));
        w.text(MARGIN + 120.0, 9.0, &format!("× {} ({} → {}, {}, {})", b.rate.rate, b.rate.from, b.rate.to, b.rate.date, b.rate.source));
        w.right(W - MARGIN, 9.0, &money(b.converted));
        w.down(LINE);
    }

    if !doc.recoupment.is_empty() {
        w.heading("Recoupment");
        w.text(MARGIN, 8.0, "Advance / expense");
        w.right(W - MARGIN - 200.0, 8.0, "Opening");
        w.right(W - MARGIN - 100.0, 8.0, "Recouped");
        w.right(W - MARGIN, 8.0, "Remaining");
        w.down(LINE);
        for r in &doc.recoupment {
            w.ensure(LINE);
            let scope = if r.release.is_empty() { "all earnings".to_string() } else { r.release.clone() };
            let label = if r.note.is_empty() { format!("{} · {scope}", r.kind) } else { format!("{} · {} · {scope}", r.kind, r.note) };
            w.text(MARGIN, 9.0, &clip(&label, 45));
            w.right(W - MARGIN - 200.0, 9.0, &fmt_amount(r.opening, cur));
            w.right(W - MARGIN - 100.0, 9.0, &fmt_amount(r.recouped, cur));
            w.right(W - MARGIN, 9.0, &fmt_amount(r.remaining, cur));
            w.down(LINE);
        }
    }
    w.finish(&format!("{} · {} · {}", doc.issuer, doc.payee, doc.period))
}
