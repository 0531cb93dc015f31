//! The running Switchboard: storage, the flow host and metrics, shared by the
//! API and every call.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use crate::flows::FlowHost;
use crate::knowledge::Knowledge;
use crate::metrics::Metrics;
use crate::storage::Db;

pub struct App {
    pub db: Db,
    pub flows: FlowHost,
    pub metrics: Metrics,
    /// FAQ search and sentence embeddings (the e5 model, when fetched).
    pub knowledge: Arc<Knowledge>,
    pub data_dir: PathBuf,
    /// The SIP endpoint, when this server takes phone calls (outbound calls need it).
    pub sip: std::sync::OnceLock<Arc<crate::sip::Endpoint>>,
    /// How calls reach a person (SIP, when this server has it): browser calls use it
    /// without knowing SIP.
    pub agents: std::sync::OnceLock<Arc<dyn crate::call::agents::AgentLine>>,
    /// The WebRTC endpoint, when this server takes browser calls.
    pub webrtc: std::sync::OnceLock<Arc<crate::webrtc::WebRtcEndpoint>>,
}

/// Calls that can run flows at once; sizes the sandbox's instance pool.
pub const DEFAULT_MAX_CONCURRENT_CALLS: u32 = 256;

impl App {
    /// Open the data directory (creating it), its database and flow cache.
    pub fn open(data_dir: &Path) -> anyhow::Result<Arc<App>> {
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let db = crate::storage::open_redb(&data_dir.join("switchboard.redb"))?;
        let flows = FlowHost::new(db.clone(), data_dir.join("flow-cache"), DEFAULT_MAX_CONCURRENT_CALLS)
            .context("starting the flow host")?;
        Ok(Arc::new(App {
            db,
            flows,
            metrics: Metrics::default(),
            knowledge: Knowledge::load(crate::speech::models::model_file("e5-small", "e5-small-q4.bin")),
            data_dir: data_dir.to_path_buf(),
            sip: std::sync::OnceLock::new(),
            agents: std::sync::OnceLock::new(),
            webrtc: std::sync::OnceLock::new(),
        }))
    }
}
