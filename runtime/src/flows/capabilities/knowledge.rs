//! `knowledge`: FAQ search over the tenant's entries.

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
        let hits = self.scope.db.run(move |db| db.search_faq(&tenant, &query, language.as_deref(), limit)).await;
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
