//! `catalog`: the tenant's products, sizes, options and prices, read-only.

use super::super::bindings::catalog as wit;
use super::super::bindings::types::{Error, Localized};
use super::super::context::CallContext;
use switchboard_domain::catalog as store;

fn names(v: Vec<store::Localized>) -> Vec<Localized> {
    v.into_iter().map(|n| Localized { lang: n.lang, text: n.text }).collect()
}

fn to_wit(c: store::Catalog) -> wit::Catalog {
    wit::Catalog {
        currency: c.currency,
        products: c
            .products
            .into_iter()
            .map(|p| wit::Product {
                id: p.id,
                names: names(p.names),
                aliases: p.aliases,
                sizes: p
                    .sizes
                    .into_iter()
                    .map(|s| wit::Size { id: s.id, names: names(s.names), price: s.price })
                    .collect(),
                option_groups: p.option_groups,
            })
            .collect(),
        option_groups: c
            .option_groups
            .into_iter()
            .map(|g| wit::OptionGroup {
                id: g.id,
                names: names(g.names),
                choices: g
                    .choices
                    .into_iter()
                    .map(|c| wit::OptionChoice { id: c.id, names: names(c.names), aliases: c.aliases })
                    .collect(),
                default_choice: g.default_choice,
            })
            .collect(),
    }
}

impl wit::Host for CallContext {
    async fn get(&mut self) -> wasmtime::Result<Result<wit::Catalog, Error>> {
        let tenant = self.scope.tenant_id.clone();
        Ok(self.scope.db.catalog(&tenant).await.map(to_wit).map_err(super::guest_error))
    }
}
