//! RSASSA-PKCS1-v1_5 SHA-256 on the two backends. PEM is decoded here once, for both (`pem-rfc7468`,
//! constant-time base64), and the modulus size is checked here once, for both, so the backends accept
//! and refuse exactly the same keys; each backend then parses the DER itself.

use super::{KeyError, KeyKind, RsaBackend, RSA_MAX_BITS, RSA_MIN_BITS};
use sha2::Digest as _;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use zeroize::Zeroizing;

/// A private key's DER, by encoding; wiped on drop.
pub(super) enum PrivateDer {
    /// `PRIVATE KEY`: PKCS#8 `PrivateKeyInfo`.
    Pkcs8(Zeroizing<Vec<u8>>),
    /// `RSA PRIVATE KEY`: PKCS#1 `RSAPrivateKey`.
    Pkcs1(Zeroizing<Vec<u8>>),
}

/// A public key's DER, by encoding.
pub(super) enum PublicDer {
    /// `PUBLIC KEY`: X.509 `SubjectPublicKeyInfo`.
    Spki(Vec<u8>),
    /// `RSA PUBLIC KEY`: PKCS#1 `RSAPublicKey`.
    Pkcs1(Vec<u8>),
}

fn pem_block(pem: &str) -> Result<(String, Zeroizing<Vec<u8>>), pem_rfc7468::Error> {
    let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())?;
    Ok((label.to_string(), Zeroizing::new(der)))
}

/// Decode a private key's PEM and check its modulus size. Messages name the PEM label or the parse
/// error, never key material.
pub(super) fn private_der(pem: &str) -> Result<PrivateDer, KeyError> {
    let bad = KeyError::PrivateKey;
    let (label, der) = pem_block(pem).map_err(|e| bad(format!("not PEM text: {e}")))?;
    let der = match label.as_str() {
        "PRIVATE KEY" => PrivateDer::Pkcs8(der),
        "RSA PRIVATE KEY" => PrivateDer::Pkcs1(der),
        "ENCRYPTED PRIVATE KEY" => return Err(bad("an encrypted PKCS#8 key; decrypt it first".into())),
        other => {
            return Err(bad(format!(
                "PEM label `{other}`; expected `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1)"
            )))
        }
    };
    if let Some(bits) = modulus_bits_private(&der) {
        check_size(KeyKind::Private, bits)?;
    }
    Ok(der)
}

/// Decode a public key's PEM and check its modulus size.
pub(super) fn public_der(pem: &str) -> Result<PublicDer, KeyError> {
    let bad = KeyError::PublicKey;
    let (label, der) = pem_block(pem).map_err(|e| bad(format!("not PEM text: {e}")))?;
    let der = match label.as_str() {
        "PUBLIC KEY" => PublicDer::Spki(der.to_vec()),
        "RSA PUBLIC KEY" => PublicDer::Pkcs1(der.to_vec()),
        other => {
            return Err(bad(format!("PEM label `{other}`; expected `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1)")))
        }
    };
    if let Some(bits) = modulus_bits_public(&der) {
        check_size(KeyKind::Public, bits)?;
    }
    Ok(der)
}

pub(super) fn check_size(kind: KeyKind, bits: usize) -> Result<(), KeyError> {
    if bits < RSA_MIN_BITS {
        Err(KeyError::TooShort { kind, bits })
    } else if bits > RSA_MAX_BITS {
        Err(KeyError::TooLong { kind, bits })
    } else {
        Ok(())
    }
}

// ---- parsed keys, cached ------------------------------------------------------------------------
// Parsing and validating a key (aws-lc checks the private key's consistency) costs far more than one
// signature. A private key is parsed once per `Secret` (the cache lives inside it, so the parsed key
// lives exactly as long as the credential); a public key (not secret) once per PEM text, in a small
// process-wide cache. A parse error is kept too: the same text fails the same way.

/// The parsed forms of one private key, one per backend, each parsed on first use.
#[derive(Default)]
pub(crate) struct PrivateKeyCache {
    #[cfg(feature = "aws-lc-rs")]
    aws: OnceLock<Result<aws_lc::Private, KeyError>>,
    #[cfg(feature = "rsa-rustcrypto")]
    rust: OnceLock<Result<rust_crypto::Private, KeyError>>,
    /// Opt-in ([`memoizing`](Self::memoizing)): the last signatures made, by backend and SHA-256 of
    /// the message (RSASSA-PKCS1-v1_5 signs exactly that digest, deterministically).
    memo: Option<Mutex<VecDeque<Signed>>>,
}

/// One remembered signature: backend, SHA-256 of the message, signature.
type Signed = (RsaBackend, [u8; 32], Vec<u8>);

/// How many signatures a memoizing key remembers (the oldest is dropped first).
pub(crate) const SIGNATURE_MEMO: usize = 8;

thread_local! {
    static PRIVATE_KEY_OPERATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// RSA private-key operations (signatures) made on this thread so far.
pub(crate) fn private_key_operations() -> u64 {
    PRIVATE_KEY_OPERATIONS.with(|n| n.get())
}

impl PrivateKeyCache {
    /// A cache that also remembers the last [`SIGNATURE_MEMO`] signatures: signing a message again
    /// on the same backend returns the remembered bytes (the same ones a new signature would have)
    /// without a private-key operation.
    pub(crate) fn memoizing() -> Self {
        PrivateKeyCache { memo: Some(Mutex::new(VecDeque::with_capacity(SIGNATURE_MEMO))), ..Default::default() }
    }

    /// Sign with the key `pem` (the text this cache belongs to) on `backend`.
    pub(crate) fn sign(&self, backend: RsaBackend, pem: &str, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let Some(memo) = &self.memo else { return self.sign_now(backend, pem, msg) };
        let digest: [u8; 32] = sha2::Sha256::digest(msg).into();
        // A poisoned lock only means another thread panicked mid-lookup; the entries are consistent.
        let hit = |m: &VecDeque<Signed>| m.iter().find(|(b, d, _)| *b == backend && *d == digest).map(|e| e.2.clone());
        if let Some(sig) = hit(&memo.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(sig);
        }
        let sig = self.sign_now(backend, pem, msg)?;
        let mut m = memo.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= SIGNATURE_MEMO {
            m.pop_front();
        }
        m.push_back((backend, digest, sig.clone()));
        Ok(sig)
    }

    fn sign_now(&self, backend: RsaBackend, pem: &str, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let count = || PRIVATE_KEY_OPERATIONS.with(|n| n.set(n.get() + 1));
        match backend {
            #[cfg(feature = "aws-lc-rs")]
            RsaBackend::AwsLc => {
                let key = self.aws.get_or_init(|| aws_lc::parse_private(&private_der(pem)?)).as_ref();
                let key = key.map_err(Clone::clone)?;
                count();
                aws_lc::sign(key, msg)
            }
            #[cfg(feature = "rsa-rustcrypto")]
            RsaBackend::RustCrypto => {
                let key = self.rust.get_or_init(|| rust_crypto::parse_private(&private_der(pem)?)).as_ref();
                let key = key.map_err(Clone::clone)?;
                count();
                rust_crypto::sign(key, msg)
            }
        }
    }

    /// Parse (once) and check the key `pem` as [`sign`](Self::sign) does, without signing.
    pub(crate) fn check(&self, backend: RsaBackend, pem: &str) -> Result<(), KeyError> {
        match backend {
            #[cfg(feature = "aws-lc-rs")]
            RsaBackend::AwsLc => self.aws.get_or_init(|| aws_lc::parse_private(&private_der(pem)?)).as_ref().map(drop),
            #[cfg(feature = "rsa-rustcrypto")]
            RsaBackend::RustCrypto => {
                self.rust.get_or_init(|| rust_crypto::parse_private(&private_der(pem)?)).as_ref().map(drop)
            }
        }
        .map_err(Clone::clone)
    }

    /// Verify with the public half of the key `pem` on `backend`.
    pub(crate) fn verify(&self, backend: RsaBackend, pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        match backend {
            #[cfg(feature = "aws-lc-rs")]
            RsaBackend::AwsLc => {
                let key = self.aws.get_or_init(|| aws_lc::parse_private(&private_der(pem)?)).as_ref();
                Ok(aws_lc::verify_with_private(key.map_err(Clone::clone)?, msg, sig))
            }
            #[cfg(feature = "rsa-rustcrypto")]
            RsaBackend::RustCrypto => {
                let key = self.rust.get_or_init(|| rust_crypto::parse_private(&private_der(pem)?)).as_ref();
                Ok(rust_crypto::verify_with_private(key.map_err(Clone::clone)?, msg, sig))
            }
        }
    }

    /// Whether `backend`'s parsed key is cached (tests).
    #[cfg(test)]
    pub(crate) fn is_parsed(&self, backend: RsaBackend) -> bool {
        match backend {
            #[cfg(feature = "aws-lc-rs")]
            RsaBackend::AwsLc => self.aws.get().is_some(),
            #[cfg(feature = "rsa-rustcrypto")]
            RsaBackend::RustCrypto => self.rust.get().is_some(),
        }
    }
}

/// The parsed forms of one public key, one per backend.
#[derive(Default)]
pub(crate) struct PublicKeyCache {
    #[cfg(feature = "aws-lc-rs")]
    aws: OnceLock<Result<aws_lc::Public, KeyError>>,
    #[cfg(feature = "rsa-rustcrypto")]
    rust: OnceLock<Result<rust_crypto::Public, KeyError>>,
}

impl PublicKeyCache {
    /// Verify with the public key `pem` (the text this cache belongs to) on `backend`.
    pub(crate) fn verify(&self, backend: RsaBackend, pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        match backend {
            #[cfg(feature = "aws-lc-rs")]
            RsaBackend::AwsLc => {
                let key = self.aws.get_or_init(|| aws_lc::parse_public(&public_der(pem)?)).as_ref();
                Ok(aws_lc::verify(key.map_err(Clone::clone)?, msg, sig))
            }
            #[cfg(feature = "rsa-rustcrypto")]
            RsaBackend::RustCrypto => {
                let key = self.rust.get_or_init(|| rust_crypto::parse_public(&public_der(pem)?)).as_ref();
                Ok(rust_crypto::verify(key.map_err(Clone::clone)?, msg, sig))
            }
        }
    }
}

/// How many public keys the process-wide cache holds; when full, it starts over.
pub(crate) const PUBLIC_CACHE_KEYS: usize = 32;
/// PEM text longer than this (far beyond an 8192-bit key) is parsed on every call, never kept.
const PUBLIC_CACHE_PEM_MAX: usize = 16 * 1024;

type PublicCache = Mutex<HashMap<Box<str>, Arc<PublicKeyCache>>>;

fn public_cache() -> &'static PublicCache {
    static CACHE: OnceLock<PublicCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The cache entry of public key text `pem`: shared with every earlier call on the same text while it
/// stays in the bounded cache.
pub(crate) fn public_key(pem: &str) -> Arc<PublicKeyCache> {
    if pem.len() > PUBLIC_CACHE_PEM_MAX {
        return Arc::default();
    }
    // A poisoned lock only means another thread panicked mid-lookup; the map itself is consistent.
    let mut cache = public_cache().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = cache.get(pem) {
        return k.clone();
    }
    if cache.len() >= PUBLIC_CACHE_KEYS {
        cache.clear();
    }
    let k = Arc::<PublicKeyCache>::default();
    cache.insert(pem.into(), k.clone());
    k
}

/// How many public keys are cached (tests).
#[cfg(test)]
pub(crate) fn public_cached() -> usize {
    public_cache().lock().unwrap_or_else(|e| e.into_inner()).len()
}

// ---- a minimal DER reader: just far enough to find the (public) modulus -------------------------
// Any structure it does not recognise gives `None`, and the backend's own parser then reports the
// encoding error; it never rejects a key on its own.

/// One TLV: (tag, content, rest).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, &b| (acc << 8) | b as usize), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, content, rest) = tlv(input)?;
    (t == tag).then_some((content, rest))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const BIT_STRING: u8 = 0x03;

fn integer_bits(content: &[u8]) -> usize {
    let start = content.iter().position(|&b| b != 0).unwrap_or(content.len());
    let n = &content[start..];
    n.first().map_or(0, |&b| (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize))
}

/// `RSAPrivateKey ::= SEQUENCE { version INTEGER, modulus INTEGER, … }`
fn pkcs1_private_bits(der: &[u8]) -> Option<usize> {
    let (seq, _) = expect(der, SEQUENCE)?;
    let (_version, rest) = expect(seq, INTEGER)?;
    let (n, _) = expect(rest, INTEGER)?;
    Some(integer_bits(n))
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
fn pkcs1_public_bits(der: &[u8]) -> Option<usize> {
    let (seq, _) = expect(der, SEQUENCE)?;
    let (n, _) = expect(seq, INTEGER)?;
    Some(integer_bits(n))
}

fn modulus_bits_private(der: &PrivateDer) -> Option<usize> {
    match der {
        // PrivateKeyInfo ::= SEQUENCE { version, algorithm SEQUENCE, privateKey OCTET STRING, … }
        PrivateDer::Pkcs8(der) => {
            let (seq, _) = expect(der, SEQUENCE)?;
            let (_version, rest) = expect(seq, INTEGER)?;
            let (_alg, rest) = expect(rest, SEQUENCE)?;
            let (key, _) = expect(rest, OCTET_STRING)?;
            pkcs1_private_bits(key)
        }
        PrivateDer::Pkcs1(der) => pkcs1_private_bits(der),
    }
}

fn modulus_bits_public(der: &PublicDer) -> Option<usize> {
    match der {
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING }
        PublicDer::Spki(der) => {
            let (seq, _) = expect(der, SEQUENCE)?;
            let (_alg, rest) = expect(seq, SEQUENCE)?;
            let (bits, _) = expect(rest, BIT_STRING)?;
            let (&unused, key) = bits.split_first()?;
            (unused == 0).then_some(())?;
            pkcs1_public_bits(key)
        }
        PublicDer::Pkcs1(der) => pkcs1_public_bits(der),
    }
}

// ---- aws-lc-rs ----------------------------------------------------------------------------------

#[cfg(feature = "aws-lc-rs")]
pub(super) mod aws_lc {
    use super::{PrivateDer, PublicDer};
    use crate::crypto::{KeyError, KeyKind};
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{KeyPair, PublicKey};
    use aws_lc_rs::signature::{
        KeyPair as _, ParsedPublicKey, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
    };

    fn rejected(kind: KeyKind, format: &str, e: aws_lc_rs::error::KeyRejected) -> KeyError {
        let m = format!("{format}: rejected by aws-lc ({e})");
        match kind {
            KeyKind::Private => KeyError::PrivateKey(m),
            KeyKind::Public => KeyError::PublicKey(m),
        }
    }

    fn key_pair(der: &PrivateDer) -> Result<KeyPair, KeyError> {
        match der {
            PrivateDer::Pkcs8(d) => KeyPair::from_pkcs8(d).map_err(|e| rejected(KeyKind::Private, "PKCS#8", e)),
            PrivateDer::Pkcs1(d) => KeyPair::from_der(d).map_err(|e| rejected(KeyKind::Private, "PKCS#1", e)),
        }
    }

    /// A parsed private key.
    pub type Private = KeyPair;
    /// A parsed public key.
    pub type Public = ParsedPublicKey;

    pub fn parse_private(der: &PrivateDer) -> Result<Private, KeyError> {
        key_pair(der)
    }

    pub fn parse_public(der: &PublicDer) -> Result<Public, KeyError> {
        let (format, d) = match der {
            PublicDer::Spki(d) => ("SPKI", d),
            PublicDer::Pkcs1(d) => ("PKCS#1", d),
        };
        let key = PublicKey::from_der(d).map_err(|e| rejected(KeyKind::Public, format, e))?;
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.as_ref())
            .map_err(|e| rejected(KeyKind::Public, format, e))
    }

    pub fn sign(key: &Private, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig)
            .map_err(|_| KeyError::Sign("aws-lc could not sign with this key".into()))?;
        Ok(sig)
    }

    pub fn verify(key: &Public, msg: &[u8], sig: &[u8]) -> bool {
        key.verify_sig(msg, sig).is_ok()
    }

    pub fn verify_with_private(key: &Private, msg: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public_key().as_ref()).verify(msg, sig).is_ok()
    }
}

// ---- rsa (RustCrypto) ---------------------------------------------------------------------------

#[cfg(feature = "rsa-rustcrypto")]
pub(super) mod rust_crypto {
    use super::{PrivateDer, PublicDer};
    use crate::crypto::{KeyError, RSA_MAX_BITS};
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
    use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
    use sha2::Sha256;

    fn private_key(der: &PrivateDer) -> Result<RsaPrivateKey, KeyError> {
        match der {
            PrivateDer::Pkcs8(d) => RsaPrivateKey::from_pkcs8_der(d)
                .map_err(|e| KeyError::PrivateKey(format!("PKCS#8: rejected by rsa ({e})"))),
            PrivateDer::Pkcs1(d) => RsaPrivateKey::from_pkcs1_der(d)
                .map_err(|e| KeyError::PrivateKey(format!("PKCS#1: rejected by rsa ({e})"))),
        }
    }

    fn public_key(der: &PublicDer) -> Result<RsaPublicKey, KeyError> {
        let bad = KeyError::PublicKey;
        // `RsaPublicKey::from_*_der` caps the modulus at 4096 bits; build it with the common cap.
        let key = match der {
            PublicDer::Spki(d) => {
                let spki = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(d.as_slice())
                    .map_err(|e| bad(format!("SPKI: rejected by rsa ({e})")))?;
                spki.algorithm
                    .assert_algorithm_oid(rsa::pkcs1::ALGORITHM_OID)
                    .map_err(|e| bad(format!("SPKI: not an RSA key ({e})")))?;
                let raw = spki.subject_public_key.as_bytes().ok_or_else(|| bad("SPKI: bad bit string".into()))?;
                rsa::pkcs1::RsaPublicKey::try_from(raw).map_err(|e| bad(format!("SPKI: rejected by rsa ({e})")))?
            }
            PublicDer::Pkcs1(d) => rsa::pkcs1::RsaPublicKey::try_from(d.as_slice())
                .map_err(|e| bad(format!("PKCS#1: rejected by rsa ({e})")))?,
        };
        let n = BigUint::from_bytes_be(key.modulus.as_bytes());
        let e = BigUint::from_bytes_be(key.public_exponent.as_bytes());
        RsaPublicKey::new_with_max_size(n, e, RSA_MAX_BITS).map_err(|e| bad(format!("rejected by rsa ({e})")))
    }

    /// A parsed private key (zeroized on drop by the `rsa` crate).
    pub type Private = SigningKey<Sha256>;
    /// A parsed public key.
    pub type Public = VerifyingKey<Sha256>;

    pub fn parse_private(der: &PrivateDer) -> Result<Private, KeyError> {
        Ok(SigningKey::<Sha256>::new(private_key(der)?))
    }

    pub fn parse_public(der: &PublicDer) -> Result<Public, KeyError> {
        Ok(VerifyingKey::<Sha256>::new(public_key(der)?))
    }

    /// Blinded signing (`sign_with_rng` with the OS CSPRNG); `try_sign` would not blind.
    pub fn sign(key: &Private, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let sig = key.try_sign_with_rng(&mut rand_core::OsRng, msg).map_err(|e| KeyError::Sign(e.to_string()))?;
        Ok(sig.to_vec())
    }

    pub fn verify(key: &Public, msg: &[u8], sig: &[u8]) -> bool {
        Signature::try_from(sig).is_ok_and(|sig| key.verify(msg, &sig).is_ok())
    }

    pub fn verify_with_private(key: &Private, msg: &[u8], sig: &[u8]) -> bool {
        verify(&VerifyingKey::<Sha256>::new(key.as_ref().to_public_key()), msg, sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_bits_ignores_the_sign_byte() {
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(integer_bits(&[0x01, 0x00]), 9);
        assert_eq!(integer_bits(&[0x00]), 0);
        assert_eq!(integer_bits(&[]), 0);
    }

    #[test]
    fn truncated_der_is_not_sized() {
        assert_eq!(tlv(&[0x30, 0x82, 0x01]), None);
        assert_eq!(tlv(&[0x30, 0x05, 0x00]), None);
        assert_eq!(modulus_bits_public(&PublicDer::Spki(vec![0x30, 0x00])), None);
        assert_eq!(modulus_bits_private(&PrivateDer::Pkcs1(Zeroizing::new(vec![0x02, 0x01, 0x00]))), None);
    }
}
