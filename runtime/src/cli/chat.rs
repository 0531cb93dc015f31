//! `switchboard chat`: a terminal conversation with a flow. Through a server
//! (the WebSocket text session), or locally with a `.wasm` file on a scratch
//! data directory seeded with the demo catalogue and FAQ. Either way the same
//! call session code runs as for a phone call.
//!
//! Type what the caller says. `/dtmf 1`, `/silence` (no input) and `/quit` do what they say.
//!
//! Voice mode (`--voice caller.wav --out bot.wav`) plays a recording as the
//! caller through VAD, speech recognition, the flow and speech synthesis (the
//! voice-call code every audio channel uses) and writes the bot's side.

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
use crate::domain::tenants::TenantPatch;

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
    /// Voice mode: play this WAV as the caller (locally, with the demo tenant's data
    /// and the --wasm flow or the embedded tea-shop flow).
    #[arg(long)]
    voice: Option<PathBuf>,
    /// Voice mode: where to write the bot's audio.
    #[arg(long, default_value = "bot.wav")]
    out: PathBuf,
    /// Voice mode: the recogniser (base: Mandarin and English; tiny-en: English, faster).
    #[arg(long, default_value = "base")]
    asr: String,
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
    match (args.voice.clone(), args.wasm.clone()) {
        (Some(voice_file), _) => runtime.block_on(voice(args, voice_file)),
        (None, Some(wasm)) => runtime.block_on(local(args, wasm)),
        (None, None) => runtime.block_on(remote(args)),
    }
}

/// A scratch Switchboard with one tenant seeded like the demo, running `flow`.
/// A throw-away data directory with the demo tenant's data and `flow` active (local calls, benchmarks).
pub async fn scratch_tenant(
    flow: Vec<u8>,
) -> anyhow::Result<(std::sync::Arc<App>, crate::domain::tenants::Tenant, PathBuf)> {
    let scratch = std::env::temp_dir().join(crate::domain::ids::new_id("switchboard-chat"));
    let app = App::open(&scratch)?;
    let tenant = app.db.create_tenant("local chat", TenantPatch::default()).await?;
    crate::demo::seed_data(&app, &tenant.id).await?;
    let version = app.flows.upload(&tenant.id, flow).await?;
    app.flows.activate(&tenant.id, version.version).await?;
    Ok((app, tenant, scratch))
}

async fn print_orders(app: &App, record: &crate::domain::calls::CallRecord) -> anyhow::Result<()> {
    for id in &record.order_ids {
        let order = app.db.order(&record.tenant_id, id).await?;
        println!("order #{} stored: {} {} total", order.number, order.total, order.currency);
    }
    Ok(())
}

async fn voice(args: ChatArgs, caller: PathBuf) -> anyhow::Result<()> {
    use crate::call::voice::{SpeechEngines, VoiceCall, VoiceEvent};
    use crate::speech::asr::WhisperSize;
    use crate::speech::audio::Audio;

    let flow = match &args.wasm {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        None => crate::demo::TEA_SHOP_FLOW.to_vec(),
    };
    let asr = WhisperSize::parse(&args.asr)?;
    let input = Audio::read_wav(&caller)?.resampled(16_000);
    let (app, tenant, scratch) = scratch_tenant(flow).await?;
    let engines = SpeechEngines::load(asr)?;
    let setup = CallSetup::inbound_text(tenant, args.caller, String::new());
    const OUT_RATE: u32 = 16_000;
    let (mut call, greeting) = VoiceCall::start(app.clone(), engines, setup, OUT_RATE).await;
    let mut bot: Vec<f32> = Vec::new();
    let mut show = |events: Vec<VoiceEvent>| {
        for e in events {
            match e {
                VoiceEvent::Heard(t) => println!(
                    "caller> {}   [{}, confidence {:.2}, {:.0} ms]",
                    t.text, t.language, t.confidence, t.total_ms
                ),
                VoiceEvent::Said { text, language, audio, .. } => match audio {
                    Some(a) => {
                        bot.extend(a.samples);
                        bot.extend(std::iter::repeat_n(0.0, OUT_RATE as usize / 3));
                        println!("bot> {text}");
                    }
                    None => println!("bot> {text}   [no voice for {language} yet: text only]"),
                },
                VoiceEvent::Ignored => println!("     [ignored a sound that was not a turn]"),
                VoiceEvent::SpeechStarted { .. } => {}
                VoiceEvent::TurnSpoken => {}
                VoiceEvent::Continued { audio, .. } => {
                    // Drop the pause the previous sentence's end added: the sentences run on.
                    bot.truncate(bot.len().saturating_sub(OUT_RATE as usize / 3));
                    bot.extend(audio.samples);
                    bot.extend(std::iter::repeat_n(0.0, OUT_RATE as usize / 3));
                }
                VoiceEvent::Transfer(h) => println!("     [transfer to {}: {}]", h.agent.uri, h.reason),
                VoiceEvent::Ended(outcome) => println!("     [call ended: {}]", outcome.as_str()),
            }
        }
    };
    show(greeting);
    // The recording, in 20 ms packets as a phone delivers them, then a little silence to end the last turn.
    let silence = vec![0.0f32; 2 * 16_000];
    for chunk in input.samples.chunks(320).chain(silence.chunks(320)) {
        if call.is_ended() {
            break;
        }
        show(call.push(chunk).await?);
    }
    if !call.is_ended() {
        show(call.hang_up().await);
    }
    Audio { rate: OUT_RATE, samples: bot }.write_wav(&args.out)?;
    println!("bot audio written to {}", args.out.display());
    print_orders(&app, &call.session.record).await?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

async fn local(args: ChatArgs, wasm: PathBuf) -> anyhow::Result<()> {
    let bytes = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let (app, tenant, scratch) = scratch_tenant(bytes).await?;
    println!("local call to {} (scratch data in {})", wasm.display(), scratch.display());
    let setup = CallSetup::inbound_text(tenant, args.caller, String::new());
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
    print_orders(&app, &session.record).await?;
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
