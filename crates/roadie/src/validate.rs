//! Collects every problem of an input before refusing it, so a form can show them all at once.

use crate::error::{Error, FieldIssue, Result};

#[derive(Default)]
pub(crate) struct Checker {
    issues: Vec<FieldIssue>,
}

impl Checker {
    pub fn issue(&mut self, field: &str, reason: &str, detail: impl Into<String>) {
        self.issues.push(FieldIssue::new(field, reason, detail));
    }

    /// A required text: trimmed, not empty, at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.issue(field, "required", format!("{field} is required"));
        } else {
            self.check_length(field, value, max);
        }
        value.to_string()
    }

    /// An optional text: trimmed; blank becomes absent.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.check_length(field, value, max);
        Some(value.to_string())
    }

    /// An optional identifier run through `normalize`, which says why a value is wrong.
    pub fn identifier(
        &mut self,
        field: &str,
        reason: &str,
        value: Option<&str>,
        normalize: fn(&str) -> Result<String, String>,
    ) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        match normalize(value) {
            Ok(v) => Some(v),
            Err(detail) => {
                self.issue(field, reason, detail);
                None
            }
        }
    }

    fn check_length(&mut self, field: &str, value: &str, max: usize) {
        let len = value.chars().count();
        if len > max {
            self.issue(field, "too_long", format!("{field} is {len} characters; at most {max}"));
        }
    }

    pub fn finish(self, entity: &'static str) -> Result<()> {
        if self.issues.is_empty() { Ok(()) } else { Err(Error::invalid(entity, self.issues)) }
    }
}
