//! A flow written in JavaScript (`guest-examples/faq-desk-js`, built into a component
//! by `scripts/js-flow`, which `scripts/setup --tests` runs) is deployed through the
//! API like any flow and answers a simulated call with the host's capabilities.

mod common;

use common::Server;
use serde_json::json;

fn js_component() -> Vec<u8> {
    let cache = std::env::var_os("SWITCHBOARD_CACHE").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/switchboard")
    });
    let path = cache.join("js-flow/faq-desk-js.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (scripts/js-flow builds it)", path.display()))
}

fn said(call: &serde_json::Value, turn: usize) -> String {
    call["turns"][turn]["replies"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect()
}

#[test]
fn a_javascript_flow_is_deployed_and_answers_a_call() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let version = server.deploy(&key, &tenant, &js_component());
    assert!(version >= 2, "a new version beside the demo's flow");
    let call = server.simulate(
        &key,
        &tenant,
        "+886912345678",
        &[json!("你們幾點關門"), json!("how can I pay?"), json!("轉人工")],
    );
    assert_eq!(call["flow_version"], version, "{call:#}");
    assert!(said(&call, 0).contains("常見問題"), "the JS flow's greeting: {call:#}");
    assert!(said(&call, 1).contains("九點"), "the tenant's FAQ, found by the host: {}", said(&call, 1));
    assert!(said(&call, 2).contains("LINE Pay"), "in the caller's language: {}", said(&call, 2));
    assert_eq!(call["outcome"], "transferred", "{call:#}");
    assert_eq!(call["transfer"]["reason"], "caller-request");
    let tags = call["tags"].as_array().unwrap();
    assert!(tags.contains(&json!("faq-answered")), "{tags:?}");
}
