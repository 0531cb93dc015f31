//! After the sale, end to end over SIP on loopback, with sipp answering as the customers:
//! a survey campaign to several numbers (one busy, one never answering, one on the
//! do-not-call list, two rating by keypad) retries inside its window and never outside it,
//! keeps the survey answers and their CSAT, and never dials the do-not-call number; a
//! server killed mid-campaign and restarted neither repeats nor skips a completed call; an
//! order reaching a status places the notification call; a Mandarin caller's complaint by
//! voice (baresip) becomes a ticket about the right order.

mod common;
#[path = "common/browser.rs"]
mod browser;
#[path = "common/caller.rs"]
mod caller;
#[path = "common/sipp.rs"]
mod sipp;
#[path = "common/baresip.rs"]
mod baresip;

use std::process::Child;
use std::time::{Duration, Instant};

use browser::Chromium;
use common::Server;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(180);

fn screenshots() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("outreach-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// The console, signed in with the tenant's key, at `hash`.
fn console(server: &Server, key: &str, hash: &str) -> Chromium {
    let mut page = Chromium::open_for_voice(&format!("{}/console", server.base));
    page.wait_for("!!document.querySelector('.signin input[name=key]')", WAIT);
    page.fill(".signin input[name=key]", key);
    page.click(".signin button[type=submit]");
    page.wait_for("!!document.querySelector('header .brand')", WAIT);
    page.eval(&format!("location.hash = {}, true", serde_json::to_string(hash).unwrap()));
    page
}

/// The ISO weekday (1 Monday) today in Taipei, and the days that are not today.
fn not_today() -> (u64, Vec<u64>) {
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let today = ((now_ms / 60_000 + 480) / 1440 + 3) % 7 + 1;
    (now_ms, (1..=7).filter(|d| *d != today).collect())
}

/// Every day, all day: the window of campaigns that should call now.
fn always() -> Value {
    json!([{ "days": [1, 2, 3, 4, 5, 6, 7], "open": "00:00", "close": "24:00" }])
}

/// Ask `what` of the server until `done` says yes (each answer is an event: a recipient's
/// state stored by the scheduler); fail with the last answer after `WAIT`.
fn wait_for(server: &Server, key: &str, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let r = server.get(key, path);
        assert_eq!(r.status, 200, "{}", r.body);
        if done(&r.body) {
            return r.body;
        }
        assert!(Instant::now() < deadline, "{what}; last seen:\n{:#}", r.body);
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn customer(server: &Server, scenario: &str, calls: u32) -> (String, Child) {
    let port = sipp::free_port();
    let peer = sipp::sipp_peer_with(&server.data_dir, scenario, port, &["-m", &calls.to_string()]);
    (format!("sip:customer@127.0.0.1:{port}"), peer)
}

fn recipient<'a>(campaign: &'a Value, phone: &str) -> &'a Value {
    campaign["recipients"].as_array().unwrap().iter().find(|r| r["phone"] == phone).expect("a recipient")
}

#[test]
fn a_survey_campaign_retries_inside_its_window_keeps_answers_and_skips_do_not_call() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let (rates_4, mut p4) = customer(&server, "callee_rates_4.xml", 1);
    let (rates_2, mut p2) = customer(&server, "callee_rates_2.xml", 1);
    let (busy, mut pb) = customer(&server, "callee_busy.xml", 2);
    let (rings, mut pr) = customer(&server, "callee_rings.xml", 2);
    let (listed, mut pl) = customer(&server, "callee.xml", 1);
    let r = server.post(&key, &format!("/v1/tenants/{tenant}/do-not-call"), json!({ "phone": listed }));
    assert_eq!(r.status, 201, "{}", r.body);
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({ "outreach": { "max_concurrent_calls": 3 } }));
    assert_eq!(r.status, 200, "{}", r.body);

    // The recipients as a CSV, with two bad lines that are reported and skipped.
    let csv = format!(
        "phone,name,order\n{rates_4},王小明,1001\n{rates_2},林小姐,1002\n12345,Bad,1\n{busy},Busy,1003\n\
         {rings},Rings,1004\n{listed},Listed,1005\n{rates_4},Twice,1006\n"
    );
    let r = server.post(
        &key,
        &format!("/v1/tenants/{tenant}/campaigns"),
        json!({
            "name": "滿意度調查", "flow_input": { "purpose": "survey" }, "window": always(), "max_attempts": 2,
            "retry": { "busy_secs": 2, "no_answer_secs": 2, "failed_secs": 2 }, "ring_secs": 5, "csv": csv
        }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!((r.body["imported"].as_u64(), r.body["duplicates"].as_u64()), (Some(5), Some(1)), "{:#}", r.body);
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], 4, "the bad line by its number: {errors:?}");
    let id = r.body["campaign"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/tenants/{tenant}/campaigns/{id}");

    let done = wait_for(&server, &key, &path, "the campaign completes", |c| c["state"] == "completed");
    let progress = &done["progress"];
    assert_eq!(progress["completed"], 2, "{done:#}");
    assert_eq!(progress["unreached"], 2, "busy and never answered, twice each: {done:#}");
    assert_eq!(progress["do_not_call"], 1, "{done:#}");
    assert_eq!((progress["busy"].as_u64(), progress["no_answer"].as_u64()), (Some(2), Some(2)), "{done:#}");
    assert!(recipient(&done, &listed)["attempts"].as_array().unwrap().is_empty(), "the listed number is never dialled");
    let retried = recipient(&done, &busy)["attempts"].as_array().unwrap().clone();
    let gap = retried[1]["started_at_ms"].as_u64().unwrap() - retried[0]["ended_at_ms"].as_u64().unwrap();
    assert!(gap >= 2000, "the retry waits its delay: {retried:?}");

    // The survey answers, and CSAT as the share of 4–5 ratings.
    assert_eq!(done["surveys"]["distribution"], json!([0, 1, 0, 1, 0]), "{:#}", done["surveys"]);
    assert_eq!(done["surveys"]["csat"], 0.5);
    let call_id = recipient(&done, &rates_4)["attempts"][0]["call_id"].as_str().unwrap().to_string();
    let call = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{call_id}")).body;
    assert_eq!(call["direction"], "outbound", "{call:#}");
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "survey-completed"), "{call:#}");
    let all = server.get(&key, &format!("/v1/tenants/{tenant}/surveys")).body;
    assert_eq!(all["rated"], 2, "{all:#}");

    // Pause, resume and cancel are idempotent; a finished campaign cannot run again.
    let r = server.post(&key, &format!("{path}/cancel"), json!({}));
    assert_eq!(r.status, 409, "{}", r.body);

    // A campaign whose window is shut today waits: its recipient is moved to the opening and
    // never dialled meanwhile.
    let (now_ms, days) = not_today();
    let r = server.post(
        &key,
        &format!("/v1/tenants/{tenant}/campaigns"),
        json!({ "name": "Tomorrow", "flow_input": { "purpose": "survey" },
                "window": [{ "days": days, "open": "00:00", "close": "24:00" }],
                "recipients": [{ "phone": "+886912000123" }] }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let later = format!("/v1/tenants/{tenant}/campaigns/{}", r.body["campaign"]["id"].as_str().unwrap());
    let waiting = wait_for(&server, &key, &later, "the recipient is moved to the window", |c| {
        c["recipients"][0]["next_at_ms"].as_u64().unwrap() > now_ms + 3_600_000
    });
    assert!(waiting["recipients"][0]["attempts"].as_array().unwrap().is_empty(), "{waiting:#}");
    for (state, twice) in [("pause", "paused"), ("pause", "paused"), ("resume", "running"), ("cancel", "cancelled"), ("cancel", "cancelled")] {
        let r = server.post(&key, &format!("{later}/{state}"), json!({}));
        assert_eq!((r.status, r.body["state"].as_str()), (200, Some(twice)), "{state}: {}", r.body);
    }
    let cancelled = server.get(&key, &later).body;
    assert_eq!(cancelled["recipients"][0]["status"], "cancelled");

    // The console shows the campaign's progress and survey results, and starts a campaign
    // from a CSV whose bad line it reports by number.
    let mut page = console(&server, &key, &format!("#/t/{tenant}/campaigns/{id}"));
    let csat = page.wait_for("document.querySelector('[data-figure=csat] b')?.textContent", WAIT);
    assert_eq!(csat, json!("50%"));
    assert_eq!(page.eval("document.querySelectorAll('tr[data-recipient]').length"), json!(5));
    page.screenshot(&screenshots().join("01-campaign.png"));
    page.eval(&format!("location.hash = {}, true", serde_json::to_string(&format!("#/t/{tenant}/campaigns")).unwrap()));
    page.wait_for("!!document.querySelector('form.newcampaign')", WAIT);
    let file = server.data_dir.join("customers.csv");
    std::fs::write(&file, "phone,name\n+886912000201,林小姐\n0912-000-202,陳先生\nnot a number,Bad\n").unwrap();
    page.fill("form.newcampaign input[name=name]", "下週回訪");
    let window = format!("{} 10:00-20:00", days.iter().map(u64::to_string).collect::<Vec<_>>().join(","));
    page.fill("form.newcampaign textarea[name=window]", &window);
    page.choose_file("form.newcampaign input[name=csv]", &file);
    page.click("form.newcampaign button[type=submit]");
    let reported = page.wait_for("document.querySelector('form.newcampaign .rowerrors, form.newcampaign .error')?.textContent", WAIT);
    assert!(reported.as_str().unwrap().contains('4'), "the bad line by its number: {reported}");
    let imported = page.eval("document.querySelector('form.newcampaign .result b').textContent");
    assert_eq!(imported, json!("2"), "a national number is taken as of the tenant's country");
    page.wait_for("document.querySelectorAll('tr[data-campaign]').length >= 3", WAIT);
    page.screenshot(&screenshots().join("02-campaigns.png"));

    // Another tenant sees none of it.
    let (other, other_key) = server.create_tenant("Other Shop", json!({ "numbers": ["+886277770009"] }));
    assert_eq!(server.get(&other_key, &format!("/v1/tenants/{other}/campaigns/{id}")).status, 404);
    assert_eq!(server.get(&other_key, &format!("/v1/tenants/{tenant}/campaigns")).status, 404);
    for p in [&mut p4, &mut p2, &mut pb, &mut pr, &mut pl] {
        let _ = p.kill();
    }
}

#[test]
fn a_server_killed_mid_campaign_neither_repeats_nor_skips_a_completed_call() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let (first, mut p1) = customer(&server, "callee_rates_4.xml", 1);
    // The second stays on the line (until the bot gives up on them): the kill comes mid-call.
    let (second, mut p2) = customer(&server, "callee_waits.xml", 2);
    let (third, mut p3) = customer(&server, "callee_rates_2.xml", 1);
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({ "outreach": { "max_concurrent_calls": 1 } }));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = server.post(
        &key,
        &format!("/v1/tenants/{tenant}/campaigns"),
        json!({ "name": "回訪", "flow_input": { "purpose": "survey" }, "window": always(),
                "retry": { "failed_secs": 1 },
                "recipients": [{ "phone": first }, { "phone": second }, { "phone": third }] }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let path = format!("/v1/tenants/{tenant}/campaigns/{}", r.body["campaign"]["id"].as_str().unwrap());
    // The first call is completed and the second answered: then the server dies.
    wait_for(&server, &key, &path, "the first completes and the second is answered", |c| {
        c["recipients"][0]["status"] == "completed" && c["recipients"][1]["attempts"][0]["call_id"].is_string()
    });
    let dir = server.kill();
    let server = Server::start_with(&dir, true, &["--sip", "127.0.0.1:0", "--asr", "tiny-en", "--rtp-ports", "30000-39999"]);
    let done = wait_for(&server, &key, &path, "the campaign completes after the restart", |c| c["state"] == "completed");
    let attempts = |i: usize| done["recipients"][i]["attempts"].as_array().unwrap().clone();
    assert_eq!(attempts(0).len(), 1, "the completed call is not repeated: {done:#}");
    assert_eq!(attempts(1)[0]["outcome"], "interrupted", "{done:#}");
    assert_eq!(attempts(1)[1]["outcome"], "answered", "the cut call is placed again: {done:#}");
    assert_eq!(done["recipients"][2]["status"], "completed", "nobody is skipped: {done:#}");
    assert_eq!(done["surveys"]["distribution"], json!([0, 1, 0, 1, 0]), "{:#}", done["surveys"]);
    for p in [&mut p1, &mut p2, &mut p3] {
        let _ = p.kill();
    }
}

#[test]
fn an_order_reaching_a_status_places_the_notification_call() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let port = sipp::free_port();
    let mut phone = sipp::sipp_peer(&server.data_dir, "callee.xml", port);
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({ "telephony": { "outbound_proxy": format!("sip:127.0.0.1:{port}") },
                "outreach": { "order_update_statuses": ["out_for_delivery"], "order_update_window": always() } }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let call = server.place_pickup_order(&key, &tenant, "+886912000777", "兩杯大杯珍珠奶茶半糖少冰", "陳");
    let order_id = call["order_ids"][0].as_str().unwrap();
    let order = server.get(&key, &format!("/v1/tenants/{tenant}/orders/{order_id}")).body;

    let r = server.patch(&key, &format!("/v1/tenants/{tenant}/orders/{order_id}"), json!({ "status": "out_for_delivery" }));
    assert_eq!(r.status, 200, "{}", r.body);
    let placed = watch.ended(&server, |c| c["direction"] == "outbound");
    assert_eq!(placed["callee"], "+886912000777", "{placed:#}");
    let said = placed["transcript"].to_string();
    assert!(said.contains(&order["number"].to_string()) && said.contains("外送中"), "{said}");
    assert!(placed["tags"].as_array().unwrap().iter().any(|t| t == "order-update"), "{placed:#}");
    let _ = phone.wait();
}

#[test]
fn a_mandarin_complaint_by_voice_becomes_a_ticket_about_the_right_order() {
    let server = Server::start_sip("base");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let number = "+886955333777";
    // An older order, then yesterday's: the complaint is about the newest, read back to them.
    server.place_pickup_order(&key, &tenant, number, "一杯大杯紅茶無糖去冰", "林");
    // (Now a known customer: name and number on file.)
    let newest = server.simulate(&key, &tenant, number, &[json!("兩杯大杯珍珠奶茶半糖少冰"), json!("自取"), json!("對")]);
    assert_eq!(newest["order_ids"].as_array().map(Vec::len), Some(1), "{newest:#}");
    let newest_id = newest["order_ids"][0].as_str().unwrap().to_string();

    // The caller complains, hears their recent orders read back, and says which.
    let voice = caller::MANDARIN_VOICE;
    let audio = caller::recorded(voice, &["zh-complaint-2", "zh-which-order-1"], 8000, 7.0, 16.0);
    baresip::call(&server, &audio, number, 14.0, false);
    let call = watch.ended(&server, |c| c["channel"] == "sip" && c["caller"] == number);
    let tickets = server.get(&key, &format!("/v1/tenants/{tenant}/tickets")).body;
    let ticket = &tickets["tickets"][0];
    assert_eq!(ticket["kind"], "complaint", "{tickets:#}\n{call:#}");
    assert_eq!(ticket["phone"], number);
    assert_eq!(ticket["call_id"], call["id"]);
    assert_eq!(call["ticket_ids"][0], ticket["id"], "{call:#}");
    assert!(call["transcript"].to_string().contains(&ticket["number"].to_string()), "the reference is read back: {call:#}");
    // 「珍珠奶茶那一筆」: the newest, of the two.
    assert_eq!(ticket["order_id"], json!(newest_id), "{tickets:#}\n{call:#}");

    // The console lists it and moves it on.
    let mut page = console(&server, &key, &format!("#/t/{tenant}/tickets"));
    let row = format!("tr[data-ticket=\"{}\"]", ticket["number"]);
    page.wait_for(&format!("!!document.querySelector('{row}')"), WAIT);
    page.fill(&format!("{row} select[name=status]"), "in_progress");
    page.wait_for(&format!("document.querySelector('{row}')?.getAttribute('data-status') === 'in_progress'"), WAIT);
    page.screenshot(&screenshots().join("03-tickets.png"));
    // And by the API: a note, and an assignee who must be one of the tenant's desk users.
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}/tickets/{}", ticket["id"].as_str().unwrap()),
        json!({ "note": "已聯絡客人" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let notes = r.body["notes"].to_string();
    assert!(notes.contains("open → in_progress") && notes.contains("已聯絡客人"), "{notes}");
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}/tickets/{}", ticket["id"].as_str().unwrap()),
        json!({ "assignee": "nobody" }),
    );
    assert_eq!(r.status, 400, "only a desk user of the tenant: {}", r.body);
}



/// The same after-sales dialogue by text (the API's simulated calls), where every turn is
/// certain: a complaint's ticket, where it stands, the tenant's rule that a person takes
/// complaints, a caller who wants no more calls, a callback at a time, and a campaign
/// from the orders (this server cannot dial: it waits).
#[test]
fn by_text_tickets_their_status_the_tenants_rules_do_not_call_and_callbacks() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    let number = "+886912555000";
    server.place_pickup_order(&key, &tenant, number, "一杯大杯紅茶無糖去冰", "王");
    let call = server.simulate(&key, &tenant, number, &[json!("紅茶很難喝，我要客訴"), json!("對")]);
    let tickets = server.get(&key, &format!("/v1/tenants/{tenant}/tickets")).body;
    let ticket = tickets["tickets"][0].clone();
    assert_eq!(ticket["kind"], "complaint", "{tickets:#}");
    assert!(ticket["order_number"].is_u64(), "{ticket:#}");
    assert!(common::all_replies(&call).contains("案件編號是5001"), "{}", common::all_replies(&call));
    assert_eq!(call["ticket_ids"][0], ticket["id"]);

    // Later: where does it stand?
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}/tickets/{}", ticket["id"].as_str().unwrap()), json!({ "status": "in_progress" }));
    assert_eq!(r.status, 200, "{}", r.body);
    let call = server.simulate(&key, &tenant, number, &[json!("我的客訴處理得怎麼樣了")]);
    let said = common::all_replies(&call);
    assert!(said.contains("5001") && said.contains("處理中"), "{said}");

    // The tenant's rule: complaints go to a person; the bot offers one after the ticket.
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({ "after_sales": { "person_for": ["complaint"] } }));
    assert_eq!(r.status, 200, "{}", r.body);
    let call = server.simulate(&key, &tenant, number, &[json!("你們的店員態度很差，我要投訴"), json!("對"), json!("好")]);
    assert_eq!(call["transfer"]["reason"], "complaint", "{call:#}");
    let newest = &server.get(&key, &format!("/v1/tenants/{tenant}/tickets")).body["tickets"][0];
    assert_eq!(newest["needs_person"], true, "{newest:#}");

    // "Don't call me again": on the do-not-call list, politely ended.
    let call = server.simulate(&key, &tenant, "+886912555001", &[json!("請不要再打電話給我了")]);
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "do-not-call"), "{call:#}");
    let listed = server.get(&key, &format!("/v1/tenants/{tenant}/do-not-call")).body;
    assert_eq!(listed["numbers"][0]["phone"], "+886912555001", "{listed:#}");
    assert_eq!(listed["numbers"][0]["source"], "flow");

    // "Call me back at 7 pm": a follow-up at that time in the tenant's day.
    let call = server.simulate(&key, &tenant, "+886912555002", &[json!("I'm busy right now, can you call me back at 7 pm?")]);
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "callback-requested"), "{call:#}");
    assert!(common::all_replies(&call).contains("19:00"), "{}", common::all_replies(&call));

    // A campaign to the customers whose orders were received today.
    let r = server.post(
        &key,
        &format!("/v1/tenants/{tenant}/campaigns"),
        json!({ "name": "關懷", "flow_input": { "purpose": "follow-up" }, "window": always(),
                "from_orders": { "status": "received", "days_ago": 0 } }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["imported"], 1, "one call per customer: {:#}", r.body);
    let list = server.get(&key, &format!("/v1/tenants/{tenant}/campaigns")).body;
    assert_eq!(list["dialling"], false, "this server has no SIP: {list:#}");
    // A number in the wrong form, and nothing valid: refused, nothing stored.
    let r = server.post(
        &key,
        &format!("/v1/tenants/{tenant}/campaigns"),
        json!({ "name": "Bad", "window": always(), "recipients": [{ "phone": "12345" }] }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.to_string().contains("international form"), "{}", r.body);
    assert_eq!(server.get(&key, &format!("/v1/tenants/{tenant}/campaigns")).body["campaigns"].as_array().unwrap().len(), 1);
}
