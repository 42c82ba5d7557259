//! Which column is which: the fields a fan list can carry, the header names seen for each in
//! English and Chinese exports, and the mapping from a file's headers to fields.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FanField {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    City,
    Region,
    Country,
    Language,
    Notes,
    Tags,
    /// When they joined the list / signed up.
    Joined,
}

impl FanField {
    pub const ALL: [FanField; 12] = [
        FanField::Name,
        FanField::FirstName,
        FanField::LastName,
        FanField::Email,
        FanField::Phone,
        FanField::City,
        FanField::Region,
        FanField::Country,
        FanField::Language,
        FanField::Notes,
        FanField::Tags,
        FanField::Joined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FanField::Name => "name",
            FanField::FirstName => "first_name",
            FanField::LastName => "last_name",
            FanField::Email => "email",
            FanField::Phone => "phone",
            FanField::City => "city",
            FanField::Region => "region",
            FanField::Country => "country",
            FanField::Language => "language",
            FanField::Notes => "notes",
            FanField::Tags => "tags",
            FanField::Joined => "joined",
        }
    }

    pub fn parse(s: &str) -> Option<FanField> {
        FanField::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    /// Header names (normalised: lower case, no spaces, `-` or `_`) that mean this field.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            FanField::Name => &["name", "fullname", "contactname", "displayname", "姓名", "名字", "全名", "称呼", "昵称"],
            FanField::FirstName => &["firstname", "givenname", "fname", "名"],
            FanField::LastName => &["lastname", "surname", "familyname", "lname", "姓"],
            FanField::Email => &["email", "emailaddress", "mail", "e-mail", "邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址", "电子邮件地址"],
            FanField::Phone => &["phone", "phonenumber", "mobile", "mobilephone", "cell", "tel", "telephone", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码"],
            FanField::City => &["city", "town", "城市", "所在城市", "市"],
            FanField::Region => &["region", "state", "province", "county", "stateprovince", "省份", "省", "地区", "州", "省/州"],
            FanField::Country => &["country", "countrycode", "cc", "nation", "国家", "国家/地区", "国家地区"],
            FanField::Language => &["language", "lang", "语言"],
            FanField::Notes => &["notes", "note", "comments", "comment", "备注", "留言", "说明"],
            FanField::Tags => &["tags", "tag", "labels", "label", "标签"],
            FanField::Joined => &["dateadded", "joined", "joindate", "signupdate", "signedup", "created", "optintime", "注册时间", "加入时间", "关注时间"],
        }
    }
}

pub fn normalize_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_lowercase().chars().filter(|c| !c.is_whitespace() && *c != '_' && *c != '-').collect()
}

/// A file's columns assigned to fields: field → column index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap(pub BTreeMap<FanField, usize>);

impl ColumnMap {
    pub fn get<'r>(&self, field: FanField, record: &'r csv::StringRecord) -> Option<&'r str> {
        self.0.get(&field).and_then(|i| record.get(*i)).map(str::trim).filter(|v| !v.is_empty())
    }
}

/// What the auto-suggestion made of a header row.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MappingSuggestion {
    /// For each column, the field it seems to be (`null`: not recognised).
    pub columns: Vec<Option<FanField>>,
    /// Fields more than one column claims.
    pub conflicts: Vec<FanField>,
    /// True when it can be used without asking: no conflicts, and a name, e-mail or phone column.
    pub unambiguous: bool,
}

pub fn suggest(headers: &[String]) -> MappingSuggestion {
    let columns: Vec<Option<FanField>> = headers
        .iter()
        .map(|h| {
            let n = normalize_header(h);
            FanField::ALL.into_iter().find(|f| f.synonyms().contains(&n.as_str()))
        })
        .collect();
    let mut conflicts: Vec<FanField> = Vec::new();
    for (i, f) in columns.iter().enumerate() {
        if let Some(f) = f {
            if columns[..i].contains(&Some(*f)) && !conflicts.contains(f) {
                conflicts.push(*f);
            }
        }
    }
    let identifies = columns.iter().flatten().any(|f| matches!(f, FanField::Email | FanField::Name | FanField::Phone | FanField::FirstName));
    MappingSuggestion { unambiguous: conflicts.is_empty() && identifies, columns, conflicts }
}

impl MappingSuggestion {
    pub fn column_map(&self) -> ColumnMap {
        ColumnMap(self.columns.iter().enumerate().filter_map(|(i, f)| f.map(|f| (f, i))).collect())
    }
}

/// A saved mapping: field → header text, matched by name against a file's headers.
pub fn map_by_names(headers: &[String], names: &BTreeMap<FanField, String>) -> Result<ColumnMap, String> {
    let mut map = BTreeMap::new();
    for (field, header) in names {
        let wanted = normalize_header(header);
        let index = headers
            .iter()
            .position(|h| normalize_header(h) == wanted)
            .ok_or_else(|| format!("the file has no column '{header}' (for {})", field.as_str()))?;
        map.insert(*field, index);
    }
    Ok(ColumnMap(map))
}

/// The key a saved mapping is found by: the normalised header row.
pub fn header_key(headers: &[String]) -> String {
    headers.iter().map(|h| normalize_header(h)).collect::<Vec<_>>().join("\u{1f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_headers_map_without_asking() {
        let s = suggest(&h(&["姓名", "邮箱", "城市", "国家"]));
        assert!(s.unambiguous);
        assert_eq!(s.columns, [Some(FanField::Name), Some(FanField::Email), Some(FanField::City), Some(FanField::Country)]);
        let s = suggest(&h(&["Name", "E-mail", "City", "Country", "Favourite song"]));
        assert!(s.unambiguous);
        assert_eq!(s.columns[4], None);
    }

    #[test]
    fn two_columns_for_one_field_need_a_mapping() {
        let s = suggest(&h(&["Email", "Mail", "Name"]));
        assert!(!s.unambiguous);
        assert_eq!(s.conflicts, [FanField::Email]);
        assert!(!suggest(&h(&["Favourite song", "City"])).unambiguous);
    }

    #[test]
    fn saved_mappings_find_their_columns_by_name() {
        let names: BTreeMap<_, _> = [(FanField::Email, "Contact".to_string())].into();
        let map = map_by_names(&h(&["X", "contact"]), &names).unwrap();
        assert_eq!(map.0[&FanField::Email], 1);
        assert!(map_by_names(&h(&["X"]), &names).unwrap_err().contains("Contact"));
    }
}
