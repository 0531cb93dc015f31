//! The embedded demo tenant: 珍珍茶坊 Zhenzhen Tea House, a Taiwanese tea shop.
//! `switchboard serve` seeds it on first start (tenant, catalogue, FAQ, two
//! known customers, the tea-shop flow active, an API key).

use anyhow::Context;

use crate::app::App;
use crate::domain::api_keys::KeyKind;
use crate::domain::catalog::Catalog;
use crate::domain::customers::CustomerInput;
use crate::domain::desk::{DeskUserInput, Queue};
use crate::domain::faq::FaqInput;
use crate::domain::tenants::{Agent, TenantPatch};

pub use crate::domain::demo::{CATALOG_JSON, FAQ_JSON};
/// The tea-shop flow from `guest-examples/tea-shop`, built by `build.rs`.
pub const TEA_SHOP_FLOW: &[u8] = include_bytes!(concat!(env!("SWITCHBOARD_GUEST_DIR"), "/tea_shop.wasm"));
/// The echo flow from `guest-examples/echo`.
pub const ECHO_FLOW: &[u8] = include_bytes!(concat!(env!("SWITCHBOARD_GUEST_DIR"), "/echo.wasm"));

pub const DEMO_NUMBER: &str = "+886223456789";

/// What `serve` tells the user about the demo tenant.
pub struct DemoTenant {
    pub id: String,
    pub api_key: String,
    /// The demo's agent at the desk: login and password.
    pub desk_login: String,
    pub desk_password: String,
}

/// The demo agent's login at the desk.
pub const DEMO_DESK_LOGIN: &str = "agent@demo";

/// Seed catalogue, FAQ and customers for a tenant (used by the demo and `chat --wasm`).
pub async fn seed_data(app: &App, tenant: &str) -> anyhow::Result<()> {
    let catalog: Catalog = serde_json::from_str(CATALOG_JSON).context("demo catalogue")?;
    app.db.put_catalog(tenant, &catalog).await?;
    let faq: Vec<FaqInput> = serde_json::from_str(FAQ_JSON).context("demo FAQ")?;
    for entry in faq {
        app.db.create_faq(tenant, entry).await?;
    }
    app.knowledge.faq.invalidate(tenant);
    app.db
        .upsert_customer(
            tenant,
            CustomerInput {
                name: "王小明".into(),
                phone: "+886911222333".into(),
                address: Some("台北市大安區復興南路一段100號".into()),
                blocked: false,
                notes: Some("regular; likes half sugar".into()),
            },
        )
        .await?;
    app.db
        .upsert_customer(
            tenant,
            CustomerInput {
                name: "Prank caller".into(),
                phone: "+886900000000".into(),
                address: None,
                blocked: true,
                notes: Some("blocked after repeated prank calls".into()),
            },
        )
        .await?;
    Ok(())
}

/// Create the demo tenant if this Switchboard has no tenant yet.
pub async fn seed_if_empty(app: &App) -> anyhow::Result<Option<DemoTenant>> {
    if !app.db.tenants().await?.is_empty() {
        return Ok(None);
    }
    let made = app
        .db
        .create_tenant(
            "珍珍茶坊 Zhenzhen Tea House",
            TenantPatch {
                numbers: Some(vec![DEMO_NUMBER.into()]),
                language: Some("zh-TW".into()),
                // Transfers go to the agent desk's queue (the console's desk page answers them).
                agents: Some(vec![Agent {
                    name: "客服".into(),
                    uri: "queue:support".into(),
                    mode: Default::default(),
                }]),
                queues: Some(vec![Queue {
                    id: "support".into(),
                    name: "客服".into(),
                    max_wait_secs: 120,
                    whisper: true,
                    ..Queue::default()
                }]),
                ..Default::default()
            },
        )
        .await;
    let tenant = match made {
        Ok(t) => t,
        // Nodes of a cluster starting together on an empty database: another made it.
        Err(crate::storage::StorageError::Conflict(why)) => {
            tracing::info!(%why, "the demo tenant is being made by another node");
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    seed_data(app, &tenant.id).await?;
    let version = app.flows.upload(&tenant.id, TEA_SHOP_FLOW.to_vec()).await.context("demo flow")?;
    app.flows.activate(&tenant.id, version.version).await.context("activating the demo flow")?;
    let (api_key, _) = app.db.create_api_key(&tenant.id, KeyKind::Tenant).await?;
    let widget_key = app.db.widget_key(&tenant.id).await?;
    // A person for the desk, with a password of its own (printed once, kept in the note).
    let mut secret = [0u8; 9];
    crate::domain::ids::random_bytes(&mut secret);
    let desk_password: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let input = DeskUserInput {
        name: "示範客服 Demo agent".into(),
        login: DEMO_DESK_LOGIN.into(),
        password: desk_password.clone(),
        groups: Vec::new(),
    };
    let tenant_id = tenant.id.clone();
    let (user, login) = tokio::task::spawn_blocking(move || input.into_user(&tenant_id)).await??;
    app.db.create_desk_user(&user, &login).await?;
    let note = serde_json::json!({
        "tenant_id": tenant.id, "api_key": api_key, "widget_key": widget_key,
        "desk_login": DEMO_DESK_LOGIN, "desk_password": desk_password,
    });
    write_secret(&app.data_dir.join("demo_tenant.json"), &serde_json::to_string_pretty(&note)?)?;
    Ok(Some(DemoTenant { id: tenant.id, api_key, desk_login: DEMO_DESK_LOGIN.into(), desk_password }))
}

pub use crate::api::widget::demo_tenant_id;

/// Write a file only its owner can read.
pub fn write_secret(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}
