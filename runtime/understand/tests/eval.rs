//! The understanding evaluation: every case of `eval/understanding.txt` through an
//! [`Understander`] on the demo catalogue, scored per kind (items, entities, intents).
//!
//! `cargo test -p switchboard-understand --test eval -- --nocapture` prints the
//! figures and every miss. The test fails when a kind falls below 95 %.

use switchboard_understand::fixtures::demo;
use switchboard_understand::*;

const TARGET: f64 = 0.95;

struct Case {
    line: usize,
    text: String,
    expecting: Expectation,
    bot_said: Option<String>,
    checks: Vec<(String, String)>,
}

fn parse_expectation(spec: &str) -> (Expectation, Option<String>) {
    let (spec, bot) = match spec.split_once('!') {
        Some((s, b)) => (s.trim(), Some(b.trim().to_string())),
        None => (spec.trim(), None),
    };
    let mut e = Expectation::default();
    if spec == "-" {
        return (e, bot);
    }
    if let Some(list) = spec.strip_prefix("choice(").and_then(|s| s.strip_suffix(')')) {
        e.kind = AnswerKind::Choice;
        for choice in list.split(';') {
            let (id, phrases) = choice.split_once('=').expect("choice id=phrases");
            e.choices
                .push(ExpectedChoice { id: id.to_string(), phrases: phrases.split('|').map(str::to_string).collect() });
        }
        return (e, bot);
    }
    let (head, about) = match spec.split_once('@') {
        Some((h, a)) => (h, Some(a.to_string())),
        None => (spec, None),
    };
    let (kind, slot) = match head.split_once('/') {
        Some((k, s)) => (k, Some(s.to_string())),
        None => (head, None),
    };
    e.kind = match kind {
        "order" => AnswerKind::Order,
        "yes-no" => AnswerKind::YesNo,
        "phone" => AnswerKind::Phone,
        "name" => AnswerKind::Name,
        "address" => AnswerKind::Address,
        "time" => AnswerKind::Time,
        other => panic!("unknown expectation kind {other}"),
    };
    // A size or option question offers the catalogue's choices, as a flow does.
    if let Some(slot) = &slot {
        e.choices = slot_choices(&demo(), about.as_deref(), slot);
    }
    e.slot = slot;
    e.about = about;
    (e, bot)
}

fn load() -> Vec<Case> {
    let text = include_str!("../eval/understanding.txt");
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split("||").map(str::trim).collect();
        assert_eq!(parts.len(), 3, "line {}: TEXT || EXPECTATION || WANT", n + 1);
        let (expecting, bot_said) = parse_expectation(parts[1]);
        let checks = parts[2]
            .split(';')
            .filter(|c| !c.trim().is_empty())
            .map(|c| {
                let (k, v) = c.split_once('=').expect("check key=value");
                (k.trim().to_string(), v.trim().to_string())
            })
            .collect();
        cases.push(Case { line: n + 1, text: parts[0].to_string(), expecting, bot_said, checks });
    }
    cases
}

fn modifiers(spec: &str) -> Modifiers {
    let mut parts = spec.splitn(3, ':');
    let quantity = parts.next().filter(|q| *q != "-" && !q.is_empty()).map(|q| q.parse().expect("quantity"));
    let size = parts.next().filter(|s| *s != "-" && !s.is_empty()).map(str::to_string);
    let mut options: Vec<(String, String)> = parts
        .next()
        .unwrap_or("")
        .split(',')
        .filter(|o| !o.is_empty())
        .map(|o| {
            let (g, c) = o.split_once('=').expect("group=choice");
            (g.to_string(), c.to_string())
        })
        .collect();
    options.sort();
    Modifiers { quantity, size, options }
}

fn normalised(mut m: Modifiers) -> Modifiers {
    m.options.sort();
    m
}

fn items_want(spec: &str) -> Vec<(String, Modifiers)> {
    spec.split(" + ")
        .filter(|s| !s.trim().is_empty())
        .map(|item| {
            let (product, rest) = item.trim().split_once(':').expect("product:details");
            (product.to_string(), modifiers(rest))
        })
        .collect()
}

/// Which kind a check belongs to, for the per-kind figures.
fn kind_of(check: &str) -> &'static str {
    match check {
        "items" | "loose" | "removals" => "items",
        "intent" | "has" => "intents",
        _ => "entities",
    }
}

fn check(analysis: &Analysis, key: &str, want: &str) -> Result<(), String> {
    let got: String = match key {
        "items" => {
            let got: Vec<(String, Modifiers)> =
                analysis.order.items.iter().map(|i| (i.product_id.clone(), normalised(i.details.clone()))).collect();
            return if got == items_want(want) { Ok(()) } else { Err(format!("{got:?}")) };
        }
        "loose" => {
            let got = normalised(analysis.order.loose.clone());
            return if got == modifiers(want) { Ok(()) } else { Err(format!("{got:?}")) };
        }
        "removals" => analysis.order.removals.join(","),
        "intent" => analysis.intent().unwrap_or("").to_string(),
        "has" => {
            return if analysis.has_intent(want) { Ok(()) } else { Err(format!("{:?}", analysis.intents)) };
        }
        "yes" => match analysis.yes_no {
            Some(YesNo::Yes) => "yes".into(),
            Some(YesNo::No) => "no".into(),
            Some(YesNo::Unsure) => "unsure".into(),
            None => String::new(),
        },
        "phone" => analysis.phone.clone().unwrap_or_default(),
        "name" => analysis.name.clone().unwrap_or_default(),
        "address" => analysis.address.clone().unwrap_or_default(),
        "fulfilment" => match analysis.fulfilment {
            Some(Fulfilment::Delivery) => "delivery".into(),
            Some(Fulfilment::Pickup) => "pickup".into(),
            None => String::new(),
        },
        "time" => analysis.time.clone().unwrap_or_default(),
        "choice" => analysis.choice.clone().unwrap_or_default(),
        other => panic!("unknown check {other}"),
    };
    if got == want { Ok(()) } else { Err(format!("{got:?}")) }
}

#[test]
fn understanding_meets_the_target_on_the_evaluation_set() {
    let cases = load();
    assert!(cases.len() >= 200, "the set has {} cases; it should have at least 200", cases.len());
    let mut tally: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut misses = Vec::new();
    let started = std::time::Instant::now();
    for case in &cases {
        let mut understander = Understander::new(demo(), &[]);
        if let Some(bot) = &case.bot_said {
            understander.heard_bot(bot);
        }
        let analysis = understander.analyse(&case.text, &case.expecting);
        for (key, want) in &case.checks {
            let entry = tally.entry(kind_of(key)).or_default();
            entry.1 += 1;
            match check(&analysis, key, want) {
                Ok(()) => entry.0 += 1,
                Err(got) => misses.push(format!("line {}: {:?} {key}: want {want:?}, got {got}", case.line, case.text)),
            }
        }
    }
    let per_case = started.elapsed() / cases.len() as u32;
    println!("understanding evaluation: {} cases, {per_case:?} a case", cases.len());
    for (kind, (right, all)) in &tally {
        println!("  {kind:<9} {right:>3}/{all:<3} {:.1} %", 100.0 * *right as f64 / *all as f64);
    }
    for miss in &misses {
        println!("  miss: {miss}");
    }
    for (kind, (right, all)) in &tally {
        let rate = *right as f64 / *all as f64;
        assert!(rate >= TARGET, "{kind}: {:.1} % is below the {:.0} % target", rate * 100.0, TARGET * 100.0);
    }
}
