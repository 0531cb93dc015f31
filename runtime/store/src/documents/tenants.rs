//! Tenants, and the index from each of their numbers to the tenant.

use switchboard_domain::ids;
use switchboard_domain::tenants::*;

use super::{Documents, NUMBERS, TENANTS, decode};
use crate::engine::{Engine, KeyRange, Txn, TxnExt};
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
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
        self.write(|txn| write_tenant(txn, &t, &[]))?;
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
        let owners = self.read(|txn| {
            let mut owners: Vec<(String, String)> = Vec::new();
            txn.each(NUMBERS, KeyRange::from(""), &mut |k, v| {
                if same_number(k, number) {
                    let id: String = decode(k, v)?;
                    if !owners.iter().any(|(_, o)| *o == id) {
                        owners.push((k.to_string(), id));
                    }
                }
                Ok(true)
            })?;
            Ok(owners)
        })?;
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

    /// Apply a patch to the stored tenant, in one transaction; a refused patch changes nothing.
    pub(crate) fn update_tenant(&self, id: &str, patch: TenantPatch) -> Result<Tenant> {
        self.write(|txn| {
            let mut t: Tenant = txn.doc(TENANTS, id)?.ok_or(StorageError::NotFound)?;
            let old_numbers = t.numbers.clone();
            patch.clone().apply(&mut t)?;
            write_tenant(txn, &t, &old_numbers)?;
            Ok(t)
        })
    }

    /// Set the active flow version (the caller has checked the version exists).
    pub(crate) fn set_active_flow(&self, id: &str, version: u32) -> Result<Tenant> {
        self.write(|txn| {
            let mut t: Tenant = txn.doc(TENANTS, id)?.ok_or(StorageError::NotFound)?;
            t.active_flow = Some(version);
            txn.put_doc(TENANTS, id, &t)?;
            txn.announce(&crate::Change::FlowActivated { tenant: id.to_string(), version })?;
            Ok(t)
        })
    }
}

/// Write a tenant and its number index in `txn`.
fn write_tenant(txn: &mut dyn Txn, t: &Tenant, old_numbers: &[String]) -> Result<()> {
    for n in &t.numbers {
        if let Some(owner) = txn.doc::<String>(NUMBERS, n)? {
            if owner != t.id {
                return Err(StorageError::Conflict(format!("number {n} belongs to another tenant")));
            }
        }
    }
    for n in old_numbers.iter().filter(|n| !t.numbers.contains(n)) {
        txn.remove(NUMBERS, n)?;
    }
    for n in &t.numbers {
        txn.put_doc(NUMBERS, n, &t.id)?;
    }
    txn.put_doc(TENANTS, &t.id, t)
}
