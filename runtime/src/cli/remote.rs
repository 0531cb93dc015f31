//! Commands against a running server over its HTTP API.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::{Value, json};

use super::ServerArgs;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; prints its id and first API key.
    Create {
        /// Display name.
        name: String,
        /// A phone number (E.164) routed to this tenant; repeatable.
        #[arg(long = "number")]
        numbers: Vec<String>,
        /// Default language of the bot.
        #[arg(long, default_value = "zh-TW")]
        language: String,
    },
    /// List tenants.
    List,
}

#[derive(Subcommand)]
pub enum FlowCommand {
    /// Upload a flow component as the tenant's next version.
    Deploy {
        /// The component (.wasm built for wasm32-wasip2).
        file: PathBuf,
        /// Tenant id (defaults to the key's own tenant).
        #[arg(long)]
        tenant: Option<String>,
        /// Activate it straight away.
        #[arg(long)]
        activate: bool,
    },
    /// List a tenant's flow versions.
    List {
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Make a stored version active (also how to roll back).
    Activate {
        version: u32,
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Keep an ended call as a test case.
    Save {
        call_id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        tenant: Option<String>,
    },
    /// List the tenant's test cases.
    List {
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Replay every case against a version (the active one by default) and show what changed;
    /// exits with status 1 when a conversation changed.
    Replay {
        #[arg(long)]
        version: Option<u32>,
        #[arg(long)]
        tenant: Option<String>,
    },
}

pub struct Client {
    base: String,
    key: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(server: &ServerArgs) -> anyhow::Result<Client> {
        let config = ureq::Agent::config_builder().http_status_as_error(false).build();
        Ok(Client { base: server.server.trim_end_matches('/').to_string(), key: server.key()?, agent: config.into() })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    fn finish(mut resp: ureq::http::Response<ureq::Body>) -> anyhow::Result<Value> {
        let status = resp.status();
        let body: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
        if !status.is_success() {
            let msg = body["error"]["message"].as_str().unwrap_or("no message").to_string();
            bail!("server answered {status}: {msg}");
        }
        Ok(body)
    }

    pub fn get(&self, path: &str) -> anyhow::Result<Value> {
        let resp = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.key))
            .call()
            .with_context(|| format!("GET {}{path}", self.base))?;
        Self::finish(resp)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let resp = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.key))
            .send_json(body)
            .with_context(|| format!("POST {}{path}", self.base))?;
        Self::finish(resp)
    }

    pub fn post_bytes(&self, path: &str, bytes: &[u8]) -> anyhow::Result<Value> {
        let resp = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.key))
            .header("Content-Type", "application/wasm")
            .send(bytes)
            .with_context(|| format!("POST {}{path}", self.base))?;
        Self::finish(resp)
    }

    /// The tenant to act on: the one given, else the only one the key can see.
    pub fn tenant(&self, given: Option<String>) -> anyhow::Result<String> {
        if let Some(t) = given {
            return Ok(t);
        }
        let list = self.get("/v1/tenants")?;
        let tenants = list["tenants"].as_array().cloned().unwrap_or_default();
        match tenants.as_slice() {
            [one] => Ok(one["id"].as_str().unwrap_or_default().to_string()),
            [] => bail!("this key sees no tenant"),
            _ => bail!("this key sees {} tenants: pass --tenant ID", tenants.len()),
        }
    }
}

pub fn tenants(command: TenantCommand, server: &ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(server)?;
    match command {
        TenantCommand::Create { name, numbers, language } => {
            let v =
                client.post_json("/v1/tenants", &json!({ "name": name, "numbers": numbers, "language": language }))?;
            println!("tenant  {}", v["id"].as_str().unwrap_or_default());
            println!("api key {}   (shown once; keep it)", v["api_key"].as_str().unwrap_or_default());
        }
        TenantCommand::List => {
            for t in client.get("/v1/tenants")?["tenants"].as_array().cloned().unwrap_or_default() {
                println!(
                    "{}  {}  numbers={}  active_flow={}",
                    t["id"].as_str().unwrap_or_default(),
                    t["name"].as_str().unwrap_or_default(),
                    t["numbers"],
                    t["active_flow"]
                );
            }
        }
    }
    Ok(())
}

pub fn flows(command: FlowCommand, server: &ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(server)?;
    match command {
        FlowCommand::Deploy { file, tenant, activate } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let tenant = client.tenant(tenant)?;
            let v = client.post_bytes(&format!("/v1/tenants/{tenant}/flows?activate={activate}"), &bytes)?;
            println!(
                "stored version {} ({} bytes, sha256 {}){}",
                v["version"],
                v["size_bytes"],
                v["sha256"].as_str().unwrap_or_default(),
                if activate { ", now active" } else { "; activate it with `switchboard flows activate`" }
            );
        }
        FlowCommand::List { tenant } => {
            let tenant = client.tenant(tenant)?;
            let v = client.get(&format!("/v1/tenants/{tenant}/flows"))?;
            let active = v["active"].as_u64();
            for f in v["versions"].as_array().cloned().unwrap_or_default() {
                let marker = if f["version"].as_u64() == active { "*" } else { " " };
                println!(
                    "{marker} v{}  {} bytes  sha256 {}",
                    f["version"],
                    f["size_bytes"],
                    f["sha256"].as_str().unwrap_or_default()
                );
            }
        }
        FlowCommand::Activate { version, tenant } => {
            let tenant = client.tenant(tenant)?;
            client.post_json(&format!("/v1/tenants/{tenant}/flows/{version}/activate"), &json!({}))?;
            println!("version {version} is now active for new calls");
        }
    }
    Ok(())
}

/// A conversation's turns as lines: `> caller` then the bot's words.
fn conversation_lines(c: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for t in c["turns"].as_array().cloned().unwrap_or_default() {
        let said = &t["caller"];
        if let Some(text) = said["text"].as_str() {
            lines.push(format!("> {text}"));
        } else if let Some(keys) = said["dtmf"].as_str() {
            lines.push(format!("> [keys {keys}]"));
        } else if !said.is_null() {
            lines.push("> [silence]".into());
        }
        for b in t["bot"].as_array().cloned().unwrap_or_default() {
            lines.push(format!("  {}", b.as_str().unwrap_or_default()));
        }
    }
    lines.push(format!("  ({}; tags {})", c["outcome"].as_str().unwrap_or_default(), c["tags"]));
    lines
}

pub fn cases(command: CaseCommand, server: &ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(server)?;
    match command {
        CaseCommand::Save { call_id, name, tenant } => {
            let tenant = client.tenant(tenant)?;
            let c = client
                .post_json(&format!("/v1/tenants/{tenant}/cases"), &json!({ "call_id": call_id, "name": name }))?;
            println!("case {} saved: {}", c["id"].as_str().unwrap_or_default(), c["name"].as_str().unwrap_or_default());
        }
        CaseCommand::List { tenant } => {
            let tenant = client.tenant(tenant)?;
            let v = client.get(&format!("/v1/tenants/{tenant}/cases"))?;
            for c in v["cases"].as_array().cloned().unwrap_or_default() {
                let turns = c["expected"]["turns"].as_array().map_or(0, Vec::len);
                println!(
                    "{}  {}  ({} turns, {})",
                    c["id"].as_str().unwrap_or_default(),
                    c["name"].as_str().unwrap_or_default(),
                    turns,
                    c["expected"]["outcome"].as_str().unwrap_or_default()
                );
            }
        }
        CaseCommand::Replay { version, tenant } => {
            let tenant = client.tenant(tenant)?;
            let r = client.post_json(&format!("/v1/tenants/{tenant}/cases/replay"), &json!({ "version": version }))?;
            for res in r["results"].as_array().cloned().unwrap_or_default() {
                let mark = if res["changed"] == true { "CHANGED" } else { "same   " };
                println!("{mark}  {}", res["name"].as_str().unwrap_or_default());
                if res["changed"] == true {
                    let (old, new) = (conversation_lines(&res["expected"]), conversation_lines(&res["actual"]));
                    let width = old.iter().map(|l| l.chars().count()).max().unwrap_or(0).min(60);
                    for i in 0..old.len().max(new.len()) {
                        let (a, b) = (old.get(i).map_or("", String::as_str), new.get(i).map_or("", String::as_str));
                        let mark = if a == b { " " } else { "|" };
                        println!("    {a:<width$} {mark} {b}");
                    }
                }
            }
            println!("replayed against v{}: {} changed, {} the same", r["version"], r["changed"], r["unchanged"]);
            if r["changed"].as_u64().unwrap_or(0) > 0 {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}
