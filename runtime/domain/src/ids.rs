//! Identifiers: sortable by creation time, unguessable, with a readable prefix
//! (`ord_`, `call_`, `faq_`...). 48 bits of milliseconds then 80 random bits,
//! in Crockford base32, like a ULID.

use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Fill `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) {
    // The OS random source failing is not something a server can recover from.
    getrandom::fill(buf).expect("operating system random source unavailable");
}

/// A new id such as `ord_01jd0k3v6m2q8x9t4r7y5b1c0a`.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&now_ms().to_be_bytes()[2..]);
    random_bytes(&mut bytes[6..]);
    let value = u128::from_be_bytes(bytes);
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    for i in (0..26).rev() {
        out.push(ALPHABET[((value >> (i * 5)) & 31) as usize] as char);
    }
    out
}

/// A secret token: `prefix` followed by 256 random bits in base32.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes);
    let mut out = String::from(prefix);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Whether `s` is safe to use inside a storage key (no separators, bounded length).
pub fn is_key_safe(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_differ() {
        let a = new_id("ord");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id("ord");
        assert!(a < b, "{a} should sort before {b}");
        assert!(a.starts_with("ord_") && a.len() == 30);
        assert!(is_key_safe(&a));
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = new_secret("sk_");
        assert_eq!(a.len(), 3 + 52);
        assert_ne!(a, new_secret("sk_"));
    }
}
