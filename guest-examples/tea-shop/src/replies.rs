//! Everything the bot says, in Chinese and English.
//!
//! The text is read by TTS, so sentences are short, numbers are digits and
//! prices read "120元" / "NT$120". Product, size and option names always come
//! from the catalogue.

use switchboard_understand::numbers::{PhoneLength, format_phone};
use switchboard_understand::{Catalog, Fulfilment, name_in};

use crate::host::{OrderStatus, PlacedOrder, Ticket, TicketKind, TicketStatus};
use crate::language::{Lang, Phrasing};
use crate::order::{Draft, Line};

pub const SHOP_ZH: &str = "珍珍茶坊";
pub const SHOP_EN: &str = "Zhenzhen Tea House";

fn product_name(catalog: &Catalog, lang: Lang, id: &str) -> String {
    catalog.product(id).map_or(id, |p| name_in(&p.names, lang, &p.id)).to_string()
}

fn size_name(catalog: &Catalog, lang: Lang, product_id: &str, size_id: &str) -> String {
    catalog
        .product(product_id)
        .and_then(|p| p.size(size_id))
        .map_or(size_id, |s| name_in(&s.names, lang, &s.id))
        .to_string()
}

fn choice_name(catalog: &Catalog, lang: Lang, group_id: &str, choice_id: &str) -> String {
    catalog
        .group(group_id)
        .and_then(|g| g.choice(choice_id))
        .map_or(choice_id, |c| name_in(&c.names, lang, &c.id))
        .to_string()
}

fn plural(name: &str, quantity: u32) -> String {
    if quantity > 1 && !name.ends_with('s') { format!("{name}s") } else { name.to_string() }
}

/// 「大杯珍珠奶茶2杯，半糖、少冰」 / "2 large bubble milk teas, half sugar, less ice".
pub fn describe_line(lang: Lang, catalog: &Catalog, line: &Line) -> String {
    let product = product_name(catalog, lang, &line.product_id);
    let size = line.size.as_deref().map(|s| size_name(catalog, lang, &line.product_id, s));
    let options: Vec<String> = line.options.iter().map(|(g, c)| choice_name(catalog, lang, g, c)).collect();
    let mut text = match (lang, size) {
        (Lang::Zh, Some(size)) => format!("{size}{product}{}杯", line.quantity),
        (Lang::Zh, None) => format!("{product}{}杯", line.quantity),
        (Lang::En, Some(size)) => format!("{} {size} {}", line.quantity, plural(&product, line.quantity)),
        (Lang::En, None) => format!("{} {}", line.quantity, plural(&product, line.quantity)),
    };
    if !options.is_empty() {
        text.push_str(lang.pick("，", ", "));
        text.push_str(&options.join(lang.pick("、", ", ")));
    }
    text
}

fn describe_lines(lang: Lang, catalog: &Catalog, lines: &[Line]) -> String {
    lines.iter().map(|l| describe_line(lang, catalog, l)).collect::<Vec<_>>().join(lang.pick("；", "; "))
}

pub fn greeting(lang: Lang, known_name: Option<&str>) -> String {
    match (lang, known_name) {
        (Lang::Zh, Some(name)) => format!("{name}您好，歡迎致電{SHOP_ZH}！請問今天想喝點什麼？"),
        (Lang::Zh, None) => format!("您好，歡迎致電{SHOP_ZH}！請問今天想喝點什麼？"),
        (Lang::En, Some(name)) => {
            format!("Hi {name}, welcome to {SHOP_EN}! What would you like to order today?")
        }
        (Lang::En, None) => {
            format!("Hello, welcome to {SHOP_EN}! What would you like to order today?")
        }
    }
}

pub fn blocked(lang: Lang) -> String {
    lang.pick("很抱歉，目前無法為您提供服務。謝謝您的來電，再見。", "Sorry, we are unable to take your call. Goodbye.")
        .into()
}

/// The caller said no to drinks the bot had just confirmed.
pub fn misheard(lang: Lang) -> &'static str {
    lang.pick("抱歉，我聽錯了。", "Sorry, I misheard. ")
}

pub fn ack(lang: Lang) -> &'static str {
    lang.pick("好的。", "Got it. ")
}

/// Confirms newly understood items so a misrecognition is caught early.
pub fn ack_lines(lang: Lang, catalog: &Catalog, lines: &[Line]) -> String {
    match lang {
        Lang::Zh => format!("好的，{}。", describe_lines(lang, catalog, lines)),
        Lang::En => format!("Got it: {}. ", describe_lines(lang, catalog, lines)),
    }
}

/// `again`: the caller was already helped with something else this call.
pub fn ask_order(lang: Lang, again: bool) -> String {
    match again {
        false => lang.pick("請問想點什麼飲料呢？", "What would you like to order?"),
        true => {
            lang.pick("請問還需要什麼嗎？想點飲料可以直接告訴我。", "Anything else? You can order drinks any time.")
        }
    }
    .into()
}

pub fn ask_size(lang: Lang, catalog: &Catalog, line: &Line) -> String {
    let product = product_name(catalog, lang, &line.product_id);
    let sizes: Vec<String> = catalog
        .product(&line.product_id)
        .map(|p| p.sizes.iter().map(|s| name_in(&s.names, lang, &s.id).to_string()).collect())
        .unwrap_or_default();
    match lang {
        Lang::Zh => format!("請問{product}要{}？", lang.or_list(&sizes)),
        Lang::En => format!("What size for the {product}: {}?", lang.or_list(&sizes)),
    }
}

pub fn ask_option(lang: Lang, catalog: &Catalog, line: &Line, group_id: &str) -> String {
    let product = product_name(catalog, lang, &line.product_id);
    let Some(group) = catalog.group(group_id) else {
        return ask_order(lang, false);
    };
    let group_name = name_in(&group.names, lang, &group.id);
    let choices: Vec<String> = group.choices.iter().map(|c| name_in(&c.names, lang, &c.id).to_string()).collect();
    match lang {
        Lang::Zh => format!("請問{product}的{group_name}要{}？", lang.or_list(&choices)),
        Lang::En => format!("How would you like the {group_name} in your {product}: {}?", lang.or_list(&choices)),
    }
}

pub fn ask_name(lang: Lang) -> String {
    lang.pick("請問怎麼稱呼您？", "May I have your name, please?").into()
}

/// The surname was misheard twice: which character is it?
pub fn ask_name_character(lang: Lang) -> String {
    lang.pick(
        "不好意思，我可能聽錯了。請問您貴姓，是哪個字呢？例如木子李、耳東陳。",
        "Sorry, I may have misheard. Could you say your name once more?",
    )
    .into()
}

pub fn ask_phone_default(lang: Lang, caller: &str) -> String {
    let phone = format_phone(caller);
    match lang {
        Lang::Zh => format!("聯絡電話是打來的這支電話 {phone} 嗎？"),
        Lang::En => format!("Should we use the number you're calling from, {phone}?"),
    }
}

/// The caller is giving a phone number in pieces.
pub fn go_on(lang: Lang) -> String {
    lang.pick("好，請繼續。", "OK, go on.").into()
}

/// The number heard has a digit too few or too many for its kind: say what was heard, ask again.
/// `keypad`: offer the keypad too.
pub fn phone_again(lang: Lang, heard: &str, length: PhoneLength, keypad: bool) -> String {
    let (zh, en) = match length {
        PhoneLength::Long(n) => (format!("多了{n}碼"), format!("{n} digit{} too many", if n == 1 { "" } else { "s" })),
        PhoneLength::Short(n) => (format!("少了{n}碼"), format!("{n} digit{} short", if n == 1 { "" } else { "s" })),
        PhoneLength::NoSuchPrefix => ("不是完整的號碼".to_string(), "incomplete".to_string()),
        PhoneLength::Whole => (String::new(), String::new()),
    };
    match (lang, keypad) {
        (Lang::Zh, false) => format!("抱歉，我聽到的是 {heard}，好像{zh}。請再說一次完整的電話號碼。"),
        (Lang::Zh, true) => {
            format!("抱歉，我聽到的是 {heard}，好像{zh}。請再說一次完整的電話號碼，或用按鍵輸入，再按井字鍵。")
        }
        (Lang::En, false) => {
            format!("Sorry, I heard {heard}, which looks {en}. Please say the whole phone number again.")
        }
        (Lang::En, true) => format!(
            "Sorry, I heard {heard}, which looks {en}. Please say the whole phone number again, or type it on the keypad and press hash."
        ),
    }
}

pub fn ask_phone(lang: Lang) -> String {
    lang.pick("請告訴我您的聯絡電話。", "What's your phone number?").into()
}

pub fn ask_fulfilment(lang: Lang) -> String {
    lang.pick("請問要外送還是自取？", "Is this for delivery or pickup?").into()
}

pub fn ask_address_confirm(lang: Lang, address: &str) -> String {
    match lang {
        Lang::Zh => format!("請問一樣送到{address}嗎？"),
        Lang::En => format!("Shall we deliver to {address} as before?"),
    }
}

pub fn ask_address(lang: Lang) -> String {
    lang.pick("請問外送地址是哪裡？", "What's the delivery address?").into()
}

pub fn ask_change(lang: Lang) -> String {
    lang.pick("請問要修改什麼呢？", "What would you like to change?").into()
}

pub fn which_drink(lang: Lang) -> String {
    lang.pick("請告訴我要改哪一杯，並說出飲料名稱。", "Which drink should I change? Please say its name too.").into()
}

/// The full order read back, ending with the confirmation question.
pub fn readback(lang: Lang, catalog: &Catalog, draft: &Draft) -> String {
    let items = describe_lines(lang, catalog, &draft.lines);
    let total = lang.money(draft.total(catalog), &catalog.currency);
    let name = draft.name.as_deref().unwrap_or_default();
    let phone = draft.phone.as_deref().map(format_phone).unwrap_or_default();
    let address = draft.address.as_deref().unwrap_or_default();
    match lang {
        Lang::Zh => {
            let fulfilment = match draft.fulfilment {
                Some(Fulfilment::Delivery) => format!("外送到{address}"),
                _ => "自取".to_string(),
            };
            format!("跟您確認訂單：{items}。{fulfilment}，{name}，電話{phone}。總共{total}，請問正確嗎？")
        }
        Lang::En => {
            let fulfilment = match draft.fulfilment {
                Some(Fulfilment::Delivery) => format!("Delivery to {address}"),
                _ => "Pickup".to_string(),
            };
            format!(
                "Let me read back your order: {items}. {fulfilment}, for {name}, phone {phone}. The total is {total}. Is that correct?"
            )
        }
    }
}

pub fn placed(lang: Lang, number: u64, total: u32, currency: &str, fulfilment: Fulfilment) -> String {
    let total = lang.money(total, currency);
    match (lang, fulfilment) {
        (Lang::Zh, Fulfilment::Delivery) => {
            format!("訂單成立！您的訂單編號是{number}，總共{total}。我們會盡快為您送達。謝謝您的訂購，再見！")
        }
        (Lang::Zh, Fulfilment::Pickup) => {
            format!("訂單成立！您的訂單編號是{number}，總共{total}。飲料做好後就可以來店裡取。謝謝您的訂購，再見！")
        }
        (Lang::En, Fulfilment::Delivery) => format!(
            "Your order is placed! Order number {number}, total {total}. We'll deliver it as soon as we can. Thank you, goodbye!"
        ),
        (Lang::En, Fulfilment::Pickup) => format!(
            "Your order is placed! Order number {number}, total {total}. You can pick it up at the shop when it's ready. Thank you, goodbye!"
        ),
    }
}

pub fn order_failed(lang: Lang) -> String {
    lang.pick(
        "很抱歉，訂單系統暫時出了問題，我幫您轉接專人處理，請稍候。",
        "Sorry, our order system has a problem right now. Let me transfer you to a staff member. Please hold.",
    )
    .into()
}

pub fn system_unavailable(lang: Lang) -> String {
    lang.pick(
        "很抱歉，目前暫時無法點餐，我幫您轉接專人，請稍候。",
        "Sorry, I can't take orders right now. Let me transfer you to a staff member. Please hold.",
    )
    .into()
}

pub fn cancelled(lang: Lang) -> String {
    lang.pick(
        "好的，已經取消這次的訂單。謝謝您的來電，再見！",
        "OK, I've cancelled this order. Thanks for calling, goodbye!",
    )
    .into()
}

pub fn goodbye(lang: Lang) -> String {
    lang.pick("好的，謝謝您的來電，再見！", "OK, thanks for calling. Goodbye!").into()
}

pub fn transferring(lang: Lang) -> String {
    lang.pick("好的，現在為您轉接專人，請稍候。", "Sure, I'm transferring you to a staff member. Please hold.").into()
}

/// Offer a person, saying why: the request was understood by its meaning, so ask first.
pub fn offer_person(lang: Lang, reason: &str) -> String {
    match reason {
        "complaint" => lang.pick(
            "聽起來您對我們的飲料或服務不太滿意，很抱歉。需要幫您轉給專人處理嗎？",
            "It sounds like something wasn't right, and I'm sorry. Would you like me to put you through to a colleague?",
        ),
        "return-exchange" => lang.pick(
            "聽起來您的訂單有問題，需要退換。要幫您轉給專人處理嗎？",
            "It sounds like something is wrong with your order. Shall I put you through to a colleague who handles returns?",
        ),
        _ => lang.pick("您想跟專人說話嗎？", "Would you like to speak to a member of staff?"),
    }
    .into()
}

/// A complaint, a return or an exchange goes to a person, with the reason.
pub fn transferring_after_sales(lang: Lang, complaint: bool) -> String {
    match complaint {
        true => lang.pick(
            "很抱歉造成您的不便，我馬上為您轉接專人處理，請稍候。",
            "I'm sorry about that. Let me put you through to a colleague who can sort it out. Please hold.",
        ),
        false => lang.pick(
            "好的，退換貨由專人為您處理，現在為您轉接，請稍候。",
            "Of course. A colleague handles returns and exchanges; I'm transferring you now. Please hold.",
        ),
    }
    .into()
}

pub fn transferring_not_understood(lang: Lang) -> String {
    lang.pick(
        "不好意思，我還是不太明白，現在為您轉接專人，請稍候。",
        "Sorry, I'm still not sure I understand. Let me transfer you to a staff member. Please hold.",
    )
    .into()
}

pub fn no_agent(lang: Lang) -> String {
    lang.pick(
        "很抱歉，目前沒有專人可以接聽，我們繼續為您服務。",
        "Sorry, no one is available right now. Let's continue. ",
    )
    .into()
}

pub fn not_understood(lang: Lang) -> String {
    lang.pick("不好意思，我沒有聽懂。", "Sorry, I didn't catch that. ").into()
}

pub fn agent_hint(lang: Lang) -> String {
    lang.pick("需要專人服務請說「轉人工」或按0。", " To talk to a person, say agent or press 0.").into()
}

pub fn no_input(lang: Lang) -> String {
    lang.pick("不好意思，我沒有聽到您的聲音。", "Sorry, I didn't hear anything. ").into()
}

pub fn no_input_goodbye(lang: Lang) -> String {
    lang.pick(
        "我們好像聽不到您的聲音，先掛斷了，歡迎再來電，再見。",
        "I still can't hear you, so I'll hang up now. Please call again. Goodbye.",
    )
    .into()
}

fn status_words(lang: Lang, status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Received => lang.pick("已收到", "received"),
        OrderStatus::Preparing => lang.pick("製作中", "being prepared"),
        OrderStatus::Ready => lang.pick("已經做好，可以取餐", "ready"),
        OrderStatus::OutForDelivery => lang.pick("外送中", "out for delivery"),
        OrderStatus::Completed => lang.pick("已完成", "completed"),
        OrderStatus::Cancelled => lang.pick("已取消", "cancelled"),
    }
}

pub fn order_status(lang: Lang, number: u64, status: OrderStatus, total: u32, currency: &str) -> String {
    let words = status_words(lang, status);
    let total = lang.money(total, currency);
    match lang {
        Lang::Zh => format!("您最近一筆訂單編號{number}，目前{words}，總共{total}。"),
        Lang::En => {
            format!("Your latest order, number {number}, is {words}. The total is {total}. ")
        }
    }
}

pub fn no_orders(lang: Lang) -> String {
    lang.pick("查不到這支電話的訂單紀錄。", "I couldn't find any orders for this number. ").into()
}

pub fn status_unavailable(lang: Lang) -> String {
    lang.pick(
        "抱歉，目前查不到訂單資料，請稍後再試。",
        "Sorry, I can't look up orders right now. Please try again later. ",
    )
    .into()
}

pub fn menu(lang: Lang, catalog: &Catalog) -> String {
    let products: Vec<String> = catalog.products.iter().map(|p| name_in(&p.names, lang, &p.id).to_string()).collect();
    let mut sizes: Vec<String> = Vec::new();
    for size in catalog.products.iter().flat_map(|p| &p.sizes) {
        let name = name_in(&size.names, lang, &size.id).to_string();
        if !sizes.contains(&name) {
            sizes.push(name);
        }
    }
    match lang {
        Lang::Zh => format!("我們有{}，有{}。", lang.and_list(&products), lang.and_list(&sizes)),
        Lang::En => format!("We have {}, in {}. ", lang.and_list(&products), lang.or_list(&sizes)),
    }
}

/// Prices of the products the caller asked about: 「珍珠奶茶中杯50元、大杯60元。」
pub fn prices(lang: Lang, catalog: &Catalog, product_ids: &[String]) -> String {
    let mut sentences = Vec::new();
    for id in product_ids {
        let Some(product) = catalog.product(id) else {
            continue;
        };
        let name = name_in(&product.names, lang, &product.id);
        let each: Vec<String> = product
            .sizes
            .iter()
            .map(|s| {
                let size = name_in(&s.names, lang, &s.id);
                let price = lang.money(s.price, &catalog.currency);
                match lang {
                    Lang::Zh => format!("{size}{price}"),
                    Lang::En => format!("{size} {price}"),
                }
            })
            .collect();
        sentences.push(match lang {
            Lang::Zh => format!("{name}{}。", each.join("、")),
            Lang::En => format!("{}: {}. ", capitalize(name), each.join(", ")),
        });
    }
    sentences.concat()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What the agent sees before taking the call; written in the tenant's language.
pub struct Summary<'a> {
    pub caller: &'a str,
    pub customer_name: Option<&'a str>,
    pub caller_lang: Lang,
    pub draft: &'a Draft,
    pub last_said: &'a str,
}

pub fn transfer_summary(lang: Lang, catalog: Option<&Catalog>, s: &Summary<'_>) -> String {
    let caller = if s.caller.is_empty() {
        lang.pick("未顯示號碼", "withheld number").to_string()
    } else {
        format_phone(s.caller)
    };
    let mut parts = Vec::new();
    parts.push(match (lang, s.customer_name) {
        (Lang::Zh, Some(name)) => format!("來電{caller}（{name}）"),
        (Lang::Zh, None) => format!("來電{caller}"),
        (Lang::En, Some(name)) => format!("Caller {caller} ({name})"),
        (Lang::En, None) => format!("Caller {caller}"),
    });
    parts.push(match (lang, s.caller_lang) {
        (Lang::Zh, Lang::Zh) => "說中文".to_string(),
        (Lang::Zh, Lang::En) => "說英文".to_string(),
        (Lang::En, Lang::Zh) => "speaks Chinese".to_string(),
        (Lang::En, Lang::En) => "speaks English".to_string(),
    });
    if let (Some(catalog), false) = (catalog, s.draft.lines.is_empty()) {
        let items = describe_lines(lang, catalog, &s.draft.lines);
        parts.push(format!("{}{items}", lang.pick("點餐：", "Items: ")));
    }
    match s.draft.fulfilment {
        Some(Fulfilment::Delivery) => {
            let address = s.draft.address.as_deref().unwrap_or(lang.pick("地址未提供", "address not given"));
            parts.push(format!("{}{address}", lang.pick("外送到", "Delivery to ")));
        }
        Some(Fulfilment::Pickup) => parts.push(lang.pick("自取", "Pickup").to_string()),
        None => {}
    }
    if !s.last_said.is_empty() {
        let last: String = s.last_said.chars().take(200).collect();
        parts.push(match lang {
            Lang::Zh => format!("最後說：「{last}」"),
            Lang::En => format!("Last said: \"{last}\""),
        });
    }
    let text = parts.join(lang.pick("。", ". "));
    format!("{text}{}", lang.pick("。", "."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_understand::fixtures::demo;

    fn line(product: &str, quantity: u32, size: &str, options: &[(&str, &str)]) -> Line {
        Line {
            product_id: product.into(),
            quantity,
            size: Some(size.into()),
            options: options.iter().map(|(g, c)| (g.to_string(), c.to_string())).collect(),
        }
    }

    #[test]
    fn describes_lines_in_both_languages() {
        let catalog = demo();
        let l = line("bubble-milk-tea", 2, "L", &[("sugar", "half"), ("ice", "less")]);
        assert_eq!(describe_line(Lang::Zh, &catalog, &l), "大杯珍珠奶茶2杯，半糖、少冰");
        assert_eq!(describe_line(Lang::En, &catalog, &l), "2 large bubble milk teas, half sugar, less ice");
    }

    #[test]
    fn questions_come_from_the_catalogue() {
        let catalog = demo();
        let l = line("mango-smoothie", 1, "M", &[]);
        assert_eq!(ask_size(Lang::Zh, &catalog, &l), "請問芒果冰沙要中杯還是大杯？");
        assert_eq!(ask_option(Lang::Zh, &catalog, &l, "sugar"), "請問芒果冰沙的甜度要全糖、半糖、微糖還是無糖？");
        assert_eq!(
            ask_option(Lang::En, &catalog, &l, "ice"),
            "How would you like the ice in your mango smoothie: regular ice, less ice or no ice?"
        );
    }

    #[test]
    fn reads_back_with_total() {
        let catalog = demo();
        let draft = Draft {
            lines: vec![line("black-tea", 1, "M", &[("sugar", "none"), ("ice", "none")])],
            name: Some("王小明".into()),
            phone: Some("+886912345678".into()),
            fulfilment: Some(Fulfilment::Pickup),
            address: None,
        };
        assert_eq!(
            readback(Lang::Zh, &catalog, &draft),
            "跟您確認訂單：中杯紅茶1杯，無糖、去冰。自取，王小明，電話0912-345-678。總共30元，請問正確嗎？"
        );
    }

    #[test]
    fn prices_and_menu() {
        let catalog = demo();
        assert_eq!(prices(Lang::Zh, &catalog, &["bubble-milk-tea".into()]), "珍珠奶茶中杯50元、大杯60元。");
        assert_eq!(prices(Lang::En, &catalog, &["black-tea".into()]), "Black tea: medium NT$30, large NT$35. ");
        assert!(menu(Lang::Zh, &catalog).starts_with("我們有珍珠奶茶、紅茶、綠茶、烏龍茶和芒果冰沙"));
    }
}

// ----- after the sale -----

fn order_items(lang: Lang, order: &PlacedOrder) -> String {
    let items: Vec<String> = order
        .items
        .iter()
        .map(|(q, name)| match lang {
            Lang::Zh => format!("{q}杯{name}"),
            Lang::En => format!("{q} {}", plural(name, *q)),
        })
        .collect();
    lang.and_list(&items)
}

fn kind_words(lang: Lang, kind: TicketKind) -> &'static str {
    match kind {
        TicketKind::Return => lang.pick("退貨", "return"),
        TicketKind::Exchange => lang.pick("換貨", "exchange"),
        TicketKind::Complaint => lang.pick("客訴", "complaint"),
        TicketKind::Inquiry => lang.pick("詢問", "inquiry"),
    }
}

pub fn case_opening(lang: Lang, kind: TicketKind) -> String {
    match kind {
        TicketKind::Complaint => lang.pick("很抱歉造成您的不便，我來幫您登記。", "I'm sorry about that. Let me write it down for you. "),
        _ => lang.pick("好的，我來幫您登記退換貨。", "Of course, let me set up the return for you. "),
    }
    .into()
}

pub fn confirm_case_order(lang: Lang, order: &PlacedOrder) -> String {
    let items = order_items(lang, order);
    match lang {
        Lang::Zh => format!("請問是訂單編號{}，{}這一筆嗎？", order.number, items),
        Lang::En => format!("Is it about order number {}, {}?", order.number, items),
    }
}

pub fn which_case_order(lang: Lang, orders: &[PlacedOrder]) -> String {
    let listed: Vec<String> = orders
        .iter()
        .map(|o| match lang {
            Lang::Zh => format!("編號{}，{}", o.number, order_items(lang, o)),
            Lang::En => format!("number {}, {}", o.number, order_items(lang, o)),
        })
        .collect();
    match lang {
        Lang::Zh => format!("您最近的訂單有：{}。請問是哪一筆？", listed.join("；")),
        Lang::En => format!("Your recent orders are {}. Which one is it about?", listed.join("; ")),
    }
}

pub fn ask_what_happened(lang: Lang) -> String {
    lang.pick("請告訴我發生了什麼事。", "Please tell me what happened.").into()
}

pub fn ticket_opened(lang: Lang, t: &Ticket) -> String {
    let kind = kind_words(lang, t.kind);
    let about = match (lang, t.order_number) {
        (Lang::Zh, Some(n)) => format!("訂單{n}的"),
        (Lang::En, Some(n)) => format!(" about order {n}"),
        _ => String::new(),
    };
    match lang {
        Lang::Zh => format!(
            "已經幫您登記{about}{kind}，案件編號是{}。我們會在{}小時內處理並回覆您。",
            t.number, t.due_in_hours
        ),
        Lang::En => format!(
            "I've recorded your {kind}{about}. Your reference number is {}. We'll get back to you within {} hours. ",
            t.number, t.due_in_hours
        ),
    }
}

pub fn offer_person_for_ticket(lang: Lang) -> String {
    lang.pick("這類案件由專人處理，需要現在幫您轉接嗎？", "A colleague handles cases like this. Shall I put you through now?").into()
}

pub fn anything_else(lang: Lang) -> String {
    lang.pick("還有其他需要幫忙的嗎？", "Is there anything else I can help with?").into()
}

fn ticket_status_words(lang: Lang, status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Open => lang.pick("已受理，等待處理", "open and waiting to be handled"),
        TicketStatus::InProgress => lang.pick("處理中", "being handled"),
        TicketStatus::Resolved => lang.pick("已處理完成", "resolved"),
        TicketStatus::Closed => lang.pick("已結案", "closed"),
    }
}

pub fn ticket_status(lang: Lang, t: &Ticket) -> String {
    let (kind, status) = (kind_words(lang, t.kind), ticket_status_words(lang, t.status));
    match lang {
        Lang::Zh => format!("您的{kind}案件編號{}，目前{status}。", t.number),
        Lang::En => format!("Your {kind}, reference {}, is {status}. ", t.number),
    }
}

pub fn no_tickets(lang: Lang) -> String {
    lang.pick("查不到這支電話的案件紀錄。", "I couldn't find any cases for this number. ").into()
}

// ----- calls the shop places -----

pub fn survey_greeting(lang: Lang, name: Option<&str>) -> String {
    let rating = ask_rating(lang);
    match (lang, name) {
        (Lang::Zh, Some(n)) => format!("{n}您好，這裡是{SHOP_ZH}，想請您花一分鐘為最近一次的訂購評分。{rating}"),
        (Lang::Zh, None) => format!("您好，這裡是{SHOP_ZH}，想請您花一分鐘為最近一次的訂購評分。{rating}"),
        (Lang::En, Some(n)) => format!("Hello {n}, this is {SHOP_EN}. Could you rate your last order? It takes a minute. {rating}"),
        (Lang::En, None) => format!("Hello, this is {SHOP_EN}. Could you rate your last order? It takes a minute. {rating}"),
    }
}

pub fn ask_rating(lang: Lang) -> String {
    lang.pick(
        "從1到5分，5分是非常滿意，請說出分數，或按電話上的數字鍵。",
        "From 1 to 5, 5 being very satisfied, say a number or press it on your keypad.",
    )
    .into()
}

pub fn ask_comment(lang: Lang) -> String {
    lang.pick("謝謝！有沒有什麼想對我們說的建議？", "Thank you! Is there anything you'd like to tell us?").into()
}

pub fn survey_thanks(lang: Lang) -> String {
    lang.pick("謝謝您寶貴的意見，祝您有美好的一天，再見。", "Thank you for your feedback. Have a nice day. Goodbye.").into()
}

pub fn order_update(lang: Lang, name: Option<&str>, order: &PlacedOrder) -> String {
    let words = status_words(lang, order.status);
    match (lang, name) {
        (Lang::Zh, Some(n)) => format!("{n}您好，這裡是{SHOP_ZH}。您的訂單編號{}目前{words}。", order.number),
        (Lang::Zh, None) => format!("您好，這裡是{SHOP_ZH}。您的訂單編號{}目前{words}。", order.number),
        (Lang::En, Some(n)) => format!("Hello {n}, this is {SHOP_EN}. Your order number {} is {words}. ", order.number),
        (Lang::En, None) => format!("Hello, this is {SHOP_EN}. Your order number {} is {words}. ", order.number),
    }
}

pub fn follow_up_greeting(lang: Lang, name: Option<&str>) -> String {
    match (lang, name) {
        (Lang::Zh, Some(n)) => format!("{n}您好，這裡是{SHOP_ZH}，想關心一下您最近的訂單。請問有什麼需要幫忙的嗎？"),
        (Lang::Zh, None) => format!("您好，這裡是{SHOP_ZH}，想關心一下您最近的訂單。請問有什麼需要幫忙的嗎？"),
        (Lang::En, Some(n)) => format!("Hello {n}, this is {SHOP_EN}, following up on your recent order. How can I help?"),
        (Lang::En, None) => format!("Hello, this is {SHOP_EN}, following up on your recent order. How can I help?"),
    }
}

pub fn will_not_call(lang: Lang) -> String {
    lang.pick("好的，我們以後不會再打電話給您。打擾了，再見。", "Understood. We won't call you again. Sorry to have bothered you. Goodbye.")
        .into()
}

pub fn ask_callback_time(lang: Lang) -> String {
    lang.pick("請問幾點方便回電給您？", "What time should we call you back?").into()
}

pub fn callback_booked(lang: Lang, when: &str) -> String {
    match lang {
        Lang::Zh => format!("好的，我們會在{when}回電給您，再見。"),
        Lang::En => format!("All right, we'll call you back at {when}. Goodbye."),
    }
}

pub fn callback_note(lang: Lang, said: &str) -> String {
    match lang {
        Lang::Zh => format!("客人要求回電：「{said}」"),
        Lang::En => format!("The customer asked to be called back: \"{said}\""),
    }
}
