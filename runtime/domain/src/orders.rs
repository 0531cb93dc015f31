//! Orders: priced by the host from the tenant's catalogue (never from the flow),
//! committed with the customer record in one transaction, then reported.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChosenOption {
    pub group: String,
    pub choice: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemRequest {
    pub product_id: String,
    pub size_id: String,
    pub quantity: u32,
    pub options: Vec<ChosenOption>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderRequest {
    pub items: Vec<ItemRequest>,
    pub customer_name: String,
    pub phone: String,
    pub fulfilment: Fulfilment,
    pub address: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Received,
    Preparing,
    Ready,
    OutForDelivery,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderItem {
    pub product_id: String,
    pub product_name: String,
    pub size_id: String,
    pub quantity: u32,
    pub options: Vec<ChosenOption>,
    pub unit_price: u32,
    pub line_total: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Order {
    pub id: String,
    /// Short number read to the caller, per tenant, from 1001.
    pub number: u64,
    pub items: Vec<OrderItem>,
    pub total: u32,
    pub currency: String,
    pub customer_name: String,
    pub phone: String,
    pub fulfilment: Fulfilment,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub status: OrderStatus,
    pub call_id: String,
    pub created_at_ms: u64,
    pub updated_at_ms: u64,
}

const MAX_ITEMS: usize = 50;
const MAX_QUANTITY: u32 = 100;

/// Check every item against the catalogue and price it.
pub fn price_items(catalog: &Catalog, items: &[ItemRequest], language: &str) -> Result<Vec<OrderItem>> {
    let bad = |m: String| Err(Error::Invalid(m));
    if items.is_empty() {
        return bad("an order needs at least one item".into());
    }
    if items.len() > MAX_ITEMS {
        return bad(format!("at most {MAX_ITEMS} items"));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(product) = catalog.product(&item.product_id) else {
            return bad(format!("unknown product `{}`", item.product_id));
        };
        let Some(size) = product.sizes.iter().find(|s| s.id == item.size_id) else {
            return bad(format!("product `{}` has no size `{}`", product.id, item.size_id));
        };
        if item.quantity == 0 || item.quantity > MAX_QUANTITY {
            return bad(format!("quantity must be 1 to {MAX_QUANTITY}"));
        }
        for opt in &item.options {
            let known = product.option_groups.contains(&opt.group)
                && catalog.option_group(&opt.group).is_some_and(|g| g.choices.iter().any(|c| c.id == opt.choice));
            if !known {
                return bad(format!("`{}` = `{}` is not an option of `{}`", opt.group, opt.choice, product.id));
            }
        }
        out.push(OrderItem {
            product_id: product.id.clone(),
            product_name: product.name_in(language).to_string(),
            size_id: size.id.clone(),
            quantity: item.quantity,
            options: item.options.clone(),
            unit_price: size.price,
            line_total: size.price * item.quantity,
        });
    }
    Ok(out)
}

/// A free-text field of an order, trimmed; empty is none, too long is refused.
pub fn clean_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>> {
    match value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > max => Err(Error::Invalid(format!("{field} is longer than {max} characters"))),
        v => Ok(v),
    }
}

/// An order request checked and priced against the catalogue: everything of the order but
/// its id, number and times. Stores number and keep it; a replay only shows it.
#[derive(Clone, Debug)]
pub struct PreparedOrder {
    pub items: Vec<OrderItem>,
    pub total: u32,
    pub currency: String,
    pub customer_name: String,
    pub phone: String,
    pub fulfilment: Fulfilment,
    pub address: Option<String>,
    pub notes: Option<String>,
}

/// Check and price a request: the items against the catalogue, a name, a phone number, an
/// address for a delivery, and free text within bounds.
pub fn prepare_order(catalog: &Catalog, req: OrderRequest, language: &str) -> Result<PreparedOrder> {
    let items = price_items(catalog, &req.items, language)?;
    let customer_name = clean_text("customer_name", Some(req.customer_name), 100)?
        .ok_or_else(|| Error::Invalid("customer_name is required".into()))?;
    let phone = crate::customers::normalize_phone(&req.phone);
    if phone.len() < 3 || phone.len() > 20 {
        return Err(Error::Invalid(format!("`{}` is not a phone number", req.phone)));
    }
    let address = clean_text("address", req.address, 300)?;
    if req.fulfilment == Fulfilment::Delivery && address.is_none() {
        return Err(Error::Invalid("a delivery needs an address".into()));
    }
    Ok(PreparedOrder {
        total: items.iter().map(|i| i.line_total).sum(),
        items,
        currency: catalog.currency.clone(),
        customer_name,
        phone,
        fulfilment: req.fulfilment,
        address,
        notes: clean_text("notes", req.notes, 500)?,
    })
}

impl PreparedOrder {
    /// The order, numbered, as placed during `call_id` at `now_ms`.
    pub fn into_order(self, number: u64, call_id: &str, now_ms: u64) -> Order {
        Order {
            id: crate::ids::new_id("ord"),
            number,
            total: self.total,
            items: self.items,
            currency: self.currency,
            customer_name: self.customer_name,
            phone: self.phone,
            fulfilment: self.fulfilment,
            address: self.address,
            notes: self.notes,
            status: OrderStatus::Received,
            call_id: call_id.to_string(),
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }
    }
}
