//! Outbound calls the API asks for (order-status notifications, follow-ups):
//! dialled like any call we place ([`super::dial`]), then handled by the
//! tenant's flow, told that it is outbound.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::call::run;
use super::dial::dial;
use super::endpoint::Endpoint;
use super::leg::LiveCall;
use super::message::{normalise_number, uri_host_port};
use switchboard_call::outreach::DialOutcome;
use switchboard_call::session::CallSetup;
use switchboard_call::voice::VoiceCall;
use switchboard_domain::calls::{Channel, Direction as CallDirection, TransferStatus};
use switchboard_domain::tenants::Tenant;

/// Where an outbound call to `to` goes: a SIP URI as given, or a number through the tenant's trunk.
pub fn target_uri(tenant: &Tenant, to: &str) -> Result<String, String> {
    if to.starts_with("sip:") {
        if uri_host_port(to).is_none() {
            return Err(format!("`{to}` is not a SIP URI"));
        }
        return Ok(to.to_string());
    }
    let number = normalise_number(to);
    if number.trim_start_matches('+').is_empty() || number.len() > 21 {
        return Err(format!("`{to}` is neither a phone number nor a SIP URI"));
    }
    let trunk = tenant
        .telephony
        .outbound_proxy
        .as_deref()
        .ok_or("the tenant has no outbound_proxy (telephony settings) to reach phone numbers through")?;
    let (host, port) = uri_host_port(trunk).ok_or("outbound_proxy is not a SIP URI")?;
    Ok(match port {
        Some(p) => format!("sip:{number}@{host}:{p}"),
        None => format!("sip:{number}@{host}"),
    })
}

/// Place an outbound call for `tenant`; the flow handles it once answered (direction outbound).
pub fn call_out(ep: Arc<Endpoint>, tenant: Tenant, to: String, flow_input: String) -> Result<String, String> {
    let uri = target_uri(&tenant, &to)?;
    let attempt = switchboard_domain::ids::new_id("dial");
    let span = tracing::info_span!("outbound", tenant_id = %tenant.id, attempt = %attempt);
    tokio::spawn(tracing::Instrument::instrument(
        async move {
            let outcome = place(ep, tenant, uri, to, flow_input, Duration::from_secs(60), None).await;
            tracing::info!(?outcome, "outbound call over");
        },
        span,
    ));
    Ok(attempt)
}

/// Dial `uri`, and once answered run the tenant's flow on the call to its end. `answered`
/// learns the call's id as soon as it has one.
async fn place(
    ep: Arc<Endpoint>,
    tenant: Tenant,
    uri: String,
    to: String,
    flow_input: String,
    ring: Duration,
    answered: Option<tokio::sync::oneshot::Sender<String>>,
) -> DialOutcome {
    let from_number = tenant.numbers.first().cloned().unwrap_or_else(|| "switchboard".into());
    let (media_tx, media_rx) = mpsc::channel(1024);
    tracing::info!(%uri, "placing an outbound call");
    let dialled = match dial(ep.clone(), &uri, &from_number, Vec::new(), ring, media_tx).await {
        Ok(d) => d,
        Err(status) => {
            tracing::info!(?status, "outbound call not connected");
            return match status {
                TransferStatus::Busy => DialOutcome::Busy,
                TransferStatus::NoAnswer => DialOutcome::NoAnswer,
                other => DialOutcome::Failed(other.as_str().to_string()),
            };
        }
    };
    let setup = CallSetup {
        tenant: tenant.clone(),
        caller: from_number,
        callee: to,
        channel: Channel::Sip,
        direction: CallDirection::Outbound,
        flow_input,
        flow_version: None,
        replay: false,
    };
    let (call, greeting) = VoiceCall::start(ep.app.clone(), ep.engines.clone(), setup, 16_000).await;
    let call_id = call.session.id().to_string();
    if let Some(tx) = answered {
        let _ = tx.send(call_id.clone());
    }
    // The leg's tasks live as long as `dialled`, to the end of the call.
    let mut dialled = dialled;
    let events = std::mem::replace(&mut dialled.events, mpsc::unbounded_channel().1);
    let (dialog, leg) = (dialled.dialog.clone(), dialled.leg.clone());
    let live = LiveCall { ep, tenant, dialog, leg, media: media_rx, events };
    run(live, call, greeting).await;
    drop(dialled);
    DialOutcome::Answered { call_id }
}

/// SIP places campaign calls: a number through the tenant's trunk, or a SIP URI as given.
pub struct SipDialer(pub Arc<Endpoint>);

#[async_trait::async_trait]
impl switchboard_call::outreach::Dialer for SipDialer {
    async fn place(
        &self,
        tenant: &Tenant,
        to: &str,
        flow_input: String,
        ring: Duration,
        answered: tokio::sync::oneshot::Sender<String>,
    ) -> DialOutcome {
        match target_uri(tenant, to) {
            Ok(uri) => {
                place(self.0.clone(), tenant.clone(), uri, to.to_string(), flow_input, ring, Some(answered)).await
            }
            Err(why) => DialOutcome::Failed(why),
        }
    }
}

/// SIP dials the desk's callbacks: a number through the tenant's trunk (its `outbound_proxy`),
/// or a SIP URI as given.
pub struct SipPhoneLine(pub Arc<Endpoint>);

#[async_trait::async_trait]
impl switchboard_call::agents::PhoneLine for SipPhoneLine {
    async fn ring(
        &self,
        tenant: &Tenant,
        to: &str,
        ring: Duration,
    ) -> Result<switchboard_call::agents::PhoneLeg, String> {
        let uri = target_uri(tenant, to)?;
        tracing::info!(%uri, "dialling");
        let from_number = tenant.numbers.first().cloned().unwrap_or_else(|| "switchboard".into());
        let (tx, media) = mpsc::channel(1024);
        let dialled = dial(self.0.clone(), &uri, &from_number, Vec::new(), ring, tx)
            .await
            .map_err(|status| format!("{uri}: {}", status.as_str()))?;
        let out = Box::new(dialled.leg.sender());
        let (hang_up, hung_up) = tokio::sync::oneshot::channel::<()>();
        let ep = self.0.clone();
        // The dialled leg lives until our side hangs up (BYE) or the far end has (its media
        // channel says so, and dropping the leg closes it).
        tokio::spawn(async move {
            let _ = hung_up.await;
            super::dialog::bye(&ep, &dialled.dialog).await;
            drop(dialled);
        });
        Ok(switchboard_call::agents::PhoneLeg { media, out, hang_up })
    }
}
