//! The agent desk's API: the tenant manages its desk users and sees its queues; a desk
//! user (signed in to the console with login and password) sets their state, hears
//! offered calls on an event stream, accepts one with a WebRTC offer, hangs up and writes
//! the call up. Everything is scoped by the session: an agent reaches their own tenant's
//! calls only, whatever the URL says.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ApiState;
use super::auth::Principal;
use super::error::{ApiError, ApiResult, Json};
use super::openapi::DESK;
use switchboard_call::desk::{AgentView, Desk, DeskError, DeskTarget, WaitingView};
use switchboard_domain::desk::{AgentState, DeskUser, DeskUserInput, FollowUp, WrapUpInput};
use switchboard_store::StorageError;

impl From<DeskError> for ApiError {
    fn from(e: DeskError) -> ApiError {
        let status = match &e {
            DeskError::NotOffered | DeskError::NoSuchCall => StatusCode::NOT_FOUND,
            DeskError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DeskError::NoMedia => StatusCode::SERVICE_UNAVAILABLE,
            DeskError::Media(_) => StatusCode::BAD_REQUEST,
            DeskError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, "desk", e.to_string())
    }
}

fn desk(s: &ApiState) -> Result<&Desk, ApiError> {
    s.desk.as_deref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the agent desk needs voice calls (serve with --webrtc)",
        )
    })
}

/// A desk user signing in: their record, if the login and password are right.
pub async fn sign_in(s: &ApiState, login: &str, password: &str) -> Result<Principal, ApiError> {
    if let Err(wait_s) = s.sessions.throttle.check(login) {
        tracing::warn!("desk sign-in refused: too many failed attempts for one login");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_sign_ins",
            format!("too many failed sign-ins for this login; try again in {} min", wait_s.div_ceil(60)),
        ));
    }
    let found = s.app.db.desk_login(login.trim()).await?;
    let password = password.to_string();
    let (ok, found) = tokio::task::spawn_blocking(move || {
        // A login that does not exist costs the same as a wrong password.
        let hash = found
            .as_ref()
            .map(|f| f.password_hash.clone())
            .unwrap_or_else(|| switchboard_domain::desk::hash_password("no such login"));
        (switchboard_domain::desk::verify_password(&password, &hash), found)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    match (ok, found) {
        (true, Some(f)) => {
            s.sessions.throttle.succeeded(login);
            let user = s.app.db.desk_user(&f.tenant_id, &f.user_id).await?;
            Ok(Principal::Agent(Box::new(user)))
        }
        _ => {
            s.sessions.throttle.failed(login);
            Err(ApiError::unauthorized())
        }
    }
}

/// The tenant's desk users
#[utoipa::path(get, path = "/v1/tenants/{id}/desk/users", tag = DESK, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "Desk users.", body = Vec<DeskUser>)))]
pub async fn users(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let tenant = who.tenant(&s, &id).await?;
    Ok(Json(json!({ "users": s.app.db.desk_users(&tenant.id).await? })))
}

/// Add a desk user
///
/// The login is unique across the instance; the password (10 characters or more) is kept as a
/// PBKDF2 hash and never shown again.
#[utoipa::path(post, path = "/v1/tenants/{id}/desk/users", tag = DESK, params(("id" = String, Path, description = "The tenant's id.")),
    request_body = DeskUserInput,
    responses((status = 201, description = "The new desk user.", body = DeskUser),
              (status = 409, description = "The login is taken.", body = super::openapi::ErrorBody)))]
pub async fn create_user(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<DeskUserInput>,
) -> ApiResult<(StatusCode, Json<DeskUser>)> {
    let tenant = who.tenant(&s, &id).await?;
    let tenant_id = tenant.id.clone();
    let made = tokio::task::spawn_blocking(move || input.into_user(&tenant_id))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(StorageError::from)?;
    let (user, login) = made;
    s.app.db.create_desk_user(&user, &login).await?;
    super::audit::note(&s, &who, &tenant.id, "desk.user.create", &user.id, user.login.clone()).await;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Remove a desk user
#[utoipa::path(delete, path = "/v1/tenants/{id}/desk/users/{user}", tag = DESK,
    params(("id" = String, Path, description = "The tenant's id."), ("user" = String, Path, description = "The desk user's id.")),
    responses((status = 204, description = "Removed.")))]
pub async fn delete_user(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = who.tenant(&s, &id).await?;
    if !s.app.db.delete_desk_user(&tenant.id, &user).await? {
        return Err(ApiError::not_found("desk user"));
    }
    // Signed out at once: a deleted user's session must not outlive them.
    let ended = s.sessions.end_agent(&tenant.id, &user);
    if let Some(desk) = &s.desk {
        desk.remove_agent(&tenant.id, &user);
    }
    tracing::info!(tenant_id = %tenant.id, agent = %user, sessions = ended, "desk user deleted and signed out");
    super::audit::note(&s, &who, &tenant.id, "desk.user.delete", &user, String::new()).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardView {
    agents: Vec<AgentView>,
    waiting: Vec<WaitingView>,
}

/// The tenant's agents and waiting callers, now
#[utoipa::path(get, path = "/v1/tenants/{id}/desk", tag = DESK, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "Agents with their states; callers in the queues.", body = BoardView)))]
pub async fn board(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<BoardView>> {
    let tenant = who.tenant(&s, &id).await?;
    let (agents, waiting) = desk(&s)?.overview(&tenant.id);
    Ok(Json(BoardView { agents, waiting }))
}

/// The desk's events
///
/// For the signed-in agent: `{"type":"state","agent"}` when their state changes,
/// `{"type":"offer","call_id","queue","ring_ms","popup"}` when a call rings on their desk (the
/// popup has the caller, their customer record and orders, the reason, the bot's summary, the
/// order draft and the transcript so far), `{"type":"offer_withdrawn","call_id","why"}`,
/// `{"type":"connected","call_id"}` when the caller is put through, and
/// `{"type":"ended","call_id","by"}`.
#[utoipa::path(get, path = "/v1/desk/events", tag = DESK,
    responses((status = 200, description = "The event stream.", content_type = "text/event-stream")))]
pub async fn events(
    State(s): State<ApiState>,
    who: Principal,
) -> ApiResult<Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>>> {
    let user = who.agent()?;
    let watch = desk(&s)?.watch(user);
    let stream = futures_util::stream::unfold(watch, |mut watch| async move {
        let e = watch.events.recv().await?;
        Some((Ok(Event::default().json_data(&e).ok()?), watch))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    /// `available`, `away` or `offline`.
    state: AgentState,
}

/// Set the agent's state
#[utoipa::path(put, path = "/v1/desk/state", tag = DESK, request_body = StateChange,
    responses((status = 200, description = "The agent now.", body = AgentView)))]
pub async fn set_state(
    State(s): State<ApiState>,
    who: Principal,
    Json(body): Json<StateChange>,
) -> ApiResult<Json<AgentView>> {
    let user = who.agent()?;
    Ok(Json(desk(&s)?.set_state(user, body.state)?))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sdp {
    /// An SDP offer (to the server) or answer (from it), ICE candidates gathered.
    sdp: String,
}

/// Take the call ringing on the desk
///
/// The body is the desk browser's WebRTC offer; the answer comes back and the caller is put
/// through (after the whisper, when the queue has one).
#[utoipa::path(post, path = "/v1/desk/calls/{call}/accept", tag = DESK, params(("call" = String, Path, description = "The call's id.")),
    request_body = Sdp,
    responses((status = 200, description = "The SDP answer.", body = Sdp),
              (status = 404, description = "No such call rings on this desk (taken, passed on, or the caller left).", body = super::openapi::ErrorBody)))]
pub async fn accept(
    State(s): State<ApiState>,
    who: Principal,
    Path(call): Path<String>,
    Json(offer): Json<Sdp>,
) -> ApiResult<Json<Sdp>> {
    let user = who.agent()?;
    if offer.sdp.len() > 20_000 {
        return Err(ApiError::bad_request("the SDP offer is too large"));
    }
    let answer = desk(&s)?.accept(user, &call, &offer.sdp).await?;
    Ok(Json(Sdp { sdp: answer }))
}

/// Turn down the ringing call (it passes to the next agent)
#[utoipa::path(post, path = "/v1/desk/calls/{call}/decline", tag = DESK, params(("call" = String, Path, description = "The call's id.")),
    responses((status = 204, description = "Passed on.")))]
pub async fn decline(State(s): State<ApiState>, who: Principal, Path(call): Path<String>) -> ApiResult<StatusCode> {
    desk(&s)?.decline(who.agent()?, &call)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hang up the call the agent is on
#[utoipa::path(post, path = "/v1/desk/calls/{call}/hangup", tag = DESK, params(("call" = String, Path, description = "The call's id.")),
    responses((status = 204, description = "Hung up; the agent is in wrap-up.")))]
pub async fn hang_up(State(s): State<ApiState>, who: Principal, Path(call): Path<String>) -> ApiResult<StatusCode> {
    desk(&s)?.hang_up(who.agent()?, &call)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldChange {
    /// `true` to hold the caller (they hear the hold chime), `false` to take them back.
    on: bool,
}

/// Hold the caller, or take them back
#[utoipa::path(post, path = "/v1/desk/calls/{call}/hold", tag = DESK, params(("call" = String, Path, description = "The call's id.")),
    request_body = HoldChange,
    responses((status = 204, description = "Done.")))]
pub async fn hold(
    State(s): State<ApiState>,
    who: Principal,
    Path(call): Path<String>,
    Json(body): Json<HoldChange>,
) -> ApiResult<StatusCode> {
    desk(&s)?.hold(who.agent()?, &call, body.on)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Transfer the caller to another queue or a colleague
///
/// `{"queue": "<id>"}` or `{"agent": "<desk user id>"}` (of the same tenant). The caller waits
/// there (hold chime, position); this agent goes to wrap-up.
#[utoipa::path(post, path = "/v1/desk/calls/{call}/transfer", tag = DESK, params(("call" = String, Path, description = "The call's id.")),
    request_body = DeskTarget,
    responses((status = 204, description = "The caller is on their way.")))]
pub async fn transfer(
    State(s): State<ApiState>,
    who: Principal,
    Path(call): Path<String>,
    Json(target): Json<DeskTarget>,
) -> ApiResult<StatusCode> {
    let user = who.agent()?;
    if let DeskTarget::Queue(id) = &target {
        let tenant = s.app.db.tenant(&user.tenant_id).await?;
        if !tenant.queues.iter().any(|q| &q.id == id) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "desk",
                format!("no queue `{id}` in your tenant"),
            ));
        }
    }
    desk(&s)?.transfer(user, &call, target)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where a call can be transferred: the tenant's queues and the colleagues at the desk
#[utoipa::path(get, path = "/v1/desk/directory", tag = DESK,
    responses((status = 200, description = "Queues and colleagues with their states.")))]
pub async fn directory(State(s): State<ApiState>, who: Principal) -> ApiResult<Json<Value>> {
    let user = who.agent()?;
    let tenant = s.app.db.tenant(&user.tenant_id).await?;
    Ok(Json(desk(&s)?.directory(user, &tenant)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeskOrder {
    order: switchboard_domain::orders::OrderRequest,
    /// An order of the same call this one corrects: it is cancelled.
    #[serde(default)]
    replaces: Option<String>,
}

/// Create (or correct) the caller's order
///
/// For the call the agent is on or writing up; priced from the catalogue by the host, like the
/// bot's orders. With `replaces`, that order of the same call is cancelled.
#[utoipa::path(post, path = "/v1/desk/calls/{call}/orders", tag = DESK, params(("call" = String, Path, description = "The call's id.")),
    request_body = DeskOrder,
    responses((status = 201, description = "The order as priced and stored.", body = switchboard_domain::orders::Order),
              (status = 422, description = "The order does not fit the catalogue.", body = super::openapi::ErrorBody)))]
pub async fn place_order(
    State(s): State<ApiState>,
    who: Principal,
    Path(call): Path<String>,
    Json(body): Json<DeskOrder>,
) -> ApiResult<(StatusCode, Json<switchboard_domain::orders::Order>)> {
    let user = who.agent()?;
    let order = desk(&s)?.place_order(user, &call, body.order, body.replaces).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// The catalogue, for the desk's order form
#[utoipa::path(get, path = "/v1/desk/catalog", tag = DESK,
    responses((status = 200, description = "The tenant's catalogue.", body = switchboard_domain::catalog::Catalog)))]
pub async fn catalog(
    State(s): State<ApiState>,
    who: Principal,
) -> ApiResult<Json<switchboard_domain::catalog::Catalog>> {
    let user = who.agent()?;
    Ok(Json(s.app.db.catalog(&user.tenant_id).await?))
}

/// Write the call up
///
/// The outcome and notes land on the call record (and an `agent:<outcome>` tag); a follow-up
/// becomes a task on the desk. The agent is available again.
#[utoipa::path(post, path = "/v1/desk/calls/{call}/wrapup", tag = DESK, params(("call" = String, Path, description = "The call's id.")),
    request_body = WrapUpInput,
    responses((status = 204, description = "Written; the agent is available.")))]
pub async fn wrap_up(
    State(s): State<ApiState>,
    who: Principal,
    Path(call): Path<String>,
    Json(input): Json<WrapUpInput>,
) -> ApiResult<StatusCode> {
    desk(&s)?.wrap_up(who.agent()?, &call, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CallBackStarted {
    /// The SDP answer for the desk's browser.
    sdp: String,
    /// The callback's call record.
    call_id: String,
}

/// Call a follow-up's customer back from the desk
///
/// The body is the desk browser's WebRTC offer; the customer's number is dialled through the
/// tenant's trunk, and the desk hears `connected` (or `callback_failed`) on its event stream.
/// The task is done once the customer answers.
#[utoipa::path(post, path = "/v1/desk/tasks/{task}/call", tag = DESK, params(("task" = String, Path, description = "The follow-up's id.")),
    request_body = Sdp,
    responses((status = 200, description = "The SDP answer and the callback's call id.", body = CallBackStarted)))]
pub async fn call_back(
    State(s): State<ApiState>,
    who: Principal,
    Path(task): Path<String>,
    Json(offer): Json<Sdp>,
) -> ApiResult<Json<CallBackStarted>> {
    let user = who.agent()?;
    if offer.sdp.len() > 20_000 {
        return Err(ApiError::bad_request("the SDP offer is too large"));
    }
    let (sdp, call_id) = desk(&s)?.call_back(user, &task, &offer.sdp).await?;
    Ok(Json(CallBackStarted { sdp, call_id }))
}

/// The tenant's follow-up tasks, open ones first, soonest due first
#[utoipa::path(get, path = "/v1/desk/tasks", tag = DESK,
    responses((status = 200, description = "Follow-ups.", body = Vec<FollowUp>)))]
pub async fn tasks(State(s): State<ApiState>, who: Principal) -> ApiResult<Json<Value>> {
    let user = who.agent()?;
    Ok(Json(json!({ "tasks": s.app.db.follow_ups(&user.tenant_id).await? })))
}
