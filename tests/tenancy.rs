//! Tenants never see each other, keys are checked, and bad requests get a
//! clear 4xx without harming anything stored.

mod common;

use common::{ADMIN_TOKEN, Server, guest, replies};
use serde_json::json;

#[test]
fn a_tenant_key_cannot_touch_another_tenants_data() {
    let server = Server::start();
    let (shop, shop_key) = server.demo();
    let placed = server.place_pickup_order(&shop_key, &shop, "+886912345678", "我要一杯中杯紅茶無糖去冰", "我姓林");
    let order_id = placed["order_ids"][0].as_str().expect("order placed").to_string();
    let call_id = placed["call_id"].as_str().unwrap().to_string();

    let (other, other_key) = server.create_tenant("Other Shop", json!({ "numbers": ["+886277778888"] }));
    // Reads of the shop's resources with the other tenant's key: 404, as if nothing were there.
    for path in [
        format!("/v1/tenants/{shop}"),
        format!("/v1/tenants/{shop}/orders"),
        format!("/v1/tenants/{shop}/orders/{order_id}"),
        format!("/v1/tenants/{shop}/calls"),
        format!("/v1/tenants/{shop}/calls/{call_id}"),
        format!("/v1/tenants/{shop}/catalog"),
        format!("/v1/tenants/{shop}/faq"),
        format!("/v1/tenants/{shop}/customers"),
        format!("/v1/tenants/{shop}/flows"),
    ] {
        let r = server.get(&other_key, &path);
        assert_eq!(r.status, 404, "GET {path}: {:?}", r.body);
    }
    // Nor can it find the shop's order through its own tenant.
    assert_eq!(server.get(&other_key, &format!("/v1/tenants/{other}/orders/{order_id}")).status, 404);
    // Writes: 404 too, and nothing changes.
    assert_eq!(
        server.put(&other_key, &format!("/v1/tenants/{shop}/catalog"), json!({"currency":"TWD","products":[]})).status,
        404
    );
    assert_eq!(
        server
            .patch(&other_key, &format!("/v1/tenants/{shop}/orders/{order_id}"), json!({"status":"cancelled"}))
            .status,
        404
    );
    assert_eq!(
        server
            .post_raw(
                &other_key,
                &format!("/v1/tenants/{shop}/flows?activate=true"),
                "application/wasm",
                &guest("echo")
            )
            .status,
        404
    );
    assert_eq!(
        server.post(&other_key, &format!("/v1/tenants/{shop}/calls/simulate"), json!({"caller":"1"})).status,
        404
    );
    assert_eq!(server.get(&shop_key, &format!("/v1/tenants/{shop}/orders/{order_id}")).body["status"], "received");
    assert_eq!(
        server.get(&shop_key, &format!("/v1/tenants/{shop}/catalog")).body["products"].as_array().unwrap().len(),
        5
    );
    // Only the provider manages tenants; a tenant lists only itself.
    assert_eq!(server.post(&other_key, "/v1/tenants", json!({"name": "sneaky"})).status, 403);
    let listed = server.get(&other_key, "/v1/tenants").body;
    assert_eq!(listed["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(listed["tenants"][0]["id"], other.as_str());
    assert_eq!(server.get(ADMIN_TOKEN, "/v1/tenants").body["tenants"].as_array().unwrap().len(), 2);
    // The provider may act on any tenant.
    assert_eq!(server.get(ADMIN_TOKEN, &format!("/v1/tenants/{shop}/orders/{order_id}")).status, 200);

    // A flow of the other tenant asks its capabilities for the shop's order and customer: nothing.
    server.deploy(&other_key, &other, &guest("hostile"));
    let spy = server.simulate(&other_key, &other, "+886912345678", &[json!(format!("spy +886912345678 {order_id}"))]);
    assert_eq!(replies(&spy, 1), "spy: 0 orders; order not found; no customer", "{spy:#}");
    // The same questions inside the shop's own calls do see its data (the probe works).
    let shop_customer = server.get(&shop_key, &format!("/v1/tenants/{shop}/customers")).body;
    assert!(shop_customer["customers"].as_array().unwrap().iter().any(|c| c["phone"] == "+886912345678"));
}

#[test]
fn keys_are_checked() {
    let server = Server::start();
    let (shop, _) = server.demo();
    let path = format!("/v1/tenants/{shop}/orders");
    assert_eq!(server.get("sk_not_a_real_key", &path).status, 401);
    let no_auth =
        ureq::get(format!("{}{path}", server.base)).config().http_status_as_error(false).build().call().unwrap();
    assert_eq!(no_auth.status().as_u16(), 401);
    assert_eq!(server.get("", "/v1/tenants").status, 401);
    // A key in the URL is accepted only where browsers need it: the WebSocket session.
    let (_, key) = server.demo();
    let in_url = ureq::get(format!("{}{path}?access_token={key}", server.base))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(in_url.status().as_u16(), 401);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let ws_url =
        format!("{}/v1/tenants/{shop}/calls/session?access_token={key}", server.base.replacen("http", "ws", 1));
    let greeting = rt.block_on(async {
        use futures_util::StreamExt;
        let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.expect("session with access_token");
        ws.next().await.expect("a turn").expect("ok").into_text().unwrap().to_string()
    });
    assert!(greeting.contains("珍珍茶坊"), "{greeting}");
    // A tenant can make more keys for itself, and they work.
    let (_, key) = server.demo();
    let created = server.post(&key, &format!("/v1/tenants/{shop}/keys"), json!({}));
    assert_eq!(created.status, 201);
    let second = created.body["api_key"].as_str().unwrap();
    assert_eq!(server.get(second, &path).status, 200);
    let keys = server.get(&key, &format!("/v1/tenants/{shop}/keys")).body["keys"].as_array().unwrap().clone();
    let secret = keys.iter().filter(|k| k["kind"] == "tenant").count();
    assert_eq!(secret, 2, "{keys:?}");
    assert!(
        keys.iter().all(|k| k["kind"] == "widget" || k.get("public").is_none()),
        "secret keys are never shown: {keys:?}"
    );
    // The demo tenant's public widget key is listed in full (it goes into web pages).
    assert!(
        keys.iter().any(|k| k["kind"] == "widget" && k["public"].as_str().is_some_and(|p| p.starts_with("wk_"))),
        "{keys:?}"
    );
}

#[test]
fn malformed_requests_get_a_clear_4xx_and_change_nothing() {
    let server = Server::start();
    let (shop, key) = server.demo();
    let catalog_path = format!("/v1/tenants/{shop}/catalog");
    let before = server.get(&key, &catalog_path).body;

    let bad_json = server.post_raw(&key, &format!("/v1/tenants/{shop}/faq"), "application/json", b"{\"question\": ");
    assert_eq!(bad_json.status, 400, "{:?}", bad_json.body);
    assert!(bad_json.body["error"]["message"].as_str().unwrap().len() > 5);
    let unknown = server.post(
        &key,
        &format!("/v1/tenants/{shop}/faq"),
        json!({"question":"q","answer":"a","language":"en","colour":"red"}),
    );
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert!(unknown.body["error"]["message"].as_str().unwrap().contains("colour"));
    let wrong_type = server.post_raw(&key, &format!("/v1/tenants/{shop}/faq"), "text/plain", b"hello");
    assert_eq!(wrong_type.status, 415);
    let huge = vec![b' '; 2 * 1024 * 1024];
    assert_eq!(server.post_oversized(&key, &format!("/v1/tenants/{shop}/faq"), "application/json", &huge), 413);
    let bad_catalog =
        server.put(&key, &catalog_path, json!({"currency":"TWD","products":[{"id":"x","names":[],"sizes":[]}]}));
    assert_eq!(bad_catalog.status, 422, "{:?}", bad_catalog.body);
    let bad_input =
        server.post(&key, &format!("/v1/tenants/{shop}/calls/simulate"), json!({"inputs":[{"speak":"hi"}]}));
    assert_eq!(bad_input.status, 422, "{:?}", bad_input.body);
    assert_eq!(server.get(&key, "/v1/no/such/route").status, 404);
    assert_eq!(server.get(&key, &catalog_path).body, before, "the catalogue is unchanged");
    assert_eq!(server.get(&key, "/healthz").status, 200);

    // FAQ entries can be managed and the flow answers from them at once.
    let created = server.post(&key, &format!("/v1/tenants/{shop}/faq"), json!({
        "question": "有停車位嗎？", "answer": "店門口有兩個機車停車格。", "language": "zh", "keywords": ["停車", "車位"]
    }));
    assert_eq!(created.status, 201, "{:?}", created.body);
    let call = server.simulate(&key, &shop, "+886912345678", &[json!("請問附近可以停車嗎？")]);
    assert!(replies(&call, 1).contains("機車停車格"), "{call:#}");
    let faq_id = created.body["id"].as_str().unwrap();
    assert_eq!(server.delete(&key, &format!("/v1/tenants/{shop}/faq/{faq_id}")).status, 204);
    assert_eq!(server.delete(&key, &format!("/v1/tenants/{shop}/faq/{faq_id}")).status, 404);
}
