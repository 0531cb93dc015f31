//! FAQ entries, one document each.

use switchboard_domain::faq::{FaqEntry, FaqInput};
use switchboard_domain::ids;

use super::{Documents, FAQ, key, prefix};
use crate::engine::Engine;
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
    pub(crate) fn faq_entries(&self, tenant: &str) -> Result<Vec<FaqEntry>> {
        self.scan(FAQ, &prefix(tenant))
    }

    pub(crate) fn create_faq(&self, tenant: &str, input: FaqInput) -> Result<FaqEntry> {
        input.validate()?;
        let entry = FaqEntry {
            id: ids::new_id("faq"),
            question: input.question,
            answer: input.answer,
            language: input.language,
            keywords: input.keywords,
            updated_at_ms: ids::now_ms(),
        };
        self.put(FAQ, &key(tenant, &entry.id), &entry)?;
        Ok(entry)
    }

    pub(crate) fn update_faq(&self, tenant: &str, id: &str, input: FaqInput) -> Result<FaqEntry> {
        input.validate()?;
        let k = key(tenant, id);
        let _existing: FaqEntry = self.get(FAQ, &k)?.ok_or(StorageError::NotFound)?;
        let entry = FaqEntry {
            id: id.to_string(),
            question: input.question,
            answer: input.answer,
            language: input.language,
            keywords: input.keywords,
            updated_at_ms: ids::now_ms(),
        };
        self.put(FAQ, &k, &entry)?;
        Ok(entry)
    }

    pub(crate) fn delete_faq(&self, tenant: &str, id: &str) -> Result<()> {
        if self.delete(FAQ, &key(tenant, id))? { Ok(()) } else { Err(StorageError::NotFound) }
    }
}
