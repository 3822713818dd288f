//! A scanner for secret credentials in printed output: every form a secret could leak in (raw, hex,
//! base64 std / url with and without padding, form-encoded, percent-encoded, JSON-escaped, a PEM body
//! line) and base64 tokens that decode to one (HTTP Basic `user:password`, JWT segments).
//!
//! It is written independently of payspec's own masking (`payspec::Redactor`), so the leak tests do not
//! check the redactor against itself.

use base64::Engine as _;

/// Every form of `secret` that must never be printed.
///
/// ```
/// let forms = payspec_conformance::leaks::forbidden("k&y");
/// assert!(forms.contains(&"k%26y".to_string()) && forms.contains(&"6b2679".to_string()));
/// ```
pub fn forbidden(secret: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let b = secret.as_bytes();
    let mut out = vec![
        secret.to_string(),
        hex::encode(b),
        hex::encode_upper(b),
        STANDARD.encode(b),
        STANDARD_NO_PAD.encode(b),
        URL_SAFE.encode(b),
        URL_SAFE_NO_PAD.encode(b),
        payspec::canon::form_encode(secret),
        payspec::support::path_segment(secret),
        serde_json::to_string(secret).unwrap_or_default().trim_matches('"').to_string(),
    ];
    // A PEM key: every line of its body on its own too.
    out.extend(secret.lines().filter(|l| l.len() >= 40).map(str::to_string));
    out
}

/// Scans texts for a set of named secrets; panics (a test failure) naming the secret, the form and
/// what was being scanned.
pub struct Scanner {
    secrets: Vec<(String, Vec<String>, String)>,
    /// How many texts were scanned (tests assert it is not zero).
    pub scanned: usize,
}

impl Scanner {
    /// A scanner for `(name, value)` secrets.
    pub fn new(secrets: &[(String, String)]) -> Self {
        Scanner { secrets: secrets.iter().map(|(n, v)| (n.clone(), forbidden(v), v.clone())).collect(), scanned: 0 }
    }

    /// Panic when `text` (described by `what`) shows any secret in any form.
    pub fn scan(&mut self, what: &str, text: &str) {
        self.scanned += 1;
        let cfg = base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true);
        for (name, forms, raw) in &self.secrets {
            for f in forms {
                assert!(!text.contains(f.as_str()), "{what}: shows secret `{name}` (form {f:?}):\n{text}");
            }
            for tok in text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/_-=".contains(c))) {
                if tok.len() < 8 {
                    continue;
                }
                for alpha in [&base64::alphabet::STANDARD, &base64::alphabet::URL_SAFE] {
                    if let Ok(bytes) = base64::engine::GeneralPurpose::new(alpha, cfg).decode(tok.trim_end_matches('='))
                    {
                        assert!(
                            !String::from_utf8_lossy(&bytes).contains(raw.as_str()),
                            "{what}: base64 token {tok} decodes to secret `{name}`:\n{text}"
                        );
                    }
                }
            }
        }
    }
}
