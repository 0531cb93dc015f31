//! A PostgreSQL server for tests: one per test process, and a fresh database per test.
//!
//! With `SWITCHBOARD_TEST_POSTGRES` set to a server's URL (a user that may create
//! databases), that server is used. Otherwise the first test starts a throwaway server
//! from the machine's PostgreSQL binaries (Debian's `postgresql` package, which
//! `scripts/setup` installs): `initdb` into a temporary directory, `postgres` on a free
//! loopback port, run as the `postgres` user when the tests run as root (PostgreSQL
//! refuses root). A shell watches the test process's end (its stdin closes) and then
//! stops the server and removes its directory, so nothing outlives the tests.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::PostgresStore;
use crate::Db;

/// A PostgreSQL server for tests.
pub struct TestServer {
    /// `postgres://user@host:port/` without a database.
    base: String,
    /// Held open until the process exits (or the server is dropped): its end stops the server.
    _watch: Option<Mutex<Child>>,
}

impl TestServer {
    /// A new, empty database on this server, dropped with the guard.
    pub fn database(&self) -> TempDatabase {
        let name = switchboard_domain::ids::new_id("sbtest").to_lowercase();
        let (base, sql) = (self.base.clone(), format!("CREATE DATABASE {name}"));
        std::thread::spawn(move || admin(&base, &sql)).join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        TempDatabase { base: self.base.clone(), name }
    }
}

/// The server the conformance tests of this process share.
static SERVER: OnceLock<Result<TestServer, String>> = OnceLock::new();

/// A fresh, empty store on the test server, and a guard that drops its database. (The
/// blocking client may not run on a thread that drives async tasks, so the work is done
/// on a thread of its own.)
pub fn temporary() -> (Db, TempDatabase) {
    std::thread::spawn(fresh).join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

fn fresh() -> (Db, TempDatabase) {
    let server = match SERVER.get_or_init(|| shared_or_started(&["127.0.0.1"], &[])) {
        Ok(s) => s,
        Err(e) => panic!("no PostgreSQL server for the tests: {e}"),
    };
    let database = server.database();
    let store = PostgresStore::connect(&database.url()).expect("connect to the test database");
    (Arc::new(store), database)
}

/// A test's database, dropped with the guard.
pub struct TempDatabase {
    base: String,
    name: String,
}

impl TempDatabase {
    /// The database's URL, for a second store on it (another node).
    pub fn url(&self) -> String {
        format!("{}{}", self.base, self.name)
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let (base, sql) = (self.base.clone(), format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        let _ = std::thread::spawn(move || admin(&base, &sql)).join();
    }
}

/// Run one statement on the server's `postgres` database.
fn admin(base: &str, sql: &str) {
    let mut client =
        postgres::Client::connect(&format!("{base}postgres"), postgres::NoTls).expect("connect to the test server");
    client.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The server `SWITCHBOARD_TEST_POSTGRES` names, or a throwaway one ([`start_server`]).
fn shared_or_started(hosts: &[&str], trusted: &[&str]) -> Result<TestServer, String> {
    if let Ok(url) = std::env::var("SWITCHBOARD_TEST_POSTGRES") {
        let base = match url.rfind('/') {
            Some(i) if i > url.find("://").map_or(0, |s| s + 2) => url[..=i].to_string(),
            _ => format!("{url}/"),
        };
        return Ok(TestServer { base, _watch: None });
    }
    start_server(hosts, trusted)
}

/// Start a throwaway server from the machine's binaries, listening on `hosts` (addresses of
/// this machine; the first is in its URLs) and trusting connections from the `trusted`
/// networks (CIDR) besides loopback. It blocks until the server takes connections.
pub fn start_server(hosts: &[&str], trusted: &[&str]) -> Result<TestServer, String> {
    let bin = binaries().ok_or("PostgreSQL's initdb and postgres were not found (scripts/setup installs them)")?;
    let host = *hosts.first().ok_or("no address to listen on")?;
    let port = free_port(host)?;
    let dir = std::env::temp_dir().join(switchboard_domain::ids::new_id("sbpg"));
    let dir = dir.to_str().ok_or("temporary directory path")?.to_string();
    let script = format!(
        r#"set -e
mkdir -p "{dir}"
"{bin}/initdb" -D "{dir}/data" -A trust -U switchboard --no-sync >"{dir}/initdb.log" 2>&1
for net in {trusted}; do echo "host all all $net trust" >>"{dir}/data/pg_hba.conf"; done
"{bin}/postgres" -D "{dir}/data" -h "{listen}" -p {port} -k "{dir}" -c fsync=off -c synchronous_commit=off \
  -c full_page_writes=off -c max_connections=300 >"{dir}/server.log" 2>&1 &
pid=$!
cat >/dev/null || true
kill -INT $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
rm -rf "{dir}""#,
        bin = bin.display(),
        trusted = trusted.join(" "),
        listen = hosts.join(","),
    );
    let as_root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
    let mut command = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", &script]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &script]);
        c
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("starting PostgreSQL: {e}"))?;
    // The stdin pipe stays open (the child is kept in a static) until this process exits.
    child.stdin.as_mut().map(|s| s.flush());
    let base = format!("postgres://switchboard@{host}:{port}/");
    // Wait for the server to take connections: initdb, then start-up.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if postgres::Client::connect(&format!("{base}postgres"), postgres::NoTls).is_ok() {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the PostgreSQL server exited ({status}); see {dir}/initdb.log and server.log"));
        }
        if Instant::now() > deadline {
            return Err(format!("the PostgreSQL server did not start; see {dir}/server.log"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(TestServer { base, _watch: Some(Mutex::new(child)) })
}

/// The directory of `initdb` and `postgres`: on the PATH, or Debian's newest version.
fn binaries() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() && dir.join("postgres").exists() {
            return Some(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("initdb").exists())
        .collect();
    versions.sort_by_key(|d| {
        d.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
    });
    versions.pop()
}

fn free_port(host: &str) -> Result<u16, String> {
    let listener = std::net::TcpListener::bind((host, 0)).map_err(|e| format!("finding a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}
