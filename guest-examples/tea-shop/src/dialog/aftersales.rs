//! After the sale: a return, exchange or complaint becomes a ticket about one of the
//! caller's orders (read back so they can pick it), with their own words and a
//! reference number; where a ticket stands; the calls the shop places (satisfaction
//! surveys, order updates); do-not-call and callbacks at a time.

use switchboard_understand::{Analysis, AnswerKind, Expectation, ExpectedChoice, YesNo};

use super::{Action, Dialog, LogLevel, Pending, tag};
use crate::host::{Host, PlacedOrder, TicketKind};
use crate::replies;

/// Intents the shop adds to the host's built-in ones, by example, in both languages.
pub(super) const INTENTS: &[(&str, &[&str])] = &[
    (
        "ticket-status",
        &[
            "我的客訴處理得怎麼樣",
            "客訴進度",
            "退貨進度",
            "我的案件",
            "案件編號",
            "上次客訴有結果了嗎",
            "where is my complaint",
            "status of my ticket",
            "what happened with my return",
            "my reference number",
        ],
    ),
    (
        "do-not-call",
        &[
            "不要再打來了",
            "請不要再打給我",
            "別再打電話給我",
            "以後不要再打",
            "don't call me again",
            "stop calling me",
            "take me off your list",
            "remove my number",
        ],
    ),
    (
        "callback",
        &[
            "晚點再打給我",
            "等一下再打來",
            "六點以後再打給我",
            "現在不方便，晚一點打",
            "call me back later",
            "call me back after six",
            "can you call me back tomorrow",
            "I'm busy now, call later",
        ],
    ),
];

/// A return, exchange or complaint being written down.
#[derive(Debug)]
pub(super) struct Case {
    kind: TicketKind,
    /// The caller's recent orders, newest first.
    orders: Vec<PlacedOrder>,
    /// `None`: not settled yet; `Some(None)`: about no order of theirs.
    order: Option<Option<PlacedOrder>>,
    description: Option<String>,
}

/// A satisfaction survey the shop called for.
#[derive(Debug, Default)]
pub(super) struct Survey {
    rating: Option<u8>,
    /// The rating was asked for and missed this many times.
    misses: u8,
}

/// Why the shop placed this call, from its flow input.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Purpose {
    Survey,
    OrderStatus { order_id: String },
    FollowUp,
}

impl Purpose {
    /// `{"purpose": "survey"}`, `{"purpose": "order-status", "order_id": …}`, else a follow-up.
    pub(super) fn of(flow_input: &str) -> Option<Purpose> {
        let purpose = json_str(flow_input, "purpose")?;
        Some(match purpose.as_str() {
            "survey" => Purpose::Survey,
            "order-status" | "order-update" => Purpose::OrderStatus { order_id: json_str(flow_input, "order_id")? },
            _ => Purpose::FollowUp,
        })
    }
}

/// A string field of a flat JSON object (the flow input), without a JSON library in the guest.
fn json_str(json: &str, field: &str) -> Option<String> {
    let at = json.find(&format!("\"{field}\""))? + field.len() + 2;
    let rest = json[at..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// Enough words to be the caller's account of what happened, not only "I want to complain".
fn tells_what_happened(raw: &str) -> bool {
    let han = raw.chars().filter(|c| switchboard_understand::text::is_han(*c)).count();
    han >= 8 || raw.split_whitespace().count() >= 7
}

fn kind_of(intent: &str, raw: &str) -> TicketKind {
    let lower = raw.to_lowercase();
    match intent {
        "complaint" => TicketKind::Complaint,
        _ if raw.contains('換') || lower.contains("exchange") || lower.contains("swap") => TicketKind::Exchange,
        _ => TicketKind::Return,
    }
}

fn reason_of(kind: TicketKind) -> &'static str {
    match kind {
        TicketKind::Complaint => "complaint",
        _ => "return-exchange",
    }
}

impl Pending {
    pub(super) fn after_sales_expectation(&self, dialog: &Dialog) -> Option<Expectation> {
        let yes_no = Expectation { kind: AnswerKind::YesNo, ..Expectation::default() };
        Some(match self {
            Pending::CaseConfirmOrder => yes_no,
            Pending::CaseOrder => {
                let orders = dialog.case.as_ref().map(|c| c.orders.as_slice()).unwrap_or_default();
                let mut choices: Vec<ExpectedChoice> = orders
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let mut phrases = vec![o.number.to_string(), format!("{}號", o.number), format!("第{}筆", i + 1)];
                        phrases.extend(o.items.iter().map(|(_, name)| name.clone()));
                        if i == 0 {
                            phrases.extend(["最近那筆", "最新的", "最後一筆", "the latest", "the last one", "the recent one"].map(String::from));
                        }
                        ExpectedChoice { id: o.number.to_string(), phrases }
                    })
                    .collect();
                choices.push(ExpectedChoice {
                    id: "none".into(),
                    phrases: ["都不是", "不是這些", "none of them", "neither"].map(String::from).to_vec(),
                });
                Expectation { kind: AnswerKind::Choice, choices, ..Expectation::default() }
            }
            Pending::CaseDescribe | Pending::Comment => Expectation::default(),
            Pending::Rating => Expectation {
                kind: AnswerKind::Choice,
                choices: (1..=5)
                    .map(|n: u8| {
                        let zh = ["一", "兩", "三", "四", "五"][n as usize - 1];
                        let en = ["one", "two", "three", "four", "five"][n as usize - 1];
                        let mut phrases = vec![n.to_string(), format!("{n}分"), format!("{zh}分"), zh.to_string(), en.to_string()];
                        if n == 2 {
                            phrases.push("二分".into());
                        }
                        ExpectedChoice { id: n.to_string(), phrases }
                    })
                    .collect(),
                ..Expectation::default()
            },
            Pending::CallbackTime => Expectation { kind: AnswerKind::Time, ..Expectation::default() },
            _ => return None,
        })
    }
}

impl Dialog {
    /// The question the after-sales part is waiting on, if any.
    pub(super) fn after_sales_pending(&self) -> Option<Pending> {
        if self.asking_callback_time {
            return Some(Pending::CallbackTime);
        }
        if let Some(case) = &self.case {
            if case.order.is_none() {
                return Some(if case.orders.len() == 1 { Pending::CaseConfirmOrder } else { Pending::CaseOrder });
            }
            if case.description.is_none() {
                return Some(Pending::CaseDescribe);
            }
        }
        if let Some(s) = &self.survey {
            return Some(if s.rating.is_none() { Pending::Rating } else { Pending::Comment });
        }
        None
    }

    pub(super) fn after_sales_question(&self, pending: &Pending) -> Option<String> {
        let lang = self.lang;
        Some(match pending {
            Pending::CaseConfirmOrder => {
                let o = &self.case.as_ref()?.orders[0];
                replies::confirm_case_order(lang, o)
            }
            Pending::CaseOrder => replies::which_case_order(lang, &self.case.as_ref()?.orders),
            Pending::CaseDescribe => replies::ask_what_happened(lang),
            Pending::Rating => replies::ask_rating(lang),
            Pending::Comment => replies::ask_comment(lang),
            Pending::CallbackTime => replies::ask_callback_time(lang),
            _ => return None,
        })
    }

    // ----- the calls the shop places -----

    /// The greeting of a call the shop placed, by its purpose.
    pub(super) fn outbound_greeting(&mut self, host: &mut dyn Host) -> Option<Vec<Action>> {
        let purpose = self.purpose.clone()?;
        let name = self.draft.name.clone();
        Some(match purpose {
            Purpose::Survey => {
                self.survey = Some(Survey::default());
                vec![tag("survey"), self.say(replies::survey_greeting(self.lang, name.as_deref())), self.gather()]
            }
            Purpose::OrderStatus { order_id } => {
                let text = match host.order(&order_id) {
                    Ok(order) => replies::order_update(self.lang, name.as_deref(), &order),
                    Err(e) => {
                        host.log(LogLevel::Warn, &format!("the order of this call could not be read: {}", e.0));
                        replies::follow_up_greeting(self.lang, name.as_deref())
                    }
                };
                self.helped = true;
                vec![tag("order-update"), self.say(format!("{text}{}", replies::anything_else(self.lang))), self.gather()]
            }
            Purpose::FollowUp => {
                self.helped = true;
                vec![self.say(replies::follow_up_greeting(self.lang, name.as_deref())), self.gather()]
            }
        })
    }

    // ----- a turn -----

    /// A turn the after-sales part takes: an answer to its question, or a request it
    /// handles anywhere in the call (do not call, call me back, where is my ticket).
    pub(super) fn after_sales_turn(&mut self, host: &mut dyn Host, raw: &str, a: &Analysis) -> Option<Vec<Action>> {
        if a.has_intent("do-not-call") {
            return Some(self.stop_calling(host));
        }
        let pending = self.after_sales_pending();
        if pending == Some(Pending::CallbackTime) {
            self.asking_callback_time = false;
            return Some(self.call_back_at(host, a.time.as_deref()));
        }
        if a.has_intent("callback") && !matches!(pending, Some(Pending::CaseDescribe | Pending::Comment)) {
            return Some(self.call_back_at(host, a.time.as_deref()));
        }
        if a.has_intent("ticket-status") && self.case.is_none() && self.survey.is_none() {
            return Some(self.ticket_status(host));
        }
        match pending? {
            Pending::CaseConfirmOrder => {
                let case = self.case.as_mut()?;
                match a.yes_no {
                    Some(YesNo::Yes) => case.order = Some(case.orders.first().cloned()),
                    Some(YesNo::No) => case.order = Some(None),
                    _ => return Some(self.ask(replies::misheard(self.lang))),
                }
            }
            Pending::CaseOrder => {
                let case = self.case.as_mut()?;
                let by_digits = case.orders.iter().find(|o| !a.digits.is_empty() && a.digits.ends_with(&o.number.to_string()));
                let chosen = match (a.choice.as_deref(), by_digits) {
                    (_, Some(o)) => Some(Some(o.clone())),
                    (Some("none"), _) => Some(None),
                    (Some(n), _) => case.orders.iter().find(|o| o.number.to_string() == n).cloned().map(Some),
                    (None, None) if a.yes_no == Some(YesNo::Yes) => Some(case.orders.first().cloned()),
                    (None, None) if a.yes_no == Some(YesNo::No) => Some(None),
                    _ => None,
                };
                match chosen {
                    Some(order) => case.order = Some(order),
                    None => return Some(self.ask(replies::misheard(self.lang))),
                }
            }
            Pending::CaseDescribe => {
                self.case.as_mut()?.description = Some(raw.to_string());
            }
            Pending::Rating => {
                let rating = a
                    .choice
                    .as_deref()
                    .and_then(|c| c.parse::<u8>().ok())
                    .or_else(|| a.digits.parse::<u8>().ok())
                    .filter(|r| (1..=5).contains(r));
                let survey = self.survey.as_mut()?;
                match rating {
                    Some(r) => survey.rating = Some(r),
                    None if a.yes_no == Some(YesNo::No) => return Some(self.end_survey(host, None)),
                    None => {
                        survey.misses += 1;
                        if survey.misses >= 2 {
                            return Some(self.end_survey(host, None));
                        }
                        return Some(self.ask(replies::misheard(self.lang)));
                    }
                }
                return Some(self.ask(replies::ack(self.lang)));
            }
            Pending::Comment => {
                let none = a.yes_no == Some(YesNo::No) && !tells_what_happened(raw);
                let comment = if none { None } else { Some(raw.to_string()) };
                return Some(self.end_survey(host, comment));
            }
            _ => return None,
        }
        Some(self.case_next(host))
    }

    /// Keys while the after-sales part asks: a rating, an order's number, 1/2 for yes/no.
    pub(super) fn after_sales_keys(&mut self, host: &mut dyn Host, keys: &str) -> Option<Vec<Action>> {
        let keys = keys.trim_end_matches('#');
        match self.after_sales_pending()? {
            Pending::Rating => {
                let r = keys.parse::<u8>().ok().filter(|r| (1..=5).contains(r))?;
                self.survey.as_mut()?.rating = Some(r);
                Some(self.ask(replies::ack(self.lang)))
            }
            Pending::CaseConfirmOrder => {
                let case = self.case.as_mut()?;
                case.order = Some(match keys {
                    "1" => case.orders.first().cloned(),
                    "2" => None,
                    _ => return None,
                });
                Some(self.case_next(host))
            }
            Pending::CaseOrder => {
                let case = self.case.as_mut()?;
                let found = case.orders.iter().find(|o| o.number.to_string() == keys).cloned()?;
                case.order = Some(Some(found));
                Some(self.case_next(host))
            }
            _ => None,
        }
    }

    // ----- tickets -----

    /// A return, exchange or complaint: find the order, hear what happened, file it.
    pub(super) fn start_case(&mut self, host: &mut dyn Host, intent: &str, raw: &str, a: &Analysis) -> Vec<Action> {
        let kind = kind_of(intent, raw);
        let phone = if self.caller.is_empty() { self.draft.phone.clone() } else { Some(self.caller.clone()) };
        let orders = match phone.map(|p| host.orders_by_phone(&p, 3)) {
            Some(Ok(orders)) => orders,
            Some(Err(e)) => {
                host.log(LogLevel::Warn, &format!("order lookup failed: {}", e.0));
                Vec::new()
            }
            None => Vec::new(),
        };
        // An order number said with it settles which order.
        let named = orders.iter().find(|o| !a.digits.is_empty() && a.digits.ends_with(&o.number.to_string())).cloned();
        let order = match (named, orders.is_empty()) {
            (Some(o), _) => Some(Some(o)),
            (None, true) => Some(None),
            (None, false) => None,
        };
        let description = tells_what_happened(raw).then(|| raw.to_string());
        host.log(LogLevel::Info, &format!("after-sales case: {kind:?}, {} recent orders", orders.len()));
        self.case = Some(Case { kind, orders, order, description });
        self.misunderstood = 0;
        let mut actions = vec![tag(reason_of(kind))];
        let opening = replies::case_opening(self.lang, kind);
        actions.extend(self.case_next_with(host, &opening));
        actions
    }

    fn case_next(&mut self, host: &mut dyn Host) -> Vec<Action> {
        self.case_next_with(host, "")
    }

    /// Ask what the case still needs, or file it.
    fn case_next_with(&mut self, host: &mut dyn Host, prefix: &str) -> Vec<Action> {
        if self.after_sales_pending().is_some() {
            let question = self.question(&self.pending());
            return vec![self.say(format!("{prefix}{question}")), self.gather()];
        }
        let Some(case) = self.case.take() else { return self.ask(prefix) };
        let order = case.order.flatten();
        let description = case.description.unwrap_or_default();
        match host.open_ticket(case.kind, order.as_ref().map(|o| o.id.as_str()), &description) {
            Ok(ticket) => {
                host.log(LogLevel::Info, &format!("ticket {} opened", ticket.number));
                self.filed = true;
                self.helped = true;
                let said = replies::ticket_opened(self.lang, &ticket);
                let mut actions = vec![tag("ticket-opened")];
                if ticket.needs_person {
                    // The tenant's rules want a person on this one: offer one, and say why.
                    self.offered = Some(reason_of(case.kind));
                    actions.push(self.say(format!("{said}{}", replies::offer_person_for_ticket(self.lang))));
                    actions.push(self.gather());
                } else {
                    actions.push(self.say(format!("{said}{}", replies::anything_else(self.lang))));
                    actions.push(self.gather());
                }
                actions
            }
            Err(e) => {
                host.log(LogLevel::Warn, &format!("ticket not opened: {}", e.0));
                self.transfer(host, reason_of(case.kind), replies::transferring_after_sales(self.lang, case.kind == TicketKind::Complaint))
            }
        }
    }

    /// Where the caller's latest ticket stands.
    fn ticket_status(&mut self, host: &mut dyn Host) -> Vec<Action> {
        let text = match host.my_tickets(1) {
            Ok(tickets) => match tickets.first() {
                Some(t) => replies::ticket_status(self.lang, t),
                None => replies::no_tickets(self.lang),
            },
            Err(e) => {
                host.log(LogLevel::Warn, &format!("tickets unavailable: {}", e.0));
                replies::status_unavailable(self.lang)
            }
        };
        self.helped = true;
        let mut actions = vec![tag("ticket-status")];
        actions.push(self.say(format!("{text}{}", replies::anything_else(self.lang))));
        actions.push(self.gather());
        actions
    }

    // ----- surveys, do-not-call, callbacks -----

    /// Silence after a survey's rating is no comment: the rating is kept and the call ends.
    pub(super) fn after_sales_silence(&mut self, host: &mut dyn Host) -> Option<Vec<Action>> {
        let rated = self.survey.as_ref()?.rating.is_some();
        rated.then(|| self.end_survey(host, None))
    }

    fn end_survey(&mut self, host: &mut dyn Host, comment: Option<String>) -> Vec<Action> {
        let rating = self.survey.take().and_then(|s| s.rating);
        let mut actions = Vec::new();
        if rating.is_some() || comment.is_some() {
            match host.record_survey(rating, comment.as_deref()) {
                Ok(()) => actions.push(tag("survey-completed")),
                Err(e) => host.log(LogLevel::Warn, &format!("survey answer not kept: {}", e.0)),
            }
        }
        self.finished = true;
        actions.push(self.say_final(replies::survey_thanks(self.lang)));
        actions.push(Action::Hangup(Some("survey-done".into())));
        actions
    }

    fn stop_calling(&mut self, host: &mut dyn Host) -> Vec<Action> {
        let kept = host.do_not_call();
        if let Err(e) = &kept {
            host.log(LogLevel::Warn, &format!("do-not-call not kept: {}", e.0));
        }
        self.finished = true;
        vec![tag("do-not-call"), self.say_final(replies::will_not_call(self.lang)), Action::Hangup(Some("do-not-call".into()))]
    }

    /// "Call me back after six": a callback task at that time, said back.
    fn call_back_at(&mut self, host: &mut dyn Host, time: Option<&str>) -> Vec<Action> {
        let (now, offset) = host.now();
        let Some(at) = time.and_then(|t| callback_time(t, now, offset)) else {
            if self.asking_callback_time {
                return self.ask(replies::misheard(self.lang));
            }
            self.asking_callback_time = true;
            return vec![self.say(replies::ask_callback_time(self.lang)), self.gather()];
        };
        self.asking_callback_time = false;
        let when = local_hhmm(at, offset);
        let note = replies::callback_note(self.lang, &self.last_said);
        match host.schedule_callback(at, &note) {
            Ok(()) => {
                self.finished = true;
                vec![
                    tag("callback-requested"),
                    self.say_final(replies::callback_booked(self.lang, &when)),
                    Action::Hangup(Some("callback-requested".into())),
                ]
            }
            Err(e) => {
                host.log(LogLevel::Warn, &format!("callback not scheduled: {}", e.0));
                self.ask(&replies::status_unavailable(self.lang))
            }
        }
    }
}

/// When to call back for a time the host read: `18:00` (the next such time in the tenant's
/// day) or `+20m` (from now).
fn callback_time(time: &str, now_ms: u64, offset_minutes: i32) -> Option<u64> {
    if let Some(minutes) = time.strip_prefix('+').and_then(|d| d.strip_suffix('m')).and_then(|m| m.parse::<u64>().ok()) {
        return Some(now_ms + minutes * 60_000);
    }
    let (h, m) = time.split_once(':')?;
    let target = h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?;
    let local_min = (now_ms / 60_000) as i64 + offset_minutes as i64;
    let today = local_min.div_euclid(1440) * 1440;
    let mut at = today + target;
    if at <= local_min {
        at += 1440;
    }
    Some(((at - offset_minutes as i64) * 60_000) as u64)
}

fn local_hhmm(at_ms: u64, offset_minutes: i32) -> String {
    let local = ((at_ms / 60_000) as i64 + offset_minutes as i64).rem_euclid(1440);
    format!("{:02}:{:02}", local / 60, local % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_input_says_why_the_shop_called() {
        assert_eq!(Purpose::of(r#"{"purpose":"survey","campaign":"cmp_1"}"#), Some(Purpose::Survey));
        assert_eq!(
            Purpose::of(r#"{"order_id": "ord_\"x", "purpose": "order-status"}"#),
            Some(Purpose::OrderStatus { order_id: "ord_\"x".into() })
        );
        assert_eq!(Purpose::of(r#"{"name":"林"}"#), None);
        assert_eq!(Purpose::of(""), None);
    }

    #[test]
    fn callbacks_fall_on_the_next_such_time() {
        // 2026-12-02 09:00 in Taipei.
        let now = 1_796_173_200_000;
        assert_eq!(local_hhmm(callback_time("18:00", now, 480).unwrap(), 480), "18:00");
        assert_eq!(callback_time("18:00", now, 480).unwrap(), now + 9 * 3_600_000);
        assert_eq!(callback_time("08:00", now, 480).unwrap(), now + 23 * 3_600_000, "tomorrow");
        assert_eq!(callback_time("+20m", now, 480).unwrap(), now + 20 * 60_000);
        assert_eq!(callback_time("soon", now, 480), None);
    }
}
