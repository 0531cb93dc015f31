//! The product catalogue of a tenant: products, sizes, option groups, prices.
//! Flows read it through the `catalog` capability; orders are priced from it.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub lang: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Size {
    pub id: String,
    pub names: Vec<Localized>,
    pub price: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionChoice {
    pub id: String,
    pub names: Vec<Localized>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionGroup {
    pub id: String,
    pub names: Vec<Localized>,
    pub choices: Vec<OptionChoice>,
    #[serde(default)]
    pub default_choice: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub names: Vec<Localized>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub sizes: Vec<Size>,
    #[serde(default)]
    pub option_groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub currency: String,
    pub products: Vec<Product>,
    #[serde(default)]
    pub option_groups: Vec<OptionGroup>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog { currency: "TWD".into(), products: Vec::new(), option_groups: Vec::new() }
    }
}

impl Catalog {
    /// Check the catalogue is consistent: unique ids, known option groups, a size per product.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(m));
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return bad(format!("currency `{}` is not an ISO 4217 code", self.currency));
        }
        if self.products.len() > 1000 {
            return bad("at most 1000 products".into());
        }
        let mut seen = std::collections::HashSet::new();
        for g in &self.option_groups {
            if !seen.insert(g.id.as_str()) {
                return bad(format!("option group `{}` appears twice", g.id));
            }
            if g.choices.is_empty() {
                return bad(format!("option group `{}` has no choices", g.id));
            }
            if let Some(d) = &g.default_choice
                && !g.choices.iter().any(|c| &c.id == d)
            {
                return bad(format!("option group `{}`: default `{d}` is not one of its choices", g.id));
            }
        }
        let mut products = std::collections::HashSet::new();
        for p in &self.products {
            if p.id.is_empty() || !products.insert(p.id.as_str()) {
                return bad(format!("product id `{}` is empty or appears twice", p.id));
            }
            if p.sizes.is_empty() {
                return bad(format!("product `{}` has no sizes", p.id));
            }
            for g in &p.option_groups {
                if !seen.contains(g.as_str()) {
                    return bad(format!("product `{}` uses unknown option group `{g}`", p.id));
                }
            }
        }
        Ok(())
    }

    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn option_group(&self, id: &str) -> Option<&OptionGroup> {
        self.option_groups.iter().find(|g| g.id == id)
    }
}

impl Product {
    /// The product's name in `lang` (`zh`, `en`...), else its first name, else its id.
    pub fn name_in(&self, lang: &str) -> &str {
        let base = lang.split('-').next().unwrap_or(lang);
        self.names.iter().find(|n| n.lang == base).or(self.names.first()).map(|n| n.text.as_str()).unwrap_or(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_catalog_is_valid() {
        let c: Catalog = serde_json::from_str(crate::demo::CATALOG_JSON).unwrap();
        c.validate().unwrap();
        assert_eq!(c.product("bubble-milk-tea").unwrap().name_in("zh-TW"), "珍珠奶茶");
    }

    #[test]
    fn unknown_option_group_is_rejected() {
        let mut c: Catalog = serde_json::from_str(crate::demo::CATALOG_JSON).unwrap();
        c.products[0].option_groups.push("toppings".into());
        assert!(c.validate().is_err());
    }
}
