//! Desk users: the user record by tenant, and the sign-in record by login (unique
//! across the instance), written together.

use switchboard_domain::desk::{DeskLogin, DeskUser};

use super::{DESK_LOGINS, DESK_USERS, Documents, decode, key};
use crate::engine::{Engine, TxnExt};
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
    pub(crate) fn create_desk_user(&self, user: &DeskUser, login: &DeskLogin) -> Result<()> {
        self.write(|txn| {
            if txn.get(DESK_LOGINS, &user.login)?.is_some() {
                return Err(StorageError::Conflict(format!("the login `{}` is taken", user.login)));
            }
            txn.put_doc(DESK_LOGINS, &user.login, login)?;
            txn.put_doc(DESK_USERS, &key(&user.tenant_id, &user.id), user)
        })
    }

    pub(crate) fn delete_desk_user(&self, tenant: &str, id: &str) -> Result<bool> {
        self.write(|txn| {
            let Some(bytes) = txn.remove(DESK_USERS, &key(tenant, id))? else { return Ok(false) };
            let user: DeskUser = decode(id, &bytes)?;
            txn.remove(DESK_LOGINS, &user.login)?;
            Ok(true)
        })
    }
}
