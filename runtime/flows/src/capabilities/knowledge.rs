//! `knowledge`: FAQ search over the tenant's entries, lexical and semantic
//! (`switchboard_knowledge::FaqIndex`), always for the call's own tenant.

use super::super::bindings::knowledge as wit;
use super::super::bindings::types::Error;
use super::super::context::CallContext;

impl wit::Host for CallContext {
    async fn search(
        &mut self,
        query: String,
        language: Option<String>,
        limit: u32,
    ) -> wasmtime::Result<Result<Vec<wit::FaqHit>, Error>> {
        if let Some(e) = super::too_long(&query, 2000) {
            return Ok(Err(e));
        }
        let tenant = self.scope.tenant_id.clone();
        let limit = limit.clamp(1, 10) as usize;
        let knowledge = self.scope.knowledge.clone();
        let waiting = std::time::Instant::now();
        let hits = knowledge.faq.search(&self.scope.db, &tenant, &query, language.as_deref(), limit).await;
        // The search embeds the question: model time, not the guest's (see `sandbox::on_deadline`).
        self.model_wait += waiting.elapsed();
        self.reading.asked = true;
        if let Ok(hits) = &hits
            && let Some(best) = hits.first().filter(|h| h.score >= switchboard_knowledge::FAQ_ANSWERS_FROM)
        {
            self.reading.faq.get_or_insert_with(|| best.entry.question.clone());
        }
        Ok(hits
            .map(|hits| {
                hits.into_iter()
                    .map(|h| wit::FaqHit {
                        id: h.entry.id,
                        question: h.entry.question,
                        answer: h.entry.answer,
                        language: h.entry.language,
                        score: h.score,
                    })
                    .collect()
            })
            .map_err(super::guest_error))
    }
}
