//! Campaigns: the campaign document, one document per recipient
//! (`tenant/campaign/index`), and the due index of pending recipients
//! (`tenant/campaign/next_at/index`, empty values) that the scheduler reads a range of.

use switchboard_domain::campaigns::{Campaign, CampaignState, Recipient, RecipientStatus};

use super::{CAMPAIGN_DUE, CAMPAIGNS, Documents, RECIPIENTS, key, prefix};
use crate::engine::{Engine, KeyRange, Txn, TxnExt};
use crate::{Result, StorageError};

fn recipient_key(tenant: &str, campaign: &str, index: u32) -> String {
    format!("{tenant}/{campaign}/{index:08}")
}

fn due_key(tenant: &str, r: &Recipient) -> String {
    format!("{tenant}/{}/{:015}/{:08}", r.campaign_id, r.next_at_ms, r.index)
}

/// Write `r` and keep its due-index entry in step (`old`: what was stored before).
fn put_recipient(txn: &mut dyn Txn, tenant: &str, old: Option<&Recipient>, r: &Recipient) -> Result<()> {
    if let Some(old) = old.filter(|o| o.status == RecipientStatus::Pending) {
        txn.remove(CAMPAIGN_DUE, &due_key(tenant, old))?;
    }
    if r.status == RecipientStatus::Pending {
        txn.put(CAMPAIGN_DUE, &due_key(tenant, r), &[])?;
    }
    txn.put_doc(RECIPIENTS, &recipient_key(tenant, &r.campaign_id, r.index), r)
}

impl<E: Engine> Documents<E> {
    pub(crate) fn create_campaign(&self, campaign: &Campaign, list: &[Recipient]) -> Result<()> {
        let tenant = &campaign.tenant_id;
        let k = key(tenant, &campaign.id);
        self.write(|txn| {
            if txn.get(CAMPAIGNS, &k)?.is_some() {
                return Err(StorageError::Conflict(format!("campaign {} exists", campaign.id)));
            }
            txn.put_doc(CAMPAIGNS, &k, campaign)?;
            for r in list {
                put_recipient(txn, tenant, None, r)?;
            }
            Ok(())
        })
    }

    pub(crate) fn add_recipients(&self, tenant: &str, campaign_id: &str, list: Vec<Recipient>) -> Result<Campaign> {
        let k = key(tenant, campaign_id);
        self.write(|txn| {
            let mut campaign: Campaign = txn.doc(CAMPAIGNS, &k)?.ok_or(StorageError::NotFound)?;
            for r in &list {
                let mut r = r.clone();
                r.campaign_id = campaign_id.to_string();
                r.index = campaign.recipients;
                campaign.recipients += 1;
                put_recipient(txn, tenant, None, &r)?;
            }
            // New work for a finished campaign runs it again.
            if campaign.state == CampaignState::Completed {
                campaign.state = CampaignState::Running;
            }
            campaign.updated_at_ms = switchboard_domain::ids::now_ms();
            txn.put_doc(CAMPAIGNS, &k, &campaign)?;
            Ok(campaign)
        })
    }

    pub(crate) fn save_recipient(&self, tenant: &str, r: &Recipient) -> Result<()> {
        let k = recipient_key(tenant, &r.campaign_id, r.index);
        self.write(|txn| {
            let old: Recipient = txn.doc(RECIPIENTS, &k)?.ok_or(StorageError::NotFound)?;
            put_recipient(txn, tenant, Some(&old), r)
        })
    }

    pub(crate) fn claim_recipient(&self, tenant: &str, r: &Recipient) -> Result<bool> {
        let k = recipient_key(tenant, &r.campaign_id, r.index);
        self.write(|txn| {
            let old: Recipient = txn.doc(RECIPIENTS, &k)?.ok_or(StorageError::NotFound)?;
            if old.status != RecipientStatus::Pending || old.attempts.len() + 1 != r.attempts.len() {
                return Ok(false);
            }
            put_recipient(txn, tenant, Some(&old), r)?;
            Ok(true)
        })
    }

    pub(crate) fn due_recipients(
        &self,
        tenant: &str,
        campaign: &str,
        now_ms: u64,
        limit: usize,
    ) -> Result<Vec<Recipient>> {
        let start = format!("{tenant}/{campaign}/");
        let end = format!("{tenant}/{campaign}/{:015}/~", now_ms);
        self.read(|txn| {
            let mut out = Vec::new();
            for (k, _) in txn.range(CAMPAIGN_DUE, KeyRange::between(&start, &end), limit)? {
                let Some(index) = k.rsplit('/').next().and_then(|i| i.parse::<u32>().ok()) else { continue };
                if let Some(r) = txn.doc(RECIPIENTS, &recipient_key(tenant, campaign, index))? {
                    out.push(r);
                }
            }
            Ok(out)
        })
    }

    pub(crate) fn next_due(&self, tenant: &str, campaign: &str) -> Result<Option<u64>> {
        let start = format!("{tenant}/{campaign}/");
        let first = self.read(|txn| txn.range(CAMPAIGN_DUE, KeyRange::from(&start), 1))?;
        Ok(first.into_iter().next().and_then(|(k, _)| {
            let rest = k.strip_prefix(start.as_str())?.to_string();
            rest.split('/').next()?.parse::<u64>().ok()
        }))
    }

    pub(crate) fn campaigns_of(&self, tenant: &str) -> Result<Vec<Campaign>> {
        let mut all: Vec<Campaign> = self.scan(CAMPAIGNS, &prefix(tenant))?;
        all.sort_by(|a, b| b.created_at_ms.cmp(&a.created_at_ms));
        Ok(all)
    }
}
