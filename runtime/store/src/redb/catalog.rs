//! The redb implementation of catalog.

use switchboard_domain::catalog::Catalog;

use super::{CATALOGS, RedbStore};
use crate::Result;

impl RedbStore {
    pub(crate) fn catalog(&self, tenant: &str) -> Result<Catalog> {
        Ok(self.get(CATALOGS, tenant)?.unwrap_or_default())
    }

    pub(crate) fn put_catalog(&self, tenant: &str, catalog: &Catalog) -> Result<()> {
        catalog.validate()?;
        self.put(CATALOGS, tenant, catalog)
    }
}
