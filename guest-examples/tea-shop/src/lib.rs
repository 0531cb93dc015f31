//! 珍珍茶坊 / Zhenzhen Tea House: the demo tenant's order-taking phone bot.
//!
//! The flow holds the dialogue only: what the caller meant comes from the
//! host's `understand` interface, so there is no parser here.
//!
//! This file is only glue between the WIT world `flow` and the dialog:
//! it converts host records to the flow's own types, implements
//! [`host::Host`] with the WIT imports, and keeps the call's [`Dialog`].
//! The host creates one component instance per call, so that state is
//! simply a per-instance global.

mod dialog;
mod host;
mod language;
mod order;
mod replies;

use std::cell::RefCell;

use dialog::{Action, CallInfo, Dialog, Event};
use switchboard_understand as nlu;
use switchboard_understand::Fulfilment;

wit_bindgen::generate!({ path: "../../wit", world: "flow" });

use exports::switchboard::flow::handler::Guest;
use switchboard::flow::{
    catalog as wit_catalog, clock, customers, knowledge, log, orders, outreach, tickets, types, understand,
};

thread_local! {
    /// The call this instance serves; created on its first event.
    static DIALOG: RefCell<Option<Dialog>> = const { RefCell::new(None) };
}

struct TeaShop;

impl Guest for TeaShop {
    fn handle(call: types::CallInfo, event: types::Event) -> Vec<types::Action> {
        DIALOG.with(|cell| {
            let mut slot = cell.borrow_mut();
            let dialog = slot.get_or_insert_with(|| {
                Dialog::new(&CallInfo {
                    // On a call we placed, the customer is the callee.
                    caller: match call.direction {
                        types::Direction::Inbound => call.caller.clone(),
                        types::Direction::Outbound => call.callee.clone(),
                    },
                    language: call.language.clone(),
                    outbound: matches!(call.direction, types::Direction::Outbound),
                    flow_input: call.flow_input.clone(),
                })
            });
            dialog.handle(&mut WitHost, from_wit_event(event)).into_iter().map(to_wit_action).collect()
        })
    }
}

export!(TeaShop);

fn from_wit_event(event: types::Event) -> Event {
    match event {
        types::Event::CallStarted => Event::CallStarted,
        types::Event::Utterance(u) => Event::Utterance { text: u.text, language: u.language },
        types::Event::Dtmf(keys) => Event::Dtmf(keys),
        types::Event::NoInput => Event::NoInput,
        types::Event::TransferResult(r) => {
            Event::TransferResult { connected: matches!(r.status, types::TransferStatus::Connected) }
        }
        types::Event::Hangup(_) => Event::Hangup,
    }
}

fn to_wit_action(action: Action) -> types::Action {
    match action {
        Action::Say { text, language, interruptible } => {
            types::Action::Say(types::Say { text, language: Some(language), interruptible })
        }
        Action::Gather { timeout_ms, expect } => {
            understand::expect(&to_wit_expectation(expect));
            types::Action::Gather(types::Gather {
                modes: types::InputModes::SPEECH | types::InputModes::DTMF,
                timeout_ms,
                max_digits: 0,
            })
        }
        Action::Transfer { reason, summary } => {
            types::Action::Transfer(types::Transfer { target: None, reason, summary })
        }
        Action::Hangup(reason) => types::Action::Hangup(reason),
        Action::Tag(tags) => types::Action::Tag(tags),
    }
}

fn error_text(error: types::Error) -> host::HostError {
    host::HostError(match error {
        types::Error::NotFound => "not found".to_string(),
        types::Error::Invalid(why) => format!("invalid: {why}"),
        types::Error::QuotaExceeded(why) => format!("quota exceeded: {why}"),
        types::Error::Unavailable(why) => format!("unavailable: {why}"),
    })
}

fn localized(names: Vec<types::Localized>) -> Vec<nlu::Localized> {
    names.into_iter().map(|n| nlu::Localized { lang: n.lang, text: n.text }).collect()
}

fn from_wit_catalog(c: wit_catalog::Catalog) -> nlu::Catalog {
    nlu::Catalog {
        currency: c.currency,
        products: c
            .products
            .into_iter()
            .map(|p| nlu::Product {
                id: p.id,
                names: localized(p.names),
                aliases: p.aliases,
                sizes: p
                    .sizes
                    .into_iter()
                    .map(|s| nlu::Size { id: s.id, names: localized(s.names), price: s.price })
                    .collect(),
                option_groups: p.option_groups,
            })
            .collect(),
        option_groups: c
            .option_groups
            .into_iter()
            .map(|g| nlu::OptionGroup {
                id: g.id,
                names: localized(g.names),
                choices: g
                    .choices
                    .into_iter()
                    .map(|c| nlu::Choice { id: c.id, names: localized(c.names), aliases: c.aliases })
                    .collect(),
                default_choice: g.default_choice,
            })
            .collect(),
    }
}

fn to_wit_expectation(e: nlu::Expectation) -> understand::Expectation {
    understand::Expectation {
        kind: match e.kind {
            nlu::AnswerKind::Anything => understand::AnswerKind::Anything,
            nlu::AnswerKind::YesNo => understand::AnswerKind::YesNo,
            nlu::AnswerKind::Choice => understand::AnswerKind::Choice,
            nlu::AnswerKind::Digits => understand::AnswerKind::Digits,
            nlu::AnswerKind::Phone => understand::AnswerKind::Phone,
            nlu::AnswerKind::Name => understand::AnswerKind::Name,
            nlu::AnswerKind::Address => understand::AnswerKind::Address,
            nlu::AnswerKind::Order => understand::AnswerKind::Order,
            nlu::AnswerKind::Time => understand::AnswerKind::Time,
        },
        choices: e.choices.into_iter().map(|c| understand::ExpectedChoice { id: c.id, phrases: c.phrases }).collect(),
        vocabulary: e.vocabulary,
        about: e.about,
        slot: e.slot,
    }
}

fn from_wit_modifiers(m: understand::Modifiers) -> nlu::Modifiers {
    nlu::Modifiers {
        quantity: m.quantity,
        size: m.size_id,
        options: m.options.into_iter().map(|o| (o.group, o.choice)).collect(),
    }
}

fn from_wit_analysis(a: understand::Analysis) -> nlu::Analysis {
    nlu::Analysis {
        language: a.language.map(|l| nlu::Lang::from_tag(&l)),
        intents: a.intents.into_iter().map(|m| nlu::IntentMatch { name: m.name, score: m.score }).collect(),
        order: nlu::ParsedOrder {
            items: a
                .order
                .items
                .into_iter()
                .map(|i| nlu::ItemRequest { product_id: i.product_id, details: from_wit_modifiers(i.modifiers) })
                .collect(),
            loose: from_wit_modifiers(a.order.loose),
            removals: a.order.removals,
            refers_back: a.order.refers_back,
        },
        yes_no: a.yes_no.map(|y| match y {
            understand::YesNo::Yes => nlu::YesNo::Yes,
            understand::YesNo::No => nlu::YesNo::No,
            understand::YesNo::Unsure => nlu::YesNo::Unsure,
        }),
        hedged: a.hedged,
        digits: a.digits,
        phone: a.phone,
        name: a.name,
        address: a.address,
        fulfilment: a.fulfilment.map(|f| match f {
            orders::Fulfilment::Delivery => Fulfilment::Delivery,
            orders::Fulfilment::Pickup => Fulfilment::Pickup,
        }),
        time: a.time,
        choice: a.choice,
    }
}

fn from_wit_order(o: orders::Order) -> host::PlacedOrder {
    let status = match o.status {
        orders::OrderStatus::Received => host::OrderStatus::Received,
        orders::OrderStatus::Preparing => host::OrderStatus::Preparing,
        orders::OrderStatus::Ready => host::OrderStatus::Ready,
        orders::OrderStatus::OutForDelivery => host::OrderStatus::OutForDelivery,
        orders::OrderStatus::Completed => host::OrderStatus::Completed,
        orders::OrderStatus::Cancelled => host::OrderStatus::Cancelled,
    };
    host::PlacedOrder {
        id: o.id,
        items: o.items.into_iter().map(|i| (i.quantity, i.product_name)).collect(),
        number: o.number,
        total: o.total,
        currency: o.currency,
        status,
    }
}

fn from_wit_ticket(t: tickets::Ticket) -> host::Ticket {
    host::Ticket {
        number: t.number,
        kind: match t.kind {
            tickets::TicketKind::Return => host::TicketKind::Return,
            tickets::TicketKind::Exchange => host::TicketKind::Exchange,
            tickets::TicketKind::Complaint => host::TicketKind::Complaint,
            tickets::TicketKind::Inquiry => host::TicketKind::Inquiry,
        },
        order_number: t.order_number,
        status: match t.status {
            tickets::TicketStatus::Open => host::TicketStatus::Open,
            tickets::TicketStatus::InProgress => host::TicketStatus::InProgress,
            tickets::TicketStatus::Resolved => host::TicketStatus::Resolved,
            tickets::TicketStatus::Closed => host::TicketStatus::Closed,
        },
        due_in_hours: t.due_at_ms.saturating_sub(t.created_at_ms).div_ceil(3_600_000),
        needs_person: t.needs_person,
    }
}

/// The tenant's capabilities, through the WIT imports.
struct WitHost;

impl host::Host for WitHost {
    fn analyse(&mut self, text: &str) -> Result<nlu::Analysis, host::HostError> {
        understand::analyse(text).map(from_wit_analysis).map_err(error_text)
    }

    fn catalog(&mut self) -> Result<nlu::Catalog, host::HostError> {
        wit_catalog::get().map(from_wit_catalog).map_err(error_text)
    }

    fn lookup_customer(&mut self, phone: &str) -> Result<Option<host::Customer>, host::HostError> {
        let found = customers::lookup(phone).map_err(error_text)?;
        Ok(found.map(|c| host::Customer { name: c.name, phone: c.phone, address: c.address, blocked: c.blocked }))
    }

    fn search_faq(&mut self, query: &str, language: &str, limit: u32) -> Result<Vec<host::FaqHit>, host::HostError> {
        let hits = knowledge::search(query, Some(language), limit).map_err(error_text)?;
        Ok(hits.into_iter().map(|h| host::FaqHit { answer: h.answer, language: h.language, score: h.score }).collect())
    }

    fn create_order(&mut self, request: &host::OrderRequest) -> Result<host::PlacedOrder, host::HostError> {
        let request = orders::OrderRequest {
            items: request
                .items
                .iter()
                .map(|i| orders::ItemRequest {
                    product_id: i.product_id.clone(),
                    size_id: i.size_id.clone(),
                    quantity: i.quantity,
                    options: i
                        .options
                        .iter()
                        .map(|(group, choice)| orders::ChosenOption { group: group.clone(), choice: choice.clone() })
                        .collect(),
                })
                .collect(),
            customer_name: request.customer_name.clone(),
            phone: request.phone.clone(),
            fulfilment: match request.fulfilment {
                Fulfilment::Delivery => orders::Fulfilment::Delivery,
                Fulfilment::Pickup => orders::Fulfilment::Pickup,
            },
            address: request.address.clone(),
            notes: None,
        };
        orders::create(&request).map(from_wit_order).map_err(error_text)
    }

    fn orders_by_phone(&mut self, phone: &str, limit: u32) -> Result<Vec<host::PlacedOrder>, host::HostError> {
        let found = orders::list_by_phone(phone, limit).map_err(error_text)?;
        Ok(found.into_iter().map(from_wit_order).collect())
    }

    fn order(&mut self, id: &str) -> Result<host::PlacedOrder, host::HostError> {
        orders::get(id).map(from_wit_order).map_err(error_text)
    }

    fn open_ticket(
        &mut self,
        kind: host::TicketKind,
        order_id: Option<&str>,
        description: &str,
    ) -> Result<host::Ticket, host::HostError> {
        let request = tickets::TicketRequest {
            kind: match kind {
                host::TicketKind::Return => tickets::TicketKind::Return,
                host::TicketKind::Exchange => tickets::TicketKind::Exchange,
                host::TicketKind::Complaint => tickets::TicketKind::Complaint,
                host::TicketKind::Inquiry => tickets::TicketKind::Inquiry,
            },
            order_id: order_id.map(str::to_string),
            description: description.to_string(),
        };
        tickets::create(&request).map(from_wit_ticket).map_err(error_text)
    }

    fn my_tickets(&mut self, limit: u32) -> Result<Vec<host::Ticket>, host::HostError> {
        Ok(tickets::mine(limit).map_err(error_text)?.into_iter().map(from_wit_ticket).collect())
    }

    fn record_survey(&mut self, rating: Option<u8>, comment: Option<&str>) -> Result<(), host::HostError> {
        outreach::record_survey(rating, comment).map_err(error_text)
    }

    fn do_not_call(&mut self) -> Result<(), host::HostError> {
        outreach::do_not_call().map_err(error_text)
    }

    fn schedule_callback(&mut self, at_ms: u64, note: &str) -> Result<(), host::HostError> {
        outreach::schedule_callback(at_ms, note).map(|_| ()).map_err(error_text)
    }

    fn now(&mut self) -> (u64, i32) {
        let now = clock::now();
        (now.unix_ms, now.utc_offset_minutes)
    }

    fn add_intents(&mut self, intents: &[(&str, &[&str])]) -> Result<(), host::HostError> {
        let intents: Vec<understand::Intent> = intents
            .iter()
            .map(|(name, examples)| understand::Intent {
                name: name.to_string(),
                examples: examples.iter().map(|e| e.to_string()).collect(),
            })
            .collect();
        understand::add_intents(&intents).map_err(error_text)
    }

    fn log(&mut self, level: host::LogLevel, message: &str) {
        let level = match level {
            host::LogLevel::Debug => log::Level::Debug,
            host::LogLevel::Info => log::Level::Info,
            host::LogLevel::Warn => log::Level::Warn,
        };
        log::log(level, message);
    }
}
