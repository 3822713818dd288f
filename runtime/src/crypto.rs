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
    /// Not an RSA private key in PEM (PKCS#8 or PKCS#1); carries both parsers' errors.
    #[error("not an RSA private key in PEM (PKCS#1 or PKCS#8): {0}")]
    PrivateKey(String),
    /// Not an RSA public key in PEM (SPKI or PKCS#1); carries both parsers' errors.
    #[error("not an RSA public key in PEM (SPKI or PKCS#1): {0}")]
    PublicKey(String),
    /// The key parsed but signing failed (e.g. a modulus too short for a SHA-256 PKCS#1 v1.5 signature).
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

/// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic). `private_pem` is PKCS#8 or PKCS#1 PEM text; the
/// signature is as long as the modulus.
///
/// ```
/// use payspec::crypto::{rsa_sha256_sign, rsa_sha256_verify, KeyError};
/// # // Throwaway 512-bit key pair, for this example only.
/// # const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
/// # MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAyhk00jq5ZSbW7ZmC
/// # jHXsbHuTEvZyaXCb4Dp2svMeuONMijIKD5gxjayu4JGbjsRjMDVTl+0CvJJm6Gua
/// # 3DAUnQIDAQABAkEAqS0yj23DNo6typX/t68ba7CCbJRLMEKo6apnJOPp6uA2Wuw/
/// # Js8tLn8CK3nVOBsFSjDq6Ky4dLpIYaeeaG2bYQIhAOy1xfaWABTDJgw7bQefjweJ
/// # Rxj1NFjpTMam7cIv3s85AiEA2pFeZhByMG24jEznBCtiaOAf+ygbDqOx+SP6HFW1
/// # zIUCIQDCcMZ+udSzOWJlpeL34h+RZziZzcIETxAcFj8zxjLWMQIgeqmSvN0F+L/b
/// # DoIqNGDUvd7qk92SMckUnKngN/6yJLECIFDoSk1ApSu46VV8acCUESfJ3Dc/MRCt
/// # j7KrTVJgL3M9
/// # -----END PRIVATE KEY-----";
/// # const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
/// # MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMoZNNI6uWUm1u2Zgox17Gx7kxL2cmlw
/// # m+A6drLzHrjjTIoyCg+YMY2sruCRm47EYzA1U5ftArySZuhrmtwwFJ0CAwEAAQ==
/// # -----END PUBLIC KEY-----";
/// let sig = rsa_sha256_sign(PRIVATE_KEY, b"abc").unwrap();
/// // The same bytes as `printf abc | openssl dgst -sha256 -sign key.pem`.
/// assert_eq!(
///     hex::encode(&sig),
///     "67d9e07470e5b847c5f826a963244d69949bec73f5544a5901896c0db4a12a62890b250964eba2067f80bbf0c74d0558a938118b723686502b9a5af36740613d"
/// );
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"abc", &sig), Ok(true));
/// assert!(matches!(rsa_sha256_sign("not a key", b"abc"), Err(KeyError::PrivateKey(_))));
/// ```
pub fn rsa_sha256_sign(private_pem: &str, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    let key = SigningKey::<Sha256>::new(private_key(private_pem)?);
    let sig = key.try_sign(msg).map_err(|e| KeyError::Sign(e.to_string()))?;
    Ok(sig.to_vec())
}

/// Verify an RSASSA-PKCS1-v1_5 SHA-256 signature. `Ok(false)` for a wrong signature (including one of
/// the wrong length); `Err` only when `public_pem` is not an RSA public key (SPKI or PKCS#1 PEM).
///
/// ```
/// use payspec::crypto::{rsa_sha256_sign, rsa_sha256_verify};
/// # const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
/// # MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAyhk00jq5ZSbW7ZmC
/// # jHXsbHuTEvZyaXCb4Dp2svMeuONMijIKD5gxjayu4JGbjsRjMDVTl+0CvJJm6Gua
/// # 3DAUnQIDAQABAkEAqS0yj23DNo6typX/t68ba7CCbJRLMEKo6apnJOPp6uA2Wuw/
/// # Js8tLn8CK3nVOBsFSjDq6Ky4dLpIYaeeaG2bYQIhAOy1xfaWABTDJgw7bQefjweJ
/// # Rxj1NFjpTMam7cIv3s85AiEA2pFeZhByMG24jEznBCtiaOAf+ygbDqOx+SP6HFW1
/// # zIUCIQDCcMZ+udSzOWJlpeL34h+RZziZzcIETxAcFj8zxjLWMQIgeqmSvN0F+L/b
/// # DoIqNGDUvd7qk92SMckUnKngN/6yJLECIFDoSk1ApSu46VV8acCUESfJ3Dc/MRCt
/// # j7KrTVJgL3M9
/// # -----END PRIVATE KEY-----";
/// # const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
/// # MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMoZNNI6uWUm1u2Zgox17Gx7kxL2cmlw
/// # m+A6drLzHrjjTIoyCg+YMY2sruCRm47EYzA1U5ftArySZuhrmtwwFJ0CAwEAAQ==
/// # -----END PUBLIC KEY-----";
/// let sig = rsa_sha256_sign(PRIVATE_KEY, b"amount=100").unwrap();
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"amount=100", &sig), Ok(true));
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"amount=999", &sig), Ok(false));
/// assert_eq!(rsa_sha256_verify(PUBLIC_KEY, b"amount=100", b"short"), Ok(false));
/// ```
pub fn rsa_sha256_verify(public_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    let key = VerifyingKey::<Sha256>::new(public_key(public_pem)?);
    let Ok(sig) = Signature::try_from(sig) else { return Ok(false) };
    Ok(key.verify(msg, &sig).is_ok())
}

/// Verify with the public half of a private key (a server that holds the merchant's key pair).
/// Same results as [`rsa_sha256_verify`]; `Err` when `private_pem` is not an RSA private key.
///
/// ```
/// use payspec::crypto::{rsa_sha256_sign, rsa_sha256_verify_with_private};
/// # const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
/// # MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAyhk00jq5ZSbW7ZmC
/// # jHXsbHuTEvZyaXCb4Dp2svMeuONMijIKD5gxjayu4JGbjsRjMDVTl+0CvJJm6Gua
/// # 3DAUnQIDAQABAkEAqS0yj23DNo6typX/t68ba7CCbJRLMEKo6apnJOPp6uA2Wuw/
/// # Js8tLn8CK3nVOBsFSjDq6Ky4dLpIYaeeaG2bYQIhAOy1xfaWABTDJgw7bQefjweJ
/// # Rxj1NFjpTMam7cIv3s85AiEA2pFeZhByMG24jEznBCtiaOAf+ygbDqOx+SP6HFW1
/// # zIUCIQDCcMZ+udSzOWJlpeL34h+RZziZzcIETxAcFj8zxjLWMQIgeqmSvN0F+L/b
/// # DoIqNGDUvd7qk92SMckUnKngN/6yJLECIFDoSk1ApSu46VV8acCUESfJ3Dc/MRCt
/// # j7KrTVJgL3M9
/// # -----END PRIVATE KEY-----";
/// # const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
/// # MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMoZNNI6uWUm1u2Zgox17Gx7kxL2cmlw
/// # m+A6drLzHrjjTIoyCg+YMY2sruCRm47EYzA1U5ftArySZuhrmtwwFJ0CAwEAAQ==
/// # -----END PUBLIC KEY-----";
/// let sig = rsa_sha256_sign(PRIVATE_KEY, b"abc").unwrap();
/// assert_eq!(rsa_sha256_verify_with_private(PRIVATE_KEY, b"abc", &sig), Ok(true));
/// assert_eq!(rsa_sha256_verify_with_private(PRIVATE_KEY, b"abd", &sig), Ok(false));
/// ```
pub fn rsa_sha256_verify_with_private(private_pem: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    let key = VerifyingKey::<Sha256>::new(private_key(private_pem)?.to_public_key());
    let Ok(sig) = Signature::try_from(sig) else { return Ok(false) };
    Ok(key.verify(msg, &sig).is_ok())
}

/// Encode bytes as text: `hex` lowercase, `HEX` uppercase, `base64` standard and padded, `base64url`
/// URL-safe and unpadded.
///
/// ```
/// use payspec::crypto::encode;
/// use payspec::spec::Encoding;
/// let bytes = [0xde, 0xad, 0xfb, 0xff];
/// assert_eq!(encode(Encoding::Hex, &bytes), "deadfbff");
/// assert_eq!(encode(Encoding::HexUpper, &bytes), "DEADFBFF");
/// assert_eq!(encode(Encoding::Base64, &bytes), "3q37/w==");
/// assert_eq!(encode(Encoding::Base64Url, &bytes), "3q37_w");
/// ```
pub fn encode(enc: Encoding, bytes: &[u8]) -> String {
    match enc {
        Encoding::Hex => hex::encode(bytes),
        Encoding::HexUpper => hex::encode_upper(bytes),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        Encoding::Base64Url => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
    }
}

/// Decode text produced by [`encode`]; strict about the alphabet so a forged value is not "repaired".
/// `None` when `text` is not valid in that encoding (including hex of the other case, and padding
/// or `+`/`/` in `base64url`).
///
/// ```
/// use payspec::crypto::decode;
/// use payspec::spec::Encoding;
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
