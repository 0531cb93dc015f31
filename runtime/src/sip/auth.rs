//! Digest authentication of trunks (RFC 3261 §22, RFC 2617 with `qop=auth`).
//! Only HA1 is stored; nonces are random, remembered for five minutes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use md5::{Digest, Md5};

use crate::storage::tenants::SipAuth;

const NONCE_LIFETIME: Duration = Duration::from_secs(300);
const MAX_NONCES: usize = 10_000;

fn hex_md5(s: &str) -> String {
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn ha1(username: &str, realm: &str, password: &str) -> String {
    hex_md5(&format!("{username}:{realm}:{password}"))
}

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

/// Issues nonces and checks answers to them.
#[derive(Default)]
pub struct Authenticator {
    nonces: Mutex<HashMap<String, Instant>>,
}

impl Authenticator {
    /// A `WWW-Authenticate` value for a 401.
    pub fn challenge(&self, realm: &str) -> String {
        let mut bytes = [0u8; 16];
        let _ = getrandom::fill(&mut bytes);
        let nonce: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut nonces = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        nonces.retain(|_, at| at.elapsed() < NONCE_LIFETIME);
        if nonces.len() < MAX_NONCES {
            nonces.insert(nonce.clone(), Instant::now());
        }
        format!("Digest realm=\"{realm}\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\"")
    }

    /// Whether `header` (an `Authorization` value) proves knowledge of `creds` for `method`.
    pub fn verify(&self, header: &str, method: &str, creds: &SipAuth) -> bool {
        let Some(p) = digest_params(header) else { return false };
        let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
        let fresh = {
            let nonces = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
            nonces.get(get("nonce")).is_some_and(|at| at.elapsed() < NONCE_LIFETIME)
        };
        if !fresh || get("username") != creds.username {
            return false;
        }
        if !get("algorithm").is_empty() && !get("algorithm").eq_ignore_ascii_case("MD5") {
            return false;
        }
        let ha2 = hex_md5(&format!("{method}:{}", get("uri")));
        let expected = match get("qop") {
            "" => hex_md5(&format!("{}:{}:{ha2}", creds.ha1, get("nonce"))),
            "auth" => hex_md5(&format!("{}:{}:{}:{}:auth:{ha2}", creds.ha1, get("nonce"), get("nc"), get("cnonce"))),
            _ => return false,
        };
        // Constant-time comparison: the response is a secret-derived value.
        let got = get("response").as_bytes();
        got.len() == expected.len() && got.iter().zip(expected.as_bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// The `Authorization` value a client sends in answer to `challenge` (used for outbound legs and tests).
pub fn answer(challenge: &str, method: &str, uri: &str, username: &str, password: &str) -> Option<String> {
    let p = digest_params(challenge)?;
    let realm = p.get("realm")?;
    let nonce = p.get("nonce")?;
    let ha1 = ha1(username, realm, password);
    let ha2 = hex_md5(&format!("{method}:{uri}"));
    let cnonce = "0a4f113b";
    let response = hex_md5(&format!("{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}"));
    Some(format!(
        "Digest username=\"{username}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
         response=\"{response}\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"{cnonce}\""
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_example() {
        // RFC 2617 §3.5: Mufasa / Circle Of Life.
        let creds = SipAuth { username: "Mufasa".into(), ha1: ha1("Mufasa", "testrealm@host.com", "Circle Of Life") };
        let auth = Authenticator::default();
        auth.nonces.lock().unwrap().insert("dcd98b7102dd2f0e8b11d0f600bfb0c093".into(), Instant::now());
        let header = "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
            nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, nc=00000001, \
            cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
        assert!(auth.verify(header, "GET", &creds));
        assert!(!auth.verify(header, "POST", &creds), "method is covered");
        assert!(!auth.verify(&header.replace("6629", "7629"), "GET", &creds));
        assert!(!auth.verify(&header.replace("dcd98b", "ffd98b"), "GET", &creds), "unknown nonce");
    }

    #[test]
    fn a_client_answer_verifies() {
        let creds = SipAuth { username: "trunk".into(), ha1: ha1("trunk", "switchboard", "s3cret-pass") };
        let auth = Authenticator::default();
        let challenge = auth.challenge("switchboard");
        let ok = answer(&challenge, "INVITE", "sip:+1@h", "trunk", "s3cret-pass").unwrap();
        assert!(auth.verify(&ok, "INVITE", &creds));
        let wrong = answer(&challenge, "INVITE", "sip:+1@h", "trunk", "guess").unwrap();
        assert!(!auth.verify(&wrong, "INVITE", &creds));
        assert!(!auth.verify("Basic dXNlcjpwYXNz", "INVITE", &creds));
    }
}
