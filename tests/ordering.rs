//! Taking orders through `calls/simulate` with the demo tenant's tea-shop flow:
//! Chinese and English orders end as stored orders; FAQ mid-order; transfers;
//! known and blocked callers; a restart keeps orders and call records.

mod common;

use common::{ADMIN_TOKEN, Server, all_replies, order_of, replies};
use serde_json::json;

#[test]
fn a_chinese_order_is_confirmed_then_stored() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886912345678",
        &[
            json!("我要兩杯大杯珍珠奶茶半糖少冰，還有一杯中杯紅茶無糖去冰"),
            json!("我姓林"),
            json!("對"),
            json!("自取"),
            json!("對"),
        ],
    );
    assert_eq!(call["outcome"], "completed", "{call:#}");
    assert!(replies(&call, 0).contains("歡迎"), "greeting: {}", replies(&call, 0));
    // Read back before confirming, and only then create.
    assert!(replies(&call, 4).contains("150"), "read-back with the total: {}", replies(&call, 4));
    assert!(call["tags"].as_array().unwrap().contains(&json!("order-placed")));

    let order = order_of(&server, &key, &tenant, &call);
    assert_eq!(order["total"], 150);
    assert_eq!(order["currency"], "TWD");
    assert_eq!(order["customer_name"], "林");
    assert_eq!(order["phone"], "+886912345678");
    assert_eq!(order["fulfilment"], "pickup");
    assert_eq!(order["status"], "received");
    let items = order["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["product_id"], "bubble-milk-tea");
    assert_eq!(items[0]["size_id"], "L");
    assert_eq!(items[0]["quantity"], 2);
    assert_eq!(items[0]["unit_price"], 60);
    assert_eq!(items[0]["options"], json!([{"group":"sugar","choice":"half"},{"group":"ice","choice":"less"}]));
    assert_eq!(items[1]["product_id"], "black-tea");
    assert_eq!(items[1]["size_id"], "M");
    assert!(replies(&call, 5).contains(&order["number"].to_string()), "order number spoken");

    // The call record has the whole conversation and points at the order.
    let record = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{}", call["call_id"].as_str().unwrap()));
    assert_eq!(record.status, 200);
    assert_eq!(record.body["order_ids"], call["order_ids"]);
    let transcript = record.body["transcript"].as_array().unwrap();
    assert!(transcript.iter().any(|t| t["speaker"] == "caller" && t["text"] == "我姓林"));
    assert!(transcript.iter().filter(|t| t["speaker"] == "bot").count() >= 6);
}

#[test]
fn an_english_delivery_order_is_stored() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886955111222",
        &[
            json!("two large bubble milk teas, half sugar, less ice, and a medium mango smoothie with no sugar"),
            json!("My name is John"),
            json!("yes"),
            json!("delivery please"),
            json!("No. 7, Section 5, Xinyi Road, Taipei"),
            json!("yes"),
        ],
    );
    assert_eq!(call["outcome"], "completed", "{call:#}");
    assert!(all_replies(&call).contains("NT$190"), "{}", all_replies(&call));
    let order = order_of(&server, &key, &tenant, &call);
    assert_eq!(order["total"], 2 * 60 + 70);
    assert_eq!(order["fulfilment"], "delivery");
    assert_eq!(order["address"], "No. 7, Section 5, Xinyi Road, Taipei");
    assert_eq!(order["customer_name"], "John");
    assert_eq!(order["items"][1]["product_id"], "mango-smoothie");
}

#[test]
fn nothing_is_stored_when_the_caller_does_not_confirm() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886912000001",
        &[json!("一杯中杯綠茶微糖去冰"), json!("陳先生"), json!("對"), json!("自取")],
    );
    assert!(call["order_ids"].as_array().unwrap().is_empty());
    let orders = server.get(&key, &format!("/v1/tenants/{tenant}/orders"));
    assert!(orders.body["orders"].as_array().unwrap().is_empty(), "{:?}", orders.body);
}

#[test]
fn faq_questions_mid_order_are_answered_and_the_order_goes_on() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886912345678",
        &[
            json!("我要一杯大杯烏龍茶無糖正常冰"),
            json!("請問你們幾點關門？"),
            json!("我姓林"),
            json!("對"),
            json!("外送"),
            json!("外送範圍到哪裡？"),
            json!("台北市信義區松仁路100號"),
            json!("對"),
        ],
    );
    assert!(replies(&call, 2).contains("晚上九點"), "hours answered: {}", replies(&call, 2));
    assert!(replies(&call, 2).contains("稱呼"), "then the pending question again: {}", replies(&call, 2));
    assert!(replies(&call, 6).contains("信義區"), "delivery area answered: {}", replies(&call, 6));
    assert_eq!(call["outcome"], "completed", "{call:#}");
    let tags = call["tags"].as_array().unwrap();
    assert!(tags.contains(&json!("faq-answered")) && tags.contains(&json!("order-placed")), "{tags:?}");
    let order = order_of(&server, &key, &tenant, &call);
    assert_eq!(order["total"], 40);
    assert_eq!(order["address"], "台北市信義區松仁路100號");

    let en = server.simulate(&key, &tenant, "+886912345670", &[json!("how can I pay?")]);
    assert!(replies(&en, 1).contains("LINE Pay"), "{}", replies(&en, 1));
}

#[test]
fn the_caller_can_ask_for_a_human() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(&key, &tenant, "+886912345678", &[json!("我要兩杯大杯紅茶"), json!("轉人工")]);
    assert_eq!(call["outcome"], "transferred", "{call:#}");
    let transfer = &call["transfer"];
    assert_eq!(transfer["reason"], "caller-request", "{call:#}");
    assert_eq!(transfer["target"], "queue:support", "the demo's transfers go to the agent desk");
    let summary = transfer["summary"].as_str().unwrap();
    assert!(summary.contains("紅茶") && summary.contains("0912-345-678"), "summary for the agent: {summary}");

    let en = server.simulate(&key, &tenant, "+886912345678", &[json!("can I talk to a human please")]);
    assert_eq!(en["outcome"], "transferred");
    let dtmf = server.simulate(&key, &tenant, "+886912345678", &[json!({"dtmf": "0"})]);
    assert_eq!(dtmf["outcome"], "transferred");
}

#[test]
fn two_turns_not_understood_end_in_a_transfer() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(&key, &tenant, "+886912345678", &[json!("嗯嗯那個就是說"), json!("blorp zzz qwerty")]);
    assert_eq!(call["outcome"], "transferred", "{call:#}");
    assert_eq!(call["transfer"]["reason"], "not-understood");
    // One reprompt before giving up.
    assert!(!replies(&call, 1).is_empty());
    assert!(call["turns"][1]["ended"].is_null());
}

#[test]
fn known_callers_are_greeted_by_name_and_blocked_ones_refused() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let known = server.simulate(&key, &tenant, "+886911222333", &[]);
    assert!(replies(&known, 0).contains("王小明"), "{}", replies(&known, 0));
    let blocked = server.simulate(&key, &tenant, "+886900000000", &[json!("我要一杯紅茶")]);
    assert_eq!(blocked["outcome"], "completed");
    assert_eq!(blocked["end_reason"], "blocked");
    assert_eq!(blocked["turns"].as_array().unwrap().len(), 1, "refused at the greeting");
}

#[test]
fn order_status_can_be_checked_and_changed() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.place_pickup_order(&key, &tenant, "+886912340000", "一杯中杯紅茶半糖去冰", "我姓張");
    let order_id = call["order_ids"][0].as_str().expect("order placed").to_string();
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}/orders/{order_id}"), json!({"status": "ready"}));
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "ready");
    let bad = server.patch(&key, &format!("/v1/tenants/{tenant}/orders/{order_id}"), json!({"status": "teleported"}));
    assert_eq!(bad.status, 422);
    let status = server.simulate(&key, &tenant, "+886912340000", &[json!("我想查訂單")]);
    assert!(status["tags"].as_array().unwrap().contains(&json!("order-status")), "{status:#}");
    assert!(replies(&status, 1).contains(&r.body["number"].to_string()), "{}", replies(&status, 1));
}

#[test]
fn a_restart_loses_no_order_and_no_call() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.place_pickup_order(&key, &tenant, "+886912345678", "我要一杯大杯芒果冰沙半糖", "我姓林");
    let order_id = call["order_ids"][0].as_str().expect("order placed").to_string();
    let call_id = call["call_id"].as_str().unwrap().to_string();

    // Killed without a chance to flush anything.
    let dir = server.kill();
    let server = Server::start_in(&dir, true);
    let order = server.get(&key, &format!("/v1/tenants/{tenant}/orders/{order_id}"));
    assert_eq!(order.status, 200, "{:?}", order.body);
    assert_eq!(order.body["total"], 80);
    let record = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{call_id}"));
    assert_eq!(record.status, 200);
    assert_eq!(record.body["outcome"], "completed");
    // The flow version stays active and keeps answering, with the next order number.
    let flows = server.get(ADMIN_TOKEN, &format!("/v1/tenants/{tenant}/flows"));
    assert_eq!(flows.body["active"], 1);
    // (Another caller: the first is now a known customer and would be greeted by name.)
    let again = server.place_pickup_order(&key, &tenant, "+886912399999", "我要一杯中杯綠茶無糖去冰", "我姓林");
    let second = server.get(&key, &format!("/v1/tenants/{tenant}/orders/{}", again["order_ids"][0].as_str().unwrap()));
    assert_eq!(second.body["number"], order.body["number"].as_u64().unwrap() + 1);
}
