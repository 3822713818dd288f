//! Where a request goes: a spec environment by name, or a [`BaseUrl`] that replaces its hosts (our
//! sandbox, a proxy, a provider's private host).
//!
//! A base URL is set *before* signing, never patched into a signed request: some recipes sign the
//! URL (9Pay signs `ctx:url`), so the URL signed and the URL sent must be the same bytes.
//!
//! ```
//! use payspec::BaseUrl;
//! let base = BaseUrl::parse("http://127.0.0.1:8080/hitechpay/")?;
//! assert_eq!(base.as_str(), "http://127.0.0.1:8080/hitechpay"); // one trailing `/` is dropped
//! assert!(BaseUrl::parse("ftp://x.test").is_err());
//! assert!(BaseUrl::parse("https://user:pw@x.test").is_err()); // no credentials in a URL
//! # Ok::<(), payspec::BaseUrlError>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// A base URL replacing every host of a spec environment: the operation's path is appended to it.
///
/// `http` or `https`, a host, an optional port and path prefix; no query, fragment, user info,
/// whitespace or control characters. `Copy`: each distinct URL is stored once for the life of the
/// process (a few bytes per URL — meant for configuration, not for a value that changes per request).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BaseUrl(&'static str);

/// Why a text is not a [`BaseUrl`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a base URL: {reason}")]
pub struct BaseUrlError {
    /// What is wrong (the URL is echoed only when it cannot hold a secret).
    pub reason: String,
}

impl BaseUrl {
    /// Check and store `url`.
    pub fn parse(url: &str) -> Result<BaseUrl, BaseUrlError> {
        let fail = |reason: String| Err(BaseUrlError { reason });
        let Some((scheme, rest)) = url.split_once("://") else {
            return fail(format!("`{}` has no scheme (http:// or https://)", crate::support::echo(url)));
        };
        if !matches!(scheme, "http" | "https") {
            return fail(format!("the scheme `{}` is not http or https", crate::support::echo(scheme)));
        }
        if rest.contains('@') {
            return fail("it has user info (`user:password@`); credentials go in the spec's credentials".into());
        }
        if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#')) {
            return fail(format!("`{}` contains {c:?} (no query, fragment or whitespace)", crate::support::echo(url)));
        }
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() || authority.starts_with(':') {
            return fail(format!("`{}` has no host", crate::support::echo(url)));
        }
        let url = url.strip_suffix('/').unwrap_or(url);
        Ok(BaseUrl(intern(url)))
    }

    /// The URL, without a trailing `/`.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

fn intern(url: &str) -> &'static str {
    static SEEN: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    let seen = seen.get_or_insert_with(HashSet::new);
    if let Some(s) = seen.get(url) {
        return s;
    }
    let s: &'static str = Box::leak(url.to_owned().into_boxed_str());
    seen.insert(s);
    s
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.0)
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = BaseUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BaseUrl::parse(s)
    }
}

/// An environment by its spec name, or a base URL replacing its hosts: what the interpreter signs
/// for. `"sandbox"` and a [`BaseUrl`] both convert into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint<'a> {
    /// The environment of this name in the spec.
    Env(&'a str),
    /// Every host of the spec replaced by this URL.
    Base(BaseUrl),
}

impl<'a> Endpoint<'a> {
    /// The base URL of `host`: the environment's URL for it, or the custom base. `None` when the
    /// environment is unknown or has no URL for `host`.
    pub fn base_of<'s>(
        self,
        environments: &'s indexmap::IndexMap<String, payspec_model::Hosts>,
        host: &str,
    ) -> Option<&'s str> {
        match self {
            Endpoint::Base(b) => Some(b.as_str()),
            Endpoint::Env(env) => environments.get(env)?.get(host),
        }
    }

    /// The environment's name, or `custom`.
    pub fn name(self) -> &'a str {
        match self {
            Endpoint::Env(e) => e,
            Endpoint::Base(_) => "custom",
        }
    }
}

impl<'a> From<&'a str> for Endpoint<'a> {
    fn from(env: &'a str) -> Self {
        Endpoint::Env(env)
    }
}

impl<'a> From<&'a String> for Endpoint<'a> {
    fn from(env: &'a String) -> Self {
        Endpoint::Env(env)
    }
}

impl From<BaseUrl> for Endpoint<'_> {
    fn from(base: BaseUrl) -> Self {
        Endpoint::Base(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_stored_once() {
        let a = BaseUrl::parse("http://127.0.0.1:9/p").unwrap();
        let b = BaseUrl::parse("http://127.0.0.1:9/p/").unwrap();
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        for bad in
            ["127.0.0.1:9", "http://", "http://:80/x", "https://x.test/a?b=1", "https://x.test/#f", "https://x .test"]
        {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
        let err = BaseUrl::parse("https://u:hunter2@x.test").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
