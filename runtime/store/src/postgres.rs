//! PostgreSQL: the backend several nodes share.
//!
//! Each table of [`crate::documents`] is a table in the `switchboard` schema with a
//! `key text COLLATE "C"` primary key (byte order, the order redb keeps) and a `value
//! bytea` (the JSON document, or the raw bytes of a flow component). The documents
//! layer holds the rules, so both backends keep the same records under the same keys
//! and pass the same conformance suite.
//!
//! - Write transactions are `SERIALIZABLE`: two nodes numbering an order at once, or
//!   admitting the same campaign recipient, cannot both commit. The loser is run again
//!   from the start on a fresh transaction ([`Engine::write`]), as PostgreSQL's manual
//!   asks of serializable clients.
//! - Reads are `REPEATABLE READ READ ONLY`: one snapshot, never in conflict.
//! - The schema is made by numbered [`MIGRATIONS`], applied at start-up under an
//!   advisory lock, so nodes starting together apply each one once.
//!
//! The `postgres` crate (the blocking client over `tokio-postgres`) is used from the
//! blocking pool, where the documents layer runs all storage work; connections are
//! kept in a small pool and prepared statements are cached per connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, IsolationLevel, NoTls, Statement};

use crate::documents::{ALL_TABLES, Documents};
use crate::engine::{Engine, KeyRange, Table, Txn};
use crate::{Change, Result, StorageError};

pub mod testing;

/// The schema every table lives in.
pub const SCHEMA: &str = "switchboard";

/// How many times a write in conflict with another node's is run again.
const MAX_ATTEMPTS: u32 = 20;

/// Connections a node opens at most; more work at once waits for one to come back.
const MAX_CONNECTIONS: usize = 24;

/// The schema's history: each migration runs once, in order, and is never edited once
/// released (a change is a new migration).
pub const MIGRATIONS: &[(i32, &str)] =
    &[(1, "the document tables of Switchboard 0.1"), (2, "places among a tenant's calls at once, leased by nodes")];

/// The tables migration 1 made (a later table gets a migration of its own).
const TABLES_V1: &[&str] = &[
    "tenants",
    "numbers",
    "api_keys",
    "flows",
    "flow_blobs",
    "catalogs",
    "faq",
    "customers",
    "customer_phones",
    "orders",
    "order_phones",
    "counters",
    "calls",
    "tenant_state",
    "call_stats",
    "call_terms",
    "cases",
    "unheard_turns",
    "audit",
    "desk_users",
    "desk_logins",
    "follow_ups",
    "tickets",
    "campaigns",
    "campaign_recipients",
    "campaign_due",
    "do_not_call",
    "surveys",
];

fn migration_sql(version: i32) -> String {
    match version {
        1 => {
            let mut sql = format!("CREATE SCHEMA IF NOT EXISTS {SCHEMA};\n");
            for t in TABLES_V1 {
                sql.push_str(&format!(
                    "CREATE TABLE {SCHEMA}.{t} (key text COLLATE \"C\" PRIMARY KEY, value bytea NOT NULL);\n"
                ));
            }
            sql
        }
        2 => format!("CREATE TABLE {SCHEMA}.call_places (key text COLLATE \"C\" PRIMARY KEY, value bytea NOT NULL);\n"),
        _ => unreachable!("migration {version} is listed in MIGRATIONS"),
    }
}

/// Connections not in use, and how many are open in all.
#[derive(Default)]
struct Pool {
    idle: Vec<Conn>,
    open: usize,
}

/// A connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// The channel every node listens on for [`Change`]s (JSON payloads).
const CHANGES_CHANNEL: &str = "switchboard_changes";

/// The PostgreSQL engine: a connection string and a pool of connections.
pub struct PgEngine {
    config: postgres::Config,
    pool: Mutex<Pool>,
    returned: std::sync::Condvar,
    /// Changes heard from the database, and whether a listener runs.
    changes: Arc<tokio::sync::broadcast::Sender<Change>>,
    listening: std::sync::Once,
}

/// The store on a PostgreSQL database.
pub type PostgresStore = Documents<PgEngine>;

impl PostgresStore {
    /// Connect to `url` (`postgres://user:password@host:port/database`) and bring the
    /// schema up to date. It blocks (on a thread of its own, so it may be called from
    /// async code too).
    pub fn connect(url: &str) -> anyhow::Result<PostgresStore> {
        let url = url.to_string();
        std::thread::spawn(move || Self::connect_here(&url))
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("connecting to the database panicked")))
    }

    fn connect_here(url: &str) -> anyhow::Result<PostgresStore> {
        use anyhow::Context;
        let mut config: postgres::Config =
            url.parse().with_context(|| format!("reading the database URL {}", redact(url)))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.application_name("switchboard");
        let engine = PgEngine {
            config,
            pool: Mutex::new(Pool::default()),
            returned: std::sync::Condvar::new(),
            changes: Arc::new(tokio::sync::broadcast::channel(1024).0),
            listening: std::sync::Once::new(),
        };
        let mut conn = engine.take().with_context(|| format!("connecting to {}", redact(url)))?;
        migrate(&mut conn.client).context("bringing the database schema up to date")?;
        engine.give_back(conn);
        Ok(Documents::new(engine))
    }
}

/// A URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Apply the migrations not yet applied, one node at a time.
fn migrate(client: &mut Client) -> anyhow::Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock(hashtext('switchboard schema migrations'))", &[])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS public.switchboard_migrations (
            version integer PRIMARY KEY,
            description text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now())",
    )?;
    let applied: Vec<i32> =
        tx.query("SELECT version FROM public.switchboard_migrations", &[])?.iter().map(|r| r.get(0)).collect();
    for (version, description) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(&migration_sql(*version))?;
        tx.execute(
            "INSERT INTO public.switchboard_migrations (version, description) VALUES ($1, $2)",
            &[version, description],
        )?;
        tracing::info!(version, description, "database migration applied");
    }
    // Every table the documents layer uses must exist by now.
    for t in ALL_TABLES {
        let found: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2)",
                &[&SCHEMA, t],
            )?
            .get(0);
        anyhow::ensure!(found, "table {SCHEMA}.{t} is missing: it needs a migration");
    }
    tx.commit()?;
    Ok(())
}

impl PgEngine {
    fn connect(&self) -> Result<Conn> {
        let client = self.config.connect(NoTls).map_err(|e| StorageError::Database(format!("connecting: {e}")))?;
        Ok(Conn { client, statements: HashMap::new() })
    }

    /// A pooled connection, or a new one while fewer than [`MAX_CONNECTIONS`] are open.
    fn take(&self) -> Result<Conn> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = pool.idle.pop() {
                if conn.client.is_closed() {
                    pool.open -= 1;
                    continue;
                }
                return Ok(conn);
            }
            if pool.open < MAX_CONNECTIONS {
                pool.open += 1;
                drop(pool);
                return self.connect().inspect_err(|_| {
                    self.pool.lock().unwrap_or_else(|p| p.into_inner()).open -= 1;
                    self.returned.notify_one();
                });
            }
            let (next, waited) =
                self.returned.wait_timeout(pool, Duration::from_secs(5)).unwrap_or_else(|p| p.into_inner());
            pool = next;
            if waited.timed_out() && pool.idle.is_empty() && pool.open >= MAX_CONNECTIONS {
                return Err(StorageError::Database(format!("all {MAX_CONNECTIONS} database connections stayed busy")));
            }
        }
    }

    fn give_back(&self, conn: Conn) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if conn.client.is_closed() {
            pool.open -= 1;
        } else {
            pool.idle.push(conn);
        }
        self.returned.notify_one();
    }
}

impl Drop for PgEngine {
    fn drop(&mut self) {
        // The blocking client closes its connection on a runtime of its own, which Tokio
        // forbids on a thread that drives async tasks: close them on a thread of their own.
        let idle = std::mem::take(&mut self.pool.get_mut().unwrap_or_else(|p| p.into_inner()).idle);
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

/// Hear the changes announced on the database (`LISTEN`) until the engine is dropped,
/// connecting again after a lost connection.
fn listen(
    config: postgres::Config,
    changes: Weak<tokio::sync::broadcast::Sender<Change>>,
    ready: std::sync::mpsc::Sender<()>,
) {
    while changes.strong_count() > 0 {
        let mut client = match config.connect(NoTls) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "listening for changes: no connection; trying again");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        if let Err(e) = client.batch_execute(&format!("LISTEN {CHANGES_CHANNEL}")) {
            tracing::warn!(error = %e, "listening for changes");
            std::thread::sleep(Duration::from_secs(1));
            continue;
        }
        tracing::debug!("listening for changes other nodes make");
        let _ = ready.send(());
        loop {
            let Some(sender) = changes.upgrade() else { return };
            // Wake now and then to see whether the engine is still there.
            let next = {
                let mut notifications = client.notifications();
                let mut heard = notifications.timeout_iter(Duration::from_millis(500));
                postgres::fallible_iterator::FallibleIterator::next(&mut heard)
            };
            match next {
                Ok(Some(n)) => match serde_json::from_str::<Change>(n.payload()) {
                    Ok(change) => {
                        let _ = sender.send(change);
                    }
                    Err(e) => tracing::warn!(payload = n.payload(), error = %e, "an announced change not understood"),
                },
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "listening for changes: connection lost; connecting again");
                    break;
                }
            }
            if client.is_closed() {
                break;
            }
        }
    }
}

impl Engine for PgEngine {
    /// The first call starts the listener and waits (up to 5 s) until it listens, so that
    /// no change committed after this returns is missed.
    fn changes(&self) -> tokio::sync::broadcast::Receiver<Change> {
        let receiver = self.changes.subscribe();
        self.listening.call_once(|| {
            let (config, changes) = (self.config.clone(), Arc::downgrade(&self.changes));
            let (ready, listening) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name("pg-changes".into())
                .spawn(move || listen(config, changes, ready))
                .expect("start the change listener");
            if listening.recv_timeout(Duration::from_secs(5)).is_err() {
                tracing::warn!(
                    "not yet listening for other nodes' changes: activations there may be missed until it does"
                );
            }
        });
        receiver
    }

    fn read<T>(&self, work: &mut dyn FnMut(&mut dyn Txn) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let Conn { client, statements } = &mut conn;
        let result = (|| {
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(db("starting a read"))?;
            let mut txn = PgTxn { tx, statements, conflict: false };
            let out = work(&mut txn)?;
            txn.tx.commit().map_err(db("ending a read"))?;
            Ok(out)
        })();
        self.give_back(conn);
        result
    }

    fn write<T>(&self, work: &mut dyn FnMut(&mut dyn Txn) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let Conn { client, statements } = &mut conn;
        let mut result = Err(StorageError::Database("no attempt made".into()));
        for attempt in 1..=MAX_ATTEMPTS {
            let tx = match client.build_transaction().isolation_level(IsolationLevel::Serializable).start() {
                Ok(tx) => tx,
                Err(e) => {
                    result = Err(db("starting a write")(e));
                    break;
                }
            };
            let mut txn = PgTxn { tx, statements, conflict: false };
            let out = work(&mut txn);
            let PgTxn { tx, conflict, .. } = txn;
            let again = match out {
                Ok(value) => match tx.commit() {
                    Ok(()) => {
                        result = Ok(value);
                        false
                    }
                    Err(e) if is_conflict(&e) => true,
                    Err(e) => {
                        result = Err(db("committing")(e));
                        false
                    }
                },
                // The work failed because another transaction won: the rollback (on drop)
                // and another attempt; any other failure is the answer.
                Err(_) if conflict => true,
                Err(e) => {
                    result = Err(e);
                    false
                }
            };
            if !again {
                break;
            }
            result = Err(StorageError::Database(format!("a write conflicted with others {attempt} times")));
            tracing::debug!(attempt, "serialization conflict: the write runs again");
            // Writers that collided start again at different moments.
            std::thread::sleep(Duration::from_millis(u64::from(attempt) * (1 + rand_ms())));
        }
        self.give_back(conn);
        result
    }
}

/// A few milliseconds of jitter, from the clock's low bits.
fn rand_ms() -> u64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    u64::from(nanos % 5)
}

fn is_conflict(e: &postgres::Error) -> bool {
    matches!(e.code(), Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED)
}

fn db(doing: &'static str) -> impl Fn(postgres::Error) -> StorageError {
    move |e| StorageError::Database(format!("{doing}: {e}"))
}

struct PgTxn<'a> {
    tx: postgres::Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
    /// An operation failed because a concurrent transaction won.
    conflict: bool,
}

impl PgTxn<'_> {
    fn statement(&mut self, sql: String) -> Result<Statement> {
        if let Some(s) = self.statements.get(&sql) {
            return Ok(s.clone());
        }
        let prepared = self.tx.prepare(&sql).map_err(|e| self.failed("preparing", e))?;
        self.statements.insert(sql, prepared.clone());
        Ok(prepared)
    }

    fn failed(&mut self, doing: &str, e: postgres::Error) -> StorageError {
        self.conflict |= is_conflict(&e);
        StorageError::Database(format!("{doing}: {e}"))
    }
}

impl Txn for PgTxn<'_> {
    fn get(&mut self, table: Table, key: &str) -> Result<Option<Vec<u8>>> {
        let s = self.statement(format!("SELECT value FROM {SCHEMA}.{table} WHERE key = $1"))?;
        match self.tx.query_opt(&s, &[&key]) {
            Ok(row) => Ok(row.map(|r| r.get(0))),
            Err(e) => Err(self.failed("reading", e)),
        }
    }

    fn put(&mut self, table: Table, key: &str, value: &[u8]) -> Result<()> {
        let s = self.statement(format!(
            "INSERT INTO {SCHEMA}.{table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
        ))?;
        match self.tx.execute(&s, &[&key, &value]) {
            Ok(_) => Ok(()),
            Err(e) => Err(self.failed("writing", e)),
        }
    }

    fn remove(&mut self, table: Table, key: &str) -> Result<Option<Vec<u8>>> {
        let s = self.statement(format!("DELETE FROM {SCHEMA}.{table} WHERE key = $1 RETURNING value"))?;
        match self.tx.query_opt(&s, &[&key]) {
            Ok(row) => Ok(row.map(|r| r.get(0))),
            Err(e) => Err(self.failed("deleting", e)),
        }
    }

    fn announce(&mut self, change: &Change) -> Result<()> {
        let payload = serde_json::to_string(change).expect("a change serialises to JSON");
        let s = self.statement("SELECT pg_notify($1, $2)".to_string())?;
        match self.tx.execute(&s, &[&CHANGES_CHANNEL, &payload]) {
            Ok(_) => Ok(()),
            Err(e) => Err(self.failed("announcing a change", e)),
        }
    }

    fn range(&mut self, table: Table, range: KeyRange<'_>, limit: usize) -> Result<Vec<(String, Vec<u8>)>> {
        use std::ops::Bound;
        let bound = |b: Bound<&'_ str>| match b {
            Bound::Included(k) => Some((k.to_string(), true)),
            Bound::Excluded(k) => Some((k.to_string(), false)),
            Bound::Unbounded => None,
        };
        let (lower, upper) = (bound(range.start), bound(range.end));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut conditions = Vec::new();
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::new();
        if let Some((k, included)) = &lower {
            params.push(k);
            conditions.push(format!("key {} ${}", if *included { ">=" } else { ">" }, params.len()));
        }
        if let Some((k, included)) = &upper {
            params.push(k);
            conditions.push(format!("key {} ${}", if *included { "<=" } else { "<" }, params.len()));
        }
        params.push(&limit);
        let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let order = if range.reverse { "DESC" } else { "ASC" };
        let s = self.statement(format!(
            "SELECT key, value FROM {SCHEMA}.{table} {filter} ORDER BY key {order} LIMIT ${}",
            params.len()
        ))?;
        match self.tx.query(&s, &params) {
            Ok(rows) => Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect()),
            Err(e) => Err(self.failed("reading a range", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The conformance suite, run against a PostgreSQL server this test starts.
    crate::conformance_tests!(|| super::testing::temporary());

    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use crate::{Change, Db};

    /// Two nodes on one database: a flow activated through one is heard by the other.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_activation_on_one_node_is_heard_on_the_others() {
        let (one, database) = super::testing::temporary();
        let other: Db = Arc::new(super::PostgresStore::connect(&database.url()).expect("second node"));
        let mut heard = other.subscribe_changes();
        let tenant = one.create_tenant("T", Default::default()).await.unwrap();
        let activated = Instant::now();
        one.set_active_flow(&tenant.id, 3).await.unwrap();
        let change = tokio::time::timeout(Duration::from_secs(30), heard.recv()).await.expect("heard").unwrap();
        println!("heard on the other node after {:?}", activated.elapsed());
        assert_eq!(change, Change::FlowActivated { tenant: tenant.id.clone(), version: 3 });
        assert_eq!(other.tenant(&tenant.id).await.unwrap().active_flow, Some(3));
    }

    /// Three nodes on one database take orders at once: serializable writes, run again
    /// when they collide, give each order one number.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn orders_placed_at_once_on_three_nodes_are_each_numbered_once() {
        let (one, database) = super::testing::temporary();
        let mut nodes = vec![one];
        for _ in 0..2 {
            nodes.push(Arc::new(super::PostgresStore::connect(&database.url()).expect("another node")) as Db);
        }
        crate::conformance::orders_placed_at_once_on(&nodes).await;
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(super::redact("postgres://sb:secret@db:5432/sb"), "postgres://sb:***@db:5432/sb");
        assert_eq!(super::redact("postgres://db/sb"), "postgres://db/sb");
    }
}
