//! A cluster on one machine: Switchboard nodes, each in a network namespace of its own
//! (`ip netns`) with its own address, on a bridge with the host; PostgreSQL and Kamailio
//! (the shipped `deploy/kamailio/kamailio.cfg`) on the host's side of the bridge. The
//! tests start and stop all of it themselves; it needs root (network namespaces).

#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use switchboard::storage::postgres::testing::{TempDatabase, TestServer, start_server};

/// The host's address on the bridge: Kamailio, PostgreSQL and the callers (sipp).
pub const HOST_IP: &str = "10.77.0.1";

/// What a test cluster's nodes share: their network, one PostgreSQL database and Kamailio in
/// front. Started before the nodes; dropped after them, Kamailio first and the network last
/// (fields drop in the order they are declared).
pub struct Backbone {
    pub kamailio: Kamailio,
    /// The shared database, for the nodes' `--database`.
    pub database_url: String,
    _database: TempDatabase,
    _postgres: TestServer,
    _network: Network,
}

impl Backbone {
    pub fn start(nodes: usize, dir: &Path) -> Backbone {
        let network = Network::create(nodes);
        let postgres = start_server(&[HOST_IP], &["10.77.0.0/24"]).expect("PostgreSQL for the cluster");
        let database = postgres.database();
        let ips: Vec<String> = (1..=nodes).map(node_ip).collect();
        let kamailio = Kamailio::start(&dir.join("kamailio"), &ips);
        Backbone {
            kamailio,
            database_url: database.url(),
            _database: database,
            _postgres: postgres,
            _network: network,
        }
    }
}
const BRIDGE: &str = "sbc-br";

/// Node `i`'s (from 1) address.
pub fn node_ip(i: usize) -> String {
    format!("10.77.0.{}", 10 + i)
}

/// Node `i`'s network namespace.
pub fn namespace(i: usize) -> String {
    format!("sbc-node{i}")
}

fn ip(args: &str) {
    let out = Command::new("ip").args(args.split_whitespace()).output().expect("ip (iproute2)");
    assert!(out.status.success(), "ip {args}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The bridge and the namespaces, removed on drop.
pub struct Network {
    nodes: usize,
}

impl Network {
    pub fn create(nodes: usize) -> Network {
        // What an interrupted run left behind.
        remove(nodes + 2);
        ip(&format!("link add {BRIDGE} type bridge"));
        ip(&format!("addr add {HOST_IP}/24 dev {BRIDGE}"));
        ip(&format!("link set {BRIDGE} up"));
        for i in 1..=nodes {
            let ns = namespace(i);
            ip(&format!("netns add {ns}"));
            ip(&format!("link add sbc-v{i} type veth peer name eth0 netns {ns}"));
            ip(&format!("link set sbc-v{i} master {BRIDGE} up"));
            ip(&format!("-n {ns} addr add {}/24 dev eth0", node_ip(i)));
            ip(&format!("-n {ns} link set eth0 up"));
            ip(&format!("-n {ns} link set lo up"));
        }
        Network { nodes }
    }
}

fn remove(nodes: usize) {
    for i in 1..=nodes {
        let _ = Command::new("ip").args(["netns", "del", &namespace(i)]).stderr(Stdio::null()).status();
        let _ = Command::new("ip").args(["link", "del", &format!("sbc-v{i}")]).stderr(Stdio::null()).status();
    }
    let _ = Command::new("ip").args(["link", "del", BRIDGE]).stderr(Stdio::null()).status();
}

impl Drop for Network {
    fn drop(&mut self) {
        remove(self.nodes);
    }
}

/// Kamailio with the shipped configuration, balancing over the nodes.
pub struct Kamailio {
    child: Child,
    pub dir: PathBuf,
    /// Where callers send their INVITEs.
    pub addr: String,
}

impl Kamailio {
    pub fn start(dir: &Path, nodes: &[String]) -> Kamailio {
        std::fs::create_dir_all(dir).unwrap();
        let list: String = nodes.iter().map(|n| format!("1 sip:{n}:5060\n")).collect();
        std::fs::write(dir.join("nodes.list"), list).unwrap();
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/kamailio/kamailio.cfg");
        let log = std::fs::File::create(dir.join("kamailio.log")).unwrap();
        use std::os::unix::process::CommandExt;
        let child = Command::new("kamailio")
            // Its own process group: its worker processes stop with it.
            .process_group(0)
            .args(["-DD", "-E", "-m", "64", "-M", "8", "-f"])
            .arg(&config)
            .arg("-A")
            .arg(format!("NODES_FILE=\"{}\"", dir.join("nodes.list").display()))
            .arg("-A")
            .arg(format!("CTL_SOCKET=\"unix:{}\"", dir.join("ctl").display()))
            .arg("-A")
            .arg("PROBE_SECONDS=1")
            .arg("-Y")
            .arg(dir)
            .arg("-P")
            .arg(dir.join("kamailio.pid"))
            .args(["-l", &format!("udp:{HOST_IP}:5060"), "-l", &format!("tcp:{HOST_IP}:5060")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("kamailio (scripts/setup installs it)");
        let k = Kamailio { child, dir: dir.to_path_buf(), addr: format!("{HOST_IP}:5060") };
        // Up when it answers a probe of its own.
        let deadline = Instant::now() + Duration::from_secs(60);
        while options(&k.addr, &format!("sip:{HOST_IP}")).is_none() {
            assert!(Instant::now() < deadline, "Kamailio did not start:\n{}", k.log());
        }
        k
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("kamailio.log")).unwrap_or_default()
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        // Every process of the group: the main one and its workers.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// The status line of the answer to an OPTIONS for `uri` sent to `to` (within a second).
pub fn options(to: &str, uri: &str) -> Option<String> {
    let s = UdpSocket::bind((HOST_IP, 0)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let local = s.local_addr().ok()?;
    let call_id = format!("probe-{}-{}", std::process::id(), local.port());
    let probe = format!(
        "OPTIONS {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-{call_id}\r\n\
         From: <sip:test@{HOST_IP}>;tag=1\r\nTo: <{uri}>\r\nCall-ID: {call_id}\r\n\
         CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    );
    s.send_to(probe.as_bytes(), to).ok()?;
    let mut buf = [0u8; 4096];
    let (n, _) = s.recv_from(&mut buf).ok()?;
    String::from_utf8_lossy(&buf[..n]).lines().next().map(str::to_string)
}

/// sipp on the host calling `service` through `target` with a scenario of `tests/sip/`,
/// `calls` calls at most `at_once` at a time; in `dir` (where its pcap files are).
pub fn sipp(scenario: &str, target: &str, service: &str, dir: &Path, calls: usize, at_once: usize) -> Command {
    let mut c = Command::new("sipp");
    let (port, media) = (super::sipp::free_port().to_string(), super::sipp::media_port().to_string());
    let (calls, at_once) = (calls.to_string(), at_once.to_string());
    c.arg("-sf")
        .arg(super::sipp::scenario(scenario))
        .args(["-s", service, "-i", HOST_IP, "-p", &port, "-mi", HOST_IP, "-mp", &media])
        .args(["-m", &calls, "-l", &at_once, "-r", &at_once, "-rp", "1000"])
        .args(["-timeout", "400s", "-timeout_error", "-nostdin", "-trace_err"])
        .arg(target)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}
