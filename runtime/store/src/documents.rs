//! Switchboard's records as JSON documents in ordered tables, over any [`Engine`].
//!
//! Every record is a JSON document keyed by `tenant_id/record_id`, so a tenant's
//! records are one contiguous key range and no query can wander into another
//! tenant's. Indexes are tables whose keys sort the way they are read. The rules
//! written here (numbering, pricing in the order's transaction, the hourly figures,
//! the search index, the campaign due index) are the same for every engine; an
//! engine only keeps bytes in key order. Engines are synchronous: each interface
//! method moves its work to the blocking pool with a deadline ([`Documents::run`]).

mod api_keys;
mod call_places;
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
mod tenants;
mod tickets;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::{Engine, Table, Txn, TxnExt};
pub(crate) use crate::engine::{decode, key, prefix};
use crate::{Result, StorageError};

/// The documents over an engine. Cheap to clone.
pub struct Documents<E> {
    engine: Arc<E>,
}

impl<E> Clone for Documents<E> {
    fn clone(&self) -> Self {
        Documents { engine: self.engine.clone() }
    }
}

/// How long an async caller waits for one storage operation.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2);

impl<E: Engine> Documents<E> {
    pub fn new(engine: E) -> Documents<E> {
        Documents { engine: Arc::new(engine) }
    }

    pub fn engine(&self) -> &E {
        &self.engine
    }

    /// Run blocking storage work on the blocking pool, with a deadline.
    async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Documents<E>) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        let task = tokio::task::spawn_blocking(move || work(&db));
        match tokio::time::timeout(DEFAULT_DEADLINE, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(StorageError::Invalid(format!("storage task failed: {join}"))),
            Err(_) => Err(StorageError::Timeout(DEFAULT_DEADLINE)),
        }
    }

    /// Run `work` in one read transaction.
    pub(crate) fn read<T>(&self, mut work: impl FnMut(&mut dyn Txn) -> Result<T>) -> Result<T> {
        self.engine.read(&mut work)
    }

    /// Run `work` in one write transaction (again, from the start, if the engine found it
    /// in conflict with another writer's).
    pub(crate) fn write<T>(&self, mut work: impl FnMut(&mut dyn Txn) -> Result<T>) -> Result<T> {
        self.engine.write(&mut work)
    }

    /// Read one document.
    pub(crate) fn get<T: DeserializeOwned>(&self, table: Table, key: &str) -> Result<Option<T>> {
        self.read(|t| t.doc(table, key))
    }

    /// Write one document in its own transaction.
    pub(crate) fn put<T: Serialize>(&self, table: Table, key: &str, value: &T) -> Result<()> {
        self.write(|t| t.put_doc(table, key, value))
    }

    /// Every document whose key starts with `prefix`, in key order.
    pub(crate) fn scan<T: DeserializeOwned>(&self, table: Table, prefix: &str) -> Result<Vec<T>> {
        self.read(|t| t.docs(table, prefix))
    }

    /// Delete one document; whether it existed.
    pub(crate) fn delete(&self, table: Table, key: &str) -> Result<bool> {
        self.write(|t| Ok(t.remove(table, key)?.is_some()))
    }
}

pub(crate) const TENANTS: Table = "tenants";
pub(crate) const NUMBERS: Table = "numbers";
pub(crate) const API_KEYS: Table = "api_keys";
pub(crate) const FLOWS: Table = "flows";
pub(crate) const FLOW_BLOBS: Table = "flow_blobs";
pub(crate) const CATALOGS: Table = "catalogs";
pub(crate) const FAQ: Table = "faq";
pub(crate) const CUSTOMERS: Table = "customers";
pub(crate) const CUSTOMER_PHONES: Table = "customer_phones";
pub(crate) const ORDERS: Table = "orders";
pub(crate) const ORDER_PHONES: Table = "order_phones";
pub(crate) const COUNTERS: Table = "counters";
pub(crate) const CALLS: Table = "calls";
pub(crate) const TENANT_STATE: Table = "tenant_state";
/// `tenant/hour`: the figures of the calls that ended in that hour.
pub(crate) const CALL_STATS: Table = "call_stats";
/// `tenant/ended_at/call_id/turn`: caller turns the bot may have failed, by when the call ended.
pub(crate) const UNHEARD: Table = "unheard_turns";
/// `tenant/at/id`: the audit log.
pub(crate) const AUDIT: Table = "audit";
/// `tenant/case_id`: test cases made of past calls.
pub(crate) const CASES: Table = "cases";
/// `tenant/user_id`: desk users.
pub(crate) const DESK_USERS: Table = "desk_users";
/// `login`: how a desk user signs in (tenant, user, password hash).
pub(crate) const DESK_LOGINS: Table = "desk_logins";
/// `tenant/task_id`: follow-ups agents leave after calls.
pub(crate) const FOLLOW_UPS: Table = "follow_ups";
/// `tenant/ticket_id`: after-sales tickets.
pub(crate) const TICKETS: Table = "tickets";
/// `tenant/campaign_id`: outbound campaigns.
pub(crate) const CAMPAIGNS: Table = "campaigns";
/// `tenant/campaign_id/index`: a campaign's recipients.
pub(crate) const RECIPIENTS: Table = "campaign_recipients";
/// `tenant/campaign_id/next_at/index`: pending recipients by when they are due (value empty).
pub(crate) const CAMPAIGN_DUE: Table = "campaign_due";
/// `tenant/number`: the do-not-call list.
pub(crate) const DO_NOT_CALL: Table = "do_not_call";
/// `tenant/at/id`: survey answers.
pub(crate) const SURVEYS: Table = "surveys";
/// `tenant/kind/call_id`: places among a tenant's calls at once, leased by nodes.
pub(crate) const CALL_PLACES: Table = "call_places";
/// `tenant/term/call_id`: the calls whose transcript has a term (value empty).
pub(crate) const CALL_TERMS: Table = "call_terms";

/// Every table, for engines that create them up front.
pub const ALL_TABLES: &[Table] = &[
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
    CALL_PLACES,
];

mod interfaces {
    //! The storage interfaces, answered on the blocking pool by any engine.

    use async_trait::async_trait;
    use switchboard_domain::api_keys::{ApiKey, KeyKind};
    use switchboard_domain::audit::AuditEntry;
    use switchboard_domain::calls::{CallQuery, CallRecord, CallSummary, UnheardTurn};
    use switchboard_domain::campaigns::{Campaign, CampaignState, DoNotCall, Recipient, SurveyResponse, dnc_key};
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

    use super::Documents;
    use crate::Result;
    use crate::engine::Engine;

    /// `s(x)`: an owned copy of a borrowed argument, for the blocking task.
    fn s(x: &str) -> String {
        x.to_owned()
    }

    #[async_trait]
    impl<E: Engine> crate::CallPlaces for Documents<E> {
        async fn take_call_place(&self, place: &crate::CallPlace, limit: u32, now_ms: u64) -> Result<bool> {
            let place = place.clone();
            self.run(move |db| db.take_call_place(&place, limit, now_ms)).await
        }
        async fn release_call_place(&self, tenant: &str, kind: &str, call_id: &str) -> Result<()> {
            let key = format!("{tenant}/{kind}/{call_id}");
            self.run(move |db| db.delete(super::CALL_PLACES, &key).map(|_| ())).await
        }
        async fn renew_call_places(&self, node: &str, until_ms: u64) -> Result<usize> {
            let node = s(node);
            self.run(move |db| db.renew_call_places(&node, until_ms)).await
        }
        async fn count_call_places(&self, tenant: &str, kind: &str, now_ms: u64) -> Result<usize> {
            let prefix = format!("{tenant}/{kind}/");
            self.run(move |db| {
                let held: Vec<crate::CallPlace> = db.scan(super::CALL_PLACES, &prefix)?;
                Ok(held.iter().filter(|p| p.expires_at_ms > now_ms).count())
            })
            .await
        }
    }

    impl<E: Engine> crate::Changes for Documents<E> {
        fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<crate::Change> {
            self.engine().changes()
        }
    }

    #[async_trait]
    impl<E: Engine> crate::Audit for Documents<E> {
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
    impl<E: Engine> crate::Desk for Documents<E> {
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
    impl<E: Engine> crate::Tickets for Documents<E> {
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
    impl<E: Engine> crate::Outreach for Documents<E> {
        async fn create_campaign(&self, campaign: &Campaign, recipients: &[Recipient]) -> Result<()> {
            let (campaign, recipients) = (campaign.clone(), recipients.to_vec());
            self.run(move |db| db.create_campaign(&campaign, &recipients)).await
        }
        async fn add_recipients(
            &self,
            tenant: &str,
            campaign_id: &str,
            recipients: Vec<Recipient>,
        ) -> Result<Campaign> {
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
        async fn claim_recipient(&self, tenant: &str, recipient: &Recipient) -> Result<bool> {
            let (tenant, recipient) = (s(tenant), recipient.clone());
            self.run(move |db| db.claim_recipient(&tenant, &recipient)).await
        }
        async fn due_recipients(
            &self,
            tenant: &str,
            campaign_id: &str,
            now_ms: u64,
            limit: usize,
        ) -> Result<Vec<Recipient>> {
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
    impl<E: Engine> crate::Cases for Documents<E> {
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
    impl<E: Engine> crate::Tenants for Documents<E> {
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
    impl<E: Engine> crate::Catalogs for Documents<E> {
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
    impl<E: Engine> crate::Faqs for Documents<E> {
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
    impl<E: Engine> crate::Customers for Documents<E> {
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
    impl<E: Engine> crate::Orders for Documents<E> {
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
    impl<E: Engine> crate::FlowVersions for Documents<E> {
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
    impl<E: Engine> crate::ApiKeys for Documents<E> {
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
    impl<E: Engine> crate::TenantState for Documents<E> {
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
    impl<E: Engine> crate::Calls for Documents<E> {
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
        async fn unheard_turns(
            &self,
            tenant: &str,
            from_ms: u64,
            to_ms: u64,
            limit: usize,
        ) -> Result<Vec<UnheardTurn>> {
            let tenant = s(tenant);
            self.run(move |db| db.unheard_turns(&tenant, from_ms, to_ms, limit)).await
        }
    }
}
