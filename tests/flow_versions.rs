//! Flow versions: live swap while calls are in flight, rollback, and uploads
//! that must be refused without touching the active version.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{ADMIN_TOKEN, Server, guest, replies};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const TEA_GREETING: &str = "珍珍茶坊";
const ECHO_GREETING: &str = "Echo flow here";

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_session(server: &Server, tenant: &str, key: &str) -> (Socket, Value) {
    let url =
        format!("{}/v1/tenants/{tenant}/calls/session?caller=%2B886912300000", server.base.replacen("http", "ws", 1));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("Authorization", format!("Bearer {key}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("websocket connect");
    let greeting = next_turn(&mut ws).await;
    (ws, greeting)
}

async fn next_turn(ws: &mut Socket) -> Value {
    loop {
        match ws.next().await.expect("socket open").expect("socket ok") {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            _ => continue,
        }
    }
}

fn text_of(turn: &Value) -> String {
    turn["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn live_swap_keeps_calls_in_flight_on_their_version_and_fails_none() {
    let server = Arc::new(Server::start());
    let (tenant, key) = server.demo();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();

    // Calls in progress on version 1 (the tea shop).
    let mut sessions = Vec::new();
    let mut first_call_id = String::new();
    for _ in 0..4 {
        let (ws, greeting) = rt.block_on(open_session(&server, &tenant, &key));
        assert!(text_of(&greeting).contains(TEA_GREETING), "{greeting}");
        first_call_id = greeting["call_id"].as_str().unwrap().to_string();
        sessions.push(ws);
    }

    // Simulated calls keep arriving while the new version is activated.
    let stop = Arc::new(AtomicBool::new(false));
    // Each caller says when version 1 has answered it.
    let (answered_by_v1, answers) = std::sync::mpsc::channel::<()>();
    let mut callers = Vec::new();
    for i in 0..4 {
        let (server, tenant, key, stop) = (server.clone(), tenant.clone(), key.clone(), stop.clone());
        let answered_by_v1 = answered_by_v1.clone();
        callers.push(std::thread::spawn(move || {
            let mut seen = Vec::new();
            // Until the swap is over and this caller has been answered by the new version.
            while !(stop.load(Ordering::Relaxed) && seen.last() == Some(&2)) && seen.len() < 500 {
                let call = server.simulate(&key, &tenant, &format!("+8869120000{i:02}"), &[json!("hello there")]);
                assert!(call["flow_error"].is_null(), "no call may fail during a swap: {call:#}");
                assert_ne!(call["outcome"], "failed", "{call:#}");
                let greeting = replies(&call, 0);
                let version = call["flow_version"].as_u64().unwrap();
                // Each call is answered by one version from start to end.
                match version {
                    1 => {
                        assert!(greeting.contains(TEA_GREETING), "{call:#}");
                        let _ = answered_by_v1.send(());
                    }
                    2 => {
                        assert!(greeting.contains(ECHO_GREETING), "{call:#}");
                        assert!(replies(&call, 1).contains("echo: hello there"), "{call:#}");
                    }
                    v => panic!("unexpected version {v}"),
                }
                seen.push(version);
            }
            seen
        }));
    }
    // The swap comes once the callers are under way on version 1; each then goes on until the
    // new version has answered it.
    for _ in 0..4 {
        answers.recv_timeout(std::time::Duration::from_secs(60)).expect("simulated calls answered by version 1");
    }
    let v2 = server.deploy(&key, &tenant, &guest("echo"));
    assert_eq!(v2, 2);
    stop.store(true, Ordering::Relaxed);
    let mut versions = Vec::new();
    for c in callers {
        versions.extend(c.join().expect("caller thread"));
    }
    assert!(versions.contains(&2), "calls after the swap use the new version: {versions:?}");
    assert_eq!(*versions.last().unwrap(), 2);

    // The calls that started on version 1 finish on version 1.
    for ws in sessions.iter_mut() {
        let turn = rt.block_on(async {
            ws.send(Message::Text(json!({"text": "我要一杯中杯紅茶"}).to_string().into())).await.unwrap();
            next_turn(ws).await
        });
        let text = text_of(&turn);
        assert!(text.contains("紅茶") && !text.contains("echo:"), "still the tea shop: {turn}");
    }
    // A new call gets version 2.
    let (_ws, greeting) = rt.block_on(open_session(&server, &tenant, &key));
    assert!(text_of(&greeting).contains(ECHO_GREETING), "{greeting}");
    // A client that vanishes hangs its call up; the record is closed.
    let watch = server.watch_calls(&key, &tenant);
    drop(sessions);
    let record = watch.ended(&server, |r| r["id"] == first_call_id.as_str());
    assert_eq!(record["outcome"], "abandoned");
    assert_eq!(record["end_reason"], "caller-hangup");
    assert_eq!(record["flow_version"], 1);

    // Roll back to version 1.
    let r = server.post(&key, &format!("/v1/tenants/{tenant}/flows/1/activate"), json!({}));
    assert_eq!(r.status, 200, "{:?}", r.body);
    let call = server.simulate(&key, &tenant, "+886912345678", &[]);
    assert_eq!(call["flow_version"], 1);
    assert!(replies(&call, 0).contains(TEA_GREETING));
    let flows = server.get(&key, &format!("/v1/tenants/{tenant}/flows"));
    assert_eq!(flows.body["active"], 1);
    assert_eq!(flows.body["versions"].as_array().unwrap().len(), 2);
}

#[test]
fn invalid_uploads_are_refused_and_the_active_version_stays() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let path = format!("/v1/tenants/{tenant}/flows");
    let echo = guest("echo");
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("garbage", b"definitely not wasm".to_vec(), 422),
        ("core module", vec![0, b'a', b's', b'm', 1, 0, 0, 0], 422),
        ("truncated component", echo[..echo.len() / 2].to_vec(), 422),
        ("empty body", Vec::new(), 400),
        ("component of another world", guest("impostor"), 422),
        ("component importing a network capability", guest("stranger"), 422),
    ];
    for (what, bytes, status) in cases {
        let r = server.post_raw(&key, &format!("{path}?activate=true"), "application/wasm", &bytes);
        assert_eq!(r.status, status, "{what}: {:?}", r.body);
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: a clear message");
        let expected = match what {
            "core module" => "wasm32-wasip2",
            "component of another world" => "does not export `switchboard:flow/handler",
            "component importing a network capability" => "imports something Switchboard does not provide",
            _ => "",
        };
        assert!(message.contains(expected), "{what}: {message}");
    }
    let too_big = vec![0u8; 21 * 1024 * 1024];
    assert_eq!(server.post_oversized(&key, &path, "application/wasm", &too_big), 413);
    let flows = server.get(&key, &path);
    assert_eq!(flows.body["active"], 1);
    assert_eq!(flows.body["versions"].as_array().unwrap().len(), 1, "nothing stored");
    assert_eq!(server.post(&key, &format!("{path}/7/activate"), json!({})).status, 404);
    assert_eq!(server.post(&key, &format!("{path}/seven/activate"), json!({})).status, 400);
    let call = server.simulate(&key, &tenant, "+886912345678", &[]);
    assert!(replies(&call, 0).contains(TEA_GREETING), "the active flow still answers");
    let _ = ADMIN_TOKEN;
}
