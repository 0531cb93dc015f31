//! Human agents and their queues: who may sign in to the agent desk, which calls
//! they take, how a caller waits, and what an agent writes after a call.
//!
//! The definitions of the queue figures follow Amazon Connect and Genesys: time in
//! queue runs from the caller entering the queue to an agent accepting (or the
//! caller leaving); a call abandoned in the queue is one whose caller hung up
//! there; service level is the share of queued calls answered within the queue's
//! threshold.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A person of a tenant who signs in to the agent desk.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeskUser {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// What they sign in with; unique across the instance.
    pub login: String,
    /// The groups (skills) they take calls for; a queue offers its calls to its group.
    pub groups: Vec<String>,
    pub created_at_ms: u64,
}

/// How a desk user signs in: kept apart from the user record, which is served.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeskLogin {
    pub tenant_id: String,
    pub user_id: String,
    /// PBKDF2 of the password (see [`hash_password`]).
    pub password_hash: String,
}

/// A new desk user as the tenant sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeskUserInput {
    pub name: String,
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub groups: Vec<String>,
}

impl DeskUserInput {
    /// The user record and its sign-in record. Hashing the password takes a good part of a
    /// second: callers run this off the async executor.
    pub fn into_user(self, tenant: &str) -> Result<(DeskUser, DeskLogin)> {
        self.validate()?;
        let user = DeskUser {
            id: crate::ids::new_id("agt"),
            tenant_id: tenant.to_string(),
            name: self.name.trim().to_string(),
            login: self.login.to_lowercase(),
            groups: self.groups,
            created_at_ms: crate::ids::now_ms(),
        };
        let login = DeskLogin {
            tenant_id: tenant.to_string(),
            user_id: user.id.clone(),
            password_hash: hash_password(&self.password),
        };
        Ok((user, login))
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Invalid(m.into()));
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return bad("name must be 1 to 100 characters");
        }
        let login_ok = (3..=64).contains(&self.login.len())
            && self.login.chars().all(|c| c.is_ascii_alphanumeric() || "._@-+".contains(c));
        if !login_ok {
            return bad("login must be 3 to 64 letters, digits or . _ @ - +");
        }
        if self.password.chars().count() < 10 {
            return bad("password must be at least 10 characters");
        }
        validate_groups(&self.groups)
    }
}

fn validate_groups(groups: &[String]) -> Result<()> {
    let bad = |g: &String| g.is_empty() || g.len() > 40 || g.chars().any(char::is_whitespace);
    if groups.len() > 20 || groups.iter().any(bad) {
        return Err(Error::Invalid("groups: at most 20 names of 1 to 40 characters without spaces".into()));
    }
    Ok(())
}

/// PBKDF2-HMAC-SHA256 rounds: OWASP's 2023 figure for this hash.
const PBKDF2_ROUNDS: u32 = 600_000;

/// `pbkdf2-sha256$rounds$salt$hash` (hex), with a random salt.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    crate::ids::random_bytes(&mut salt);
    hash_with(password, &salt, PBKDF2_ROUNDS)
}

fn hash_with(password: &str, salt: &[u8], rounds: u32) -> String {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, rounds, &mut out);
    format!("pbkdf2-sha256${rounds}${}${}", hex(salt), hex(&out))
}

/// Whether `password` is the one `stored` was made from (compared in constant time).
pub fn verify_password(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, rounds, salt, _] = parts[..] else { return false };
    let (Ok(rounds), Some(salt)) = (rounds.parse::<u32>(), unhex(salt)) else { return false };
    if scheme != "pbkdf2-sha256" || !(1..=10_000_000).contains(&rounds) {
        return false;
    }
    let again = hash_with(password, &salt, rounds);
    again.len() == stored.len() && again.bytes().zip(stored.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// Where an agent is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// Takes calls.
    Available,
    /// Talking with a caller (set by the desk when a call is accepted).
    OnCall,
    /// After a call, writing it up; no calls are offered.
    WrapUp,
    Away,
    Offline,
}

/// What happens to a caller whose wait runs out.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum QueueFallback {
    /// The host takes a callback request and ends the call politely.
    #[default]
    Callback,
    /// Back to the bot: the flow hears that nobody answered.
    Bot,
    /// Dial this SIP URI and bridge.
    Sip { uri: String },
}

pub use crate::hours::Hours;

/// A tenant's queue for its human agents. A flow's `transfer` reaches it through a
/// transfer target whose uri is `queue:<id>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Queue {
    pub id: String,
    pub name: String,
    /// The agents' group it offers calls to; empty: every agent of the tenant.
    pub group: String,
    /// How often the caller hears their position (and the hold chime between), in seconds.
    pub announce_every_secs: u32,
    /// The longest a caller waits before the fallback.
    pub max_wait_secs: u32,
    /// How long one agent's desk rings before the call passes to the next.
    pub ring_secs: u32,
    pub fallback: QueueFallback,
    /// When the queue takes calls; empty: always. Outside them the flow hears that nobody is available.
    pub hours: Vec<Hours>,
    /// Answered within this many seconds counts toward the service level.
    pub service_level_secs: u32,
    /// Agents hear a spoken summary of the call before the caller is put through.
    pub whisper: bool,
}

impl Default for Queue {
    fn default() -> Self {
        Queue {
            id: "support".into(),
            name: "Support".into(),
            group: String::new(),
            announce_every_secs: 20,
            max_wait_secs: 300,
            ring_secs: 15,
            fallback: QueueFallback::Callback,
            hours: Vec::new(),
            service_level_secs: 20,
            whisper: false,
        }
    }
}

impl Queue {
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(m));
        let id_ok = (1..=40).contains(&self.id.len())
            && self.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return bad(format!("queue id `{}`: 1 to 40 letters, digits, - or _", self.id));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return bad(format!("queue {}: name must be 1 to 100 characters", self.id));
        }
        if !self.group.is_empty() {
            validate_groups(std::slice::from_ref(&self.group))?;
        }
        if !(5..=300).contains(&self.announce_every_secs) {
            return bad(format!("queue {}: announce_every_secs must be between 5 and 300", self.id));
        }
        if !(10..=3600).contains(&self.max_wait_secs) {
            return bad(format!("queue {}: max_wait_secs must be between 10 and 3600", self.id));
        }
        if !(5..=120).contains(&self.ring_secs) {
            return bad(format!("queue {}: ring_secs must be between 5 and 120", self.id));
        }
        if !(1..=600).contains(&self.service_level_secs) {
            return bad(format!("queue {}: service_level_secs must be between 1 and 600", self.id));
        }
        if let QueueFallback::Sip { uri } = &self.fallback
            && (!uri.starts_with("sip:") || uri.len() > 256 || uri.contains(char::is_whitespace))
        {
            return bad(format!("queue {}: the fallback must be a SIP URI such as sip:desk@pbx.example.com", self.id));
        }
        if !crate::hours::valid(&self.hours) {
            return bad(format!("queue {}: hours need days 1 (Monday) to 7 and open before close as HH:MM", self.id));
        }
        Ok(())
    }

    /// Whether the queue takes calls at `now_ms`, for a tenant `utc_offset_minutes` from UTC.
    pub fn open_at(&self, now_ms: u64, utc_offset_minutes: i32) -> bool {
        self.hours.is_empty() || crate::hours::open_at(&self.hours, now_ms, utc_offset_minutes)
    }
}

/// The `queue:<id>` a transfer target's uri names, if it names one.
pub fn queue_of(uri: &str) -> Option<&str> {
    uri.strip_prefix("queue:").map(str::trim).filter(|q| !q.is_empty())
}

/// A follow-up an agent leaves after a call.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: String,
    pub tenant_id: String,
    pub call_id: String,
    /// The customer to call back.
    pub phone: String,
    /// When it is due (ms since the epoch).
    pub due_at_ms: u64,
    /// The desk user it is assigned to.
    pub assignee: String,
    pub note: String,
    pub done: bool,
    pub created_by: String,
    pub created_at_ms: u64,
}

/// What the agent writes when a call is over.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WrapUpInput {
    /// A word or two: `resolved`, `order-corrected`, `needs-callback` …
    pub outcome: String,
    #[serde(default)]
    pub notes: String,
    /// A callback to place later.
    #[serde(default)]
    pub follow_up: Option<FollowUpInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    pub due_at_ms: u64,
    /// The number to call back; empty: the caller's.
    #[serde(default)]
    pub phone: String,
    /// A desk user id; empty: the agent who wrote it.
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub note: String,
}

impl WrapUpInput {
    pub fn validate(&self) -> Result<()> {
        let o = self.outcome.trim();
        if o.is_empty() || o.chars().count() > 64 {
            return Err(Error::Invalid("outcome must be 1 to 64 characters".into()));
        }
        if self.notes.chars().count() > 4000 {
            return Err(Error::Invalid("notes: at most 4000 characters".into()));
        }
        if let Some(f) = &self.follow_up {
            if f.due_at_ms == 0 {
                return Err(Error::Invalid("follow_up.due_at_ms: when the callback is due".into()));
            }
            let phone_ok = f.phone.trim().is_empty()
                || (f.phone.len() <= 24 && f.phone.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)));
            if !phone_ok {
                return Err(Error::Invalid(format!("follow_up.phone: `{}` is not a phone number", f.phone)));
            }
            if f.note.chars().count() > 1000 {
                return Err(Error::Invalid("follow_up.note: at most 1000 characters".into()));
            }
        }
        Ok(())
    }
}

/// What happened with a person on a call: kept on the call record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct AgentHandling {
    pub queue: String,
    pub queued_at_ms: u64,
    /// When an agent accepted, or the caller left the queue or the wait ran out.
    pub left_queue_at_ms: u64,
    /// Whether an agent took the call.
    pub answered: bool,
    /// The caller hung up while waiting.
    pub abandoned: bool,
    /// The queue was outside its hours: nobody was offered the call.
    #[serde(default)]
    pub closed: bool,
    /// Answered within the queue's service-level threshold.
    pub within_service_level: bool,
    /// Desks that rang without answering, in order.
    pub rang: Vec<String>,
    /// When the first desk rang.
    #[serde(default)]
    pub first_ring_at_ms: Option<u64>,
    /// Agents who transferred the call on to a colleague or another queue, in order.
    #[serde(default)]
    pub transferred_by: Vec<String>,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    /// When the agent's leg ended.
    pub talk_ended_at_ms: Option<u64>,
    /// When the wrap-up was written.
    pub wrapped_up_at_ms: Option<u64>,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub follow_up: Option<String>,
}

impl AgentHandling {
    pub fn time_in_queue_ms(&self) -> u64 {
        self.left_queue_at_ms.saturating_sub(self.queued_at_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_and_odd_logins_are_refused() {
        let input = |login: &str, password: &str| DeskUserInput {
            name: "Mei".into(),
            login: login.into(),
            password: password.into(),
            groups: vec![],
        };
        assert!(input("mei", "short").validate().is_err());
        assert!(input("m e i", "a long enough secret").validate().is_err());
        assert!(input("mei@shop.tw", "a long enough secret").validate().is_ok());
    }

    #[test]
    fn passwords_verify_and_wrong_ones_do_not() {
        let h = hash_with("correct horse", b"0123456789abcdef", 1000);
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsf", &h));
        assert!(!verify_password("correct horse", "pbkdf2-sha256$1000$zz$00"));
        assert!(!verify_password("x", ""));
    }

    #[test]
    fn hours_follow_the_tenant_clock() {
        let q = Queue {
            hours: vec![Hours { days: vec![1, 2, 3, 4, 5], open: "09:00".into(), close: "18:00".into() }],
            ..Queue::default()
        };
        // 2026-12-02 (a Wednesday) 02:00 UTC is 10:00 in Taipei (UTC+8): open.
        let wed_0200_utc = 1_796_176_800_000u64;
        assert!(q.open_at(wed_0200_utc, 480));
        assert!(!q.open_at(wed_0200_utc, 0), "02:00 in UTC is before nine");
        // Saturday 2026-12-05 10:00 in Taipei: closed.
        assert!(!q.open_at(wed_0200_utc + 3 * 86_400_000, 480));
        assert!(Queue::default().open_at(wed_0200_utc, 0), "no hours: always open");
    }

    #[test]
    fn queues_refuse_nonsense() {
        let mut q = Queue::default();
        assert!(q.validate().is_ok());
        q.hours = vec![Hours { days: vec![8], open: "09:00".into(), close: "08:00".into() }];
        assert!(q.validate().is_err());
        let q = Queue { fallback: QueueFallback::Sip { uri: "http://x".into() }, ..Queue::default() };
        assert!(q.validate().is_err());
        assert_eq!(queue_of("queue:support"), Some("support"));
        assert_eq!(queue_of("sip:a@b"), None);
    }
}
