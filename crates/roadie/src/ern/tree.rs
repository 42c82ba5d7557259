//! A small element tree read with quick-xml's event reader: local names (namespace prefixes
//! dropped), attributes, text. ERN messages are a few MB at most.

use crate::error::{Error, Result};
use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    /// The ERN namespace URI on the root element.
    pub namespace: String,
    pub attrs: Vec<(String, String)>,
    text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn text(&self) -> String {
        self.text.trim().to_string()
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// The first descendant of that name, depth first.
    pub fn find_deep(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|c| if c.name == name { Some(c) } else { c.find_deep(name) })
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or("").to_string()
}

pub fn parse(xml: &str, file: &str) -> Result<Element> {
    let mut reader = Reader::from_str(xml);
    let line_at = |pos: u64| xml.as_bytes()[..(pos as usize).min(xml.len())].iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader.read_event().map_err(|e| Error::InvalidErn {
            file: file.into(),
            line: line_at(reader.error_position()),
            message: format!("not well-formed XML: {e}"),
        })?;
        let bad = |message: String| Error::InvalidErn { file: file.into(), line: line_at(reader.buffer_position()), message };
        match event {
            Event::Start(e) => stack.push(element(&e).map_err(bad)?),
            Event::Empty(e) => {
                let el = element(&e).map_err(bad)?;
                stack.last_mut().expect("root").children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                stack.last_mut().ok_or_else(|| bad("unbalanced end tag".into()))?.children.push(el);
            }
            Event::Text(t) => stack.last_mut().expect("root").text.push_str(&t.xml10_content()),
            Event::CData(t) => stack.last_mut().expect("root").text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match r.xml10_content().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(bad(format!("unknown entity &{other};"))),
                    },
                };
                stack.last_mut().expect("root").text.push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().expect("root");
    if !stack.is_empty() {
        return Err(Error::InvalidErn { file: file.into(), line: line_at(xml.len() as u64), message: "the XML ends inside an element".into() });
    }
    root.children.pop().ok_or_else(|| Error::InvalidErn { file: file.into(), line: 1, message: "no root element".into() })
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> std::result::Result<Element, String> {
    let mut el = Element { name: local(e.name().as_ref()), ..Element::default() };
    for a in e.attributes() {
        let a = a.map_err(|err| format!("bad attribute: {err}"))?;
        let key = a.key.as_ref().to_string();
        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|err| format!("bad attribute value: {err}"))?.to_string();
        if key.starts_with("xmlns") && value.contains("ddex.net/xml/ern") {
            el.namespace = value.clone();
        }
        el.attrs.push((local(&key), value));
    }
    Ok(el)
}
