//! Intents by meaning, for the `understand` capability: when a caller's words
//! settle no intent, the turn's embedding is compared with every intent's
//! sentences (`switchboard_understand::Understander::add_intent_by_meaning`).
//!
//! It costs one embedding (tens of ms on one core), so it runs only when it can
//! change something: not on a turn that answered the question asked (a yes, a
//! number, a name), not on one the words already classified, not on a word or two.

use switchboard_understand::{Analysis, AnswerKind, Expectation};

/// Whether a turn's intent should be looked for by meaning. `beyond_the_order` is
/// what the turn says besides order content (`Understander::beyond_the_order`).
pub fn wants_meaning(text: &str, beyond_the_order: &str, analysis: &Analysis, expecting: &Expectation) -> bool {
    let answered = match expecting.kind {
        AnswerKind::YesNo => analysis.yes_no.is_some() || analysis.choice.is_some(),
        AnswerKind::Choice => analysis.choice.is_some(),
        AnswerKind::Phone => analysis.phone.is_some(),
        AnswerKind::Digits => !analysis.digits.is_empty(),
        AnswerKind::Name => analysis.name.is_some(),
        AnswerKind::Address => analysis.address.is_some(),
        AnswerKind::Time => analysis.time.is_some(),
        AnswerKind::Order | AnswerKind::Anything => false,
    };
    // A name, a number, an address, a yes or a choice said out of turn is what the turn was
    // (「少冰，我叫王小明」 while asked about the ice).
    let gave = analysis.name.is_some()
        || analysis.phone.is_some()
        || analysis.address.is_some()
        // (「可以…嗎」 asks; it does not say yes.)
        || (analysis.yes_no.is_some() && !analysis.has_intent("question"))
        || analysis.choice.is_some()
        || analysis.fulfilment.is_some();
    // 「嗎」 or a question mark make a turn a "question": what about is still open.
    let classified = analysis.intents.iter().any(|m| m.name != "question");
    // "一杯中杯紅茶半糖去冰", "two large": an order, not a request of another kind,
    // unless there is more to it (「我點的是紅茶結果送來綠茶」).
    let order = &analysis.order;
    let details = !order.items.is_empty() || order.loose.size.is_some() || !order.loose.options.is_empty();
    let is_sentence = |(han, words): (usize, usize)| han >= 4 || words >= 3 || (han >= 2 && words >= 1);
    let more = !details || is_sentence(length(beyond_the_order));
    !answered && !gave && !classified && is_sentence(length(&without_fillers(text))) && more
}

/// The text without hesitations (「嗯」, 「那個」, "um", "like"): what is left is what was said.
fn without_fillers(text: &str) -> String {
    const ZH: &[&str] = &["嗯", "呃", "啊", "喔", "哦", "那個", "就是", "這個", "然後", "說"];
    const EN: &[&str] = &["um", "uh", "er", "erm", "hmm", "so", "like", "yeah", "well", "okay", "ok", "you", "know"];
    let mut out = text.to_lowercase();
    for w in ZH {
        out = out.replace(w, " ");
    }
    out.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty() && !EN.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Chinese characters and latin words in a text.
fn length(text: &str) -> (usize, usize) {
    let han = text.chars().filter(|c| ('\u{3400}'..='\u{9fff}').contains(c)).count();
    let words = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .count();
    (han, words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_understand::Understander;

    use crate::Knowledge;

    /// The built-in intents, said without their words: lexical alone against lexical and meaning.
    #[test]
    fn intent_evaluation() {
        let knowledge = Knowledge::load(switchboard_speech::models::model_file("e5-small", "e5-small-q4.bin"));
        assert!(knowledge.has_model(), "the e5-small model (scripts/models.py --only e5-small)");
        let catalog = serde_json::from_str(switchboard_domain::demo::CATALOG_JSON).expect("demo catalogue");
        let catalog = crate::catalog_for_understanding(catalog);
        let mut understander = Understander::new(catalog, &[]);
        let sentences = understander.intent_sentences();
        let vectors = knowledge.embed_examples(&sentences, usize::MAX).expect("embeddings");
        let expecting = Expectation::default();
        let (mut cases, mut lexical, mut both, mut wrong, mut misses) = (0, 0, 0, 0, Vec::new());
        for line in include_str!("../../understand/eval/intents.txt").lines() {
            let Some((text, want)) = line.split_once(" || ").filter(|_| !line.starts_with('#')) else { continue };
            let (text, want) = (text.trim(), want.trim());
            let mut a = understander.analyse(text, &expecting);
            let top = |a: &Analysis| a.intents.iter().find(|m| m.name != "question").map(|m| m.name.clone());
            let by_words = top(&a);
            if wants_meaning(text, &understander.beyond_the_order(text), &a, &expecting) {
                let turn = knowledge.embed_query(text).expect("embedding");
                understander.add_intent_by_meaning(&mut a, &turn, &vectors);
            }
            let got = top(&a);
            cases += 1;
            // `name?`: that intent or none (an order's sentence may read as "order").
            let either = want.strip_suffix('?').map(str::to_string);
            let want = (want != "-" && either.is_none()).then(|| want.to_string());
            let fits = |found: &Option<String>| *found == want || (either.is_some() && *found == either);
            lexical += fits(&by_words) as usize;
            if fits(&got) {
                both += 1;
            } else {
                wrong += got.is_some() as usize;
                misses.push(format!("{text} → {got:?} (want {want:?})"));
            }
        }
        println!(
            "intents in callers' words: lexical {lexical}/{cases}, lexical + meaning {both}/{cases}, {wrong} wrong"
        );
        for m in &misses {
            println!("  {m}");
        }
        // The figures when this was written (39/65, 8 wrong): a guard against regressions.
        assert!(both >= 37 && both > lexical, "{both}/{cases}");
        assert!(wrong <= 8, "{wrong} wrong");
    }
}
