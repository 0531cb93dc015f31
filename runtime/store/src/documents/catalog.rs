//! A tenant's catalogue: one document, replaced whole.

use switchboard_domain::catalog::Catalog;

use super::{CATALOGS, Documents};
use crate::Result;
use crate::engine::Engine;

impl<E: Engine> Documents<E> {
    pub(crate) fn catalog(&self, tenant: &str) -> Result<Catalog> {
        Ok(self.get(CATALOGS, tenant)?.unwrap_or_default())
    }

    pub(crate) fn put_catalog(&self, tenant: &str, catalog: &Catalog) -> Result<()> {
        catalog.validate()?;
        self.put(CATALOGS, tenant, catalog)
    }
}
