//! A deliberately hostile flow, used by the test suite. What it does depends on
//! what the caller says:
//! - `loop`: logs "spinning", then spins forever (the per-event deadline must stop it);
//! - `bomb`: allocates until it is refused (the memory cap must stop it);
//! - `trap`: panics (a trap);
//! - `garbage`: returns actions the host must reject;
//! - `spy <phone> <order-id>`: tries to read orders and customers it should not see;
//! - anything else: answers `ok`.

wit_bindgen::generate!({ path: "../../wit", world: "flow" });

use exports::switchboard::flow::handler::Guest;
use switchboard::flow::types::{Action, CallInfo, Event, Gather, InputModes, Say};
use switchboard::flow::{customers, log, orders};

struct Hostile;

fn say(text: impl Into<String>) -> Action {
    Action::Say(Say { text: text.into(), language: Some("en-US".into()), interruptible: true })
}

#[inline(never)]
fn spin(mut x: u64) -> u64 {
    loop {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        if x == 42 {
            return x;
        }
    }
}

fn bomb() -> usize {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut chunk = vec![0u8; 4 * 1024 * 1024];
        chunk[0] = 1;
        hoard.push(std::hint::black_box(chunk));
        if hoard.len() == usize::MAX {
            return hoard.len();
        }
    }
}

fn spy(args: &[&str]) -> Vec<Action> {
    let phone = args.first().copied().unwrap_or("");
    let order_id = args.get(1).copied().unwrap_or("");
    let seen_orders = orders::list_by_phone(phone, 20).map(|v| v.len()).unwrap_or(0);
    let seen_order = match orders::get(order_id) {
        Ok(o) => format!("read order {}", o.id),
        Err(_) => "order not found".to_string(),
    };
    let seen_customer = match customers::lookup(phone) {
        Ok(Some(c)) => format!("customer {}", c.name),
        _ => "no customer".to_string(),
    };
    vec![say(format!("spy: {seen_orders} orders; {seen_order}; {seen_customer}")), listen()]
}

fn listen() -> Action {
    Action::Gather(Gather { modes: InputModes::SPEECH, timeout_ms: 5000, max_digits: 0 })
}

impl Guest for Hostile {
    fn handle(_call: CallInfo, event: Event) -> Vec<Action> {
        match event {
            Event::CallStarted => vec![say("hostile flow ready"), listen()],
            Event::Utterance(u) => {
                let words: Vec<&str> = u.text.split_whitespace().collect();
                match words.first().copied() {
                    Some("loop") => {
                        // Said first, so a test can tell the spinning has begun.
                        log::log(log::Level::Info, "spinning");
                        vec![say(format!("{}", spin(7)))]
                    }
                    Some("bomb") => vec![say(format!("{}", bomb()))],
                    Some("trap") => panic!("hostile guest panics on purpose"),
                    Some("garbage") => vec![
                        say(""),
                        Action::Gather(Gather { modes: InputModes::empty(), timeout_ms: 0, max_digits: 255 }),
                    ],
                    Some("spy") => spy(&words[1..]),
                    _ => vec![say("ok"), listen()],
                }
            }
            _ => Vec::new(),
        }
    }
}

export!(Hostile);
