//! What the flow expects, turned into recognition hints ([`Hints`]).
//!
//! A flow declares with each question what it expects to hear (`understand.expect`):
//! a yes or no, one of some choices, a name, a phone number... The recogniser is
//! given those expected answers to score against free decoding, and a prompt per
//! language that reads like what was just said (the expected phrases, or an example
//! of the kind of answer: a name, a number, an address); the recogniser uses the
//! prompt of the language it hears.

use switchboard_understand::{AnswerKind, Expectation};

use switchboard_speech::asr::{Hints, SlotHint};

const YES_NO_ZH: &[&str] = &["對", "是", "好", "好的", "可以", "沒錯", "對的", "不是", "不對", "不用", "不要", "沒有"];
const YES_NO_EN: &[&str] =
    &["Yes.", "No.", "Yeah.", "Nope.", "Correct.", "That's right.", "Sure.", "Okay.", "OK.", "No, thanks."];
/// Said instead of a choice when the bot got the question wrong (it confirmed a misheard
/// drink and asks its size): scored with the choices, left out of the prompt.
const OBJECTIONS_ZH: &[&str] = &["不對", "不是"];
const OBJECTIONS_EN: &[&str] = &["No.", "That's wrong."];
/// A prompt longer than this (characters) says little more and costs decoder time.
const MAX_PROMPT_CHARS: usize = 120;

fn is_han_text(text: &str) -> bool {
    text.chars().any(switchboard_speech::asr::chinese::is_han)
}

/// An example of the kind of answer, for a prompt where there are no phrases to list.
///
/// No example is a recorded test caller's answer (a prompt that matches the test would hide how
/// callers with other names and numbers are heard). Names: the question and the start of an
/// answer, without a name (a prompt with one pulls callers' names towards it: 「我姓陳」 as the
/// example made 「我姓黃」 of 「我姓陳」 and the reverse; a list of surnames was copied into the text).
/// In English a name in the example did not pull (and "My name is" alone was repeated).
/// Digits: Mandarin digits are prompted as the ten numerals in words (with an example number in
/// Arabic digits Whisper base dropped more digits of our recorded callers: `switchboard
/// transcribe --prompt` compares prompts on a clip); English ones as a number that is none of the
/// test callers'.
fn example(kind: AnswerKind, zh: bool) -> &'static str {
    match (kind, zh) {
        (AnswerKind::Name, true) => "請問您貴姓？我姓",
        (AnswerKind::Name, false) => "My name is Emily Lin.",
        (AnswerKind::Phone | AnswerKind::Digits, true) => "零一二三四五六七八九。",
        (AnswerKind::Phone | AnswerKind::Digits, false) => "My number is 0987 654 321.",
        (AnswerKind::Address, true) => "台中市西屯區台灣大道三段99號。",
        (AnswerKind::Address, false) => "99 Taiwan Boulevard, Section 3, Taichung.",
        (AnswerKind::Time, true) => "下午三點半。",
        (AnswerKind::Time, false) => "At 3:30 pm.",
        _ => "",
    }
}

/// Hints for recognising the caller's answer to `expecting`, for callers who speak
/// `languages`: a prompt per language, and the expected answers of closed questions.
pub fn hints(expecting: Option<&Expectation>, languages: &[String]) -> Hints {
    let Some(e) = expecting else { return Hints::default() };
    let speaks = |zh: bool| languages.is_empty() || languages.iter().any(|l| (l == "zh") == zh);
    let mut candidates: Vec<String> = e.choices.iter().flat_map(|c| c.phrases.iter().cloned()).collect();
    if e.kind == AnswerKind::YesNo && e.choices.is_empty() {
        if speaks(true) {
            candidates.extend(YES_NO_ZH.iter().map(|s| s.to_string()));
        }
        if speaks(false) {
            candidates.extend(YES_NO_EN.iter().map(|s| s.to_string()));
        }
    }
    candidates.retain(|c| speaks(is_han_text(c)));
    candidates.dedup();
    let mut prompts = Vec::new();
    for zh in [true, false].into_iter().filter(|zh| speaks(*zh)) {
        // Open answers have no candidates: the prompt shows the kind of answer instead.
        let mut prompt = example(e.kind, zh).to_string();
        let phrases: Vec<&str> =
            candidates.iter().chain(e.vocabulary.iter()).map(String::as_str).filter(|p| is_han_text(p) == zh).collect();
        if !phrases.is_empty() {
            let sep = if zh { "、" } else { ", " };
            let mut joined = String::new();
            for p in phrases {
                let p = p.trim_end_matches(['.', '。']);
                if joined.chars().count() + p.chars().count() > MAX_PROMPT_CHARS {
                    break;
                }
                if !joined.is_empty() {
                    joined.push_str(sep);
                }
                joined.push_str(p);
            }
            prompt.push_str(&joined);
            prompt.push_str(if zh { "。" } else { "." });
        }
        if !prompt.is_empty() {
            prompts.push((if zh { "zh" } else { "en" }.to_string(), prompt));
        }
    }
    if !e.choices.is_empty() && e.kind != AnswerKind::YesNo {
        for (zh, objections) in [(true, OBJECTIONS_ZH), (false, OBJECTIONS_EN)] {
            if speaks(zh) {
                candidates.extend(
                    objections.iter().map(|s| s.to_string()).filter(|o| !candidates.contains(o)).collect::<Vec<_>>(),
                );
            }
        }
    }
    let slots = if e.kind == AnswerKind::Name && speaks(true) { name_shapes() } else { Vec::new() };
    Hints { prompts, candidates, slots, ..Hints::default() }
}

/// The shapes of a Mandarin name answer. 「我姓林」 is scored when free decoding heard no
/// name (「我心裡」): the likeliest surnames after 「我姓」 compete with it. A surname with a
/// title (「陳小姐」) is already a name and is kept as heard.
fn name_shapes() -> Vec<SlotHint> {
    let surnames: Vec<String> = switchboard_understand::surnames::all().map(str::to_string).collect();
    let shape = |before: &str, after: &str, scored: bool| SlotHint {
        before: before.into(),
        fillers: surnames.clone(),
        after: after.into(),
        scored,
    };
    let mut shapes = vec![shape("我姓", "", true), shape("敝姓", "", false), shape("", "", false)];
    shapes.extend(["小姐", "先生", "太太", "女士"].map(|title| shape("", title, false)));
    shapes
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_understand::ExpectedChoice;

    fn langs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_expectation_no_hints() {
        assert_eq!(hints(None, &langs(&["zh", "en"])), Hints::default());
    }

    #[test]
    fn yes_no_in_the_callers_languages() {
        let e = Expectation { kind: AnswerKind::YesNo, ..Expectation::default() };
        let h = hints(Some(&e), &langs(&["zh"]));
        assert!(h.candidates.contains(&"對".to_string()));
        assert!(!h.candidates.iter().any(|c| c == "Yes."));
        assert!(h.prompt_for("zh").starts_with("對、是"), "{:?}", h.prompts);
        assert_eq!(h.prompt_for("en"), "");
        let h = hints(Some(&e), &langs(&["zh", "en"]));
        assert!(h.candidates.contains(&"Yes.".to_string()));
    }

    #[test]
    fn a_mandarin_name_is_shaped_by_surnames() {
        let e = Expectation { kind: AnswerKind::Name, ..Expectation::default() };
        let h = hints(Some(&e), &langs(&["zh", "en"]));
        let scored: Vec<&SlotHint> = h.slots.iter().filter(|s| s.scored).collect();
        assert_eq!(scored.len(), 1, "only 「我姓」 and a surname is scored: {:?}", h.slots);
        assert_eq!(scored[0].before, "我姓");
        assert!(scored[0].fillers.iter().any(|f| f == "林") && scored[0].fillers.iter().any(|f| f == "張簡"));
        assert!(h.slots.iter().any(|s| !s.scored && s.after == "小姐"), "a surname with a title is a name as heard");
        assert!(h.candidates.is_empty(), "a name is an open answer");
        assert!(hints(Some(&e), &langs(&["en"])).slots.is_empty(), "an English-only tenant has no surname shapes");
    }

    #[test]
    fn choices_become_candidates_and_prompt() {
        let e = Expectation {
            kind: AnswerKind::Order,
            slot: Some("sugar".into()),
            choices: vec![
                ExpectedChoice { id: "half".into(), phrases: vec!["半糖".into(), "half sugar".into()] },
                ExpectedChoice { id: "light".into(), phrases: vec!["微糖".into(), "light sugar".into()] },
            ],
            ..Expectation::default()
        };
        let h = hints(Some(&e), &langs(&["zh", "en"]));
        assert_eq!(
            h.candidates,
            vec!["半糖", "half sugar", "微糖", "light sugar", "不對", "不是", "No.", "That's wrong."],
            "the choices, and the objections of a caller whose drink was misheard"
        );
        assert_eq!(h.prompt_for("zh"), "半糖、微糖。");
        assert_eq!(h.prompt_for("en"), "half sugar, light sugar.");
    }

    #[test]
    fn open_answers_get_an_example() {
        let e = Expectation { kind: AnswerKind::Name, ..Expectation::default() };
        let h = hints(Some(&e), &langs(&["zh", "en"]));
        assert!(h.candidates.is_empty());
        assert_eq!(h.prompt_for("zh"), "請問您貴姓？我姓");
        assert_eq!(h.prompt_for("en"), "My name is Emily Lin.");
        let h = hints(Some(&e), &langs(&["en"]));
        assert_eq!(h.prompt_for("zh"), "");
    }
}
