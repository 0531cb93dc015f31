//! The redb implementation of desk users: the user record by tenant, and the
//! sign-in record by login (unique across the instance), written together.

use redb::ReadableTable;
use switchboard_domain::desk::{DeskLogin, DeskUser};

use super::{DESK_LOGINS, DESK_USERS, RedbStore, decode, encode, key};
use crate::{Result, StorageError};

impl RedbStore {
    pub(crate) fn create_desk_user(&self, user: &DeskUser, login: &DeskLogin) -> Result<()> {
        let txn = self.raw().begin_write()?;
        {
            let mut logins = txn.open_table(DESK_LOGINS)?;
            if logins.get(user.login.as_str())?.is_some() {
                return Err(StorageError::Conflict(format!("the login `{}` is taken", user.login)));
            }
            logins.insert(user.login.as_str(), encode(login).as_slice())?;
            let mut users = txn.open_table(DESK_USERS)?;
            users.insert(key(&user.tenant_id, &user.id).as_str(), encode(user).as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    pub(crate) fn delete_desk_user(&self, tenant: &str, id: &str) -> Result<bool> {
        let txn = self.raw().begin_write()?;
        let found = {
            let mut users = txn.open_table(DESK_USERS)?;
            let user: Option<DeskUser> = match users.remove(key(tenant, id).as_str())? {
                Some(v) => Some(decode(id, v.value())?),
                None => None,
            };
            if let Some(u) = &user {
                txn.open_table(DESK_LOGINS)?.remove(u.login.as_str())?;
            }
            user.is_some()
        };
        txn.commit()?;
        Ok(found)
    }
}
