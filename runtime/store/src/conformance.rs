//! The conformance suite: what every storage backend must do, tested through
//! the interfaces alone. A backend runs all of it with one line in its tests:
//!
//! ```ignore
//! switchboard_store::conformance_tests!(|| my_backend::temporary());
//! ```
//!
//! where the closure returns a fresh, empty store (and a guard that cleans it up).
//! Each check is a plain async function, so a failure names the rule broken. The
//! tests run on Tokio's multi-threaded runtime: the backend's crate needs `tokio`
//! with `rt-multi-thread` and `macros` among its dev-dependencies.

use switchboard_domain::api_keys::KeyKind;
use switchboard_domain::calls::{CallQuery, CallRecord, Channel, Direction, Outcome};
use switchboard_domain::customers::CustomerInput;
use switchboard_domain::faq::FaqInput;
use switchboard_domain::orders::{ChosenOption, Fulfilment, ItemRequest, OrderRequest, OrderStatus};
use switchboard_domain::tenants::{SIP_REALM, TenantPatch, ha1};

use crate::{Db, StorageError};

/// Expands to one `#[tokio::test]` per check, each on a fresh store from `$fresh`.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:expr) => {
        $crate::conformance_tests!(@each $fresh;
            numbers_are_unique_across_tenants,
            dialled_numbers_match_as_numbers,
            telephony_patches_keep_what_they_omit_and_refused_patches_change_nothing,
            orders_are_priced_from_the_catalogue_and_indexed_by_phone,
            bad_orders_are_refused_and_nothing_is_stored,
            order_status_changes_stay_within_the_tenant,
            orders_placed_at_once_are_each_numbered_once,
            faq_entries_are_created_updated_and_deleted_per_tenant,
            customers_are_found_by_phone_in_any_format,
            flow_versions_are_numbered_per_tenant_and_kept_whole,
            api_keys_are_found_by_their_secret_and_listed_per_tenant,
            tenant_state_is_bounded_and_per_tenant,
            calls_are_listed_newest_first_per_tenant,
            ended_calls_add_to_their_hour_once_per_tenant,
            calls_are_found_by_the_words_of_their_transcript_per_tenant,
            cases_are_kept_per_tenant,
            turns_not_understood_are_kept_by_when_their_call_ended,
            changes_are_logged_newest_first_per_tenant,
            desk_users_sign_in_with_unique_logins_and_stay_in_their_tenant,
            tickets_are_numbered_per_tenant_and_listed_newest_first,
            campaign_recipients_come_due_in_order_and_stay_in_their_tenant,
            a_recipient_is_claimed_for_dialling_once,
            call_places_hold_a_tenants_limit_and_expire_unless_renewed,
            the_do_not_call_list_and_surveys_are_per_tenant
        );
    };
    (@each $fresh:expr; $($check:ident),*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $check() {
            let (db, _guard) = ($fresh)();
            $crate::conformance::$check(&db).await;
        }
    )*};
}

fn numbers(n: &[&str]) -> TenantPatch {
    TenantPatch { numbers: Some(n.iter().map(|s| s.to_string()).collect()), ..Default::default() }
}

pub async fn numbers_are_unique_across_tenants(db: &Db) {
    let a = db.create_tenant("A", numbers(&["+886200000001"])).await.unwrap();
    assert!(matches!(db.create_tenant("B", numbers(&["+886200000001"])).await, Err(StorageError::Conflict(_))));
    assert_eq!(db.tenant_by_number("+886200000001").await.unwrap().unwrap().id, a.id);
    db.update_tenant(&a.id, numbers(&["+886200000002"])).await.unwrap();
    assert!(db.tenant_by_number("+886200000001").await.unwrap().is_none(), "an old number is let go");
    assert!(db.create_tenant("C", numbers(&["not a number"])).await.is_err());
    assert!(matches!(db.tenant("ten_nobody").await, Err(StorageError::NotFound)));
}

pub async fn dialled_numbers_match_as_numbers(db: &Db) {
    let taipei = db.create_tenant("taipei", numbers(&["+886223456789"])).await.unwrap();
    for dialled in ["+886223456789", "886223456789", "0223456789", "00886223456789"] {
        let found = db.tenant_by_number(dialled).await.unwrap().map(|t| t.id);
        assert_eq!(found, Some(taipei.id.clone()), "{dialled}");
    }
    // The same national number in another country: the national form no longer says which.
    db.create_tenant("elsewhere", numbers(&["+61223456789"])).await.unwrap();
    assert!(db.tenant_by_number("0223456789").await.unwrap().is_none(), "ambiguous: refused");
    assert_eq!(db.tenant_by_number("886223456789").await.unwrap().map(|t| t.id), Some(taipei.id));
}

pub async fn telephony_patches_keep_what_they_omit_and_refused_patches_change_nothing(db: &Db) {
    let t = db.create_tenant("A", TenantPatch::default()).await.unwrap();
    let patch = |json: &str| TenantPatch { telephony: Some(serde_json::from_str(json).unwrap()), ..Default::default() };
    let t2 = db
        .update_tenant(&t.id, patch(r#"{"ring_ms": 500, "auth": {"username": "trunk", "password": "correct-horse"}}"#))
        .await
        .unwrap();
    assert_eq!(t2.telephony.ring_ms, 500);
    assert_eq!(t2.telephony.auth.clone().unwrap().ha1, ha1("trunk", SIP_REALM, "correct-horse"), "only HA1 is kept");
    let t3 = db.update_tenant(&t.id, patch(r#"{"barge_in": false}"#)).await.unwrap();
    assert_eq!((t3.telephony.ring_ms, t3.telephony.barge_in), (500, false));
    assert!(t3.telephony.auth.is_some(), "omitted auth is kept");
    let t4 = db.update_tenant(&t.id, patch(r#"{"auth": null}"#)).await.unwrap();
    assert!(t4.telephony.auth.is_none(), "null removes it");
    for bad in [
        r#"{"allowed_sources": ["not-an-ip"]}"#,
        r#"{"max_call_secs": 1}"#,
        r#"{"auth": {"username": "u", "password": "short"}}"#,
        r#"{"outbound_proxy": "http://x"}"#,
        r#"{"allowed_origins": ["shop.example.com"]}"#,
    ] {
        assert!(db.update_tenant(&t.id, patch(bad)).await.is_err(), "{bad}");
    }
    assert_eq!(db.tenant(&t.id).await.unwrap().telephony, t4.telephony, "a refused patch changes nothing");
}

fn order(items: Vec<ItemRequest>) -> OrderRequest {
    OrderRequest {
        items,
        customer_name: "王小明".into(),
        phone: "0912-345-678".into(),
        fulfilment: Fulfilment::Pickup,
        address: None,
        notes: None,
    }
}

fn item(product: &str, size: &str, quantity: u32) -> ItemRequest {
    let options = vec![ChosenOption { group: "sugar".into(), choice: "half".into() }];
    ItemRequest { product_id: product.into(), size_id: size.into(), quantity, options }
}

async fn with_demo_catalogue(db: &Db, tenant: &str) {
    let catalog = serde_json::from_str(switchboard_domain::demo::CATALOG_JSON).unwrap();
    db.put_catalog(tenant, &catalog).await.unwrap();
}

pub async fn orders_are_priced_from_the_catalogue_and_indexed_by_phone(db: &Db) {
    with_demo_catalogue(db, "t1").await;
    let items = vec![item("bubble-milk-tea", "L", 2), item("black-tea", "M", 1)];
    let o = db.create_order("t1", "call_1", order(items), "zh").await.unwrap();
    assert_eq!(o.total, 2 * 60 + 30);
    assert_eq!(o.number, 1001);
    assert_eq!(o.items[0].product_name, "珍珠奶茶");
    assert_eq!(db.order("t1", &o.id).await.unwrap().total, o.total, "committed when it returns");
    assert_eq!(db.orders_by_phone("t1", "0912345678", 5).await.unwrap().len(), 1);
    assert_eq!(db.customer_by_phone("t1", "0912345678").await.unwrap().unwrap().name, "王小明");
    assert!(db.orders_by_phone("t2", "0912345678", 5).await.unwrap().is_empty(), "another tenant sees nothing");
    let second = db.create_order("t1", "call_2", order(vec![item("black-tea", "M", 1)]), "en").await.unwrap();
    assert_eq!(second.number, 1002);
    let newest = db.orders_by_phone("t1", "0912 345 678", 1).await.unwrap();
    assert_eq!(newest.iter().map(|o| o.number).collect::<Vec<_>>(), vec![1002], "newest first, limited");
}

pub async fn bad_orders_are_refused_and_nothing_is_stored(db: &Db) {
    with_demo_catalogue(db, "t1").await;
    for bad in [item("espresso", "M", 1), item("black-tea", "XL", 1), item("black-tea", "M", 0)] {
        assert!(matches!(db.create_order("t1", "c", order(vec![bad]), "en").await, Err(StorageError::Invalid(_))));
    }
    let mut wrong_option = item("mango-smoothie", "M", 1);
    wrong_option.options = vec![ChosenOption { group: "ice".into(), choice: "less".into() }];
    assert!(db.create_order("t1", "c", order(vec![wrong_option]), "en").await.is_err());
    assert!(db.create_order("t2", "c", order(vec![item("black-tea", "M", 1)]), "en").await.is_err(), "no catalogue");
    assert!(db.orders("t1").await.unwrap().is_empty());
    assert!(db.customers("t1").await.unwrap().is_empty(), "no customer from a refused order");
}

pub async fn orders_placed_at_once_are_each_numbered_once(db: &Db) {
    orders_placed_at_once_on(&[db.clone(), db.clone()]).await;
}

/// Orders placed at the same time through several stores on one database (nodes, for a
/// shared backend): every order is stored once, with a number of its own, none skipped.
pub async fn orders_placed_at_once_on(nodes: &[Db]) {
    const EACH: usize = 15;
    with_demo_catalogue(&nodes[0], "t1").await;
    let mut placing = Vec::new();
    for (n, db) in nodes.iter().enumerate() {
        for i in 0..EACH {
            let db = db.clone();
            placing.push(tokio::spawn(async move {
                let call = format!("call_{n}_{i}");
                db.create_order("t1", &call, order(vec![item("black-tea", "M", 1)]), "en").await.unwrap().number
            }));
        }
    }
    let mut numbers = Vec::new();
    for p in placing {
        numbers.push(p.await.unwrap());
    }
    numbers.sort();
    let expected: Vec<u64> = (1001..1001 + (nodes.len() * EACH) as u64).collect();
    assert_eq!(numbers, expected, "one number per order, none skipped");
    assert_eq!(nodes[0].orders("t1").await.unwrap().len(), nodes.len() * EACH);
}

pub async fn order_status_changes_stay_within_the_tenant(db: &Db) {
    with_demo_catalogue(db, "t1").await;
    let o = db.create_order("t1", "c", order(vec![item("black-tea", "M", 1)]), "en").await.unwrap();
    assert!(matches!(db.update_order_status("t2", &o.id, OrderStatus::Cancelled).await, Err(StorageError::NotFound)));
    assert!(matches!(db.order("t2", &o.id).await, Err(StorageError::NotFound)));
    let done = db.update_order_status("t1", &o.id, OrderStatus::Completed).await.unwrap();
    assert_eq!(done.status, OrderStatus::Completed);
    assert_eq!(db.order("t1", &o.id).await.unwrap().status, OrderStatus::Completed);
}

fn faq(question: &str) -> FaqInput {
    FaqInput {
        question: question.into(),
        answer: "9 to 5".into(),
        language: "en".into(),
        keywords: vec!["hours".into()],
    }
}

pub async fn faq_entries_are_created_updated_and_deleted_per_tenant(db: &Db) {
    let e = db.create_faq("t1", faq("When do you open?")).await.unwrap();
    db.create_faq("t2", faq("Other tenant")).await.unwrap();
    assert_eq!(db.faq_entries("t1").await.unwrap().len(), 1);
    let changed = db.update_faq("t1", &e.id, faq("When are you open?")).await.unwrap();
    assert_eq!(changed.id, e.id);
    assert_eq!(db.faq_entries("t1").await.unwrap()[0].question, "When are you open?");
    assert!(matches!(db.update_faq("t2", &e.id, faq("x")).await, Err(StorageError::NotFound)));
    assert!(matches!(db.delete_faq("t2", &e.id).await, Err(StorageError::NotFound)));
    db.delete_faq("t1", &e.id).await.unwrap();
    assert!(db.faq_entries("t1").await.unwrap().is_empty());
    assert_eq!(db.faq_entries("t2").await.unwrap().len(), 1);
}

fn customer(name: &str, phone: &str) -> CustomerInput {
    CustomerInput { name: name.into(), phone: phone.into(), address: None, blocked: false, notes: None }
}

pub async fn customers_are_found_by_phone_in_any_format(db: &Db) {
    let c = db.upsert_customer("t1", customer("陳小姐", "0912-345-678")).await.unwrap();
    assert_eq!(db.customer_by_phone("t1", "0912 345 678").await.unwrap().unwrap().id, c.id);
    let again = db.upsert_customer("t1", CustomerInput { blocked: true, ..customer("陳小姐", "0912345678") }).await;
    let again = again.unwrap();
    assert_eq!(again.id, c.id, "the same phone is the same customer");
    assert!(again.blocked);
    assert!(db.customer_by_phone("t2", "0912345678").await.unwrap().is_none());
    assert_eq!(db.customers("t1").await.unwrap().len(), 1);
}

pub async fn flow_versions_are_numbered_per_tenant_and_kept_whole(db: &Db) {
    let v1 = db.store_flow("t1", b"one", "aa".into()).await.unwrap();
    let v2 = db.store_flow("t1", b"two!", "bb".into()).await.unwrap();
    let other = db.store_flow("t2", b"x", "cc".into()).await.unwrap();
    assert_eq!((v1.version, v2.version, other.version), (1, 2, 1));
    assert_eq!(v2.size_bytes, 4);
    assert_eq!(db.flow_bytes("t1", 2).await.unwrap(), b"two!");
    assert_eq!(db.flow_version("t1", 1).await.unwrap().sha256, "aa");
    assert_eq!(db.flow_versions("t1").await.unwrap().iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    assert!(matches!(db.flow_bytes("t2", 2).await, Err(StorageError::NotFound)));
}

pub async fn api_keys_are_found_by_their_secret_and_listed_per_tenant(db: &Db) {
    let (plain, key) = db.create_api_key("t1", KeyKind::Tenant).await.unwrap();
    assert!(key.public.is_none(), "a secret key is not kept in clear");
    assert_eq!(db.api_key(&plain).await.unwrap().unwrap().tenant_id, "t1");
    assert!(db.api_key("sk_not_a_key").await.unwrap().is_none());
    let widget = db.widget_key("t1").await.unwrap();
    assert_eq!(db.widget_key("t1").await.unwrap(), widget, "one widget key, made once");
    assert_eq!(db.api_key(&widget).await.unwrap().unwrap().kind, KeyKind::Widget);
    assert_eq!(db.api_keys("t1").await.unwrap().len(), 2);
    assert!(db.api_keys("t2").await.unwrap().is_empty());
}

pub async fn tenant_state_is_bounded_and_per_tenant(db: &Db) {
    use switchboard_domain::tenant_state::{MAX_KEY_BYTES, MAX_VALUE_BYTES};
    db.tenant_state_set("t1", "visits", "3").await.unwrap();
    assert_eq!(db.tenant_state_get("t1", "visits").await.unwrap().as_deref(), Some("3"));
    assert!(db.tenant_state_get("t2", "visits").await.unwrap().is_none());
    assert!(db.tenant_state_set("t1", "", "x").await.is_err());
    assert!(db.tenant_state_set("t1", &"k".repeat(MAX_KEY_BYTES + 1), "x").await.is_err());
    assert!(db.tenant_state_set("t1", "big", &"v".repeat(MAX_VALUE_BYTES + 1)).await.is_err());
    assert_eq!(db.tenant_state_get("t1", "visits").await.unwrap().as_deref(), Some("3"), "a refusal loses nothing");
}

fn call(tenant: &str, id: &str, started_at_ms: u64) -> CallRecord {
    CallRecord {
        id: id.into(),
        tenant_id: tenant.into(),
        caller: "+886912345678".into(),
        callee: "+886223456789".into(),
        channel: Channel::Sip,
        direction: Direction::Inbound,
        flow_version: Some(1),
        started_at_ms,
        ended_at_ms: None,
        outcome: Outcome::InProgress,
        end_reason: None,
        tags: Vec::new(),
        flow_error: None,
        transfer: None,
        order_ids: Vec::new(),
        ticket_ids: Vec::new(),
        transcript: Vec::new(),
        recording: None,
        agent: None,
    }
}

pub async fn calls_are_listed_newest_first_per_tenant(db: &Db) {
    let mut first = call("t1", "call_0001", 1);
    db.save_call(&first).await.unwrap();
    db.save_call(&call("t1", "call_0002", 2)).await.unwrap();
    db.save_call(&call("t2", "call_0003", 3)).await.unwrap();
    first.outcome = Outcome::Completed;
    db.save_call(&first).await.unwrap();
    assert_eq!(db.call("t1", "call_0001").await.unwrap().outcome, Outcome::Completed, "saved again, replaced");
    let listed: Vec<String> = db.calls("t1", &CallQuery::default()).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(listed, vec!["call_0002", "call_0001"]);
    let one = CallQuery { limit: Some(1), ..Default::default() };
    assert_eq!(db.calls("t1", &one).await.unwrap().len(), 1);
    let completed = CallQuery { outcome: Some(Outcome::Completed), ..Default::default() };
    let listed: Vec<String> = db.calls("t1", &completed).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(listed, vec!["call_0001"]);
    assert!(matches!(db.call("t2", "call_0001").await, Err(StorageError::NotFound)));
}

fn ended(mut r: CallRecord, outcome: Outcome, ended_at_ms: u64, caller_says: &str) -> CallRecord {
    use switchboard_domain::calls::{Speaker, TranscriptEntry};
    r.outcome = outcome;
    r.ended_at_ms = Some(ended_at_ms);
    r.transcript = vec![
        TranscriptEntry {
            at_ms: r.started_at_ms,
            speaker: Speaker::Bot,
            text: "您好".into(),
            latency_ms: None,
            intent: None,
            faq: None,
            understood: None,
        },
        TranscriptEntry {
            at_ms: r.started_at_ms,
            speaker: Speaker::Caller,
            text: caller_says.into(),
            latency_ms: Some(500),
            intent: None,
            faq: None,
            understood: None,
        },
    ];
    r
}

pub async fn ended_calls_add_to_their_hour_once_per_tenant(db: &Db) {
    use switchboard_domain::stats::HOUR_MS;
    let t1 = db.create_tenant("One", numbers(&["+886200000001"])).await.unwrap();
    let t2 = db.create_tenant("Two", numbers(&["+886200000002"])).await.unwrap();
    let hour = 1_000 * HOUR_MS;
    let live = call(&t1.id, "call_0001", hour + 10);
    db.save_call(&live).await.unwrap();
    assert!(db.call_figures(&t1.id, 0, u64::MAX / 2).await.unwrap().is_empty(), "a call in progress adds nothing");
    let mut done = ended(live, Outcome::Completed, hour + 60_000, "一杯紅茶");
    db.save_call(&done).await.unwrap();
    done.tags.push("order-placed".into());
    db.save_call(&done).await.unwrap();
    db.save_call(&done).await.unwrap();
    let transferred = ended(call(&t1.id, "call_0002", hour + 20), Outcome::Transferred, hour + 2 * HOUR_MS, "轉人工");
    db.save_call(&transferred).await.unwrap();
    db.save_call(&ended(call(&t2.id, "call_0003", hour), Outcome::Abandoned, hour + 5, "hello")).await.unwrap();

    let rows = db.call_figures(&t1.id, hour, hour + 3 * HOUR_MS).await.unwrap();
    assert_eq!(rows.iter().map(|(h, _)| *h).collect::<Vec<_>>(), vec![hour, hour + 2 * HOUR_MS]);
    let first = &rows[0].1;
    assert_eq!(
        (first.offered, first.answered, first.contained, first.resolved),
        (1, 1, 1, 1),
        "saved three times, counted once"
    );
    assert_eq!(rows[1].1.transferred, 1);
    assert_eq!(db.call_figures(&t1.id, hour, hour + HOUR_MS).await.unwrap().len(), 1, "the period bounds the hours");
    let other = db.call_figures(&t2.id, 0, u64::MAX / 2).await.unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!((other[0].1.abandoned, other[0].1.transferred), (1, 0), "tenants are counted apart");
}

pub async fn calls_are_found_by_the_words_of_their_transcript_per_tenant(db: &Db) {
    let said = [
        ("t1", "call_0001", "我要兩杯珍奶半糖"),
        ("t1", "call_0002", "Two bubble milk teas"),
        ("t2", "call_0003", "珍奶一杯"),
    ];
    for (i, (tenant, id, text)) in said.iter().enumerate() {
        db.save_call(&ended(call(tenant, id, i as u64), Outcome::Completed, 100, text)).await.unwrap();
    }
    let find = |tenant: &'static str, text: &str| {
        let q = CallQuery { text: Some(text.into()), ..Default::default() };
        async move { db.calls(tenant, &q).await.unwrap().into_iter().map(|c| c.id).collect::<Vec<_>>() }
    };
    assert_eq!(find("t1", "珍奶").await, vec!["call_0001"]);
    assert_eq!(find("t1", "MILK tea").await, vec!["call_0002"]);
    assert_eq!(find("t1", "紅茶").await, Vec::<String>::new());
    assert_eq!(find("t2", "珍奶").await, vec!["call_0003"], "each tenant searches its own calls");
}

pub async fn cases_are_kept_per_tenant(db: &Db) {
    use switchboard_domain::cases::Case;
    let record = ended(call("t1", "call_0001", 1), Outcome::Completed, 100, "一杯紅茶");
    let case = Case::from_call(&record, Some("red tea".into())).unwrap();
    db.save_case("t1", &case).await.unwrap();
    let kept = db.cases("t1").await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].expected, case.expected);
    assert!(db.cases("t2").await.unwrap().is_empty(), "another tenant has none");
    assert!(!db.delete_case("t2", &case.id).await.unwrap(), "nor can it delete one");
    assert!(db.delete_case("t1", &case.id).await.unwrap());
    assert!(db.cases("t1").await.unwrap().is_empty());
}

pub async fn turns_not_understood_are_kept_by_when_their_call_ended(db: &Db) {
    let mut lost = ended(call("t1", "call_0001", 1), Outcome::Completed, 1_000, "有停車位嗎");
    lost.transcript[1].understood = Some(false);
    db.save_call(&lost).await.unwrap();
    db.save_call(&lost).await.unwrap();
    let mut heard = ended(call("t1", "call_0002", 2), Outcome::Completed, 2_000, "一杯紅茶");
    heard.transcript[1].understood = Some(true);
    db.save_call(&heard).await.unwrap();
    let handed = ended(call("t1", "call_0003", 3), Outcome::Transferred, 3_000, "我要退貨");
    db.save_call(&handed).await.unwrap();
    let turns = db.unheard_turns("t1", 0, 10_000, 10).await.unwrap();
    let said: Vec<(&str, bool)> = turns.iter().map(|t| (t.text.as_str(), t.led_to_transfer)).collect();
    assert_eq!(said, vec![("我要退貨", true), ("有停車位嗎", false)], "newest first, once each");
    assert_eq!(db.unheard_turns("t1", 0, 2_000, 10).await.unwrap().len(), 1, "the period bounds them");
    assert!(db.unheard_turns("t2", 0, 10_000, 10).await.unwrap().is_empty());
}

pub async fn changes_are_logged_newest_first_per_tenant(db: &Db) {
    use switchboard_domain::audit::AuditEntry;
    let mut first = AuditEntry::new("tenant/console", "faq.update", "faq_1", "幾點關門？");
    first.at_ms = 1;
    let mut second = AuditEntry::new("provider/api", "flow.activate", "2", "");
    second.at_ms = 2;
    db.record_change("t1", &first).await.unwrap();
    db.record_change("t1", &second).await.unwrap();
    db.record_change("t2", &AuditEntry::new("tenant/api", "order.status", "ord_1", "ready")).await.unwrap();
    let log = db.changes("t1", 10).await.unwrap();
    assert_eq!(log, vec![second.clone(), first]);
    assert_eq!(db.changes("t1", 1).await.unwrap(), vec![second]);
    assert_eq!(db.changes("t2", 10).await.unwrap().len(), 1);
}

pub async fn desk_users_sign_in_with_unique_logins_and_stay_in_their_tenant(db: &Db) {
    use switchboard_domain::desk::{DeskUserInput, FollowUp, verify_password};
    let input = |login: &str| DeskUserInput {
        name: "陳美玲".into(),
        login: login.into(),
        password: "a long enough secret".into(),
        groups: vec!["orders".into()],
    };
    let (mei, login) = input("Mei@Shop.tw").into_user("t1").unwrap();
    db.create_desk_user(&mei, &login).await.unwrap();
    assert_eq!(mei.login, "mei@shop.tw", "logins are compared without case");
    let (again, again_login) = input("mei@shop.tw").into_user("t2").unwrap();
    assert!(matches!(db.create_desk_user(&again, &again_login).await, Err(StorageError::Conflict(_))));
    let found = db.desk_login("MEI@shop.tw").await.unwrap().unwrap();
    assert_eq!((found.user_id.as_str(), found.tenant_id.as_str()), (mei.id.as_str(), "t1"));
    assert!(verify_password("a long enough secret", &found.password_hash));
    assert!(db.desk_login("nobody").await.unwrap().is_none());
    assert_eq!(db.desk_user("t1", &mei.id).await.unwrap().name, "陳美玲");
    assert!(matches!(db.desk_user("t2", &mei.id).await, Err(StorageError::NotFound)));
    assert_eq!(db.desk_users("t1").await.unwrap().len(), 1);
    assert!(db.desk_users("t2").await.unwrap().is_empty());

    let task = |id: &str, due: u64, done: bool| FollowUp {
        id: id.into(),
        tenant_id: "t1".into(),
        call_id: "call_1".into(),
        phone: "+886912345678".into(),
        due_at_ms: due,
        assignee: mei.id.clone(),
        note: "回電確認地址".into(),
        done,
        created_by: mei.id.clone(),
        created_at_ms: 1,
    };
    db.save_follow_up(&task("b", 20, false)).await.unwrap();
    db.save_follow_up(&task("a", 30, false)).await.unwrap();
    db.save_follow_up(&task("c", 10, true)).await.unwrap();
    let ids: Vec<String> = db.follow_ups("t1").await.unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["b", "a", "c"], "open ones first, soonest due first");
    assert!(db.follow_ups("t2").await.unwrap().is_empty());

    assert!(db.delete_desk_user("t1", &mei.id).await.unwrap());
    assert!(db.desk_login("mei@shop.tw").await.unwrap().is_none());
    db.create_desk_user(&again, &again_login).await.expect("a deleted user's login is free again");
}

fn ticket(tenant: &str, id: &str, at: u64) -> switchboard_domain::tickets::Ticket {
    use switchboard_domain::tickets::*;
    Ticket {
        id: id.into(),
        number: 0,
        tenant_id: tenant.into(),
        kind: TicketKind::Complaint,
        order_id: Some("ord_1".into()),
        order_number: Some(1001),
        phone: "+886912345678".into(),
        customer_name: None,
        description: "珍奶送錯了".into(),
        status: TicketStatus::Open,
        assignee: None,
        assignee_name: None,
        due_at_ms: at + 10,
        needs_person: false,
        call_id: None,
        notes: Vec::new(),
        created_at_ms: at,
        updated_at_ms: at,
    }
}

pub async fn tickets_are_numbered_per_tenant_and_listed_newest_first(db: &Db) {
    use switchboard_domain::tickets::{TicketQuery, TicketStatus};
    let a = db.create_ticket(&ticket("t1", "tkt_a", 1)).await.unwrap();
    let b = db.create_ticket(&ticket("t1", "tkt_b", 2)).await.unwrap();
    let other = db.create_ticket(&ticket("t2", "tkt_c", 3)).await.unwrap();
    assert_eq!((a.number, b.number, other.number), (5001, 5002, 5001));
    let listed: Vec<String> =
        db.tickets("t1", &TicketQuery::default()).await.unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(listed, ["tkt_b", "tkt_a"]);
    let mut changed = a.clone();
    changed.status = TicketStatus::Resolved;
    db.save_ticket(&changed).await.unwrap();
    let open = TicketQuery { status: Some(TicketStatus::Open), ..Default::default() };
    assert_eq!(db.tickets("t1", &open).await.unwrap().len(), 1);
    assert!(matches!(db.ticket("t2", "tkt_a").await, Err(StorageError::NotFound)));
    let mut stranger = changed.clone();
    stranger.tenant_id = "t2".into();
    assert!(matches!(db.save_ticket(&stranger).await, Err(StorageError::NotFound)), "no ticket of t2 by that id");
}

fn campaign(tenant: &str, id: &str) -> switchboard_domain::campaigns::Campaign {
    use switchboard_domain::campaigns::*;
    Campaign {
        id: id.into(),
        tenant_id: tenant.into(),
        name: "回訪".into(),
        kind: CampaignKind::Campaign,
        flow_input: Default::default(),
        window: Vec::new(),
        max_attempts: 3,
        retry: RetryDelays::default(),
        ring_secs: 20,
        state: CampaignState::Running,
        source: "test".into(),
        recipients: 0,
        created_at_ms: 1,
        updated_at_ms: 1,
    }
}

fn recipient(campaign: &str, index: u32, next_at_ms: u64) -> switchboard_domain::campaigns::Recipient {
    use switchboard_domain::campaigns::*;
    Recipient {
        campaign_id: campaign.into(),
        index,
        phone: format!("+88691200000{index}"),
        name: None,
        utc_offset_minutes: 480,
        fields: Default::default(),
        status: RecipientStatus::Pending,
        attempts: Vec::new(),
        next_at_ms,
    }
}

pub async fn campaign_recipients_come_due_in_order_and_stay_in_their_tenant(db: &Db) {
    use switchboard_domain::campaigns::RecipientStatus;
    let mut c = campaign("t1", "cmp_a");
    c.recipients = 3;
    let list = [recipient("cmp_a", 0, 300), recipient("cmp_a", 1, 100), recipient("cmp_a", 2, 200)];
    db.create_campaign(&c, &list).await.unwrap();
    db.create_campaign(&campaign("t2", "cmp_a"), &[recipient("cmp_a", 0, 50)]).await.unwrap();
    let due = |now| async move {
        db.due_recipients("t1", "cmp_a", now, 10).await.unwrap().into_iter().map(|r| r.index).collect::<Vec<_>>()
    };
    assert_eq!(due(250).await, [1, 2], "soonest first, none after now");
    assert_eq!(db.next_due("t1", "cmp_a").await.unwrap(), Some(100));
    // Dialling takes one out of the index; a retry puts it back later.
    let mut r = db.recipient("t1", "cmp_a", 1).await.unwrap();
    r.status = RecipientStatus::Dialing;
    db.save_recipient("t1", &r).await.unwrap();
    assert_eq!(due(250).await, [2]);
    r.status = RecipientStatus::Pending;
    r.next_at_ms = 400;
    db.save_recipient("t1", &r).await.unwrap();
    assert_eq!(due(1000).await, [2, 0, 1]);
    assert_eq!(db.due_recipients("t1", "cmp_a", 1000, 2).await.unwrap().len(), 2, "at most the limit");
    // Added recipients are numbered on.
    let c = db.add_recipients("t1", "cmp_a", vec![recipient("ignored", 99, 10)]).await.unwrap();
    assert_eq!(c.recipients, 4);
    assert_eq!(due(10).await, [3]);
    assert_eq!(db.recipients("t2", "cmp_a").await.unwrap().len(), 1, "another tenant's campaign of the same id");
    assert_eq!(db.running_campaigns().await.unwrap().len(), 2);
    assert!(db.next_due("t3", "cmp_a").await.unwrap().is_none());
}

pub async fn a_recipient_is_claimed_for_dialling_once(db: &Db) {
    use switchboard_domain::campaigns::{Attempt, RecipientStatus};
    let mut c = campaign("t1", "cmp_a");
    c.recipients = 1;
    db.create_campaign(&c, &[recipient("cmp_a", 0, 100)]).await.unwrap();
    let claim = |node: &str| {
        let mut r = recipient("cmp_a", 0, 100);
        r.status = RecipientStatus::Dialing;
        r.attempts.push(Attempt {
            started_at_ms: 150,
            ended_at_ms: None,
            outcome: None,
            call_id: None,
            detail: None,
            node: Some(node.into()),
        });
        r
    };
    // Two schedulers (nodes) read the same due recipient at once: one of them dials it.
    let (first, second) = (claim("a"), claim("b"));
    let (a, b) = tokio::join!(db.claim_recipient("t1", &first), db.claim_recipient("t1", &second));
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|won| **won).count(), 1, "claimed once");
    let stored = db.recipient("t1", "cmp_a", 0).await.unwrap();
    assert_eq!((stored.status, stored.attempts.len()), (RecipientStatus::Dialing, 1));
    assert!(db.due_recipients("t1", "cmp_a", 1000, 10).await.unwrap().is_empty(), "out of the due index");
    assert!(!db.claim_recipient("t1", &claim("c")).await.unwrap(), "a dialling recipient is not claimed again");
    assert!(db.claim_recipient("t2", &claim("a")).await.is_err(), "another tenant has no such recipient");
}

pub async fn call_places_hold_a_tenants_limit_and_expire_unless_renewed(db: &Db) {
    use crate::CallPlace;
    let place = |tenant: &str, call: &str, node: &str| CallPlace {
        tenant_id: tenant.into(),
        kind: "calls".into(),
        call_id: call.into(),
        node: node.into(),
        expires_at_ms: 1_000,
    };
    // Three calls at once on two nodes for a limit of two: two get in.
    let (a, b, c) = (place("t1", "c1", "n1"), place("t1", "c2", "n2"), place("t1", "c3", "n1"));
    let taken =
        tokio::join!(db.take_call_place(&a, 2, 100), db.take_call_place(&b, 2, 100), db.take_call_place(&c, 2, 100));
    let won = [taken.0.unwrap(), taken.1.unwrap(), taken.2.unwrap()];
    assert_eq!(won.iter().filter(|w| **w).count(), 2, "the limit holds");
    assert_eq!(db.count_call_places("t1", "calls", 100).await.unwrap(), 2);
    assert!(db.take_call_place(&place("t2", "c9", "n3"), 2, 100).await.unwrap(), "another tenant has its own");
    assert_eq!(db.count_call_places("t1", "browser", 100).await.unwrap(), 0, "another kind is counted apart");
    // Calls given back free their places.
    for call in ["c1", "c2", "c3"] {
        db.release_call_place("t1", "calls", call).await.unwrap();
    }
    assert!(db.take_call_place(&place("t1", "c4", "n1"), 2, 100).await.unwrap());
    assert!(db.take_call_place(&place("t1", "c5", "n2"), 2, 100).await.unwrap());
    assert!(!db.take_call_place(&place("t1", "c6", "n2"), 2, 100).await.unwrap(), "full");
    // n1 renews its lease; n2 stops renewing (killed): at 1,500 only n1's place counts.
    assert_eq!(db.renew_call_places("n1", 2_000).await.unwrap(), 1);
    assert_eq!(db.count_call_places("t1", "calls", 1_500).await.unwrap(), 1, "n2's place expired");
    let later = |call: &str| CallPlace { expires_at_ms: 3_000, ..place("t1", call, "n2") };
    assert!(db.take_call_place(&later("c6"), 2, 1_500).await.unwrap(), "an expired place is free again");
    assert!(!db.take_call_place(&later("c7"), 2, 1_500).await.unwrap(), "full again");
}

pub async fn the_do_not_call_list_and_surveys_are_per_tenant(db: &Db) {
    use switchboard_domain::campaigns::{DoNotCall, SurveyResponse};
    let entry = DoNotCall { phone: "+886 912-345-678".into(), added_at_ms: 1, source: "flow".into(), call_id: None };
    db.add_do_not_call("t1", &entry).await.unwrap();
    assert!(db.do_not_call("t1", "+886912345678").await.unwrap().is_some(), "found in any format");
    assert!(db.do_not_call("t2", "+886912345678").await.unwrap().is_none());
    assert!(db.remove_do_not_call("t1", "+886912345678").await.unwrap());
    assert!(db.do_not_calls("t1").await.unwrap().is_empty());
    let survey = |tenant: &str, campaign: Option<&str>, at| SurveyResponse {
        id: format!("s{at}"),
        tenant_id: tenant.into(),
        call_id: "call_1".into(),
        campaign_id: campaign.map(str::to_string),
        phone: "+886912345678".into(),
        rating: Some(5),
        comment: None,
        at_ms: at,
    };
    db.save_survey(&survey("t1", Some("cmp_a"), 1)).await.unwrap();
    db.save_survey(&survey("t1", None, 2)).await.unwrap();
    db.save_survey(&survey("t2", Some("cmp_a"), 3)).await.unwrap();
    assert_eq!(db.surveys("t1", None).await.unwrap().len(), 2);
    assert_eq!(db.surveys("t1", Some("cmp_a")).await.unwrap().len(), 1);
}
