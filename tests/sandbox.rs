//! Hostile flows are contained: an infinite loop, a memory bomb, a trap and a
//! garbage answer each end the flow's part in the call politely, the record
//! says why, and the server keeps serving everyone else.

mod common;

use common::{ADMIN_TOKEN, Server, guest, replies};
use serde_json::{Value, json};

fn hostile_tenant(server: &Server, with_agent: bool) -> (String, String) {
    let agents = if with_agent { json!([{"name": "desk", "uri": "sip:desk@127.0.0.1:5070"}]) } else { json!([]) };
    let (tenant, key) = server.create_tenant(
        "Hostile Ltd",
        // A deadline long enough that another call surely runs while this one spins.
        json!({ "language": "en-US", "agents": agents, "limits": { "event_deadline_ms": 3000, "memory_mib": 32 } }),
    );
    server.deploy(&key, &tenant, &guest("hostile"));
    (tenant, key)
}

/// A simulated call through the API, from any thread.
fn simulate_at(base: &str, key: &str, tenant: &str, inputs: &[&str]) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let inputs: Vec<Value> = inputs.iter().map(|t| json!({ "text": t })).collect();
    let mut r = agent
        .post(format!("{base}/v1/tenants/{tenant}/calls/simulate"))
        .header("Authorization", format!("Bearer {key}"))
        .send_json(json!({ "caller": "+15550001111", "inputs": inputs }))
        .unwrap();
    r.body_mut().read_json::<Value>().unwrap()
}

/// Wait until the server logs a line with `text` (`log` follows it from before the cause).
fn wait_for_log(log: &std::sync::mpsc::Receiver<String>, text: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = log.recv_timeout(left).unwrap_or_else(|_| panic!("the server never logged `{text}`"));
        if line.contains(text) {
            return;
        }
    }
}

fn assert_contained(call: &Value, expect_in_error: &str, outcome: &str) {
    let error = call["flow_error"].as_str().unwrap_or_else(|| panic!("flow_error recorded: {call:#}"));
    assert!(error.contains(expect_in_error), "`{error}` should mention `{expect_in_error}`");
    assert_eq!(call["outcome"], outcome, "{call:#}");
    assert_eq!(call["end_reason"], "flow-error");
    // The caller heard an apology.
    let last = call["turns"].as_array().unwrap().last().unwrap();
    let said = last["replies"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect::<String>();
    assert!(said.contains("Sorry"), "apology: {said}");
}

#[test]
fn each_kind_of_misbehaviour_is_contained_and_explained() {
    let server = Server::start();
    let (tenant, key) = hostile_tenant(&server, false);
    let (demo, demo_key) = server.demo();

    // While the hostile flow spins, another tenant's call is served to the end.
    let log = server.follow_log();
    let spinning = {
        let (server_base, key, tenant) = (server.base.clone(), key.clone(), tenant.clone());
        std::thread::spawn(move || simulate_at(&server_base, &key, &tenant, &["hello", "loop"]))
    };
    wait_for_log(&log, "flow: spinning");
    let bystander = simulate_at(&server.base, &demo_key, &demo, &["請問營業時間"]);
    assert!(bystander["flow_error"].is_null(), "{bystander:#}");
    assert!(replies(&bystander, 1).contains("營業"), "{bystander:#}");
    let spun = spinning.join().unwrap();
    assert_contained(&spun, "deadline", "failed");
    let ended = |c: &Value, key: &str, tenant: &str| {
        server.get(key, &format!("/v1/tenants/{tenant}/calls/{}", c["call_id"].as_str().unwrap())).body["ended_at_ms"]
            .as_u64()
            .unwrap()
    };
    assert!(
        ended(&bystander, &demo_key, &demo) < ended(&spun, &key, &tenant),
        "the other tenant's call ended while the hostile flow was still spinning"
    );

    let cases = [("bomb", "memory limit"), ("trap", "panics on purpose"), ("garbage", "invalid action")];
    for (input, explanation) in cases {
        // Another tenant's call runs at the same time and is unaffected.
        let bystander = {
            let (base, demo, demo_key) = (server.base.clone(), demo.clone(), demo_key.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                let mut r = agent
                    .post(format!("{base}/v1/tenants/{demo}/calls/simulate"))
                    .header("Authorization", format!("Bearer {demo_key}"))
                    .send_json(json!({ "caller": "+886912345678", "inputs": [{"text": "請問營業時間"}] }))
                    .unwrap();
                r.body_mut().read_json::<Value>().unwrap()
            })
        };
        let call =
            server.simulate(&key, &tenant, "+15550001111", &[json!("hello"), json!(input), json!("hello again")]);
        assert_eq!(replies(&call, 1), "ok", "the flow worked before it misbehaved");
        assert_contained(&call, explanation, "failed");
        assert_eq!(call["turns"].as_array().unwrap().len(), 3, "the call ended at the bad turn: {call:#}");
        let record = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{}", call["call_id"].as_str().unwrap()));
        assert!(record.body["flow_error"].as_str().unwrap().contains(explanation));

        let bystander = bystander.join().unwrap();
        assert!(bystander["flow_error"].is_null(), "{bystander:#}");
        assert!(replies(&bystander, 1).contains("營業"), "{bystander:#}");
    }

    // Still serving, and the failures are counted.
    assert_eq!(server.get(&key, "/healthz").status, 200);
    let metrics = server.get(&key, "/metrics").body;
    let metrics = metrics.as_str().unwrap();
    for kind in ["deadline", "memory", "trap", "invalid_action"] {
        let line = format!("switchboard_flow_errors_total{{tenant=\"{tenant}\",kind=\"{kind}\"}} 1");
        assert!(metrics.contains(&line), "missing `{line}` in\n{metrics}");
    }
    // The tenant's active flow is still active and answers the next call.
    let next = server.simulate(&key, &tenant, "+15550001111", &[json!("hello")]);
    assert_eq!(replies(&next, 1), "ok");
}

#[test]
fn a_failing_flow_hands_the_caller_to_an_agent_when_there_is_one() {
    let server = Server::start();
    let (tenant, key) = hostile_tenant(&server, true);
    let call = server.simulate(&key, &tenant, "+15550002222", &[json!("trap")]);
    assert_contained(&call, "trapped", "transferred");
    assert_eq!(call["transfer"]["reason"], "flow-error");
    assert_eq!(call["transfer"]["target"], "sip:desk@127.0.0.1:5070");
    let _ = ADMIN_TOKEN;
}

#[test]
fn limits_are_per_tenant_and_validated() {
    let server = Server::start();
    let (tenant, key) = hostile_tenant(&server, false);
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({"limits": {"event_deadline_ms": 5, "memory_mib": 32}}),
    );
    assert_eq!(r.status, 422, "{:?}", r.body);
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({"limits": {"event_deadline_ms": 1000, "memory_mib": 9999}}),
    );
    assert_eq!(r.status, 422, "{:?}", r.body);
    // A generous memory cap still stops the bomb, at the cap.
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({"limits": {"event_deadline_ms": 2000, "memory_mib": 128}}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let call = server.simulate(&key, &tenant, "+15550003333", &[json!("bomb")]);
    assert!(call["flow_error"].as_str().unwrap().contains("128 MiB"), "{call:#}");
}
