//! The redb implementation of tenants.

use switchboard_domain::ids;
use switchboard_domain::tenants::*;

use super::{NUMBERS, RedbStore, TENANTS};
use crate::{Result, StorageError};

impl RedbStore {
    /// Create a tenant. Its numbers must not belong to another tenant.
    pub(crate) fn create_tenant(&self, name: &str, patch: TenantPatch) -> Result<Tenant> {
        let mut t = Tenant {
            id: ids::new_id("ten"),
            name: String::new(),
            numbers: Vec::new(),
            language: "zh-TW".into(),
            utc_offset_minutes: 480,
            limits: FlowLimits::default(),
            agents: Vec::new(),
            active_flow: None,
            speech: SpeechSettings::default(),
            telephony: TelephonySettings::default(),
            analytics: AnalyticsSettings::default(),
            queues: Vec::new(),
            after_sales: Default::default(),
            outreach: Default::default(),
            created_at_ms: ids::now_ms(),
        };
        TenantPatch { name: Some(name.to_string()), ..patch }.apply(&mut t)?;
        self.write_tenant(&t, &[])?;
        Ok(t)
    }

    pub(crate) fn tenant(&self, id: &str) -> Result<Tenant> {
        self.get(TENANTS, id)?.ok_or(StorageError::NotFound)
    }

    pub(crate) fn tenants(&self) -> Result<Vec<Tenant>> {
        self.scan(TENANTS, "")
    }

    /// The tenant a dialled number belongs to, matched as a number ([`same_number`]): as
    /// stored, E.164 with or without `+` (or after `00`), or in the national form of the
    /// stored number's country (`0223456789` for `+886223456789`). A number two tenants
    /// could own is refused, with the reason logged.
    pub(crate) fn tenant_by_number(&self, number: &str) -> Result<Option<Tenant>> {
        if let Some(id) = self.get::<String>(NUMBERS, number)? {
            return Ok(Some(self.tenant(&id)?));
        }
        // Not as stored: compare with every number (a scan of the number index, which only
        // dialled forms other than the stored one take).
        let mut owners: Vec<(String, String)> = Vec::new();
        {
            use redb::{ReadableDatabase, ReadableTable};
            let txn = self.raw().begin_read()?;
            let table = txn.open_table(NUMBERS)?;
            for entry in table.iter()? {
                let (k, v) = entry?;
                if same_number(k.value(), number) {
                    let id: String = super::decode(k.value(), v.value())?;
                    if !owners.iter().any(|(_, o)| *o == id) {
                        owners.push((k.value().to_string(), id));
                    }
                }
            }
        }
        match owners.as_slice() {
            [] => Ok(None),
            [(_, id)] => Ok(Some(self.tenant(id)?)),
            several => {
                let numbers: Vec<&str> = several.iter().map(|(n, _)| n.as_str()).collect();
                tracing::warn!(
                    dialled = number,
                    ?numbers,
                    "a dialled number that several tenants' numbers match: refused"
                );
                Ok(None)
            }
        }
    }

    pub(crate) fn update_tenant(&self, id: &str, patch: TenantPatch) -> Result<Tenant> {
        let mut t = self.tenant(id)?;
        let old_numbers = t.numbers.clone();
        patch.apply(&mut t)?;
        self.write_tenant(&t, &old_numbers)?;
        Ok(t)
    }

    /// Set the active flow version (the caller has checked the version exists).
    pub(crate) fn set_active_flow(&self, id: &str, version: u32) -> Result<Tenant> {
        let mut t = self.tenant(id)?;
        t.active_flow = Some(version);
        self.put(TENANTS, id, &t)?;
        Ok(t)
    }

    /// Write a tenant and its number index in one transaction.
    fn write_tenant(&self, t: &Tenant, old_numbers: &[String]) -> Result<()> {
        use redb::ReadableTable;
        let txn = self.raw().begin_write()?;
        {
            let mut numbers = txn.open_table(NUMBERS)?;
            for n in &t.numbers {
                if let Some(owner) = numbers.get(n.as_str())? {
                    let owner: String = super::decode(n, owner.value())?;
                    if owner != t.id {
                        return Err(StorageError::Conflict(format!("number {n} belongs to another tenant")));
                    }
                }
            }
            for n in old_numbers.iter().filter(|n| !t.numbers.contains(n)) {
                numbers.remove(n.as_str())?;
            }
            for n in &t.numbers {
                numbers.insert(n.as_str(), super::encode(&t.id).as_slice())?;
            }
            let mut tenants = txn.open_table(TENANTS)?;
            tenants.insert(t.id.as_str(), super::encode(t).as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }
}
