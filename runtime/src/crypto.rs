//! Signing primitives: digests, MACs, RSA, text encodings, constant-time comparison.

use base64::Engine;
use hmac::{Hmac, Mac};
use payspec_spec::Encoding;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use sha2::{Digest as _, Sha256, Sha512};

/// A key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not an RSA private key in PEM (PKCS#1 or PKCS#8): {0}")]
    PrivateKey(String),
    #[error("not an RSA public key in PEM (SPKI or PKCS#1): {0}")]
    PublicKey(String),
    #[error("RSA signing failed: {0}")]
    Sign(String),
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
pub fn hmac_sha512(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// SHA-256.
pub fn sha256(msg: &[u8]) -> Vec<u8> {
    Sha256::digest(msg).to_vec()
}

/// MD5 (only where a provider requires it).
pub fn md5(msg: &[u8]) -> Vec<u8> {
    md5::Md5::digest(msg).to_vec()
}

fn private_key(pem: &str) -> Result<rsa::RsaPrivateKey, KeyError> {
    rsa::RsaPrivateKey::from_pkcs8_pem(pem).or_else(|e8| {
        rsa::RsaPrivateKey::from_pkcs1_pem(pem)
            .map_err(|e1| KeyError::PrivateKey(format!("PKCS#8: {e8}; PKCS#1: {e1}")))
    })
}

fn public_key(pem: &str) -> Result<rsa::RsaPublicKey, KeyError> {
    rsa::RsaPublicKey::from_public_key_pem(pem).or_else(|e8| {
        rsa::RsaPublicKey::from_pkcs1_pem(pem).map_err(|e1| KeyError::PublicKey(format!("SPKI: {e8}; PKCS#1: {e1}")))
    })
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic).
pub fn rsa_sha256_sign(private_pem: &str, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    let key = SigningKey::<Sha256>::new(private_key(private_pem)?);
    let sig = key.try_sign(msg).map_err(|e| KeyError::Sign(e.to_string()))?;
    Ok(sig.to_vec())
}

/// Verify an RSASSA-PKCS1-v1_5 SHA-256 signature. `Ok(false)` for a wrong signature.
pub fn rsa_sha256_verify(public_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    let key = VerifyingKey::<Sha256>::new(public_key(public_pem)?);
    let Ok(sig) = Signature::try_from(sig) else { return Ok(false) };
    Ok(key.verify(msg, &sig).is_ok())
}

/// Verify with the public half of a private key (a server that holds the merchant's key pair).
pub fn rsa_sha256_verify_with_private(private_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    let key = VerifyingKey::<Sha256>::new(private_key(private_pem)?.to_public_key());
    let Ok(sig) = Signature::try_from(sig) else { return Ok(false) };
    Ok(key.verify(msg, &sig).is_ok())
}

/// Encode bytes as text.
pub fn encode(enc: Encoding, bytes: &[u8]) -> String {
    match enc {
        Encoding::Hex => hex::encode(bytes),
        Encoding::HexUpper => hex::encode_upper(bytes),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        Encoding::Base64Url => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
    }
}

/// Decode text produced by [`encode`]; strict about the alphabet so a forged value is not "repaired".
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

/// Lenient base64 for decoding received payloads: standard or URL-safe, padded or not.
pub fn base64_lenient(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(text.trim()).ok())
}

/// Constant-time equality of two byte strings (length is not secret).
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

    #[test]
    fn bad_pem_is_a_key_error() {
        assert!(matches!(rsa_sha256_sign("not a key", b"x"), Err(KeyError::PrivateKey(_))));
        assert!(matches!(rsa_sha256_verify("not a key", b"x", b"y"), Err(KeyError::PublicKey(_))));
    }
}
