//! vCard 3.0 / 4.0 (RFC 2426, RFC 6350). Written here rather than taken from a crate because the
//! import must name the line of a bad card, which the vCard crates don't track.

use super::rows::{split_tags, FanRow};
use std::io::BufRead;

/// A content line: its name (upper case), parameters and value.
struct ContentLine {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

/// Undoes vCard escaping: `\,` `\;` `\\` `\n`.
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits on unescaped `sep`.
fn split_unescaped(v: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in v.chars() {
        if escaped {
            parts.last_mut().expect("non-empty").extend(['\\', c]);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("non-empty").push(c);
        }
    }
    parts.into_iter().map(|p| unescape(&p)).collect()
}

fn parse_line(raw: &str) -> Option<ContentLine> {
    let (head, value) = raw.split_once(':')?;
    let mut parts = head.split(';');
    let name = parts.next()?.rsplit('.').next()?.trim().to_ascii_uppercase(); // drop "item1." groups
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_ascii_uppercase()),
            None => ("TYPE".to_string(), p.trim().to_ascii_uppercase()),
        })
        .collect();
    Some(ContentLine { name, params, value: value.to_string() })
}

/// Reads cards one at a time. Each yields the fan, or the line and reason it could not be read.
pub struct VcardRows<R> {
    reader: R,
    line_no: u64,
    pending: Option<(String, u64)>,
    done: bool,
}

impl<R: BufRead> VcardRows<R> {
    pub fn new(reader: R) -> Self {
        Self { reader, line_no: 0, pending: None, done: false }
    }

    /// The next unfolded content line (continuations start with a space or tab).
    fn next_line(&mut self) -> std::io::Result<Option<(String, u64)>> {
        let mut current = self.pending.take();
        loop {
            let mut buf = String::new();
            if self.reader.read_line(&mut buf)? == 0 {
                return Ok(current);
            }
            self.line_no += 1;
            let text = buf.trim_end_matches(['\r', '\n']);
            if let Some(cont) = text.strip_prefix([' ', '\t']) {
                if let Some((acc, _)) = current.as_mut() {
                    acc.push_str(cont);
                }
                continue;
            }
            if text.is_empty() {
                continue;
            }
            match current {
                Some(done) => {
                    self.pending = Some((text.to_string(), self.line_no));
                    return Ok(Some(done));
                }
                None => current = Some((text.to_string(), self.line_no)),
            }
        }
    }
}

impl<R: BufRead> Iterator for VcardRows<R> {
    type Item = Result<FanRow, (u64, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut card: Option<(u64, Vec<ContentLine>)> = None;
        loop {
            let (raw, line) = match self.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => {
                    self.done = true;
                    return card.map(|(start, _)| Err((start, "the card has no END:VCARD".to_string())));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err((self.line_no, e.to_string())));
                }
            };
            let Some(cl) = parse_line(&raw) else {
                return Some(Err((line, format!("'{raw}' is not a vCard line (NAME:VALUE)"))));
            };
            match (cl.name.as_str(), card.as_mut()) {
                ("BEGIN", None) if cl.value.trim().eq_ignore_ascii_case("VCARD") => card = Some((line, Vec::new())),
                ("END", Some(_)) if cl.value.trim().eq_ignore_ascii_case("VCARD") => {
                    let (start, lines) = card.take().expect("in a card");
                    return Some(Ok(to_row(start, lines)));
                }
                (_, Some((_, lines))) => lines.push(cl),
                (_, None) => return Some(Err((line, "text outside BEGIN:VCARD … END:VCARD".to_string()))),
            }
        }
    }
}

fn to_row(start: u64, lines: Vec<ContentLine>) -> FanRow {
    let mut row = FanRow { line: start, ..FanRow::default() };
    let mut structured_name = None;
    let mut preferred_email = None;
    for l in lines {
        let is_pref = l.params.iter().any(|(k, v)| (k == "TYPE" && v.split(',').any(|t| t == "PREF")) || k == "PREF");
        match l.name.as_str() {
            "FN" => row.name = Some(unescape(&l.value).trim().to_string()).filter(|n| !n.is_empty()),
            "N" => {
                let parts = split_unescaped(&l.value, ';');
                structured_name = super::rows::full_name(None, parts.get(1).map(String::as_str), parts.first().map(String::as_str));
            }
            "EMAIL" => {
                let e = unescape(&l.value).trim().to_string();
                if is_pref && preferred_email.is_none() {
                    preferred_email = Some(e);
                } else {
                    row.emails.push(e);
                }
            }
            "TEL" if row.phone.is_none() => {
                row.phone = Some(unescape(l.value.trim_start_matches("tel:")).trim().to_string());
            }
            "ADR" => {
                // PO box; extended; street; locality; region; postal code; country
                let parts = split_unescaped(&l.value, ';');
                let get = |i: usize| parts.get(i).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
                row.city = row.city.take().or(get(3));
                row.region = row.region.take().or(get(4));
                row.country = row.country.take().or(get(6));
            }
            "NOTE" => row.notes = Some(unescape(&l.value)),
            "CATEGORIES" => row.tags.extend(split_unescaped(&l.value, ',').iter().flat_map(|t| split_tags(t))),
            "LANG" => row.language = Some(unescape(&l.value).trim().to_string()),
            _ => {}
        }
    }
    if row.name.is_none() {
        row.name = structured_name;
    }
    if let Some(p) = preferred_email {
        row.emails.insert(0, p);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v3_and_v4_cards_with_folding_and_escapes() {
        let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:周杰伦\r\nN:周;杰伦;;;\r\nEMAIL;TYPE=work:jay@work.example\r\nEMAIL;PREF=1:jay@example.com\r\n\
TEL;VALUE=uri:tel:+886-2-1234-5678\r\nADR;TYPE=home:;;1 Road;Taipei;;100;Taiwan\r\nNOTE:Met at the show\\, loves\r\n  ballads\r\n\
CATEGORIES:vip,merch\r\nEND:VCARD\r\nBEGIN:VCARD\nVERSION:3.0\nN:Qiao;Lin;;;\nitem1.EMAIL;type=INTERNET:lin@example.com\nEND:VCARD\n";
        let rows: Vec<_> = VcardRows::new(text.as_bytes()).collect::<Result<_, _>>().unwrap();
        assert_eq!(rows.len(), 2);
        let jay = &rows[0];
        assert_eq!(jay.line, 1);
        assert_eq!(jay.name.as_deref(), Some("周杰伦"));
        assert_eq!(jay.emails, ["jay@example.com", "jay@work.example"]);
        assert_eq!(jay.phone.as_deref(), Some("+886-2-1234-5678"));
        assert_eq!((jay.city.as_deref(), jay.country.as_deref()), (Some("Taipei"), Some("Taiwan")));
        assert_eq!(jay.notes.as_deref(), Some("Met at the show, loves ballads"));
        assert_eq!(jay.tags, ["vip", "merch"]);
        assert_eq!(rows[1].name.as_deref(), Some("Lin Qiao"));
        assert_eq!(rows[1].line, 13);
    }

    #[test]
    fn a_broken_card_names_its_line() {
        let text = "BEGIN:VCARD\nFN:A\nEND:VCARD\nhello\nBEGIN:VCARD\nFN:B\n";
        let results: Vec<_> = VcardRows::new(text.as_bytes()).collect();
        assert!(results[0].is_ok());
        assert_eq!(results[1].as_ref().unwrap_err().0, 4);
    }
}
