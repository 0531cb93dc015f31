//! The redb implementation of campaigns: the campaign document, one document per
//! recipient (`tenant/campaign/index`), and the due index of pending recipients
//! (`tenant/campaign/next_at/index`, empty values) that the scheduler reads a range of.

use redb::{ReadableDatabase, ReadableTable};
use switchboard_domain::campaigns::{Campaign, CampaignState, Recipient, RecipientStatus};

use super::{CAMPAIGN_DUE, CAMPAIGNS, RECIPIENTS, RedbStore, decode, encode, key, prefix};
use crate::{Result, StorageError};

fn recipient_key(tenant: &str, campaign: &str, index: u32) -> String {
    format!("{tenant}/{campaign}/{index:08}")
}

fn due_key(tenant: &str, r: &Recipient) -> String {
    format!("{tenant}/{}/{:015}/{:08}", r.campaign_id, r.next_at_ms, r.index)
}

/// Write `r` and keep its due-index entry in step (`old`: what was stored before).
fn put_recipient(
    recipients: &mut redb::Table<&'static str, &'static [u8]>,
    due: &mut redb::Table<&'static str, &'static [u8]>,
    tenant: &str,
    old: Option<&Recipient>,
    r: &Recipient,
) -> Result<()> {
    if let Some(old) = old.filter(|o| o.status == RecipientStatus::Pending) {
        due.remove(due_key(tenant, old).as_str())?;
    }
    if r.status == RecipientStatus::Pending {
        due.insert(due_key(tenant, r).as_str(), &[][..])?;
    }
    recipients.insert(recipient_key(tenant, &r.campaign_id, r.index).as_str(), encode(r).as_slice())?;
    Ok(())
}

impl RedbStore {
    pub(crate) fn create_campaign(&self, campaign: &Campaign, list: &[Recipient]) -> Result<()> {
        let tenant = &campaign.tenant_id;
        let txn = self.raw().begin_write()?;
        {
            let mut campaigns = txn.open_table(CAMPAIGNS)?;
            let k = key(tenant, &campaign.id);
            if campaigns.get(k.as_str())?.is_some() {
                return Err(StorageError::Conflict(format!("campaign {} exists", campaign.id)));
            }
            campaigns.insert(k.as_str(), encode(campaign).as_slice())?;
            let (mut recipients, mut due) = (txn.open_table(RECIPIENTS)?, txn.open_table(CAMPAIGN_DUE)?);
            for r in list {
                put_recipient(&mut recipients, &mut due, tenant, None, r)?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    pub(crate) fn add_recipients(&self, tenant: &str, campaign_id: &str, list: Vec<Recipient>) -> Result<Campaign> {
        let txn = self.raw().begin_write()?;
        let campaign = {
            let mut campaigns = txn.open_table(CAMPAIGNS)?;
            let k = key(tenant, campaign_id);
            let mut campaign: Campaign = match campaigns.get(k.as_str())? {
                Some(v) => decode(&k, v.value())?,
                None => return Err(StorageError::NotFound),
            };
            let (mut recipients, mut due) = (txn.open_table(RECIPIENTS)?, txn.open_table(CAMPAIGN_DUE)?);
            for mut r in list {
                r.campaign_id = campaign_id.to_string();
                r.index = campaign.recipients;
                campaign.recipients += 1;
                put_recipient(&mut recipients, &mut due, tenant, None, &r)?;
            }
            // New work for a finished campaign runs it again.
            if campaign.state == CampaignState::Completed {
                campaign.state = CampaignState::Running;
            }
            campaign.updated_at_ms = switchboard_domain::ids::now_ms();
            campaigns.insert(k.as_str(), encode(&campaign).as_slice())?;
            campaign
        };
        txn.commit()?;
        Ok(campaign)
    }

    pub(crate) fn save_recipient(&self, tenant: &str, r: &Recipient) -> Result<()> {
        let k = recipient_key(tenant, &r.campaign_id, r.index);
        let txn = self.raw().begin_write()?;
        {
            let (mut recipients, mut due) = (txn.open_table(RECIPIENTS)?, txn.open_table(CAMPAIGN_DUE)?);
            let old: Recipient = match recipients.get(k.as_str())? {
                Some(v) => decode(&k, v.value())?,
                None => return Err(StorageError::NotFound),
            };
            put_recipient(&mut recipients, &mut due, tenant, Some(&old), r)?;
        }
        txn.commit()?;
        Ok(())
    }

    pub(crate) fn due_recipients(&self, tenant: &str, campaign: &str, now_ms: u64, limit: usize) -> Result<Vec<Recipient>> {
        let txn = self.raw().begin_read()?;
        let (due, recipients) = (txn.open_table(CAMPAIGN_DUE)?, txn.open_table(RECIPIENTS)?);
        let start = format!("{tenant}/{campaign}/");
        let end = format!("{tenant}/{campaign}/{:015}/~", now_ms);
        let mut out = Vec::new();
        for entry in due.range(start.as_str()..end.as_str())? {
            if out.len() >= limit {
                break;
            }
            let (k, _) = entry?;
            let index = k.value().rsplit('/').next().and_then(|i| i.parse::<u32>().ok());
            let Some(index) = index else { continue };
            let rk = recipient_key(tenant, campaign, index);
            if let Some(v) = recipients.get(rk.as_str())? {
                out.push(decode(&rk, v.value())?);
            }
        }
        Ok(out)
    }

    pub(crate) fn next_due(&self, tenant: &str, campaign: &str) -> Result<Option<u64>> {
        let txn = self.raw().begin_read()?;
        let due = txn.open_table(CAMPAIGN_DUE)?;
        let start = format!("{tenant}/{campaign}/");
        let first = due.range(start.as_str()..)?.next().transpose()?;
        Ok(first.and_then(|(k, _)| {
            let rest = k.value().strip_prefix(start.as_str())?.to_string();
            rest.split('/').next()?.parse::<u64>().ok()
        }))
    }

    pub(crate) fn campaigns_of(&self, tenant: &str) -> Result<Vec<Campaign>> {
        let mut all: Vec<Campaign> = self.scan(CAMPAIGNS, &prefix(tenant))?;
        all.sort_by(|a, b| b.created_at_ms.cmp(&a.created_at_ms));
        Ok(all)
    }
}
