//! `/v1/tenants/{id}/calls`: call records, simulated calls (a whole scripted
//! conversation in one request) and the interactive WebSocket text session.
//! Both run the same [`CallSession`] as a phone call, minus audio.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::error::{ApiError, ApiResult, Json, Query, not_found_as};
use super::openapi::CALLS;
use super::{ApiState, Principal};
use switchboard_call::events::CallEvent;
use switchboard_call::{CallSession, CallSetup, CallerInput, Turn};
use switchboard_domain::calls::{CallQuery, CallRecord, CallSummary, Outcome, TransferRecord};
use switchboard_domain::tenants::Tenant;

/// Inputs one simulated call may carry.
const MAX_SIMULATED_INPUTS: usize = 200;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CallList {
    calls: Vec<CallSummary>,
}

/// List calls
///
/// Newest first, without transcripts; filtered by start time, outcome, channel, tag and the
/// words of the transcript (`text`: every word must be there; Chinese by its characters).
/// The text search reads the tenant's search index, kept as calls end.
#[utoipa::path(get, path = "/v1/tenants/{id}/calls", tag = CALLS, params(("id" = String, Path, description = "The tenant's id."), CallQuery),
    responses((status = 200, description = "The calls.", body = CallList)))]
pub async fn list(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<CallQuery>,
) -> ApiResult<Json<CallList>> {
    who.tenant(&s, &id).await?;
    let calls = s.app.db.calls(&id, &q).await?;
    Ok(Json(CallList { calls }))
}

/// Read a call
///
/// Who called, the flow version, the transcript with timings, the outcome and why, the
/// transfer and the orders placed.
#[utoipa::path(get, path = "/v1/tenants/{id}/calls/{call_id}", tag = CALLS,
    params(("id" = String, Path, description = "The tenant's id."), ("call_id" = String, Path, description = "The call's id.")),
    responses((status = 200, description = "The call record.", body = CallRecord)))]
pub async fn get(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, call_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<CallRecord>> {
    who.tenant(&s, &id).await?;
    s.app.db.call(&id, &call_id).await.map(axum::Json).map_err(not_found_as("call"))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundRequest {
    /// A phone number (through the tenant's `outbound_proxy`) or a SIP URI.
    to: String,
    /// Given to the flow in `call-info.flow-input` (for example an order id to report on).
    #[serde(default)]
    flow_input: String,
}

/// A call being placed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboundAccepted {
    /// The attempt's id, in the server log (the call record appears once answered).
    attempt: String,
    to: String,
    /// Always `dialing`.
    status: &'static str,
}

/// Place an outbound call
///
/// Dials a number (through the tenant's `outbound_proxy`) or a SIP URI; the tenant's flow
/// handles the call with `flow_input`. Needs a server started with `--sip`.
#[utoipa::path(post, path = "/v1/tenants/{id}/calls/outbound", tag = CALLS, params(("id" = String, Path, description = "The tenant's id.")), request_body = OutboundRequest,
    responses((status = 202, description = "Dialing.", body = OutboundAccepted),
              (status = 503, description = "This server runs without SIP (`telephony_disabled`), or storage is slow.", body = super::openapi::ErrorBody)))]
pub async fn outbound(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(req): Json<OutboundRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<OutboundAccepted>)> {
    let tenant = who.tenant(&s, &id).await?;
    if req.flow_input.len() > 4096 {
        return Err(ApiError::bad_request("flow_input is at most 4096 bytes"));
    }
    let Some(sip) = s.sip.clone() else {
        return Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "telephony_disabled",
            "this server runs without SIP (start it with --sip)",
        ));
    };
    let to = req.to.clone();
    let attempt =
        switchboard_sip::outbound::call_out(sip, tenant, req.to, req.flow_input).map_err(ApiError::bad_request)?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(OutboundAccepted { attempt, to, status: "dialing" })))
}

/// Download a call's recording
///
/// A stereo WAV: the caller left, the bot right. Only for tenants that record calls.
#[utoipa::path(get, path = "/v1/tenants/{id}/calls/{call_id}/recording", tag = CALLS,
    params(("id" = String, Path, description = "The tenant's id."), ("call_id" = String, Path, description = "The call's id.")),
    responses((status = 200, description = "The recording.", body = Vec<u8>, content_type = "audio/wav")))]
pub async fn recording(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, call_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    who.tenant(&s, &id).await?;
    let record = s.app.db.call(&id, &call_id).await.map_err(not_found_as("call"))?;
    let Some(rel) = record.recording else { return Err(ApiError::not_found("recording")) };
    // The key is ours (tenant and call ids), never the client's.
    let key = switchboard_call::recording::relative_path(&record.tenant_id, &record.id);
    debug_assert!(key.ends_with(&rel));
    let store = s.app.recordings.clone();
    let bytes = match tokio::task::spawn_blocking(move || store.get(&key)).await {
        Ok(Ok(Some(bytes))) => bytes,
        Ok(Ok(None)) => return Err(ApiError::not_found("recording")),
        Ok(Err(e)) => {
            tracing::error!(tenant_id = %id, %call_id, error = %e, "a recording could not be read");
            return Err(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the recording could not be read",
            ));
        }
        Err(_) => {
            return Err(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the recording could not be read",
            ));
        }
    };
    Ok(Response::builder().header("Content-Type", "audio/wav").body(axum::body::Body::from(bytes)).unwrap_or_default())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// The caller's number, as caller ID would give it.
    #[serde(default)]
    caller: String,
    /// The dialled number; defaults to the tenant's first.
    callee: Option<String>,
    #[serde(default)]
    inputs: Vec<CallerInput>,
    /// A stored flow version to run instead of the active one (trying a version before activating it).
    version: Option<u32>,
}

/// One turn: what the caller did (none for the greeting) and the bot's answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SimulatedTurn {
    input: Option<CallerInput>,
    #[serde(flatten)]
    turn: Turn,
}

fn setup(tenant: Tenant, caller: String, callee: Option<String>) -> Result<CallSetup, ApiError> {
    if caller.len() > 32 {
        return Err(ApiError::bad_request("caller is longer than 32 characters"));
    }
    let callee = callee.or_else(|| tenant.numbers.first().cloned()).unwrap_or_default();
    Ok(CallSetup::inbound_text(tenant, caller, callee))
}

/// A simulated call, as it went.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SimulatedCall {
    call_id: String,
    flow_version: Option<u32>,
    turns: Vec<SimulatedTurn>,
    outcome: Outcome,
    end_reason: Option<String>,
    tags: Vec<String>,
    flow_error: Option<String>,
    transfer: Option<TransferRecord>,
    order_ids: Vec<String>,
    /// Tickets opened during the call.
    ticket_ids: Vec<String>,
}

/// Simulate a call
///
/// Runs a whole call from scripted caller inputs (speech as text, keys, silence, hang-up) through
/// the tenant's active flow, the same session a phone call runs, and returns every turn. Orders
/// are stored and the call is recorded as a real one.
#[utoipa::path(post, path = "/v1/tenants/{id}/calls/simulate", tag = CALLS, params(("id" = String, Path, description = "The tenant's id.")), request_body = SimulateRequest,
    responses((status = 200, description = "The call, turn by turn.", body = SimulatedCall)))]
pub async fn simulate(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(req): Json<SimulateRequest>,
) -> ApiResult<Json<SimulatedCall>> {
    let tenant = who.tenant(&s, &id).await?;
    if req.inputs.len() > MAX_SIMULATED_INPUTS {
        return Err(ApiError::bad_request(format!("at most {MAX_SIMULATED_INPUTS} inputs")));
    }
    let mut setup = setup(tenant, req.caller, req.callee)?;
    if let Some(v) = req.version {
        s.app.db.flow_version(&id, v).await.map_err(not_found_as("flow version"))?;
        setup.flow_version = Some(v);
    }
    let (mut session, greeting) = CallSession::start(s.app.clone(), setup).await;
    let mut turns = vec![SimulatedTurn { input: None, turn: greeting }];
    for input in req.inputs {
        if session.is_ended() {
            break;
        }
        let turn = session.input(input.clone()).await;
        turns.push(SimulatedTurn { input: Some(input), turn });
    }
    if !session.is_ended() {
        // The script ran out: the caller hangs up.
        let turn = session.caller_hung_up().await;
        turns.push(SimulatedTurn { input: Some(CallerInput::Hangup { hangup: true }), turn });
    }
    let r = session.record.clone();
    Ok(Json(SimulatedCall {
        call_id: r.id,
        flow_version: r.flow_version,
        turns,
        outcome: r.outcome,
        end_reason: r.end_reason,
        tags: r.tags,
        flow_error: r.flow_error,
        transfer: r.transfer,
        order_ids: r.order_ids,
        ticket_ids: r.ticket_ids,
    }))
}

/// Watch calls start and end
///
/// Server-sent events (`text/event-stream`), one JSON [`CallEvent`] per `data:` line, for this
/// tenant's calls from the moment of the request: `{"type":"started", "call_id", "channel",
/// "caller"}` when a call is answered, `{"type":"ended", "call_id", "outcome", "reason"}` once its
/// record is saved, `{"type":"recorded", "call_id"}` once its recording is written (tenants that
/// record calls), and `{"type":"turn", "call_id", "speaker", "text"}` for each line of the
/// transcript as it is said (the console's live calls). A comment line every 15 s keeps the connection open; a watcher that falls
/// more than 1,024 events behind gets `{"type":"lagged", "missed": n}`.
#[utoipa::path(get, path = "/v1/tenants/{id}/calls/events", tag = CALLS, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "The event stream.", body = CallEvent, content_type = "text/event-stream")))]
pub async fn events(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>>> {
    let tenant = who.tenant(&s, &id).await?;
    let watching = s.app.events.subscribe();
    let stream = futures_util::stream::unfold((watching, tenant.id), |(mut watching, tenant)| async move {
        loop {
            let event = match watching.recv().await {
                // Another tenant's calls are never shown.
                Ok(e) if e.tenant_id != tenant => continue,
                Ok(e) => Event::default().json_data(&e).ok()?,
                Err(RecvError::Lagged(missed)) => {
                    Event::default().json_data(json!({ "type": "lagged", "missed": missed })).ok()?
                }
                Err(RecvError::Closed) => return None,
            };
            return Some((Ok(event), (watching, tenant)));
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// The caller's number, as caller ID would give it.
    #[serde(default)]
    caller: String,
    /// The dialled number; defaults to the tenant's first.
    callee: Option<String>,
    /// The key, for clients that cannot set headers on a WebSocket.
    #[allow(dead_code)]
    access_token: Option<String>,
}

/// Talk to the bot over a WebSocket
///
/// An interactive text call. The server sends each turn as `{"type":"turn", ...}`; the client
/// sends caller inputs as in `simulate`; closing the socket hangs up.
#[utoipa::path(get, path = "/v1/tenants/{id}/calls/session", tag = CALLS, params(("id" = String, Path, description = "The tenant's id."), SessionQuery),
    security(("bearerAuth" = []), ("accessToken" = [])),
    responses((status = 101, description = "Switching to the WebSocket protocol.")))]
pub async fn session(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<SessionQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let tenant = who.tenant(&s, &id).await?;
    let setup = setup(tenant, q.caller, q.callee)?;
    Ok(ws.max_message_size(64 * 1024).on_upgrade(move |socket| run_session(s, setup, socket)))
}

fn turn_message(call_id: &str, turn: &Turn) -> Message {
    let mut v = serde_json::to_value(turn).unwrap_or_default();
    v["type"] = json!("turn");
    v["call_id"] = json!(call_id);
    Message::Text(v.to_string().into())
}

async fn run_session(s: ApiState, setup: CallSetup, mut socket: WebSocket) {
    let (mut session, greeting) = CallSession::start(s.app.clone(), setup).await;
    if socket.send(turn_message(session.id(), &greeting)).await.is_err() {
        session.caller_hung_up().await;
        return;
    }
    while !session.is_ended() {
        let Some(Ok(msg)) = socket.recv().await else { break };
        let text = match msg {
            Message::Text(t) => t,
            Message::Close(_) => break,
            _ => continue,
        };
        let turn = match serde_json::from_str::<CallerInput>(&text) {
            Ok(input) => session.input(input).await,
            Err(e) => {
                let err = json!({ "type": "error", "message": format!("not a caller input: {e}") });
                if socket.send(Message::Text(err.to_string().into())).await.is_err() {
                    break;
                }
                continue;
            }
        };
        if socket.send(turn_message(session.id(), &turn)).await.is_err() {
            break;
        }
    }
    if !session.is_ended() {
        session.caller_hung_up().await;
    }
    let _ = socket.send(Message::Close(None)).await;
}
