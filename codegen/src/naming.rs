//! Rust names from spec names: snake_case / PascalCase conversion, keywords, collisions.

use proc_macro2::{Ident, Span};
use std::collections::HashSet;

/// Words of a name: split on non-alphanumerics, lower→upper boundaries and acronym ends
/// (`X-Request-ID` → `X Request ID`, `partnerRefId` → `partner Ref Id`, `HTTPServer` → `HTTP Server`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = cur.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = ((prev.is_ascii_lowercase() || prev.is_ascii_digit()) && c.is_ascii_uppercase())
                || (prev.is_ascii_uppercase()
                    && c.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `partnerRefId` → `partner_ref_id`; `X-Request-ID` → `x_request_id`. Empty or digit-led → prefixed.
pub fn snake(name: &str) -> String {
    let s = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if s.is_empty() {
        "field".into()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("f_{s}")
    } else {
        s
    }
}

/// `refund_v2` → `RefundV2`; `TRANSACTION_ID` → `TransactionId`; `vi` → `Vi`.
pub fn pascal(name: &str) -> String {
    let s: String = words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if s.is_empty() {
        "Empty".into()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{s}")
    } else {
        s
    }
}

/// `STATUS_TABLE` style.
pub fn upper(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let",
    "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type",
    "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// An identifier, raw (`r#type`) for keywords; `self`, `super`, `crate`, `Self` get a trailing `_`.
pub fn ident(name: &str) -> Ident {
    if matches!(name, "self" | "super" | "crate" | "Self" | "_") {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// Hands out unique names within one scope: the first taker keeps a name, later ones get `2`, `3`, ….
#[derive(Default)]
pub struct Namer {
    used: HashSet<String>,
}

impl Namer {
    /// Claim `name` exactly; `false` if it is taken.
    pub fn claim(&mut self, name: &str) -> bool {
        self.used.insert(name.to_string())
    }

    /// `name`, or `name2`, `name3`, … if taken (for snake_case names `name_2`, …).
    pub fn unique(&mut self, name: &str) -> String {
        if self.claim(name) {
            return name.to_string();
        }
        let sep = if name.contains('_') || name.chars().all(|c| !c.is_ascii_uppercase()) { "_" } else { "" };
        (2..).map(|i| format!("{name}{sep}{i}")).find(|n| self.claim(n)).expect("an unused suffix exists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case() {
        assert_eq!(snake("partnerRefId"), "partner_ref_id");
        assert_eq!(snake("X-Request-ID"), "x_request_id");
        assert_eq!(snake("m_refund_id"), "m_refund_id");
        assert_eq!(snake("Date"), "date");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("checkSum"), "check_sum");
        assert_eq!(snake("v2Status"), "v2_status");
        assert_eq!(snake("9lives"), "f_9lives");
    }

    #[test]
    fn pascal_case() {
        assert_eq!(pascal("refund_v2"), "RefundV2");
        assert_eq!(pascal("TRANSACTION_ID"), "TransactionId");
        assert_eq!(pascal("vi"), "Vi");
        assert_eq!(pascal("VND"), "Vnd");
        assert_eq!(pascal("0"), "V0");
        assert_eq!(pascal(""), "Empty");
        assert_eq!(pascal("X-Language"), "XLanguage");
    }

    #[test]
    fn keywords_and_collisions() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        let mut n = Namer::default();
        assert_eq!(n.unique("amount"), "amount");
        assert_eq!(n.unique("amount"), "amount_2");
        assert_eq!(n.unique("Status"), "Status");
        assert_eq!(n.unique("Status"), "Status2");
    }
}
