//! The order being put together during a call: its lines, what is still
//! missing from each, and what it costs by the catalogue's prices.

use switchboard_understand::{Catalog, Fulfilment, ItemRequest, Modifiers};

/// One line of the order: a product, how many, and the choices made so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub product_id: String,
    pub quantity: u32,
    pub size: Option<String>,
    /// (group id, choice id)
    pub options: Vec<(String, String)>,
}

/// What a line still needs before it can be ordered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    Size,
    Group(String),
}

impl Line {
    pub fn from_request(request: &ItemRequest) -> Line {
        Line {
            product_id: request.product_id.clone(),
            quantity: request.details.quantity.unwrap_or(1),
            size: request.details.size.clone(),
            options: request.details.options.clone(),
        }
    }

    pub fn option(&self, group: &str) -> Option<&str> {
        self.options.iter().find(|(g, _)| g == group).map(|(_, c)| c.as_str())
    }

    /// Apply what the caller said about this line (it overrides earlier
    /// choices: a caller correcting themselves means the new words). Returns
    /// whether anything applicable was said.
    pub fn apply(&mut self, catalog: &Catalog, details: &Modifiers) -> bool {
        let mut details = details.clone();
        catalog.fit(&self.product_id, &mut details);
        if let Some(quantity) = details.quantity {
            self.quantity = quantity;
        }
        if let Some(size) = details.size.clone() {
            self.size = Some(size);
        }
        for (group, choice) in &details.options {
            match self.options.iter_mut().find(|(g, _)| g == group) {
                Some(slot) => slot.1 = choice.clone(),
                None => self.options.push((group.clone(), choice.clone())),
            }
        }
        !details.is_empty()
    }

    /// Fill option groups that have a tenant default, so the caller is only
    /// asked about choices that really matter.
    pub fn fill_defaults(&mut self, catalog: &Catalog) {
        let Some(product) = catalog.product(&self.product_id) else {
            return;
        };
        for group in catalog.groups_of(product) {
            if self.option(&group.id).is_none()
                && let Some(default) = group.default_choice.as_ref().filter(|d| group.choice(d).is_some())
            {
                self.options.push((group.id.clone(), default.clone()));
            }
        }
    }

    /// The first thing still to ask about, in the order size, then each
    /// option group as the product lists them.
    pub fn missing(&self, catalog: &Catalog) -> Option<Missing> {
        let product = catalog.product(&self.product_id)?;
        if self.size.as_deref().is_none_or(|s| product.size(s).is_none()) {
            return Some(Missing::Size);
        }
        catalog.groups_of(product).find(|g| self.option(&g.id).is_none()).map(|g| Missing::Group(g.id.clone()))
    }

    pub fn unit_price(&self, catalog: &Catalog) -> u32 {
        catalog.product(&self.product_id).and_then(|p| p.size(self.size.as_deref()?)).map_or(0, |s| s.price)
    }

    pub fn total(&self, catalog: &Catalog) -> u32 {
        self.unit_price(catalog).saturating_mul(self.quantity)
    }
}

/// Everything the caller has told us towards one order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub lines: Vec<Line>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub fulfilment: Option<Fulfilment>,
    pub address: Option<String>,
}

impl Draft {
    pub fn total(&self, catalog: &Catalog) -> u32 {
        self.lines.iter().map(|l| l.total(catalog)).fold(0, u32::saturating_add)
    }

    /// The first line that still needs an answer, and what it needs.
    pub fn first_missing(&self, catalog: &Catalog) -> Option<(usize, Missing)> {
        self.lines.iter().enumerate().find_map(|(i, l)| l.missing(catalog).map(|m| (i, m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_understand::fixtures::demo;

    fn line(product: &str, quantity: u32, size: Option<&str>, options: &[(&str, &str)]) -> Line {
        Line {
            product_id: product.into(),
            quantity,
            size: size.map(String::from),
            options: options.iter().map(|(g, c)| (g.to_string(), c.to_string())).collect(),
        }
    }

    #[test]
    fn missing_in_order() {
        let catalog = demo();
        let mut l = line("bubble-milk-tea", 2, None, &[("ice", "less")]);
        assert_eq!(l.missing(&catalog), Some(Missing::Size));
        l.size = Some("L".into());
        assert_eq!(l.missing(&catalog), Some(Missing::Group("sugar".into())));
        l.options.push(("sugar".into(), "half".into()));
        assert_eq!(l.missing(&catalog), None);
        let mango = line("mango-smoothie", 1, Some("M"), &[("sugar", "none")]);
        assert_eq!(mango.missing(&catalog), None);
    }

    #[test]
    fn defaults_fill_groups() {
        let mut catalog = demo();
        if let Some(ice) = catalog.option_groups.iter_mut().find(|g| g.id == "ice") {
            ice.default_choice = Some("regular".into());
        }
        let mut l = line("black-tea", 1, Some("M"), &[("sugar", "half")]);
        l.fill_defaults(&catalog);
        assert_eq!(l.option("ice"), Some("regular"));
        assert_eq!(l.missing(&catalog), None);
    }

    #[test]
    fn prices_from_catalogue() {
        let catalog = demo();
        let draft = Draft {
            lines: vec![
                line("bubble-milk-tea", 2, Some("L"), &[]),
                line("black-tea", 1, Some("M"), &[]),
                line("green-tea", 1, None, &[]),
            ],
            ..Draft::default()
        };
        assert_eq!(draft.total(&catalog), 2 * 60 + 30);
    }

    #[test]
    fn apply_overrides_and_ignores_what_does_not_fit() {
        let catalog = demo();
        let mut l = line("mango-smoothie", 1, Some("M"), &[("sugar", "full")]);
        let said = Modifiers {
            quantity: Some(3),
            size: Some("XL".into()),
            options: vec![("sugar".into(), "half".into()), ("ice".into(), "less".into())],
        };
        assert!(l.apply(&catalog, &said));
        assert_eq!(l, line("mango-smoothie", 3, Some("M"), &[("sugar", "half")]));
        assert!(
            !l.apply(&catalog, &Modifiers { options: vec![("ice".into(), "none".into())], ..Modifiers::default() })
        );
    }
}
