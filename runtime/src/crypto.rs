//! Signing primitives: digests, MACs, RSA, text encodings, constant-time comparison.

use base64::Engine;
use hmac::{Hmac, Mac};
use payspec_model::Encoding;
use sha2::{Digest as _, Sha256, Sha512};

mod rsa_backends;

use crate::secret::Secret;
pub(crate) use rsa_backends::PrivateKeyCache;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rsa-rustcrypto")))]
compile_error!(
    "payspec needs an RSA backend: enable the feature `aws-lc-rs` (the default, constant-time) or \
     `rsa-rustcrypto` (pure Rust, for builds without a C compiler; not constant-time)"
);

/// The smallest RSA modulus accepted, in bits, for private and public keys, on every backend.
pub const RSA_MIN_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits (aws-lc's limit), on every backend.
pub const RSA_MAX_BITS: usize = 8192;

/// Which half of a key pair an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A private key (`private_key_pem`).
    Private,
    /// A public key (`public_key_pem`).
    Public,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyKind::Private => "private",
            KeyKind::Public => "public",
        })
    }
}

/// A key could not be used. No variant carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not an RSA private key in PEM (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`); says why.
    #[error("not an RSA private key in PEM (PKCS#1 or PKCS#8): {0}")]
    PrivateKey(String),
    /// Not an RSA public key in PEM (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`); says why.
    #[error("not an RSA public key in PEM (SPKI or PKCS#1): {0}")]
    PublicKey(String),
    /// The modulus is shorter than [`RSA_MIN_BITS`].
    #[error("the RSA {kind} key is {bits} bits; at least {min} are required", min = RSA_MIN_BITS)]
    TooShort {
        /// Private or public.
        kind: KeyKind,
        /// The modulus length.
        bits: usize,
    },
    /// The modulus is longer than [`RSA_MAX_BITS`].
    #[error("the RSA {kind} key is {bits} bits; at most {max} are supported", max = RSA_MAX_BITS)]
    TooLong {
        /// Private or public.
        kind: KeyKind,
        /// The modulus length.
        bits: usize,
    },
    /// The key parsed but signing failed.
    #[error("RSA signing failed: {0}")]
    Sign(String),
}

/// An RSA implementation. Both compute the same bytes (PKCS#1 v1.5 signatures are deterministic) and
/// accept the same keys; they differ in how they are built and in side-channel resistance.
///
/// [`rsa_sha256_sign`] and the verify functions (which the interpreter and generated code call) use
/// [`RsaBackend::current`]: [`RsaBackend::DEFAULT`] unless a thread runs inside [`RsaBackend::scope`].
///
/// ```
/// use payspec::crypto::RsaBackend;
/// # #[cfg(feature = "aws-lc-rs")]
/// assert_eq!(RsaBackend::DEFAULT, RsaBackend::AwsLc);
/// assert!(RsaBackend::ALL.contains(&RsaBackend::current()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaBackend {
    /// aws-lc-rs (AWS-LC, C): constant-time, blinded. Feature `aws-lc-rs` (default).
    #[cfg(feature = "aws-lc-rs")]
    AwsLc,
    /// The pure-Rust `rsa` crate. Feature `rsa-rustcrypto`, for builds without a C compiler. NOT
    /// constant-time (RUSTSEC-2023-0071, no fixed release); signing is blinded with the OS RNG.
    #[cfg(feature = "rsa-rustcrypto")]
    RustCrypto,
}

thread_local! {
    static BACKEND: std::cell::Cell<Option<RsaBackend>> = const { std::cell::Cell::new(None) };
}

impl RsaBackend {
    /// aws-lc-rs when compiled in, else the `rsa` crate.
    #[cfg(feature = "aws-lc-rs")]
    pub const DEFAULT: RsaBackend = RsaBackend::AwsLc;
    /// aws-lc-rs when compiled in, else the `rsa` crate.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub const DEFAULT: RsaBackend = RsaBackend::RustCrypto;

    /// Every backend compiled in, the default first.
    pub const ALL: &'static [RsaBackend] = &[
        #[cfg(feature = "aws-lc-rs")]
        RsaBackend::AwsLc,
        #[cfg(feature = "rsa-rustcrypto")]
        RsaBackend::RustCrypto,
    ];

    /// The backend this thread uses: the innermost [`scope`](Self::scope), else [`DEFAULT`](Self::DEFAULT).
    pub fn current() -> RsaBackend {
        BACKEND.with(|b| b.get()).unwrap_or(RsaBackend::DEFAULT)
    }

    /// Run `f` with this backend as [`current`](Self::current) on this thread (restored afterwards,
    /// also on panic): every RSA operation inside, interpreter or generated code, uses it.
    ///
    /// ```
    /// use payspec::crypto::{rsa_sha256_sign, RsaBackend};
    /// const KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_private_key.pem"));
    /// let sigs: Vec<Vec<u8>> =
    ///     RsaBackend::ALL.iter().map(|b| b.scope(|| rsa_sha256_sign(KEY, b"abc").unwrap())).collect();
    /// assert!(sigs.windows(2).all(|w| w[0] == w[1]), "deterministic: every backend, the same bytes");
    /// assert_eq!(RsaBackend::current(), RsaBackend::DEFAULT);
    /// ```
    pub fn scope<T>(self, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<RsaBackend>);
        impl Drop for Restore {
            fn drop(&mut self) {
                BACKEND.with(|b| b.set(self.0));
            }
        }
        let _restore = Restore(BACKEND.with(|b| b.replace(Some(self))));
        f()
    }

    /// Short name: `aws-lc-rs` or `rsa`.
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "aws-lc-rs")]
            RsaBackend::AwsLc => "aws-lc-rs",
            #[cfg(feature = "rsa-rustcrypto")]
            RsaBackend::RustCrypto => "rsa",
        }
    }

    /// Whether private-key operations are constant-time (only aws-lc-rs).
    pub fn is_constant_time(self) -> bool {
        match self {
            #[cfg(feature = "aws-lc-rs")]
            RsaBackend::AwsLc => true,
            #[cfg(feature = "rsa-rustcrypto")]
            RsaBackend::RustCrypto => false,
        }
    }

    /// [`rsa_sha256_sign`] on this backend (the key is parsed on every call).
    pub fn sign_sha256(self, private_pem: &str, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        rsa_backends::PrivateKeyCache::default().sign(self, private_pem, msg)
    }

    /// [`rsa_sha256_sign_secret`] on this backend (the key is parsed once per secret).
    pub fn sign_sha256_secret(self, private_key: &Secret, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        private_key.rsa_cache().sign(self, private_key.expose(), msg)
    }

    /// [`rsa_sha256_verify`] on this backend (the key is parsed once per PEM text, see there).
    pub fn verify_sha256(self, public_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        rsa_backends::public_key(public_pem).verify(self, public_pem, msg, sig)
    }

    /// [`rsa_sha256_verify_with_private`] on this backend (the key is parsed on every call).
    pub fn verify_sha256_with_private(self, private_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        rsa_backends::PrivateKeyCache::default().verify(self, private_pem, msg, sig)
    }

    /// [`rsa_sha256_verify_with_secret`] on this backend (the key is parsed once per secret).
    pub fn verify_sha256_with_secret(self, private_key: &Secret, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        private_key.rsa_cache().verify(self, private_key.expose(), msg, sig)
    }
}

/// HMAC-SHA256.
///
/// ```
/// let mac = payspec::crypto::hmac_sha256(b"key", b"The quick brown fox jumps over the lazy dog");
/// assert_eq!(hex::encode(mac), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
/// ```
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-SHA512.
///
/// ```
/// let mac = payspec::crypto::hmac_sha512(b"key", b"The quick brown fox jumps over the lazy dog");
/// assert_eq!(
///     hex::encode(mac),
///     "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a"
/// );
/// ```
pub fn hmac_sha512(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// SHA-256.
///
/// ```
/// let digest = payspec::crypto::sha256(b"abc");
/// assert_eq!(hex::encode(digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn sha256(msg: &[u8]) -> Vec<u8> {
    Sha256::digest(msg).to_vec()
}

/// MD5 (only where a provider requires it).
///
/// ```
/// assert_eq!(hex::encode(payspec::crypto::md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
/// ```
pub fn md5(msg: &[u8]) -> Vec<u8> {
    md5::Md5::digest(msg).to_vec()
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic) on [`RsaBackend::current`]. `private_pem` is PKCS#8
/// (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM text of a 2048- to 8192-bit key; the signature
/// is as long as the modulus.
///
/// ```
/// use payspec::crypto::{rsa_sha256_sign, rsa_sha256_verify, KeyError, KeyKind};
/// // The throwaway 2048-bit test key pair of the conformance suite.
/// const PRIVATE_KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_private_key.pem"));
/// const PUBLIC_KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_public_key.pem"));
/// let sig = rsa_sha256_sign(PRIVATE_KEY, b"abc").unwrap();
/// // The same bytes as `printf abc | openssl dgst -sha256 -sign test_private_key.pem | xxd -p`.
/// assert_eq!(
///     hex::encode(&sig),
///     "43908517e824e784c26c99897852bb0ce84b420e1fcf0bdea327fcaa1b98aaa97238095f9ec40fb495fd61082d1edcf69566342bd444899ec64ccc17c24133752d77c121fdeb7482e7822b276949a0a5484183f76e64818bb4f28bca12014bb84d5ea9e238478fa22f3f47eb3360eec8475e187f613f1691b6ff75f7b0f2c62503e86f3818917cd3335c598008f3c53421fd81f360e1adcf3dd457e2b3664e999b6095c26ed85ac72a539b34e1be5fd07c5728830502acebea1fbf3d4e18c444ea364bc20c2893a327d1e416403ecd7f4ed0269c1e96c19e8ca6960d6149ea76d32141c43baf9e47abfd74322ae15d1bc77cdd672a3af6e249a2a42c93f0291d"
/// );
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"abc", &sig), Ok(true));
/// assert!(matches!(rsa_sha256_sign("not a key", b"abc"), Err(KeyError::PrivateKey(_))));
///
/// // Keys under 2048 bits are refused (this one is a throwaway 512-bit key).
/// const SHORT_KEY: &str = "-----BEGIN PRIVATE KEY-----
/// MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAyhk00jq5ZSbW7ZmC
/// jHXsbHuTEvZyaXCb4Dp2svMeuONMijIKD5gxjayu4JGbjsRjMDVTl+0CvJJm6Gua
/// 3DAUnQIDAQABAkEAqS0yj23DNo6typX/t68ba7CCbJRLMEKo6apnJOPp6uA2Wuw/
/// Js8tLn8CK3nVOBsFSjDq6Ky4dLpIYaeeaG2bYQIhAOy1xfaWABTDJgw7bQefjweJ
/// Rxj1NFjpTMam7cIv3s85AiEA2pFeZhByMG24jEznBCtiaOAf+ygbDqOx+SP6HFW1
/// zIUCIQDCcMZ+udSzOWJlpeL34h+RZziZzcIETxAcFj8zxjLWMQIgeqmSvN0F+L/b
/// DoIqNGDUvd7qk92SMckUnKngN/6yJLECIFDoSk1ApSu46VV8acCUESfJ3Dc/MRCt
/// j7KrTVJgL3M9
/// -----END PRIVATE KEY-----";
/// let err = rsa_sha256_sign(SHORT_KEY, b"abc").unwrap_err();
/// assert_eq!(err, KeyError::TooShort { kind: KeyKind::Private, bits: 512 });
/// assert_eq!(err.to_string(), "the RSA private key is 512 bits; at least 2048 are required");
/// ```
///
/// The key is parsed and validated on every call (most of the cost of one signature); with the key
/// in a [`Secret`], [`rsa_sha256_sign_secret`] parses it once.
pub fn rsa_sha256_sign(private_pem: &str, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    RsaBackend::current().sign_sha256(private_pem, msg)
}

/// [`rsa_sha256_sign`] with the PEM private key held in a [`Secret`]: the key is parsed and validated
/// on first use and the parsed key is kept inside the secret (shared by its clones, dropped with the
/// last one), so later signatures skip parsing. The same bytes and the same errors as
/// [`rsa_sha256_sign`] on the secret's text. Generated signers call this.
///
/// ```
/// use payspec::{crypto, Secret};
/// let key = Secret::new(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_private_key.pem")));
/// let sig = crypto::rsa_sha256_sign_secret(&key, b"abc").unwrap();
/// assert_eq!(sig, crypto::rsa_sha256_sign(key.expose(), b"abc").unwrap());
/// assert_eq!(crypto::rsa_sha256_verify_with_secret(&key, b"abc", &sig), Ok(true));
/// let not_a_key = Secret::new("not a key");
/// assert!(matches!(crypto::rsa_sha256_sign_secret(&not_a_key, b"abc"), Err(crypto::KeyError::PrivateKey(_))));
/// ```
pub fn rsa_sha256_sign_secret(private_key: &Secret, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    RsaBackend::current().sign_sha256_secret(private_key, msg)
}

/// How many RSA private-key operations (signatures, on any backend) this thread has made so far; a
/// signature returned from a [`Secret::with_signature_memo`] memo is not one. For tests and
/// benchmarks that count the expensive operations.
pub fn rsa_private_key_operations() -> u64 {
    rsa_backends::private_key_operations()
}

/// Whether `private_pem` is a key [`rsa_sha256_sign`] accepts on [`RsaBackend::current`] (the same
/// error otherwise), without signing.
pub(crate) fn rsa_private_key_check(private_pem: &str) -> Result<(), KeyError> {
    rsa_backends::PrivateKeyCache::default().check(RsaBackend::current(), private_pem)
}

/// [`rsa_private_key_check`] for a key in a [`Secret`] (parsed once, kept, as for signing).
pub(crate) fn rsa_private_key_check_secret(private_key: &Secret) -> Result<(), KeyError> {
    private_key.rsa_cache().check(RsaBackend::current(), private_key.expose())
}

/// Verify an RSASSA-PKCS1-v1_5 SHA-256 signature on [`RsaBackend::current`]. `Ok(false)` for a wrong
/// signature (including one of the wrong length); `Err` only when `public_pem` is not a usable RSA
/// public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY` PEM, 2048 to 8192 bits).
///
/// ```
/// use payspec::crypto::{rsa_sha256_sign, rsa_sha256_verify, KeyError, KeyKind};
/// const PRIVATE_KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_private_key.pem"));
/// const PUBLIC_KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_public_key.pem"));
/// let sig = rsa_sha256_sign(PRIVATE_KEY, b"amount=100").unwrap();
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"amount=100", &sig), Ok(true));
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"amount=999", &sig), Ok(false));
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"amount=100", b"short"), Ok(false));
///
/// // The public half of a throwaway 512-bit key: refused, not "does not verify".
/// const SHORT_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
/// MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMoZNNI6uWUm1u2Zgox17Gx7kxL2cmlw
/// m+A6drLzHrjjTIoyCg+YMY2sruCRm47EYzA1U5ftArySZuhrmtwwFJ0CAwEAAQ==
/// -----END PUBLIC KEY-----";
/// assert_eq!(
///     rsa_sha256_verify(SHORT_PUBLIC_KEY, b"amount=100", &sig),
///     Err(KeyError::TooShort { kind: KeyKind::Public, bits: 512 })
/// );
/// ```
///
/// Public keys are not secret: each PEM text is parsed once and kept in a small process-wide cache
/// (a few dozen keys; it starts over when full).
pub fn rsa_sha256_verify(public_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    RsaBackend::current().verify_sha256(public_pem, msg, sig)
}

/// Verify with the public half of a private key (a server that holds the merchant's key pair).
/// Same results as [`rsa_sha256_verify`]; `Err` when `private_pem` is not a usable RSA private key.
///
/// ```
/// use payspec::crypto::{rsa_sha256_sign, rsa_sha256_verify_with_private};
/// const PRIVATE_KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_private_key.pem"));
/// let sig = rsa_sha256_sign(PRIVATE_KEY, b"abc").unwrap();
/// assert_eq!(rsa_sha256_verify_with_private(PRIVATE_KEY, b"abc", &sig), Ok(true));
/// assert_eq!(rsa_sha256_verify_with_private(PRIVATE_KEY, b"abd", &sig), Ok(false));
/// ```
pub fn rsa_sha256_verify_with_private(private_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    RsaBackend::current().verify_sha256_with_private(private_pem, msg, sig)
}

/// [`rsa_sha256_verify_with_private`] with the private key held in a [`Secret`], parsed once per
/// secret as in [`rsa_sha256_sign_secret`]. Generated verifiers call this.
pub fn rsa_sha256_verify_with_secret(private_key: &Secret, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    RsaBackend::current().verify_sha256_with_secret(private_key, msg, sig)
}

/// Encode bytes as text: `hex` lowercase, `HEX` uppercase, `base64` standard and padded, `base64url`
/// URL-safe and unpadded.
///
/// ```
/// use payspec::crypto::encode;
/// use payspec::model::Encoding;
/// let bytes = [0xde, 0xad, 0xfb, 0xff];
/// assert_eq!(encode(Encoding::Hex, &bytes), "deadfbff");
/// assert_eq!(encode(Encoding::HexUpper, &bytes), "DEADFBFF");
/// assert_eq!(encode(Encoding::Base64, &bytes), "3q37/w==");
/// assert_eq!(encode(Encoding::Base64Url, &bytes), "3q37_w");
/// ```
pub fn encode(enc: Encoding, bytes: &[u8]) -> String {
    match enc {
        Encoding::Hex => hex_text(bytes, b"0123456789abcdef"),
        Encoding::HexUpper => hex_text(bytes, b"0123456789ABCDEF"),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        Encoding::Base64Url => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
    }
}

/// Hex digits by table (the `hex` crate's iterator costs ten times as much per byte).
fn hex_text(bytes: &[u8], digits: &[u8; 16]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(digits[usize::from(b >> 4)]);
        out.push(digits[usize::from(b & 0xf)]);
    }
    // Only ASCII digits and letters were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// Decode text produced by [`encode`]; strict about the alphabet so a forged value is not "repaired".
/// `None` when `text` is not valid in that encoding (including hex of the other case, and padding
/// or `+`/`/` in `base64url`).
///
/// ```
/// use payspec::crypto::decode;
/// use payspec::model::Encoding;
/// assert_eq!(decode(Encoding::Hex, "deadfbff"), Some(vec![0xde, 0xad, 0xfb, 0xff]));
/// assert_eq!(decode(Encoding::Hex, "DEADFBFF"), None);
/// assert_eq!(decode(Encoding::Base64Url, "3q37_w"), Some(vec![0xde, 0xad, 0xfb, 0xff]));
/// assert_eq!(decode(Encoding::Base64Url, "3q37/w=="), None);
/// ```
pub fn decode(enc: Encoding, text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    match enc {
        Encoding::Hex if text.bytes().all(|b| !b.is_ascii_uppercase()) => hex::decode(text).ok(),
        Encoding::HexUpper if text.bytes().all(|b| !b.is_ascii_lowercase()) => hex::decode(text).ok(),
        Encoding::Hex | Encoding::HexUpper => None,
        Encoding::Base64 => STANDARD.decode(text).ok(),
        Encoding::Base64Url => URL_SAFE_NO_PAD.decode(text).ok(),
    }
}

/// Lenient base64 for decoding received payloads: standard or URL-safe, padded or not; surrounding
/// whitespace is ignored. `None` when no variant decodes it.
///
/// ```
/// use payspec::crypto::base64_lenient;
/// let bytes = Some(vec![0xde, 0xad, 0xfb, 0xff]);
/// for text in ["3q37/w==", "3q37/w", "3q37_w==", "3q37_w", " 3q37/w==\n"] {
///     assert_eq!(base64_lenient(text), bytes);
/// }
/// assert_eq!(base64_lenient("not base64!"), None);
/// ```
pub fn base64_lenient(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(text.trim()).ok())
}

/// Constant-time equality of two byte strings (length is not secret).
///
/// ```
/// use payspec::crypto::ct_eq;
/// assert!(ct_eq(b"3f2a", b"3f2a"));
/// assert!(!ct_eq(b"3f2a", b"3f2b"));
/// assert!(!ct_eq(b"3f2a", b"3f2a00"));
/// ```
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_published_test_vectors() {
        // RFC 4231 test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac_sha512(b"Jefe", b"what do ya want for nothing?")),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        assert_eq!(hex::encode(sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex::encode(md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn table_hex_is_the_hex_crate_for_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(encode(Encoding::Hex, &all), hex::encode(&all));
        assert_eq!(encode(Encoding::HexUpper, &all), hex::encode_upper(&all));
        assert_eq!(encode(Encoding::Hex, &[]), "");
    }

    #[test]
    fn encodings_round_trip_and_reject_the_wrong_case() {
        let bytes = [0xde, 0xad, 0xbe, 0xef, 0xfb, 0xff];
        for enc in [Encoding::Hex, Encoding::HexUpper, Encoding::Base64, Encoding::Base64Url] {
            assert_eq!(decode(enc, &encode(enc, &bytes)).as_deref(), Some(&bytes[..]), "{enc:?}");
        }
        assert_eq!(encode(Encoding::Base64Url, &bytes), "3q2-7_v_");
        assert_eq!(decode(Encoding::Hex, "DEADBEEF"), None);
        assert_eq!(decode(Encoding::HexUpper, "deadbeef"), None);
    }

    #[test]
    fn ct_eq_compares_content_and_length() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
    }

    const PRIVATE_KEY: &str =
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_private_key.pem"));
    const PUBLIC_KEY: &str =
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_public_key.pem"));

    #[test]
    fn a_secret_keeps_its_parsed_key_for_every_backend_and_every_clone() {
        let key = Secret::new(PRIVATE_KEY);
        let copy = key.clone();
        for &backend in RsaBackend::ALL {
            assert!(!copy.rsa_cache().is_parsed(backend), "{backend:?}: nothing parsed before first use");
            let sig = backend.sign_sha256_secret(&key, b"abc").unwrap();
            assert!(copy.rsa_cache().is_parsed(backend), "{backend:?}: parsed once, shared by the clone");
            // The same bytes and verdicts as the PEM-text functions, on every call.
            assert_eq!(sig, backend.sign_sha256(PRIVATE_KEY, b"abc").unwrap());
            assert_eq!(backend.sign_sha256_secret(&copy, b"abc").unwrap(), sig);
            assert_eq!(backend.verify_sha256_with_secret(&copy, b"abc", &sig), Ok(true));
            assert_eq!(backend.verify_sha256_with_secret(&copy, b"abd", &sig), Ok(false));
            assert_eq!(backend.verify_sha256(PUBLIC_KEY, b"abc", &sig), Ok(true));
            assert_eq!(backend.verify_sha256(PUBLIC_KEY, b"abd", &sig), Ok(false));
        }
        // A fresh secret with the same text parses on its own: nothing outlives the credential.
        assert!(RsaBackend::ALL.iter().all(|&b| !Secret::new(PRIVATE_KEY).rsa_cache().is_parsed(b)));
    }

    #[test]
    fn a_memoizing_secret_signs_each_message_once_per_backend_and_forgets_the_oldest() {
        let ops = rsa_private_key_operations;
        let key = Secret::with_signature_memo(PRIVATE_KEY);
        for &backend in RsaBackend::ALL {
            let before = ops();
            let sig = backend.sign_sha256_secret(&key, b"abc").unwrap();
            // A copy shares the memo: the same bytes as a fresh signature, without a second operation.
            assert_eq!(backend.sign_sha256_secret(&key.clone(), b"abc").unwrap(), sig);
            assert_eq!(ops() - before, 1, "{backend:?}: `abc` signed once");
            assert_eq!(sig, backend.sign_sha256(PRIVATE_KEY, b"abc").unwrap());
            assert_eq!(ops() - before, 2, "a plain PEM text remembers nothing");
            // Another message is another signature, which verifies for it and not for `abc`.
            let other = backend.sign_sha256_secret(&key, b"abd").unwrap();
            assert_eq!(ops() - before, 3);
            assert_ne!(other, sig);
            assert_eq!(backend.verify_sha256(PUBLIC_KEY, b"abd", &other), Ok(true));
            assert_eq!(backend.verify_sha256(PUBLIC_KEY, b"abc", &other), Ok(false));
            // Bounded: after SIGNATURE_MEMO newer messages, `abc` is signed again (the same bytes).
            for i in 0..rsa_backends::SIGNATURE_MEMO {
                backend.sign_sha256_secret(&key, format!("m{i}").as_bytes()).unwrap();
            }
            let before = ops();
            assert_eq!(backend.sign_sha256_secret(&key, b"abc").unwrap(), sig);
            assert_eq!(ops() - before, 1, "{backend:?}: the oldest entry was dropped");
        }
        // A plain secret signs every time.
        let plain = Secret::new(PRIVATE_KEY);
        let before = ops();
        rsa_sha256_sign_secret(&plain, b"abc").unwrap();
        rsa_sha256_sign_secret(&plain, b"abc").unwrap();
        assert_eq!(ops() - before, 2);
        // Errors are not remembered: a bad key fails the same way every time.
        let bad = Secret::with_signature_memo("not a key");
        let first = rsa_sha256_sign_secret(&bad, b"abc").unwrap_err();
        assert_eq!(rsa_sha256_sign_secret(&bad, b"abc").unwrap_err(), first);
    }

    #[test]
    fn a_bad_key_in_a_secret_fails_the_same_way_every_time() {
        let short = Secret::new("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");
        for &backend in RsaBackend::ALL {
            let first = backend.sign_sha256_secret(&short, b"x").unwrap_err();
            assert_eq!(backend.sign_sha256_secret(&short, b"x").unwrap_err(), first);
            assert_eq!(backend.sign_sha256(short.expose(), b"x").unwrap_err(), first);
            assert_eq!(backend.verify_sha256_with_secret(&short, b"x", b"y").unwrap_err(), first);
        }
    }

    #[test]
    fn public_keys_are_cached_by_text_and_the_cache_is_bounded() {
        let a = rsa_backends::public_key(PUBLIC_KEY);
        assert!(std::sync::Arc::ptr_eq(&a, &rsa_backends::public_key(PUBLIC_KEY)), "parsed once per text");
        for i in 0..2 * rsa_backends::PUBLIC_CACHE_KEYS {
            let other = format!("{PUBLIC_KEY}\n{i}");
            drop(rsa_backends::public_key(&other));
            assert!(rsa_backends::public_cached() <= rsa_backends::PUBLIC_CACHE_KEYS);
        }
        // Evicted or not, the verdicts stay right.
        let sig = rsa_sha256_sign(PRIVATE_KEY, b"abc").unwrap();
        assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"abc", &sig), Ok(true));
        assert!(matches!(rsa_sha256_verify("not a key", b"abc", &sig), Err(KeyError::PublicKey(_))));
        assert!(matches!(rsa_sha256_verify("not a key", b"abc", &sig), Err(KeyError::PublicKey(_))));
    }

    #[test]
    fn bad_pem_is_a_key_error() {
        assert!(matches!(rsa_sha256_sign("not a key", b"x"), Err(KeyError::PrivateKey(_))));
        assert!(matches!(rsa_sha256_verify("not a key", b"x", b"y"), Err(KeyError::PublicKey(_))));
    }
}
