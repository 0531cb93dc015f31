//! Making campaigns and changing their state: recipients from a list, a CSV or the
//! tenant's orders (numbers checked, one call per number, each with its own time zone);
//! pause, resume and cancel, each idempotent; and the calls order updates place.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::Outreach;
use switchboard_domain::campaigns::*;
use switchboard_domain::ids::{new_id, now_ms};
use switchboard_domain::orders::Order;
use switchboard_domain::tenants::Tenant;
use switchboard_store::StorageError;

/// The tenant's campaign of order-update calls (one per tenant, made on first use).
pub const ORDER_UPDATES: &str = "order-updates";

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<switchboard_domain::Error> for CampaignError {
    fn from(e: switchboard_domain::Error) -> Self {
        CampaignError::Invalid(e.to_string())
    }
}

/// A campaign made, with the lines of its import that were refused.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub campaign: Campaign,
    pub imported: u32,
    /// Recipients given twice (one call each).
    pub duplicates: u32,
    pub errors: Vec<RowError>,
}

/// A number as a campaign dials it: international form, a national number (leading 0)
/// taken as of the tenant's country, or a SIP URI.
fn dialable(phone: &str, tenant: &Tenant) -> Result<String, switchboard_domain::Error> {
    let t = phone.trim();
    if t.starts_with('0') && !t.starts_with("00") {
        let own = tenant.numbers.first().map(String::as_str).unwrap_or("");
        const CODES: &[&str] = &["886", "852", "853", "86", "65", "60", "63", "81", "82", "66", "84", "91", "44", "1"];
        if let Some(cc) = own.strip_prefix('+').and_then(|d| CODES.iter().find(|cc| d.starts_with(**cc))) {
            let digits: String = t[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            return callee(&format!("+{cc}{digits}"));
        }
    }
    callee(t)
}

fn recipient_of(
    input: RecipientInput,
    campaign_id: &str,
    index: u32,
    tenant: &Tenant,
    now: u64,
) -> Result<Recipient, String> {
    let phone = dialable(&input.phone, tenant).map_err(|e| e.message())?;
    let utc_offset_minutes =
        input.utc_offset_minutes.or_else(|| country_offset(&phone)).unwrap_or(tenant.utc_offset_minutes);
    if input.name.as_ref().is_some_and(|n| n.chars().count() > 200) || input.fields.len() > 20 {
        return Err("a name of at most 200 characters and at most 20 fields".into());
    }
    Ok(Recipient {
        campaign_id: campaign_id.to_string(),
        index,
        phone,
        name: input.name.filter(|n| !n.trim().is_empty()),
        utc_offset_minutes,
        fields: input.fields,
        status: RecipientStatus::Pending,
        attempts: Vec::new(),
        next_at_ms: now,
    })
}

impl Outreach {
    /// Make a campaign and start it.
    pub async fn create(&self, tenant: &Tenant, mut input: CampaignInput) -> Result<Created, CampaignError> {
        input.validate()?;
        let db = &self.app.db;
        let now = now_ms();
        let id = new_id("cmp");
        let mut errors = Vec::new();
        // (where it came from for an error: the CSV's line, or the list's position)
        let mut given: Vec<(u64, RecipientInput)> =
            std::mem::take(&mut input.recipients).into_iter().enumerate().map(|(i, r)| (i as u64 + 1, r)).collect();
        let mut sources = Vec::new();
        if !given.is_empty() {
            sources.push(format!("{} listed", given.len()));
        }
        if let Some(csv) = input.csv.take() {
            let (rows, bad) = parse_recipients_csv(&csv, |p| dialable(p, tenant))?;
            sources.push(format!("CSV of {} lines", rows.len() + bad.len()));
            given.extend(rows.into_iter().map(|r| (0, r)));
            errors.extend(bad);
        }
        if let Some(audience) = &input.from_orders {
            let found = self.audience(tenant, audience).await?;
            sources.push(format!(
                "{} customers whose order was {:?} {} day(s) ago",
                found.len(),
                audience.status,
                audience.days_ago
            ));
            given.extend(found.into_iter().map(|r| (0, r)));
        }
        let (mut recipients, mut seen, mut duplicates) = (Vec::new(), HashSet::new(), 0u32);
        for (line, r) in given {
            let index = recipients.len() as u32;
            match recipient_of(r, &id, index, tenant, now) {
                Ok(r) if !seen.insert(dnc_key(&r.phone)) => duplicates += 1,
                Ok(r) => recipients.push(r),
                Err(message) => errors.push(RowError { line, message }),
            }
        }
        if recipients.is_empty() {
            return Err(CampaignError::Invalid(match errors.first() {
                Some(e) => format!("no recipient could be imported (first error: {})", e.message),
                None => "no recipients".into(),
            }));
        }
        if recipients.len() > MAX_RECIPIENTS {
            return Err(CampaignError::Invalid(format!("at most {MAX_RECIPIENTS} recipients")));
        }
        let mut campaign = Campaign {
            id,
            tenant_id: tenant.id.clone(),
            name: input.name.trim().to_string(),
            kind: CampaignKind::Campaign,
            flow_input: input.flow_input,
            window: input.window,
            max_attempts: input.max_attempts,
            retry: input.retry,
            ring_secs: input.ring_secs,
            state: CampaignState::Running,
            source: sources.join(", "),
            recipients: recipients.len() as u32,
            created_at_ms: now,
            updated_at_ms: now,
        };
        // Each is due when its window next opens in its own time: a campaign made outside its
        // window costs the scheduler nothing until then.
        for r in &mut recipients {
            r.next_at_ms = campaign.due_at(r, now).unwrap_or(now);
        }
        campaign.updated_at_ms = now;
        db.create_campaign(&campaign, &recipients).await?;
        tracing::info!(tenant_id = %tenant.id, campaign = %campaign.id, recipients = recipients.len(), refused = errors.len(), "campaign created");
        self.poke();
        Ok(Created { imported: campaign.recipients, campaign, duplicates, errors })
    }

    /// The customers whose order reached `status` that many days ago (the tenant's days),
    /// one per number.
    async fn audience(&self, tenant: &Tenant, a: &OrderAudience) -> Result<Vec<RecipientInput>, CampaignError> {
        let offset_ms = tenant.utc_offset_minutes as i64 * 60_000;
        let day = 86_400_000i64;
        let today = ((now_ms() as i64 + offset_ms).div_euclid(day)) * day - offset_ms;
        let from = today - a.days_ago as i64 * day;
        let to = from + day;
        let mut orders: Vec<Order> = self.app.db.orders(&tenant.id).await?;
        orders
            .retain(|o| o.status == a.status && (from..to).contains(&(o.updated_at_ms as i64)) && !o.phone.is_empty());
        orders.sort_by(|x, y| y.updated_at_ms.cmp(&x.updated_at_ms));
        let mut seen = HashSet::new();
        Ok(orders
            .into_iter()
            .filter(|o| seen.insert(o.phone.clone()))
            .map(|o| RecipientInput {
                phone: o.phone.clone(),
                name: Some(o.customer_name.clone()).filter(|n| !n.is_empty()),
                utc_offset_minutes: None,
                fields: BTreeMap::from([
                    ("order_id".to_string(), o.id.clone()),
                    ("order_number".to_string(), o.number.to_string()),
                ]),
            })
            .collect())
    }

    /// Pause, resume or cancel; asking for the state a campaign is already in changes nothing.
    pub async fn set_state(&self, tenant: &str, id: &str, wanted: CampaignState) -> Result<Campaign, CampaignError> {
        let db = &self.app.db;
        let mut c = db.campaign(tenant, id).await?;
        if c.state == wanted {
            return Ok(c);
        }
        match (c.state, wanted) {
            (CampaignState::Running, CampaignState::Paused) | (CampaignState::Paused, CampaignState::Running) => {}
            (CampaignState::Running | CampaignState::Paused, CampaignState::Cancelled) => {}
            (from, to) => {
                return Err(CampaignError::Conflict(
                    format!("a {from:?} campaign cannot become {to:?}").to_lowercase(),
                ));
            }
        }
        c.state = wanted;
        c.updated_at_ms = now_ms();
        db.save_campaign(&c).await?;
        if wanted == CampaignState::Cancelled {
            // Nobody waiting is called; calls under way end as they will.
            for mut r in db.recipients(tenant, id).await? {
                if r.status == RecipientStatus::Pending {
                    r.status = RecipientStatus::Cancelled;
                    db.save_recipient(tenant, &r).await?;
                }
            }
        }
        tracing::info!(tenant_id = %tenant, campaign = %id, state = ?wanted, "campaign state changed");
        self.poke();
        Ok(c)
    }

    /// An order changed status: when the tenant's rules say so, its customer gets a call,
    /// inside the tenant's window for order updates.
    pub async fn order_changed(&self, tenant: &Tenant, order: &Order) -> Result<(), CampaignError> {
        let rules = &tenant.outreach;
        if !rules.order_update_statuses.contains(&order.status) || order.phone.trim().is_empty() {
            return Ok(());
        }
        let db = &self.app.db;
        let now = now_ms();
        let campaign = match db.campaign(&tenant.id, ORDER_UPDATES).await {
            Ok(mut c) => {
                // The tenant's window and the campaign's stay in step.
                if c.window != rules.order_update_window || c.state == CampaignState::Completed {
                    c.window = rules.order_update_window.clone();
                    db.save_campaign(&c).await?;
                }
                c
            }
            Err(StorageError::NotFound) => {
                let c = Campaign {
                    id: ORDER_UPDATES.into(),
                    tenant_id: tenant.id.clone(),
                    name: "Order updates".into(),
                    kind: CampaignKind::OrderUpdates,
                    flow_input: serde_json::Map::from_iter([(
                        "purpose".to_string(),
                        serde_json::json!("order-status"),
                    )]),
                    window: rules.order_update_window.clone(),
                    max_attempts: 2,
                    retry: RetryDelays { busy_secs: 300, no_answer_secs: 900, failed_secs: 900 },
                    ring_secs: 30,
                    state: CampaignState::Running,
                    source: "order status rules".into(),
                    recipients: 0,
                    created_at_ms: now,
                    updated_at_ms: now,
                };
                db.create_campaign(&c, &[]).await?;
                c
            }
            Err(e) => return Err(e.into()),
        };
        if campaign.state == CampaignState::Cancelled {
            return Ok(());
        }
        let input = RecipientInput {
            phone: order.phone.clone(),
            name: Some(order.customer_name.clone()).filter(|n| !n.is_empty()),
            utc_offset_minutes: None,
            fields: BTreeMap::from([
                ("order_id".to_string(), order.id.clone()),
                ("status".to_string(), format!("{:?}", order.status).to_lowercase()),
            ]),
        };
        let r = recipient_of(input, ORDER_UPDATES, 0, tenant, now).map_err(CampaignError::Invalid)?;
        db.add_recipients(&tenant.id, ORDER_UPDATES, vec![r]).await?;
        tracing::info!(tenant_id = %tenant.id, order = %order.id, status = ?order.status, "order update call queued");
        self.poke();
        Ok(())
    }
}
