//! What callers say, understood by the host (`understand`) for the demo flow, through
//! `calls/simulate` on the real binary: the sentences the understanding issue listed,
//! each as its own scenario.

mod common;

use common::{Server, all_replies, order_of, replies};
use serde_json::{Value, json};

fn items_of(server: &Server, key: &str, tenant: &str, call: &Value) -> Vec<Value> {
    order_of(server, key, tenant, call)["items"].as_array().unwrap().clone()
}

#[test]
fn two_of_those_after_a_price_question_is_an_order_not_a_goodbye() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886912345678",
        &[
            json!("How much is the mango smoothie?"),
            json!("I'll take two of those, no sugar, regular ice"),
            json!("large"),
            json!("Ming"),
            json!("yes"),
            json!("pickup"),
            json!("yes"),
        ],
    );
    assert!(!replies(&call, 2).to_lowercase().contains("goodbye"), "{}", all_replies(&call));
    assert_eq!(call["outcome"], "completed", "{}", all_replies(&call));
    let items = items_of(&server, &key, &tenant, &call);
    assert_eq!(items.len(), 1);
    assert_eq!((items[0]["product_id"].as_str(), items[0]["quantity"].as_u64()), (Some("mango-smoothie"), Some(2)));
    assert_eq!(items[0]["size_id"], "L");
}

#[test]
fn a_quantity_after_a_price_question_orders_that_drink() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886912345678",
        &[
            json!("珍奶多少錢"),
            json!("好，那給我兩杯，半糖少冰"),
            json!("大杯"),
            json!("我姓林"),
            json!("對"),
            json!("自取"),
            json!("對"),
        ],
    );
    assert_eq!(call["outcome"], "completed", "{}", all_replies(&call));
    let items = items_of(&server, &key, &tenant, &call);
    assert_eq!(items[0]["product_id"], "bubble-milk-tea");
    assert_eq!(items[0]["quantity"], 2);
    assert_eq!(items[0]["options"], json!([{"group":"sugar","choice":"half"},{"group":"ice","choice":"less"}]));
}

#[test]
fn one_drink_in_two_variants_is_two_lines() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886912345678",
        &[
            json!("兩杯大杯珍奶，一杯半糖少冰，另一杯無糖去冰"),
            json!("我姓林"),
            json!("對"),
            json!("自取"),
            json!("對"),
        ],
    );
    assert_eq!(call["outcome"], "completed", "{}", all_replies(&call));
    let items = items_of(&server, &key, &tenant, &call);
    let options: Vec<&Value> = items.iter().map(|i| &i["options"]).collect();
    assert_eq!(items.len(), 2, "{items:#?}");
    assert!(items.iter().all(|i| i["quantity"] == 1 && i["size_id"] == "L"));
    assert!(options.contains(&&json!([{"group":"sugar","choice":"half"},{"group":"ice","choice":"less"}])));
    assert!(options.contains(&&json!([{"group":"sugar","choice":"none"},{"group":"ice","choice":"none"}])));
}

#[test]
fn a_complaint_becomes_a_ticket_and_orders_nothing() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(&key, &tenant, "+886912345678", &[json!("我昨天買的珍奶…我要客訴")]);
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "complaint"), "{}", all_replies(&call));
    assert!(all_replies(&call).contains("案件編號"), "{}", all_replies(&call));
    assert_eq!(call["ticket_ids"].as_array().map(Vec::len), Some(1), "{call:#}");
    assert!(call["order_ids"].as_array().unwrap().is_empty());
}

#[test]
fn a_return_of_a_wrong_delivery_is_not_a_goodbye() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886912345678",
        &[json!("Hi, you delivered the wrong drinks yesterday, I want to return them")],
    );
    assert_ne!(call["end_reason"], "caller-done", "{}", all_replies(&call));
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "return-exchange"), "{}", all_replies(&call));
    assert!(all_replies(&call).contains("reference number"), "{}", all_replies(&call));
}

#[test]
fn a_name_given_while_asked_about_ice_is_kept() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let call = server.simulate(
        &key,
        &tenant,
        "+886922000111",
        &[json!("一杯大杯紅茶半糖"), json!("少冰，我叫王小明"), json!("對"), json!("自取"), json!("對")],
    );
    assert_eq!(call["outcome"], "completed", "{}", all_replies(&call));
    assert_eq!(order_of(&server, &key, &tenant, &call)["customer_name"], "王小明");
}
