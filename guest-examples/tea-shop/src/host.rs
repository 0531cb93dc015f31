//! What the dialog needs from Switchboard, as a small trait over plain Rust
//! types. `lib.rs` implements it with the WIT imports; tests implement it
//! with a fake, so the whole conversation runs natively.

use switchboard_understand::{Analysis, Catalog, Fulfilment};

/// Why a capability call failed (the WIT `error`, flattened to text for logs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError(pub String);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Customer {
    pub name: String,
    pub phone: String,
    pub address: Option<String>,
    pub blocked: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FaqHit {
    pub answer: String,
    /// `zh`, `en`, ...
    pub language: String,
    pub score: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Received,
    Preparing,
    Ready,
    OutForDelivery,
    Completed,
    Cancelled,
}

/// An order as stored and priced by the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedOrder {
    pub number: u64,
    pub total: u32,
    pub currency: String,
    pub status: OrderStatus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderItem {
    pub product_id: String,
    pub size_id: String,
    pub quantity: u32,
    /// (group id, choice id)
    pub options: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    pub items: Vec<OrderItem>,
    pub customer_name: String,
    /// Empty means the caller's number.
    pub phone: String,
    pub fulfilment: Fulfilment,
    pub address: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
}

/// The tenant capabilities the dialog uses.
pub trait Host {
    fn catalog(&mut self) -> Result<Catalog, HostError>;
    fn lookup_customer(&mut self, phone: &str) -> Result<Option<Customer>, HostError>;
    fn search_faq(&mut self, query: &str, language: &str, limit: u32) -> Result<Vec<FaqHit>, HostError>;
    fn create_order(&mut self, request: &OrderRequest) -> Result<PlacedOrder, HostError>;
    fn orders_by_phone(&mut self, phone: &str, limit: u32) -> Result<Vec<PlacedOrder>, HostError>;
    /// What the caller's turn meant, read by the host against the tenant's catalogue and
    /// the expectation the flow declared with its last gather.
    fn analyse(&mut self, text: &str) -> Result<Analysis, HostError>;
    fn log(&mut self, level: LogLevel, message: &str);
}
