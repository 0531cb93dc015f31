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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderStatus {
    #[default]
    Received,
    Preparing,
    Ready,
    OutForDelivery,
    Completed,
    Cancelled,
}

/// An order as stored and priced by the host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlacedOrder {
    pub id: String,
    /// What was in it, in the tenant's language ("2 珍珠奶茶").
    pub items: Vec<(u32, String)>,
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
pub enum TicketKind {
    Return,
    Exchange,
    Complaint,
    Inquiry,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketStatus {
    Open,
    InProgress,
    Resolved,
    Closed,
}

/// A ticket as the host stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub number: u64,
    pub kind: TicketKind,
    pub order_number: Option<u64>,
    pub status: TicketStatus,
    /// How many hours from its opening it is due.
    pub due_in_hours: u64,
    /// The tenant's rules want a person to take it.
    pub needs_person: bool,
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
    /// One order of the tenant's, by id.
    fn order(&mut self, id: &str) -> Result<PlacedOrder, HostError>;
    /// Open a ticket for the caller (the host knows who they are).
    fn open_ticket(&mut self, kind: TicketKind, order_id: Option<&str>, description: &str) -> Result<Ticket, HostError>;
    /// The caller's tickets, newest first.
    fn my_tickets(&mut self, limit: u32) -> Result<Vec<Ticket>, HostError>;
    fn record_survey(&mut self, rating: Option<u8>, comment: Option<&str>) -> Result<(), HostError>;
    /// Put the caller on the do-not-call list.
    fn do_not_call(&mut self) -> Result<(), HostError>;
    /// A callback task at `at_ms` for the tenant's agents.
    fn schedule_callback(&mut self, at_ms: u64, note: &str) -> Result<(), HostError>;
    /// Now (ms since the epoch) and the tenant's UTC offset in minutes.
    fn now(&mut self) -> (u64, i32);
    /// Intents for the rest of the call, by example.
    fn add_intents(&mut self, intents: &[(&str, &[&str])]) -> Result<(), HostError>;
    fn log(&mut self, level: LogLevel, message: &str);
}
