//! Text encodings of statement files: UTF-8 with or without BOM, UTF-16LE/BE with BOM (Bandcamp),
//! GBK/GB18030 (Chinese tools). Detected from the first bytes, or chosen by the user.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;
use std::io::Read;

/// The encoding to read a file with, and how it was decided.
#[derive(Debug, Clone, Copy)]
pub struct TextEncoding {
    pub encoding: &'static Encoding,
    pub bom: bool,
}

impl TextEncoding {
    /// A stable name for reports: `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`, `gb18030`...
    pub fn name(&self) -> String {
        let base = self.encoding.name().to_ascii_lowercase();
        if self.bom && self.encoding == UTF_8 {
            "utf-8-bom".into()
        } else {
            base
        }
    }
}

/// The encoding a user names (`utf-8`, `utf-16le`, `gbk`, `gb18030`, `latin1`...): any WHATWG label.
pub fn by_label(label: &str) -> Result<&'static Encoding, String> {
    let label = label.trim();
    let found = match label.to_ascii_lowercase().as_str() {
        "utf-16" => Some(UTF_16LE),
        "utf8" | "utf-8-bom" | "utf8-bom" => Some(UTF_8),
        other => Encoding::for_label(other.as_bytes()),
    };
    found.ok_or_else(|| format!("'{label}' is not an encoding Roadie knows (try utf-8, utf-16le, utf-16be, gbk, gb18030)"))
}

/// Decides the encoding from the file's first bytes: a BOM says it outright; else valid UTF-8 is
/// UTF-8, and text that is not is read as GB18030 (a superset of GBK) when it decodes cleanly.
pub fn detect(prefix: &[u8], forced: Option<&'static Encoding>) -> TextEncoding {
    let bom = Encoding::for_bom(prefix);
    if let Some(encoding) = forced {
        let bom = bom.is_some_and(|(e, _)| e == encoding);
        return TextEncoding { encoding, bom };
    }
    if let Some((encoding, _)) = bom {
        return TextEncoding { encoding, bom: true };
    }
    // UTF-16 without a BOM: every other byte of ASCII text is zero.
    if prefix.len() >= 4 {
        let zeros_even = prefix.iter().step_by(2).filter(|b| **b == 0).count();
        let zeros_odd = prefix.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
        let half = prefix.len() / 4;
        if zeros_odd > half && zeros_even == 0 {
            return TextEncoding { encoding: UTF_16LE, bom: false };
        }
        if zeros_even > half && zeros_odd == 0 {
            return TextEncoding { encoding: UTF_16BE, bom: false };
        }
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => TextEncoding { encoding: UTF_8, bom: false },
        // Cut in the middle of a character at the end of the prefix: still UTF-8.
        Err(e) if e.error_len().is_none() => TextEncoding { encoding: UTF_8, bom: false },
        Err(_) => {
            let (_, had_errors) = GB18030.decode_without_bom_handling(prefix);
            if had_errors {
                TextEncoding { encoding: UTF_8, bom: false } // reported line by line as invalid UTF-8
            } else {
                TextEncoding { encoding: GB18030, bom: false }
            }
        }
    }
}

/// A reader that yields UTF-8, whatever the file's encoding (the BOM removed).
pub fn utf8_reader<R: Read + Send + 'static>(inner: R, enc: TextEncoding) -> Box<dyn Read + Send> {
    if enc.encoding == UTF_8 {
        // UTF-8 passes through untouched (invalid bytes are reported with their line, not
        // silently replaced); only the BOM goes.
        Box::new(DecodeReaderBytesBuilder::new().encoding(None).bom_sniffing(true).strip_bom(true).build(inner))
    } else {
        Box::new(DecodeReaderBytesBuilder::new().encoding(Some(enc.encoding)).bom_override(true).strip_bom(true).build(inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for unit in text.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
        out
    }

    fn read_all(bytes: Vec<u8>, forced: Option<&'static Encoding>) -> (String, String) {
        let enc = detect(&bytes, forced);
        let mut out = String::new();
        utf8_reader(std::io::Cursor::new(bytes), enc).read_to_string(&mut out).unwrap();
        (enc.name(), out)
    }

    #[test]
    fn detects_and_decodes_each_encoding() {
        let text = "date,artist\n2023-01-01,周杰伦\n";
        assert_eq!(read_all(text.as_bytes().to_vec(), None), ("utf-8".into(), text.into()));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(read_all(bom, None), ("utf-8-bom".into(), text.into()));
        assert_eq!(read_all(utf16le(text, true), None), ("utf-16le".into(), text.into()));
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(read_all(be, None), ("utf-16be".into(), text.into()));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(read_all(gbk.to_vec(), None), ("gb18030".into(), text.into()));
        // Forced: a GBK file read as GBK by label.
        assert_eq!(read_all(gbk.to_vec(), Some(by_label("gbk").unwrap())).1, text);
        assert_eq!(read_all(utf16le(text, false), None).1, text);
        assert!(by_label("klingon").is_err());
    }
}
