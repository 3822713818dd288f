//! Canonicalisation helpers shared by the interpreter and generated code.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but `A-Za-z0-9-_.` — PHP `urlencode` (and `http_build_query`) leaves only these.
const PHP_URLENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// PHP `urlencode`: RFC 1738 form encoding with space as `+`, `*` as `%2A`, `~` as `%7E`.
///
/// The WHATWG encoder of the `form_urlencoded` crate leaves `*` alone; the official PHP, Go and
/// Python SDKs of the providers that sign form-encoded pairs do not, so neither do we.
///
/// ```
/// assert_eq!(payspec::canon::form_encode("Hoàn gd *1~"), "Ho%C3%A0n+gd+%2A1%7E");
/// ```
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    form_encode_into(&mut out, value);
    out
}

/// [`form_encode`] appended to `out` (no intermediate string).
pub fn form_encode_into(out: &mut String, value: &str) {
    for chunk in utf8_percent_encode(value, PHP_URLENCODE) {
        // Encoded bytes come one `%XX` chunk each; a literal `%20` in the input is `%2520`.
        if chunk == "%20" {
            out.push('+')
        } else {
            out.push_str(chunk)
        }
    }
}

/// Left-pad `value` with `fill` to `width` characters (longer values are unchanged).
///
/// ```
/// assert_eq!(payspec::canon::pad_left("100000", 10, '0'), "0000100000");
/// ```
pub fn pad_left(value: &str, width: usize, fill: char) -> String {
    let len = value.chars().count();
    let mut out: String = std::iter::repeat_n(fill, width.saturating_sub(len)).collect();
    out.push_str(value);
    out
}

/// Left-pad `value` with `fill` to exactly `width` characters; `None` when it is longer (a padded
/// part of a signed message has a fixed width, so a longer value is refused rather than signed as is).
///
/// ```
/// assert_eq!(payspec::canon::pad_fixed("100000", 10, '0').as_deref(), Some("0000100000"));
/// assert_eq!(payspec::canon::pad_fixed("12345678901", 10, '0'), None);
/// ```
pub fn pad_fixed(value: &str, width: usize, fill: char) -> Option<String> {
    (value.chars().count() <= width).then(|| pad_left(value, width, fill))
}

/// `base64url(json(header)) "." base64url(json(claims))`: the JWT signing input. The JSON is compact
/// and keeps the values' key order; base64url is unpadded.
///
/// ```
/// use serde_json::json;
/// let input = payspec::canon::jwt_signing_input(
///     &json!({"alg": "HS256", "typ": "JWT"}),
///     &json!({"sub": "1234567890", "iat": 1516239022}),
/// );
/// assert_eq!(input, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ");
/// ```
pub fn jwt_signing_input(header: &serde_json::Value, claims: &serde_json::Value) -> String {
    use base64::Engine;
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}", b64(header), b64(claims))
}

/// Join `key=value` pairs in the given order: `kv` between key and value, `sep` between pairs. With
/// `form`, values (not keys) are encoded with [`form_encode`].
///
/// ```
/// use payspec::canon::pairs;
/// assert_eq!(pairs([("b", "x y"), ("a", "1")], "=", "&", false), "b=x y&a=1");
/// assert_eq!(pairs([("b", "x y"), ("a", "1")], "=", "&", true), "b=x+y&a=1");
/// assert_eq!(pairs([("k", "v")], ":", "\n", false), "k:v");
/// ```
pub fn pairs<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, kv: &str, sep: &str, form: bool) -> String {
    let mut out = String::new();
    for (i, (k, v)) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(k);
        out.push_str(kv);
        if form {
            form_encode_into(&mut out, v);
        } else {
            out.push_str(v);
        }
    }
    out
}

/// A `pairs` canonical string built in place: `k{kv}v` items joined by `sep`, values form-encoded
/// when `form`; what [`pairs`] returns for the same items, without a string per item.
///
/// ```
/// let mut p = payspec::canon::Pairs::new("=", "&", true);
/// p.add("amount", &10000);
/// p.add_str("note", "a b");
/// assert_eq!(p.finish(), payspec::canon::pairs([("amount", "10000"), ("note", "a b")], "=", "&", true));
/// ```
pub struct Pairs<'a> {
    text: String,
    kv: &'a str,
    sep: &'a str,
    form: bool,
    any: bool,
    scratch: String,
}

impl<'a> Pairs<'a> {
    /// No items yet.
    pub fn new(kv: &'a str, sep: &'a str, form: bool) -> Self {
        Pairs::after(String::with_capacity(128), kv, sep, form)
    }
    /// No items yet; they are written after `text` (e.g. a message the pairs are one part of), which
    /// [`finish`](Self::finish) returns with them.
    ///
    /// ```
    /// let mut p = payspec::canon::Pairs::after("GET\n".to_string(), "=", "&", false);
    /// p.add_str("a", "1");
    /// p.add_str("b", "2");
    /// assert_eq!(p.finish(), "GET\na=1&b=2");
    /// ```
    pub fn after(text: String, kv: &'a str, sep: &'a str, form: bool) -> Self {
        Pairs { text, kv, sep, form, any: false, scratch: String::new() }
    }
    fn key(&mut self, k: &str) {
        if self.any {
            self.text.push_str(self.sep);
        }
        self.any = true;
        self.text.push_str(k);
        self.text.push_str(self.kv);
    }
    /// Append `k` with a text value.
    pub fn add_str(&mut self, k: &str, v: &str) {
        self.key(k);
        if self.form {
            form_encode_into(&mut self.text, v)
        } else {
            self.text.push_str(v)
        }
    }
    /// Append `k` with a text value, unless the value is empty.
    pub fn add_str_nonempty(&mut self, k: &str, v: &str) {
        if !v.is_empty() {
            self.add_str(k, v);
        }
    }
    /// Append `k` with a value's `Display` text (numbers, booleans).
    pub fn add<T: std::fmt::Display + ?Sized>(&mut self, k: &str, v: &T) {
        self.add_display(k, v, false);
    }
    /// Append `k` with a value's `Display` text, unless it is empty.
    pub fn add_nonempty<T: std::fmt::Display + ?Sized>(&mut self, k: &str, v: &T) {
        self.add_display(k, v, true);
    }
    fn add_display<T: std::fmt::Display + ?Sized>(&mut self, k: &str, v: &T, skip_empty: bool) {
        use std::fmt::Write;
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let _ = write!(scratch, "{v}");
        if !(skip_empty && scratch.is_empty()) {
            self.add_str(k, &scratch);
        }
        self.scratch = scratch;
    }
    /// The canonical string.
    pub fn finish(self) -> String {
        self.text
    }
}

/// A value as text inside a string to sign: strings raw, numbers exactly as written, booleans
/// `true`/`false`, objects and arrays as compact JSON, null as empty.
pub fn render(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_built_in_place_are_pairs() {
        let items = [("a", ""), ("b", "x y*~"), ("", ""), ("c", "%20+&=|\n"), ("đ", "Hoàn tiền")];
        for (kv, sep, form) in [("=", "&", true), ("=", "&", false), ("", "", true), (":", "|", false)] {
            let mut p = Pairs::new(kv, sep, form);
            for (k, v) in items {
                p.add_str(k, v);
            }
            assert_eq!(p.finish(), pairs(items, kv, sep, form));
            let mut p = Pairs::new(kv, sep, form);
            p.add("n", &-12);
            p.add_nonempty("e", "");
            p.add_str_nonempty("f", "");
            p.add_nonempty("t", &true);
            assert_eq!(p.finish(), pairs([("n", "-12"), ("t", "true")], kv, sep, form));
        }
    }

    /// Separators owned at run time (a loaded spec's), written after text already there.
    #[test]
    fn pairs_after_text_with_borrowed_separators() {
        let (kv, sep) = (String::from(":"), String::from(" | "));
        let mut p = Pairs::after("POST\n".to_string(), &kv, &sep, true);
        p.add_str("a", "x y");
        p.add("n", &7);
        assert_eq!(p.finish(), format!("POST\n{}", pairs([("a", "x y"), ("n", "7")], &kv, &sep, true)));
        assert_eq!(Pairs::after("t".to_string(), &kv, &sep, false).finish(), "t");
    }

    /// Expected strings are PHP 8 `urlencode` output (the 9Pay PHP SDK) and the Go SDK's builder test.
    #[test]
    fn form_encode_matches_php_urlencode() {
        assert_eq!(form_encode("Thanh toán đơn hàng #123"), "Thanh+to%C3%A1n+%C4%91%C6%A1n+h%C3%A0ng+%23123");
        assert_eq!(form_encode("https://merchant.example.com/return"), "https%3A%2F%2Fmerchant.example.com%2Freturn");
        assert_eq!(form_encode("a*b~c-d_e.f"), "a%2Ab%7Ec-d_e.f");
        assert_eq!(form_encode("a&b=c+d|e\n"), "a%26b%3Dc%2Bd%7Ce%0A");
    }

    #[test]
    fn pairs_join_in_given_order() {
        assert_eq!(pairs([("b", "x y"), ("a", "1")], "=", "&", false), "b=x y&a=1");
        assert_eq!(pairs([("b", "x y"), ("a", "1")], "=", "&", true), "b=x+y&a=1");
        assert_eq!(pairs([], "=", "&", true), "");
    }

    #[test]
    fn pad_left_counts_characters() {
        assert_eq!(pad_left("ố", 3, '0'), "00ố");
        assert_eq!(pad_left("12345", 3, '0'), "12345");
    }
}
