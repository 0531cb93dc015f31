//! Whole calls against a fake host holding the demo tenant's catalogue, FAQ and customers.

use switchboard_understand::Understander;
use switchboard_understand::fixtures::demo;

use super::*;
use crate::host::{FaqHit, HostError, OrderStatus, PlacedOrder, Ticket, TicketKind, TicketStatus};

const CALLER: &str = "+886922000111";
const KNOWN: &str = "+886912345678";

struct FaqEntry {
    language: &'static str,
    keywords: &'static [&'static str],
    answer: &'static str,
}

const FAQ: &[FaqEntry] = &[
    FaqEntry {
        language: "zh",
        keywords: &["幾點", "營業", "開門"],
        answer: "我們每天早上十點營業到晚上九點，全年無休。",
    },
    FaqEntry { language: "en", keywords: &["hours", "open"], answer: "We are open every day from 10 a.m. to 9 p.m." },
    FaqEntry {
        language: "zh", keywords: &["外送範圍", "送到哪"], answer: "我們外送台北市大安區和信義區。"
    },
    FaqEntry {
        language: "en",
        keywords: &["deliver", "area"],
        answer: "We deliver within three kilometres of the shop.",
    },
];

/// Scores like a keyword matcher: a keyword hit is a strong match, anything else is noise.
struct FakeHost {
    catalog: Catalog,
    customers: Vec<Customer>,
    history: Vec<(String, PlacedOrder)>,
    created: Vec<OrderRequest>,
    fail_create: bool,
    /// Understands the way Switchboard's host does, with the expectation the dialog's
    /// last gather declared.
    understander: Understander,
    expecting: Expectation,
    /// An intent the next analysis finds by meaning (as Switchboard's host does with
    /// sentence embeddings when the words settle nothing), with its score.
    meaning: Option<(&'static str, f32)>,
    /// Tickets opened: kind, order id, description.
    tickets: Vec<(TicketKind, Option<String>, String)>,
    /// The tenant's rules want a person on every ticket.
    tickets_need_person: bool,
    surveys: Vec<(Option<u8>, Option<String>)>,
    do_not_call: bool,
    callbacks: Vec<u64>,
}

impl FakeHost {
    fn new() -> FakeHost {
        FakeHost {
            catalog: demo(),
            customers: vec![
                Customer {
                    name: "王小明".into(),
                    phone: KNOWN.into(),
                    address: Some("台北市信義區松仁路100號".into()),
                    blocked: false,
                },
                Customer { name: "Troll".into(), phone: "+886900000000".into(), address: None, blocked: true },
            ],
            history: vec![(
                KNOWN.into(),
                PlacedOrder {
                    id: "ord_1000".into(),
                    items: vec![(2, "珍珠奶茶".into())],
                    number: 1000,
                    total: 120,
                    currency: "TWD".into(),
                    status: OrderStatus::Preparing,
                },
            )],
            created: Vec::new(),
            fail_create: false,
            understander: Understander::new(demo(), &[]),
            expecting: Expectation::default(),
            meaning: None,
            tickets: Vec::new(),
            tickets_need_person: false,
            surveys: Vec::new(),
            do_not_call: false,
            callbacks: Vec::new(),
        }
    }
}

impl Host for FakeHost {
    fn analyse(&mut self, text: &str) -> Result<Analysis, HostError> {
        let mut a = self.understander.analyse(text, &self.expecting);
        if let Some((name, score)) = self.meaning.take() {
            a.intents.push(switchboard_understand::IntentMatch { name: name.into(), score });
        }
        Ok(a)
    }

    fn catalog(&mut self) -> Result<Catalog, HostError> {
        Ok(self.catalog.clone())
    }

    fn lookup_customer(&mut self, phone: &str) -> Result<Option<Customer>, HostError> {
        Ok(self.customers.iter().find(|c| c.phone == phone).cloned())
    }

    fn search_faq(&mut self, query: &str, _language: &str, limit: u32) -> Result<Vec<FaqHit>, HostError> {
        let query = query.to_lowercase();
        let mut hits: Vec<FaqHit> = FAQ
            .iter()
            .map(|e| FaqHit {
                answer: e.answer.into(),
                language: e.language.into(),
                score: if e.keywords.iter().any(|k| query.contains(k)) { 0.8 } else { 0.1 },
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit as usize);
        Ok(hits)
    }

    fn create_order(&mut self, request: &OrderRequest) -> Result<PlacedOrder, HostError> {
        if self.fail_create {
            return Err(HostError("unavailable: storage timeout".into()));
        }
        let total = request
            .items
            .iter()
            .map(|i| {
                let price = self.catalog.product(&i.product_id).and_then(|p| p.size(&i.size_id)).map_or(0, |s| s.price);
                price * i.quantity
            })
            .sum();
        self.created.push(request.clone());
        Ok(PlacedOrder {
            number: 1000 + self.created.len() as u64,
            total,
            currency: "TWD".into(),
            status: OrderStatus::Received,
            ..Default::default()
        })
    }

    fn orders_by_phone(&mut self, phone: &str, limit: u32) -> Result<Vec<PlacedOrder>, HostError> {
        Ok(self.history.iter().filter(|(p, _)| p == phone).map(|(_, o)| o.clone()).take(limit as usize).collect())
    }

    fn order(&mut self, id: &str) -> Result<PlacedOrder, HostError> {
        self.history.iter().map(|(_, o)| o).find(|o| o.id == id).cloned().ok_or(HostError("not found".into()))
    }

    fn open_ticket(&mut self, kind: TicketKind, order_id: Option<&str>, description: &str) -> Result<Ticket, HostError> {
        self.tickets.push((kind, order_id.map(str::to_string), description.to_string()));
        let order_number = order_id.and_then(|id| self.order(id).ok()).map(|o| o.number);
        Ok(Ticket {
            number: 5000 + self.tickets.len() as u64,
            kind,
            order_number,
            status: TicketStatus::Open,
            due_in_hours: 24,
            needs_person: self.tickets_need_person,
        })
    }

    fn my_tickets(&mut self, _limit: u32) -> Result<Vec<Ticket>, HostError> {
        Ok(self
            .tickets
            .iter()
            .enumerate()
            .rev()
            .map(|(i, (kind, _, _))| Ticket {
                number: 5001 + i as u64,
                kind: *kind,
                order_number: None,
                status: TicketStatus::InProgress,
                due_in_hours: 24,
                needs_person: false,
            })
            .collect())
    }

    fn record_survey(&mut self, rating: Option<u8>, comment: Option<&str>) -> Result<(), HostError> {
        self.surveys.push((rating, comment.map(str::to_string)));
        Ok(())
    }

    fn do_not_call(&mut self) -> Result<(), HostError> {
        self.do_not_call = true;
        Ok(())
    }

    fn schedule_callback(&mut self, at_ms: u64, _note: &str) -> Result<(), HostError> {
        self.callbacks.push(at_ms);
        Ok(())
    }

    fn now(&mut self) -> (u64, i32) {
        // 2026-12-02 09:00 in Taipei.
        (1_796_173_200_000, 480)
    }

    fn add_intents(&mut self, intents: &[(&str, &[&str])]) -> Result<(), HostError> {
        let extra: Vec<switchboard_understand::IntentExamples> = intents
            .iter()
            .map(|(name, examples)| switchboard_understand::IntentExamples {
                name: name.to_string(),
                examples: examples.iter().map(|e| e.to_string()).collect(),
            })
            .collect();
        self.understander.add_intents(&extra);
        Ok(())
    }

    fn log(&mut self, _level: LogLevel, _message: &str) {}
}

struct Call {
    dialog: Dialog,
    host: FakeHost,
    /// The expectation of the dialog's last gather, in force for the next caller turn.
    next: Option<Expectation>,
}

impl Call {
    fn start(caller: &str) -> (Call, Vec<Action>) {
        Call::start_with(caller, FakeHost::new())
    }

    /// A call the shop placed to `callee`, for the reason in `flow_input`.
    fn placed(callee: &str, flow_input: &str) -> (Call, Vec<Action>) {
        let info = CallInfo { caller: callee.into(), language: "zh-TW".into(), outbound: true, flow_input: flow_input.into() };
        let mut call = Call { dialog: Dialog::new(&info), host: FakeHost::new(), next: None };
        let actions = call.event(Event::CallStarted);
        (call, actions)
    }

    fn start_with(caller: &str, host: FakeHost) -> (Call, Vec<Action>) {
        let mut call = Call {
            dialog: Dialog::new(&CallInfo { caller: caller.into(), language: "zh-TW".into(), ..CallInfo::default() }),
            host,
            next: None,
        };
        let actions = call.event(Event::CallStarted);
        (call, actions)
    }

    /// Deliver an event as the host does: a caller turn is read with the expectation of
    /// the gather before it, and the bot's words are heard for "two of those".
    fn event(&mut self, event: Event) -> Vec<Action> {
        if matches!(event, Event::Utterance { .. } | Event::Dtmf(_) | Event::NoInput) {
            self.host.expecting = self.next.take().unwrap_or_default();
        }
        let actions = self.dialog.handle(&mut self.host, event);
        for action in &actions {
            match action {
                Action::Say { text, .. } => self.host.understander.heard_bot(text),
                Action::Gather { expect, .. } => self.next = Some(expect.clone()),
                _ => {}
            }
        }
        actions
    }

    /// The caller speaks; the recogniser reports the language the way an ASR would.
    fn says(&mut self, text: &str) -> Vec<Action> {
        let language = if switchboard_understand::text::has_cjk(text) { "zh" } else { "en" };
        self.event(Event::Utterance { text: text.into(), language: language.into() })
    }

    /// The caller presses keys.
    fn keys(&mut self, keys: &str) -> Vec<Action> {
        self.event(Event::Dtmf(keys.into()))
    }

    /// The caller types the first digits of a number, a key at a time: the flow listens on
    /// without a word (0 is a digit here, not a request for an agent).
    fn types_part_of_a_number(&mut self, digits: &str) {
        for key in digits.chars() {
            let turn = self.keys(&key.to_string());
            assert!(!turn.iter().any(|a| matches!(a, Action::Say { .. } | Action::Transfer { .. })), "{key}: {turn:?}");
        }
    }
}

fn spoken(actions: &[Action]) -> String {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Say { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn tags(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .flat_map(|a| match a {
            Action::Tag(tags) => tags.clone(),
            _ => Vec::new(),
        })
        .collect()
}

fn ends_with_gather(actions: &[Action]) -> bool {
    matches!(actions.last(), Some(Action::Gather { timeout_ms: 8000, .. }))
}

fn transfer_of(actions: &[Action]) -> Option<(&str, &str)> {
    actions.iter().find_map(|a| match a {
        Action::Transfer { reason, summary } => Some((reason.as_str(), summary.as_str())),
        _ => None,
    })
}

#[track_caller]
fn assert_turn(actions: &[Action], text: &str) {
    assert_eq!(spoken(actions), text);
    assert!(ends_with_gather(actions), "turn should end with a gather: {actions:?}");
}

#[test]
fn full_chinese_order() {
    let (mut call, greeting) = Call::start(CALLER);
    assert_turn(&greeting, "您好，歡迎致電珍珍茶坊！請問今天想喝點什麼？");
    assert!(matches!(&greeting[0], Action::Say { language, .. } if language == "zh-TW"));

    assert_turn(
        &call.says("一杯中杯紅茶無糖去冰，還有兩杯大杯綠茶微糖"),
        "好的，中杯紅茶1杯，無糖、去冰；大杯綠茶2杯，微糖。請問綠茶的冰塊要正常冰、少冰還是去冰？",
    );
    assert_turn(&call.says("少冰"), "好的。請問怎麼稱呼您？");
    assert_turn(&call.says("我姓陳"), "好的。聯絡電話是打來的這支電話 0922-000-111 嗎？");
    assert_turn(&call.says("對"), "好的。請問要外送還是自取？");
    assert_turn(&call.says("外送"), "好的。請問外送地址是哪裡？");
    assert_turn(
        &call.says("台北市大安區復興南路一段100號"),
        "好的。跟您確認訂單：中杯紅茶1杯，無糖、去冰；大杯綠茶2杯，微糖、少冰。外送到台北市大安區復興南路一段100號，陳，電話0922-000-111。總共100元，請問正確嗎？",
    );
    assert!(call.host.created.is_empty(), "nothing is ordered before the caller confirms");

    let done = call.says("對，沒錯");
    assert_eq!(spoken(&done), "訂單成立！您的訂單編號是1001，總共100元。我們會盡快為您送達。謝謝您的訂購，再見！");
    assert_eq!(tags(&done), vec!["order-placed"]);
    assert_eq!(done.last(), Some(&Action::Hangup(Some("order-placed".into()))));

    let request = &call.host.created[0];
    assert_eq!(request.customer_name, "陳");
    assert_eq!(request.phone, CALLER);
    assert_eq!(request.fulfilment, Fulfilment::Delivery);
    assert_eq!(request.address.as_deref(), Some("台北市大安區復興南路一段100號"));
    assert_eq!(
        request.items,
        vec![
            OrderItem {
                product_id: "black-tea".into(),
                size_id: "M".into(),
                quantity: 1,
                options: vec![("sugar".into(), "none".into()), ("ice".into(), "none".into())],
            },
            OrderItem {
                product_id: "green-tea".into(),
                size_id: "L".into(),
                quantity: 2,
                options: vec![("sugar".into(), "light".into()), ("ice".into(), "less".into())],
            },
        ]
    );
    assert!(call.says("還在嗎").is_empty(), "a finished call does nothing more");
}

#[test]
fn full_english_order() {
    let (mut call, _) = Call::start(CALLER);
    let turn = call.says("a medium black tea no sugar and one large mango smoothie");
    assert_turn(
        &turn,
        "Got it: 1 medium black tea, no sugar; 1 large mango smoothie. How would you like the ice in your black tea: regular ice, less ice or no ice?",
    );
    assert!(matches!(&turn[0], Action::Say { language, .. } if language == "en-US"));
    assert_turn(
        &call.says("no ice"),
        "Got it. How would you like the sugar in your mango smoothie: full sugar, half sugar, light sugar or no sugar?",
    );
    assert_turn(&call.says("half"), "Got it. May I have your name, please?");
    assert_turn(&call.says("My name is Alice"), "Got it. Should we use the number you're calling from, 0922-000-111?");
    assert_turn(&call.says("no"), "Got it. What's your phone number?");
    assert_turn(&call.says("0933 123 456"), "Got it. Is this for delivery or pickup?");
    assert_turn(
        &call.says("I'll pick it up"),
        "Got it. Let me read back your order: 1 medium black tea, no sugar, no ice; 1 large mango smoothie, half sugar. Pickup, for Alice, phone 0933-123-456. The total is NT$110. Is that correct?",
    );
    let done = call.says("yes");
    assert_eq!(
        spoken(&done),
        "Your order is placed! Order number 1001, total NT$110. You can pick it up at the shop when it's ready. Thank you, goodbye!"
    );
    assert_eq!(tags(&done), vec!["order-placed"]);
    let request = &call.host.created[0];
    assert_eq!(request.phone, "0933123456");
    assert_eq!(request.customer_name, "Alice");
    assert_eq!(request.fulfilment, Fulfilment::Pickup);
    assert_eq!(request.address, None);
}

#[test]
fn faq_mid_order_keeps_the_order() {
    let (mut call, _) = Call::start(CALLER);
    assert_turn(&call.says("我要兩杯大杯珍珠奶茶半糖少冰"), "好的，大杯珍珠奶茶2杯，半糖、少冰。請問怎麼稱呼您？");

    let faq = call.says("你們幾點開門？");
    assert_eq!(spoken(&faq), "我們每天早上十點營業到晚上九點，全年無休。|請問怎麼稱呼您？");
    assert_eq!(tags(&faq), vec!["faq-answered"]);
    assert!(ends_with_gather(&faq));

    // An English question mid-order: answered in English, then the pending question in English.
    let faq = call.says("Do you deliver to Xinyi?");
    assert_eq!(spoken(&faq), "We deliver within three kilometres of the shop.|May I have your name, please?");
    assert!(matches!(&faq[0], Action::Say { language, .. } if language == "en-US"));

    call.says("Ming");
    call.says("yes");
    call.says("pickup");
    let readback = call.says("yes");
    assert!(readback.iter().any(|a| matches!(a, Action::Hangup(Some(r)) if r == "order-placed")), "{readback:?}");
    assert_eq!(call.host.created[0].items.len(), 1);
    assert_eq!(call.host.created[0].items[0].quantity, 2);
}

#[test]
fn transfer_on_request_with_summary() {
    let (mut call, _) = Call::start(CALLER);
    call.says("我要兩杯大杯珍珠奶茶半糖少冰");
    let turn = call.says("我要轉人工");
    assert_eq!(spoken(&turn), "好的，現在為您轉接專人，請稍候。");
    assert_eq!(tags(&turn), vec!["transferred"]);
    let (reason, summary) = transfer_of(&turn).expect("a transfer action");
    assert_eq!(reason, "caller-request");
    assert_eq!(summary, "來電0922-000-111。說中文。點餐：大杯珍珠奶茶2杯，半糖、少冰。最後說：「我要轉人工」。");

    // Nobody answers: apologise and carry on where we were.
    let turn = call.event(Event::TransferResult { connected: false });
    assert_turn(&turn, "很抱歉，目前沒有專人可以接聽，我們繼續為您服務。請問怎麼稱呼您？");

    // DTMF 0 also asks for a person; a connected transfer ends the flow's part.
    let turn = call.event(Event::Dtmf("0".into()));
    assert_eq!(transfer_of(&turn).map(|t| t.0), Some("caller-request"));
    assert!(call.event(Event::TransferResult { connected: true }).is_empty());
    assert!(call.event(Event::Hangup).is_empty());
}

#[test]
fn transfer_after_two_misunderstandings() {
    let (mut call, _) = Call::start(CALLER);
    let first = call.says("今天天氣很好");
    assert_turn(&first, "不好意思，我沒有聽懂。請問想點什麼飲料呢？需要專人服務請說「轉人工」或按0。");
    let second = call.says("嗯嗯嗯");
    assert_eq!(spoken(&second), "不好意思，我還是不太明白，現在為您轉接專人，請稍候。");
    assert_eq!(transfer_of(&second).map(|t| t.0), Some("not-understood"));
}

#[test]
fn understanding_resets_the_misunderstanding_count() {
    let (mut call, _) = Call::start(CALLER);
    call.says("blah blah");
    call.says("one black tea");
    let turn = call.says("blah blah");
    assert!(transfer_of(&turn).is_none());
    assert!(ends_with_gather(&turn));
}

#[test]
fn known_customer_prefilled_and_change_after_readback() {
    let (mut call, greeting) = Call::start(KNOWN);
    assert_turn(&greeting, "王小明您好，歡迎致電珍珍茶坊！請問今天想喝點什麼？");
    assert_turn(
        &call.says("兩杯大杯珍奶半糖少冰，外送"),
        "好的，大杯珍珠奶茶2杯，半糖、少冰。請問一樣送到台北市信義區松仁路100號嗎？",
    );
    assert_turn(
        &call.says("對"),
        "好的。跟您確認訂單：大杯珍珠奶茶2杯，半糖、少冰。外送到台北市信義區松仁路100號，王小明，電話0912-345-678。總共120元，請問正確嗎？",
    );
    assert_turn(&call.says("不對"), "請問要修改什麼呢？");
    assert_turn(
        &call.says("改成中杯"),
        "好的。跟您確認訂單：中杯珍珠奶茶2杯，半糖、少冰。外送到台北市信義區松仁路100號，王小明，電話0912-345-678。總共100元，請問正確嗎？",
    );
    let done = call.says("好");
    assert_eq!(tags(&done), vec!["order-placed"]);
    assert_eq!(call.host.created[0].phone, KNOWN);
    assert_eq!(call.host.created[0].items[0].size_id, "M");
}

#[test]
fn english_greeting_for_english_tenant() {
    let mut call = Call {
        dialog: Dialog::new(&CallInfo { caller: KNOWN.into(), language: "en-US".into(), ..CallInfo::default() }),
        host: FakeHost::new(),
        next: None,
    };
    let greeting = call.event(Event::CallStarted);
    assert_turn(&greeting, "Hi 王小明, welcome to Zhenzhen Tea House! What would you like to order today?");
    let mut call = Call {
        dialog: Dialog::new(&CallInfo { caller: CALLER.into(), language: "en-US".into(), ..CallInfo::default() }),
        host: FakeHost::new(),
        next: None,
    };
    assert_turn(
        &call.event(Event::CallStarted),
        "Hello, welcome to Zhenzhen Tea House! What would you like to order today?",
    );
}

#[test]
fn blocked_caller_is_refused() {
    let (_, actions) = Call::start("+886900000000");
    assert_eq!(spoken(&actions), "很抱歉，目前無法為您提供服務。謝謝您的來電，再見。");
    assert_eq!(tags(&actions), vec!["blocked"]);
    assert_eq!(actions.last(), Some(&Action::Hangup(Some("blocked".into()))));
}

#[test]
fn no_input_reprompts_then_hangs_up() {
    let (mut call, _) = Call::start(CALLER);
    assert_turn(&call.event(Event::NoInput), "不好意思，我沒有聽到您的聲音。請問想點什麼飲料呢？");
    let last = call.event(Event::NoInput);
    assert_eq!(last.last(), Some(&Action::Hangup(Some("no-input".into()))));
}

#[test]
fn order_status_then_continue() {
    let (mut call, _) = Call::start(KNOWN);
    let turn = call.says("我的訂單到哪了");
    assert_turn(&turn, "您最近一筆訂單編號1000，目前製作中，總共120元。請問還需要什麼嗎？想點飲料可以直接告訴我。");
    assert_eq!(tags(&turn), vec!["order-status"]);
    let (mut call, _) = Call::start(CALLER);
    let turn = call.says("where is my order");
    assert_eq!(
        spoken(&turn),
        "I couldn't find any orders for this number. Anything else? You can order drinks any time."
    );
    let bye = call.says("no thanks");
    assert_eq!(bye.last(), Some(&Action::Hangup(Some("caller-done".into()))));
}

#[test]
fn cancel_abandons_politely() {
    let (mut call, _) = Call::start(CALLER);
    call.says("一杯紅茶");
    let turn = call.says("算了，不要了");
    assert_eq!(spoken(&turn), "好的，已經取消這次的訂單。謝謝您的來電，再見！");
    assert_eq!(tags(&turn), vec!["order-cancelled"]);
    assert_eq!(turn.last(), Some(&Action::Hangup(Some("order-cancelled".into()))));
    assert!(call.host.created.is_empty());
}

#[test]
fn failed_create_transfers() {
    let mut host = FakeHost::new();
    host.fail_create = true;
    let (mut call, _) = Call::start_with(KNOWN, host);
    call.says("一杯大杯紅茶半糖去冰，自取");
    let turn = call.says("對");
    assert_eq!(transfer_of(&turn).map(|t| t.0), Some("order-failed"));
    assert_eq!(tags(&turn), vec!["transferred"]);
}

#[test]
fn items_can_be_added_and_removed_while_asking() {
    let (mut call, _) = Call::start(CALLER);
    call.says("一杯大杯紅茶半糖去冰");
    assert_turn(&call.says("再加一杯中杯綠茶無糖少冰"), "好的，中杯綠茶1杯，無糖、少冰。請問怎麼稱呼您？");
    assert_turn(&call.says("綠茶不要了"), "好的。請問怎麼稱呼您？");
    assert_eq!(call.dialog.draft.lines.len(), 1);
    assert_turn(&call.says("珍奶多少錢"), "珍珠奶茶中杯50元、大杯60元。請問怎麼稱呼您？");
}

#[test]
fn dtmf_answers() {
    let (mut call, _) = Call::start(CALLER);
    call.says("one large black tea half sugar no ice");
    call.says("Bob");
    assert_turn(&call.event(Event::Dtmf("0911222333".into())), "Got it. Is this for delivery or pickup?");
    let turn = call.event(Event::Dtmf("2".into()));
    assert!(spoken(&turn).contains("Pickup, for Bob, phone 0911-222-333. The total is NT$35."), "{turn:?}");
    let done = call.event(Event::Dtmf("1".into()));
    assert_eq!(tags(&done), vec!["order-placed"]);
}

#[test]
fn long_orders_stay_within_the_say_limit() {
    let (mut call, _) = Call::start(CALLER);
    for _ in 0..100 {
        call.says("再加兩杯大杯珍珠奶茶半糖少冰，還有一杯中杯芒果冰沙無糖");
    }
    assert_eq!(call.dialog.draft.lines.len(), 200);
    call.says("陳");
    call.says("對");
    let readback = call.says("自取");
    let Some(Action::Say { text, .. }) = readback.first() else { panic!("{readback:?}") };
    assert_eq!(text.chars().count(), MAX_SAY_CHARS);
}

/// Lines of the draft as (product, quantity, size, sorted options).
fn lines(call: &Call) -> Vec<(String, u32, Option<String>, Vec<(String, String)>)> {
    call.dialog
        .draft
        .lines
        .iter()
        .map(|l| {
            let mut options = l.options.clone();
            options.sort();
            (l.product_id.clone(), l.quantity, l.size.clone(), options)
        })
        .collect()
}

fn opts(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list.iter().map(|(g, c)| (g.to_string(), c.to_string())).collect();
    v.sort();
    v
}

#[test]
fn two_of_those_after_a_price_question_is_an_order() {
    let (mut call, _) = Call::start(CALLER);
    let price = call.says("How much is the mango smoothie?");
    assert!(spoken(&price).starts_with("Mango smoothie: medium NT$70"), "{price:?}");
    let turn = call.says("I'll take two of those, no sugar, regular ice");
    assert!(!turn.iter().any(|a| matches!(a, Action::Hangup(_))), "{turn:?}");
    assert_eq!(lines(&call), vec![("mango-smoothie".into(), 2, None, opts(&[("sugar", "none")]))]);
    assert!(spoken(&turn).contains("What size for the mango smoothie"), "{turn:?}");
}

#[test]
fn a_quantity_after_a_price_question_orders_that_product() {
    let (mut call, _) = Call::start(CALLER);
    call.says("珍奶多少錢");
    let turn = call.says("好，那給我兩杯，半糖少冰");
    assert_eq!(
        lines(&call),
        vec![("bubble-milk-tea".into(), 2, None, opts(&[("sugar", "half"), ("ice", "less")]))],
        "{turn:?}"
    );
    assert_turn(&turn, "好的，珍珠奶茶2杯，半糖、少冰。請問珍珠奶茶要中杯還是大杯？");
}

#[test]
fn one_product_in_two_variants() {
    let (mut call, _) = Call::start(CALLER);
    call.says("兩杯大杯珍奶，一杯半糖少冰，另一杯無糖去冰");
    assert_eq!(
        lines(&call),
        vec![
            ("bubble-milk-tea".into(), 1, Some("L".into()), opts(&[("sugar", "half"), ("ice", "less")])),
            ("bubble-milk-tea".into(), 1, Some("L".into()), opts(&[("sugar", "none"), ("ice", "none")])),
        ]
    );
}

#[test]
fn a_complaint_becomes_a_ticket_about_the_callers_order_with_their_words() {
    let (mut call, _) = Call::start(KNOWN);
    let turn = call.says("我昨天買的珍奶送錯了，我要客訴");
    assert!(transfer_of(&turn).is_none(), "a ticket first: {turn:?}");
    assert!(call.dialog.draft.lines.is_empty(), "a complaint orders nothing");
    assert!(tags(&turn).contains(&"complaint".to_string()));
    // The caller's only recent order is read back for them to confirm.
    assert!(spoken(&turn).contains("1000") && spoken(&turn).contains("珍珠奶茶"), "{}", spoken(&turn));
    let turn = call.says("對");
    assert_eq!(call.host.tickets, [(TicketKind::Complaint, Some("ord_1000".into()), "我昨天買的珍奶送錯了，我要客訴".into())]);
    assert!(spoken(&turn).contains("案件編號是5001"), "{}", spoken(&turn));
    assert!(tags(&turn).contains(&"ticket-opened".to_string()));
    assert!(!turn.iter().any(|a| matches!(a, Action::Hangup(_))), "the caller may go on");
    // And later in the call: where does it stand?
    let turn = call.says("我的客訴處理得怎麼樣了");
    assert!(spoken(&turn).contains("5001") && spoken(&turn).contains("處理中"), "{}", spoken(&turn));
}

#[test]
fn a_return_without_orders_on_file_asks_what_happened_and_offers_a_person_when_the_rules_say_so() {
    let mut host = FakeHost::new();
    host.tickets_need_person = true;
    let (mut call, _) = Call::start_with(CALLER, host);
    call.says("one large black tea");
    let turn = call.says("I want to return something");
    assert!(spoken(&turn).contains("what happened"), "{}", spoken(&turn));
    let turn = call.says("The lid was broken and it all spilled in the bag");
    assert_eq!(call.host.tickets[0].0, TicketKind::Return);
    assert_eq!(call.host.tickets[0].1, None, "no order on file for this number");
    assert!(spoken(&turn).contains("reference number is 5001"), "{}", spoken(&turn));
    assert!(spoken(&turn).contains("Shall I put you through"), "the tenant's rule offers a person: {}", spoken(&turn));
    let turn = call.says("yes please");
    assert_eq!(transfer_of(&turn).map(|t| t.0), Some("return-exchange"));
}

#[test]
fn an_exchange_picks_one_of_several_orders_by_its_number() {
    let mut host = FakeHost::new();
    let second = PlacedOrder { id: "ord_1001".into(), items: vec![(1, "紅茶".into())], number: 1001, ..Default::default() };
    host.history.insert(0, (KNOWN.into(), second));
    let (mut call, _) = Call::start_with(KNOWN, host);
    let turn = call.says("我要換貨");
    assert!(spoken(&turn).contains("1001") && spoken(&turn).contains("1000"), "{}", spoken(&turn));
    call.says("1000那筆");
    let turn = call.says("少了一杯珍奶，想換成紅茶");
    assert_eq!(call.host.tickets[0].0, TicketKind::Exchange);
    assert_eq!(call.host.tickets[0].1.as_deref(), Some("ord_1000"));
    assert!(spoken(&turn).contains("訂單1000"), "{}", spoken(&turn));
}

#[test]
fn a_survey_call_keeps_the_rating_by_keypad_and_the_comment() {
    let (mut call, turn) = Call::placed(KNOWN, r#"{"purpose":"survey","campaign":"cmp_1"}"#);
    assert!(spoken(&turn).contains("王小明") && spoken(&turn).contains("1到5分"), "{}", spoken(&turn));
    let turn = call.keys("4");
    assert!(spoken(&turn).contains("建議"), "{}", spoken(&turn));
    let turn = call.says("珍奶很好喝，但是外送有點慢");
    assert_eq!(call.host.surveys, [(Some(4), Some("珍奶很好喝，但是外送有點慢".into()))]);
    assert!(tags(&turn).contains(&"survey-completed".to_string()));
    assert!(turn.iter().any(|a| matches!(a, Action::Hangup(_))));

    // By voice, and no comment.
    let (mut call, _) = Call::placed(KNOWN, r#"{"purpose":"survey"}"#);
    call.says("五分");
    call.says("沒有");
    assert_eq!(call.host.surveys, [(Some(5), None)]);
    // A rating and then silence: the rating is kept.
    let (mut call, _) = Call::placed(KNOWN, r#"{"purpose":"survey"}"#);
    call.keys("2");
    let turn = call.event(Event::NoInput);
    assert_eq!(call.host.surveys, [(Some(2), None)]);
    assert!(turn.iter().any(|a| matches!(a, Action::Hangup(_))));
}

#[test]
fn a_callee_who_wants_no_more_calls_is_put_on_the_list_and_one_who_is_busy_gets_a_callback() {
    let (mut call, _) = Call::placed(KNOWN, r#"{"purpose":"survey"}"#);
    let turn = call.says("請不要再打給我了");
    assert!(call.host.do_not_call);
    assert!(call.host.surveys.is_empty(), "no answer is no survey");
    assert!(turn.iter().any(|a| matches!(a, Action::Hangup(_))));

    let (mut call, _) = Call::placed(KNOWN, r#"{"purpose":"survey"}"#);
    call.says("I'm busy now, can you call me back at 6 pm?");
    // 2026-12-02 18:00 in Taipei.
    assert_eq!(call.host.callbacks, [1_796_173_200_000 + 9 * 3_600_000]);
}

#[test]
fn an_order_update_call_says_where_the_order_is() {
    let (call, turn) = Call::placed(KNOWN, r#"{"purpose":"order-status","order_id":"ord_1000"}"#);
    assert!(spoken(&turn).contains("1000") && spoken(&turn).contains("製作中"), "{}", spoken(&turn));
    assert!(tags(&turn).contains(&"order-update".to_string()));
    drop(call);
}

#[test]
fn a_request_read_by_meaning_is_offered_before_a_transfer() {
    let (mut call, _) = Call::start(CALLER);
    call.says("one large black tea");
    call.host.meaning = Some(("return", 0.6));
    let turn = call.says("one of the cups is not in the bag");
    assert!(transfer_of(&turn).is_none(), "{turn:?}");
    assert!(spoken(&turn).contains("Shall I put you through"), "{}", spoken(&turn));
    // Yes: the return is written down (it asks what happened: that was it).
    let turn = call.says("yes please");
    assert!(tags(&turn).contains(&"return-exchange".to_string()));
    assert_eq!(call.host.tickets.len(), 1, "{turn:?}");

    // No: back to the order, where it was.
    let (mut call, _) = Call::start(CALLER);
    call.says("one large black tea");
    call.host.meaning = Some(("complaint", 0.6));
    call.says("the bag was all wet");
    let turn = call.says("no");
    assert!(transfer_of(&turn).is_none());
    assert!(spoken(&turn).contains("sugar"), "asks about the sugar again: {}", spoken(&turn));
    assert_eq!(lines(&call).len(), 1, "the order is kept");

    // Something else: read as a turn of its own, against the question before the offer.
    let (mut call, _) = Call::start(CALLER);
    call.says("one large black tea");
    call.host.meaning = Some(("agent", 0.55));
    let turn = call.says("this is getting complicated");
    assert!(spoken(&turn).contains("speak to a member of staff"), "{}", spoken(&turn));
    call.says("half sugar");
    assert_eq!(lines(&call)[0].3, opts(&[("sugar", "half")]));
}

#[test]
fn a_goodbye_read_by_meaning_does_not_end_the_call() {
    let (mut call, _) = Call::start(CALLER);
    call.host.meaning = Some(("done", 0.6));
    let turn = call.says("嗯嗯那個就是說");
    assert!(!turn.iter().any(|a| matches!(a, Action::Hangup(_))), "{turn:?}");
    assert!(ends_with_gather(&turn));
    call.host.meaning = Some(("cancel", 0.6));
    call.says("one large black tea");
    assert_eq!(lines(&call).len(), 1, "not cancelled by a meaning alone");
}

#[test]
fn a_name_given_while_asked_about_ice_is_kept() {
    let (mut call, _) = Call::start(CALLER);
    call.says("一杯大杯紅茶半糖");
    let turn = call.says("少冰，我叫王小明");
    assert_eq!(call.dialog.draft.name.as_deref(), Some("王小明"));
    // The name is not asked again: the next question is the phone number.
    assert_turn(&turn, "好的。聯絡電話是打來的這支電話 0922-000-111 嗎？");
}

#[test]
fn sound_alikes_of_options_are_understood() {
    let (mut call, _) = Call::start(CALLER);
    call.says("一杯大杯珍奶少冰");
    // Whisper wrote 微糖 as 維唐.
    call.says("維唐");
    assert_eq!(lines(&call)[0].3, opts(&[("sugar", "light"), ("ice", "less")]));
}

#[test]
fn a_phone_number_said_over_several_turns() {
    let (mut call, _) = Call::start("");
    call.says("one large black tea half sugar no ice");
    call.says("Bob");
    assert_turn(&call.says("0912"), "OK, go on.");
    assert_turn(&call.says("345"), "OK, go on.");
    assert_turn(&call.says("678"), "Got it. Is this for delivery or pickup?");
    assert_eq!(call.dialog.draft.phone.as_deref(), Some("0912345678"));
}

#[test]
fn a_mobile_number_with_a_digit_missing_or_extra_is_asked_again() {
    let (mut call, _) = Call::start("");
    call.says("one large black tea half sugar no ice");
    call.says("Bob");
    // The recogniser dropped the 4: the caller hears what was taken and says it all again.
    let turn = call.says("My number is 0912 3567 8");
    assert_turn(&turn, "Sorry, I heard 091235678, which looks 1 digit short. Please say the whole phone number again.");
    assert_eq!(call.dialog.draft.phone, None);
    let turn = call.says("0912 345 6789");
    assert!(
        format!("{turn:?}")
            .contains("1 digit too many. Please say the whole phone number again, or type it on the keypad"),
        "{turn:?}"
    );
    assert_turn(&call.says("0912 345 678"), "Got it. Is this for delivery or pickup?");
    assert_eq!(call.dialog.draft.phone.as_deref(), Some("0912345678"));
}

#[test]
fn a_name_misheard_is_corrected_at_the_read_back() {
    let (mut call, _) = Call::start(CALLER);
    call.says("one large black tea half sugar no ice");
    call.says("My name is Javan");
    call.says("yes");
    let readback = call.says("pick up");
    assert!(spoken(&readback).contains("Javan"), "{}", spoken(&readback));
    // Said with the no: applied at once, and the order read back again.
    let turn = call.says("No, my name is John.");
    assert!(spoken(&turn).contains("for John") && spoken(&turn).contains("correct"), "{}", spoken(&turn));
    assert_eq!(call.dialog.draft.name.as_deref(), Some("John"));
    // Said after the no, to "what would you like to change?".
    call.says("no");
    let turn = call.says("我姓林");
    assert!(spoken(&turn).contains("林"), "{}", spoken(&turn));
    assert_eq!(call.dialog.draft.name.as_deref(), Some("林"));
}

#[test]
fn a_surname_misheard_twice_is_asked_for_by_its_character() {
    let (mut call, _) = Call::start(CALLER);
    call.says("一杯大杯珍珠奶茶無糖少冰");
    call.says("我姓李");
    call.says("對");
    call.says("自取");
    assert_turn(&call.says("不對"), "請問要修改什麼呢？");
    // The caller says their name again, and it is heard as the one read back.
    let turn = call.says("我姓李");
    assert!(spoken(&turn).contains("哪個字"), "{}", spoken(&turn));
    assert_eq!(call.dialog.draft.name, None);
    let turn = call.says("雙木林");
    assert_eq!(call.dialog.draft.name.as_deref(), Some("林"));
    assert!(spoken(&turn).contains("林"), "read back with the name: {}", spoken(&turn));
}

#[test]
fn a_quantity_misheard_is_put_right_after_the_read_back() {
    let (mut call, _) = Call::start(CALLER);
    call.says("一杯大杯珍珠奶茶無糖少冰");
    call.says("我姓林");
    call.says("對");
    let readback = call.says("自取");
    assert!(spoken(&readback).contains("珍珠奶茶1杯"), "{}", spoken(&readback));
    call.says("不對");
    let turn = call.says("我要兩杯大杯珍珠奶茶");
    assert_eq!(lines(&call).len(), 1, "{}", spoken(&turn));
    assert_eq!(lines(&call)[0].1, 2, "{}", spoken(&turn));
}

#[test]
fn a_number_no_phone_has_is_asked_again() {
    let (mut call, _) = Call::start("");
    call.says("one large black tea half sugar no ice");
    call.says("Bob");
    // "zero nine one two…" with the nine dropped: no Taiwanese number starts 01.
    let turn = call.says("My number is 012345678");
    assert!(format!("{turn:?}").contains("Sorry, I heard 012345678"), "{turn:?}");
    assert_eq!(call.dialog.draft.phone, None);
    assert_turn(&call.says("0912 345 678"), "Got it. Is this for delivery or pickup?");
}

#[test]
fn a_phone_number_typed_on_the_keypad_a_key_at_a_time() {
    let (mut call, _) = Call::start("");
    call.says("一杯大杯紅茶半糖少冰");
    call.says("我姓陳");
    call.types_part_of_a_number("091234567");
    assert_turn(&call.keys("8"), "好的。請問要外送還是自取？");
    assert_eq!(call.dialog.draft.phone.as_deref(), Some("0912345678"));
}

#[test]
fn a_misheard_number_instead_of_the_callers_own_is_then_typed() {
    let (mut call, _) = Call::start(CALLER);
    call.says("一杯大杯紅茶半糖少冰");
    call.says("我姓陳");
    // Asked whether to use the calling number, the caller says another, misheard twice.
    call.says("091235678");
    let turn = call.says("091235678");
    assert!(spoken(&turn).contains("按鍵"), "{turn:?}");
    call.types_part_of_a_number("091234567");
    call.keys("8");
    assert_eq!(call.dialog.draft.phone.as_deref(), Some("0912345678"));
}

#[test]
fn a_typed_landline_ends_at_its_last_digit_and_a_short_one_at_hash() {
    let (mut call, _) = Call::start("");
    call.says("一杯大杯紅茶半糖少冰");
    call.says("我姓陳");
    call.types_part_of_a_number("0371234");
    let turn = call.keys("#");
    assert!(format!("{turn:?}").contains("0371234"), "{turn:?}");
    call.types_part_of_a_number("03712345");
    // Miaoli's numbers have 9 digits with the area code: the last one ends it.
    assert_turn(&call.keys("6"), "好的。請問要外送還是自取？");
    assert_eq!(call.dialog.draft.phone.as_deref(), Some("037123456"));
}

#[test]
fn a_misheard_word_of_the_other_language_does_not_switch_the_language() {
    let (mut call, _) = Call::start(CALLER);
    call.says("兩杯珍珠奶茶");
    // 「大杯」 came back as "Play.": not understood, and asked again in Mandarin.
    let turn = call.says("Play.");
    assert!(spoken(&turn).contains("中杯還是大杯"), "{turn:?}");
    // 「大杯」 came back as "Top.": the host heard 大杯 in it, and the bot goes on in Mandarin.
    let turn = call.says("Top.");
    assert!(spoken(&turn).contains("甜度"), "{turn:?}");
    assert_eq!(lines(&call)[0].2.as_deref(), Some("L"));
    // A Mandarin answer taken for an expected answer in English: two words are too few to
    // switch for.
    let turn = call.says("Half sugar.");
    assert!(spoken(&turn).contains("冰"), "{turn:?}");
    // An answer in English that makes sense, and says more, does switch.
    let turn = call.says("Less ice, please.");
    assert!(spoken(&turn).contains("name"), "{turn:?}");
}

#[test]
fn a_landline_with_its_area_code_is_whole() {
    let (mut call, _) = Call::start("");
    call.says("一杯大杯紅茶半糖少冰");
    call.says("我姓陳");
    assert_turn(&call.says("零二 二七二零 八八八九"), "好的。請問要外送還是自取？");
    assert_eq!(call.dialog.draft.phone.as_deref(), Some("0227208889"));
}

#[test]
fn nonsense_is_never_a_goodbye() {
    let (mut call, _) = Call::start(CALLER);
    for text in ["blue sky purple elephants", "no, the one with the thing"] {
        let turn = call.says(text);
        assert!(!turn.iter().any(|a| matches!(a, Action::Hangup(_))), "{text}: {turn:?}");
    }
}

#[test]
fn every_gather_says_what_it_expects() {
    let (mut call, greeting) = Call::start(CALLER);
    let expect_of = |actions: &[Action]| {
        actions.iter().find_map(|a| match a {
            Action::Gather { expect, .. } => Some(expect.clone()),
            _ => None,
        })
    };
    assert_eq!(expect_of(&greeting).map(|e| e.kind), Some(AnswerKind::Order));
    let turn = call.says("一杯紅茶");
    let e = expect_of(&turn).expect("a gather");
    assert_eq!((e.kind, e.slot.as_deref(), e.about.as_deref()), (AnswerKind::Order, Some("size"), Some("black-tea")));
    assert_eq!(e.choices.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec!["M", "L"]);
    call.says("大杯半糖少冰");
    let turn = call.says("陳");
    assert_eq!(expect_of(&turn).map(|e| e.kind), Some(AnswerKind::YesNo));
}

#[test]
fn no_to_drinks_just_confirmed_takes_them_back() {
    let (mut call, _) = Call::start("");
    // The recogniser made oolong and one bubble milk tea of 「兩杯大杯珍珠奶茶」; the bot says so.
    call.says("我要喝烏龍杯茶、白珍珠奶茶。");
    assert_eq!(lines(&call).len(), 2);
    // 「不對」 takes back what that turn added, and the drink is asked for again.
    assert_turn(&call.says("不對"), "抱歉，我聽錯了。請問想點什麼飲料呢？");
    assert!(lines(&call).is_empty());
    call.says("我要兩杯大杯珍珠奶茶");
    assert_eq!(lines(&call), vec![("bubble-milk-tea".to_string(), 2, Some("L".to_string()), vec![])]);
    // A correction with the right drinks in it replaces the misheard ones at once.
    let (mut call, _) = Call::start("");
    call.says("one large oolong tea");
    call.says("No, I said one large black tea");
    assert_eq!(lines(&call)[0].0, "black-tea");
    assert_eq!(lines(&call).len(), 1);
    // Noise heard between the read-back and the caller's no (「不對，一杯就好」 heard as
    // 「補兜一世間」) changes no drink: the no still takes them back.
    let (mut call, _) = Call::start("");
    call.says("火焰燒、烏龍杯、搭杯珍珠奶茶。");
    assert_eq!(lines(&call).len(), 2, "{:?}", lines(&call));
    call.says("補兜一世間。");
    assert_turn(&call.says("不對"), "抱歉，我聽錯了。請問想點什麼飲料呢？");
    assert!(lines(&call).is_empty());
}
