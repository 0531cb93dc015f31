//! The embedded default: one redb file in the data directory.
//!
//! Every record is a JSON document in a table keyed by `tenant_id/record_id`, so
//! a tenant's records are one contiguous key range and no query can wander into
//! another tenant's. redb is synchronous: each trait method moves its work to
//! the blocking pool with a deadline ([`RedbStore::run`]).

mod api_keys;
mod calls;
mod cases;
mod catalog;
mod customers;
mod desk;
mod faq;
mod flows;
mod orders;
mod outreach;
mod tenant_state;
mod tickets;
mod tenants;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Result, StorageError};

/// Table of JSON documents: key → JSON bytes.
pub(crate) type DocTable = TableDefinition<'static, &'static str, &'static [u8]>;

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StorageError {
            fn from(e: $t) -> Self { StorageError::Database(e.to_string()) }
        }
    )*};
}
from_redb!(redb::Error, redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError, redb::DatabaseError);

/// The redb store. Cheap to clone.
#[derive(Clone)]
pub struct RedbStore {
    inner: Arc<redb::Database>,
}

/// How long an async caller waits for one storage operation.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2);

impl RedbStore {
    /// Open (or create) the database file at `path`, creating every table.
    pub fn open(path: &Path) -> anyhow::Result<RedbStore> {
        use anyhow::Context;
        let db = redb::Database::create(path).with_context(|| format!("opening database {}", path.display()))?;
        let txn = db.begin_write().context("creating tables")?;
        for table in ALL_TABLES {
            txn.open_table(*table).context("creating tables")?;
        }
        txn.commit().context("creating tables")?;
        Ok(RedbStore { inner: Arc::new(db) })
    }

    /// Run blocking storage work on the blocking pool, with a deadline.
    async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&RedbStore) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        let task = tokio::task::spawn_blocking(move || work(&db));
        match tokio::time::timeout(DEFAULT_DEADLINE, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(StorageError::Invalid(format!("storage task failed: {join}"))),
            Err(_) => Err(StorageError::Timeout(DEFAULT_DEADLINE)),
        }
    }

    pub(crate) fn raw(&self) -> &redb::Database {
        &self.inner
    }

    /// Read one document.
    pub(crate) fn get<T: DeserializeOwned>(&self, table: DocTable, key: &str) -> Result<Option<T>> {
        let txn = self.inner.begin_read()?;
        let t = txn.open_table(table)?;
        match t.get(key)? {
            Some(v) => Ok(Some(decode(key, v.value())?)),
            None => Ok(None),
        }
    }

    /// Write one document in its own transaction.
    pub(crate) fn put<T: Serialize>(&self, table: DocTable, key: &str, value: &T) -> Result<()> {
        let txn = self.inner.begin_write()?;
        {
            let mut t = txn.open_table(table)?;
            t.insert(key, encode(value).as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Every document whose key starts with `prefix`, in key order.
    pub(crate) fn scan<T: DeserializeOwned>(&self, table: DocTable, prefix: &str) -> Result<Vec<T>> {
        let txn = self.inner.begin_read()?;
        let t = txn.open_table(table)?;
        scan_table(&t, prefix)
    }

    /// Delete one document; whether it existed.
    pub(crate) fn delete(&self, table: DocTable, key: &str) -> Result<bool> {
        let txn = self.inner.begin_write()?;
        let existed = {
            let mut t = txn.open_table(table)?;
            t.remove(key)?.is_some()
        };
        txn.commit()?;
        Ok(existed)
    }
}

pub(crate) fn scan_table<T: DeserializeOwned>(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    prefix: &str,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for entry in t.range(prefix..)? {
        let (k, v) = entry?;
        let key = k.value();
        if !key.starts_with(prefix) {
            break;
        }
        out.push(decode(key, v.value())?);
    }
    Ok(out)
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own plain structs to JSON cannot fail.
    serde_json::to_vec(value).expect("record serialises to JSON")
}

pub(crate) fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| StorageError::Corrupt { key: key.to_string(), source })
}

/// `tenant/id`: the key of a tenant-owned record.
pub(crate) fn key(tenant: &str, id: &str) -> String {
    format!("{tenant}/{id}")
}

/// `tenant/`: the prefix of all of a tenant's records in a table.
pub(crate) fn prefix(tenant: &str) -> String {
    format!("{tenant}/")
}

pub(crate) const TENANTS: DocTable = TableDefinition::new("tenants");
pub(crate) const NUMBERS: DocTable = TableDefinition::new("numbers");
pub(crate) const API_KEYS: DocTable = TableDefinition::new("api_keys");
pub(crate) const FLOWS: DocTable = TableDefinition::new("flows");
pub(crate) const FLOW_BLOBS: DocTable = TableDefinition::new("flow_blobs");
pub(crate) const CATALOGS: DocTable = TableDefinition::new("catalogs");
pub(crate) const FAQ: DocTable = TableDefinition::new("faq");
pub(crate) const CUSTOMERS: DocTable = TableDefinition::new("customers");
pub(crate) const CUSTOMER_PHONES: DocTable = TableDefinition::new("customer_phones");
pub(crate) const ORDERS: DocTable = TableDefinition::new("orders");
pub(crate) const ORDER_PHONES: DocTable = TableDefinition::new("order_phones");
pub(crate) const COUNTERS: DocTable = TableDefinition::new("counters");
pub(crate) const CALLS: DocTable = TableDefinition::new("calls");
pub(crate) const TENANT_STATE: DocTable = TableDefinition::new("tenant_state");
/// `tenant/hour`: the figures of the calls that ended in that hour.
pub(crate) const CALL_STATS: DocTable = TableDefinition::new("call_stats");
/// `tenant/ended_at/call_id/turn`: caller turns the bot may have failed, by when the call ended.
pub(crate) const UNHEARD: DocTable = TableDefinition::new("unheard_turns");
/// `tenant/at/id`: the audit log.
pub(crate) const AUDIT: DocTable = TableDefinition::new("audit");
/// `tenant/case_id`: test cases made of past calls.
pub(crate) const CASES: DocTable = TableDefinition::new("cases");
/// `tenant/user_id`: desk users.
pub(crate) const DESK_USERS: DocTable = TableDefinition::new("desk_users");
/// `login`: how a desk user signs in (tenant, user, password hash).
pub(crate) const DESK_LOGINS: DocTable = TableDefinition::new("desk_logins");
/// `tenant/task_id`: follow-ups agents leave after calls.
pub(crate) const FOLLOW_UPS: DocTable = TableDefinition::new("follow_ups");
/// `tenant/ticket_id`: after-sales tickets.
pub(crate) const TICKETS: DocTable = TableDefinition::new("tickets");
/// `tenant/campaign_id`: outbound campaigns.
pub(crate) const CAMPAIGNS: DocTable = TableDefinition::new("campaigns");
/// `tenant/campaign_id/index`: a campaign's recipients.
pub(crate) const RECIPIENTS: DocTable = TableDefinition::new("campaign_recipients");
/// `tenant/campaign_id/next_at/index`: pending recipients by when they are due (value empty).
pub(crate) const CAMPAIGN_DUE: DocTable = TableDefinition::new("campaign_due");
/// `tenant/number`: the do-not-call list.
pub(crate) const DO_NOT_CALL: DocTable = TableDefinition::new("do_not_call");
/// `tenant/at/id`: survey answers.
pub(crate) const SURVEYS: DocTable = TableDefinition::new("surveys");
/// `tenant/term/call_id`: the calls whose transcript has a term (value empty).
pub(crate) const CALL_TERMS: DocTable = TableDefinition::new("call_terms");

const ALL_TABLES: &[DocTable] = &[
    TENANTS,
    NUMBERS,
    API_KEYS,
    FLOWS,
    FLOW_BLOBS,
    CATALOGS,
    FAQ,
    CUSTOMERS,
    CUSTOMER_PHONES,
    ORDERS,
    ORDER_PHONES,
    COUNTERS,
    CALLS,
    TENANT_STATE,
    CALL_STATS,
    CALL_TERMS,
    CASES,
    UNHEARD,
    AUDIT,
    DESK_USERS,
    DESK_LOGINS,
    FOLLOW_UPS,
    TICKETS,
    CAMPAIGNS,
    RECIPIENTS,
    CAMPAIGN_DUE,
    DO_NOT_CALL,
    SURVEYS,
];

/// A store in a throwaway directory, removed when the guard drops: for tests at every layer.
pub fn temporary() -> (crate::Db, TempDir) {
    let dir = TempDir::new();
    let db = RedbStore::open(&dir.path().join("test.redb")).expect("open a temporary store");
    (Arc::new(db), dir)
}

/// A throwaway directory, removed on drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let p = std::env::temp_dir().join(switchboard_domain::ids::new_id("sbtest"));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

mod interfaces {
    //! The storage interfaces, answered on the blocking pool.

    use async_trait::async_trait;
    use switchboard_domain::api_keys::{ApiKey, KeyKind};
    use switchboard_domain::calls::{CallQuery, CallRecord, CallSummary, UnheardTurn};
    use switchboard_domain::audit::AuditEntry;
    use switchboard_domain::cases::Case;
    use switchboard_domain::campaigns::{Campaign, CampaignState, DoNotCall, Recipient, SurveyResponse, dnc_key};
    use switchboard_domain::desk::{DeskLogin, DeskUser, FollowUp};
    use switchboard_domain::stats::CallFigures;
    use switchboard_domain::tickets::{Ticket, TicketQuery};
    use switchboard_domain::catalog::Catalog;
    use switchboard_domain::customers::{Customer, CustomerInput};
    use switchboard_domain::faq::{FaqEntry, FaqInput};
    use switchboard_domain::flows::FlowVersion;
    use switchboard_domain::orders::{Order, OrderRequest, OrderStatus};
    use switchboard_domain::tenants::{Tenant, TenantPatch};

    use super::RedbStore;
    use crate::Result;

    /// `s(x)`: an owned copy of a borrowed argument, for the blocking task.
    fn s(x: &str) -> String {
        x.to_owned()
    }

    #[async_trait]
    impl crate::Audit for RedbStore {
        async fn record_change(&self, tenant: &str, entry: &AuditEntry) -> Result<()> {
            let (key, entry) = (format!("{tenant}/{:015}/{}", entry.at_ms, entry.id), entry.clone());
            self.run(move |db| db.put(super::AUDIT, &key, &entry)).await
        }
        async fn changes(&self, tenant: &str, limit: usize) -> Result<Vec<AuditEntry>> {
            let prefix = format!("{tenant}/");
            self.run(move |db| {
                let mut all: Vec<AuditEntry> = db.scan(super::AUDIT, &prefix)?;
                all.reverse();
                all.truncate(limit);
                Ok(all)
            })
            .await
        }
    }

    #[async_trait]
    impl crate::Desk for RedbStore {
        async fn create_desk_user(&self, user: &DeskUser, login: &DeskLogin) -> Result<()> {
            let (user, login) = (user.clone(), login.clone());
            self.run(move |db| db.create_desk_user(&user, &login)).await
        }
        async fn desk_users(&self, tenant: &str) -> Result<Vec<DeskUser>> {
            let prefix = format!("{tenant}/");
            self.run(move |db| db.scan(super::DESK_USERS, &prefix)).await
        }
        async fn desk_user(&self, tenant: &str, id: &str) -> Result<DeskUser> {
            let key = format!("{tenant}/{id}");
            self.run(move |db| db.get(super::DESK_USERS, &key)?.ok_or(crate::StorageError::NotFound)).await
        }
        async fn desk_login(&self, login: &str) -> Result<Option<DeskLogin>> {
            let login = login.to_lowercase();
            self.run(move |db| db.get(super::DESK_LOGINS, &login)).await
        }
        async fn delete_desk_user(&self, tenant: &str, id: &str) -> Result<bool> {
            let (tenant, id) = (s(tenant), s(id));
            self.run(move |db| db.delete_desk_user(&tenant, &id)).await
        }
        async fn save_follow_up(&self, task: &FollowUp) -> Result<()> {
            let (key, task) = (format!("{}/{}", task.tenant_id, task.id), task.clone());
            self.run(move |db| db.put(super::FOLLOW_UPS, &key, &task)).await
        }
        async fn follow_ups(&self, tenant: &str) -> Result<Vec<FollowUp>> {
            let prefix = format!("{tenant}/");
            self.run(move |db| {
                let mut all: Vec<FollowUp> = db.scan(super::FOLLOW_UPS, &prefix)?;
                all.sort_by_key(|t| (t.done, t.due_at_ms));
                Ok(all)
            })
            .await
        }
    }

    #[async_trait]
    impl crate::Tickets for RedbStore {
        async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket> {
            let ticket = ticket.clone();
            self.run(move |db| db.create_ticket(&ticket)).await
        }
        async fn ticket(&self, tenant: &str, id: &str) -> Result<Ticket> {
            let key = format!("{tenant}/{id}");
            self.run(move |db| db.get(super::TICKETS, &key)?.ok_or(crate::StorageError::NotFound)).await
        }
        async fn tickets(&self, tenant: &str, query: &TicketQuery) -> Result<Vec<Ticket>> {
            let (tenant, query) = (s(tenant), query.clone());
            self.run(move |db| db.tickets(&tenant, &query)).await
        }
        async fn save_ticket(&self, ticket: &Ticket) -> Result<()> {
            let ticket = ticket.clone();
            self.run(move |db| db.save_ticket(&ticket)).await
        }
    }

    #[async_trait]
    impl crate::Outreach for RedbStore {
        async fn create_campaign(&self, campaign: &Campaign, recipients: &[Recipient]) -> Result<()> {
            let (campaign, recipients) = (campaign.clone(), recipients.to_vec());
            self.run(move |db| db.create_campaign(&campaign, &recipients)).await
        }
        async fn add_recipients(&self, tenant: &str, campaign_id: &str, recipients: Vec<Recipient>) -> Result<Campaign> {
            let (tenant, campaign_id) = (s(tenant), s(campaign_id));
            self.run(move |db| db.add_recipients(&tenant, &campaign_id, recipients)).await
        }
        async fn campaign(&self, tenant: &str, id: &str) -> Result<Campaign> {
            let key = format!("{tenant}/{id}");
            self.run(move |db| db.get(super::CAMPAIGNS, &key)?.ok_or(crate::StorageError::NotFound)).await
        }
        async fn campaigns(&self, tenant: &str) -> Result<Vec<Campaign>> {
            let tenant = s(tenant);
            self.run(move |db| db.campaigns_of(&tenant)).await
        }
        async fn running_campaigns(&self) -> Result<Vec<Campaign>> {
            self.run(move |db| {
                let all: Vec<Campaign> = db.scan(super::CAMPAIGNS, "")?;
                Ok(all.into_iter().filter(|c| c.state == CampaignState::Running).collect())
            })
            .await
        }
        async fn save_campaign(&self, campaign: &Campaign) -> Result<()> {
            let (key, campaign) = (format!("{}/{}", campaign.tenant_id, campaign.id), campaign.clone());
            self.run(move |db| db.put(super::CAMPAIGNS, &key, &campaign)).await
        }
        async fn recipients(&self, tenant: &str, campaign_id: &str) -> Result<Vec<Recipient>> {
            let prefix = format!("{tenant}/{campaign_id}/");
            self.run(move |db| db.scan(super::RECIPIENTS, &prefix)).await
        }
        async fn recipient(&self, tenant: &str, campaign_id: &str, index: u32) -> Result<Recipient> {
            let key = format!("{tenant}/{campaign_id}/{index:08}");
            self.run(move |db| db.get(super::RECIPIENTS, &key)?.ok_or(crate::StorageError::NotFound)).await
        }
        async fn save_recipient(&self, tenant: &str, recipient: &Recipient) -> Result<()> {
            let (tenant, recipient) = (s(tenant), recipient.clone());
            self.run(move |db| db.save_recipient(&tenant, &recipient)).await
        }
        async fn due_recipients(&self, tenant: &str, campaign_id: &str, now_ms: u64, limit: usize) -> Result<Vec<Recipient>> {
            let (tenant, campaign_id) = (s(tenant), s(campaign_id));
            self.run(move |db| db.due_recipients(&tenant, &campaign_id, now_ms, limit)).await
        }
        async fn next_due(&self, tenant: &str, campaign_id: &str) -> Result<Option<u64>> {
            let (tenant, campaign_id) = (s(tenant), s(campaign_id));
            self.run(move |db| db.next_due(&tenant, &campaign_id)).await
        }
        async fn add_do_not_call(&self, tenant: &str, entry: &DoNotCall) -> Result<()> {
            let mut entry = entry.clone();
            entry.phone = dnc_key(&entry.phone);
            let key = format!("{tenant}/{}", entry.phone);
            self.run(move |db| db.put(super::DO_NOT_CALL, &key, &entry)).await
        }
        async fn remove_do_not_call(&self, tenant: &str, phone: &str) -> Result<bool> {
            let key = format!("{tenant}/{}", dnc_key(phone));
            self.run(move |db| db.delete(super::DO_NOT_CALL, &key)).await
        }
        async fn do_not_call(&self, tenant: &str, phone: &str) -> Result<Option<DoNotCall>> {
            let key = format!("{tenant}/{}", dnc_key(phone));
            self.run(move |db| db.get(super::DO_NOT_CALL, &key)).await
        }
        async fn do_not_calls(&self, tenant: &str) -> Result<Vec<DoNotCall>> {
            let prefix = format!("{tenant}/");
            self.run(move |db| db.scan(super::DO_NOT_CALL, &prefix)).await
        }
        async fn save_survey(&self, response: &SurveyResponse) -> Result<()> {
            let key = format!("{}/{:015}/{}", response.tenant_id, response.at_ms, response.id);
            let response = response.clone();
            self.run(move |db| db.put(super::SURVEYS, &key, &response)).await
        }
        async fn surveys(&self, tenant: &str, campaign_id: Option<&str>) -> Result<Vec<SurveyResponse>> {
            let (prefix, campaign) = (format!("{tenant}/"), campaign_id.map(str::to_string));
            self.run(move |db| {
                let all: Vec<SurveyResponse> = db.scan(super::SURVEYS, &prefix)?;
                Ok(all.into_iter().filter(|r| campaign.is_none() || r.campaign_id == campaign).collect())
            })
            .await
        }
    }

    #[async_trait]
    impl crate::Cases for RedbStore {
        async fn save_case(&self, tenant: &str, case: &Case) -> Result<()> {
            let (tenant, case) = (s(tenant), case.clone());
            self.run(move |db| db.save_case(&tenant, &case)).await
        }
        async fn cases(&self, tenant: &str) -> Result<Vec<Case>> {
            let tenant = s(tenant);
            self.run(move |db| db.cases(&tenant)).await
        }
        async fn delete_case(&self, tenant: &str, id: &str) -> Result<bool> {
            let (tenant, id) = (s(tenant), s(id));
            self.run(move |db| db.delete_case(&tenant, &id)).await
        }
    }

    #[async_trait]
    impl crate::Tenants for RedbStore {
        async fn create_tenant(&self, name: &str, patch: TenantPatch) -> Result<Tenant> {
            let name = s(name);
            self.run(move |db| db.create_tenant(&name, patch)).await
        }
        async fn tenant(&self, id: &str) -> Result<Tenant> {
            let id = s(id);
            self.run(move |db| db.tenant(&id)).await
        }
        async fn tenants(&self) -> Result<Vec<Tenant>> {
            self.run(move |db| db.tenants()).await
        }
        async fn tenant_by_number(&self, number: &str) -> Result<Option<Tenant>> {
            let number = s(number);
            self.run(move |db| db.tenant_by_number(&number)).await
        }
        async fn update_tenant(&self, id: &str, patch: TenantPatch) -> Result<Tenant> {
            let id = s(id);
            self.run(move |db| db.update_tenant(&id, patch)).await
        }
        async fn set_active_flow(&self, id: &str, version: u32) -> Result<Tenant> {
            let id = s(id);
            self.run(move |db| db.set_active_flow(&id, version)).await
        }
    }

    #[async_trait]
    impl crate::Catalogs for RedbStore {
        async fn catalog(&self, tenant: &str) -> Result<Catalog> {
            let tenant = s(tenant);
            self.run(move |db| db.catalog(&tenant)).await
        }
        async fn put_catalog(&self, tenant: &str, catalog: &Catalog) -> Result<()> {
            let (tenant, catalog) = (s(tenant), catalog.clone());
            self.run(move |db| db.put_catalog(&tenant, &catalog)).await
        }
    }

    #[async_trait]
    impl crate::Faqs for RedbStore {
        async fn faq_entries(&self, tenant: &str) -> Result<Vec<FaqEntry>> {
            let tenant = s(tenant);
            self.run(move |db| db.faq_entries(&tenant)).await
        }
        async fn create_faq(&self, tenant: &str, input: FaqInput) -> Result<FaqEntry> {
            let tenant = s(tenant);
            self.run(move |db| db.create_faq(&tenant, input)).await
        }
        async fn update_faq(&self, tenant: &str, id: &str, input: FaqInput) -> Result<FaqEntry> {
            let (tenant, id) = (s(tenant), s(id));
            self.run(move |db| db.update_faq(&tenant, &id, input)).await
        }
        async fn delete_faq(&self, tenant: &str, id: &str) -> Result<()> {
            let (tenant, id) = (s(tenant), s(id));
            self.run(move |db| db.delete_faq(&tenant, &id)).await
        }
    }

    #[async_trait]
    impl crate::Customers for RedbStore {
        async fn customers(&self, tenant: &str) -> Result<Vec<Customer>> {
            let tenant = s(tenant);
            self.run(move |db| db.customers(&tenant)).await
        }
        async fn customer_by_phone(&self, tenant: &str, phone: &str) -> Result<Option<Customer>> {
            let (tenant, phone) = (s(tenant), s(phone));
            self.run(move |db| db.customer_by_phone(&tenant, &phone)).await
        }
        async fn upsert_customer(&self, tenant: &str, input: CustomerInput) -> Result<Customer> {
            let tenant = s(tenant);
            self.run(move |db| db.upsert_customer(&tenant, input)).await
        }
    }

    #[async_trait]
    impl crate::Orders for RedbStore {
        async fn create_order(&self, tenant: &str, call_id: &str, req: OrderRequest, language: &str) -> Result<Order> {
            let (tenant, call_id, language) = (s(tenant), s(call_id), s(language));
            self.run(move |db| db.create_order(&tenant, &call_id, req, &language)).await
        }
        async fn order(&self, tenant: &str, id: &str) -> Result<Order> {
            let (tenant, id) = (s(tenant), s(id));
            self.run(move |db| db.order(&tenant, &id)).await
        }
        async fn orders(&self, tenant: &str) -> Result<Vec<Order>> {
            let tenant = s(tenant);
            self.run(move |db| db.orders(&tenant)).await
        }
        async fn orders_by_phone(&self, tenant: &str, phone: &str, limit: usize) -> Result<Vec<Order>> {
            let (tenant, phone) = (s(tenant), s(phone));
            self.run(move |db| db.orders_by_phone(&tenant, &phone, limit)).await
        }
        async fn update_order_status(&self, tenant: &str, id: &str, status: OrderStatus) -> Result<Order> {
            let (tenant, id) = (s(tenant), s(id));
            self.run(move |db| db.update_order_status(&tenant, &id, status)).await
        }
    }

    #[async_trait]
    impl crate::FlowVersions for RedbStore {
        async fn store_flow(&self, tenant: &str, bytes: &[u8], sha256: String) -> Result<FlowVersion> {
            let (tenant, bytes) = (s(tenant), bytes.to_vec());
            self.run(move |db| db.store_flow(&tenant, &bytes, sha256)).await
        }
        async fn flow_versions(&self, tenant: &str) -> Result<Vec<FlowVersion>> {
            let tenant = s(tenant);
            self.run(move |db| db.flow_versions(&tenant)).await
        }
        async fn flow_version(&self, tenant: &str, version: u32) -> Result<FlowVersion> {
            let tenant = s(tenant);
            self.run(move |db| db.flow_version(&tenant, version)).await
        }
        async fn flow_bytes(&self, tenant: &str, version: u32) -> Result<Vec<u8>> {
            let tenant = s(tenant);
            self.run(move |db| db.flow_bytes(&tenant, version)).await
        }
    }

    #[async_trait]
    impl crate::ApiKeys for RedbStore {
        async fn create_api_key(&self, tenant_id: &str, kind: KeyKind) -> Result<(String, ApiKey)> {
            let tenant_id = s(tenant_id);
            self.run(move |db| db.create_api_key(&tenant_id, kind)).await
        }
        async fn api_key(&self, plain: &str) -> Result<Option<ApiKey>> {
            let plain = s(plain);
            self.run(move |db| db.api_key(&plain)).await
        }
        async fn widget_key(&self, tenant_id: &str) -> Result<String> {
            let tenant_id = s(tenant_id);
            self.run(move |db| db.widget_key(&tenant_id)).await
        }
        async fn api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKey>> {
            let tenant_id = s(tenant_id);
            self.run(move |db| db.api_keys(&tenant_id)).await
        }
    }

    #[async_trait]
    impl crate::TenantState for RedbStore {
        async fn tenant_state_get(&self, tenant: &str, key: &str) -> Result<Option<String>> {
            let (tenant, key) = (s(tenant), s(key));
            self.run(move |db| db.tenant_state_get(&tenant, &key)).await
        }
        async fn tenant_state_set(&self, tenant: &str, key: &str, value: &str) -> Result<()> {
            let (tenant, key, value) = (s(tenant), s(key), s(value));
            self.run(move |db| db.tenant_state_set(&tenant, &key, &value)).await
        }
    }

    #[async_trait]
    impl crate::Calls for RedbStore {
        async fn save_call(&self, record: &CallRecord) -> Result<()> {
            let record = record.clone();
            self.run(move |db| db.save_call(&record)).await
        }
        async fn call(&self, tenant: &str, id: &str) -> Result<CallRecord> {
            let (tenant, id) = (s(tenant), s(id));
            self.run(move |db| db.call(&tenant, &id)).await
        }
        async fn calls(&self, tenant: &str, query: &CallQuery) -> Result<Vec<CallSummary>> {
            let (tenant, query) = (s(tenant), query.clone());
            self.run(move |db| db.calls(&tenant, &query)).await
        }
        async fn call_figures(&self, tenant: &str, from_hour_ms: u64, to_ms: u64) -> Result<Vec<(u64, CallFigures)>> {
            let tenant = s(tenant);
            self.run(move |db| db.call_figures(&tenant, from_hour_ms, to_ms)).await
        }
        async fn unheard_turns(&self, tenant: &str, from_ms: u64, to_ms: u64, limit: usize) -> Result<Vec<UnheardTurn>> {
            let tenant = s(tenant);
            self.run(move |db| db.unheard_turns(&tenant, from_ms, to_ms, limit)).await
        }
    }
}

#[cfg(test)]
mod tests {
    //! The conformance suite, run against redb.
    crate::conformance_tests!(|| super::temporary());
}

#[cfg(test)]
mod redb_only {
    use switchboard_domain::tenants::{SpeechSettings, TenantPatch};

    use super::{RedbStore, TENANTS};

    #[test]
    fn records_written_before_speech_settings_existed_still_load() {
        let dir = super::TempDir::new();
        let db = RedbStore::open(&dir.path().join("old.redb")).unwrap();
        let t = db.create_tenant("Old", TenantPatch::default()).unwrap();
        let mut json = serde_json::to_value(&t).unwrap();
        json.as_object_mut().unwrap().remove("speech");
        db.put(TENANTS, &t.id, &json).unwrap();
        assert_eq!(db.tenant(&t.id).unwrap().speech, SpeechSettings::default());
        let slow = SpeechSettings { end_of_turn_ms: 900, ..Default::default() };
        let patched = db.update_tenant(&t.id, TenantPatch { speech: Some(slow.clone()), ..Default::default() }).unwrap();
        assert_eq!(patched.speech, slow);
        let bad = SpeechSettings { speed: 9.0, ..Default::default() };
        assert!(db.update_tenant(&t.id, TenantPatch { speech: Some(bad), ..Default::default() }).is_err());
    }
}
