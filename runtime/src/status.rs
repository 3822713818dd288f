//! Status tables compiled into generated code: [`StatusRow`] rows and the [`StatusMatch`] a lookup gives.

use crate::Outcome;

/// One row of a compiled status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRow {
    /// One value per table field, as text; `"*"` is the wildcard (matches any value, and absence).
    pub when: &'static [&'static str],
    /// The outcome the row maps to; `None` for a diagnostic row (a named code whose effect on the
    /// refund is not known).
    pub outcome: Option<Outcome>,
    /// Symbolic name of the code (`ACCEPTED`), if the spec gives one.
    pub name: Option<&'static str>,
    /// What the code means, in words.
    pub meaning: &'static str,
    /// Whether the caller may try again.
    pub retryable: bool,
}

/// What a response's (or payload's) status code means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMatch {
    /// The code values read from the table's fields, as text (`None` = absent).
    pub code: Vec<Option<String>>,
    /// The outcome of the matching row; `None` when the code is unmapped (never a silent default)
    /// or its row is diagnostic (no outcome: see [`matched`](Self::matched)).
    pub outcome: Option<Outcome>,
    /// A row matched (`false`: the code is unmapped). A matched row without an outcome is a
    /// diagnostic code: it has a name and meaning, and says nothing about the refund.
    pub matched: bool,
    /// The matching row's name.
    pub name: Option<&'static str>,
    /// The matching row's meaning.
    pub meaning: Option<&'static str>,
    /// Whether the matching row says the request may be retried (`false` when unmapped).
    pub retryable: bool,
}

/// A status code value as the text rows are compared with: strings as they are, booleans
/// `true`/`false`, integers in canonical base 10 (`-0` and `0` are both `"0"`, as a typed integer
/// field reads them), other numbers as written; `None` for `null`. Objects and arrays as compact JSON.
///
/// ```
/// use payspec::serde_json::json;
/// assert_eq!(payspec::status::code_text(&json!(-13)).as_deref(), Some("-13"));
/// assert_eq!(payspec::status::code_text(&"-0".parse().unwrap()).as_deref(), Some("0"));
/// assert_eq!(payspec::status::code_text(&json!("-0")).as_deref(), Some("-0"));
/// assert_eq!(payspec::status::code_text(&json!(null)), None);
/// ```
pub fn code_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::Number(n) => Some(match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            (None, None) => n.to_string(),
        }),
        other => Some(crate::canon::render(other)),
    }
}

impl StatusRow {
    /// Whether this row matches `code` (first match wins in a table).
    pub fn matches(&self, code: &[Option<String>]) -> bool {
        self.when.len() == code.len()
            && self.when.iter().zip(code).all(|(want, got)| payspec_model::code_matches(want, got.as_deref()))
    }

    /// A row mapping `when` (`"*"` = any) to `outcome`, named `name` (`""`: no name); its meaning
    /// is set with [`means`](Self::means).
    pub const fn new(when: &'static [&'static str], outcome: Outcome, name: &'static str, retryable: bool) -> Self {
        let name = if name.is_empty() { None } else { Some(name) };
        StatusRow { when, outcome: Some(outcome), name, meaning: "", retryable }
    }

    /// A diagnostic row: `when` names a code (`name`, [`means`](Self::means)) without an outcome.
    pub const fn info(when: &'static [&'static str], name: &'static str, retryable: bool) -> Self {
        let name = if name.is_empty() { None } else { Some(name) };
        StatusRow { when, outcome: None, name, meaning: "", retryable }
    }

    /// The row with meaning `meaning`.
    pub const fn means(mut self, meaning: &'static str) -> Self {
        self.meaning = meaning;
        self
    }
}

/// [`StatusRow::info`], short for the diagnostic rows of generated tables.
pub const fn info(when: &'static [&'static str], name: &'static str, retryable: bool) -> StatusRow {
    StatusRow::info(when, name, retryable)
}

/// [`StatusRow::new`], short for the rows of generated tables.
pub const fn row(when: &'static [&'static str], outcome: Outcome, name: &'static str, retryable: bool) -> StatusRow {
    StatusRow::new(when, outcome, name, retryable)
}

impl StatusMatch {
    /// Look `code` up in `rows`: the first matching row, or an unmapped match.
    ///
    /// ```
    /// use payspec::{Outcome, StatusMatch, StatusRow};
    /// static ROWS: &[StatusRow] = &[
    ///     StatusRow::new(&["1", "*"], Outcome::Processing, "OK", false).means("ok"),
    /// ];
    /// let m = StatusMatch::lookup(ROWS, vec![Some("1".into()), None]);
    /// assert_eq!(m.outcome, Some(Outcome::Processing));
    /// assert!(StatusMatch::lookup(ROWS, vec![Some("2".into()), None]).is_unmapped());
    /// ```
    pub fn lookup(rows: &'static [StatusRow], code: Vec<Option<String>>) -> Self {
        match rows.iter().find(|r| r.matches(&code)) {
            Some(r) => StatusMatch {
                code,
                outcome: r.outcome,
                matched: true,
                name: r.name,
                meaning: Some(r.meaning),
                retryable: r.retryable,
            },
            None => StatusMatch { code, outcome: None, matched: false, name: None, meaning: None, retryable: false },
        }
    }

    /// True when no row matched.
    pub fn is_unmapped(&self) -> bool {
        !self.matched
    }

    /// True when a diagnostic row (one without an outcome) matched.
    pub fn is_diagnostic(&self) -> bool {
        self.matched && self.outcome.is_none()
    }
}

/// The text an HTTP status is compared as in the `http:status` column (`None`: no status given).
pub fn http_text(http_status: Option<u16>) -> Option<String> {
    http_status.map(|h| h.to_string())
}

/// What a response's status table says, by response shape.
///
/// An object response (and an error envelope) gives [`One`](Self::One) lookup; an `array: true`
/// response gives one lookup per row, in order: [`Rows`](Self::Rows), empty when the array is
/// (no rows: nothing is known, never a success).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseStatus<M> {
    /// The lookup of an object body, or of an error body (`error:` shape selected by the HTTP status).
    One(M),
    /// One lookup per row of an array body, in order; empty for `[]`.
    Rows(Vec<M>),
}

impl<M> ResponseStatus<M> {
    /// The single lookup of an object or error body (`None` for rows).
    pub fn one(&self) -> Option<&M> {
        match self {
            ResponseStatus::One(m) => Some(m),
            ResponseStatus::Rows(_) => None,
        }
    }

    /// The per-row lookups of an array body (`None` for an object or error body).
    pub fn rows(&self) -> Option<&[M]> {
        match self {
            ResponseStatus::One(_) => None,
            ResponseStatus::Rows(r) => Some(r),
        }
    }

    /// An array body without rows: its own result, which says nothing about any refund.
    pub fn is_empty_rows(&self) -> bool {
        matches!(self, ResponseStatus::Rows(r) if r.is_empty())
    }

    /// Apply `f` to every lookup.
    pub fn map<N>(self, mut f: impl FnMut(M) -> N) -> ResponseStatus<N> {
        match self {
            ResponseStatus::One(m) => ResponseStatus::One(f(m)),
            ResponseStatus::Rows(r) => ResponseStatus::Rows(r.into_iter().map(f).collect()),
        }
    }
}
