//! Test harness: runs the real `switchboard` binary on an ephemeral port with
//! its own data directory, and talks to it over HTTP like any client would.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::{Value, json};

pub const ADMIN_TOKEN: &str = "adm_test_token_for_e2e";

/// A flow built from `guest-examples/` by the build script.
pub fn guest(name: &str) -> Vec<u8> {
    let path = Path::new(env!("SWITCHBOARD_GUEST_DIR")).join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub struct Server {
    child: Child,
    pub base: String,
    /// The SIP address, when started with SIP.
    pub sip: Option<std::net::SocketAddr>,
    /// The WebRTC UDP address, when started with WebRTC.
    pub webrtc: Option<std::net::SocketAddr>,
    pub data_dir: PathBuf,
    owns_dir: bool,
    agent: ureq::Agent,
    /// Who is following the server's log as it is written (see [`Server::follow_log`]);
    /// `None` once the log has ended (the server exited).
    log_followers: Arc<Mutex<Option<Vec<mpsc::Sender<String>>>>>,
}

pub struct Response {
    pub status: u16,
    pub body: Value,
}

impl Server {
    /// A fresh server with a fresh data directory (and the demo tenant).
    pub fn start() -> Server {
        let dir = std::env::temp_dir().join(format!("switchboard-e2e-{}-{}", std::process::id(), unique()));
        Server::start_in(&dir, true)
    }

    /// A server on an existing data directory (a restart).
    pub fn start_in(dir: &Path, owns_dir: bool) -> Server {
        Server::start_with(dir, owns_dir, &[])
    }

    /// A fresh server taking phone calls on an ephemeral SIP port (loads the speech models).
    pub fn start_sip(asr: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("switchboard-e2e-{}-{}", std::process::id(), unique()));
        Server::start_with(&dir, true, &["--sip", "127.0.0.1:0", "--asr", asr, "--rtp-ports", "30000-39999"])
    }

    /// A fresh server taking browser calls (and SIP, to reach agents) on ephemeral ports.
    ///
    /// The browser that plays the caller shares this machine's cores with the server, where a
    /// real caller's browser has its own: the server runs at a lower priority (`nice`), so that
    /// the recogniser at work does not starve the browser's audio (a caller who stutters is
    /// misheard, and that would test the test machine, not Switchboard).
    pub fn start_webrtc(asr: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("switchboard-e2e-{}-{}", std::process::id(), unique()));
        Server::spawn(
            &dir,
            true,
            &["--webrtc", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--asr", asr, "--rtp-ports", "40000-44999"],
            true,
        )
    }

    pub fn start_with(dir: &Path, owns_dir: bool, extra: &[&str]) -> Server {
        Server::spawn(dir, owns_dir, extra, false)
    }

    /// A node of a cluster: the server inside network namespace `netns`, its API on `ip`
    /// (reachable from the host), with `extra` arguments (its SIP address, the database).
    pub fn start_node(netns: &str, ip: &str, dir: &Path, extra: &[&str]) -> Server {
        let listen = format!("{ip}:0");
        Server::spawn_in(&["ip", "netns", "exec", netns], &listen, dir, true, extra)
    }

    fn spawn(dir: &Path, owns_dir: bool, extra: &[&str], niced: bool) -> Server {
        let prefix: &[&str] = if niced { &["nice", "-n", "10"] } else { &[] };
        Server::spawn_in(prefix, "127.0.0.1:0", dir, owns_dir, extra)
    }

    /// The server started through `prefix` (a command that runs it: `nice`, `ip netns exec`).
    fn spawn_in(prefix: &[&str], listen: &str, dir: &Path, owns_dir: bool, extra: &[&str]) -> Server {
        std::fs::create_dir_all(dir).expect("create data dir");
        let mut log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).expect("log file");
        let mut command = match prefix.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(env!("CARGO_BIN_EXE_switchboard"));
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_switchboard")),
        };
        let mut child = command
            .args(["serve", "--listen", listen, "--data-dir"])
            .arg(dir)
            .args(extra)
            .env("SWITCHBOARD_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn switchboard");
        // The log goes to `server.log` line by line, and to whoever follows it.
        let log_followers: Arc<Mutex<Option<Vec<mpsc::Sender<String>>>>> = Arc::new(Mutex::new(Some(Vec::new())));
        let stderr = child.stderr.take().expect("stderr");
        let followers = log_followers.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            // Until the pipe closes, whatever its bytes (a lossy line rather than an early end).
            for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
                let line = String::from_utf8_lossy(&line).into_owned();
                let _ = writeln!(log, "{line}");
                if let Some(f) = followers.lock().unwrap().as_mut() {
                    f.retain(|f| f.send(line.clone()).is_ok());
                }
            }
            // The server's stderr closed: it exited. Followers see their channel end.
            followers.lock().unwrap().take();
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("sip on udp+tcp ") {
                    let _ = tx.send(format!("sip {addr}"));
                }
                if let Some(addr) = line.strip_prefix("webrtc on udp ") {
                    let _ = tx.send(format!("webrtc {addr}"));
                }
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let (mut sip, mut webrtc) = (None, None);
        let base = loop {
            let line = rx.recv_timeout(Duration::from_secs(180)).unwrap_or_else(|_| {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                panic!("server did not start; log:\n{log}")
            });
            if let Some(addr) = line.strip_prefix("sip ") {
                sip = Some(addr.parse().expect("SIP address"));
            } else if let Some(addr) = line.strip_prefix("webrtc ") {
                webrtc = Some(addr.parse().expect("WebRTC address"));
            } else {
                break line;
            }
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Server { child, base, sip, webrtc, data_dir: dir.to_path_buf(), owns_dir, agent, log_followers }
    }

    /// Kill the server without warning (as a crash would) and return its data directory.
    pub fn kill(mut self) -> PathBuf {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.owns_dir = false;
        self.data_dir.clone()
    }

    /// The server's process id (for its CPU use).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The demo tenant's id and key, as `serve` saved them.
    pub fn demo(&self) -> (String, String) {
        let text = std::fs::read_to_string(self.data_dir.join("demo_tenant.json")).expect("demo_tenant.json");
        let v: Value = serde_json::from_str(&text).expect("demo json");
        (v["tenant_id"].as_str().unwrap().to_string(), v["api_key"].as_str().unwrap().to_string())
    }

    fn finish(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Response {
        let mut resp = resp.expect("HTTP request failed");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Response { status, body }
    }

    /// Watch the tenant's calls start and end (`GET …/calls/events`), from now on.
    pub fn watch_calls(&self, key: &str, tenant: &str) -> CallWatch {
        // No overall deadline: the stream stays open for the test's life.
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let url = format!("{}/v1/tenants/{tenant}/calls/events", self.base);
        let resp = agent.get(&url).header("Authorization", format!("Bearer {key}")).call().expect("event stream");
        assert_eq!(resp.status().as_u16(), 200, "event stream refused");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let reader = BufReader::new(resp.into_body().into_reader());
            for line in reader.lines().map_while(Result::ok) {
                if let Some(data) = line.strip_prefix("data:")
                    && let Ok(event) = serde_json::from_str::<Value>(data.trim())
                    && tx.send(event).is_err()
                {
                    break;
                }
            }
        });
        CallWatch { events: rx, key: key.to_string(), tenant: tenant.to_string() }
    }

    pub fn get(&self, key: &str, path: &str) -> Response {
        Self::finish(
            self.agent.get(format!("{}{path}", self.base)).header("Authorization", format!("Bearer {key}")).call(),
        )
    }

    /// A binary body (a recording), whatever the status.
    pub fn get_bytes(&self, key: &str, path: &str) -> Vec<u8> {
        let mut resp = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {key}"))
            .call()
            .expect("HTTP request failed");
        resp.body_mut().with_config().limit(512 * 1024 * 1024).read_to_vec().unwrap_or_default()
    }

    pub fn post(&self, key: &str, path: &str, body: Value) -> Response {
        Self::finish(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {key}"))
                .send_json(&body),
        )
    }

    pub fn post_raw(&self, key: &str, path: &str, content_type: &str, body: &[u8]) -> Response {
        Self::finish(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {key}"))
                .header("Content-Type", content_type)
                .send(body),
        )
    }

    /// POST a body the server may refuse before reading it all (size limits):
    /// written over a raw socket, ignoring a reset, then the status line is read.
    pub fn post_oversized(&self, key: &str, path: &str, content_type: &str, body: &[u8]) -> u16 {
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body));
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response);
        text.split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status in {text:?}"))
    }

    pub fn put(&self, key: &str, path: &str, body: Value) -> Response {
        Self::finish(
            self.agent
                .put(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {key}"))
                .send_json(&body),
        )
    }

    pub fn patch(&self, key: &str, path: &str, body: Value) -> Response {
        Self::finish(
            self.agent
                .patch(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {key}"))
                .send_json(&body),
        )
    }

    pub fn delete(&self, key: &str, path: &str) -> Response {
        Self::finish(
            self.agent.delete(format!("{}{path}", self.base)).header("Authorization", format!("Bearer {key}")).call(),
        )
    }

    /// Create a tenant as the provider; returns (id, key).
    pub fn create_tenant(&self, name: &str, extra: Value) -> (String, String) {
        let mut body = json!({ "name": name });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self.post(ADMIN_TOKEN, "/v1/tenants", body);
        assert_eq!(r.status, 201, "{:?}", r.body);
        (r.body["id"].as_str().unwrap().to_string(), r.body["api_key"].as_str().unwrap().to_string())
    }

    /// Upload a flow and activate it; returns its version.
    pub fn deploy(&self, key: &str, tenant: &str, wasm: &[u8]) -> u64 {
        let r = self.post_raw(key, &format!("/v1/tenants/{tenant}/flows?activate=true"), "application/wasm", wasm);
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["version"].as_u64().unwrap()
    }

    /// Run a simulated call: plain strings are speech, objects are passed as they are.
    pub fn simulate(&self, key: &str, tenant: &str, caller: &str, inputs: &[Value]) -> Value {
        let inputs: Vec<Value> =
            inputs.iter().map(|i| if let Some(s) = i.as_str() { json!({ "text": s }) } else { i.clone() }).collect();
        let r = self.post(
            key,
            &format!("/v1/tenants/{tenant}/calls/simulate"),
            json!({ "caller": caller, "inputs": inputs }),
        );
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// Place a pickup order with the tea-shop flow as a new caller would:
    /// items, name, "yes" to the caller's own number, pickup, "yes" to the read-back.
    /// Returns the simulated call.
    pub fn place_pickup_order(&self, key: &str, tenant: &str, caller: &str, items: &str, name: &str) -> Value {
        let call =
            self.simulate(key, tenant, caller, &[json!(items), json!(name), json!("對"), json!("自取"), json!("對")]);
        assert_eq!(call["order_ids"].as_array().map(Vec::len), Some(1), "an order was placed: {call:#}");
        call
    }

    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(self.data_dir.join("server.log")).unwrap_or_default()).into_owned()
    }

    /// The server's log lines from now on, as it writes them; the channel ends when the
    /// server exits.
    pub fn follow_log(&self) -> mpsc::Receiver<String> {
        let (tx, rx) = mpsc::channel();
        if let Some(followers) = self.log_followers.lock().unwrap().as_mut() {
            followers.push(tx);
        }
        rx
    }

    /// Wait for the server to exit by itself (a drained node); `None` if it is still running
    /// after `patience` (a bound so that a test fails instead of hanging).
    pub fn exit_status(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        // The end of its log is the event: a process's stderr closes when it exits.
        let log = self.follow_log();
        let deadline = std::time::Instant::now() + patience;
        loop {
            match log.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => return self.child.wait().ok(),
                Err(mpsc::RecvTimeoutError::Timeout) => return None,
            }
        }
    }

    /// The last `n` lines of the server's log, for failure messages.
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_dir && !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    t ^ (N.fetch_add(1, Ordering::Relaxed) << 48)
}

/// Every bot reply of a simulated call, joined, for assertions.
/// The one order a simulated call placed, as the API returns it.
pub fn order_of(server: &Server, key: &str, tenant: &str, call: &Value) -> Value {
    let ids = call["order_ids"].as_array().expect("order_ids");
    assert_eq!(ids.len(), 1, "one order expected: {call:#}");
    let r = server.get(key, &format!("/v1/tenants/{tenant}/orders/{}", ids[0].as_str().unwrap()));
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

pub fn all_replies(call: &Value) -> String {
    call["turns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["replies"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap().to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The bot's replies to the n-th turn (0 is the greeting).
pub fn replies(call: &Value, turn: usize) -> String {
    call["turns"][turn]["replies"]
        .as_array()
        .map(|r| r.iter().map(|x| x["text"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A tenant's call events, as the server sends them: tests wait for a call to end (an
/// event), not for time.
pub struct CallWatch {
    events: mpsc::Receiver<Value>,
    key: String,
    tenant: String,
}

/// How long a test waits for a call it started to end before it fails (the longest test
/// call lasts about a minute).
const CALL_DEADLINE: Duration = Duration::from_secs(300);

impl CallWatch {
    /// The record of the next call to end whose record satisfies `pred`.
    pub fn ended(&self, server: &Server, pred: impl Fn(&Value) -> bool) -> Value {
        self.next(server, "ended", &pred)
    }

    /// The record of the next call whose recording is written and whose record satisfies `pred`.
    pub fn recorded(&self, server: &Server, pred: impl Fn(&Value) -> bool) -> Value {
        self.next(server, "recorded", &pred)
    }

    fn next(&self, server: &Server, kind: &str, pred: &dyn Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + CALL_DEADLINE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let event = self.events.recv_timeout(left).unwrap_or_else(|_| {
                panic!("no call {kind} that matched; events: {seen:?}\nserver log ends:\n{}", server.log_tail(40))
            });
            assert_ne!(event["type"], "lagged", "the event stream fell behind: {event}");
            seen.push(event.to_string());
            if event["type"] != kind {
                continue;
            }
            let call_id = event["call_id"].as_str().expect("call_id");
            let record = server.get(&self.key, &format!("/v1/tenants/{}/calls/{call_id}", self.tenant)).body;
            if pred(&record) {
                return record;
            }
        }
    }
}
