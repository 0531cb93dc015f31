//! Beyond one machine: three Switchboard nodes, each in a network namespace of its own
//! with its own address, sharing one PostgreSQL database, behind Kamailio with the
//! shipped configuration. sipp calls Kamailio as the phone network would.
//!
//! One cluster goes through every step, as a provider's would in a day: spoken orders
//! spread over the nodes, a flow activated through one node's API answering on another,
//! a tenant's limit of calls at once held across nodes, a node drained in the middle of
//! a call, and a node killed in the middle of one.
//!
//! Needs root (network namespaces), PostgreSQL, Kamailio and sipp (`scripts/setup --tests`).

mod common;

#[path = "common/caller.rs"]
mod caller;
#[path = "common/cluster.rs"]
mod cluster;
#[path = "common/sipp.rs"]
mod sipp;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::mpsc;
use std::time::Duration;

use cluster::{Backbone, namespace, node_ip};
use common::{ADMIN_TOKEN, Server};
use serde_json::{Value, json};
use sipp::DEMO_NUMBER;

const NODES: usize = 3;
/// A bound on waiting for what a test waits for, so that it fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(240);

/// Fields drop in order: the nodes stop first, the network goes last.
struct Cluster {
    nodes: Vec<Option<Server>>,
    backbone: Backbone,
    dir: PathBuf,
    tenant: String,
    key: String,
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        let backbone = Backbone::start(NODES, dir);
        let url = backbone.database_url.clone();
        // The first node makes the demo tenant in the empty database; the others find it.
        let nodes: Vec<Option<Server>> = (1..=NODES)
            .map(|i| {
                let (sip, id) = (format!("{}:5060", node_ip(i)), format!("node{i}"));
                let args = ["--sip", &sip, "--asr", "tiny-en", "--database", &url, "--node-id", &id];
                let shared = ["--cluster-secret", "cluster test secret", "--rtp-ports", "30000-30999"];
                let args: Vec<&str> = args.iter().chain(&shared).copied().collect();
                Some(Server::start_node(&namespace(i), &node_ip(i), &dir.join(&id), &args))
            })
            .collect();
        let (tenant, key) = nodes[0].as_ref().unwrap().demo();
        Cluster { nodes, backbone, dir: dir.to_path_buf(), tenant, key }
    }

    fn node(&self, i: usize) -> &Server {
        self.nodes[i].as_ref().expect("a running node")
    }

    /// Any node still running, for the API (they share the database).
    fn any(&self) -> &Server {
        self.nodes.iter().flatten().next().expect("a running node")
    }

    fn orders(&self) -> Vec<Value> {
        let r = self.any().get(&self.key, &format!("/v1/tenants/{}/orders", self.tenant));
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["orders"].as_array().cloned().unwrap_or_default()
    }

    /// Calls each node has started, from its metrics (`None` for a node that is gone).
    fn calls_started(&self) -> Vec<Option<u64>> {
        self.calls_started_except(usize::MAX)
    }

    /// The same, leaving out node `skip` (one that may be exiting).
    fn calls_started_except(&self, skip: usize) -> Vec<Option<u64>> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let node = n.as_ref().filter(|_| i != skip)?;
                let text = node.get(ADMIN_TOKEN, "/metrics").body.as_str().unwrap_or_default().to_string();
                Some(
                    text.lines()
                        .filter(|l| l.starts_with("switchboard_calls_started_total"))
                        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                        .sum::<f64>() as u64,
                )
            })
            .collect()
    }

    /// Every running node's log lines, as (node index, line), from now on.
    fn follow_logs(&self) -> mpsc::Receiver<(usize, String)> {
        let (tx, rx) = mpsc::channel();
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(node) = node else { continue };
            let (lines, tx) = (node.follow_log(), tx.clone());
            std::thread::spawn(move || {
                for line in lines {
                    if tx.send((i, line)).is_err() {
                        return;
                    }
                }
            });
        }
        rx
    }

    /// sipp calling the demo number through Kamailio: `calls` calls, one at a time.
    fn call(&self, scenario: &str, calls: usize) -> std::process::Child {
        cluster::sipp(scenario, &self.backbone.kamailio.addr, DEMO_NUMBER, &self.dir, calls, 1).spawn().expect("sipp")
    }

    fn assert_passed(&self, out: &Output, what: &str) {
        if !out.status.success() {
            let logs: String = self
                .nodes
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, n)| format!("--- node {} ---\n{}\n", i + 1, n.log_tail(25)))
                .collect();
            let kamailio: String = self.backbone.kamailio.log().lines().rev().take(30).collect::<Vec<_>>().join("\n");
            panic!(
                "{what}: sipp failed ({})\n{}\nkamailio (newest first):\n{kamailio}\n{logs}",
                out.status,
                String::from_utf8_lossy(&out.stdout).lines().rev().take(20).collect::<Vec<_>>().join("\n")
            );
        }
    }
}

/// The first line from any node containing `text`: (node index, line).
fn wait_for(lines: &mpsc::Receiver<(usize, String)>, text: &str) -> (usize, String) {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok((i, line)) if line.contains(text) => return (i, line),
            Ok(_) => {}
            Err(_) => panic!("no node logged `{text}`"),
        }
    }
}

#[test]
fn three_nodes_behind_kamailio_share_calls_orders_flows_and_limits_and_lose_nothing_to_a_drain_or_a_kill() {
    let dir = std::env::temp_dir().join(format!("switchboard-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    caller::write_rtp_pcap(&caller::spoken_order(8000, 9.0, 7.0), &dir.join("caller_order.pcap"));
    let mut c = Cluster::start(&dir);
    let tenant_path = format!("/v1/tenants/{}", c.tenant);

    // 1. Three spoken orders through Kamailio: one per node (round robin), each stored once.
    let before = c.calls_started();
    let out = c.call("caller_order.xml", NODES).wait_with_output().unwrap();
    c.assert_passed(&out, "three spoken orders");
    let orders = c.orders();
    assert_eq!(orders.len(), NODES, "one order per call: {orders:#?}");
    let mut calls: Vec<&str> = orders.iter().map(|o| o["call_id"].as_str().unwrap()).collect();
    calls.dedup();
    assert_eq!(calls.len(), NODES, "each order from its own call");
    let mut numbers: Vec<u64> = orders.iter().map(|o| o["number"].as_u64().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, [1001, 1002, 1003], "numbered once across the nodes");
    assert!(orders.iter().all(|o| o["total"] == 120 && o["customer_name"] == "John"), "{orders:#?}");
    let after = c.calls_started();
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(a.unwrap() - b.unwrap(), 1, "node {} took one call: {before:?} → {after:?}", i + 1);
    }

    // 2. A flow version activated through node 1's API answers the next call on node 2,
    //    which ran the old version until then.
    let first = c.node(1).simulate(&c.key, &c.tenant, "+886911000001", &[json!("hello")]);
    let old = first["flow_version"].as_u64().expect("a flow version");
    let lines = c.follow_logs();
    let version = c.node(0).deploy(&c.key, &c.tenant, &common::guest("tea_shop"));
    assert!(version > old);
    // Every other node hears of it (node 1 activated it itself); node 2 is the one asked next.
    loop {
        let (i, _) = wait_for(&lines, "flow version activated on another node");
        assert_ne!(i, 0, "the activating node already runs it");
        if i == 1 {
            break;
        }
    }
    let next = c.node(1).simulate(&c.key, &c.tenant, "+886911000002", &[json!("hello")]);
    assert_eq!(next["flow_version"].as_u64(), Some(version), "node 2 answers with the new version");

    // 3. A tenant allowed one call at once: while a call lasts on one node, a call that
    //    Kamailio sends to another node is refused 486 Busy Here there.
    let r = c.any().patch(&c.key, &tenant_path, json!({"telephony": {"max_call_secs": 20, "max_calls": 1}}));
    assert_eq!(r.status, 200, "{}", r.body);
    let lines = c.follow_logs();
    let long_call = c.call("caller_wait.xml", 1);
    let (drained, _) = wait_for(&lines, "call answered");
    let out = c.call("caller_refused_486.xml", 1).wait_with_output().unwrap();
    c.assert_passed(&out, "a call over the tenant's limit");
    let (busy, _) = wait_for(&lines, "calls at once are at their limit");
    assert_ne!(busy, drained, "refused by another node than the one with the call");
    let r = c.any().patch(&c.key, &tenant_path, json!({"telephony": {"max_calls": 100}}));
    assert_eq!(r.status, 200, "{}", r.body);

    // 4. Drain the node that has the call: the call goes on to its end, new calls go to the
    //    other nodes, and the node exits once its call has ended.
    let r = c.node(drained).post(ADMIN_TOKEN, "/v1/admin/drain", json!({}));
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["draining"], true);
    assert_eq!(r.body["calls_active"], 1, "{}", r.body);
    let probe = cluster::options(&format!("{}:5060", node_ip(drained + 1)), &format!("sip:{}", node_ip(drained + 1)));
    assert!(probe.as_deref().is_some_and(|l| l.contains("503")), "a drained node answers probes with 503: {probe:?}");
    let others = |c: &Cluster| -> u64 {
        let started = c.calls_started_except(drained);
        started.iter().flatten().sum()
    };
    let before = others(&c);
    let out = c.call("caller_hangup.xml", 2).wait_with_output().unwrap();
    c.assert_passed(&out, "new calls while a node drains");
    assert_eq!(others(&c) - before, 2, "the other nodes took them");
    let out = long_call.wait_with_output().unwrap();
    c.assert_passed(&out, "the call in progress on the draining node");
    let mut node = c.nodes[drained].take().unwrap();
    let status = node.exit_status(PATIENCE).expect("the drained node exits once its call has ended");
    assert!(status.success(), "a drained node exits cleanly: {status}");
    let log = node.log();
    drop(node);
    assert!(log.contains("drained: the last call has ended"), "{log}");
    let after_drain = &log[log.find("draining: no new calls").expect("the drain logged")..];
    assert!(!after_drain.contains("call answered"), "the draining node took no new call:\n{after_drain}");
    let r = c.any().patch(&c.key, &tenant_path, json!({"telephony": {"max_call_secs": 900}}));
    assert_eq!(r.status, 200, "{}", r.body);

    // 5. Kill a node mid-call, right after it confirmed an order: the order stays stored,
    //    and the next call is taken by the node left.
    let lines = c.follow_logs();
    let mut cut_short = c.call("caller_order.xml", 1);
    let (killed, line) = wait_for(&lines, "order committed");
    let node = c.nodes[killed].take().unwrap();
    node.kill();
    let _ = cut_short.kill();
    let _ = cut_short.wait();
    let orders = c.orders();
    assert_eq!(orders.len(), NODES + 1, "the order confirmed before the kill is kept ({line})");
    let out = c.call("caller_order.xml", 1).wait_with_output().unwrap();
    c.assert_passed(&out, "a call after a node was killed");
    assert_eq!(c.orders().len(), NODES + 2, "the next order is stored by the node left");

    drop(c);
    let _ = std::fs::remove_dir_all(&dir);
}
