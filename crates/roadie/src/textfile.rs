//! Reading text files as users have them: UTF-8 with or without BOM, UTF-16 LE/BE with BOM
//! (Excel, Bandcamp), GBK/GB18030 from Chinese tools. Detected from the first bytes, or chosen by
//! name; decoded as a stream, so memory stays flat whatever the file size.

use crate::error::{Error, FieldIssue, Result};
use encoding_rs::Encoding;
use std::fs::File;
use std::io::{BufReader, Chain, Cursor, Read};
use std::path::Path;

/// How many bytes are looked at to tell UTF-8 from GB18030 when there is no BOM.
const SNIFF: usize = 64 * 1024;

/// An encoding by the names users type: `utf-8`, `utf-16le`, `gbk`, `gb18030`, `big5`...
/// (the same rule as statement imports: [`crate::royalties::encoding::by_label`]).
pub fn encoding_by_name(name: &str) -> Result<&'static Encoding> {
    crate::royalties::encoding::by_label(name)
        .map_err(|detail| Error::invalid("encoding", vec![FieldIssue::new("encoding", "unknown_encoding", detail)]))
}

/// Picks the encoding of `head`, the first bytes of a file, exactly as statement imports do.
pub fn detect(head: &[u8]) -> &'static Encoding {
    crate::royalties::encoding::detect(head, None).encoding
}

pub type DecodedReader = encoding_rs_io::DecodeReaderBytes<Chain<Cursor<Vec<u8>>, BufReader<File>>, Vec<u8>>;

/// Opens `path` as UTF-8 text: decoded from `encoding` if given, else from the detected one.
/// The BOM is dropped. Returns the reader and the encoding used.
pub fn open(path: &Path, encoding: Option<&'static Encoding>) -> Result<(DecodedReader, &'static Encoding)> {
    let file = File::open(path).map_err(|e| Error::FileUnreadable { path: path.display().to_string(), reason: e.to_string() })?;
    let mut reader = BufReader::new(file);
    let mut head = Vec::with_capacity(SNIFF);
    (&mut reader).take(SNIFF as u64).read_to_end(&mut head)?;
    let encoding = encoding.unwrap_or_else(|| detect(&head));
    let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .strip_bom(true)
        .build(Cursor::new(head).chain(reader));
    Ok((decoder, encoding))
}

/// The field delimiter of a delimited text file, from its header line: tab, comma or semicolon.
pub fn sniff_delimiter(header_line: &str) -> u8 {
    let count = |c: char| header_line.chars().filter(|x| *x == c).count();
    let (tabs, commas, semis) = (count('\t'), count(','), count(';'));
    if tabs >= commas && tabs >= semis && tabs > 0 {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn roundtrip(bytes: &[u8], forced: Option<&'static Encoding>) -> (String, &'static str) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        let (mut r, enc) = open(f.path(), forced).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, enc.name())
    }

    #[test]
    fn detects_each_encoding() {
        let text = "姓名,邮箱\n周杰伦,jay@example.com\n";
        assert_eq!(roundtrip(text.as_bytes(), None), (text.into(), "UTF-8"));
        let bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        assert_eq!(roundtrip(&bom, None), (text.into(), "UTF-8"));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(roundtrip(&gbk, None).0, text);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(roundtrip(&le, None), (text.into(), "UTF-16LE"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(roundtrip(&be, None), (text.into(), "UTF-16BE"));
        let le_no_bom: Vec<u8> = "email,name\na@b.co,A\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(roundtrip(&le_no_bom, None).1, "UTF-16LE");
    }

    #[test]
    fn a_chosen_encoding_wins() {
        let (gbk, _, _) = encoding_rs::GBK.encode("城市");
        assert_eq!(roundtrip(&gbk, Some(encoding_by_name("gbk").unwrap())).0, "城市");
        assert!(encoding_by_name("klingon").is_err());
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        assert_eq!(sniff_delimiter("\"x, y\";b;c"), b';');
    }
}
