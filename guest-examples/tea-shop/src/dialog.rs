//! The conversation: one [`Dialog`] per call turns events into actions.
//!
//! The next question is never stored; it is derived from what the order
//! still lacks ([`Pending`]). That is what lets a caller ask the FAQ, check
//! an order's status or fail to reach an agent in the middle of ordering:
//! afterwards the dialog simply asks the pending question again.
//!
//! What the caller meant is the host's job: each turn is analysed by the
//! host's `understand` capability (order items against the catalogue, yes/no,
//! phone digits, names, addresses, intents), in the light of the expectation
//! this dialog attaches to every gather. The dialog only decides what to do.
//!
//! Host capabilities come in through [`Host`], so tests drive whole calls
//! with a fake.

use switchboard_understand::numbers::{PhoneLength, digit_count, format_phone, phone_length, spoken_digits};
use switchboard_understand::text::contains_phrase;
use switchboard_understand::{
    Analysis, AnswerKind, Catalog, Expectation, ExpectedChoice, Fulfilment, ParsedOrder, YesNo,
};

use crate::host::{Customer, Host, LogLevel, OrderItem, OrderRequest};
use crate::language::{self, Lang};
use crate::order::{Draft, Line, Missing};
use crate::replies::{self, Summary};

/// FAQ hits below this score are more often wrong than right.
const FAQ_MIN_SCORE: f32 = 0.35;
/// Intents the host found by their words score at least this; below, it read them by
/// meaning (a sentence embedding), which is right less often.
const BY_WORDS: f32 = 0.8;
/// How long to wait for the caller to start speaking.
const GATHER_TIMEOUT_MS: u32 = 8000;
/// Turns in a row the flow may fail to understand (or hear) before giving up.
const MAX_MISUNDERSTOOD: u8 = 2;
const MAX_NO_INPUT: u8 = 2;
/// Fewer digits than this is not a phone number.
const MIN_PHONE_DIGITS: usize = 8;
/// The host rejects longer `say` texts, and an invalid action ends the flow's part in the call.
const MAX_SAY_CHARS: usize = 2000;
/// Enough for the agent to read before picking up.
const MAX_SUMMARY_CHARS: usize = 1000;

/// What the flow knows about the call.
#[derive(Clone, Debug, Default)]
pub struct CallInfo {
    /// The customer's number: the caller's, or the callee's on a call the shop placed.
    pub caller: String,
    /// The tenant's default language tag (`zh-TW`).
    pub language: String,
    /// The shop placed this call (a survey, an order update, a follow-up).
    pub outbound: bool,
    /// Why, as JSON: `{"purpose": "survey"}`.
    pub flow_input: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    CallStarted,
    Utterance { text: String, language: String },
    Dtmf(String),
    NoInput,
    TransferResult { connected: bool },
    Hangup,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Say {
        text: String,
        language: String,
        interruptible: bool,
    },
    /// Speech and DTMF, [`GATHER_TIMEOUT_MS`], with what the dialog expects to hear.
    Gather {
        timeout_ms: u32,
        expect: Expectation,
    },
    /// To the tenant's default agent.
    Transfer {
        reason: String,
        summary: String,
    },
    Hangup(Option<String>),
    Tag(Vec<String>),
}

/// The question the dialog is waiting on.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pending {
    Order,
    Size(usize),
    Option(usize, String),
    Name,
    /// Offer the number the caller rings from.
    Phone,
    PhoneDigits,
    Fulfilment,
    /// A known customer's address on file.
    AddressConfirm(String),
    Address,
    Confirm,
    Change,
    /// A person was offered for this reason (the host read the request by its meaning,
    /// not by its words): yes transfers, no goes back to the order.
    Offer(&'static str),
    // After the sale (`aftersales.rs`).
    CaseConfirmOrder,
    CaseOrder,
    CaseDescribe,
    Rating,
    Comment,
    CallbackTime,
}

impl Pending {
    /// What the caller is expected to say: the host reads the answer (and, on voice calls,
    /// recognises and ends the turn) with it.
    fn expectation(&self, menu: Option<&Menu>, lines: &[Line]) -> Expectation {
        let yes_no = Expectation { kind: AnswerKind::YesNo, ..Expectation::default() };
        match self {
            Pending::Order => Expectation {
                kind: AnswerKind::Order,
                vocabulary: menu.map(|m| product_words(&m.catalog)).unwrap_or_default(),
                ..Expectation::default()
            },
            // After the read-back the caller may correct anything it listed: the drinks, or
            // the words that come with a name, a number or the fulfilment.
            Pending::Change => Expectation {
                kind: AnswerKind::Order,
                vocabulary: CHANGE_WORDS
                    .iter()
                    .map(|w| w.to_string())
                    .chain(menu.map(|m| product_words(&m.catalog)).unwrap_or_default())
                    .collect(),
                ..Expectation::default()
            },
            Pending::Size(i) | Pending::Option(i, _) => {
                let about = lines.get(*i).map(|l| l.product_id.clone());
                let slot = match self {
                    Pending::Option(_, group) => group.clone(),
                    _ => "size".to_string(),
                };
                let choices = menu
                    .map(|m| switchboard_understand::slot_choices(&m.catalog, about.as_deref(), &slot))
                    .unwrap_or_default();
                Expectation { kind: AnswerKind::Order, choices, about, slot: Some(slot), ..Expectation::default() }
            }
            Pending::Name => Expectation { kind: AnswerKind::Name, ..Expectation::default() },
            Pending::Phone | Pending::AddressConfirm(_) | Pending::Confirm | Pending::Offer(_) => yes_no,
            Pending::PhoneDigits => Expectation { kind: AnswerKind::Phone, ..Expectation::default() },
            Pending::Fulfilment => Expectation {
                kind: AnswerKind::Choice,
                choices: vec![
                    ExpectedChoice { id: "delivery".into(), phrases: vec!["外送".into(), "delivery".into()] },
                    ExpectedChoice { id: "pickup".into(), phrases: vec!["自取".into(), "pick up".into()] },
                ],
                ..Expectation::default()
            },
            Pending::Address => Expectation { kind: AnswerKind::Address, ..Expectation::default() },
            // Answered in `aftersales.rs`, which knows the case.
            Pending::CaseConfirmOrder
            | Pending::CaseOrder
            | Pending::CaseDescribe
            | Pending::Rating
            | Pending::Comment
            | Pending::CallbackTime => Expectation::default(),
        }
    }

    /// Answers to these are free text (a name, an address) that says nothing
    /// about the caller's language.
    fn is_free_text(&self) -> bool {
        matches!(self, Pending::Name | Pending::Address | Pending::CaseDescribe | Pending::Comment)
    }

    /// Questions a "no" answers.
    fn is_yes_no(&self) -> bool {
        matches!(self, Pending::Phone | Pending::AddressConfirm(_) | Pending::Confirm)
    }
}

/// What a correction after the read-back starts with, besides a drink.
const CHANGE_WORDS: &[&str] = &[
    "我姓", "名字", "電話", "外送", "自取", "地址", "my name is", "phone number", "delivery", "pick up", "address",
];

/// Product names in every language: the words of an open order question.
fn product_words(catalog: &Catalog) -> Vec<String> {
    catalog.products.iter().flat_map(|p| p.names.iter().map(|n| n.text.clone())).collect()
}

/// How one caller turn went.
enum Outcome {
    /// Understood; move on to the next question, after this acknowledgement.
    Progress(String),
    /// Understood, and these actions are the whole reply.
    Reply(Vec<Action>),
    NotUnderstood,
}

/// What applying order content to the draft did.
#[derive(Default)]
struct Applied {
    added: Vec<Line>,
    changed: bool,
    /// Modifiers with no product while several lines could be meant.
    ambiguous: bool,
}

impl Applied {
    fn any(&self) -> bool {
        !self.added.is_empty() || self.changed
    }
}

/// The catalogue, read once per call.
struct Menu {
    catalog: Catalog,
}

pub struct Dialog {
    caller: String,
    tenant_lang: Lang,
    tenant_tag: String,
    /// The language we currently speak: the tenant's until the caller speaks.
    lang: Lang,
    menu: Option<Menu>,
    customer: Option<Customer>,
    draft: Draft,
    phone_declined: bool,
    /// The caller's surname was heard the same wrong way twice: the next name question
    /// asks which character it is (「雙木林」).
    ask_character: bool,
    address_declined: bool,
    /// Phone digits said so far, when the caller gives them over several turns.
    partial_digits: String,
    /// Phone numbers heard with a digit too few or too many.
    phones_misheard: u8,
    /// Keys of a phone number typed so far.
    keyed: String,
    /// The order's lines before the last turn added some: a "no" to the bot's confirmation of
    /// the new ones (「好的，烏龍茶1杯」 「不對」) takes them back.
    undo: Option<Vec<Line>>,
    /// The caller said the read-back order is wrong.
    changing: bool,
    /// A person offered, and why: asked before transferring a request read by meaning.
    offered: Option<&'static str>,
    /// The call has been helped with something other than ordering (FAQ, status).
    helped: bool,
    transferring: bool,
    finished: bool,
    no_inputs: u8,
    misunderstood: u8,
    last_said: String,
    /// A return, exchange or complaint being written down.
    case: Option<aftersales::Case>,
    /// What the caller said when a person was offered for a complaint read by its meaning.
    offer_said: String,
    /// A ticket was opened on this call.
    filed: bool,
    survey: Option<aftersales::Survey>,
    /// Why the shop placed this call.
    purpose: Option<aftersales::Purpose>,
    asking_callback_time: bool,
}

impl Dialog {
    pub fn new(call: &CallInfo) -> Dialog {
        let tenant_lang = Lang::from_tag(&call.language);
        Dialog {
            caller: call.caller.trim().to_string(),
            tenant_lang,
            tenant_tag: call.language.trim().to_string(),
            lang: tenant_lang,
            menu: None,
            customer: None,
            draft: Draft::default(),
            phone_declined: false,
            ask_character: false,
            address_declined: false,
            partial_digits: String::new(),
            phones_misheard: 0,
            keyed: String::new(),
            undo: None,
            changing: false,
            offered: None,
            helped: false,
            transferring: false,
            finished: false,
            no_inputs: 0,
            misunderstood: 0,
            last_said: String::new(),
            case: None,
            offer_said: String::new(),
            filed: false,
            survey: None,
            purpose: if call.outbound { aftersales::Purpose::of(&call.flow_input) } else { None },
            asking_callback_time: false,
        }
    }

    pub fn handle(&mut self, host: &mut dyn Host, event: Event) -> Vec<Action> {
        if self.finished {
            return Vec::new();
        }
        match event {
            Event::CallStarted => self.on_call_started(host),
            Event::Utterance { text, language } => self.on_utterance(host, &text, &language),
            Event::Dtmf(keys) => self.on_dtmf(host, &keys),
            Event::NoInput => self.on_no_input(host),
            Event::TransferResult { connected } => self.on_transfer_result(connected),
            Event::Hangup => {
                self.finished = true;
                Vec::new()
            }
        }
    }

    // ----- events -----

    fn on_call_started(&mut self, host: &mut dyn Host) -> Vec<Action> {
        // Loaded now so the first utterance is quick; retried later if the host fails.
        self.load_menu(host);
        if let Err(e) = host.add_intents(aftersales::INTENTS) {
            host.log(LogLevel::Warn, &format!("intents not added: {}", e.0));
        }
        if !self.caller.is_empty() {
            match host.lookup_customer(&self.caller) {
                Ok(Some(customer)) if customer.blocked => {
                    self.finished = true;
                    return vec![
                        self.say_final(replies::blocked(self.lang)),
                        tag("blocked"),
                        Action::Hangup(Some("blocked".into())),
                    ];
                }
                Ok(Some(customer)) => {
                    let name = customer.name.trim();
                    if !name.is_empty() {
                        self.draft.name = Some(name.to_string());
                    }
                    let phone = if customer.phone.trim().is_empty() { &self.caller } else { customer.phone.trim() };
                    self.draft.phone = Some(phone.to_string());
                    self.customer = Some(customer);
                }
                Ok(None) => {}
                Err(e) => host.log(LogLevel::Warn, &format!("customer lookup failed: {}", e.0)),
            }
        }
        if let Some(actions) = self.outbound_greeting(host) {
            return actions;
        }
        let greeting = replies::greeting(self.lang, self.draft.name.as_deref());
        vec![self.say(greeting), self.gather()]
    }

    fn on_utterance(&mut self, host: &mut dyn Host, raw: &str, reported: &str) -> Vec<Action> {
        let raw = raw.trim();
        self.no_inputs = 0;
        self.last_said = raw.to_string();
        let mut pending = self.pending();
        if raw.is_empty() {
            return self.not_understood(host);
        }
        let mut a = match host.analyse(raw) {
            Ok(a) => a,
            Err(e) => {
                host.log(LogLevel::Warn, &format!("understanding unavailable: {}", e.0));
                return self.transfer(host, "understanding-unavailable", replies::system_unavailable(self.lang));
            }
        };
        // Finishing or cancelling on a meaning alone would end calls on sentences nobody
        // understood (「嗯嗯那個就是說」 reads a little like 「就這樣」): those take words.
        a.intents.retain(|m| m.score >= BY_WORDS || !matches!(m.name.as_str(), "done" | "cancel"));
        // The host knows better when it heard a Mandarin choice in English letters ("Top." for 大杯).
        let detected = match a.language {
            Some(Lang::Zh) => Some(Lang::Zh),
            _ => language::detect(raw, reported),
        };
        // A name or an address says nothing about the caller's language, but a
        // question or a request said instead of the answer does.
        let speaks_for_itself = !a.intents.is_empty() || a.order.mentions_products();
        // Nor does a turn nothing could be made of: a short answer misheard as a word of the
        // other language (「大杯」 heard as "Top.") leaves the conversation in its language.
        let made_sense = speaks_for_itself
            || !a.order.loose.is_empty()
            || a.yes_no.is_some()
            || a.choice.is_some()
            || a.fulfilment.is_some()
            || !a.digits.is_empty();
        // One or two words taken for an expected answer in the other language (「半糖」 heard
        // as "half sugar") are too little to change the conversation's language for.
        let words = raw.split_whitespace().count() + raw.chars().filter(|c| switchboard_understand::text::is_han(*c)).count();
        let short_answer = words <= 2;
        if (!pending.is_free_text() && made_sense && !short_answer) || speaks_for_itself {
            self.lang = detected.unwrap_or(self.lang);
        }
        if let Some(actions) = self.after_sales_turn(host, raw, &a) {
            return actions;
        }
        // The answer to an offer of a person.
        if let Pending::Offer(reason) = pending {
            self.offered = None;
            match a.yes_no {
                // A complaint read by its meaning, confirmed: write it down (a person takes
                // it when the tenant's rules say so, or when the caller asks).
                Some(YesNo::Yes) if matches!(reason, "complaint" | "return-exchange") && !self.filed => {
                    let said = std::mem::take(&mut self.offer_said);
                    let intent = if reason == "complaint" { "complaint" } else { "return" };
                    return self.start_case(host, intent, &said, &Analysis::default());
                }
                Some(YesNo::Yes) => return self.hand_over(host, reason),
                Some(YesNo::No) if a.intents.is_empty() && !a.order.mentions_products() => {
                    return self.ask(replies::ack(self.lang));
                }
                // Anything else is a turn of its own, read against the question before the offer.
                _ => pending = self.pending(),
            }
        }
        // After-sales first: 「我昨天買的珍奶…我要客訴」 names a product but orders nothing.
        let wants_person = a.intents.iter().find(|m| matches!(m.name.as_str(), "complaint" | "return" | "agent"));
        if let Some(m) = wants_person {
            let reason = match m.name.as_str() {
                "complaint" => "complaint",
                "return" => "return-exchange",
                _ => "caller-request",
            };
            // Read by its meaning rather than said in words: ask first, and say why.
            if m.score < BY_WORDS {
                self.offered = Some(reason);
                self.offer_said = raw.to_string();
                return self.ask("");
            }
            // A complaint or a return becomes a ticket; a person when asked for.
            if reason != "caller-request" {
                let intent = m.name.clone();
                return self.start_case(host, &intent, raw, &a);
            }
            return self.hand_over(host, reason);
        }
        if a.has_intent("order-status") && !a.order.mentions_products() {
            return self.order_status(host);
        }
        if !self.load_menu(host) {
            if let Some(actions) = self.try_faq(host, raw) {
                return actions;
            }
            return self.transfer(host, "catalog-unavailable", replies::system_unavailable(self.lang));
        }
        if !a.order.items.is_empty() || !a.order.loose.is_empty() {
            host.log(LogLevel::Debug, &format!("understood {:?}", a.order));
        }
        if let Some(actions) = self.answer_side_question(&a) {
            return actions;
        }
        let question = a.has_intent("question") || a.has_intent("hours");
        if question
            && !a.order.mentions_products()
            && let Some(actions) = self.try_faq(host, raw)
        {
            return actions;
        }
        if a.has_intent("cancel") && !a.order.mentions_products() && a.order.loose.is_empty() {
            return self.cancel();
        }
        // "No" to the drinks the bot just confirmed: they were misheard. Take them back; a
        // correction said with it ("No, I said one large black tea") is then applied as an order.
        let undo = self.undo.take();
        // ("No ice" and 「綠茶不要了」 are answers and removals, not a no.)
        let rejects = a.yes_no == Some(YesNo::No)
            && !pending.is_yes_no()
            && a.order.loose.is_empty()
            && a.order.removals.is_empty();
        let mut kept = None;
        match undo {
            Some(before) if rejects => {
                self.draft.lines = before;
                if !a.order.mentions_products() {
                    self.misunderstood = 0;
                    return self.ask(replies::misheard(self.lang));
                }
            }
            other => kept = other,
        }
        let lines_before = self.draft.lines.clone();
        // Information given before it was asked for (a name while asked about ice) is kept.
        let absorbed = self.absorb(&a, &pending);
        let outcome = match self.answer(host, &a, &pending) {
            Outcome::NotUnderstood if absorbed => Outcome::Progress(replies::ack(self.lang).into()),
            other => other,
        };
        if self.draft.lines.len() > lines_before.len() {
            self.undo = Some(lines_before);
        } else if self.draft.lines == lines_before {
            // A turn that changed no drink (noise, an answer misheard as nothing) leaves the
            // caller their chance to say the drinks just confirmed were wrong.
            self.undo = kept;
        }
        match outcome {
            Outcome::Progress(ack) => {
                self.misunderstood = 0;
                self.ask(&ack)
            }
            Outcome::Reply(actions) => {
                self.misunderstood = 0;
                actions
            }
            Outcome::NotUnderstood => {
                if !question && let Some(actions) = self.try_faq(host, raw) {
                    return actions;
                }
                self.not_understood(host)
            }
        }
    }

    fn on_dtmf(&mut self, host: &mut dyn Host, keys: &str) -> Vec<Action> {
        let keys = keys.trim();
        self.no_inputs = 0;
        self.last_said = format!("DTMF {keys}");
        // While a number is asked for, keys type it (most start with 0), a key at a time; # ends it.
        let typing = keys.chars().all(|c| c.is_ascii_digit() || c == '#');
        if self.pending() == Pending::PhoneDigits && typing && digit_count(keys) < MIN_PHONE_DIGITS {
            return self.key_in_phone(keys);
        }
        if keys == "0" {
            return self.transfer(host, "caller-request", replies::transferring(self.lang));
        }
        if let Some(actions) = self.after_sales_keys(host, keys) {
            return actions;
        }
        let outcome = match (self.pending(), keys) {
            (Pending::Phone | Pending::PhoneDigits, k) if digit_count(k) >= MIN_PHONE_DIGITS => {
                self.draft.phone = Some(spoken_digits(k));
                Outcome::Progress(replies::ack(self.lang).into())
            }
            (Pending::Phone, "1") => self.confirm_phone(true),
            (Pending::Phone, "2") => self.confirm_phone(false),
            (Pending::AddressConfirm(address), "1") => self.confirm_address(true, address),
            (Pending::AddressConfirm(address), "2") => self.confirm_address(false, address),
            (Pending::Fulfilment, "1") => self.choose_fulfilment(Fulfilment::Delivery, None),
            (Pending::Fulfilment, "2") => self.choose_fulfilment(Fulfilment::Pickup, None),
            (Pending::Confirm, "1") => Outcome::Reply(self.place_order(host)),
            (Pending::Confirm, "2") => self.start_change(),
            _ => Outcome::NotUnderstood,
        };
        match outcome {
            Outcome::Progress(ack) => {
                self.misunderstood = 0;
                self.ask(&ack)
            }
            Outcome::Reply(actions) => actions,
            Outcome::NotUnderstood => self.not_understood(host),
        }
    }

    /// A key of a phone number typed on the keypad: the number is taken once it has all the
    /// digits of its kind (a mobile's 10, a landline's with its area code), or at # (numbers
    /// without a leading 0); until then the flow listens on, silently.
    fn key_in_phone(&mut self, keys: &str) -> Vec<Action> {
        self.keyed.push_str(keys.trim_end_matches('#'));
        let ended = keys.ends_with('#');
        let length = phone_length(&self.keyed);
        // Numbers with an area code have one length: they end at their last digit.
        let full = match length {
            PhoneLength::Whole => self.keyed.starts_with('0'),
            PhoneLength::Long(_) | PhoneLength::NoSuchPrefix => true,
            PhoneLength::Short(_) => false,
        };
        if !ended && !full {
            return vec![self.gather()];
        }
        let keyed = std::mem::take(&mut self.keyed);
        if length == PhoneLength::Whole {
            self.partial_digits.clear();
            self.draft.phone = Some(keyed);
            self.misunderstood = 0;
            return self.ask(replies::ack(self.lang));
        }
        self.ask_plain(replies::phone_again(self.lang, &format_phone(&keyed), length, true))
    }

    fn on_no_input(&mut self, host: &mut dyn Host) -> Vec<Action> {
        if self.transferring {
            return Vec::new();
        }
        if let Some(actions) = self.after_sales_silence(host) {
            return actions;
        }
        self.no_inputs += 1;
        if self.no_inputs >= MAX_NO_INPUT {
            self.finished = true;
            return vec![self.say_final(replies::no_input_goodbye(self.lang)), Action::Hangup(Some("no-input".into()))];
        }
        self.ask(&replies::no_input(self.lang))
    }

    fn on_transfer_result(&mut self, connected: bool) -> Vec<Action> {
        self.transferring = false;
        if connected {
            self.finished = true;
            return Vec::new();
        }
        self.misunderstood = 0;
        self.ask(&replies::no_agent(self.lang))
    }

    // ----- understanding a turn -----

    /// Details said out of turn: a name, a phone number, delivery or pickup, an address.
    /// Returns whether anything was kept.
    fn absorb(&mut self, a: &Analysis, pending: &Pending) -> bool {
        let mut kept = false;
        if let Some(name) = a.name.as_ref().filter(|_| *pending != Pending::Name && self.draft.name.is_none()) {
            self.draft.name = Some(name.clone());
            kept = true;
        }
        let asking_phone = matches!(pending, Pending::Phone | Pending::PhoneDigits);
        let whole = |p: &&String| phone_length(p) == PhoneLength::Whole;
        if let Some(phone) = a.phone.as_ref().filter(whole).filter(|_| !asking_phone && self.draft.phone.is_none()) {
            self.draft.phone = Some(phone.clone());
            kept = true;
        }
        let asking_address = matches!(pending, Pending::Address | Pending::AddressConfirm(_) | Pending::Fulfilment);
        if !asking_address && *pending != Pending::Confirm && *pending != Pending::Change {
            if let Some(f) = a.fulfilment.filter(|_| self.draft.fulfilment.is_none()) {
                self.draft.fulfilment = Some(f);
                kept = true;
            }
            if let Some(address) = a.address.as_ref().filter(|_| self.draft.address.is_none()) {
                self.draft.fulfilment.get_or_insert(Fulfilment::Delivery);
                self.draft.address = Some(address.clone());
                kept = true;
            }
        }
        kept
    }

    /// Menu and price questions answered from the catalogue itself.
    fn answer_side_question(&mut self, a: &Analysis) -> Option<Vec<Action>> {
        let menu = self.menu.as_ref()?;
        let reply = if a.has_intent("price") && !a.order.items.is_empty() {
            let ids: Vec<String> = a.order.items.iter().map(|i| i.product_id.clone()).collect();
            replies::prices(self.lang, &menu.catalog, &ids)
        } else if a.intent() == Some("menu") && !a.order.mentions_products() {
            // Only when the menu is what the turn is most about: 「你們有停車位嗎」 reads a little
            // like 「你們有賣什麼」, but it is a question for the FAQ.
            replies::menu(self.lang, &menu.catalog)
        } else {
            return None;
        };
        self.misunderstood = 0;
        self.helped = true;
        Some(self.ask(&reply))
    }

    /// The caller is finished: a "that's all" with nothing else in it, or a bare "no".
    fn is_done(a: &Analysis) -> bool {
        let nothing_else = !a.order.mentions_products() && a.order.loose.is_empty();
        let bare_no = a.yes_no == Some(YesNo::No) && a.intents.is_empty() && a.digits.is_empty();
        nothing_else && (a.intent() == Some("done") || bare_no)
    }

    /// Interpret the turn as an answer to the pending question (or as more order content).
    fn answer(&mut self, host: &mut dyn Host, a: &Analysis, pending: &Pending) -> Outcome {
        let lang = self.lang;
        // The host has already applied a matched size or option choice to `loose`.
        let parsed = &a.order;
        let adding = self.adds_more();
        match pending {
            // Answered before the turn reaches here (on_utterance, aftersales.rs).
            Pending::Offer(_)
            | Pending::CaseConfirmOrder
            | Pending::CaseOrder
            | Pending::CaseDescribe
            | Pending::Rating
            | Pending::Comment
            | Pending::CallbackTime => Outcome::NotUnderstood,
            Pending::Order | Pending::Size(_) | Pending::Option(..) => {
                let focus = match pending {
                    Pending::Size(i) | Pending::Option(i, _) => Some(*i),
                    _ => None,
                };
                let applied = self.apply_order(parsed, adding, focus, false, false);
                if applied.any() {
                    return Outcome::Progress(self.ack_applied(&applied));
                }
                if *pending == Pending::Order && self.draft.lines.is_empty() && Self::is_done(a) {
                    self.finished = true;
                    return Outcome::Reply(vec![
                        self.say_final(replies::goodbye(lang)),
                        Action::Hangup(Some("caller-done".into())),
                    ]);
                }
                match a.fulfilment {
                    Some(f) => {
                        self.draft.fulfilment = Some(f);
                        Outcome::Progress(replies::ack(lang).into())
                    }
                    None => Outcome::NotUnderstood,
                }
            }
            Pending::Name => {
                if let Some(outcome) = self.order_content(parsed, adding) {
                    return outcome;
                }
                match &a.name {
                    Some(name) => {
                        self.draft.name = Some(name.clone());
                        self.ask_character = false;
                        Outcome::Progress(replies::ack(lang).into())
                    }
                    None => Outcome::NotUnderstood,
                }
            }
            Pending::Phone | Pending::PhoneDigits => {
                if let Some(outcome) = self.order_content(parsed, adding) {
                    return outcome;
                }
                // Digits said over several turns: 「0912」… 「345」… 「678」.
                let heard = match &a.phone {
                    Some(phone) if phone_length(phone) == PhoneLength::Whole => {
                        self.partial_digits.clear();
                        Some(phone.clone())
                    }
                    _ if !a.digits.is_empty() && (*pending == Pending::PhoneDigits || a.phone.is_some()) => {
                        Some(std::mem::take(&mut self.partial_digits) + &a.digits)
                    }
                    _ => None,
                };
                if let Some(heard) = heard {
                    return match phone_length(&heard) {
                        PhoneLength::Whole if digit_count(&heard) >= MIN_PHONE_DIGITS => {
                            self.draft.phone = Some(heard);
                            Outcome::Progress(replies::ack(lang).into())
                        }
                        // More to come: the caller paused between groups.
                        PhoneLength::Short(missing) if missing >= 2 || digit_count(&heard) < MIN_PHONE_DIGITS => {
                            self.partial_digits = heard;
                            Outcome::Reply(self.ask_plain(replies::go_on(lang)))
                        }
                        // A digit missing or too many: most likely misheard, so ask for it all again.
                        length => {
                            // A number said instead of a yes to the caller's own: another number
                            // is wanted, so keys type it from now on. From the second time on,
                            // the keypad is offered.
                            self.phone_declined = true;
                            self.phones_misheard += 1;
                            let keypad = self.phones_misheard >= 2;
                            Outcome::Reply(self.ask_plain(replies::phone_again(
                                lang,
                                &format_phone(&heard),
                                length,
                                keypad,
                            )))
                        }
                    };
                }
                match (pending, a.yes_no) {
                    (Pending::Phone, Some(YesNo::Yes)) => self.confirm_phone(true),
                    (Pending::Phone, Some(YesNo::No)) => self.confirm_phone(false),
                    _ => Outcome::NotUnderstood,
                }
            }
            Pending::Fulfilment => {
                let applied = self.apply_order(parsed, adding, None, false, false);
                let chosen = a.fulfilment.or(match a.choice.as_deref() {
                    Some("delivery") => Some(Fulfilment::Delivery),
                    Some("pickup") => Some(Fulfilment::Pickup),
                    _ => None,
                });
                match chosen {
                    Some(f) => self.choose_fulfilment(f, a.address.clone()),
                    None if applied.any() => Outcome::Progress(self.ack_applied(&applied)),
                    None => Outcome::NotUnderstood,
                }
            }
            Pending::AddressConfirm(address) => {
                if let Some(outcome) = self.order_content(parsed, adding) {
                    return outcome;
                }
                if a.fulfilment == Some(Fulfilment::Pickup) {
                    return self.choose_fulfilment(Fulfilment::Pickup, None);
                }
                match a.yes_no {
                    Some(YesNo::Yes) => self.confirm_address(true, address.clone()),
                    Some(YesNo::No) => {
                        let outcome = self.confirm_address(false, address.clone());
                        // 「不是，送到公司，信義路五段7號」: the correction in the same breath.
                        self.draft.address = a.address.clone();
                        outcome
                    }
                    _ => match &a.address {
                        Some(new_address) => {
                            self.draft.address = Some(new_address.clone());
                            Outcome::Progress(replies::ack(lang).into())
                        }
                        None => Outcome::NotUnderstood,
                    },
                }
            }
            Pending::Address => {
                if let Some(outcome) = self.order_content(parsed, adding) {
                    return outcome;
                }
                if a.fulfilment == Some(Fulfilment::Pickup) {
                    return self.choose_fulfilment(Fulfilment::Pickup, None);
                }
                match &a.address {
                    Some(address) => {
                        self.draft.address = Some(address.clone());
                        Outcome::Progress(replies::ack(lang).into())
                    }
                    None => Outcome::NotUnderstood,
                }
            }
            Pending::Confirm => {
                let applied = self.apply_order(parsed, adding, None, true, true);
                if applied.ambiguous {
                    self.changing = true;
                    return Outcome::Reply(self.ask_plain(replies::which_drink(lang)));
                }
                if applied.any() {
                    return Outcome::Progress(self.ack_applied(&applied));
                }
                if let Some(f) = a.fulfilment.filter(|f| Some(*f) != self.draft.fulfilment) {
                    return self.choose_fulfilment(f, a.address.clone());
                }
                // "No, my name is John": the correction is applied, and the order read back again.
                if self.correct_details(a) {
                    return Outcome::Progress(replies::ack(lang).into());
                }
                match a.yes_no {
                    Some(YesNo::Yes) => Outcome::Reply(self.place_order(host)),
                    Some(YesNo::No) => self.start_change(),
                    _ => Outcome::NotUnderstood,
                }
            }
            Pending::Change => self.answer_change(a, parsed, adding),
        }
    }

    /// After "that's not right": change items, fulfilment, name, phone or address.
    fn answer_change(&mut self, a: &Analysis, parsed: &ParsedOrder, adding: bool) -> Outcome {
        let lang = self.lang;
        let applied = self.apply_order(parsed, adding, None, true, true);
        if applied.ambiguous {
            return Outcome::Reply(self.ask_plain(replies::which_drink(lang)));
        }
        self.changing = false;
        if applied.any() {
            return Outcome::Progress(self.ack_applied(&applied));
        }
        // The caller put the name right, and it was heard as the one read back again: a
        // Mandarin surname misheard twice is asked for by its character.
        let same_name = a.name.is_some() && a.name == self.draft.name;
        if same_name && lang == Lang::Zh && !self.ask_character {
            self.draft.name = None;
            self.ask_character = true;
            return Outcome::Progress(String::new());
        }
        if let Some(f) = a.fulfilment {
            return self.choose_fulfilment(f, a.address.clone());
        }
        if self.correct_details(a) {
            return Outcome::Progress(replies::ack(lang).into());
        }
        let text = switchboard_understand::text::normalize(&self.last_said);
        let mentions = |words: &[&str]| words.iter().any(|w| contains_phrase(&text, w));
        if mentions(&["地址", "address"]) {
            self.draft.fulfilment = Some(Fulfilment::Delivery);
            self.draft.address = None;
            self.address_declined = true;
        } else if mentions(&["電話", "號碼", "phone", "number"]) {
            self.draft.phone = None;
            self.phone_declined = true;
        } else if mentions(&["名字", "姓名", "name"]) {
            self.draft.name = None;
        } else if a.yes_no.is_none() && !Self::is_done(a) {
            self.changing = true;
            return Outcome::NotUnderstood;
        }
        // Either the detail will now be asked again, or there was nothing to change
        // after all; in both cases the order is read back before it is placed.
        Outcome::Progress(replies::ack(lang).into())
    }

    /// A name or a whole phone number said while the order is read back or changed, unlike the
    /// one taken: the caller is correcting it. Returns whether anything changed.
    fn correct_details(&mut self, a: &Analysis) -> bool {
        let mut changed = false;
        if let Some(name) = a.name.as_ref().filter(|n| Some(*n) != self.draft.name.as_ref()) {
            self.draft.name = Some(name.clone());
            changed = true;
        }
        let whole = |p: &&String| phone_length(p) == PhoneLength::Whole && digit_count(p) >= MIN_PHONE_DIGITS;
        if let Some(phone) = a.phone.as_ref().filter(whole).filter(|p| Some(*p) != self.draft.phone.as_ref()) {
            self.draft.phone = Some(phone.clone());
            changed = true;
        }
        changed
    }

    /// Whether the caller wants another cup rather than a change to one ordered
    /// ("再一杯紅茶", "another black tea"): dialogue policy, not parsing.
    fn adds_more(&self) -> bool {
        const ADD_MORE: &[&str] =
            &["再", "加", "另外", "也要", "還要", "another", "more", "also", "add", "extra", "plus"];
        let text = switchboard_understand::text::normalize(&self.last_said);
        ADD_MORE.iter().any(|w| contains_phrase(&text, w))
    }

    /// Order content said while another question is pending (「再加一杯紅茶」 when asked for a name).
    fn order_content(&mut self, parsed: &ParsedOrder, adding: bool) -> Option<Outcome> {
        if !parsed.mentions_products() {
            return None;
        }
        let applied = self.apply_order(parsed, adding, None, false, false);
        applied.any().then(|| Outcome::Progress(self.ack_applied(&applied)))
    }

    /// Apply parsed items, removals and loose modifiers to the draft.
    ///
    /// `focus` is the line just asked about (loose modifiers go there);
    /// `merge` makes a product that is already ordered mean "change that line"
    /// rather than "another one" (when correcting); `single` lets loose
    /// modifiers apply to the only line there is.
    fn apply_order(
        &mut self,
        parsed: &ParsedOrder,
        adding: bool,
        focus: Option<usize>,
        merge: bool,
        single: bool,
    ) -> Applied {
        let mut applied = Applied::default();
        let Some(menu) = self.menu.as_ref() else {
            return applied;
        };
        let catalog = &menu.catalog;
        let lines = &mut self.draft.lines;

        // Loose modifiers first: `focus` indexes the lines as they were when asked.
        if !parsed.loose.is_empty() && parsed.items.is_empty() {
            let target = focus.or(if single && lines.len() == 1 { Some(0) } else { None });
            match target.and_then(|t| lines.get_mut(t)) {
                Some(line) => applied.changed |= line.apply(catalog, &parsed.loose),
                None => applied.ambiguous = single && lines.len() > 1,
            }
        }

        for request in &parsed.items {
            let repeated_in_turn = parsed.items.iter().filter(|r| r.product_id == request.product_id).count() > 1;
            let existing = if adding || repeated_in_turn {
                None
            } else {
                lines.iter().position(|l| {
                    l.product_id == request.product_id && (merge || l.missing(catalog).is_some() || focus.is_some())
                })
            };
            match existing.and_then(|i| lines.get_mut(i)) {
                Some(line) => applied.changed |= line.apply(catalog, &request.details),
                None => {
                    let mut line = Line::from_request(request);
                    line.fill_defaults(catalog);
                    applied.added.push(line.clone());
                    lines.push(line);
                }
            }
        }

        let before = lines.len();
        lines.retain(|l| !parsed.removals.contains(&l.product_id));
        applied.changed |= lines.len() != before;
        applied
    }

    fn ack_applied(&self, applied: &Applied) -> String {
        match &self.menu {
            Some(menu) if !applied.added.is_empty() => replies::ack_lines(self.lang, &menu.catalog, &applied.added),
            _ => replies::ack(self.lang).into(),
        }
    }

    fn confirm_phone(&mut self, yes: bool) -> Outcome {
        if yes {
            self.draft.phone = Some(self.caller.clone());
        } else {
            self.phone_declined = true;
        }
        Outcome::Progress(replies::ack(self.lang).into())
    }

    fn confirm_address(&mut self, yes: bool, address: String) -> Outcome {
        if yes {
            self.draft.address = Some(address);
        } else {
            self.address_declined = true;
        }
        Outcome::Progress(replies::ack(self.lang).into())
    }

    fn choose_fulfilment(&mut self, fulfilment: Fulfilment, address: Option<String>) -> Outcome {
        self.draft.fulfilment = Some(fulfilment);
        if fulfilment == Fulfilment::Delivery && address.is_some() {
            self.draft.address = address;
        }
        Outcome::Progress(replies::ack(self.lang).into())
    }

    fn start_change(&mut self) -> Outcome {
        self.changing = true;
        Outcome::Progress(String::new())
    }

    // ----- what to ask next -----

    fn pending(&self) -> Pending {
        if let Some(reason) = self.offered {
            return Pending::Offer(reason);
        }
        if let Some(p) = self.after_sales_pending() {
            return p;
        }
        if self.changing {
            return Pending::Change;
        }
        let Some(menu) = &self.menu else {
            return Pending::Order;
        };
        if self.draft.lines.is_empty() {
            return Pending::Order;
        }
        if let Some((i, missing)) = self.draft.first_missing(&menu.catalog) {
            return match missing {
                Missing::Size => Pending::Size(i),
                Missing::Group(group) => Pending::Option(i, group),
            };
        }
        if self.draft.name.is_none() {
            return Pending::Name;
        }
        if self.draft.phone.is_none() {
            return if self.caller.is_empty() || self.phone_declined { Pending::PhoneDigits } else { Pending::Phone };
        }
        match (self.draft.fulfilment, &self.draft.address) {
            (None, _) => Pending::Fulfilment,
            (Some(Fulfilment::Delivery), None) => {
                let on_file = self.customer.as_ref().and_then(|c| c.address.clone()).filter(|a| !a.trim().is_empty());
                match on_file {
                    Some(address) if !self.address_declined => Pending::AddressConfirm(address),
                    _ => Pending::Address,
                }
            }
            _ => Pending::Confirm,
        }
    }

    fn question(&self, pending: &Pending) -> String {
        let lang = self.lang;
        let menu = self.menu.as_ref();
        let line = |i: &usize| menu.zip(self.draft.lines.get(*i));
        match pending {
            Pending::Order => replies::ask_order(lang, self.helped),
            Pending::Size(i) => {
                line(i).map_or_else(|| replies::ask_order(lang, false), |(m, l)| replies::ask_size(lang, &m.catalog, l))
            }
            Pending::Option(i, group) => line(i).map_or_else(
                || replies::ask_order(lang, false),
                |(m, l)| replies::ask_option(lang, &m.catalog, l, group),
            ),
            Pending::Name if self.ask_character => replies::ask_name_character(lang),
            Pending::Name => replies::ask_name(lang),
            Pending::Phone => replies::ask_phone_default(lang, &self.caller),
            Pending::PhoneDigits => replies::ask_phone(lang),
            Pending::Fulfilment => replies::ask_fulfilment(lang),
            Pending::AddressConfirm(address) => replies::ask_address_confirm(lang, address),
            Pending::Address => replies::ask_address(lang),
            Pending::Confirm => menu
                .map_or_else(|| replies::ask_order(lang, false), |m| replies::readback(lang, &m.catalog, &self.draft)),
            Pending::Change => replies::ask_change(lang),
            Pending::Offer(reason) => replies::offer_person(lang, reason),
            other => self.after_sales_question(other).unwrap_or_default(),
        }
    }

    /// Say `prefix` followed by the pending question, and listen.
    fn ask(&self, prefix: &str) -> Vec<Action> {
        let question = self.question(&self.pending());
        vec![self.say(format!("{prefix}{question}")), self.gather()]
    }

    fn ask_plain(&self, text: String) -> Vec<Action> {
        vec![self.say(text), self.gather()]
    }

    // ----- outcomes -----

    /// Transfer for `reason` (a tag of the call), saying why.
    fn hand_over(&mut self, host: &mut dyn Host, reason: &'static str) -> Vec<Action> {
        let said = match reason {
            "complaint" => replies::transferring_after_sales(self.lang, true),
            "return-exchange" => replies::transferring_after_sales(self.lang, false),
            _ => replies::transferring(self.lang),
        };
        let mut actions = if reason == "caller-request" { Vec::new() } else { vec![tag(reason)] };
        actions.extend(self.transfer(host, reason, said));
        actions
    }

    fn not_understood(&mut self, host: &mut dyn Host) -> Vec<Action> {
        self.misunderstood += 1;
        if self.misunderstood >= MAX_MISUNDERSTOOD {
            return self.transfer(host, "not-understood", replies::transferring_not_understood(self.lang));
        }
        let question = self.question(&self.pending());
        let text = format!("{}{question}{}", replies::not_understood(self.lang), replies::agent_hint(self.lang));
        vec![self.say(text), self.gather()]
    }

    fn try_faq(&mut self, host: &mut dyn Host, query: &str) -> Option<Vec<Action>> {
        let hits = match host.search_faq(query, self.lang.code(), 3) {
            Ok(hits) => hits,
            Err(e) => {
                host.log(LogLevel::Warn, &format!("faq search failed: {}", e.0));
                return None;
            }
        };
        let good = || hits.iter().filter(|h| h.score >= FAQ_MIN_SCORE);
        let by_score = |a: &&crate::host::FaqHit, b: &&crate::host::FaqHit| a.score.total_cmp(&b.score);
        let best = good()
            .filter(|h| Lang::from_tag(&h.language) == self.lang)
            .max_by(by_score)
            .or_else(|| good().max_by(by_score))?;
        let answer_lang = Lang::from_tag(&best.language);
        let answer = Action::Say {
            text: truncate(&best.answer, MAX_SAY_CHARS),
            language: self.speech_tag(answer_lang),
            interruptible: true,
        };
        self.misunderstood = 0;
        self.helped = true;
        let mut actions = vec![answer, tag("faq-answered")];
        actions.extend(self.ask(""));
        Some(actions)
    }

    fn order_status(&mut self, host: &mut dyn Host) -> Vec<Action> {
        let lang = self.lang;
        let phone = if self.caller.is_empty() { self.draft.phone.clone() } else { Some(self.caller.clone()) };
        let mut actions = Vec::new();
        let text = match phone.map(|p| host.orders_by_phone(&p, 1)) {
            Some(Ok(orders)) => {
                actions.push(tag("order-status"));
                match orders.first() {
                    Some(order) => {
                        replies::order_status(lang, order.number, order.status, order.total, &order.currency)
                    }
                    None => replies::no_orders(lang),
                }
            }
            Some(Err(e)) => {
                host.log(LogLevel::Warn, &format!("order lookup failed: {}", e.0));
                replies::status_unavailable(lang)
            }
            None => replies::no_orders(lang),
        };
        self.misunderstood = 0;
        self.helped = true;
        actions.extend(self.ask(&text));
        actions
    }

    fn cancel(&mut self) -> Vec<Action> {
        self.finished = true;
        if self.draft.lines.is_empty() {
            return vec![self.say_final(replies::goodbye(self.lang)), Action::Hangup(Some("caller-done".into()))];
        }
        vec![
            self.say_final(replies::cancelled(self.lang)),
            tag("order-cancelled"),
            Action::Hangup(Some("order-cancelled".into())),
        ]
    }

    /// Create the order (only ever after the caller confirmed the read-back).
    fn place_order(&mut self, host: &mut dyn Host) -> Vec<Action> {
        let fulfilment = self.draft.fulfilment.unwrap_or(Fulfilment::Pickup);
        let request = OrderRequest {
            items: self
                .draft
                .lines
                .iter()
                .map(|l| OrderItem {
                    product_id: l.product_id.clone(),
                    size_id: l.size.clone().unwrap_or_default(),
                    quantity: l.quantity,
                    options: l.options.clone(),
                })
                .collect(),
            customer_name: self.draft.name.clone().unwrap_or_default(),
            phone: self.draft.phone.clone().unwrap_or_default(),
            fulfilment,
            address: if fulfilment == Fulfilment::Delivery { self.draft.address.clone() } else { None },
        };
        match host.create_order(&request) {
            Ok(order) => {
                host.log(LogLevel::Info, &format!("order {} placed, total {}", order.number, order.total));
                self.finished = true;
                vec![
                    self.say_final(replies::placed(self.lang, order.number, order.total, &order.currency, fulfilment)),
                    tag("order-placed"),
                    Action::Hangup(Some("order-placed".into())),
                ]
            }
            Err(e) => {
                host.log(LogLevel::Warn, &format!("order create failed: {}", e.0));
                self.transfer(host, "order-failed", replies::order_failed(self.lang))
            }
        }
    }

    fn transfer(&mut self, host: &mut dyn Host, reason: &str, text: String) -> Vec<Action> {
        self.transferring = true;
        self.misunderstood = 0;
        let customer_name = self.customer.as_ref().map(|c| c.name.as_str()).or(self.draft.name.as_deref());
        let summary = replies::transfer_summary(
            self.tenant_lang,
            self.menu.as_ref().map(|m| &m.catalog),
            &Summary {
                caller: &self.caller,
                customer_name,
                caller_lang: self.lang,
                draft: &self.draft,
                last_said: &self.last_said,
            },
        );
        let summary = truncate(&summary, MAX_SUMMARY_CHARS);
        host.log(LogLevel::Info, &format!("transfer: {reason}"));
        vec![self.say_final(text), tag("transferred"), Action::Transfer { reason: reason.to_string(), summary }]
    }

    // ----- plumbing -----

    /// Read the catalogue once per call. Returns whether it is available.
    fn load_menu(&mut self, host: &mut dyn Host) -> bool {
        if self.menu.is_some() {
            return true;
        }
        match host.catalog() {
            Ok(catalog) => {
                self.menu = Some(Menu { catalog });
                true
            }
            Err(e) => {
                host.log(LogLevel::Warn, &format!("catalog unavailable: {}", e.0));
                false
            }
        }
    }

    /// The TTS language tag: the tenant's own tag when it is in that language.
    fn speech_tag(&self, lang: Lang) -> String {
        if lang == self.tenant_lang && !self.tenant_tag.is_empty() {
            self.tenant_tag.clone()
        } else {
            lang.pick("zh-TW", "en-US").to_string()
        }
    }

    /// Listen for the caller, saying what the pending question expects.
    fn gather(&self) -> Action {
        let pending = self.pending();
        let expect = pending
            .after_sales_expectation(self)
            .unwrap_or_else(|| pending.expectation(self.menu.as_ref(), &self.draft.lines));
        Action::Gather { timeout_ms: GATHER_TIMEOUT_MS, expect }
    }

    fn say(&self, text: String) -> Action {
        Action::Say { text: truncate(&text, MAX_SAY_CHARS), language: self.speech_tag(self.lang), interruptible: true }
    }

    /// Last words before a hang-up or a transfer: the caller should hear them out.
    fn say_final(&self, text: String) -> Action {
        Action::Say { text: truncate(&text, MAX_SAY_CHARS), language: self.speech_tag(self.lang), interruptible: false }
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

fn tag(name: &str) -> Action {
    Action::Tag(vec![name.to_string()])
}

mod aftersales;
#[cfg(test)]
mod tests;
