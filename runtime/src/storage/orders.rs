//! Orders: priced by the host from the tenant's catalogue (never from the flow),
//! committed with the customer record in one transaction, then reported.

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use super::customers::normalize_phone;
use super::{COUNTERS, CUSTOMER_PHONES, CUSTOMERS, Db, ORDER_PHONES, ORDERS, Result, StorageError, key, prefix};
use crate::ids;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChosenOption {
    pub group: String,
    pub choice: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemRequest {
    pub product_id: String,
    pub size_id: String,
    pub quantity: u32,
    pub options: Vec<ChosenOption>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderRequest {
    pub items: Vec<ItemRequest>,
    pub customer_name: String,
    pub phone: String,
    pub fulfilment: Fulfilment,
    pub address: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Received,
    Preparing,
    Ready,
    OutForDelivery,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderItem {
    pub product_id: String,
    pub product_name: String,
    pub size_id: String,
    pub quantity: u32,
    pub options: Vec<ChosenOption>,
    pub unit_price: u32,
    pub line_total: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    let bad = |m: String| Err(StorageError::Invalid(m));
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

fn clean_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>> {
    match value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > max => {
            Err(StorageError::Invalid(format!("{field} is longer than {max} characters")))
        }
        v => Ok(v),
    }
}

impl Db {
    /// Validate, price and durably store an order placed during `call_id`.
    /// The customer record for the phone number is created or refreshed in the same transaction.
    pub fn create_order(&self, tenant: &str, call_id: &str, req: OrderRequest, language: &str) -> Result<Order> {
        use redb::ReadableTable;
        let catalog = self.catalog(tenant)?;
        let items = price_items(&catalog, &req.items, language)?;
        let name = clean_text("customer_name", Some(req.customer_name), 100)?
            .ok_or_else(|| StorageError::Invalid("customer_name is required".into()))?;
        let phone = normalize_phone(&req.phone);
        if phone.len() < 3 || phone.len() > 20 {
            return Err(StorageError::Invalid(format!("`{}` is not a phone number", req.phone)));
        }
        let address = clean_text("address", req.address, 300)?;
        if req.fulfilment == Fulfilment::Delivery && address.is_none() {
            return Err(StorageError::Invalid("a delivery needs an address".into()));
        }
        let notes = clean_text("notes", req.notes, 500)?;
        let now = ids::now_ms();

        let txn = self.raw().begin_write()?;
        let order = {
            let mut counters = txn.open_table(COUNTERS)?;
            let ck = key(tenant, "order_number");
            let last: u64 = match counters.get(ck.as_str())? {
                Some(v) => super::decode(&ck, v.value())?,
                None => 1000,
            };
            counters.insert(ck.as_str(), super::encode(&(last + 1)).as_slice())?;
            let order = Order {
                id: ids::new_id("ord"),
                number: last + 1,
                total: items.iter().map(|i| i.line_total).sum(),
                items,
                currency: catalog.currency.clone(),
                customer_name: name.clone(),
                phone: phone.clone(),
                fulfilment: req.fulfilment,
                address: address.clone(),
                notes,
                status: OrderStatus::Received,
                call_id: call_id.to_string(),
                created_at_ms: now,
                updated_at_ms: now,
            };
            txn.open_table(ORDERS)?.insert(key(tenant, &order.id).as_str(), super::encode(&order).as_slice())?;
            txn.open_table(ORDER_PHONES)?
                .insert(key(tenant, &format!("{phone}/{}", order.id)).as_str(), super::encode(&order.id).as_slice())?;

            // Remember the caller for next time (greeting by name, address on file),
            // keeping an existing record's id, blocklist flag and notes.
            let mut phones = txn.open_table(CUSTOMER_PHONES)?;
            let mut customers = txn.open_table(CUSTOMERS)?;
            let pk = key(tenant, &phone);
            let existing_id: Option<String> = match phones.get(pk.as_str())? {
                Some(v) => Some(super::decode(&pk, v.value())?),
                None => None,
            };
            let existing: Option<super::customers::Customer> = match &existing_id {
                Some(id) => match customers.get(key(tenant, id).as_str())? {
                    Some(v) => Some(super::decode(id, v.value())?),
                    None => None,
                },
                None => None,
            };
            let customer = super::customers::Customer {
                id: existing.as_ref().map(|c| c.id.clone()).unwrap_or_else(|| ids::new_id("cus")),
                name,
                phone: phone.clone(),
                address: address.or(existing.as_ref().and_then(|c| c.address.clone())),
                blocked: existing.as_ref().is_some_and(|c| c.blocked),
                notes: existing.as_ref().and_then(|c| c.notes.clone()),
                created_at_ms: existing.as_ref().map(|c| c.created_at_ms).unwrap_or(now),
            };
            customers.insert(key(tenant, &customer.id).as_str(), super::encode(&customer).as_slice())?;
            phones.insert(pk.as_str(), super::encode(&customer.id).as_slice())?;
            order
        };
        txn.commit()?;
        Ok(order)
    }

    pub fn order(&self, tenant: &str, id: &str) -> Result<Order> {
        self.get(ORDERS, &key(tenant, id))?.ok_or(StorageError::NotFound)
    }

    /// All of a tenant's orders, newest first.
    pub fn orders(&self, tenant: &str) -> Result<Vec<Order>> {
        let mut all: Vec<Order> = self.scan(ORDERS, &prefix(tenant))?;
        all.reverse();
        Ok(all)
    }

    /// The newest orders placed from a phone number.
    pub fn orders_by_phone(&self, tenant: &str, phone: &str, limit: usize) -> Result<Vec<Order>> {
        let phone = normalize_phone(phone);
        if phone.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = self.scan(ORDER_PHONES, &key(tenant, &format!("{phone}/")))?;
        ids.iter().rev().take(limit).map(|id| self.order(tenant, id)).collect()
    }

    pub fn update_order_status(&self, tenant: &str, id: &str, status: OrderStatus) -> Result<Order> {
        use redb::ReadableTable;
        let k = key(tenant, id);
        let txn = self.raw().begin_write()?;
        let order = {
            let mut t = txn.open_table(ORDERS)?;
            let mut order: Order = match t.get(k.as_str())? {
                Some(v) => super::decode(&k, v.value())?,
                None => return Err(StorageError::NotFound),
            };
            order.status = status;
            order.updated_at_ms = ids::now_ms();
            t.insert(k.as_str(), super::encode(&order).as_slice())?;
            order
        };
        txn.commit()?;
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(items: Vec<ItemRequest>) -> OrderRequest {
        OrderRequest {
            items,
            customer_name: "王小明".into(),
            phone: "0912-345-678".into(),
            fulfilment: Fulfilment::Pickup,
            address: None,
            notes: None,
        }
    }

    fn item(product: &str, size: &str, quantity: u32) -> ItemRequest {
        let options = vec![ChosenOption { group: "sugar".into(), choice: "half".into() }];
        ItemRequest { product_id: product.into(), size_id: size.into(), quantity, options }
    }

    #[test]
    fn orders_are_priced_from_the_catalogue_and_indexed_by_phone() {
        let (db, _d) = super::super::test_db();
        db.put_catalog("t1", &serde_json::from_str(crate::demo::CATALOG_JSON).unwrap()).unwrap();
        let o = db
            .create_order(
                "t1",
                "call_1",
                request(vec![item("bubble-milk-tea", "L", 2), item("black-tea", "M", 1)]),
                "zh",
            )
            .unwrap();
        assert_eq!(o.total, 2 * 60 + 30);
        assert_eq!(o.number, 1001);
        assert_eq!(o.items[0].product_name, "珍珠奶茶");
        let found = db.orders_by_phone("t1", "0912345678", 5).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(db.customer_by_phone("t1", "0912345678").unwrap().unwrap().name, "王小明");
        assert!(db.orders_by_phone("t2", "0912345678", 5).unwrap().is_empty());
    }

    #[test]
    fn bad_items_are_rejected_and_nothing_is_stored() {
        let (db, _d) = super::super::test_db();
        db.put_catalog("t1", &serde_json::from_str(crate::demo::CATALOG_JSON).unwrap()).unwrap();
        for bad in [item("espresso", "M", 1), item("black-tea", "XL", 1), item("black-tea", "M", 0)] {
            assert!(db.create_order("t1", "c", request(vec![bad]), "en").is_err());
        }
        let mut wrong_option = item("mango-smoothie", "M", 1);
        wrong_option.options = vec![ChosenOption { group: "ice".into(), choice: "less".into() }];
        assert!(db.create_order("t1", "c", request(vec![wrong_option]), "en").is_err());
        assert!(db.orders("t1").unwrap().is_empty());
    }
}
