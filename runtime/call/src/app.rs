//! The services every call and channel shares: storage, the flow host, what the
//! bot knows, metrics, call events and the data directory. The channels'
//! endpoints are not here: each channel holds this, not the other way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use switchboard_flows::FlowHost;
use switchboard_knowledge::Knowledge;
use switchboard_store::Db;

use crate::metrics::Metrics;

pub struct App {
    pub db: Db,
    pub flows: FlowHost,
    pub metrics: Metrics,
    /// FAQ search and sentence embeddings (the e5 model, when fetched).
    pub knowledge: Arc<Knowledge>,
    pub data_dir: PathBuf,
    /// Calls starting and ending, for whoever watches.
    pub events: crate::events::CallEvents,
    /// Whether this node is being drained (no new calls).
    pub drain: crate::drain::Drain,
    /// Where call recordings are kept (the data directory, or a directory every node shares).
    pub recordings: Arc<dyn crate::recording_store::RecordingStore>,
    /// This node's name in a cluster, stable across restarts: what it marks the campaign
    /// calls it places with, so that it alone settles them after a stop.
    pub node_id: String,
}

/// What a node stands on besides its data directory; each `None` is the single-machine
/// default.
#[derive(Debug, Default, Clone)]
pub struct Backing {
    /// A `postgres://` URL every node shares, or the embedded file in the data directory
    /// ([`switchboard_store::open`]).
    pub database: Option<String>,
    /// This node's name, or the one kept in the data directory (made on first start).
    pub node_id: Option<String>,
    /// A directory every node mounts for call recordings, or the data directory.
    pub recordings: Option<PathBuf>,
}

/// Calls that can run flows at once; sizes the sandbox's instance pool.
pub const DEFAULT_MAX_CONCURRENT_CALLS: u32 = 256;

impl App {
    /// Open the data directory (creating it), its embedded database and flow cache.
    pub fn open(data_dir: &Path) -> anyhow::Result<Arc<App>> {
        App::open_with(data_dir, &Backing::default())
    }

    /// Open the data directory (creating it) and its flow cache, with what `backing` names
    /// for the rest ([`Backing`]).
    pub fn open_with(data_dir: &Path, backing: &Backing) -> anyhow::Result<Arc<App>> {
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let database = backing.database.as_deref();
        let recordings = crate::recording_store::DirectoryRecordings::new(backing.recordings.as_deref().unwrap_or(data_dir));
        let node_id = match backing.node_id.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(id) => id.to_string(),
            None => kept_node_id(data_dir)?,
        };
        let db = switchboard_store::open(database, data_dir)?;
        let flows = FlowHost::new(db.clone(), data_dir.join("flow-cache"), DEFAULT_MAX_CONCURRENT_CALLS)
            .context("starting the flow host")?;
        Ok(Arc::new(App {
            db,
            flows,
            metrics: Metrics::default(),
            knowledge: Knowledge::load(switchboard_speech::models::model_file("e5-small", "e5-small-q4.bin")),
            data_dir: data_dir.to_path_buf(),
            events: Default::default(),
            drain: Default::default(),
            recordings: Arc::new(recordings),
            node_id,
        }))
    }

    /// Keep this node's memory in step with changes other nodes commit to a shared
    /// store (a flow activated through another node's API), until the store goes away.
    pub fn follow_changes(self: &Arc<App>) {
        let app = Arc::downgrade(self);
        let mut changes = self.db.subscribe_changes();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let change = changes.recv().await;
                let Some(app) = app.upgrade() else { return };
                match change {
                    Ok(switchboard_store::Change::FlowActivated { tenant, version }) => {
                        app.flows.activated_elsewhere(&tenant, version)
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "changes from other nodes missed: active flows read again");
                        app.flows.forget_active();
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
}

/// The node id kept in `data_dir/node_id`, made the first time.
fn kept_node_id(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("node_id");
    if let Ok(id) = std::fs::read_to_string(&path)
        && !id.trim().is_empty()
    {
        return Ok(id.trim().to_string());
    }
    let id = switchboard_domain::ids::new_id("node");
    std::fs::write(&path, &id).with_context(|| format!("writing {}", path.display()))?;
    Ok(id)
}
