//! Digest authentication of trunks (RFC 3261 §22, RFC 2617 with `qop=auth`).
//! Only HA1 is stored.
//!
//! - **Nonces are stateless**: the time they were issued, a random salt (two challenges
//!   in the same second differ) and an HMAC of both under a key of this process. Nothing is stored when a challenge is sent, so unanswered
//!   INVITEs from any number of addresses cannot fill a table and lock trunks out;
//!   a nonce is good for five minutes. Nodes behind one proxy share the key
//!   ([`Authenticator::with_secret`]), so any node checks any node's nonce.
//! - **Answers are used once**: for each nonce the highest `nc` seen is kept, and an
//!   answer with an `nc` not above it (or a second answer without `qop`) is a replay.
//!   Only answers with the right credentials are remembered, so only a trunk that knows
//!   the password can add to that table, and entries leave when their nonce expires.
//!   The table is each node's own: an answer replayed to another node of a cluster is
//!   taken there once.
//! - **The answer is for this request**: the digest `uri` must be the Request-URI.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

use switchboard_domain::tenants::SipAuth;

const NONCE_LIFETIME: Duration = Duration::from_secs(300);
/// Answers remembered at most (each one a trunk's authenticated request in the last five
/// minutes); past it, new answers are refused until old nonces expire.
const MAX_ANSWERED: usize = 100_000;

fn hex_md5(s: &str) -> String {
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub use switchboard_domain::tenants::ha1;

/// The parameters of an `Authorization: Digest …` header.
fn digest_params(header: &str) -> Option<HashMap<String, String>> {
    let rest = header.trim().strip_prefix("Digest")?.trim();
    let mut out = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect::<String>().trim().to_ascii_lowercase();
        if name.is_empty() {
            break;
        }
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            let mut v = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => v.extend(chars.next()),
                    '"' => break,
                    c => v.push(c),
                }
            }
            v
        } else {
            chars.by_ref().take_while(|c| *c != ',').collect::<String>().trim().to_string()
        };
        out.insert(name, value);
    }
    Some(out)
}

/// What an `Authorization` header proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Authenticated,
    /// The nonce is too old (or not ours): challenge again, with `stale=true` when the
    /// answer was otherwise right.
    Stale {
        credentials_ok: bool,
    },
    /// Right credentials, but this answer was used before.
    Replayed,
    /// Wrong user, password, method or URI, or a malformed header.
    Refused,
}

/// Issues nonces and checks answers to them.
pub struct Authenticator {
    key: [u8; 32],
    /// Nonce → (highest `nc` accepted, when the nonce was issued).
    answered: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Default for Authenticator {
    fn default() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the system's random source");
        Authenticator { key, answered: Mutex::new(HashMap::new()) }
    }
}

impl Authenticator {
    /// Nonces signed with a key drawn from `secret` (any text the nodes share).
    pub fn with_secret(secret: &str) -> Authenticator {
        let key: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        Authenticator { key, answered: Mutex::new(HashMap::new()) }
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Authenticator {
    fn mac(&self, issued: u64, salt: &str, realm: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{issued}:{salt}:{realm}").as_bytes());
        mac.finalize().into_bytes()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn nonce(&self, realm: &str) -> String {
        let issued = unix_now();
        let mut salt = [0u8; 8];
        getrandom::fill(&mut salt).expect("the system's random source");
        let salt: String = salt.iter().map(|b| format!("{b:02x}")).collect();
        format!("{issued:x}.{salt}.{}", self.mac(issued, &salt, realm))
    }

    /// The nonce's age, if this process issued it for `realm`.
    fn nonce_age(&self, nonce: &str, realm: &str) -> Option<Duration> {
        let mut parts = nonce.split('.');
        let (issued, salt, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let issued = u64::from_str_radix(issued, 16).ok()?;
        constant_time_eq(mac.as_bytes(), self.mac(issued, salt, realm).as_bytes()).then_some(())?;
        // A nonce from the future (a clock stepped back) is not honoured either.
        unix_now().checked_sub(issued).map(Duration::from_secs)
    }

    /// A `WWW-Authenticate` value for a 401; `stale` tells a client whose answer was right
    /// but late to answer the new nonce without asking its user again.
    pub fn challenge(&self, realm: &str, stale: bool) -> String {
        let stale = if stale { ", stale=true" } else { "" };
        format!("Digest realm=\"{realm}\", nonce=\"{}\", algorithm=MD5, qop=\"auth\"{stale}", self.nonce(realm))
    }

    /// Whether `header` (an `Authorization` value) proves knowledge of `creds` for this
    /// `method` and `request_uri`, in `realm`, for the first time.
    pub fn verify(&self, header: &str, method: &str, request_uri: &str, realm: &str, creds: &SipAuth) -> Verdict {
        let Some(p) = digest_params(header) else { return Verdict::Refused };
        let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
        if get("username") != creds.username || get("realm") != realm || get("uri").trim() != request_uri.trim() {
            return Verdict::Refused;
        }
        if !get("algorithm").is_empty() && !get("algorithm").eq_ignore_ascii_case("MD5") {
            return Verdict::Refused;
        }
        let nonce = get("nonce");
        let ha2 = hex_md5(&format!("{method}:{}", get("uri")));
        let (expected, nc) = match get("qop") {
            "" => (hex_md5(&format!("{}:{nonce}:{ha2}", creds.ha1)), None),
            "auth" => {
                let Ok(nc) = u32::from_str_radix(get("nc"), 16) else { return Verdict::Refused };
                (hex_md5(&format!("{}:{nonce}:{}:{}:auth:{ha2}", creds.ha1, get("nc"), get("cnonce"))), Some(nc))
            }
            _ => return Verdict::Refused,
        };
        // Constant-time comparison: the response is a secret-derived value.
        let credentials_ok = constant_time_eq(get("response").as_bytes(), expected.as_bytes());
        match self.nonce_age(nonce, realm) {
            Some(age) if age < NONCE_LIFETIME => {}
            _ => return Verdict::Stale { credentials_ok },
        }
        if !credentials_ok {
            return Verdict::Refused;
        }
        let mut answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        match answered.get_mut(nonce) {
            // Without qop a nonce answers one request; with it, each nc once, in order.
            Some(_) if nc.is_none() => return Verdict::Replayed,
            Some((last, _)) if nc.is_some_and(|n| n <= *last) => return Verdict::Replayed,
            Some((last, _)) => *last = nc.unwrap_or(0),
            None => {
                if answered.len() >= MAX_ANSWERED {
                    answered.retain(|_, (_, at)| at.elapsed() < NONCE_LIFETIME);
                }
                if answered.len() >= MAX_ANSWERED {
                    return Verdict::Stale { credentials_ok: true };
                }
                answered.insert(nonce.to_string(), (nc.unwrap_or(0), Instant::now()));
            }
        }
        Verdict::Authenticated
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Authorization` value a client sends in answer to `challenge` (used for outbound legs and tests).
pub fn answer(challenge: &str, method: &str, uri: &str, username: &str, password: &str) -> Option<String> {
    answer_with_nc(challenge, method, uri, username, password, 1)
}

/// [`answer`] for the `nc`-th request on the same nonce.
pub fn answer_with_nc(
    challenge: &str,
    method: &str,
    uri: &str,
    username: &str,
    password: &str,
    nc: u32,
) -> Option<String> {
    let p = digest_params(challenge)?;
    let realm = p.get("realm")?;
    let nonce = p.get("nonce")?;
    let ha1 = ha1(username, realm, password);
    let ha2 = hex_md5(&format!("{method}:{uri}"));
    let cnonce = "0a4f113b";
    let nc = format!("{nc:08x}");
    let response = hex_md5(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    Some(format!(
        "Digest username=\"{username}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
         response=\"{response}\", algorithm=MD5, qop=auth, nc={nc}, cnonce=\"{cnonce}\""
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A nonce this authenticator issued, from its challenge.
    fn nonce_of(challenge: &str) -> String {
        digest_params(challenge).unwrap()["nonce"].clone()
    }

    #[test]
    fn rfc_2617_example_response() {
        // RFC 2617 §3.5 (Mufasa / Circle Of Life), with a nonce of ours: the response is
        // computed the RFC's way.
        let realm = "testrealm@host.com";
        let creds = SipAuth { username: "Mufasa".into(), ha1: ha1("Mufasa", realm, "Circle Of Life") };
        assert_eq!(creds.ha1, "939e7578ed9e3c518a452acee763bce9");
        let auth = Authenticator::default();
        let nonce = nonce_of(&auth.challenge(realm, false));
        let ha2 = hex_md5("GET:/dir/index.html");
        let response = hex_md5(&format!("{}:{nonce}:00000001:0a4f113b:auth:{ha2}", creds.ha1));
        let header = format!(
            "Digest username=\"Mufasa\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"/dir/index.html\", qop=auth, \
             nc=00000001, cnonce=\"0a4f113b\", response=\"{response}\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        );
        assert_eq!(
            auth.verify(&header, "POST", "/dir/index.html", realm, &creds),
            Verdict::Refused,
            "method is covered"
        );
        assert_eq!(auth.verify(&header, "GET", "/dir/index.html", realm, &creds), Verdict::Authenticated);
        assert_eq!(auth.verify(&header, "GET", "/dir/index.html", realm, &creds), Verdict::Replayed);
    }

    #[test]
    fn nodes_sharing_a_key_check_each_others_nonces() {
        let creds = SipAuth { username: "trunk".into(), ha1: ha1("trunk", "switchboard", "s3cret-pass") };
        let (one, two) = (Authenticator::with_secret("cluster key"), Authenticator::with_secret("cluster key"));
        let uri = "sip:+886223456789@10.0.0.1";
        let ok = answer(&one.challenge("switchboard", false), "INVITE", uri, "trunk", "s3cret-pass").unwrap();
        assert_eq!(two.verify(&ok, "INVITE", uri, "switchboard", &creds), Verdict::Authenticated);
        let elsewhere = Authenticator::with_secret("another cluster");
        assert_eq!(
            elsewhere.verify(&ok, "INVITE", uri, "switchboard", &creds),
            Verdict::Stale { credentials_ok: true },
            "a nonce signed with another key is not ours"
        );
    }

    #[test]
    fn a_client_answer_verifies_once() {
        let creds = SipAuth { username: "trunk".into(), ha1: ha1("trunk", "switchboard", "s3cret-pass") };
        let auth = Authenticator::default();
        let challenge = auth.challenge("switchboard", false);
        let uri = "sip:+886223456789@10.0.0.1";
        let ok = answer(&challenge, "INVITE", uri, "trunk", "s3cret-pass").unwrap();
        let wrong = answer(&challenge, "INVITE", uri, "trunk", "guess").unwrap();
        assert_eq!(auth.verify(&wrong, "INVITE", uri, "switchboard", &creds), Verdict::Refused);
        assert_eq!(
            auth.verify(&ok, "INVITE", "sip:+15550001111@10.0.0.1", "switchboard", &creds),
            Verdict::Refused,
            "another Request-URI"
        );
        assert_eq!(auth.verify(&ok, "INVITE", uri, "switchboard", &creds), Verdict::Authenticated);
        assert_eq!(auth.verify(&ok, "INVITE", uri, "switchboard", &creds), Verdict::Replayed);
        // The next request on the same nonce counts up.
        let next = answer_with_nc(&challenge, "INVITE", uri, "trunk", "s3cret-pass", 2).unwrap();
        assert_eq!(auth.verify(&next, "INVITE", uri, "switchboard", &creds), Verdict::Authenticated);
        assert_eq!(auth.verify("Basic dXNlcjpwYXNz", "INVITE", uri, "switchboard", &creds), Verdict::Refused);
    }

    #[test]
    fn nonces_are_ours_and_expire() {
        let creds = SipAuth { username: "trunk".into(), ha1: ha1("trunk", "switchboard", "pw") };
        let auth = Authenticator::default();
        let uri = "sip:x@h";
        // Another process's nonce (another key): not ours.
        let other = Authenticator::default().challenge("switchboard", false);
        let forged = answer(&other, "INVITE", uri, "trunk", "pw").unwrap();
        assert_eq!(auth.verify(&forged, "INVITE", uri, "switchboard", &creds), Verdict::Stale { credentials_ok: true });
        // One of ours, issued six minutes ago.
        let issued = unix_now() - 360;
        let old =
            format!("Digest realm=\"switchboard\", nonce=\"{issued:x}.00.{}\"", auth.mac(issued, "00", "switchboard"));
        let late = answer(&old, "INVITE", uri, "trunk", "pw").unwrap();
        assert_eq!(auth.verify(&late, "INVITE", uri, "switchboard", &creds), Verdict::Stale { credentials_ok: true });
        assert!(auth.challenge("switchboard", true).ends_with("stale=true"));
    }

    #[test]
    fn every_challenge_has_its_own_nonce() {
        let auth = Authenticator::default();
        assert_ne!(nonce_of(&auth.challenge("switchboard", false)), nonce_of(&auth.challenge("switchboard", false)));
    }

    #[test]
    fn challenges_store_nothing() {
        let auth = Authenticator::default();
        for _ in 0..50_000 {
            auth.challenge("switchboard", false);
        }
        assert!(auth.answered.lock().unwrap().is_empty());
    }
}
