//! Storage behind interfaces: one async repository trait per domain
//! ([`Tenants`], [`Catalogs`], [`Faqs`], [`Customers`], [`Orders`],
//! [`FlowVersions`], [`ApiKeys`], [`TenantState`], [`Calls`]), gathered in
//! [`Store`]. Every layer above holds a [`Db`] (`Arc<dyn Store>`) and never
//! knows which engine answers.
//!
//! The rules of keeping records (numbering, pricing an order in the transaction that
//! stores it, the hourly figures, the search index) are written once, in [`documents`],
//! over a small interface of ordered tables and transactions ([`engine`]). Two engines
//! answer it:
//!
//! - [`redb`]: one embedded file, the default;
//! - [`postgres`]: a PostgreSQL database that several nodes share.
//!
//! [`conformance`] is the suite every backend must pass: the same tests run against each.
//! [`open`] chooses the backend from the configuration.
//!
//! Every record belongs to a tenant, and every method that reads or writes a
//! tenant's records takes the tenant's id first: the caller (the API's key, the
//! call's scope) decides it, never the request's contents.

pub mod conformance;
pub mod documents;
pub mod engine;
pub mod postgres;
pub mod redb;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use switchboard_domain::api_keys::{ApiKey, KeyKind};
use switchboard_domain::audit::AuditEntry;
use switchboard_domain::calls::{CallQuery, CallRecord, CallSummary, UnheardTurn};
use switchboard_domain::campaigns::{Campaign, DoNotCall, Recipient, SurveyResponse};
use switchboard_domain::cases::Case;
use switchboard_domain::catalog::Catalog;
use switchboard_domain::customers::{Customer, CustomerInput};
use switchboard_domain::desk::{DeskLogin, DeskUser, FollowUp};
use switchboard_domain::faq::{FaqEntry, FaqInput};
use switchboard_domain::flows::FlowVersion;
use switchboard_domain::orders::{Order, OrderRequest, OrderStatus};
use switchboard_domain::stats::CallFigures;
use switchboard_domain::tenants::{Tenant, TenantPatch};
use switchboard_domain::tickets::{Ticket, TicketQuery};

/// What can go wrong in storage, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("storage did not answer within {0:?}")]
    Timeout(Duration),
    #[error("database error: {0}")]
    Database(String),
    #[error("corrupt record {key}: {source}")]
    Corrupt { key: String, source: serde_json::Error },
}

impl From<switchboard_domain::Error> for StorageError {
    fn from(e: switchboard_domain::Error) -> Self {
        use switchboard_domain::Error as E;
        match e {
            E::NotFound => StorageError::NotFound,
            E::Conflict(m) => StorageError::Conflict(m),
            E::Invalid(m) => StorageError::Invalid(m),
        }
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The store every layer holds. Cheap to clone.
pub type Db = Arc<dyn Store>;

/// Tenants and the numbers they answer.
#[async_trait]
pub trait Tenants: Send + Sync {
    /// Create a tenant. Its numbers must not belong to another tenant (`Conflict`).
    async fn create_tenant(&self, name: &str, patch: TenantPatch) -> Result<Tenant>;
    async fn tenant(&self, id: &str) -> Result<Tenant>;
    async fn tenants(&self) -> Result<Vec<Tenant>>;
    /// The tenant a dialled number belongs to, matched as a number
    /// ([`switchboard_domain::tenants::same_number`]). A number that several tenants'
    /// numbers match is refused (`None`), with the reason logged.
    async fn tenant_by_number(&self, number: &str) -> Result<Option<Tenant>>;
    /// Apply a patch; a refused patch changes nothing.
    async fn update_tenant(&self, id: &str, patch: TenantPatch) -> Result<Tenant>;
    /// Set the active flow version (the caller has checked the version exists).
    async fn set_active_flow(&self, id: &str, version: u32) -> Result<Tenant>;
}

/// A tenant's catalogue: one document, replaced whole.
#[async_trait]
pub trait Catalogs: Send + Sync {
    /// The catalogue, empty when none was stored.
    async fn catalog(&self, tenant: &str) -> Result<Catalog>;
    /// Validate and replace the catalogue.
    async fn put_catalog(&self, tenant: &str, catalog: &Catalog) -> Result<()>;
}

/// FAQ entries (search over them is `switchboard-knowledge`'s).
#[async_trait]
pub trait Faqs: Send + Sync {
    async fn faq_entries(&self, tenant: &str) -> Result<Vec<FaqEntry>>;
    async fn create_faq(&self, tenant: &str, input: FaqInput) -> Result<FaqEntry>;
    async fn update_faq(&self, tenant: &str, id: &str, input: FaqInput) -> Result<FaqEntry>;
    async fn delete_faq(&self, tenant: &str, id: &str) -> Result<()>;
}

/// Customers, found by phone number.
#[async_trait]
pub trait Customers: Send + Sync {
    async fn customers(&self, tenant: &str) -> Result<Vec<Customer>>;
    async fn customer_by_phone(&self, tenant: &str, phone: &str) -> Result<Option<Customer>>;
    /// Create the customer with this phone number, or update the one there is.
    async fn upsert_customer(&self, tenant: &str, input: CustomerInput) -> Result<Customer>;
}

/// Orders, priced against the catalogue by the domain's rules.
#[async_trait]
pub trait Orders: Send + Sync {
    /// Price the request against the tenant's catalogue and commit the order, its
    /// number and the customer in one transaction: when this returns, it is stored.
    async fn create_order(&self, tenant: &str, call_id: &str, req: OrderRequest, language: &str) -> Result<Order>;
    async fn order(&self, tenant: &str, id: &str) -> Result<Order>;
    async fn orders(&self, tenant: &str) -> Result<Vec<Order>>;
    /// The newest orders placed with this phone number, at most `limit`.
    async fn orders_by_phone(&self, tenant: &str, phone: &str, limit: usize) -> Result<Vec<Order>>;
    async fn update_order_status(&self, tenant: &str, id: &str, status: OrderStatus) -> Result<Order>;
}

/// Uploaded flow components, numbered per tenant from 1, never changed once stored.
#[async_trait]
pub trait FlowVersions: Send + Sync {
    async fn store_flow(&self, tenant: &str, bytes: &[u8], sha256: String) -> Result<FlowVersion>;
    async fn flow_versions(&self, tenant: &str) -> Result<Vec<FlowVersion>>;
    async fn flow_version(&self, tenant: &str, version: u32) -> Result<FlowVersion>;
    async fn flow_bytes(&self, tenant: &str, version: u32) -> Result<Vec<u8>>;
}

/// API keys; only a hash of a secret key is kept.
#[async_trait]
pub trait ApiKeys: Send + Sync {
    /// Create a key; the plain key is returned once.
    async fn create_api_key(&self, tenant_id: &str, kind: KeyKind) -> Result<(String, ApiKey)>;
    /// The key a plain secret is, if any.
    async fn api_key(&self, plain: &str) -> Result<Option<ApiKey>>;
    /// The tenant's public widget key, created on first use.
    async fn widget_key(&self, tenant_id: &str) -> Result<String>;
    async fn api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKey>>;
}

/// Durable key-value state a tenant's flow keeps.
#[async_trait]
pub trait TenantState: Send + Sync {
    async fn tenant_state_get(&self, tenant: &str, key: &str) -> Result<Option<String>>;
    async fn tenant_state_set(&self, tenant: &str, key: &str, value: &str) -> Result<()>;
}

/// Call records, saved after every turn, and the indexes kept as calls end.
#[async_trait]
pub trait Calls: Send + Sync {
    /// Save a call's record. When it has ended, in the same transaction: its figures are
    /// added to its hour (replacing what an earlier save of the ended call added), and its
    /// transcript is indexed for search.
    async fn save_call(&self, record: &CallRecord) -> Result<()>;
    async fn call(&self, tenant: &str, id: &str) -> Result<CallRecord>;
    /// The calls a query wants, newest first.
    async fn calls(&self, tenant: &str, query: &CallQuery) -> Result<Vec<CallSummary>>;
    /// The figures of the hours from `from_hour_ms` (an hour's start) up to `to_ms`,
    /// for hours that have any.
    async fn call_figures(&self, tenant: &str, from_hour_ms: u64, to_ms: u64) -> Result<Vec<(u64, CallFigures)>>;
    /// Caller turns the bot may have failed ([`switchboard_domain::calls::unheard_turns`]) of
    /// the calls that ended from `from_ms` up to `to_ms`, newest first, at most `limit`.
    async fn unheard_turns(&self, tenant: &str, from_ms: u64, to_ms: u64, limit: usize) -> Result<Vec<UnheardTurn>>;
}

/// Test cases made of past calls.
#[async_trait]
pub trait Cases: Send + Sync {
    /// Keep a case; a tenant keeps at most [`switchboard_domain::cases::MAX_CASES`].
    async fn save_case(&self, tenant: &str, case: &Case) -> Result<()>;
    /// A tenant's cases, oldest first.
    async fn cases(&self, tenant: &str) -> Result<Vec<Case>>;
    async fn delete_case(&self, tenant: &str, id: &str) -> Result<bool>;
}

/// The audit log of changes made through the API and the console.
#[async_trait]
pub trait Audit: Send + Sync {
    async fn record_change(&self, tenant: &str, entry: &AuditEntry) -> Result<()>;
    /// A tenant's changes, newest first, at most `limit`.
    async fn changes(&self, tenant: &str, limit: usize) -> Result<Vec<AuditEntry>>;
}

/// The agent desk's people and the follow-ups they leave.
///
/// [`DeskUserInput::into_user`]: switchboard_domain::desk::DeskUserInput::into_user
#[async_trait]
pub trait Desk: Send + Sync {
    /// A new desk user (made by [`DeskUserInput::into_user`]); its login must be free across
    /// the instance (`Conflict` otherwise).
    async fn create_desk_user(&self, user: &DeskUser, login: &DeskLogin) -> Result<()>;
    async fn desk_users(&self, tenant: &str) -> Result<Vec<DeskUser>>;
    async fn desk_user(&self, tenant: &str, id: &str) -> Result<DeskUser>;
    /// How the user with this login (any case) signs in, if there is one.
    async fn desk_login(&self, login: &str) -> Result<Option<DeskLogin>>;
    async fn delete_desk_user(&self, tenant: &str, id: &str) -> Result<bool>;
    /// Keep (or replace) a follow-up task.
    async fn save_follow_up(&self, task: &FollowUp) -> Result<()>;
    /// A tenant's follow-ups, soonest due first.
    async fn follow_ups(&self, tenant: &str) -> Result<Vec<FollowUp>>;
}

/// Tickets after the sale.
#[async_trait]
pub trait Tickets: Send + Sync {
    /// Open a ticket, numbering it per tenant from 5001 (the number given is ignored).
    async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket>;
    async fn ticket(&self, tenant: &str, id: &str) -> Result<Ticket>;
    /// The tenant's tickets that match, newest first.
    async fn tickets(&self, tenant: &str, query: &TicketQuery) -> Result<Vec<Ticket>>;
    /// Keep a changed ticket (it must exist).
    async fn save_ticket(&self, ticket: &Ticket) -> Result<()>;
}

/// Outbound campaigns, their recipients, the do-not-call list and survey answers.
///
/// Pending recipients are indexed by when they are due, so that the scheduler reads only
/// the ones whose time has come however many wait.
#[async_trait]
pub trait Outreach: Send + Sync {
    /// Keep a new campaign with its recipients, in one transaction.
    async fn create_campaign(&self, campaign: &Campaign, recipients: &[Recipient]) -> Result<()>;
    /// Add recipients to a campaign (numbered from its current count).
    async fn add_recipients(&self, tenant: &str, campaign_id: &str, recipients: Vec<Recipient>) -> Result<Campaign>;
    async fn campaign(&self, tenant: &str, id: &str) -> Result<Campaign>;
    /// The tenant's campaigns, newest first.
    async fn campaigns(&self, tenant: &str) -> Result<Vec<Campaign>>;
    /// Campaigns of every tenant that are running.
    async fn running_campaigns(&self) -> Result<Vec<Campaign>>;
    async fn save_campaign(&self, campaign: &Campaign) -> Result<()>;
    /// A campaign's recipients, in order.
    async fn recipients(&self, tenant: &str, campaign_id: &str) -> Result<Vec<Recipient>>;
    async fn recipient(&self, tenant: &str, campaign_id: &str, index: u32) -> Result<Recipient>;
    /// Keep a recipient's new state (and its place in the due index).
    async fn save_recipient(&self, tenant: &str, recipient: &Recipient) -> Result<()>;
    /// Keep `recipient`, now dialling with one more attempt, only if the stored recipient is
    /// still pending with one attempt fewer: `false` when someone (another node's scheduler)
    /// claimed it first, and nothing is written.
    async fn claim_recipient(&self, tenant: &str, recipient: &Recipient) -> Result<bool>;
    /// Pending recipients due at or before `now_ms`, soonest first, at most `limit`.
    async fn due_recipients(
        &self,
        tenant: &str,
        campaign_id: &str,
        now_ms: u64,
        limit: usize,
    ) -> Result<Vec<Recipient>>;
    /// When the campaign's next pending recipient is due, if any is.
    async fn next_due(&self, tenant: &str, campaign_id: &str) -> Result<Option<u64>>;
    async fn add_do_not_call(&self, tenant: &str, entry: &DoNotCall) -> Result<()>;
    async fn remove_do_not_call(&self, tenant: &str, phone: &str) -> Result<bool>;
    async fn do_not_call(&self, tenant: &str, phone: &str) -> Result<Option<DoNotCall>>;
    async fn do_not_calls(&self, tenant: &str) -> Result<Vec<DoNotCall>>;
    async fn save_survey(&self, response: &SurveyResponse) -> Result<()>;
    /// The tenant's survey answers (of one campaign), oldest first.
    async fn surveys(&self, tenant: &str, campaign_id: Option<&str>) -> Result<Vec<SurveyResponse>>;
}

/// A place among a tenant's calls at once, held by the node carrying the call. It is a
/// lease: the node renews it while the call lasts, so that the places of a node that
/// stopped without giving them back (killed) expire.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallPlace {
    pub tenant_id: String,
    /// Which limit it counts against: `calls` (every call), `browser`, `campaign`.
    pub kind: String,
    pub call_id: String,
    pub node: String,
    pub expires_at_ms: u64,
}

/// A tenant's calls at once, counted across every node that shares the store.
#[async_trait]
pub trait CallPlaces: Send + Sync {
    /// Take `place` if the tenant holds fewer than `limit` unexpired places of its kind at
    /// `now_ms` (several nodes asking at once cannot overshoot): whether it was taken.
    async fn take_call_place(&self, place: &CallPlace, limit: u32, now_ms: u64) -> Result<bool>;
    async fn release_call_place(&self, tenant: &str, kind: &str, call_id: &str) -> Result<()>;
    /// Extend every place `node` holds to `until_ms`; how many it holds.
    async fn renew_call_places(&self, node: &str, until_ms: u64) -> Result<usize>;
    /// The unexpired places a tenant holds of a kind.
    async fn count_call_places(&self, tenant: &str, kind: &str, now_ms: u64) -> Result<usize>;
}

/// A change one node made that the others must hear of, for what they keep in memory.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A tenant's new calls now run this flow version.
    FlowActivated { tenant: String, version: u32 },
}

/// Changes committed by any node that shares this store.
pub trait Changes: Send + Sync {
    /// Every change committed from now on, by any node (this one included), in commit
    /// order. The embedded store has one node, whose own memory is already up to date:
    /// it sends nothing.
    fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<Change>;
}

/// Everything Switchboard keeps: the interface a backend implements.
pub trait Store:
    Tenants
    + Catalogs
    + Faqs
    + Customers
    + Orders
    + FlowVersions
    + ApiKeys
    + TenantState
    + Calls
    + Cases
    + Audit
    + Desk
    + Tickets
    + Outreach
    + CallPlaces
    + Changes
{
}

impl<T> Store for T where
    T: Tenants
        + Catalogs
        + Faqs
        + Customers
        + Orders
        + FlowVersions
        + ApiKeys
        + TenantState
        + Calls
        + Cases
        + Audit
        + Desk
        + Tickets
        + Outreach
        + CallPlaces
        + Changes
{
}

/// Open the store the configuration names: a PostgreSQL database when `database` is a
/// `postgres://` (or `postgresql://`) URL, else the embedded default, a redb file at
/// `data_dir/switchboard.redb`.
pub fn open(database: Option<&str>, data_dir: &std::path::Path) -> anyhow::Result<Db> {
    match database.map(str::trim).filter(|d| !d.is_empty()) {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(postgres::PostgresStore::connect(url)?))
        }
        Some(other) => anyhow::bail!(
            "the database `{}` is not a postgres:// URL (leave it out for the embedded file)",
            postgres::redact(other)
        ),
        None => open_redb(&data_dir.join("switchboard.redb")),
    }
}

/// Open the embedded default: a redb file at `path`.
pub fn open_redb(path: &std::path::Path) -> anyhow::Result<Db> {
    Ok(Arc::new(redb::RedbStore::open(path)?))
}
