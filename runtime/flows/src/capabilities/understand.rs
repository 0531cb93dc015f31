//! `understand`: what the caller meant, read by the host for the flow.
//!
//! The call's [`CallUnderstanding`](crate::understanding::CallUnderstanding) holds the expectation the flow declared for
//! the next caller turn, the one in force for the turn being handled, and an
//! [`Understander`] built on first use from the tenant's catalogue (read through
//! the call's scope, never from a guest argument).

use switchboard_understand as nlu;
use switchboard_understand::Understander;

use super::super::bindings::orders::{ChosenOption, Fulfilment};
use super::super::bindings::types::Error;
use super::super::bindings::understand as wit;
use super::super::context::CallContext;
use switchboard_knowledge::intents::wants_meaning;

/// Bounds on what a guest may declare, so a flow cannot make analysis slow.
const MAX_CHOICES: usize = 64;
const MAX_PHRASES: usize = 32;
const MAX_VOCABULARY: usize = 200;
const MAX_INTENTS: usize = 100;
const MAX_EXAMPLES: usize = 50;
const MAX_TEXT_BYTES: usize = 2000;

fn expectation_from_wit(e: wit::Expectation) -> nlu::Expectation {
    let kind = match e.kind {
        wit::AnswerKind::Anything => nlu::AnswerKind::Anything,
        wit::AnswerKind::YesNo => nlu::AnswerKind::YesNo,
        wit::AnswerKind::Choice => nlu::AnswerKind::Choice,
        wit::AnswerKind::Digits => nlu::AnswerKind::Digits,
        wit::AnswerKind::Phone => nlu::AnswerKind::Phone,
        wit::AnswerKind::Name => nlu::AnswerKind::Name,
        wit::AnswerKind::Address => nlu::AnswerKind::Address,
        wit::AnswerKind::Order => nlu::AnswerKind::Order,
        wit::AnswerKind::Time => nlu::AnswerKind::Time,
    };
    let short = |s: String| s.chars().take(200).collect::<String>();
    nlu::Expectation {
        kind,
        choices: e
            .choices
            .into_iter()
            .take(MAX_CHOICES)
            .map(|c| nlu::ExpectedChoice {
                id: short(c.id),
                phrases: c.phrases.into_iter().take(MAX_PHRASES).map(short).collect(),
            })
            .collect(),
        vocabulary: e.vocabulary.into_iter().take(MAX_VOCABULARY).map(short).collect(),
        about: e.about.map(short),
        slot: e.slot.map(short),
    }
}

fn modifiers_to_wit(m: nlu::Modifiers) -> wit::Modifiers {
    wit::Modifiers {
        quantity: m.quantity,
        size_id: m.size,
        options: m.options.into_iter().map(|(group, choice)| ChosenOption { group, choice }).collect(),
    }
}

fn analysis_to_wit(a: nlu::Analysis) -> wit::Analysis {
    wit::Analysis {
        language: a.language.map(|l| l.code().to_string()),
        intents: a.intents.into_iter().map(|m| wit::IntentMatch { name: m.name, score: m.score }).collect(),
        order: wit::OrderContent {
            items: a
                .order
                .items
                .into_iter()
                .map(|i| wit::Item { product_id: i.product_id, modifiers: modifiers_to_wit(i.details) })
                .collect(),
            loose: modifiers_to_wit(a.order.loose),
            removals: a.order.removals,
            refers_back: a.order.refers_back,
        },
        yes_no: a.yes_no.map(|y| match y {
            nlu::YesNo::Yes => wit::YesNo::Yes,
            nlu::YesNo::No => wit::YesNo::No,
            nlu::YesNo::Unsure => wit::YesNo::Unsure,
        }),
        hedged: a.hedged,
        digits: a.digits,
        phone: a.phone,
        name: a.name,
        address: a.address,
        fulfilment: a.fulfilment.map(|f| match f {
            nlu::Fulfilment::Delivery => Fulfilment::Delivery,
            nlu::Fulfilment::Pickup => Fulfilment::Pickup,
        }),
        time: a.time,
        choice: a.choice,
    }
}

impl CallContext {
    /// The call's understander, built from the tenant's catalogue on first use.
    async fn understander(&mut self) -> Result<&mut Understander, Error> {
        if self.understanding.understander.is_none() {
            let tenant = self.scope.tenant_id.clone();
            let catalog = match self.scope.db.catalog(&tenant).await {
                Ok(c) => switchboard_knowledge::catalog_for_understanding(c),
                // A tenant without a catalogue still gets entities and intents.
                Err(switchboard_store::StorageError::NotFound) => nlu::Catalog::default(),
                Err(e) => return Err(super::guest_error(e)),
            };
            self.understanding.understander = Some(Understander::new(catalog, &[]));
        }
        let state = &mut self.understanding;
        let understander = state.understander.as_mut().ok_or(Error::Unavailable("understanding".into()))?;
        for line in state.bot_lines.drain(..) {
            understander.heard_bot(&line);
        }
        Ok(understander)
    }
}

impl wit::Host for CallContext {
    async fn expect(&mut self, expectation: wit::Expectation) -> wasmtime::Result<()> {
        self.understanding.next = Some(expectation_from_wit(expectation));
        Ok(())
    }

    async fn add_intents(&mut self, intents: Vec<wit::Intent>) -> wasmtime::Result<Result<(), Error>> {
        if self.understanding.intents + intents.len() > MAX_INTENTS {
            return Ok(Err(Error::QuotaExceeded(format!("at most {MAX_INTENTS} intents a call"))));
        }
        let declared: Vec<nlu::IntentExamples> = intents
            .into_iter()
            .map(|i| nlu::IntentExamples {
                name: i.name.chars().take(64).collect(),
                examples: i.examples.into_iter().take(MAX_EXAMPLES).map(|e| e.chars().take(500).collect()).collect(),
            })
            .collect();
        self.understanding.intents += declared.len();
        Ok(match self.understander().await {
            Ok(u) => {
                u.add_intents(&declared);
                Ok(())
            }
            Err(e) => Err(e),
        })
    }

    async fn analyse(&mut self, text: String) -> wasmtime::Result<Result<wit::Analysis, Error>> {
        if let Some(e) = super::too_long(&text, MAX_TEXT_BYTES) {
            return Ok(Err(e));
        }
        let expecting = self.understanding.now.clone();
        let started = std::time::Instant::now();
        let knowledge = self.scope.knowledge.clone();
        let (mut analysis, sentences) = match self.understander().await {
            Ok(u) => {
                let analysis = u.analyse(&text, &expecting);
                let wanted =
                    knowledge.has_model() && wants_meaning(&text, &u.beyond_the_order(&text), &analysis, &expecting);
                (analysis, wanted.then(|| u.intent_sentences()))
            }
            Err(e) => return Ok(Err(e)),
        };
        let by_meaning = sentences.is_some();
        if let Some(sentences) = sentences {
            let waiting = std::time::Instant::now();
            let words = text.clone();
            let embedded = tokio::task::spawn_blocking(move || {
                // Examples first: when a flow's many new ones go to the background, no query is needed.
                let examples = knowledge.embed_examples(&sentences, switchboard_knowledge::INLINE_EXAMPLES)?;
                Some((knowledge.embed_query(&words)?, examples))
            })
            .await;
            self.model_wait += waiting.elapsed();
            if let (Ok(Some((turn, vectors))), Ok(u)) = (embedded, self.understander().await) {
                u.add_intent_by_meaning(&mut analysis, &turn, &vectors);
            }
        }
        // Found: order items, an expected choice, or the kind of answer the question asked for
        // (a 「可以」 in 「附近可以停車嗎」 is no answer to "what would you like?").
        let a = &analysis;
        let answered = match expecting.kind {
            nlu::AnswerKind::YesNo => a.yes_no.is_some(),
            nlu::AnswerKind::Digits | nlu::AnswerKind::Phone => !a.digits.is_empty(),
            nlu::AnswerKind::Name => a.name.is_some(),
            nlu::AnswerKind::Address => a.address.is_some() || a.fulfilment.is_some(),
            nlu::AnswerKind::Time => a.time.is_some(),
            nlu::AnswerKind::Anything | nlu::AnswerKind::Choice | nlu::AnswerKind::Order => false,
        };
        let found = answered || !a.order.items.is_empty() || a.choice.is_some();
        self.reading.asked = true;
        self.reading.found |= found;
        if self.reading.intent.is_none() {
            self.reading.intent = a.intent().map(str::to_string);
        }
        tracing::debug!(
            elapsed_us = started.elapsed().as_micros() as u64,
            by_meaning,
            intent = analysis.intent().unwrap_or(""),
            items = analysis.order.items.len(),
            "caller turn analysed"
        );
        Ok(Ok(analysis_to_wit(analysis)))
    }
}
