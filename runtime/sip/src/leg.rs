//! A connected call leg, whichever side placed it: its dialog, its RTP leg,
//! the caller's media and the dialog's events, with the tenant it belongs to.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::dialog::{Dialog, DialogEvent};
use super::endpoint::Endpoint;
use switchboard_call::conversation::MediaIn;
use switchboard_domain::tenants::Tenant;
use switchboard_media::rtp_stream::RtpLeg;

pub struct LiveCall {
    pub ep: Arc<Endpoint>,
    pub tenant: Tenant,
    pub dialog: Arc<Mutex<Dialog>>,
    pub leg: Arc<RtpLeg>,
    pub media: mpsc::Receiver<MediaIn>,
    pub events: mpsc::UnboundedReceiver<DialogEvent>,
}

impl LiveCall {
    /// Hang up our side: BYE, and wait (briefly) for its answer.

    pub async fn bye(&self) {
        super::dialog::bye(&self.ep, &self.dialog).await;
    }
}
