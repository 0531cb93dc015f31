//! Outbound campaigns: follow-up calls and surveys to a list of recipients, each
//! called inside a window of their own local time, retried after a delay that
//! depends on how the attempt went, never when on the do-not-call list; and the
//! survey answers they give.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hours::{self, Hours};
use crate::orders::OrderStatus;
use crate::{Error, Result};

/// Recipients a campaign holds at most.
pub const MAX_RECIPIENTS: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    Running,
    Paused,
    Cancelled,
    /// Every recipient was reached, given up on, or skipped.
    Completed,
}

/// What a campaign is for: one the tenant made, or the host's own for order updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    #[default]
    Campaign,
    /// Calls the tenant's order rules place when an order reaches a status.
    OrderUpdates,
}

/// How long to wait before calling again, by how the attempt went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RetryDelays {
    pub busy_secs: u32,
    pub no_answer_secs: u32,
    /// A failed attempt (the network, the number) or one a restart cut short.
    pub failed_secs: u32,
}

impl Default for RetryDelays {
    fn default() -> Self {
        RetryDelays { busy_secs: 600, no_answer_secs: 1800, failed_secs: 3600 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The callee answered and the flow had the call.
    Answered,
    Busy,
    NoAnswer,
    Failed,
    /// The server stopped during the attempt.
    Interrupted,
}

/// One call placed to a recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attempt {
    pub started_at_ms: u64,
    pub ended_at_ms: Option<u64>,
    pub outcome: Option<AttemptOutcome>,
    /// The call record, once answered.
    pub call_id: Option<String>,
    /// The SIP status or error, for a failed attempt.
    pub detail: Option<String>,
    /// The node that placed the call (of a cluster); the one that settles it if it stops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientStatus {
    /// Waiting for its time (its window, its retry delay, a free line).
    Pending,
    /// A call is being placed or is under way.
    Dialing,
    /// Answered: the flow had its call.
    Completed,
    /// Every attempt failed.
    Unreached,
    /// On the do-not-call list when its turn came: never dialled.
    DoNotCall,
    /// The campaign was cancelled before it was reached.
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recipient {
    pub campaign_id: String,
    /// Its line in the campaign (from 0).
    pub index: u32,
    /// `+E.164`, or a SIP URI.
    pub phone: String,
    pub name: Option<String>,
    /// The callee's UTC offset: their calling window is in their local time.
    pub utc_offset_minutes: i32,
    /// Further columns of the import, given to the flow.
    pub fields: BTreeMap<String, String>,
    pub status: RecipientStatus,
    pub attempts: Vec<Attempt>,
    /// Not to be called before this.
    pub next_at_ms: u64,
}

impl Recipient {
    /// The call record of the answered attempt.
    pub fn call_id(&self) -> Option<&str> {
        self.attempts.iter().rev().find(|a| a.outcome == Some(AttemptOutcome::Answered))?.call_id.as_deref()
    }
}

/// A recipient as given: a CSV line, a JSON object, or an order's customer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientInput {
    pub phone: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Minutes from UTC (Taipei 480); by default the number's country when it has one
    /// time zone, else the tenant's.
    #[serde(default)]
    pub utc_offset_minutes: Option<i32>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Recipients from the tenant's orders: the customers whose order reached `status` so many
/// days ago (1: yesterday, in the tenant's time), one call per phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderAudience {
    pub status: OrderStatus,
    #[serde(default = "one")]
    pub days_ago: u32,
}

fn one() -> u32 {
    1
}

/// A new campaign.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: String,
    /// Given to the flow in `call-info.flow-input` (as JSON text), with the recipient's
    /// `name` and fields and the `campaign` id added: `{"purpose": "survey"}`.
    #[serde(default)]
    pub flow_input: serde_json::Map<String, serde_json::Value>,
    /// When recipients may be called, in their local time.
    pub window: Vec<Hours>,
    #[serde(default = "three")]
    pub max_attempts: u32,
    #[serde(default)]
    pub retry: RetryDelays,
    /// How long each attempt rings.
    #[serde(default = "thirty")]
    pub ring_secs: u32,
    #[serde(default)]
    pub recipients: Vec<RecipientInput>,
    /// Or (and) recipients as CSV text (see [`parse_recipients_csv`]): its bad lines are
    /// reported with their numbers, the rest imported.
    #[serde(default)]
    pub csv: Option<String>,
    /// Or (and) recipients from the orders.
    #[serde(default)]
    pub from_orders: Option<OrderAudience>,
}

fn three() -> u32 {
    3
}
fn thirty() -> u32 {
    30
}

impl CampaignInput {
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Invalid(m.to_string()));
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return bad("name: 1 to 200 characters");
        }
        if self.window.is_empty() || !hours::valid(&self.window) {
            return bad("window: at least one entry, days 1 (Monday) to 7, open before close as HH:MM");
        }
        if !(1..=10).contains(&self.max_attempts) {
            return bad("max_attempts: 1 to 10");
        }
        let r = &self.retry;
        if [r.busy_secs, r.no_answer_secs, r.failed_secs].iter().any(|s| !(1..=7 * 86_400).contains(s)) {
            return bad("retry: each delay is 1 s to 7 days");
        }
        if !(5..=120).contains(&self.ring_secs) {
            return bad("ring_secs: 5 to 120");
        }
        if serde_json::to_vec(&self.flow_input).map(|v| v.len()).unwrap_or(0) > 4096 {
            return bad("flow_input: at most 4096 bytes as JSON");
        }
        if self.recipients.is_empty() && self.from_orders.is_none() && self.csv.is_none() {
            return bad("give recipients, a csv, or from_orders");
        }
        if self.recipients.len() > MAX_RECIPIENTS {
            return Err(Error::Invalid(format!("at most {MAX_RECIPIENTS} recipients")));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub kind: CampaignKind,
    pub flow_input: serde_json::Map<String, serde_json::Value>,
    pub window: Vec<Hours>,
    pub max_attempts: u32,
    pub retry: RetryDelays,
    pub ring_secs: u32,
    pub state: CampaignState,
    /// Where the recipients came from.
    pub source: String,
    pub recipients: u32,
    pub created_at_ms: u64,
    pub updated_at_ms: u64,
}

impl Campaign {
    /// The flow input of one recipient's call: the campaign's, with the campaign id and the
    /// recipient's name and fields.
    pub fn flow_input_for(&self, r: &Recipient) -> String {
        let mut input = self.flow_input.clone();
        for (k, v) in &r.fields {
            input.entry(k.clone()).or_insert_with(|| serde_json::Value::String(v.clone()));
        }
        if let Some(name) = &r.name {
            input.insert("name".into(), serde_json::Value::String(name.clone()));
        }
        input.insert("campaign".into(), serde_json::Value::String(self.id.clone()));
        serde_json::Value::Object(input).to_string()
    }

    /// When `r` may be called next: its retry time, moved into its window. `None`: never.
    pub fn due_at(&self, r: &Recipient, now_ms: u64) -> Option<u64> {
        hours::next_open(&self.window, r.next_at_ms.max(now_ms), r.utc_offset_minutes)
    }

    /// Record how an attempt ended and decide what comes next for the recipient.
    pub fn attempt_ended(
        &self,
        r: &mut Recipient,
        outcome: AttemptOutcome,
        call_id: Option<String>,
        detail: Option<String>,
        now_ms: u64,
    ) {
        match r.attempts.last_mut() {
            Some(a) if a.outcome.is_none() => {
                a.outcome = Some(outcome);
                a.ended_at_ms = Some(now_ms);
                a.call_id = call_id.or(a.call_id.take());
                a.detail = detail;
            }
            _ => r.attempts.push(Attempt {
                started_at_ms: now_ms,
                ended_at_ms: Some(now_ms),
                outcome: Some(outcome),
                call_id,
                detail,
                node: None,
            }),
        }
        let delay = match outcome {
            AttemptOutcome::Answered => {
                r.status = RecipientStatus::Completed;
                return;
            }
            AttemptOutcome::Busy => self.retry.busy_secs,
            AttemptOutcome::NoAnswer => self.retry.no_answer_secs,
            AttemptOutcome::Failed | AttemptOutcome::Interrupted => self.retry.failed_secs,
        };
        if r.attempts.len() as u32 >= self.max_attempts {
            r.status = RecipientStatus::Unreached;
        } else {
            r.status = RecipientStatus::Pending;
            r.next_at_ms = now_ms + delay as u64 * 1000;
        }
    }
}

/// How far a campaign has got.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CampaignProgress {
    pub total: u32,
    pub pending: u32,
    pub dialing: u32,
    pub completed: u32,
    pub unreached: u32,
    pub do_not_call: u32,
    pub cancelled: u32,
    pub attempts: u32,
    pub busy: u32,
    pub no_answer: u32,
    pub failed: u32,
}

impl CampaignProgress {
    pub fn of(recipients: &[Recipient]) -> CampaignProgress {
        let mut p = CampaignProgress { total: recipients.len() as u32, ..Default::default() };
        for r in recipients {
            match r.status {
                RecipientStatus::Pending => p.pending += 1,
                RecipientStatus::Dialing => p.dialing += 1,
                RecipientStatus::Completed => p.completed += 1,
                RecipientStatus::Unreached => p.unreached += 1,
                RecipientStatus::DoNotCall => p.do_not_call += 1,
                RecipientStatus::Cancelled => p.cancelled += 1,
            }
            p.attempts += r.attempts.len() as u32;
            for a in &r.attempts {
                match a.outcome {
                    Some(AttemptOutcome::Busy) => p.busy += 1,
                    Some(AttemptOutcome::NoAnswer) => p.no_answer += 1,
                    Some(AttemptOutcome::Failed | AttemptOutcome::Interrupted) => p.failed += 1,
                    _ => {}
                }
            }
        }
        p
    }

    /// Nobody is left to call.
    pub fn finished(&self) -> bool {
        self.pending == 0 && self.dialing == 0
    }
}

/// A number a campaign may call: `+` and 8 to 15 digits (spaces, dashes, dots and brackets
/// are dropped), or a SIP URI. Anything else is refused with the reason.
pub fn callee(raw: &str) -> Result<String> {
    let t = raw.trim();
    if let Some(rest) = t.strip_prefix("sip:") {
        let ok =
            rest.contains('@') && t.len() <= 256 && !t.contains(char::is_whitespace) && !t.contains(['<', '>', '"']);
        return if ok { Ok(t.to_string()) } else { Err(Error::Invalid(format!("`{t}` is not a SIP URI"))) };
    }
    let kept: String = t.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    match kept.strip_prefix('+') {
        Some(d) if (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0') => {
            Ok(kept)
        }
        _ => Err(Error::Invalid(format!(
            "`{t}` is not a phone number in international form (+ country code and number, such as +886912345678) nor a SIP URI"
        ))),
    }
}

/// The UTC offset of a number's country, for countries with one time zone and no daylight
/// saving; `None` for the rest (the tenant's is used).
pub fn country_offset(e164: &str) -> Option<i32> {
    const ZONES: &[(&str, i32)] = &[
        ("886", 480),
        ("852", 480),
        ("853", 480),
        ("86", 480),
        ("65", 480),
        ("60", 480),
        ("63", 480),
        ("81", 540),
        ("82", 540),
        ("66", 420),
        ("84", 420),
        ("91", 330),
    ];
    let d = e164.strip_prefix('+')?;
    ZONES.iter().find(|(cc, _)| d.starts_with(cc)).map(|(_, o)| *o)
}

/// A UTC offset as written in a CSV: `+08:00`, `-05:00`, `+0530`, or minutes (`480`).
pub fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    let hhmm = s.contains(':') || (s.starts_with(['+', '-']) && s.len() == 5);
    if !hhmm {
        let m = s.parse::<i32>().ok()?;
        return (-720..=840).contains(&m).then_some(m);
    }
    let (sign, rest) = match s.chars().next()? {
        '+' => (1, &s[1..]),
        '-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?);
    let total = sign * (h * 60 + m);
    (m < 60 && (-720..=840).contains(&total)).then_some(total)
}

/// A CSV line that could not be imported.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The line in the CSV (its header is line 1), or the position in the list of recipients.
    pub line: u64,
    pub message: String,
}

/// Recipients from a CSV file with a header line: a `phone` column (also `number`, `電話`),
/// optional `name` (`姓名`) and `utc_offset`; every other column goes to the flow as a field.
/// Bad lines are reported with their line number and the rest are imported; a file without
/// a phone column is refused. `dialable` checks and normalises each number ([`callee`], or
/// one that knows the tenant's country for national numbers).
pub fn parse_recipients_csv(
    text: &str,
    dialable: impl Fn(&str) -> Result<String>,
) -> Result<(Vec<RecipientInput>, Vec<RowError>)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("the CSV's header line: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let phone_col = column(&["phone", "number", "phone_number", "電話", "手機"])
        .ok_or_else(|| Error::Invalid("the CSV needs a `phone` column in its header line".into()))?;
    let name_col = column(&["name", "姓名", "名字"]);
    let offset_col = column(&["utc_offset", "utc_offset_minutes", "timezone_offset"]);
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let line = record.as_ref().ok().and_then(|r| r.position()).map(|p| p.line()).unwrap_or(i as u64 + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { line, message: format!("unreadable: {e}") });
                continue;
            }
        };
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            errors.push(RowError {
                line,
                message: format!("{} fields where the header has {}", record.len(), headers.len()),
            });
            continue;
        }
        let phone = match dialable(&record[phone_col]) {
            Ok(p) => p,
            Err(e) => {
                errors.push(RowError { line, message: e.message() });
                continue;
            }
        };
        let utc_offset_minutes = match offset_col.map(|c| &record[c]).filter(|v| !v.is_empty()) {
            Some(v) => match parse_offset(v) {
                Some(o) => Some(o),
                None => {
                    errors
                        .push(RowError { line, message: format!("utc_offset `{v}`: write +08:00, -05:00 or minutes") });
                    continue;
                }
            },
            None => None,
        };
        let name = name_col.map(|c| record[c].to_string()).filter(|n| !n.is_empty());
        let fields = headers
            .iter()
            .enumerate()
            .filter(|(c, _)| Some(*c) != name_col && *c != phone_col && Some(*c) != offset_col)
            .filter(|(c, h)| !h.is_empty() && !record[*c].is_empty())
            .map(|(c, h)| (h.clone(), record[c].to_string()))
            .collect();
        rows.push(RecipientInput { phone, name, utc_offset_minutes, fields });
        if rows.len() > MAX_RECIPIENTS {
            return Err(Error::Invalid(format!("at most {MAX_RECIPIENTS} recipients")));
        }
    }
    Ok((rows, errors))
}

/// A number that must not be called again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DoNotCall {
    pub phone: String,
    pub added_at_ms: u64,
    /// `flow` (the callee asked on a call), `operator`, or `api`.
    pub source: String,
    /// The call on which the callee asked.
    pub call_id: Option<String>,
}

/// The key of a number on the do-not-call list: its digits (a SIP URI as given).
pub fn dnc_key(phone: &str) -> String {
    if phone.trim().starts_with("sip:") {
        phone.trim().to_lowercase()
    } else {
        crate::customers::normalize_phone(phone)
    }
}

/// One survey answered on a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SurveyResponse {
    pub id: String,
    pub tenant_id: String,
    pub call_id: String,
    pub campaign_id: Option<String>,
    pub phone: String,
    /// 1 to 5.
    pub rating: Option<u8>,
    pub comment: Option<String>,
    pub at_ms: u64,
}

/// Survey results: CSAT is the share of ratings that are 4 or 5.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SurveySummary {
    pub responses: u32,
    pub rated: u32,
    /// Share of 4–5 ratings among the rated, 0 to 1.
    pub csat: Option<f64>,
    pub average: Option<f64>,
    /// Ratings 1 to 5: how many of each.
    pub distribution: [u32; 5],
    /// The newest comments first (at most 100).
    pub comments: Vec<SurveyComment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SurveyComment {
    pub at_ms: u64,
    pub rating: Option<u8>,
    pub comment: String,
    pub call_id: String,
}

impl SurveySummary {
    pub fn of(responses: &[SurveyResponse]) -> SurveySummary {
        let mut s = SurveySummary { responses: responses.len() as u32, ..Default::default() };
        let mut sum = 0u32;
        for r in responses {
            if let Some(rating) = r.rating.filter(|r| (1..=5).contains(r)) {
                s.rated += 1;
                s.distribution[rating as usize - 1] += 1;
                sum += rating as u32;
            }
        }
        if s.rated > 0 {
            s.csat = Some((s.distribution[3] + s.distribution[4]) as f64 / s.rated as f64);
            s.average = Some(sum as f64 / s.rated as f64);
        }
        let mut comments: Vec<SurveyComment> = responses
            .iter()
            .filter_map(|r| {
                let c = r.comment.as_deref()?.trim();
                (!c.is_empty()).then(|| SurveyComment {
                    at_ms: r.at_ms,
                    rating: r.rating,
                    comment: c.to_string(),
                    call_id: r.call_id.clone(),
                })
            })
            .collect();
        comments.sort_by(|a, b| b.at_ms.cmp(&a.at_ms));
        comments.truncate(100);
        s.comments = comments;
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign() -> Campaign {
        Campaign {
            id: "cmp_1".into(),
            tenant_id: "t".into(),
            name: "Survey".into(),
            kind: CampaignKind::Campaign,
            flow_input: serde_json::Map::new(),
            window: vec![Hours { days: vec![1, 2, 3, 4, 5, 6, 7], open: "09:00".into(), close: "21:00".into() }],
            max_attempts: 3,
            retry: RetryDelays { busy_secs: 60, no_answer_secs: 120, failed_secs: 300 },
            ring_secs: 20,
            state: CampaignState::Running,
            source: String::new(),
            recipients: 1,
            created_at_ms: 0,
            updated_at_ms: 0,
        }
    }

    fn recipient() -> Recipient {
        Recipient {
            campaign_id: "cmp_1".into(),
            index: 0,
            phone: "+886912345678".into(),
            name: None,
            utc_offset_minutes: 480,
            fields: BTreeMap::new(),
            status: RecipientStatus::Dialing,
            attempts: Vec::new(),
            next_at_ms: 0,
        }
    }

    #[test]
    fn retries_wait_by_outcome_until_attempts_run_out() {
        let c = campaign();
        let mut r = recipient();
        c.attempt_ended(&mut r, AttemptOutcome::Busy, None, Some("486".into()), 1000);
        assert_eq!((r.status, r.next_at_ms), (RecipientStatus::Pending, 61_000));
        c.attempt_ended(&mut r, AttemptOutcome::NoAnswer, None, None, 2000);
        assert_eq!((r.status, r.next_at_ms), (RecipientStatus::Pending, 122_000));
        c.attempt_ended(&mut r, AttemptOutcome::Failed, None, None, 3000);
        assert_eq!(r.status, RecipientStatus::Unreached);
        let mut r = recipient();
        c.attempt_ended(&mut r, AttemptOutcome::Answered, Some("call_1".into()), None, 1000);
        assert_eq!((r.status, r.call_id()), (RecipientStatus::Completed, Some("call_1")));
    }

    #[test]
    fn a_retry_due_outside_the_window_waits_for_it() {
        let c = campaign();
        let mut r = recipient();
        // 2026-12-02 13:00 UTC is 21:00 in Taipei: closed until 09:00 tomorrow.
        let evening = 1_796_216_400_000;
        r.next_at_ms = evening;
        assert_eq!(c.due_at(&r, evening), Some(evening + 12 * 3_600_000));
        // Someone in UTC is called in their own morning instead.
        r.utc_offset_minutes = 0;
        assert_eq!(c.due_at(&r, evening), Some(evening));
    }

    #[test]
    fn numbers_in_the_wrong_form_are_refused() {
        assert_eq!(callee(" +886 912-345-678 ").unwrap(), "+886912345678");
        assert_eq!(callee("sip:alice@127.0.0.1:5070").unwrap(), "sip:alice@127.0.0.1:5070");
        for bad in ["0912345678", "+12", "hello", "+886912345678999999", "sip:nohost", "+0912345678"] {
            assert!(callee(bad).is_err(), "{bad}");
        }
        assert_eq!(country_offset("+886912345678"), Some(480));
        assert_eq!(country_offset("+14155550100"), None);
        assert_eq!(
            (parse_offset("+08:00"), parse_offset("-0500"), parse_offset("330")),
            (Some(480), Some(-300), Some(330))
        );
        assert_eq!(parse_offset("8"), Some(8), "minutes");
        assert_eq!(parse_offset("+25:00"), None);
    }

    #[test]
    fn a_bad_csv_line_is_reported_with_its_number_and_the_rest_imported() {
        let csv = "phone,name,utc_offset,order\n+886912000001,林小姐,,1001\n0912000002,陳先生,,1002\n\
                   +886912000003,\"Wu, Ken\",+08:00,1003\n+886912000004,Amy\n+886912000005,Bo,+99:00,1005\n";
        let (rows, errors) = parse_recipients_csv(csv, callee).unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[1].name.as_deref(), Some("Wu, Ken"));
        assert_eq!(rows[1].fields.get("order").map(String::as_str), Some("1003"));
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 5, 6], "{errors:?}");
        assert!(errors[0].message.contains("international form"), "{errors:?}");
        assert!(parse_recipients_csv("name\nAmy\n", callee).is_err(), "no phone column");
    }

    #[test]
    fn csat_is_the_share_of_fours_and_fives() {
        let r = |rating: Option<u8>, comment: Option<&str>| SurveyResponse {
            id: "s".into(),
            tenant_id: "t".into(),
            call_id: "c".into(),
            campaign_id: None,
            phone: "+886912345678".into(),
            rating,
            comment: comment.map(str::to_string),
            at_ms: 0,
        };
        let s =
            SurveySummary::of(&[r(Some(5), Some("很好喝")), r(Some(4), None), r(Some(2), Some("太甜")), r(None, None)]);
        assert_eq!((s.responses, s.rated, s.distribution), (4, 3, [0, 1, 0, 1, 1]));
        assert!((s.csat.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.comments.len(), 2);
    }
}
