//! Switchboard's language understanding: what a caller meant, in Mandarin or
//! English, read against the tenant's own data.
//!
//! The host owns understanding so that a flow writes dialogue, not parsers.
//! An [`Understander`] is made per call from the tenant's catalogue and
//! intents; each caller turn gives an [`Analysis`]: order items (products by
//! name, alias or sound-alike, quantities, sizes, options, variants, "two of
//! those"), entities (yes/no, phone digits, a name, an address, a time,
//! delivery or pickup), intents by example, and the expected answer the turn
//! matched. Flows reach it through the WIT `understand` interface.
//!
//! Without the default `engine` feature only [`model`] is built: the plain
//! types a flow needs to hold what the host returns.

#![deny(missing_docs)]

#[allow(missing_docs)]
pub mod model;
#[allow(missing_docs)]
pub mod numbers;
pub mod surnames;
#[allow(missing_docs)]
pub mod text;

#[cfg(feature = "engine")]
#[allow(missing_docs)]
pub mod entities;
#[cfg(feature = "engine")]
#[allow(missing_docs)]
pub mod fixtures;
#[cfg(feature = "engine")]
pub mod intents;
#[cfg(feature = "engine")]
#[allow(missing_docs)]
pub mod items;
#[cfg(feature = "engine")]
pub mod sounds;

pub use model::*;

#[cfg(feature = "engine")]
pub use engine::Understander;

#[cfg(feature = "engine")]
mod engine {
    use crate::intents::Intents;
    use crate::items::{Lexicon, Reading, Slot, parse};
    use crate::model::*;
    use crate::sounds::{english_key, readings, sounds_like_at};
    use crate::text::{contains_phrase, detect, is_han, normalize};
    use crate::{entities, numbers};

    /// One call's understanding: the tenant's data, and what the call has talked about.
    pub struct Understander {
        catalog: Catalog,
        lexicon: Lexicon,
        intents: Intents,
        /// Intents declared by the tenant and the flow (the built-in ones come on top).
        declared: Vec<IntentExamples>,
        /// The product last mentioned by either side, for "two of those".
        last_product: Option<String>,
        /// Catalogue names and aliases, longest first: they say what is ordered, not what
        /// the caller wants done, so intents are read without them.
        catalogue_words: Vec<String>,
    }

    impl Understander {
        /// Build from the tenant's catalogue and its intents declared by example.
        pub fn new(catalog: Catalog, intents: &[IntentExamples]) -> Understander {
            let lexicon = Lexicon::new(&catalog);
            let mut catalogue_words: Vec<String> = catalog
                .products
                .iter()
                .flat_map(|p| p.names.iter().map(|n| &n.text).chain(&p.aliases))
                .chain(
                    catalog.products.iter().flat_map(|p| p.sizes.iter().flat_map(|s| s.names.iter().map(|n| &n.text))),
                )
                .chain(
                    catalog
                        .option_groups
                        .iter()
                        .flat_map(|g| g.choices.iter().flat_map(|c| c.names.iter().map(|n| &n.text).chain(&c.aliases))),
                )
                .map(|w| normalize(w))
                .filter(|w| w.chars().count() >= 2)
                .collect();
            catalogue_words.sort_by_key(|w| std::cmp::Reverse(w.len()));
            catalogue_words.dedup();
            Understander {
                catalogue_words,
                catalog,
                lexicon,
                intents: Intents::new(intents),
                declared: intents.to_vec(),
                last_product: None,
            }
        }

        /// The catalogue this understander reads orders against.
        pub fn catalog(&self) -> &Catalog {
            &self.catalog
        }

        /// Add intents declared by a flow during the call.
        pub fn add_intents(&mut self, extra: &[IntentExamples]) {
            self.declared.extend_from_slice(extra);
            self.intents = Intents::new(&self.declared);
        }

        /// What a turn says beyond an order: the text without catalogue words, quantities
        /// and the words orders are made of (「我要」, 「杯」, "I'd like", "please"). An order
        /// said in full leaves next to nothing; 「我點的是紅茶結果送來綠茶」 leaves 「點的是結果送」.
        pub fn beyond_the_order(&self, text: &str) -> String {
            const ZH: &[&str] = &[
                "我要",
                "我想要",
                "給我",
                "幫我",
                "還有",
                "然後",
                "再來",
                "來",
                "要",
                "和",
                "跟",
                "的",
                "杯",
                "個",
                "份",
                "瓶",
                "都",
                "一樣",
                "好",
                "那",
                "請",
                "謝謝",
            ];
            const EN: &[&str] = &[
                "i", "i'd", "i'll", "like", "want", "have", "get", "can", "could", "please", "a", "an", "the", "and",
                "with", "of", "cup", "cups", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "both", "also", "some", "thanks", "ok", "okay", "take", "me", "give", "make", "it", "them",
            ];
            let mut out = self.lexicon.unread(&normalize(text));
            for w in ZH {
                out = out.replace(w, " ");
            }
            out.chars()
                .map(|c| if crate::numbers::is_numeral(c) || c.is_ascii_digit() { ' ' } else { c })
                .collect::<String>()
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| !w.is_empty() && !EN.contains(w))
                .collect::<Vec<_>>()
                .join(" ")
        }

        /// The sentences of every intent, for the host to embed (see [`Understander::add_intent_by_meaning`]).
        pub fn intent_sentences(&self) -> Vec<String> {
            self.intents.sentences()
        }

        /// When the words settled no intent: the one the turn means, from its embedding and
        /// the embeddings of [`Understander::intent_sentences`], joins the analysis.
        pub fn add_intent_by_meaning<V: AsRef<[f32]>>(&self, analysis: &mut Analysis, turn: &[f32], sentences: &[V]) {
            if let Some(m) = self.intents.by_meaning(turn, sentences)
                && !analysis.has_intent(&m.name)
            {
                analysis.intents.push(m);
                analysis.intents.sort_by(|a, b| b.score.total_cmp(&a.score));
            }
        }

        /// What the bot just said: a single product named there becomes the one "those" refers to.
        pub fn heard_bot(&mut self, text: &str) {
            let parsed = parse(&self.lexicon, &self.catalog, text, &Slot::Nothing, None, Reading::Exact);
            let mut products: Vec<&str> = parsed.items.iter().map(|i| i.product_id.as_str()).collect();
            products.dedup();
            if let [only] = products.as_slice() {
                self.last_product = Some(only.to_string());
            }
        }

        /// Everything found in one caller turn, read in the light of what the flow expected.
        pub fn analyse(&mut self, text: &str, expecting: &Expectation) -> Analysis {
            let normalised = normalize(text);
            let slot = match expecting.kind {
                AnswerKind::Order | AnswerKind::Anything => Slot::from_name(expecting.slot.as_deref()),
                _ => Slot::Nothing,
            };
            let reading = match expecting.kind {
                AnswerKind::Anything | AnswerKind::Order | AnswerKind::Choice | AnswerKind::YesNo => Reading::Loose,
                _ => Reading::Exact,
            };
            let order = parse(&self.lexicon, &self.catalog, text, &slot, self.last_product.as_deref(), reading);
            if let Some(last) = order.items.last() {
                self.last_product = Some(last.product_id.clone());
            }
            let (yes_no, hedged) = match entities::yes_no(&normalised) {
                Some((answer, hedged)) => (Some(answer), hedged),
                None => (None, false),
            };
            let runs = numbers::digit_runs(text);
            let digits: String = runs.concat();
            let phone = match expecting.kind {
                // Asked for a number: every digit said is part of it.
                AnswerKind::Phone if numbers::digit_count(&digits) >= 8 => Some(digits.clone()),
                _ => numbers::phone_in(text),
            };
            let asked_name = expecting.kind == AnswerKind::Name;
            let asked_address = expecting.kind == AnswerKind::Address;
            let choice = match expecting.kind {
                AnswerKind::YesNo if expecting.choices.is_empty() => yes_no.map(|a| {
                    match a {
                        YesNo::Yes => "yes",
                        YesNo::No => "no",
                        YesNo::Unsure => "unsure",
                    }
                    .to_string()
                }),
                _ => match_choice(&normalised, &expecting.choices),
            };
            // A Mandarin choice heard as English words was said in Mandarin.
            let language = match &choice {
                Some(id)
                    if !crate::text::has_cjk(text)
                        && heard_across(&normalised, &expecting.choices).as_deref() == Some(id.as_str()) =>
                {
                    Some(Lang::Zh)
                }
                _ => detect(text, ""),
            };
            // An answer to a size or option question that matched one of the question's choices
            // (by sound, where the catalogue parse found nothing) is that size or option.
            let mut order = order;
            if let (Some(slot), Some(id)) = (expecting.slot.as_deref(), choice.as_deref())
                && order.items.is_empty()
            {
                match slot {
                    "size" if order.loose.size.is_none() => order.loose.size = Some(id.to_string()),
                    "size" => {}
                    group if order.loose.option(group).is_none() => order.loose.set_option(group, id),
                    _ => {}
                }
            }
            Analysis {
                language,
                intents: self.intents.classify(&self.without_catalogue_words(&normalised)),
                yes_no,
                hedged,
                digits,
                phone,
                name: entities::name(text, asked_name),
                address: entities::address(text, asked_address),
                fulfilment: entities::fulfilment(&normalised),
                time: entities::time(text),
                choice,
                order,
            }
        }
    }

    impl Understander {
        /// The text with catalogue words blanked out (whole words in English).
        fn without_catalogue_words(&self, text: &str) -> String {
            let mut out = text.to_string();
            for word in &self.catalogue_words {
                while let Some(at) = crate::text::phrase_at(&out, word) {
                    out.replace_range(at..at + word.len(), " ");
                }
            }
            out
        }
    }

    /// The expected choice a turn says, by its longest matching phrase (a sound-alike
    /// counts); none when two choices match equally.
    fn match_choice(text: &str, choices: &[ExpectedChoice]) -> Option<String> {
        let sounds = readings(text);
        let words: Vec<String> =
            text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(english_key).collect();
        let mut best: Option<(usize, &str)> = None;
        let mut tie = false;
        for choice in choices {
            for phrase in &choice.phrases {
                let phrase = normalize(phrase);
                if phrase.is_empty() {
                    continue;
                }
                let exact = contains_phrase(text, &phrase);
                let alike = !exact && sounds_alike(&sounds, &words, &phrase);
                if !exact && !alike {
                    continue;
                }
                // An exact match outranks a sound-alike of the same length.
                let weight = phrase.chars().count() * 2 + usize::from(exact);
                match best {
                    Some((w, id)) if w == weight && id != choice.id => tie = true,
                    Some((w, _)) if w >= weight => {}
                    _ => {
                        best = Some((weight, &choice.id));
                        tie = false;
                    }
                }
            }
        }
        if tie {
            return None;
        }
        best.map(|(_, id)| id.to_string())
            .or_else(|| nearest_choice(text, choices))
            .or_else(|| heard_across(text, choices))
    }

    /// For a short answer written in English letters that matched nothing: the one Mandarin
    /// choice with the same consonants, voicing folded (大杯 "da bei" came back as "Top."
    /// when the recogniser took the caller for an English speaker). At least two consonants,
    /// and only one choice may fit.
    fn heard_across(text: &str, choices: &[ExpectedChoice]) -> Option<String> {
        if text.chars().any(is_han) || text.split_whitespace().count() > 3 {
            return None;
        }
        let said = crate::sounds::english_consonants(text);
        if said.len() < 2 {
            return None;
        }
        let mut fits = choices.iter().filter(|c| {
            c.phrases.iter().any(|p| p.chars().all(is_han) && crate::sounds::mandarin_consonants(p) == said)
        });
        match (fits.next(), fits.next()) {
            (Some(one), None) => Some(one.id.clone()),
            _ => None,
        }
    }

    /// For a short Mandarin answer that matched no expected phrase: the choice whose phrase
    /// sounds nearest, syllable by syllable (initials and finals), when it is clearly the
    /// nearest and at least three quarters alike. A recogniser that wrote 手冰 for 少冰 still
    /// gave the answer; the choices are what the caller was asked to pick from. Particles
    /// at either end are not part of the answer (「秋冰啊」 for 去冰).
    fn nearest_choice(text: &str, choices: &[ExpectedChoice]) -> Option<String> {
        const ALIKE: f32 = 0.75;
        const CLEARLY: f32 = 0.15;
        const PARTICLES: &[char] = &['啊', '呀', '喔', '哦', '嗯', '欸', '耶', '啦', '囉', '吧', '呢', '嘛'];
        let han: String = text.chars().filter(|c| is_han(*c)).collect();
        let sounds = readings(han.trim_matches(PARTICLES));
        let said: Vec<&Vec<String>> = sounds.iter().filter(|s| !s.is_empty()).collect();
        if said.is_empty() || said.len() > 6 {
            return None;
        }
        let mut scored: Vec<(f32, &str)> = Vec::new();
        for choice in choices {
            let best = choice
                .phrases
                .iter()
                .filter(|p| p.chars().count() == said.len() && p.chars().all(is_han))
                .map(|p| {
                    let key = readings(p);
                    key.iter().zip(&said).map(|(k, s)| crate::sounds::syllable_likeness(k, s)).sum::<f32>()
                        / said.len() as f32
                })
                .fold(0.0f32, f32::max);
            scored.push((best, &choice.id));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        match scored.as_slice() {
            [(top, id), rest @ ..] if *top >= ALIKE && rest.first().is_none_or(|(next, _)| top - next >= CLEARLY) => {
                Some(id.to_string())
            }
            _ => None,
        }
    }

    fn sounds_alike(sounds: &[Vec<String>], words: &[String], phrase: &str) -> bool {
        if phrase.chars().count() >= 2 && phrase.chars().all(is_han) {
            let key = readings(phrase);
            return (0..sounds.len()).any(|at| sounds_like_at(sounds, at, &key));
        }
        let keys: Vec<String> = phrase.split_whitespace().map(english_key).collect();
        !keys.is_empty() && keys.iter().all(|k| k.len() >= 2) && words.windows(keys.len()).any(|w| w == keys.as_slice())
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::fixtures::demo;

        fn choices(list: &[(&str, &[&str])]) -> Vec<ExpectedChoice> {
            list.iter()
                .map(|(id, phrases)| ExpectedChoice {
                    id: id.to_string(),
                    phrases: phrases.iter().map(|p| p.to_string()).collect(),
                })
                .collect()
        }

        #[test]
        fn expected_choices_by_phrase_and_sound() {
            let c = choices(&[("delivery", &["外送", "delivery"]), ("pickup", &["自取", "pick up"])]);
            assert_eq!(match_choice(&normalize("外送"), &c).as_deref(), Some("delivery"));
            assert_eq!(match_choice(&normalize("我要自取"), &c).as_deref(), Some("pickup"));
            // 「外送」 heard as 「歪送」
            assert_eq!(match_choice(&normalize("歪送"), &c).as_deref(), Some("delivery"));
            assert_eq!(match_choice(&normalize("I'll pick up"), &c).as_deref(), Some("pickup"));
            assert_eq!(match_choice(&normalize("外送還是自取"), &c), None);
            // A Mandarin answer written as English by a recogniser that took it for English.
            let sizes = choices(&[("M", &["中杯", "medium"]), ("L", &["大杯", "large"])]);
            assert_eq!(match_choice(&normalize("Top."), &sizes).as_deref(), Some("L"));
            assert_eq!(match_choice(&normalize("Tapie"), &sizes).as_deref(), Some("L"));
            assert_eq!(match_choice(&normalize("Jong bay"), &sizes).as_deref(), Some("M"));
            assert_eq!(match_choice(&normalize("Hello"), &sizes), None);
            // Two choices with the same consonants: neither is taken.
            let ice = choices(&[("less", &["少冰"]), ("none", &["去冰"])]);
            assert_eq!(match_choice(&normalize("Sobbing"), &ice), None);
        }

        #[test]
        fn those_refers_to_what_the_bot_just_named() {
            let mut u = Understander::new(demo(), &[]);
            u.heard_bot("Mango smoothie is NT$70 for a medium and NT$80 for a large.");
            let a = u.analyse("I'll take two of those, no sugar, regular ice", &Expectation::default());
            assert!(a.order.refers_back);
            assert_eq!(a.order.items.len(), 1);
            assert_eq!(a.order.items[0].product_id, "mango-smoothie");
            assert_eq!(a.order.items[0].details.quantity, Some(2));
            assert_eq!(a.order.items[0].details.option("sugar"), Some("none"));
        }

        #[test]
        fn a_name_given_out_of_turn_is_kept() {
            let mut u = Understander::new(demo(), &[]);
            let expecting = Expectation {
                kind: AnswerKind::Order,
                slot: Some("ice".into()),
                about: Some("bubble-milk-tea".into()),
                ..Expectation::default()
            };
            let a = u.analyse("少冰，我叫王小明", &expecting);
            assert_eq!(a.order.loose.option("ice"), Some("less"));
            assert_eq!(a.name.as_deref(), Some("王小明"));
        }
    }
}
