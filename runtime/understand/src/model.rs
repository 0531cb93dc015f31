//! The plain types of understanding: the catalogue a tenant sells from, what
//! the flow expects the caller to say next, and what a caller turn was found
//! to mean. No parsing here, so a flow can hold these without the engine.

/// A language the bot holds a conversation in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// From a tag such as `zh-TW` or `en`. Anything that is not English is
    /// taken as Chinese: Switchboard's first callers are Taiwanese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
    }

    /// The short code used by catalogues, FAQ entries and the recogniser (`zh`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Choose between the Chinese and the English version of a phrase.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A name in one language (`lang` is `zh`, `en`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Localized {
    pub lang: String,
    pub text: String,
}

/// A size (or variant) of a product, with its price.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Size {
    pub id: String,
    pub names: Vec<Localized>,
    pub price: u32,
}

/// One choice of an option group (`half` sugar).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub names: Vec<Localized>,
    pub aliases: Vec<String>,
}

/// An option group (sugar level, ice).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionGroup {
    pub id: String,
    pub names: Vec<Localized>,
    pub choices: Vec<Choice>,
    pub default_choice: Option<String>,
}

/// A product on sale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Product {
    pub id: String,
    pub names: Vec<Localized>,
    pub aliases: Vec<String>,
    pub sizes: Vec<Size>,
    pub option_groups: Vec<String>,
}

/// A tenant's catalogue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    pub currency: String,
    pub products: Vec<Product>,
    pub option_groups: Vec<OptionGroup>,
}

impl Catalog {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&OptionGroup> {
        self.option_groups.iter().find(|g| g.id == id)
    }

    /// Drop sizes and options `product_id` does not have and quantities outside 1 to 99,
    /// so a flow asks again instead of ordering something the shop cannot make.
    pub fn fit(&self, product_id: &str, details: &mut Modifiers) {
        let Some(product) = self.product(product_id) else {
            return;
        };
        if details.size.as_deref().is_some_and(|s| product.size(s).is_none()) {
            details.size = None;
        }
        details.options.retain(|(group, choice)| {
            product.option_groups.contains(group) && self.group(group).is_some_and(|g| g.choice(choice).is_some())
        });
        details.quantity = details.quantity.filter(|q| (1..=99).contains(q));
    }

    /// The option groups of a product that exist, in the order the product lists them.
    pub fn groups_of<'a>(&'a self, product: &'a Product) -> impl Iterator<Item = &'a OptionGroup> + 'a {
        product.option_groups.iter().filter_map(|g| self.group(g))
    }
}

impl Product {
    pub fn size(&self, id: &str) -> Option<&Size> {
        self.sizes.iter().find(|s| s.id == id)
    }
}

impl OptionGroup {
    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.id == id)
    }
}

/// The answers to a size question (`slot` = `size`) or an option question (`slot` = a group
/// id) about `product`, as expected choices: each size or choice with its names in every
/// language and its aliases.
pub fn slot_choices(catalog: &Catalog, product: Option<&str>, slot: &str) -> Vec<ExpectedChoice> {
    let phrases = |names: &[Localized], aliases: &[String]| {
        names.iter().map(|n| n.text.clone()).chain(aliases.iter().cloned()).collect::<Vec<_>>()
    };
    if slot == "size" {
        return product
            .and_then(|p| catalog.product(p))
            .map(|p| {
                p.sizes.iter().map(|s| ExpectedChoice { id: s.id.clone(), phrases: phrases(&s.names, &[]) }).collect()
            })
            .unwrap_or_default();
    }
    catalog
        .group(slot)
        .map(|g| {
            g.choices
                .iter()
                .map(|c| ExpectedChoice { id: c.id.clone(), phrases: phrases(&c.names, &c.aliases) })
                .collect()
        })
        .unwrap_or_default()
}

/// The name to speak in `lang`; falls back to any name, then to `id`.
pub fn name_in<'a>(names: &'a [Localized], lang: Lang, id: &'a str) -> &'a str {
    names
        .iter()
        .find(|n| n.lang.to_ascii_lowercase().starts_with(lang.code()))
        .or_else(|| names.first())
        .map(|n| n.text.as_str())
        .unwrap_or(id)
}

/// What kind of answer the flow expects to its question.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AnswerKind {
    /// Anything (an open question: "what would you like?").
    #[default]
    Anything,
    YesNo,
    /// One of the expectation's choices.
    Choice,
    Digits,
    Phone,
    Name,
    Address,
    /// Order items from the catalogue (or a size or option of the item just asked about).
    Order,
    Time,
}

/// One answer the flow would accept, with the ways a caller may say it (in every language).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedChoice {
    pub id: String,
    pub phrases: Vec<String>,
}

/// What the flow expects the caller's next turn to be. The host uses it to steer
/// recognition (language, prompt, candidate scoring), to decide when the turn is
/// over, and to read short answers that would be ambiguous anywhere else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    pub kind: AnswerKind,
    pub choices: Vec<ExpectedChoice>,
    /// Words of the moment: product names, street names, the item being asked about.
    pub vocabulary: Vec<String>,
    /// For a size or option question: the product the question is about (`bubble-milk-tea`),
    /// and the option group (`sugar`) or `size`.
    pub about: Option<String>,
    pub slot: Option<String>,
}

/// Size, quantity and options said for one item (or without an item).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub quantity: Option<u32>,
    pub size: Option<String>,
    /// (group id, choice id), at most one per group.
    pub options: Vec<(String, String)>,
}

impl Modifiers {
    pub fn is_empty(&self) -> bool {
        self.quantity.is_none() && self.size.is_none() && self.options.is_empty()
    }

    pub fn option(&self, group: &str) -> Option<&str> {
        self.options.iter().find(|(g, _)| g == group).map(|(_, c)| c.as_str())
    }

    /// Set a choice, replacing an earlier one of the same group.
    pub fn set_option(&mut self, group: &str, choice: &str) {
        match self.options.iter_mut().find(|(g, _)| g == group) {
            Some(slot) => slot.1 = choice.to_string(),
            None => self.options.push((group.to_string(), choice.to_string())),
        }
    }
}

/// One item the caller asked for. Anything not said is `None`/absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRequest {
    pub product_id: String,
    pub details: Modifiers,
}

/// Order content of one caller turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedOrder {
    pub items: Vec<ItemRequest>,
    /// Modifiers said without a product (an answer to "what size?").
    pub loose: Modifiers,
    /// Products the caller asked to take off.
    pub removals: Vec<String>,
    /// An item named by reference ("two of those", 「那個」): the product last mentioned.
    pub refers_back: bool,
}

impl ParsedOrder {
    /// Whether the turn named any product, to add or to remove.
    pub fn mentions_products(&self) -> bool {
        !self.items.is_empty() || !self.removals.is_empty()
    }
}

/// Delivery or pickup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

/// A yes or a no, and whether it was hedged ("I think so", 「應該吧」).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YesNo {
    Yes,
    No,
    /// "Not sure", 「不知道」.
    Unsure,
}

/// An intent and how well the turn matches it (0 to 1).
#[derive(Clone, Debug, PartialEq)]
pub struct IntentMatch {
    pub name: String,
    pub score: f32,
}

/// An intent declared by example: a name and a few things callers say for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntentExamples {
    pub name: String,
    pub examples: Vec<String>,
}

/// Everything found in one caller turn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// The turn's language as its text shows it; `None` when it does not tell (digits, "OK").
    pub language: Option<Lang>,
    /// Intents, best first; only those above the match threshold.
    pub intents: Vec<IntentMatch>,
    pub order: ParsedOrder,
    pub yes_no: Option<YesNo>,
    pub hedged: bool,
    /// Every digit said, in order (「零九一二」, "oh nine one two", "0912").
    pub digits: String,
    /// A phone number, when the digits make one.
    pub phone: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub fulfilment: Option<Fulfilment>,
    /// A time of day (`15:30`) or a delay (`+20m`).
    pub time: Option<String>,
    /// The expected choice the turn matched, by id.
    pub choice: Option<String>,
}

impl Analysis {
    /// The best intent, if any passed the threshold.
    pub fn intent(&self) -> Option<&str> {
        self.intents.first().map(|i| i.name.as_str())
    }

    /// Whether `name` is among the matched intents.
    pub fn has_intent(&self, name: &str) -> bool {
        self.intents.iter().any(|i| i.name == name)
    }
}
