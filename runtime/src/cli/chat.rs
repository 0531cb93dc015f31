//! `switchboard chat`: a terminal conversation with a flow. Through a server
//! (the WebSocket text session), or locally with a `.wasm` file on a scratch
//! data directory seeded with the demo catalogue and FAQ. Either way the same
//! call session code runs as for a phone call.
//!
//! Type what the caller says. `/dtmf 1`, `/silence` (no input) and `/quit` do what they say.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};

use super::ServerArgs;
use super::remote::Client;
use crate::app::App;
use crate::call::{CallSession, CallSetup, CallerInput, Turn};
use crate::storage::calls::{Channel, Direction};
use crate::storage::tenants::TenantPatch;

#[derive(Args)]
pub struct ChatArgs {
    /// Run this flow component locally instead of talking to a server.
    #[arg(long)]
    wasm: Option<PathBuf>,
    /// The caller's number (caller ID).
    #[arg(long, default_value = "+886912345678")]
    caller: String,
    /// Tenant id (defaults to the key's own tenant).
    #[arg(long)]
    tenant: Option<String>,
    #[command(flatten)]
    server: ServerArgs,
}

/// One line typed by the user, as a caller input (None: quit).
fn parse_line(line: &str) -> Option<Option<CallerInput>> {
    let line = line.trim();
    if line.is_empty() {
        return Some(None);
    }
    if line == "/quit" || line == "/exit" {
        return None;
    }
    if let Some(d) = line.strip_prefix("/dtmf") {
        return Some(Some(CallerInput::Dtmf { dtmf: d.trim().to_string() }));
    }
    if line == "/silence" {
        return Some(Some(CallerInput::NoInput { no_input: true }));
    }
    Some(Some(CallerInput::Speech { text: line.to_string(), confidence: None, language: None }))
}

fn print_turn(turn: &Value) {
    for r in turn["replies"].as_array().into_iter().flatten() {
        println!("bot> {}", r["text"].as_str().unwrap_or_default());
    }
    for a in turn["actions"].as_array().into_iter().flatten() {
        match a["type"].as_str() {
            Some("transfer") => println!(
                "     [transfer: {} — {}]",
                a["reason"].as_str().unwrap_or_default(),
                a["summary"].as_str().unwrap_or_default()
            ),
            Some("hangup") => println!("     [hang up]"),
            _ => {}
        }
    }
    if let Some(outcome) = turn["ended"].as_str() {
        println!("     [call ended: {outcome}]");
    }
}

fn prompt() -> Option<String> {
    print!("you> ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line),
    }
}

pub fn run(args: ChatArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match args.wasm.clone() {
        Some(wasm) => runtime.block_on(local(args, wasm)),
        None => runtime.block_on(remote(args)),
    }
}

async fn local(args: ChatArgs, wasm: PathBuf) -> anyhow::Result<()> {
    let bytes = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let scratch = std::env::temp_dir().join(crate::ids::new_id("switchboard-chat"));
    let app = App::open(&scratch)?;
    let tenant = app.db.create_tenant("local chat", TenantPatch::default())?;
    crate::demo::seed_data(&app, &tenant.id)?;
    let version = app.flows.upload(&tenant.id, bytes).await?;
    app.flows.activate(&tenant.id, version.version).await?;
    println!("local call to {} (scratch data in {})", wasm.display(), scratch.display());
    let setup = CallSetup {
        tenant,
        caller: args.caller,
        callee: String::new(),
        channel: Channel::Simulated,
        direction: Direction::Inbound,
        flow_input: String::new(),
    };
    let (mut session, greeting) = CallSession::start(app.clone(), setup).await;
    let show = |t: &Turn| print_turn(&serde_json::to_value(t).unwrap_or_default());
    show(&greeting);
    while !session.is_ended() {
        let Some(line) = tokio::task::spawn_blocking(prompt).await? else { break };
        match parse_line(&line) {
            None => break,
            Some(None) => continue,
            Some(Some(input)) => show(&session.input(input).await),
        }
    }
    if !session.is_ended() {
        session.caller_hung_up().await;
    }
    for id in &session.record.order_ids {
        let order = app.db.order(&session.record.tenant_id, id)?;
        println!("order #{} stored: {} {} total", order.number, order.total, order.currency);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

async fn remote(args: ChatArgs) -> anyhow::Result<()> {
    let client = Client::new(&args.server)?;
    let tenant = tokio::task::block_in_place(|| client.tenant(args.tenant.clone()))?;
    let ws_base = client.base().replacen("http", "ws", 1);
    let url = format!("{ws_base}/v1/tenants/{tenant}/calls/session?caller={}", args.caller.replace('+', "%2B"));
    let mut request = url.as_str().into_client_request()?;
    request.headers_mut().insert("Authorization", HeaderValue::from_str(&format!("Bearer {}", client.key()))?);
    let (mut socket, _) =
        tokio_tungstenite::connect_async(request).await.with_context(|| format!("connecting to {url}"))?;
    loop {
        let Some(msg) = socket.next().await else { break };
        let text = match msg? {
            Message::Text(t) => t,
            Message::Close(_) => break,
            _ => continue,
        };
        let turn: Value = serde_json::from_str(&text)?;
        print_turn(&turn);
        if turn["ended"].is_string() {
            break;
        }
        let input = loop {
            let Some(line) = tokio::task::spawn_blocking(prompt).await? else { return Ok(()) };
            match parse_line(&line) {
                None => {
                    let _ = socket.close(None).await;
                    return Ok(());
                }
                Some(None) => continue,
                Some(Some(input)) => break input,
            }
        };
        socket.send(Message::Text(json!(input).to_string().into())).await?;
    }
    Ok(())
}
