//! RSASSA-PKCS1-v1_5 SHA-256 on the two backends. PEM is decoded here once, for both (`pem-rfc7468`,
//! constant-time base64), and the modulus size is checked here once, for both, so the backends accept
//! and refuse exactly the same keys; each backend then parses the DER itself.

use super::{KeyError, KeyKind, RSA_MAX_BITS, RSA_MIN_BITS};
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
    use aws_lc_rs::signature::{KeyPair as _, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};

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

    pub fn sign(der: &PrivateDer, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let key = key_pair(der)?;
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig)
            .map_err(|_| KeyError::Sign("aws-lc could not sign with this key".into()))?;
        Ok(sig)
    }

    fn verify_pkcs1(public_pkcs1: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_pkcs1).verify(msg, sig).is_ok()
    }

    pub fn verify(der: &PublicDer, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        let (format, d) = match der {
            PublicDer::Spki(d) => ("SPKI", d),
            PublicDer::Pkcs1(d) => ("PKCS#1", d),
        };
        let key = PublicKey::from_der(d).map_err(|e| rejected(KeyKind::Public, format, e))?;
        Ok(verify_pkcs1(key.as_ref(), msg, sig))
    }

    pub fn verify_with_private(der: &PrivateDer, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        let key = key_pair(der)?;
        Ok(verify_pkcs1(key.public_key().as_ref(), msg, sig))
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

    /// Blinded signing (`sign_with_rng` with the OS CSPRNG); `try_sign` would not blind.
    pub fn sign(der: &PrivateDer, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let key = SigningKey::<Sha256>::new(private_key(der)?);
        let sig = key.try_sign_with_rng(&mut rand_core::OsRng, msg).map_err(|e| KeyError::Sign(e.to_string()))?;
        Ok(sig.to_vec())
    }

    fn verify_key(key: RsaPublicKey, msg: &[u8], sig: &[u8]) -> bool {
        let key = VerifyingKey::<Sha256>::new(key);
        Signature::try_from(sig).is_ok_and(|sig| key.verify(msg, &sig).is_ok())
    }

    pub fn verify(der: &PublicDer, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        Ok(verify_key(public_key(der)?, msg, sig))
    }

    pub fn verify_with_private(der: &PrivateDer, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        Ok(verify_key(private_key(der)?.to_public_key(), msg, sig))
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
