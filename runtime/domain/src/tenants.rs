//! Tenants: who they are, their phone numbers, their settings.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Sandbox limits for a tenant's flow, applied to every call.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FlowLimits {
    /// Wall-clock budget of guest execution per event, in milliseconds.
    pub event_deadline_ms: u32,
    /// Linear memory cap per call, in MiB.
    pub memory_mib: u32,
}

impl Default for FlowLimits {
    fn default() -> Self {
        // 500 ms is far above what a flow needs to decide a turn (tens of µs
        // measured), and below what a caller notices as dead air.
        FlowLimits { event_deadline_ms: 500, memory_mib: 64 }
    }
}

impl FlowLimits {
    /// The most a tenant may be given: bounded by the pooling allocator's slot size.
    pub const MAX_MEMORY_MIB: u32 = 256;
    pub const MAX_DEADLINE_MS: u32 = 10_000;

    pub fn validate(&self) -> Result<()> {
        if !(10..=Self::MAX_DEADLINE_MS).contains(&self.event_deadline_ms) {
            return Err(Error::Invalid(format!("event_deadline_ms must be between 10 and {}", Self::MAX_DEADLINE_MS)));
        }
        if !(1..=Self::MAX_MEMORY_MIB).contains(&self.memory_mib) {
            return Err(Error::Invalid(format!("memory_mib must be between 1 and {}", Self::MAX_MEMORY_MIB)));
        }
        Ok(())
    }
}

/// How the tenant's voice calls listen and speak.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SpeechSettings {
    /// Silence that ends the caller's turn when it does not sound finished (or the
    /// end-of-turn model is off): the longest a caller's pause may be, in ms.
    pub end_of_turn_ms: u32,
    /// Ask the end-of-turn model whether the caller is done, and end the turn early when
    /// they are (a matched expected answer ends it at once, digits in progress wait).
    pub semantic_end_of_turn: bool,
    /// Silence after which a turn that sounds finished ends, in ms (an expected answer or a
    /// whole phone number ends it sooner).
    pub end_of_turn_min_ms: u32,
    /// Probability from the end-of-turn model at which a turn counts as finished.
    pub turn_complete_threshold: f32,
    /// Voiced time below which a sound is not a turn (coughs, "mm"), in ms.
    pub min_speech_ms: u32,
    /// Speaking speed of the bot: 1.0 is the voice's own pace.
    pub speed: f32,
    /// Languages callers may speak (recognition chooses among them); empty: the tenant's language and English.
    pub caller_languages: Vec<String>,
}

impl Default for SpeechSettings {
    fn default() -> Self {
        SpeechSettings {
            // A finished-sounding turn ends 400 ms into the silence (so a caller who pauses
            // between the parts of a list is not cut); an unfinished one ("0912, 345 …") may
            // pause up to 1.2 s.
            end_of_turn_ms: 1200,
            semantic_end_of_turn: true,
            end_of_turn_min_ms: 400,
            turn_complete_threshold: 0.5,
            min_speech_ms: 200,
            speed: 1.0,
            caller_languages: Vec::new(),
        }
    }
}

impl SpeechSettings {
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Invalid(m.into()));
        if !(200..=3000).contains(&self.end_of_turn_ms) {
            return bad("end_of_turn_ms must be between 200 and 3000");
        }
        if !(100..=self.end_of_turn_ms).contains(&self.end_of_turn_min_ms) {
            return bad("end_of_turn_min_ms must be between 100 and end_of_turn_ms");
        }
        if !(0.05..=0.95).contains(&self.turn_complete_threshold) {
            return bad("turn_complete_threshold must be between 0.05 and 0.95");
        }
        if !(50..=2000).contains(&self.min_speech_ms) {
            return bad("min_speech_ms must be between 50 and 2000");
        }
        if !(0.5..=2.0).contains(&self.speed) {
            return bad("speed must be between 0.5 and 2.0");
        }
        if self.caller_languages.len() > 8 || self.caller_languages.iter().any(|l| validate_language(l).is_err()) {
            return bad("caller_languages: at most 8 language codes such as zh or en");
        }
        Ok(())
    }
}

/// A human agent (or queue) calls can be transferred to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    pub name: String,
    /// Where to reach the agent, e.g. `sip:frontdesk@pbx.example.com`.
    pub uri: String,
    /// How a phone call reaches the agent.
    #[serde(default)]
    pub mode: TransferMode,
}

/// How a SIP call is handed to an agent.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferMode {
    /// Switchboard calls the agent, plays hold audio, sends the context, and bridges the two legs;
    /// it can fall back when the agent does not answer.
    #[default]
    Bridged,
    /// REFER: the trunk or PBX calls the agent and Switchboard leaves the call.
    Blind,
}

/// What happens when a transfer finds nobody.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferFallback {
    /// Back to the bot: the flow hears the transfer result and carries on.
    #[default]
    Bot,
    /// The host promises a callback, tags the call `callback-requested`, and ends it.
    Callback,
}

/// Digest credentials a trunk must present (RFC 3261 §22): only HA1 is kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SipAuth {
    pub username: String,
    /// MD5(username:realm:password), realm `switchboard`.
    #[schema(ignore)]
    pub ha1: String,
}

/// The digest realm Switchboard challenges with.
pub const SIP_REALM: &str = "switchboard";

/// Phone-call settings: who may send calls, and how calls are run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TelephonySettings {
    /// Addresses (IP or CIDR) calls for this tenant's numbers may come from; empty: any.
    pub allowed_sources: Vec<String>,
    /// When set, INVITEs must authenticate (digest).
    pub auth: Option<SipAuth>,
    /// Ring this long before answering, in ms.
    pub ring_ms: u32,
    /// The host ends a call after this long, in seconds.
    pub max_call_secs: u32,
    /// Whether caller speech interrupts the bot (for prompts the flow marks interruptible).
    pub barge_in: bool,
    /// Record calls (after a consent prompt); recordings are served with the call record.
    pub recording: bool,
    /// Said before the greeting when recording; a default in the tenant's language otherwise.
    pub consent_prompt: Option<String>,
    /// How long an agent may ring before the transfer counts as not answered, in seconds.
    pub transfer_timeout_secs: u32,
    pub transfer_fallback: TransferFallback,
    /// Calls this tenant may have at once, phone and browser, counted across every node of
    /// a cluster; a phone call over it is answered 486 Busy Here.
    pub max_calls: u32,
    /// Browser calls this tenant may have at once (across the cluster too).
    pub max_browser_calls: u32,
    /// Origins (`https://shop.example.com`) whose pages may start browser calls with the widget key,
    /// besides Switchboard's own pages (the demo page); empty: only those.
    pub allowed_origins: Vec<String>,
    /// The trunk outbound calls to phone numbers go through, e.g. `sip:trunk.example.com:5060`.
    pub outbound_proxy: Option<String>,
}

impl Default for TelephonySettings {
    fn default() -> Self {
        TelephonySettings {
            allowed_sources: Vec::new(),
            auth: None,
            ring_ms: 0,
            max_call_secs: 900,
            barge_in: true,
            recording: false,
            consent_prompt: None,
            transfer_timeout_secs: 20,
            transfer_fallback: TransferFallback::Bot,
            max_calls: 100,
            max_browser_calls: 20,
            allowed_origins: Vec::new(),
            outbound_proxy: None,
        }
    }
}

/// An IP address or CIDR block, as the allowlist takes them (an address is a block of one).
pub fn parse_source(s: &str) -> Option<ipnet::IpNet> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>().ok().or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

impl TelephonySettings {
    /// Whether a call from `ip` may reach this tenant.
    pub fn allows(&self, ip: std::net::IpAddr) -> bool {
        self.allowed_sources.is_empty()
            || self.allowed_sources.iter().filter_map(|s| parse_source(s)).any(|net| net.contains(&ip))
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(m));
        if let Some(s) = self.allowed_sources.iter().find(|s| parse_source(s).is_none()) {
            return bad(format!("allowed_sources: `{s}` is not an IP address or CIDR block"));
        }
        if self.ring_ms > 30_000 {
            return bad("ring_ms must be at most 30000".into());
        }
        if !(10..=14_400).contains(&self.max_call_secs) {
            return bad("max_call_secs must be between 10 and 14400".into());
        }
        if !(5..=120).contains(&self.transfer_timeout_secs) {
            return bad("transfer_timeout_secs must be between 5 and 120".into());
        }
        if !(1..=10_000).contains(&self.max_calls) {
            return bad("max_calls must be between 1 and 10000".into());
        }
        if self.max_browser_calls > 1000 {
            return bad("max_browser_calls must be at most 1000".into());
        }
        if let Some(p) = &self.consent_prompt
            && (p.trim().is_empty() || p.chars().count() > 500)
        {
            return bad("consent_prompt must be 1 to 500 characters".into());
        }
        if let Some(o) = self.allowed_origins.iter().find(|o| !valid_origin(o)) {
            return bad(format!("allowed_origins: `{o}` is not an origin such as https://shop.example.com"));
        }
        if let Some(p) = &self.outbound_proxy
            && (!p.starts_with("sip:") || p.len() > 256 || p.contains(char::is_whitespace))
        {
            return bad("outbound_proxy must be a SIP URI such as sip:trunk.example.com:5060".into());
        }
        if let Some(a) = &self.auth
            && (a.username.trim().is_empty() || a.ha1.len() != 32)
        {
            return bad("auth needs a username and a password".into());
        }
        Ok(())
    }
}

fn valid_origin(o: &str) -> bool {
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains('/') && r.len() < 200)
}

/// Telephony settings as a tenant sends them (absent fields keep their value;
/// a password instead of its hash).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelephonyPatch {
    pub allowed_sources: Option<Vec<String>>,
    /// `{"username", "password"}` to require digest authentication; `null` to stop requiring it.
    #[serde(default, deserialize_with = "double_option")]
    pub auth: Option<Option<SipCredentials>>,
    pub ring_ms: Option<u32>,
    pub max_call_secs: Option<u32>,
    pub barge_in: Option<bool>,
    pub recording: Option<bool>,
    /// An empty string clears it (the default prompt in the tenant's language).
    pub consent_prompt: Option<String>,
    pub transfer_timeout_secs: Option<u32>,
    pub transfer_fallback: Option<TransferFallback>,
    pub max_calls: Option<u32>,
    pub max_browser_calls: Option<u32>,
    pub allowed_origins: Option<Vec<String>>,
    /// An empty string clears it.
    pub outbound_proxy: Option<String>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<SipCredentials>>, D::Error> {
    Option::<SipCredentials>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SipCredentials {
    pub username: String,
    pub password: String,
}

impl TelephonyPatch {
    pub fn apply(self, t: &mut TelephonySettings) -> Result<()> {
        let s = &self;
        let mut next = t.clone();
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = s.$f.clone() { next.$f = v; } )* };
        }
        take!(
            allowed_sources,
            ring_ms,
            max_call_secs,
            barge_in,
            recording,
            transfer_timeout_secs,
            transfer_fallback,
            max_calls,
            max_browser_calls,
            allowed_origins
        );
        // An empty string clears them (the default prompt, no trunk).
        if let Some(p) = s.consent_prompt.clone() {
            next.consent_prompt = Some(p).filter(|p| !p.trim().is_empty());
        }
        if let Some(p) = s.outbound_proxy.clone() {
            next.outbound_proxy = Some(p).filter(|p| !p.trim().is_empty());
        }
        match self.auth {
            Some(Some(c)) => {
                if c.password.len() < 8 {
                    return Err(Error::Invalid("auth password must be at least 8 characters".into()));
                }
                next.auth = Some(SipAuth { ha1: ha1(&c.username, SIP_REALM, &c.password), username: c.username });
            }
            Some(None) => next.auth = None,
            None => {}
        }
        next.validate()?;
        *t = next;
        Ok(())
    }
}

/// A tenant of this Switchboard instance.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    /// Numbers (E.164) that route calls to this tenant.
    pub numbers: Vec<String>,
    /// Default language tag of the bot, e.g. `zh-TW`.
    pub language: String,
    /// UTC offset in minutes, given to flows by the clock capability.
    pub utc_offset_minutes: i32,
    pub limits: FlowLimits,
    /// Transfer targets; the first is the default.
    pub agents: Vec<Agent>,
    /// The flow version new calls use.
    pub active_flow: Option<u32>,
    /// Voice-call settings (records written before they existed get the defaults).
    #[serde(default)]
    pub speech: SpeechSettings,
    /// Phone and browser call settings (defaults for records written before they existed).
    #[serde(default)]
    pub telephony: TelephonySettings,
    /// How the tenant's figures are counted (defaults for records written before it existed).
    #[serde(default)]
    pub analytics: AnalyticsSettings,
    /// Queues for the tenant's human agents at the agent desk (none for records written before).
    #[serde(default)]
    pub queues: Vec<crate::desk::Queue>,
    /// Service levels of tickets, and when a person takes over (defaults for records written before).
    #[serde(default)]
    pub after_sales: crate::tickets::AfterSalesSettings,
    /// Outbound calls: how many at once, and the calls order updates place.
    #[serde(default)]
    pub outreach: OutreachSettings,
    pub created_at_ms: u64,
}

/// The tenant's outbound calls: campaigns and order updates.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OutreachSettings {
    /// Outbound calls of the tenant's campaigns under way at once, at most.
    pub max_concurrent_calls: u32,
    /// An order reaching one of these statuses places a call to its phone, the flow told why
    /// (`{"purpose": "order-status", "order_id": …}`).
    pub order_update_statuses: Vec<crate::orders::OrderStatus>,
    /// When order-update calls may be placed, in the customer's local time (outside it is
    /// the quiet window: the call waits).
    pub order_update_window: Vec<crate::hours::Hours>,
}

impl Default for OutreachSettings {
    fn default() -> Self {
        OutreachSettings {
            max_concurrent_calls: 2,
            order_update_statuses: Vec::new(),
            order_update_window: vec![crate::hours::Hours {
                days: vec![1, 2, 3, 4, 5, 6, 7],
                open: "09:00".into(),
                close: "21:00".into(),
            }],
        }
    }
}

impl OutreachSettings {
    fn validate(&self) -> Result<()> {
        if !(1..=100).contains(&self.max_concurrent_calls) {
            return Err(Error::Invalid("outreach.max_concurrent_calls: 1 to 100".into()));
        }
        if self.order_update_window.is_empty() || !crate::hours::valid(&self.order_update_window) {
            return Err(Error::Invalid(
                "outreach.order_update_window: at least one entry, days 1 (Monday) to 7, open before close as HH:MM"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// How the tenant's calls count in its figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyticsSettings {
    /// Outcome tags (set by the flow) that count a call as resolved.
    pub resolution_tags: Vec<String>,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        AnalyticsSettings {
            resolution_tags: crate::stats::DEFAULT_RESOLUTION_TAGS.iter().map(|t| t.to_string()).collect(),
        }
    }
}

impl AnalyticsSettings {
    fn validate(&self) -> Result<()> {
        let bad = |t: &String| t.is_empty() || t.len() > 64 || t.chars().any(|c| c.is_whitespace());
        if self.resolution_tags.len() > 50 || self.resolution_tags.iter().any(bad) {
            return Err(Error::Invalid("resolution_tags: at most 50 tags of 1 to 64 characters without spaces".into()));
        }
        Ok(())
    }
}

/// Settings a tenant (or the provider) may change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub numbers: Option<Vec<String>>,
    pub language: Option<String>,
    pub utc_offset_minutes: Option<i32>,
    pub limits: Option<FlowLimits>,
    pub agents: Option<Vec<Agent>>,
    pub speech: Option<SpeechSettings>,
    pub telephony: Option<TelephonyPatch>,
    pub analytics: Option<AnalyticsSettings>,
    pub queues: Option<Vec<crate::desk::Queue>>,
    pub after_sales: Option<crate::tickets::AfterSalesSettings>,
    pub outreach: Option<OutreachSettings>,
}

/// Whether a dialled number names a stored one (both as digits, with an optional `+`):
/// - the same digits: E.164 with or without `+` (`886223456789` for `+886223456789`);
/// - `00` and the E.164 digits (the international prefix dialled from Taiwan and most countries);
/// - the national form: the trunk prefix 0 and the stored number without its country code of
///   1 to 3 digits (`0223456789` for `+886223456789`). Which country code it is need not be
///   known: a number that two tenants' numbers of different countries both fit is refused by
///   the caller of this.
pub fn same_number(stored: &str, dialled: &str) -> bool {
    let digits = |n: &str| n.chars().filter(char::is_ascii_digit).collect::<String>();
    let (s, d) = (digits(stored), digits(dialled));
    if s.is_empty() || d.is_empty() {
        return false;
    }
    if s == d || (!dialled.trim_start().starts_with('+') && d.strip_prefix("00") == Some(s.as_str())) {
        return true;
    }
    // (A number dialled with `+` is international: never the national form.)
    let international = dialled.trim_start().starts_with('+');
    let national = d.strip_prefix('0').filter(|n| !international && !n.starts_with('0') && n.len() >= 6);
    match national {
        Some(nsn) => s.strip_suffix(nsn).is_some_and(|cc| (1..=3).contains(&cc.len()) && !cc.starts_with('0')),
        None => false,
    }
}

fn validate_number(n: &str) -> Result<()> {
    let digits = n.strip_prefix('+').unwrap_or(n);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Invalid(format!("`{n}` is not a phone number (E.164, e.g. +886223456789)")));
    }
    Ok(())
}

fn validate_language(tag: &str) -> Result<()> {
    let ok = (2..=16).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok {
        return Err(Error::Invalid(format!("`{tag}` is not a language tag (e.g. zh-TW, en-US)")));
    }
    Ok(())
}

impl TenantPatch {
    pub fn apply(self, t: &mut Tenant) -> Result<()> {
        if let Some(name) = self.name {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(Error::Invalid("name must be 1 to 100 characters".into()));
            }
            t.name = name;
        }
        if let Some(numbers) = self.numbers {
            for n in &numbers {
                validate_number(n)?;
            }
            t.numbers = numbers;
        }
        if let Some(lang) = self.language {
            validate_language(&lang)?;
            t.language = lang;
        }
        if let Some(off) = self.utc_offset_minutes {
            if !(-720..=840).contains(&off) {
                return Err(Error::Invalid("utc_offset_minutes must be between -720 and 840".into()));
            }
            t.utc_offset_minutes = off;
        }
        if let Some(limits) = self.limits {
            limits.validate()?;
            t.limits = limits;
        }
        if let Some(speech) = self.speech {
            speech.validate()?;
            t.speech = speech;
        }
        if let Some(telephony) = self.telephony {
            telephony.apply(&mut t.telephony)?;
        }
        if let Some(analytics) = self.analytics {
            analytics.validate()?;
            t.analytics = analytics;
        }
        if let Some(queues) = self.queues {
            if queues.len() > 50 {
                return Err(Error::Invalid("at most 50 queues".into()));
            }
            let mut ids = std::collections::HashSet::new();
            for q in &queues {
                q.validate()?;
                if !ids.insert(q.id.as_str()) {
                    return Err(Error::Invalid(format!("two queues are called `{}`", q.id)));
                }
            }
            t.queues = queues;
        }
        if let Some(after_sales) = self.after_sales {
            after_sales.validate()?;
            t.after_sales = after_sales;
        }
        if let Some(outreach) = self.outreach {
            outreach.validate()?;
            t.outreach = outreach;
        }
        if let Some(agents) = self.agents {
            if agents.iter().any(|a| a.name.trim().is_empty() || a.uri.trim().is_empty()) {
                return Err(Error::Invalid("every agent needs a name and a uri".into()));
            }
            t.agents = agents;
        }
        Ok(())
    }
}

/// The HA1 of SIP digest authentication (RFC 2617): what is stored instead of a
/// trunk's password, and what the SIP layer checks answers against.
pub fn ha1(username: &str, realm: &str, password: &str) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(format!("{username}:{realm}:{password}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_allowlist_matches_addresses_and_blocks() {
        let t = TelephonySettings {
            allowed_sources: vec!["203.0.113.0/24".into(), "198.51.100.7".into(), "2001:db8::/32".into()],
            ..Default::default()
        };
        for ok in ["203.0.113.9", "198.51.100.7", "2001:db8::1"] {
            assert!(t.allows(ok.parse().unwrap()), "{ok}");
        }
        for no in ["203.0.114.1", "198.51.100.8", "2001:db9::1", "127.0.0.1"] {
            assert!(!t.allows(no.parse().unwrap()), "{no}");
        }
        assert!(TelephonySettings::default().allows("192.0.2.1".parse().unwrap()), "empty: any source");
    }

    #[test]
    fn dialled_numbers_match_as_numbers() {
        assert!(same_number("+886223456789", "+886223456789"));
        assert!(same_number("+886223456789", "886223456789"));
        assert!(same_number("+886223456789", "00886223456789"));
        assert!(same_number("+886223456789", "0223456789"));
        assert!(same_number("886223456789", "+886223456789"));
        assert!(!same_number("+886223456789", "0223456780"));
        assert!(!same_number("+886223456789", "223456789"), "no trunk prefix: not the national form");
        assert!(!same_number("+886223456789", "+0223456789"));
        assert!(!same_number("+886223456789", "000223456789"));
    }
}
