//! The `switchboard` command: `serve`, `chat`, and `tenants`/`flows` commands
//! that talk to a running server.

pub mod chat;
mod remote;
mod serve;
mod speech;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "switchboard", version, about = "Multi-tenant phone-bot runtime: calls, speech, sandboxed WASM flows")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (API, calls). Creates a demo tenant on first start.
    Serve(serve::ServeArgs),
    /// Talk to a tenant's flow in the terminal: through a server, or directly with a .wasm file.
    Chat(chat::ChatArgs),
    /// Transcribe a WAV file with the local speech recogniser.
    Transcribe(speech::TranscribeArgs),
    /// Speak text into a WAV file with the local voices.
    Say(speech::SayArgs),
    /// Manage tenants on a running server (needs the admin token).
    Tenants {
        #[command(subcommand)]
        command: remote::TenantCommand,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Deploy, list and activate flow versions on a running server.
    Flows {
        #[command(subcommand)]
        command: remote::FlowCommand,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Past calls kept as test cases, replayed against a flow version before it goes live.
    Cases {
        #[command(subcommand)]
        command: remote::CaseCommand,
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// How to reach a running server.
#[derive(Args, Clone)]
pub struct ServerArgs {
    /// Base URL of the server.
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8080", global = true)]
    pub server: String,
    /// API key or admin token. Defaults to $SWITCHBOARD_KEY, then $SWITCHBOARD_ADMIN_TOKEN,
    /// then the admin token in the data directory.
    #[arg(long, env = "SWITCHBOARD_KEY", hide_env_values = true, global = true)]
    pub key: Option<String>,
    /// Data directory to read the admin token from when no key is given.
    #[arg(long, default_value = "./data", global = true)]
    pub data_dir: PathBuf,
}

impl ServerArgs {
    pub fn key(&self) -> anyhow::Result<String> {
        if let Some(k) = &self.key {
            return Ok(k.clone());
        }
        if let Ok(k) = std::env::var("SWITCHBOARD_ADMIN_TOKEN")
            && !k.is_empty()
        {
            return Ok(k);
        }
        let path = self.data_dir.join("admin_token");
        std::fs::read_to_string(&path).map(|s| s.trim().to_string()).map_err(|_| {
            anyhow::anyhow!(
                "no API key: pass --key, set SWITCHBOARD_KEY or SWITCHBOARD_ADMIN_TOKEN, or run from the directory holding {}",
                path.display()
            )
        })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Chat(args) => chat::run(args),
        Command::Transcribe(args) => speech::transcribe(args),
        Command::Say(args) => speech::say(args),
        Command::Tenants { command, server } => remote::tenants(command, &server),
        Command::Flows { command, server } => remote::flows(command, &server),
        Command::Cases { command, server } => remote::cases(command, &server),
    }
}

/// Logs to stderr; `RUST_LOG` filters (default: info for switchboard, warn elsewhere).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,switchboard=info"));
    // Colours only for a terminal: log files stay greppable.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).try_init();
}
