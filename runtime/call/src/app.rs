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
}

/// Calls that can run flows at once; sizes the sandbox's instance pool.
pub const DEFAULT_MAX_CONCURRENT_CALLS: u32 = 256;

impl App {
    /// Open the data directory (creating it), its database and flow cache.
    pub fn open(data_dir: &Path) -> anyhow::Result<Arc<App>> {
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let db = switchboard_store::open_redb(&data_dir.join("switchboard.redb"))?;
        let flows = FlowHost::new(db.clone(), data_dir.join("flow-cache"), DEFAULT_MAX_CONCURRENT_CALLS)
            .context("starting the flow host")?;
        Ok(Arc::new(App {
            db,
            flows,
            metrics: Metrics::default(),
            knowledge: Knowledge::load(switchboard_speech::models::model_file("e5-small", "e5-small-q4.bin")),
            data_dir: data_dir.to_path_buf(),
            events: Default::default(),
        }))
    }
}
